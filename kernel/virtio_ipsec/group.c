// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-ipsec guest driver: groups owned by an open file.
 *
 * Group ids (1..max_groups) come from a per-device IDA, so an id is never
 * reused while its group lives. Each file records the groups it created
 * in f->groups; another file's ids are answered with -ENOENT. Changes run
 * under f->lock; every entry point is called with vd->remove_sem held for
 * read. The device-wide table vd->groups (under vd->tab_lock) keeps each
 * group's owner and name, for re-creating it at restore (pm.c).
 * Group 0 (default) exists in every device and is shared by all files.
 */

#include <linux/slab.h>
#include <linux/string.h>
#include <linux/virtio_ipsec_dev.h>

#include "chardev.h"
#include "ctrl.h"
#include "ctrl_async.h"
#include "group.h"
#include "xform.h"
#include "main.h"
#include "quota.h"

/* Group 0, the default group, belongs to every file. */
bool vipsec_file_owns_group(struct vipsec_file *f, u32 group_id)
{
	return !group_id || xa_load(&f->groups, group_id);
}

static int vipsec_tab_group_add(struct vipsec_file *f, u32 id,
				const char *name)
{
	struct vipsec_dev *vd = f->vd;
	struct vipsec_group_ent *g = kzalloc(sizeof(*g), GFP_KERNEL);
	int err;

	if (!g)
		return -ENOMEM;
	g->id = id;
	g->owner = f;
	strscpy_pad(g->name, name, sizeof(g->name));
	mutex_lock(&vd->tab_lock);
	err = xa_err(xa_store(&vd->groups, id, g, GFP_KERNEL));
	mutex_unlock(&vd->tab_lock);
	if (err)
		kfree(g);
	return err;
}

static void vipsec_tab_group_del(struct vipsec_dev *vd, u32 id)
{
	struct vipsec_group_ent *g;

	mutex_lock(&vd->tab_lock);
	g = xa_erase(&vd->groups, id);
	mutex_unlock(&vd->tab_lock);
	kfree(g);
}

/*
 * Ids are freed only once the device is known not to hold the object:
 * were one freed while the device keeps it (a refused or abandoned
 * delete, an abandoned add), the IDA would hand the same lowest free id
 * to every later create, and each would fail with -EEXIST. Such an id
 * stays allocated instead (until remove; the device's object with it).
 * SA ids follow the same rule (sa.c). Rolls back a GROUP_CREATE; returns
 * false when the device may still hold the group.
 */
static bool vipsec_group_undo_create(struct vipsec_dev *vd, u32 id)
{
	u8 st;
	int err = vipsec_ctrl_group_destroy(vd, id, &st);

	if (!err || err == -ENOENT || err == -ENODEV)
		return true;
	pr_warn_ratelimited("%s: group %u left in device (%d), id kept\n",
			    vd->name, id, err);
	return false;
}

/*
 * GROUP_CREATE; @uarg NULL (the asynchronous call): the caller writes the
 * id back later, and a failure to write it leaves the group the file's.
 */
long vipsec_ioctl_group_create(struct vipsec_file *f, void *arg,
			       void __user *uarg)
{
	struct vipsec_dev *vd = f->vd;
	struct vipsec_group *g = arg;
	u8 st;
	int id, err;

	if (g->flags || g->reserved ||
	    strnlen(g->name, sizeof(g->name)) == sizeof(g->name))
		return -EINVAL;

	mutex_lock(&f->lock);
	err = vipsec_quota_groups(f);
	if (err)
		goto out;
	id = ida_alloc_range(&vd->group_ida, 1, vd->lim.max_groups,
			     GFP_KERNEL);
	if (id < 0) {
		err = id == -ENOMEM ? id : -ENOSPC;
		goto out;
	}
	err = vipsec_ctrl_group_create(vd, id, g->name, &st);
	if (vipsec_ctrl_outcome_unknown(err))
		goto err_dev;	/* the device may yet create it */
	if (err)
		goto err_ida;

	err = vipsec_tab_group_add(f, id, g->name);
	if (err)
		goto err_dev;
	err = xa_err(xa_store(&f->groups, id, xa_mk_value(0), GFP_KERNEL));
	if (err)
		goto err_tab;
	f->ngroups++;
	g->group_id = id;
	err = uarg ? vipsec_copy_arg_out(uarg, g, sizeof(*g)) : 0;
	if (!err)
		goto out;
	xa_erase(&f->groups, id);
	f->ngroups--;
err_tab:
	vipsec_tab_group_del(vd, id);
err_dev:
	if (!vipsec_group_undo_create(vd, id))
		goto out;	/* the id stays allocated */
err_ida:
	ida_free(&vd->group_ida, id);
out:
	mutex_unlock(&f->lock);
	return err;
}

static long vipsec_group_create_run(struct vipsec_file *f, void *arg,
				    struct vipsec_ctrl_io *io)
{
	long err = vipsec_ioctl_group_create(f, arg, NULL);

	io->arg_out = !err;	/* the id, as the synchronous call writes */
	return err;
}

const struct vipsec_ctrl_out_ops vipsec_group_create_async = {
	.run = vipsec_group_create_run,
};

/*
 * Destroys one group in the device and frees its id; with @force the
 * driver forgets the group even when the device refused (close), its id
 * then staying allocated (as vipsec_sa_remove() for an SA). Must hold
 * f->lock.
 */
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
		pr_warn_ratelimited("%s: group %u left in device (%d), id kept\n",
				    vd->name, id, err);
	if (xa_erase(&f->groups, id))
		f->ngroups--;
	vipsec_tab_group_del(vd, id);
	/*
	 * A DECAP batch that looks its SA up in the group (no SA id) and
	 * was checked before the erase may still be in the device: the id
	 * goes to another file only after it, as an SA id does (sa.c); if
	 * that wait fails the id stays allocated.
	 */
	if (!err && vipsec_xform_sync(f))
		ida_free(&vd->group_ida, id);
	return err;
}

long vipsec_ioctl_group_destroy(struct vipsec_file *f, void *arg,
				void __user *uarg)
{
	struct vipsec_group *g = arg;
	int err;

	if (g->flags || g->reserved)
		return -EINVAL;

	mutex_lock(&f->lock);
	if (!g->group_id || !xa_load(&f->groups, g->group_id))
		err = -ENOENT;
	else
		err = vipsec_group_destroy(f, g->group_id, false);
	mutex_unlock(&f->lock);
	return err;
}

/*
 * close(): destroys every group @f made, after its SAs are gone. Errors
 * reach no one; see vipsec_group_destroy() for the ids. Must hold
 * f->lock.
 */
void vipsec_group_delete_all(struct vipsec_file *f)
{
	unsigned long id;
	void *entry;

	lockdep_assert_held(&f->lock);
	xa_for_each(&f->groups, id, entry)
		vipsec_group_destroy(f, id, true);
}
