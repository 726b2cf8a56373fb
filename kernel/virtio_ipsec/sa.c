// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-ipsec guest driver: groups and SAs owned by an open file.
 *
 * Group ids (1..max_groups) and SA ids (1..max_sas) come from per-device
 * IDAs, so an id is never reused while its object lives. Each file records
 * what it created in its xarrays; another file's ids are answered with
 * -ENOENT. Changes to a file's objects run under f->lock; every entry
 * point is called with vd->remove_sem held for read.
 */

#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ipsec_dev.h>

#include "chardev.h"
#include "ctrl.h"
#include "main.h"
#include "sa.h"

static bool vipsec_file_owns_group(struct vipsec_file *f, u32 group_id)
{
	return !group_id || xa_load(&f->groups, group_id);
}

bool vipsec_file_owns_sa(struct vipsec_file *f, u32 group_id, u32 sa_id)
{
	return sa_id && xa_load(&f->sas, sa_id) == xa_mk_value(group_id);
}

long vipsec_ioctl_group_create(struct vipsec_file *f, void __user *uarg)
{
	struct vipsec_dev *vd = f->vd;
	struct vipsec_group g;
	u8 st;
	int id, err;

	err = vipsec_copy_arg(&g, sizeof(g), uarg);
	if (err)
		return err;
	if (g.flags || g.reserved || strnlen(g.name, sizeof(g.name)) ==
					     sizeof(g.name))
		return -EINVAL;

	mutex_lock(&f->lock);
	id = ida_alloc_range(&vd->group_ida, 1, vd->lim.max_groups,
			     GFP_KERNEL);
	if (id < 0) {
		err = id == -ENOMEM ? id : -ENOSPC;
		goto out;
	}
	err = vipsec_ctrl_group_create(vd, id, g.name, &st);
	if (err)
		goto err_ida;
	err = xa_err(xa_store(&f->groups, id, xa_mk_value(0), GFP_KERNEL));
	if (err)
		goto err_dev;
	g.group_id = id;
	err = vipsec_copy_arg_out(uarg, &g, sizeof(g));
	if (!err)
		goto out;
	xa_erase(&f->groups, id);
err_dev:
	vipsec_ctrl_group_destroy(vd, id, &st);
err_ida:
	ida_free(&vd->group_ida, id);
out:
	mutex_unlock(&f->lock);
	return err;
}

/* As vipsec_sa_remove(), for a group. Must hold f->lock. */
static int vipsec_group_destroy(struct vipsec_file *f, u32 id, bool force)
{
	struct vipsec_dev *vd = f->vd;
	u8 st;
	int err;

	lockdep_assert_held(&f->lock);
	err = vipsec_ctrl_group_destroy(vd, id, &st);
	if (err == -ENODEV || err == -ENOENT)
		err = 0;
	if (err && !force)
		return err;
	if (err)
		pr_debug_ratelimited("%s: group %u left in device: %d\n",
				     vd->name, id, err);
	xa_erase(&f->groups, id);
	ida_free(&vd->group_ida, id);
	return err;
}

long vipsec_ioctl_group_destroy(struct vipsec_file *f, void __user *uarg)
{
	struct vipsec_group g;
	int err;

	err = vipsec_copy_arg(&g, sizeof(g), uarg);
	if (err)
		return err;
	if (g.flags || g.reserved)
		return -EINVAL;

	mutex_lock(&f->lock);
	if (!g.group_id || !xa_load(&f->groups, g.group_id))
		err = -ENOENT;
	else
		err = vipsec_group_destroy(f, g.group_id, false);
	mutex_unlock(&f->lock);
	return err;
}

/* Parameters the negotiated features allow; reserved bytes must be 0. */
static int vipsec_sa_params_check(struct vipsec_dev *vd,
				  const struct virtio_ipsec_sa_params *p)
{
	u32 opts = le32_to_cpu(p->options);
	/* soft_bytes .. hard_seconds: six consecutive __le64 */
	bool life = !vipsec_mem_is_zero(&p->soft_bytes,
					offsetofend(typeof(*p), hard_seconds) -
					offsetof(typeof(*p), soft_bytes));
	u64 feat = vd->features;

	if (!vipsec_mem_is_zero(p->reserved0, sizeof(p->reserved0)) ||
	    !vipsec_mem_is_zero(p->reserved1, sizeof(p->reserved1)) ||
	    !vipsec_mem_is_zero(p->reserved2, sizeof(p->reserved2)) ||
	    opts & ~(VIRTIO_IPSEC_SA_OPT_SELECTOR * 2 - 1))
		return -EINVAL;
	if ((opts & VIRTIO_IPSEC_SA_OPT_ESN &&
	     !(feat & BIT_ULL(VIRTIO_IPSEC_F_ESN))) ||
	    (opts & VIRTIO_IPSEC_SA_OPT_UDP_ENCAP &&
	     !(feat & BIT_ULL(VIRTIO_IPSEC_F_UDP_ENCAP))) ||
	    (opts & VIRTIO_IPSEC_SA_OPT_ANTI_REPLAY &&
	     !(feat & BIT_ULL(VIRTIO_IPSEC_F_ANTI_REPLAY))) ||
	    (p->ip_version == VIRTIO_IPSEC_IPV6 &&
	     !(feat & BIT_ULL(VIRTIO_IPSEC_F_IPV6))) ||
	    (p->mode == VIRTIO_IPSEC_MODE_TRANSPORT &&
	     !(feat & BIT_ULL(VIRTIO_IPSEC_F_TRANSPORT))) ||
	    (life && !(feat & BIT_ULL(VIRTIO_IPSEC_F_LIFETIME))))
		return -EOPNOTSUPP;
	return 0;
}

/*
 * Deletes one SA from the device and frees its id; with @force the id is
 * freed even when the device refused (rollback, close). Must hold f->lock.
 */
static int vipsec_sa_remove(struct vipsec_file *f, u32 group_id, u32 id,
			    bool force)
{
	struct vipsec_dev *vd = f->vd;
	u8 st;
	int err;

	lockdep_assert_held(&f->lock);
	err = vipsec_ctrl_sa_del(vd, group_id, id, &st);
	if (err == -ENODEV || err == -ENOENT)
		err = 0;	/* the device has no such SA any more */
	if (err && !force)
		return err;
	if (err)
		pr_debug_ratelimited("%s: SA %u left in device: %d\n",
				     vd->name, id, err);
	xa_erase(&f->sas, id);
	ida_free(&vd->sa_ida, id);
	atomic_dec(&vd->active_sas);
	return err;
}

/* Adds one SA with a fresh id. Must hold f->lock. */
static int vipsec_sa_add_one(struct vipsec_file *f, u32 group_id,
			     const struct virtio_ipsec_sa_params *p, u32 *id,
			     u8 *st)
{
	struct vipsec_dev *vd = f->vd;
	int err;

	lockdep_assert_held(&f->lock);
	*st = VIRTIO_IPSEC_OK;		/* OK: refused by the driver */
	err = vipsec_sa_params_check(vd, p);
	if (err)
		return err;
	err = ida_alloc_range(&vd->sa_ida, 1, vd->lim.max_sas, GFP_KERNEL);
	if (err < 0)
		return err == -ENOMEM ? err : -ENOSPC;
	*id = err;
	err = vipsec_ctrl_sa_add(vd, group_id, *id, p, st);
	if (err) {
		ida_free(&vd->sa_ida, *id);
		return err;
	}
	atomic_inc(&vd->active_sas);
	return 0;
}

/* All or nothing; must hold f->lock. */
static int vipsec_sa_add_batch(struct vipsec_file *f, struct vipsec_sa_add *a,
			       const struct virtio_ipsec_sa_params *params,
			       u32 *ids)
{
	u32 i, n;
	u8 st;
	int err = 0;

	lockdep_assert_held(&f->lock);
	for (n = 0; n < a->num_sas; n++) {
		err = vipsec_sa_add_one(f, a->group_id, &params[n], &ids[n],
					&st);
		if (err)
			break;
	}
	if (!err && copy_to_user(u64_to_user_ptr(a->ids), ids,
				 a->num_sas * sizeof(*ids)))
		err = -EFAULT;
	for (i = 0; !err && i < n; i++) {
		err = xa_err(xa_store(&f->sas, ids[i],
				      xa_mk_value(a->group_id), GFP_KERNEL));
		if (err)
			while (i--)
				xa_erase(&f->sas, ids[i]);
	}
	if (!err)
		return 0;
	if (n < a->num_sas) {
		a->dev_status = st;
		a->failed_index = n;
	}
	for (i = 0; i < n; i++)
		vipsec_sa_remove(f, a->group_id, ids[i], true);
	return err;
}

long vipsec_ioctl_sa_add(struct vipsec_file *f, void __user *uarg)
{
	struct virtio_ipsec_sa_params *params;
	struct vipsec_sa_add a;
	u32 *ids;
	int err;

	err = vipsec_copy_arg(&a, sizeof(a), uarg);
	if (err)
		return err;
	if (a.flags || !a.num_sas || a.num_sas > VIPSEC_MAX_SA_BATCH)
		return -EINVAL;
	params = vmemdup_user(u64_to_user_ptr(a.params),
			      a.num_sas * sizeof(*params));
	if (IS_ERR(params))
		return PTR_ERR(params);
	ids = kcalloc(a.num_sas, sizeof(*ids), GFP_KERNEL);
	if (!ids) {
		kvfree(params);
		return -ENOMEM;
	}

	a.dev_status = VIRTIO_IPSEC_OK;
	a.failed_index = 0;
	mutex_lock(&f->lock);
	if (!vipsec_file_owns_group(f, a.group_id))
		err = -ENOENT;
	else
		err = vipsec_sa_add_batch(f, &a, params, ids);
	mutex_unlock(&f->lock);

	if (vipsec_copy_arg_out(uarg, &a, sizeof(a)) && !err)
		err = -EFAULT;	/* the SAs stay; close() deletes them */
	kfree(ids);
	kvfree(params);
	return err;
}

long vipsec_ioctl_sa_del(struct vipsec_file *f, void __user *uarg)
{
	struct vipsec_sa_del d;
	int err;

	err = vipsec_copy_arg(&d, sizeof(d), uarg);
	if (err)
		return err;
	if (d.flags)
		return -EINVAL;

	mutex_lock(&f->lock);
	if (!vipsec_file_owns_sa(f, d.group_id, d.sa_id))
		err = -ENOENT;
	else
		err = vipsec_sa_remove(f, d.group_id, d.sa_id, false);
	mutex_unlock(&f->lock);
	return err;
}

/*
 * close(): delete every SA, then every group the file made. Errors are
 * not reported to anyone; the ids are freed regardless. Called with
 * vd->remove_sem held for read.
 */
void vipsec_file_flush(struct vipsec_file *f)
{
	unsigned long id;
	void *entry;

	lockdep_assert_held(&f->vd->remove_sem);
	mutex_lock(&f->lock);
	xa_for_each(&f->sas, id, entry)
		vipsec_sa_remove(f, xa_to_value(entry), id, true);
	xa_for_each(&f->groups, id, entry)
		vipsec_group_destroy(f, id, true);
	mutex_unlock(&f->lock);
}
