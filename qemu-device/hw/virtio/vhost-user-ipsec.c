/*
 * vhost-user virtio-ipsec front end
 *
 * Same device as virtio-ipsec-device (ID 57, data queues 0..N-1, the
 * control queue N, the event queue N+1, the same config space), but every
 * queue, the config space and the device feature bits are served by a
 * vhost-user backend process (qemu-device/vhost/vipsec-vhost.c) that maps
 * guest memory: QEMU's main loop never touches a request. Modelled on
 * vhost-user-gpio (connection handling) and vhost-user-blk (config space
 * through VHOST_USER_PROTOCOL_F_CONFIG).
 *
 * A backend that goes away while the driver uses the device (a crash, or
 * the backend closing the connection on a protocol violation, which is how
 * it reports "needs reset") leaves the device broken: NEEDS_RESET and a
 * config change with HW_READY cleared, so the driver fails its requests
 * instead of waiting on rings nobody serves. A backend that comes back
 * (the chardev's reconnect=N, or a later device_add) starts a new session:
 * the config is read again (HW_READY back, a config change), but rings
 * are handed to it only after the guest has reset the device, since the
 * new backend knows none of the SAs the guest set up.
 *
 * One connection is one device session: unplugging the device closes the
 * connection (the backend forgets every key and mapping at once) and
 * releases the chardev, so that a device_add right after the guest has
 * ejected the old one can take the chardev and connect afresh.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or
 * (at your option) any later version.  See the COPYING file in the
 * top-level directory.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "hw/qdev-properties.h"
#include "hw/qdev-properties-system.h"
#include "hw/virtio/virtio-bus.h"
#include "hw/virtio/vhost-user-ipsec.h"
#include "migration/vmstate.h"
#include "sysemu/runstate.h"
#include "block/aio.h"
#include "standard-headers/linux/virtio_ids.h"

#define REALIZE_CONNECTION_RETRIES 3

/*
 * Feature bits the backend decides: each is offered to the guest only when
 * the backend offers it (vhost_get_features() clears the others), and the
 * guest's acknowledgement is passed on (vhost_ack_features()). The
 * device-specific bits are 0..23 (VIRTIO_IPSEC_F_*).
 */
static const int feature_bits[] = {
    VIRTIO_F_VERSION_1,
    VIRTIO_F_NOTIFY_ON_EMPTY,
    VIRTIO_RING_F_INDIRECT_DESC,
    VIRTIO_RING_F_EVENT_IDX,
    VIRTIO_F_RING_RESET,
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
    12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23,
    VHOST_INVALID_FEATURE_BIT
};

static uint32_t vu_ipsec_nvqs(VHostUserIPsec *s)
{
    return s->num_queues + 2;
}

static void vu_ipsec_get_config(VirtIODevice *vdev, uint8_t *config)
{
    VHostUserIPsec *s = VHOST_USER_IPSEC(vdev);

    memcpy(config, &s->config, sizeof(s->config));
}

/* The backend says its config changed: read it again */
static int vu_ipsec_config_notifier(struct vhost_dev *dev)
{
    VHostUserIPsec *s = VHOST_USER_IPSEC(dev->vdev);
    Error *local_err = NULL;

    if (vhost_dev_get_config(dev, (uint8_t *)&s->config, sizeof(s->config),
                             &local_err) < 0) {
        error_report_err(local_err);
        return -1;
    }
    virtio_notify_config(dev->vdev);
    return 0;
}

static const VhostDevConfigOps vu_ipsec_config_ops = {
    .vhost_dev_config_notifier = vu_ipsec_config_notifier,
};

static int vu_ipsec_start(VirtIODevice *vdev)
{
    BusState *qbus = BUS(qdev_get_parent_bus(DEVICE(vdev)));
    VirtioBusClass *k = VIRTIO_BUS_GET_CLASS(qbus);
    VHostUserIPsec *s = VHOST_USER_IPSEC(vdev);
    struct vhost_dev *hdev = &s->vhost_dev;
    int ret, i;

    if (!k->set_guest_notifiers) {
        error_report("vhost-user-ipsec: binding does not support guest "
                     "notifiers");
        return -ENOSYS;
    }
    ret = vhost_dev_enable_notifiers(hdev, vdev);
    if (ret < 0) {
        error_report("vhost-user-ipsec: cannot enable host notifiers: %d",
                     ret);
        return ret;
    }
    ret = k->set_guest_notifiers(qbus->parent, hdev->nvqs, true);
    if (ret < 0) {
        error_report("vhost-user-ipsec: cannot bind guest notifiers: %d",
                     ret);
        goto err_host_notifiers;
    }

    /* The backend gates SA parameters on what the guest acknowledged */
    vhost_ack_features(hdev, feature_bits, vdev->guest_features);
    ret = vhost_dev_start(hdev, vdev, false);
    if (ret < 0) {
        error_report("vhost-user-ipsec: cannot start the backend: %d", ret);
        goto err_guest_notifiers;
    }
    s->started_vu = true;

    /* virtio-pci masks and unmasks through irqfd itself */
    for (i = 0; i < hdev->nvqs; i++) {
        vhost_virtqueue_mask(hdev, vdev, i, false);
    }
    /*
     * With VHOST_USER_F_PROTOCOL_FEATURES (needed for GET_CONFIG) the
     * rings start disabled: enable them.
     */
    ret = hdev->vhost_ops->vhost_set_vring_enable(hdev, true);
    if (ret == 0) {
        return 0;
    }
    error_report("vhost-user-ipsec: cannot enable the rings: %d", ret);
    vhost_dev_stop(hdev, vdev, false);
    s->started_vu = false;
err_guest_notifiers:
    k->set_guest_notifiers(qbus->parent, hdev->nvqs, false);
err_host_notifiers:
    vhost_dev_disable_notifiers(hdev, vdev);
    return ret;
}

static void vu_ipsec_stop(VirtIODevice *vdev)
{
    VHostUserIPsec *s = VHOST_USER_IPSEC(vdev);
    BusState *qbus = BUS(qdev_get_parent_bus(DEVICE(vdev)));
    VirtioBusClass *k = VIRTIO_BUS_GET_CLASS(qbus);
    struct vhost_dev *hdev = &s->vhost_dev;
    int ret;

    if (!s->started_vu) {
        return;
    }
    s->started_vu = false;
    if (!k->set_guest_notifiers) {
        return;
    }
    vhost_dev_stop(hdev, vdev, false);
    ret = k->set_guest_notifiers(qbus->parent, hdev->nvqs, false);
    if (ret < 0) {
        error_report("vhost-user-ipsec: guest notifier cleanup failed: %d",
                     ret);
        return;
    }
    vhost_dev_disable_notifiers(hdev, vdev);
}

static void vu_ipsec_set_status(VirtIODevice *vdev, uint8_t status)
{
    VHostUserIPsec *s = VHOST_USER_IPSEC(vdev);
    bool should_start = virtio_device_should_start(vdev, status);

    if (!s->connected) {
        return;
    }
    if (vhost_dev_is_started(&s->vhost_dev) == should_start) {
        return;
    }
    if (should_start) {
        if (vu_ipsec_start(vdev)) {
            qemu_chr_fe_disconnect(&s->chardev);
        }
    } else {
        vu_ipsec_stop(vdev);
    }
}

/*
 * Device reset: the rings are already stopped (set_status(0) comes
 * first). vhost-user has no reset message, and the backend must forget
 * every SA and key as the in-QEMU device does; a stop alone does not say
 * it (the VM may only be paused). Writing 0 to the status field of config
 * space is how this front end says it; the field is read-only to the
 * guest, so only QEMU ever sends it.
 */
static void vu_ipsec_reset(VirtIODevice *vdev)
{
    VHostUserIPsec *s = VHOST_USER_IPSEC(vdev);
    uint32_t zero = 0;
    int ret;

    if (!s->connected) {
        return;
    }
    ret = vhost_dev_set_config(&s->vhost_dev, (uint8_t *)&zero,
                               offsetof(struct virtio_ipsec_config, status),
                               sizeof(zero), VHOST_SET_CONFIG_TYPE_MASTER);
    if (ret < 0) {
        error_report("vhost-user-ipsec: the backend refused the device "
                     "reset (%d): disconnecting it", ret);
        qemu_chr_fe_disconnect(&s->chardev);
    }
}

static uint64_t vu_ipsec_get_features(VirtIODevice *vdev, uint64_t features,
                                      Error **errp)
{
    VHostUserIPsec *s = VHOST_USER_IPSEC(vdev);

    /* Offer every device bit; the backend's answer clears what it lacks */
    features |= MAKE_64BIT_MASK(0, 24);
    return vhost_get_features(&s->vhost_dev, feature_bits, features);
}

static void vu_ipsec_handle_output(VirtIODevice *vdev, VirtQueue *vq)
{
    /* The backend serves the queues; virtio's cleanup path may call this */
}

static void vu_ipsec_guest_notifier_mask(VirtIODevice *vdev, int idx,
                                         bool mask)
{
    VHostUserIPsec *s = VHOST_USER_IPSEC(vdev);

    vhost_virtqueue_mask(&s->vhost_dev, vdev, idx, mask);
}

static bool vu_ipsec_guest_notifier_pending(VirtIODevice *vdev, int idx)
{
    VHostUserIPsec *s = VHOST_USER_IPSEC(vdev);

    return vhost_virtqueue_pending(&s->vhost_dev, idx);
}

static void vu_ipsec_cleanup(VirtIODevice *vdev, VHostUserIPsec *s)
{
    uint32_t i;

    for (i = 0; i < vu_ipsec_nvqs(s); i++) {
        if (s->vqs[i]) {
            virtio_delete_queue(s->vqs[i]);
        }
    }
    g_free(s->vqs);
    s->vqs = NULL;
    g_free(s->vhost_vqs);
    s->vhost_vqs = NULL;
    virtio_cleanup(vdev);
    vhost_user_cleanup(&s->vhost_user);
}

/*
 * A backend that came back after the device was realized: its config
 * space is what the guest sees from now on (HW_READY set again), and it
 * must serve as many data queues as the guest was told at probe.
 */
static int vu_ipsec_reconnected(VHostUserIPsec *s, Error **errp)
{
    struct virtio_ipsec_config cfg;
    uint32_t nq;
    int ret;

    ret = vhost_dev_get_config(&s->vhost_dev, (uint8_t *)&cfg, sizeof(cfg),
                               errp);
    if (ret < 0) {
        return ret;
    }
    nq = le32_to_cpu(cfg.max_data_queues);
    if (nq != s->num_queues) {
        error_setg(errp, "vhost-user-ipsec: the backend that reconnected "
                   "serves %" PRIu32 " data queues, the device has %" PRIu32
                   " (restart vipsec-vhost with --queues %" PRIu32 ")",
                   nq, s->num_queues, s->num_queues);
        return -EINVAL;
    }
    s->config = cfg;
    virtio_notify_config(VIRTIO_DEVICE(s));
    return 0;
}

static int vu_ipsec_connect(DeviceState *dev, Error **errp)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(dev);
    VHostUserIPsec *s = VHOST_USER_IPSEC(vdev);
    struct vhost_dev *hdev = &s->vhost_dev;
    int ret;

    if (s->connected) {
        return 0;
    }
    s->connected = true;

    vhost_dev_set_config_notifier(hdev, &vu_ipsec_config_ops);
    s->vhost_user.supports_config = true;
    hdev->nvqs = vu_ipsec_nvqs(s);
    hdev->vqs = s->vhost_vqs;
    /* vhost-user refuses a backend serving fewer queues (GET_QUEUE_NUM) */
    hdev->num_queues = vu_ipsec_nvqs(s);

    ret = vhost_dev_init(hdev, &s->vhost_user, VHOST_BACKEND_TYPE_USER, 0,
                         errp);
    if (ret < 0) {
        s->connected = false;
        return ret;
    }
    s->conn_gen++;
    if (!dev->realized) {
        return 0; /* realize reads the config and checks it */
    }
    ret = vu_ipsec_reconnected(s, errp);
    if (ret < 0) {
        vhost_dev_cleanup(hdev);
        s->connected = false;
        return ret;
    }
    /*
     * Rings only for a driver that has not seen the old backend go (a
     * device that was never broken); a broken one waits for the guest's
     * reset, after which set_status() starts the rings on this session.
     */
    if (virtio_device_started(vdev, vdev->status) &&
        !(vdev->status & VIRTIO_CONFIG_S_NEEDS_RESET)) {
        vu_ipsec_start(vdev);
    }
    return 0;
}

static void vu_ipsec_event(void *opaque, QEMUChrEvent event);

/*
 * virtio_error() without its vdev->broken: that flag also silences the
 * config interrupt, and the guest must hear it when a restarted backend
 * makes the device ready again (vu_ipsec_reconnected()). QEMU runs none
 * of this device's queues, so the flag would stop nothing else.
 */
static void vu_ipsec_needs_reset(VirtIODevice *vdev)
{
    if (virtio_vdev_has_feature(vdev, VIRTIO_F_VERSION_1)) {
        vdev->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
        virtio_notify_config(vdev);
    }
}

static void vu_ipsec_disconnect(DeviceState *dev)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(dev);
    VHostUserIPsec *s = VHOST_USER_IPSEC(vdev);

    if (!s->connected) {
        return;
    }
    s->connected = false;
    if (s->started_vu || (vdev->status & VIRTIO_CONFIG_S_DRIVER_OK)) {
        /*
         * The backend took the engine state (every SA) with it, and
         * requests on the rings may never be answered: the driver must
         * reset the device. HW_READY goes with it, which the driver logs.
         */
        s->config.status &= ~cpu_to_le32(VIRTIO_IPSEC_S_HW_READY);
        error_report("vhost-user-ipsec: the backend closed the connection "
                     "(it exited, or the guest broke the protocol): the "
                     "device needs a reset");
        vu_ipsec_needs_reset(vdev);
    }
    vu_ipsec_stop(vdev);
    vhost_dev_cleanup(&s->vhost_dev);

    /* Re-instate the event handler for new connections */
    qemu_chr_fe_set_handlers(&s->chardev, NULL, NULL, vu_ipsec_event,
                             NULL, dev, NULL, true);
}

typedef struct VuIPsecClose {
    VHostUserIPsec *s;
    uint32_t gen;
} VuIPsecClose;

/*
 * The deferred half of CHR_EVENT_CLOSED. Unlike vhost_user_async_close()
 * in QEMU 7.2, this runs whether or not the rings were started: a backend
 * that dies while the device is idle (no driver, or reset) must still be
 * cleaned up and the event handler re-armed, or a reconnect would never
 * be noticed. A close of an older connection (realize retried, or the
 * backend is already back) only re-arms the handler.
 */
static void vu_ipsec_closed_bh(void *opaque)
{
    VuIPsecClose *c = opaque;
    VHostUserIPsec *s = c->s;
    DeviceState *dev = DEVICE(s);

    if (dev->realized) {
        if (s->connected && s->conn_gen == c->gen) {
            vu_ipsec_disconnect(dev);
        } else {
            qemu_chr_fe_set_handlers(&s->chardev, NULL, NULL, vu_ipsec_event,
                                     NULL, dev, NULL, true);
        }
    }
    object_unref(OBJECT(s));
    g_free(c);
}

static void vu_ipsec_event(void *opaque, QEMUChrEvent event)
{
    DeviceState *dev = opaque;
    VHostUserIPsec *s = VHOST_USER_IPSEC(dev);
    Error *local_err = NULL;
    VuIPsecClose *c;

    switch (event) {
    case CHR_EVENT_OPENED:
        if (vu_ipsec_connect(dev, &local_err) < 0) {
            error_report_err(local_err);
            qemu_chr_fe_disconnect(&s->chardev);
            return;
        }
        break;
    case CHR_EVENT_CLOSED:
        /*
         * The close may come in the middle of a vhost-user message, while
         * the vhost code still uses vhost_dev: tear down later, with no
         * events until then. A machine shutting down keeps the state.
         */
        if (runstate_check(RUN_STATE_SHUTDOWN)) {
            break;
        }
        c = g_new0(VuIPsecClose, 1);
        c->s = s;
        c->gen = s->conn_gen;
        object_ref(OBJECT(s));
        qemu_chr_fe_set_handlers(&s->chardev, NULL, NULL, NULL, NULL, NULL,
                                 NULL, false);
        s->vhost_dev.started = false;
        aio_bh_schedule_oneshot(qemu_get_current_aio_context(),
                                vu_ipsec_closed_bh, c);
        break;
    case CHR_EVENT_BREAK:
    case CHR_EVENT_MUX_IN:
    case CHR_EVENT_MUX_OUT:
        break;
    }
}

static int vu_ipsec_realize_connect(VHostUserIPsec *s, Error **errp)
{
    DeviceState *dev = DEVICE(s);
    struct vhost_dev *hdev = &s->vhost_dev;
    uint32_t nq;
    int ret;

    ret = qemu_chr_fe_wait_connected(&s->chardev, errp);
    if (ret < 0) {
        return ret;
    }
    /* The event callback may have connected already */
    ret = vu_ipsec_connect(dev, errp);
    if (ret < 0) {
        qemu_chr_fe_disconnect(&s->chardev);
        /*
         * vhost-user's own messages count virtqueues (data queues, control,
         * event), and the likely cause is a backend started for another
         * queue count: name both.
         */
        error_prepend(errp, "vhost-user-ipsec: cannot set up the backend "
                      "(num-queues=%" PRIu32 " needs vipsec-vhost --queues %"
                      PRIu32 "): ", s->num_queues, s->num_queues);
        return ret;
    }
    ret = vhost_dev_get_config(hdev, (uint8_t *)&s->config,
                               sizeof(s->config), errp);
    if (ret < 0) {
        goto fail;
    }
    /* The driver sizes its queues from config space: it must be true */
    nq = le32_to_cpu(s->config.max_data_queues);
    if (nq != s->num_queues) {
        error_setg(errp, "vhost-user-ipsec: the backend serves %" PRIu32
                   " data queues but num-queues is %" PRIu32 " (start "
                   "vipsec-vhost with --queues %" PRIu32 ", or set "
                   "num-queues=%" PRIu32 ")", nq, s->num_queues,
                   s->num_queues, nq);
        ret = -EINVAL;
        goto fail;
    }
    return 0;
fail:
    qemu_chr_fe_disconnect(&s->chardev);
    vhost_dev_cleanup(hdev);
    s->connected = false;
    return ret;
}

static void vu_ipsec_device_realize(DeviceState *dev, Error **errp)
{
    ERRP_GUARD();
    VirtIODevice *vdev = VIRTIO_DEVICE(dev);
    VHostUserIPsec *s = VHOST_USER_IPSEC(dev);
    int retries, ret;
    uint32_t i;

    if (!s->chardev.chr) {
        error_setg(errp, "vhost-user-ipsec: chardev is mandatory");
        return;
    }
    if (s->num_queues < 1 || s->num_queues > VIRTIO_QUEUE_MAX - 2) {
        error_setg(errp, "vhost-user-ipsec: num-queues must be 1..%d, got "
                   "%" PRIu32, VIRTIO_QUEUE_MAX - 2, s->num_queues);
        return;
    }
    if (!vhost_user_init(&s->vhost_user, &s->chardev, errp)) {
        return;
    }

    virtio_init(vdev, VIRTIO_ID_IPSEC, sizeof(struct virtio_ipsec_config));
    s->vqs = g_new0(VirtQueue *, vu_ipsec_nvqs(s));
    for (i = 0; i <= s->num_queues; i++) {
        s->vqs[i] = virtio_add_queue(vdev, VHOST_USER_IPSEC_QUEUE_SIZE,
                                     vu_ipsec_handle_output);
    }
    s->vqs[i] = virtio_add_queue(vdev, VHOST_USER_IPSEC_EVENTQ_SIZE,
                                 vu_ipsec_handle_output);
    s->vhost_vqs = g_new0(struct vhost_virtqueue, vu_ipsec_nvqs(s));
    s->connected = false;

    qemu_chr_fe_set_handlers(&s->chardev, NULL, NULL, vu_ipsec_event, NULL,
                             dev, NULL, true);

    retries = REALIZE_CONNECTION_RETRIES;
    g_assert(!*errp);
    do {
        if (*errp) {
            error_prepend(errp, "Reconnecting after error: ");
            error_report_err(*errp);
            *errp = NULL;
        }
        ret = vu_ipsec_realize_connect(s, errp);
    } while (ret < 0 && ret != -EINVAL && retries--);

    if (ret < 0) {
        qemu_chr_fe_set_handlers(&s->chardev, NULL, NULL, NULL, NULL, NULL,
                                 NULL, false);
        vu_ipsec_cleanup(vdev, s);
    }
}

static void vu_ipsec_device_unrealize(DeviceState *dev)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(dev);
    VHostUserIPsec *s = VHOST_USER_IPSEC(dev);

    vu_ipsec_set_status(vdev, 0);
    qemu_chr_fe_set_handlers(&s->chardev, NULL, NULL, NULL, NULL, NULL, NULL,
                             false);
    vhost_dev_cleanup(&s->vhost_dev);
    s->connected = false;
    /*
     * End the session: left open, the connection would carry the next
     * device's session on top of this one's state in the backend (its
     * memory regions pile up until it runs out of slots, its keys stay).
     * Then release the chardev now rather than when this object is
     * finalized, which may be after the id is free again: a device_add
     * in between would find the chardev "in use".
     */
    qemu_chr_fe_disconnect(&s->chardev);
    qemu_chr_fe_deinit(&s->chardev, false);
    vu_ipsec_cleanup(vdev, s);
}

/*
 * Not migratable: the engine state (SAs, keys, sequence numbers, replay
 * windows) lives in the backend process, and vhost-user 7.2 has no way to
 * move a backend's device state (the in-QEMU virtio-ipsec-pci migrates).
 * QEMU refuses a migration or snapshot naming this device.
 */
static const VMStateDescription vu_ipsec_vmstate = {
    .name = "vhost-user-ipsec",
    .unmigratable = 1,
};

static Property vu_ipsec_properties[] = {
    DEFINE_PROP_CHR("chardev", VHostUserIPsec, chardev),
    DEFINE_PROP_UINT32("num-queues", VHostUserIPsec, num_queues, 1),
    DEFINE_PROP_END_OF_LIST(),
};

static void vu_ipsec_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    VirtioDeviceClass *vdc = VIRTIO_DEVICE_CLASS(klass);

    device_class_set_props(dc, vu_ipsec_properties);
    dc->vmsd = &vu_ipsec_vmstate;
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
    vdc->realize = vu_ipsec_device_realize;
    vdc->unrealize = vu_ipsec_device_unrealize;
    vdc->get_features = vu_ipsec_get_features;
    vdc->get_config = vu_ipsec_get_config;
    vdc->set_status = vu_ipsec_set_status;
    vdc->reset = vu_ipsec_reset;
    vdc->guest_notifier_mask = vu_ipsec_guest_notifier_mask;
    vdc->guest_notifier_pending = vu_ipsec_guest_notifier_pending;
}

static const TypeInfo vu_ipsec_info = {
    .name = TYPE_VHOST_USER_IPSEC,
    .parent = TYPE_VIRTIO_DEVICE,
    .instance_size = sizeof(VHostUserIPsec),
    .class_init = vu_ipsec_class_init,
};

static void vu_ipsec_register_types(void)
{
    type_register_static(&vu_ipsec_info);
}

type_init(vu_ipsec_register_types)
