// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-ipsec guest driver: probe/remove and module entry points.
 *
 * Probe: check VIRTIO_F_VERSION_1, allocate, read and check the config,
 * set up data queues 0..N-1 and the control queue N, mark the device
 * ready, then publish /dev/virtio-ipsec<N>. Remove undoes it in reverse:
 * unpublish, refuse new work and wake waiters, wait for ioctls to leave,
 * reset the device, reclaim buffers it held, delete the queues and drop
 * the probe reference (open files may still hold theirs).
 */

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ipsec.h>

#include "chardev.h"
#include "main.h"

#define VIPSEC_MAX_DATA_QUEUES	64
#define VIPSEC_MAX_PACKET_LEN	(1U << 20)

static void vipsec_dev_release(struct kref *ref)
{
	struct vipsec_dev *vd = container_of(ref, struct vipsec_dev, ref);

	ida_destroy(&vd->sa_ida);
	ida_destroy(&vd->group_ida);
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

/* Data queues 0..N-1, then the control queue N. */
static int vipsec_find_vqs(struct vipsec_dev *vd)
{
	u32 i, n = vd->lim.num_data_queues;
	struct virtqueue **vqs;
	vq_callback_t **cbs;
	const char **names;
	int err = -ENOMEM;

	vd->dataq = kcalloc(n, sizeof(*vd->dataq), GFP_KERNEL);
	vqs = kcalloc(n + 1, sizeof(*vqs), GFP_KERNEL);
	cbs = kcalloc(n + 1, sizeof(*cbs), GFP_KERNEL);
	names = kcalloc(n + 1, sizeof(*names), GFP_KERNEL);
	if (!vd->dataq || !vqs || !cbs || !names)
		goto out;

	for (i = 0; i < n; i++)
		vipsec_queue_init(&vd->dataq[i], "data.%d", i);
	vipsec_queue_init(&vd->ctrlq, "ctrl", 0);
	for (i = 0; i <= n; i++) {
		cbs[i] = vipsec_vq_done;
		names[i] = i < n ? vd->dataq[i].name : vd->ctrlq.name;
	}
	err = virtio_find_vqs(vd->vdev, n + 1, vqs, cbs, names, NULL);
	if (err)
		goto out;
	for (i = 0; i < n; i++)
		vd->dataq[i].vq = vqs[i];
	vd->ctrlq.vq = vqs[n];
out:
	kfree(names);
	kfree(cbs);
	kfree(vqs);
	return err;
}

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
	ida_init(&vd->sa_ida);
	ida_init(&vd->group_ida);
	INIT_LIST_HEAD(&vd->files);
	return vd;
}

/* Remove step: no new work, every waiter woken, no ioctl left inside. */
static void vipsec_quiesce(struct vipsec_dev *vd)
{
	u32 i;

	WRITE_ONCE(vd->gone, true);
	for (i = 0; i < vd->lim.num_data_queues; i++)
		vipsec_queue_kill(&vd->dataq[i]);
	vipsec_queue_kill(&vd->ctrlq);
	down_write(&vd->remove_sem);
	up_write(&vd->remove_sem);
}

/* After virtio_reset_device(): the device holds no buffer any more. */
static void vipsec_del_vqs(struct vipsec_dev *vd)
{
	u32 i;

	for (i = 0; i < vd->lim.num_data_queues; i++)
		vipsec_queue_reclaim(&vd->dataq[i]);
	vipsec_queue_reclaim(&vd->ctrlq);
	vd->vdev->config->del_vqs(vd->vdev);
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
	err = vipsec_find_vqs(vd);
	if (err)
		goto err_free;
	virtio_device_ready(vdev);
	err = vipsec_chardev_add(vd);
	if (err)
		goto err_reset;

	dev_info(&vdev->dev,
		 "%s: %u data queue(s), %u SAs, %u groups, features 0x%llx\n",
		 vd->name, vd->lim.num_data_queues, vd->lim.max_sas,
		 vd->lim.max_groups, vd->features);
	return 0;

err_reset:
	virtio_reset_device(vdev);
	vipsec_del_vqs(vd);
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
	virtio_reset_device(vdev);
	vipsec_del_vqs(vd);
	vdev->priv = NULL;
	dev_info(&vdev->dev, "%s removed\n", vd->name);
	vipsec_dev_put(vd);
}

/*
 * Optional features whose only driver-side duty is to forward SA
 * parameters and per-packet results (see vipsec_sa_params_check()).
 * EVENTQ, MQ, SA_MOD and SA_GET need driver code and are not offered.
 */
static const unsigned int vipsec_features[] = {
	VIRTIO_IPSEC_F_ESN,
	VIRTIO_IPSEC_F_UDP_ENCAP,
	VIRTIO_IPSEC_F_IPV6,
	VIRTIO_IPSEC_F_TRANSPORT,
	VIRTIO_IPSEC_F_ANTI_REPLAY,
	VIRTIO_IPSEC_F_LIFETIME,
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
};

static int __init vipsec_init(void)
{
	int err;

	err = vipsec_chardev_init();
	if (err)
		return err;
	err = register_virtio_driver(&vipsec_driver);
	if (err)
		vipsec_chardev_exit();
	return err;
}

static void __exit vipsec_exit(void)
{
	unregister_virtio_driver(&vipsec_driver);
	vipsec_chardev_exit();
}

module_init(vipsec_init);
module_exit(vipsec_exit);

MODULE_DESCRIPTION("virtio IPsec lookaside accelerator driver");
MODULE_LICENSE("GPL");
