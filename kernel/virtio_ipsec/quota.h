/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-ipsec guest driver: per-file quotas (module parameters), so one
 * tenant cannot take every SA id, group id or the guest's memory from the
 * others. 0 means no quota. Refused requests fail with -EDQUOT.
 */
#ifndef VIPSEC_QUOTA_H
#define VIPSEC_QUOTA_H

#include <linux/types.h>

struct vipsec_file;

int vipsec_quota_sas(const struct vipsec_file *f, u32 more);
int vipsec_quota_groups(const struct vipsec_file *f);
int vipsec_quota_async_get(struct vipsec_file *f, size_t bytes);
void vipsec_quota_async_put(struct vipsec_file *f, size_t bytes);

#endif /* VIPSEC_QUOTA_H */
