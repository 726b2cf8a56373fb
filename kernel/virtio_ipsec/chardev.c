// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-ipsec guest driver: /dev/virtio-ipsec<N>.
 *
 * One char device per accelerator, N from an IDA, a dynamic major and the
 * class "virtio_ipsec". open() finds the accelerator by minor and takes a
 * reference on it, so a file outlives remove(); every ioctl then sees
 * vd->gone and returns -ENODEV. close() deletes what the file owned and
 * releases its claim; the file's memory goes with its last reference
 * (asynchronous batches in flight hold one each).
 */

#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/virtio_ipsec_dev.h>

#include "chardev.h"
#include "elimit.h"
#include "ctrl_async.h"
#include "event.h"
#include "evq.h"
#include "group.h"
#include "main.h"
#include "sa.h"
#include "sysfs.h"
#include "xform.h"

#define VIPSEC_MAX_DEVS		64

static dev_t vipsec_devt;
static DEFINE_IDA(vipsec_minor_ida);
static DEFINE_XARRAY(vipsec_devs);	/* minor -> vd; xa_lock for lookups */

static char *vipsec_devnode(struct device *dev, umode_t *mode)
{
	if (mode)
		*mode = 0600;	/* SA keys pass through: root only */
	return NULL;		/* /dev/<device name> = VIPSEC_DEV_PREFIX<N> */
}

static struct class vipsec_class = {
	.name = VIPSEC_CLASS_NAME,
	.owner = THIS_MODULE,
	.devnode = vipsec_devnode,
};

bool vipsec_mem_is_zero(const void *p, size_t len)
{
	return !memchr_inv(p, 0, len);
}

/*
 * Copies an ioctl argument that starts with __u32 size: sizes below the
 * v0 struct are refused, larger ones are accepted when the unknown tail is
 * zero (copy_struct_from_user).
 */
int vipsec_copy_arg(void *karg, size_t ksize, void __user *uarg)
{
	u32 usize;
	int err;

	if (get_user(usize, (u32 __user *)uarg))
		return -EFAULT;
	if (usize < ksize)
		return -EINVAL;
	if (usize > VIPSEC_MAX_ARG_SIZE)
		return -E2BIG;	/* bounds the zero check below */
	err = copy_struct_from_user(karg, ksize, uarg, usize);
	return err == -E2BIG ? -EINVAL : err;
}

int vipsec_copy_arg_out(void __user *uarg, const void *karg, size_t ksize)
{
	return copy_to_user(uarg, karg, ksize) ? -EFAULT : 0;
}

static long vipsec_ioctl_info(struct vipsec_file *f, void *arg,
			      void __user *uarg)
{
	struct vipsec_dev *vd = f->vd;
	struct vipsec_info *info = arg;

	if (info->flags || !vipsec_mem_is_zero(info->reserved,
					       sizeof(info->reserved)))
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	info->id = vd->id;
	info->abi_version = vd->lim.abi_version;
	strscpy(info->name, vd->name, sizeof(info->name));
	info->features = vd->features;
	info->cipher_algo_mask = vd->lim.cipher_algo_mask;
	info->auth_algo_mask = vd->lim.auth_algo_mask;
	info->max_sas = vd->lim.max_sas;
	info->max_groups = vd->lim.max_groups;
	info->max_packet_len = vd->lim.max_packet_len;
	info->max_batch = vd->lim.max_batch;
	info->max_replay_window = vd->lim.max_replay_window;
	info->max_cipher_key_len = vd->lim.max_cipher_key_len;
	info->max_auth_key_len = vd->lim.max_auth_key_len;
	info->num_data_queues = vd->lim.num_data_queues;
	info->sa_options = vd->lim.sa_options;
	info->hdr_fields = vd->lim.hdr_fields;
	memcpy(info->cipher_key_sizes, vd->lim.cipher_key_sizes,
	       sizeof(info->cipher_key_sizes));
	return vipsec_copy_arg_out(uarg, info, sizeof(*info));
}

/* Exclusive: no other holder. Shared: no exclusive holder. */
static long vipsec_ioctl_claim(struct vipsec_file *f, void *arg,
			       void __user *uarg)
{
	struct vipsec_dev *vd = f->vd;
	struct vipsec_claim *c = arg;
	int err = 0;

	if (c->flags || c->reserved ||
	    (c->mode != VIPSEC_MODE_EXCLUSIVE &&
	     c->mode != VIPSEC_MODE_SHARED) ||
	    strnlen(c->app_identity, sizeof(c->app_identity)) ==
		    sizeof(c->app_identity))
		return -EINVAL;

	mutex_lock(&vd->lock);
	if (f->claim_mode)
		err = -EALREADY;
	else if (c->mode == VIPSEC_MODE_EXCLUSIVE && vd->nclaims)
		err = -EBUSY;
	else if (vd->claim_mode == VIPSEC_MODE_EXCLUSIVE)
		err = -EBUSY;
	if (!err) {
		vd->claim_mode = c->mode;
		vd->nclaims++;
		f->claim_mode = c->mode;
		strscpy(f->app_identity, c->app_identity,
			sizeof(f->app_identity));
	}
	mutex_unlock(&vd->lock);
	return err;
}

/* Drops @f's claim; the last holder resets the arbitration. */
static void vipsec_release_claim(struct vipsec_file *f)
{
	struct vipsec_dev *vd = f->vd;

	mutex_lock(&vd->lock);
	if (f->claim_mode && !--vd->nclaims)
		vd->claim_mode = 0;
	f->claim_mode = 0;
	list_del(&f->node);
	mutex_unlock(&vd->lock);
}

/*
 * The ioctls, one row each (model: xfrm_user.c's xfrm_dispatch[]):
 *   size     the v0 argument struct: the least a caller may pass
 *            (vipsec_copy_arg()), and what the command number encodes,
 *            checked at build time
 *   claim    the file must hold a claim (VIPSEC_IOC_CLAIM): -EPERM
 *   feature  a VIRTIO_IPSEC_F_* bit the device must have negotiated
 *            (-EOPNOTSUPP), or VIPSEC_NO_FEATURE
 *   fn       the handler; gets the argument copied in, writes back what
 *            it returns (vipsec_copy_arg_out())
 *   async    VIPSEC_IOC_CTRL_ASYNC may run it in a work item: its only
 *            output is its result (the handler gets no user pointer)
 *   out_ops  VIPSEC_IOC_CTRL_ASYNC may run it through these: a call with
 *            an output besides its result (ctrl_async.h)
 * No command needs a capability: the node is root-only (vipsec_devnode()).
 * Every handler runs with vd->remove_sem held for read and the device
 * neither gone nor frozen.
 */
struct vipsec_ioctl_desc {
	unsigned int cmd;
	u16 size;
	bool claim;
	s8 feature;
	vipsec_ioctl_fn fn;
	bool async;	/* VIPSEC_IOC_CTRL_ASYNC may run it (result only) */
	const struct vipsec_ctrl_out_ops *out_ops;	/* or so */
};

#define VIPSEC_NO_FEATURE	(-1)
/*
 * Room for the largest v0 argument struct, on the dispatcher's stack
 * (struct vipsec_sa_mod, 600 bytes with its replay bitmap; before the
 * table it sat on vipsec_ioctl_sa_mod()'s). A bigger one fails the build.
 */
#define VIPSEC_IOCTL_ARG_MAX	640

/* One row; the trailing initializers mark what CTRL_ASYNC may run. */
#define VIPSEC_IOCTL_ROW(_cmd, _type, _claim, _feature, _fn, ...)	\
	[_IOC_NR(_cmd)] = {						\
		.cmd = (_cmd),						\
		.size = sizeof(_type) +					\
			BUILD_BUG_ON_ZERO(_IOC_SIZE(_cmd) != sizeof(_type) || \
					  sizeof(_type) > VIPSEC_IOCTL_ARG_MAX), \
		.claim = (_claim),					\
		.feature = (_feature),					\
		.fn = (_fn),						\
		__VA_ARGS__						\
	}
#define VIPSEC_IOCTL(_cmd, _type, _claim, _feature, _fn)		\
	VIPSEC_IOCTL_ROW(_cmd, _type, _claim, _feature, _fn)
#define VIPSEC_IOCTL_ASYNC(_cmd, _type, _feature, _fn)			\
	VIPSEC_IOCTL_ROW(_cmd, _type, true, _feature, _fn, .async = true)
#define VIPSEC_IOCTL_ASYNC_OUT(_cmd, _type, _feature, _fn, _ops)	\
	VIPSEC_IOCTL_ROW(_cmd, _type, true, _feature, _fn, .out_ops = (_ops))

static long vipsec_ioctl_ctrl_async(struct vipsec_file *f, void *arg,
				    void __user *uarg);

static const struct vipsec_ioctl_desc vipsec_ioctls[] = {
	VIPSEC_IOCTL(VIPSEC_IOC_INFO, struct vipsec_info, false,
		     VIPSEC_NO_FEATURE, vipsec_ioctl_info),
	VIPSEC_IOCTL(VIPSEC_IOC_CLAIM, struct vipsec_claim, false,
		     VIPSEC_NO_FEATURE, vipsec_ioctl_claim),
	VIPSEC_IOCTL_ASYNC_OUT(VIPSEC_IOC_GROUP_CREATE, struct vipsec_group,
			       VIPSEC_NO_FEATURE, vipsec_ioctl_group_create,
			       &vipsec_group_create_async),
	VIPSEC_IOCTL_ASYNC(VIPSEC_IOC_GROUP_DESTROY, struct vipsec_group,
			   VIPSEC_NO_FEATURE, vipsec_ioctl_group_destroy),
	VIPSEC_IOCTL_ASYNC_OUT(VIPSEC_IOC_SA_ADD, struct vipsec_sa_add,
			       VIPSEC_NO_FEATURE, vipsec_ioctl_sa_add,
			       &vipsec_sa_add_async),
	VIPSEC_IOCTL_ASYNC(VIPSEC_IOC_SA_DEL, struct vipsec_sa_del,
			   VIPSEC_NO_FEATURE, vipsec_ioctl_sa_del),
	VIPSEC_IOCTL_ASYNC(VIPSEC_IOC_SA_MOD, struct vipsec_sa_mod,
			   VIRTIO_IPSEC_F_SA_MOD, vipsec_ioctl_sa_mod),
	VIPSEC_IOCTL_ASYNC_OUT(VIPSEC_IOC_SA_GET, struct vipsec_sa_get,
			       VIRTIO_IPSEC_F_SA_GET, vipsec_ioctl_sa_get,
			       &vipsec_sa_get_async),
	VIPSEC_IOCTL_ASYNC(VIPSEC_IOC_SA_FLUSH, struct vipsec_sa_flush,
			   VIPSEC_NO_FEATURE, vipsec_ioctl_sa_flush),
	VIPSEC_IOCTL(VIPSEC_IOC_XFORM, struct vipsec_xform, true,
		     VIPSEC_NO_FEATURE, vipsec_ioctl_xform),
	VIPSEC_IOCTL(VIPSEC_IOC_EVENT_LIMIT, struct vipsec_event_limit, true,
		     VIRTIO_IPSEC_F_ERR_EVENTS, vipsec_ioctl_event_limit),
	VIPSEC_IOCTL(VIPSEC_IOC_CTRL_ASYNC, struct vipsec_ctrl_async, true,
		     VIPSEC_NO_FEATURE, vipsec_ioctl_ctrl_async),
};

/* The row of @cmd, or NULL: type, number and encoded size must all match. */
static const struct vipsec_ioctl_desc *vipsec_ioctl_find(unsigned int cmd)
{
	const struct vipsec_ioctl_desc *d;

	if (_IOC_TYPE(cmd) != VIPSEC_IOC_MAGIC ||
	    _IOC_NR(cmd) >= ARRAY_SIZE(vipsec_ioctls))
		return NULL;
	d = &vipsec_ioctls[array_index_nospec(_IOC_NR(cmd),
					      ARRAY_SIZE(vipsec_ioctls))];
	return d->fn && d->cmd == cmd ? d : NULL;
}

/* Checks @d's conditions and copies the argument in. */
static int vipsec_ioctl_prepare(struct vipsec_file *f,
				const struct vipsec_ioctl_desc *d,
				void __user *uarg, u64 *karg)
{
	int err;

	lockdep_assert_held(&f->vd->remove_sem);
	if (d->claim && !READ_ONCE(f->claim_mode))
		return -EPERM;
	err = vipsec_copy_arg(karg, d->size, uarg);
	if (err)
		return err;
	if (d->feature != VIPSEC_NO_FEATURE &&
	    !(f->vd->features & BIT_ULL(d->feature)))
		return -EOPNOTSUPP;
	return 0;
}

/* Checks @d's conditions, copies the argument in and runs the handler. */
static long vipsec_ioctl_run(struct vipsec_file *f,
			     const struct vipsec_ioctl_desc *d,
			     void __user *uarg)
{
	u64 karg[VIPSEC_IOCTL_ARG_MAX / sizeof(u64)];
	int err;

	err = vipsec_ioctl_prepare(f, d, uarg, karg);
	return err ? err : d->fn(f, karg, uarg);
}

/*
 * VIPSEC_IOC_CTRL_ASYNC: the row of a->cmd must allow it; its argument
 * is checked and copied now, as the synchronous call would, and the
 * handler runs later in ctrl_async.c's work item. A call with output
 * also copies in the arrays it reads (prep) and writes its output back
 * when its record is read.
 */
static long vipsec_ioctl_ctrl_async(struct vipsec_file *f, void *arg,
				    void __user *uarg)
{
	u64 karg[VIPSEC_IOCTL_ARG_MAX / sizeof(u64)];
	struct vipsec_ctrl_async *a = arg;
	const struct vipsec_ioctl_desc *d;
	int err;

	if (a->flags || a->reserved)
		return -EINVAL;
	d = vipsec_ioctl_find(a->cmd);
	if (!d || (!d->async && !d->out_ops))
		return -EINVAL;
	err = vipsec_ioctl_prepare(f, d, u64_to_user_ptr(a->arg), karg);
	if (err)
		return err;
	if (d->out_ops)
		return vipsec_ctrl_async_submit_out(f, d->out_ops, a->cmd, karg,
						    d->size, a->arg,
						    a->user_data);
	return vipsec_ctrl_async_submit(f, d->fn, a->cmd, karg, d->size,
					a->user_data);
}

static long vipsec_ioctl(struct file *filp, unsigned int cmd,
			 unsigned long arg)
{
	struct vipsec_file *f = filp->private_data;
	struct vipsec_dev *vd = f->vd;
	void __user *uarg = (void __user *)arg;
	const struct vipsec_ioctl_desc *d = vipsec_ioctl_find(cmd);
	long ret;

	if (!d)
		return -ENOTTY;
	down_read(&vd->remove_sem);
	if (READ_ONCE(vd->gone))
		ret = -ENODEV;
	else if (vd->frozen)
		ret = -EAGAIN;	/* user space is frozen anyway */
	else
		ret = vipsec_ioctl_run(f, d, uarg);
	up_read(&vd->remove_sem);
	return ret;
}

static int vipsec_open(struct inode *inode, struct file *filp)
{
	struct vipsec_file *f;
	struct vipsec_dev *vd;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;

	xa_lock(&vipsec_devs);
	vd = xa_load(&vipsec_devs, iminor(inode));
	if (vd)
		vipsec_dev_get(vd);	/* listed devices hold the probe ref */
	xa_unlock(&vipsec_devs);
	if (!vd) {
		kfree(f);
		return -ENODEV;
	}

	kref_init(&f->ref);
	f->vd = vd;
	vipsec_file_ev_init(f);
	vipsec_ctrl_async_init(f);
	mutex_init(&f->lock);
	xa_init(&f->groups);
	xa_init(&f->sas);
	xa_init(&f->stale_ids);
	atomic_long_set(&f->async_bytes, 0);
	spin_lock_init(&f->xlock);
	init_waitqueue_head(&f->xwait);
	mutex_lock(&vd->lock);
	list_add_tail(&f->node, &vd->files);
	mutex_unlock(&vd->lock);
	filp->private_data = f;
	return nonseekable_open(inode, filp);
}

static void vipsec_file_free(struct vipsec_file *f)
{
	struct vipsec_dev *vd = f->vd;
	unsigned long id;
	void *entry;

	might_sleep();

	/* no request of the file is left: its stale SA ids are free */
	xa_for_each(&f->stale_ids, id, entry)
		vipsec_evq_retire(vd, id, false);
	xa_destroy(&f->stale_ids);
	xa_destroy(&f->groups);
	xa_destroy(&f->sas);
	mutex_destroy(&f->lock);
	kfree(f);
	vipsec_dev_put(vd);
}

static void vipsec_file_release_work(struct work_struct *work)
{
	vipsec_file_free(container_of(work, struct vipsec_file, release_work));
}

/*
 * The last put usually comes from close(). It may also come from the
 * completion tasklet, when a request outlived the close() of its file
 * (a hung device): the file's xarrays, whose locks process context takes
 * with softirqs on, the retire list and the device reference are then
 * let go in a work item (lockdep: inconsistent lock state otherwise).
 * vipsec_wq is flushed at remove and destroyed at module exit.
 */
static void vipsec_file_release(struct kref *ref)
{
	struct vipsec_file *f = container_of(ref, struct vipsec_file, ref);

	if (in_task()) {
		vipsec_file_free(f);
		return;
	}
	INIT_WORK(&f->release_work, vipsec_file_release_work);
	queue_work(vipsec_wq, &f->release_work);
}

void vipsec_file_put(struct vipsec_file *f)
{
	kref_put(&f->ref, vipsec_file_release);
}

/*
 * close(): deletes every SA, then every group the file made; errors reach
 * no one. Must hold vd->remove_sem (read).
 */
static void vipsec_file_delete_objects(struct vipsec_file *f)
{
	lockdep_assert_held(&f->vd->remove_sem);
	mutex_lock(&f->lock);
	vipsec_sa_delete_all(f);
	vipsec_group_delete_all(f);
	mutex_unlock(&f->lock);
	vipsec_elimit_release(f);
}

static int vipsec_release(struct inode *inode, struct file *filp)
{
	struct vipsec_file *f = filp->private_data;
	struct vipsec_dev *vd = f->vd;

	vipsec_ctrl_async_close(f);	/* before its SAs and groups go */
	down_read(&vd->remove_sem);
	vipsec_file_delete_objects(f);
	up_read(&vd->remove_sem);
	vipsec_release_claim(f);
	vipsec_file_ev_close(f);
	vipsec_file_put(f);
	return 0;
}

static const struct file_operations vipsec_fops = {
	.owner = THIS_MODULE,
	.open = vipsec_open,
	.release = vipsec_release,
	.read = vipsec_read,
	.poll = vipsec_poll,
	.unlocked_ioctl = vipsec_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = no_llseek,
};

/* Creates /dev/virtio-ipsec<N> for @vd and sets vd->id and vd->name. */
int vipsec_chardev_add(struct vipsec_dev *vd)
{
	dev_t devt;
	int err;

	vd->id = ida_alloc_max(&vipsec_minor_ida, VIPSEC_MAX_DEVS - 1,
			       GFP_KERNEL);
	if (vd->id < 0)
		return vd->id;
	snprintf(vd->name, sizeof(vd->name), VIPSEC_DEV_PREFIX "%d", vd->id);
	devt = MKDEV(MAJOR(vipsec_devt), vd->id);

	err = -ENOMEM;
	vd->cdev = cdev_alloc();
	if (!vd->cdev)
		goto err_ida;
	vd->cdev->owner = THIS_MODULE;
	vd->cdev->ops = &vipsec_fops;
	err = xa_err(xa_store(&vipsec_devs, vd->id, vd, GFP_KERNEL));
	if (err)
		goto err_cdev;
	err = cdev_add(vd->cdev, devt, 1);
	if (err)
		goto err_xa;
	vd->class_dev = device_create(&vipsec_class, &vd->vdev->dev, devt, vd,
				      "%s", vd->name);
	if (IS_ERR(vd->class_dev)) {
		err = PTR_ERR(vd->class_dev);
		goto err_cdev_del;
	}
	return 0;

err_cdev_del:
	cdev_del(vd->cdev);
	vd->cdev = NULL;
err_xa:
	xa_erase(&vipsec_devs, vd->id);
err_cdev:
	if (vd->cdev)
		kobject_put(&vd->cdev->kobj);
err_ida:
	ida_free(&vipsec_minor_ida, vd->id);
	return err;
}

/* No new opens after this; files already open keep their reference. */
void vipsec_chardev_del(struct vipsec_dev *vd)
{
	device_destroy(&vipsec_class, MKDEV(MAJOR(vipsec_devt), vd->id));
	cdev_del(vd->cdev);
	xa_erase(&vipsec_devs, vd->id);
	ida_free(&vipsec_minor_ida, vd->id);
}

int vipsec_chardev_init(void)
{
	int err;

	err = alloc_chrdev_region(&vipsec_devt, 0, VIPSEC_MAX_DEVS,
				  VIPSEC_CLASS_NAME);
	if (err)
		return err;
	vipsec_class.dev_groups = vipsec_sysfs_groups();
	err = class_register(&vipsec_class);
	if (err)
		unregister_chrdev_region(vipsec_devt, VIPSEC_MAX_DEVS);
	return err;
}

void vipsec_chardev_exit(void)
{
	class_unregister(&vipsec_class);
	unregister_chrdev_region(vipsec_devt, VIPSEC_MAX_DEVS);
}
