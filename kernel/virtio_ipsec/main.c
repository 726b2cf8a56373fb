// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-ipsec guest driver: probe/remove and module entry points.
 *
 * Probe: check VIRTIO_F_VERSION_1, allocate, read and check the config,
 * set up data queues 0..N-1 and the control queue N, mark the device
 * ready, then publish /dev/virtio-ipsec<N>. Remove undoes it in reverse:
 * unpublish, refuse new work and wake waiters, wait for ioctls to leave,
 * reset the device, reclaim buffers it held, delete the queues and drop
 * the probe reference (open files may still hold theirs). In between,
 * asynchronous batches the device still held complete with -ENODEV and
 * every open file gets VIPSEC_EV_DEVICE_LOST.
 *
 * Freeze and restore (pm.c) reuse vipsec_find_vqs() and vipsec_del_vqs().
 */

#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ipsec.h>

#include "chardev.h"
#include "ctrl_async.h"
#include "data.h"
#include "event.h"
#include "evq.h"
#include "genl.h"
#include "main.h"
#include "pm.h"

#define VIPSEC_MAX_DATA_QUEUES	64
#define VIPSEC_MAX_PACKET_LEN	SZ_1M

struct workqueue_struct *vipsec_wq;

static void vipsec_dev_release(struct kref *ref)
{
	struct vipsec_dev *vd = container_of(ref, struct vipsec_dev, ref);

	WARN_ON_ONCE(!xa_empty(&vd->sas) || !xa_empty(&vd->groups));
	xa_destroy(&vd->sas);
	xa_destroy(&vd->groups);
	ida_destroy(&vd->sa_ida);
	ida_destroy(&vd->group_ida);
	mutex_destroy(&vd->tab_lock);
	mutex_destroy(&vd->lock);
	mutex_destroy(&vd->ctrl_mutex);
	kfree(vd->dataq);
	kfree(vd);
}

void vipsec_dev_get(struct vipsec_dev *vd)
{
	kref_get(&vd->ref);
}

void vipsec_dev_put(struct vipsec_dev *vd)
{
	kref_put(&vd->ref, vipsec_dev_release);
}

#define VIPSEC_CREAD(vdev, field, ptr) \
	virtio_cread_le(vdev, struct virtio_ipsec_config, field, ptr)

/* The RFC key lengths (salt or nonce not counted) of each cipher id. */
static const u8 vipsec_rfc_key_sizes[] = {
	[VIRTIO_IPSEC_CIPHER_NULL] = VIRTIO_IPSEC_KEY_SIZE_BIT(0),
	[VIRTIO_IPSEC_CIPHER_DES_CBC] = VIRTIO_IPSEC_KEY_SIZE_BIT(8),
	[VIRTIO_IPSEC_CIPHER_3DES_CBC] = VIRTIO_IPSEC_KEY_SIZE_BIT(24),
#define VIPSEC_AES_KEYS (VIRTIO_IPSEC_KEY_SIZE_BIT(16) | \
			 VIRTIO_IPSEC_KEY_SIZE_BIT(24) | \
			 VIRTIO_IPSEC_KEY_SIZE_BIT(32))
	[VIRTIO_IPSEC_CIPHER_AES_CBC] = VIPSEC_AES_KEYS,
	[VIRTIO_IPSEC_CIPHER_AES_CTR] = VIPSEC_AES_KEYS,
	[VIRTIO_IPSEC_CIPHER_AES_GCM] = VIPSEC_AES_KEYS,
	[VIRTIO_IPSEC_CIPHER_AES_CCM] = VIPSEC_AES_KEYS,
	[VIRTIO_IPSEC_CIPHER_AES_GMAC] = VIPSEC_AES_KEYS,
#undef VIPSEC_AES_KEYS
	[VIRTIO_IPSEC_CIPHER_CHACHA20_POLY1305] = VIRTIO_IPSEC_KEY_SIZE_BIT(32),
};

/*
 * A device without VIRTIO_IPSEC_F_SA_CAPS predates sa_options, hdr_fields
 * and cipher_key_sizes (they read as zero). Refusing every SA option
 * against it would break SAs it runs fine, so assume what such a device
 * did: the options its feature bits name, the DSCP and DF fields, the RFC
 * key lengths of each usable cipher; the device still refuses the rest.
 */
static void vipsec_abi0_caps(struct vipsec_dev *vd)
{
	struct virtio_device *vdev = vd->vdev;
	struct vipsec_limits *l = &vd->lim;
	unsigned int i;

	l->sa_options = 0;
	if (virtio_has_feature(vdev, VIRTIO_IPSEC_F_ESN))
		l->sa_options |= VIRTIO_IPSEC_SA_OPT_ESN;
	if (virtio_has_feature(vdev, VIRTIO_IPSEC_F_UDP_ENCAP))
		l->sa_options |= VIRTIO_IPSEC_SA_OPT_UDP_ENCAP;
	if (virtio_has_feature(vdev, VIRTIO_IPSEC_F_ANTI_REPLAY) &&
	    l->max_replay_window)
		l->sa_options |= VIRTIO_IPSEC_SA_OPT_ANTI_REPLAY;
	l->hdr_fields = VIRTIO_IPSEC_HDR_F_DSCP | VIRTIO_IPSEC_HDR_F_DF;
	memset(l->cipher_key_sizes, 0, sizeof(l->cipher_key_sizes));
	BUILD_BUG_ON(ARRAY_SIZE(vipsec_rfc_key_sizes) >
		     ARRAY_SIZE(l->cipher_key_sizes));
	for (i = 0; i < ARRAY_SIZE(vipsec_rfc_key_sizes); i++)
		if (l->cipher_algo_mask & BIT_ULL(i))
			l->cipher_key_sizes[i] = vipsec_rfc_key_sizes[i];
}

static int vipsec_read_config(struct vipsec_dev *vd)
{
	struct virtio_device *vdev = vd->vdev;
	struct vipsec_limits *l = &vd->lim;
	u32 status;

	VIPSEC_CREAD(vdev, status, &status);
	VIPSEC_CREAD(vdev, abi_version, &l->abi_version);
	VIPSEC_CREAD(vdev, max_data_queues, &l->num_data_queues);
	VIPSEC_CREAD(vdev, max_sas, &l->max_sas);
	VIPSEC_CREAD(vdev, max_groups, &l->max_groups);
	VIPSEC_CREAD(vdev, max_packet_len, &l->max_packet_len);
	VIPSEC_CREAD(vdev, max_batch, &l->max_batch);
	VIPSEC_CREAD(vdev, max_replay_window, &l->max_replay_window);
	VIPSEC_CREAD(vdev, cipher_algo_mask, &l->cipher_algo_mask);
	VIPSEC_CREAD(vdev, auth_algo_mask, &l->auth_algo_mask);
	VIPSEC_CREAD(vdev, max_cipher_key_len, &l->max_cipher_key_len);
	VIPSEC_CREAD(vdev, max_auth_key_len, &l->max_auth_key_len);
	VIPSEC_CREAD(vdev, sa_options, &l->sa_options);
	VIPSEC_CREAD(vdev, hdr_fields, &l->hdr_fields);
	virtio_cread_bytes(vdev, offsetof(struct virtio_ipsec_config,
					  cipher_key_sizes),
			   l->cipher_key_sizes, sizeof(l->cipher_key_sizes));
	if (!virtio_has_feature(vdev, VIRTIO_IPSEC_F_SA_CAPS))
		vipsec_abi0_caps(vd);

	if (!(status & VIRTIO_IPSEC_S_HW_READY)) {
		dev_err(&vdev->dev, "device not ready (status 0x%x)\n", status);
		return -ENODEV;
	}
	if (l->abi_version != VIRTIO_IPSEC_ABI_VERSION) {
		dev_err(&vdev->dev, "unsupported ABI version %u\n",
			l->abi_version);
		return -ENODEV;
	}
	if (!l->num_data_queues || l->num_data_queues > VIPSEC_MAX_DATA_QUEUES ||
	    !l->max_sas || l->max_sas > INT_MAX || l->max_groups > INT_MAX ||
	    !l->max_packet_len || l->max_packet_len > VIPSEC_MAX_PACKET_LEN ||
	    !l->max_batch) {
		dev_err(&vdev->dev,
			"insane limits: queues %u sas %u groups %u pkt %u batch %u\n",
			l->num_data_queues, l->max_sas, l->max_groups,
			l->max_packet_len, l->max_batch);
		return -EINVAL;
	}
	return 0;
}

static void vipsec_vq_done(struct virtqueue *vq)
{
	struct vipsec_dev *vd = vq->vdev->priv;

	if (vq->index < vd->lim.num_data_queues)
		vipsec_queue_callback(&vd->dataq[vq->index]);
	else
		vipsec_queue_callback(&vd->ctrlq);
}

static void vipsec_evq_done(struct virtqueue *vq)
{
	struct vipsec_dev *vd = vq->vdev->priv;

	vipsec_evq_callback(vd);
}

static bool vipsec_has_evq(struct vipsec_dev *vd)
{
	return vd->features & BIT_ULL(VIRTIO_IPSEC_F_EVENTQ);
}

/* Once per probe: the queue structures. */
static int vipsec_alloc_queues(struct vipsec_dev *vd)
{
	u32 i, n = vd->lim.num_data_queues;

	vd->dataq = kcalloc(n, sizeof(*vd->dataq), GFP_KERNEL);
	if (!vd->dataq)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		vipsec_queue_init(&vd->dataq[i], "data.%d", i);
	vipsec_queue_init(&vd->ctrlq, "ctrl", 0);
	return 0;
}

/*
 * Probe and restore: data queues 0..N-1, the control queue N, the event
 * queue N+1 when VIRTIO_IPSEC_F_EVENTQ was negotiated. All data queues
 * exist whether or not VIRTIO_IPSEC_F_MQ was (the control queue's index
 * depends on it); without MQ only queue 0 carries requests.
 */
int vipsec_find_vqs(struct vipsec_dev *vd)
{
	u32 i, n = vd->lim.num_data_queues, nvqs = n + 1 + vipsec_has_evq(vd);
	struct virtqueue **vqs;
	vq_callback_t **cbs;
	const char **names;
	int err = -ENOMEM;

	vqs = kcalloc(nvqs, sizeof(*vqs), GFP_KERNEL);
	cbs = kcalloc(nvqs, sizeof(*cbs), GFP_KERNEL);
	names = kcalloc(nvqs, sizeof(*names), GFP_KERNEL);
	if (!vqs || !cbs || !names)
		goto out;

	for (i = 0; i <= n; i++) {
		cbs[i] = vipsec_vq_done;
		names[i] = i < n ? vd->dataq[i].name : vd->ctrlq.name;
	}
	if (vipsec_has_evq(vd)) {
		cbs[n + 1] = vipsec_evq_done;
		names[n + 1] = "event";
	}
	err = virtio_find_vqs(vd->vdev, nvqs, vqs, cbs, names, NULL);
	if (err)
		goto out;
	for (i = 0; i < n; i++) {
		vd->dataq[i].vq = vqs[i];
		WRITE_ONCE(vd->dataq[i].ring_size,
			   virtqueue_get_vring_size(vqs[i]));
	}
	vd->ctrlq.vq = vqs[n];
	vd->evq.vq = vipsec_has_evq(vd) ? vqs[n + 1] : NULL;
	vipsec_data_set_affinity(vd);
out:
	kfree(names);
	kfree(cbs);
	kfree(vqs);
	return err;
}

/*
 * A device that sets NEEDS_RESET answers nothing any more (a vhost-user
 * backend that died, a device that found the driver's rings broken):
 * every waiter is woken with -ENODEV, new requests are refused and every
 * open file gets DEVICE_LOST, so an application gets errors at once
 * instead of one timeout per request. Remove (or unbind/bind) then
 * reclaims what the device held.
 */
static void vipsec_hangup_files(struct vipsec_dev *vd);
static void vipsec_broken(struct vipsec_dev *vd)
{
	u32 i;

	if (vd->broken)
		return;
	vd->broken = true;
	dev_err(&vd->vdev->dev,
		"device needs a reset (its backend failed?): every request fails from now on\n");
	for (i = 0; i < vd->lim.num_data_queues; i++)
		vipsec_queue_kill(&vd->dataq[i]);
	vipsec_queue_kill(&vd->ctrlq);
	vipsec_hangup_files(vd);
}

/*
 * The device changed its config: only status can change. A device that
 * drops HW_READY fails its requests itself; the driver says so once.
 * A broken device whose HW_READY comes back (a vhost-user backend that
 * was restarted and reconnected) is usable again after a reset, which
 * this driver does not do behind the application's back: it says so.
 */
static void vipsec_config_work(struct work_struct *work)
{
	struct vipsec_dev *vd = container_of(work, struct vipsec_dev,
					     config_work);
	u32 status;

	down_read(&vd->remove_sem);
	if (!READ_ONCE(vd->gone) && !vd->frozen) {
		VIPSEC_CREAD(vd->vdev, status, &status);
		if (vd->vdev->config->get_status(vd->vdev) &
		    VIRTIO_CONFIG_S_NEEDS_RESET) {
			vipsec_broken(vd);
			if (!(status & VIRTIO_IPSEC_S_HW_READY)) {
				vd->lost_ready = true;
			} else if (vd->lost_ready) {
				vd->lost_ready = false;
				dev_info(&vd->vdev->dev,
					 "device ready again (backend restarted): unbind and bind the driver to reset it\n");
			}
		} else if (!(status & VIRTIO_IPSEC_S_HW_READY)) {
			dev_warn_ratelimited(&vd->vdev->dev,
					     "device reports not ready (status 0x%x)\n",
					     status);
		}
	}
	up_read(&vd->remove_sem);
}

/* Config interrupt: defer to process context. */
static void vipsec_config_changed(struct virtio_device *vdev)
{
	struct vipsec_dev *vd = vdev->priv;

	if (vd)
		queue_work(vipsec_wq, &vd->config_work);
}

/* Lockdep classes of the id allocators (see below). */
static struct lock_class_key vipsec_sa_ida_key, vipsec_group_ida_key;

static struct vipsec_dev *vipsec_dev_alloc(struct virtio_device *vdev)
{
	struct vipsec_dev *vd = kzalloc(sizeof(*vd), GFP_KERNEL);

	if (!vd)
		return NULL;
	kref_init(&vd->ref);
	vd->vdev = vdev;
	init_rwsem(&vd->remove_sem);
	mutex_init(&vd->ctrl_mutex);
	mutex_init(&vd->lock);
	mutex_init(&vd->tab_lock);
	xa_init(&vd->sas);
	xa_init(&vd->groups);
	vipsec_evq_init(vd);
	INIT_WORK(&vd->config_work, vipsec_config_work);
	ida_init(&vd->sa_ida);
	ida_init(&vd->group_ida);
	/*
	 * Every xa_init()/ida_init() of one file shares one lockdep class.
	 * The SA IDA is freed from softirq context (a file's last put in the
	 * completion tasklet, vipsec_evq_retire()) with its irq-safe lock,
	 * the xarrays above are locked with softirqs on: separate classes,
	 * or lockdep takes them for one lock used both ways.
	 */
	lockdep_set_class(&vd->sa_ida.xa.xa_lock, &vipsec_sa_ida_key);
	lockdep_set_class(&vd->group_ida.xa.xa_lock, &vipsec_group_ida_key);
	INIT_LIST_HEAD(&vd->files);
	return vd;
}

/* Remove step: no new work, every waiter woken, no ioctl left inside. */
static void vipsec_quiesce(struct vipsec_dev *vd)
{
	struct vipsec_file *f;
	u32 i;

	WRITE_ONCE(vd->gone, true);
	for (i = 0; i < vd->lim.num_data_queues; i++)
		vipsec_queue_kill(&vd->dataq[i]);
	vipsec_queue_kill(&vd->ctrlq);
	/* an SA delete waiting for its file's batches (xform.c) gives up */
	mutex_lock(&vd->lock);
	list_for_each_entry(f, &vd->files, node)
		wake_up_all(&f->xwait);
	mutex_unlock(&vd->lock);
	down_write(&vd->remove_sem);
	up_write(&vd->remove_sem);
}

/*
 * After virtio_reset_device(): the device holds no buffer any more.
 * Asynchronous batches complete with @err; their work is drained. The
 * queues forget their deleted virtqueues: a freeze whose restore failed
 * leaves them so, and remove then has none to delete.
 */
void vipsec_del_vqs(struct vipsec_dev *vd, int err)
{
	bool had_vqs = vd->ctrlq.vq;
	u32 i;

	for (i = 0; i < vd->lim.num_data_queues; i++)
		vipsec_queue_reclaim(&vd->dataq[i], err);
	vipsec_queue_reclaim(&vd->ctrlq, err);
	vipsec_evq_stop(vd);
	if (had_vqs) {
		vipsec_data_clear_affinity(vd);
		vd->vdev->config->del_vqs(vd->vdev);
	}
	for (i = 0; i < vd->lim.num_data_queues; i++)
		vipsec_queue_forget_vq(&vd->dataq[i]);
	vipsec_queue_forget_vq(&vd->ctrlq);
	flush_workqueue(vipsec_wq);
}

/* Device loss: every open file gets DEVICE_LOST, then POLLHUP. */
static void vipsec_hangup_files(struct vipsec_dev *vd)
{
	struct vipsec_file *f;

	mutex_lock(&vd->lock);
	list_for_each_entry(f, &vd->files, node)
		vipsec_file_hangup(f);
	mutex_unlock(&vd->lock);
}

static int vipsec_probe(struct virtio_device *vdev)
{
	struct vipsec_dev *vd;
	int err;

	if (!virtio_has_feature(vdev, VIRTIO_F_VERSION_1))
		return -ENODEV;
	if (!vdev->config->get) {
		dev_err(&vdev->dev, "config access disabled\n");
		return -EINVAL;
	}
	vd = vipsec_dev_alloc(vdev);
	if (!vd)
		return -ENOMEM;
	vdev->priv = vd;
	/* Device-specific bits only (transport bits start at 28). */
	vd->features = vdev->features & GENMASK_ULL(23, 0);

	err = vipsec_read_config(vd);
	if (err)
		goto err_free;
	err = vipsec_alloc_queues(vd);
	if (err)
		goto err_free;
	err = vipsec_find_vqs(vd);
	if (err)
		goto err_free;
	virtio_device_ready(vdev);
	vipsec_evq_start(vd);
	err = vipsec_chardev_add(vd);
	if (err)
		goto err_reset;
	vipsec_genl_accel(vd, true);

	dev_info(&vdev->dev,
		 "%s: %u data queue(s), %u SAs, %u groups, features 0x%llx\n",
		 vd->name, vd->lim.num_data_queues, vd->lim.max_sas,
		 vd->lim.max_groups, vd->features);
	return 0;

err_reset:
	cancel_work_sync(&vd->config_work);
	virtio_reset_device(vdev);
	vipsec_del_vqs(vd, -ENODEV);
err_free:
	vdev->priv = NULL;
	vipsec_dev_put(vd);
	return err;
}

static void vipsec_remove(struct virtio_device *vdev)
{
	struct vipsec_dev *vd = vdev->priv;

	vipsec_chardev_del(vd);
	vipsec_quiesce(vd);
	cancel_work_sync(&vd->config_work);
	virtio_reset_device(vdev);
	vipsec_del_vqs(vd, -ENODEV);
	vipsec_hangup_files(vd);
	vipsec_genl_accel(vd, false);
	vdev->priv = NULL;
	dev_info(&vdev->dev, "%s removed\n", vd->name);
	vipsec_dev_put(vd);
}

/*
 * ESP..LIFETIME: the driver forwards SA parameters and per-packet results
 * (see vipsec_sa_params_check()). EVENTQ: evq.c; MQ: data.c; SA_MOD and
 * SA_GET: sa.c.
 */
static const unsigned int vipsec_features[] = {
	VIRTIO_IPSEC_F_ESN,
	VIRTIO_IPSEC_F_UDP_ENCAP,
	VIRTIO_IPSEC_F_IPV6,
	VIRTIO_IPSEC_F_TRANSPORT,
	VIRTIO_IPSEC_F_ANTI_REPLAY,
	VIRTIO_IPSEC_F_EVENTQ,
	VIRTIO_IPSEC_F_MQ,
	VIRTIO_IPSEC_F_LIFETIME,
	VIRTIO_IPSEC_F_SA_MOD,
	VIRTIO_IPSEC_F_SA_GET,
	VIRTIO_IPSEC_F_SA_STATE,
	VIRTIO_IPSEC_F_ERR_EVENTS,
	VIRTIO_IPSEC_F_SA_CAPS,
};

static const struct virtio_device_id vipsec_id_table[] = {
	{ VIRTIO_ID_IPSEC, VIRTIO_DEV_ANY_ID },
	{ 0 },
};
MODULE_DEVICE_TABLE(virtio, vipsec_id_table);

static struct virtio_driver vipsec_driver = {
	.driver.name = KBUILD_MODNAME,
	.driver.owner = THIS_MODULE,
	.feature_table = vipsec_features,
	.feature_table_size = ARRAY_SIZE(vipsec_features),
	.id_table = vipsec_id_table,
	.probe = vipsec_probe,
	.remove = vipsec_remove,
	.config_changed = vipsec_config_changed,
#ifdef CONFIG_PM_SLEEP
	.freeze = vipsec_pm_freeze,
	.restore = vipsec_pm_restore,
#endif
};

static int __init vipsec_init(void)
{
	int err;

	vipsec_wq = alloc_workqueue("virtio_ipsec", WQ_UNBOUND, 0);
	if (!vipsec_wq)
		return -ENOMEM;
	/* freezable: an asynchronous control job never meets a frozen device */
	vipsec_ctrl_wq = alloc_workqueue("virtio_ipsec_ctrl",
					 WQ_UNBOUND | WQ_FREEZABLE, 0);
	err = -ENOMEM;
	if (!vipsec_ctrl_wq)
		goto err_wq;
	err = vipsec_genl_init();
	if (err)
		goto err_ctrl_wq;
	err = vipsec_chardev_init();
	if (err)
		goto err_genl;
	err = register_virtio_driver(&vipsec_driver);
	if (err)
		goto err_chardev;
	return 0;

err_chardev:
	vipsec_chardev_exit();
err_genl:
	vipsec_genl_exit();
err_ctrl_wq:
	destroy_workqueue(vipsec_ctrl_wq);
err_wq:
	destroy_workqueue(vipsec_wq);
	return err;
}

static void __exit vipsec_exit(void)
{
	unregister_virtio_driver(&vipsec_driver);
	vipsec_chardev_exit();
	vipsec_genl_exit();
	destroy_workqueue(vipsec_ctrl_wq);
	destroy_workqueue(vipsec_wq);	/* drains the last completions */
}

module_init(vipsec_init);
module_exit(vipsec_exit);

MODULE_DESCRIPTION("virtio IPsec lookaside accelerator driver");
MODULE_LICENSE("GPL");
