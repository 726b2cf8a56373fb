// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-ipsec guest driver: per-file quotas.
 *
 * The device's tables (max_sas, max_groups) and the guest's memory are
 * shared by every file of an accelerator. Each file may hold at most
 * max_sas_per_file SAs, max_groups_per_file groups and
 * max_async_kb_per_file KiB of asynchronous batch buffers (input and
 * output areas of batches submitted and not yet read). The parameters
 * may be changed at run time (root, 0644); a lower value applies to the
 * next request and takes nothing away. 0 disables a quota.
 */

#include <linux/atomic.h>
#include <linux/moduleparam.h>

#include "chardev.h"
#include "quota.h"

static unsigned int max_sas_per_file = 512;
module_param(max_sas_per_file, uint, 0644);
MODULE_PARM_DESC(max_sas_per_file,
		 "SAs one open file may hold (0: no quota; default 512)");

static unsigned int max_groups_per_file = 16;
module_param(max_groups_per_file, uint, 0644);
MODULE_PARM_DESC(max_groups_per_file,
		 "SA groups one open file may hold (0: no quota; default 16)");

static unsigned int max_async_kb_per_file = 65536;
module_param(max_async_kb_per_file, uint, 0644);
MODULE_PARM_DESC(max_async_kb_per_file,
		 "KiB of async batch buffers one open file may hold (0: no quota; default 65536)");

/*
 * @more SAs on top of @f's, counting the ids of its deleted SAs that are
 * not free yet (f->stale_ids). Must hold f->lock.
 */
int vipsec_quota_sas(const struct vipsec_file *f, u32 more)
{
	unsigned int q = READ_ONCE(max_sas_per_file);

	lockdep_assert_held(&f->lock);
	return q && (u64)f->nsas + f->nstale + more > q ? -EDQUOT : 0;
}

/* One more group. Must hold f->lock. */
int vipsec_quota_groups(const struct vipsec_file *f)
{
	unsigned int q = READ_ONCE(max_groups_per_file);

	lockdep_assert_held(&f->lock);
	return q && f->ngroups >= q ? -EDQUOT : 0;
}

/* Charges @bytes of an async batch to @f, or -EDQUOT. */
int vipsec_quota_async_get(struct vipsec_file *f, size_t bytes)
{
	unsigned long q = (unsigned long)READ_ONCE(max_async_kb_per_file) *
			  1024;
	long now = atomic_long_add_return(bytes, &f->async_bytes);

	if (q && now > q) {
		atomic_long_sub(bytes, &f->async_bytes);
		return -EDQUOT;
	}
	return 0;
}

/* Any context (the batch is freed from read(), close() or a work). */
void vipsec_quota_async_put(struct vipsec_file *f, size_t bytes)
{
	atomic_long_sub(bytes, &f->async_bytes);
}
