/*
 * vhost-user virtio-ipsec front end
 *
 * The device's queues, config space and features are served by a
 * vhost-user backend process (qemu-device/vhost/vipsec-vhost.c); QEMU
 * only sets up the transport and passes the queues' memory, kicks and
 * calls to it.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or
 * (at your option) any later version.  See the COPYING file in the
 * top-level directory.
 */

#ifndef QEMU_VHOST_USER_IPSEC_H
#define QEMU_VHOST_USER_IPSEC_H

#include "hw/virtio/virtio.h"
#include "hw/virtio/vhost.h"
#include "hw/virtio/vhost-user.h"
#include "standard-headers/linux/virtio_ipsec.h"
#include "chardev/char-fe.h"
#include "qom/object.h"

#define TYPE_VHOST_USER_IPSEC "vhost-user-ipsec-device"
OBJECT_DECLARE_SIMPLE_TYPE(VHostUserIPsec, VHOST_USER_IPSEC)

/* Queue sizes: the same as the in-QEMU device's (virtio-ipsec.h) */
#define VHOST_USER_IPSEC_QUEUE_SIZE     256
#define VHOST_USER_IPSEC_EVENTQ_SIZE    64

struct VHostUserIPsec {
    VirtIODevice parent_obj;

    CharBackend chardev;
    uint32_t num_queues;            /* data queues; must match the backend */
    struct virtio_ipsec_config config;  /* last read from the backend */
    struct vhost_virtqueue *vhost_vqs;
    struct vhost_dev vhost_dev;
    VhostUserState vhost_user;
    VirtQueue **vqs;                /* num_queues + 2 */
    /*
     * connected: the socket is up and vhost_dev is initialized;
     * started_vu: the rings are handed to the backend. A backend that
     * goes away while started leaves the device broken (NEEDS_RESET).
     */
    bool connected;
    bool started_vu;
    /*
     * Counts connections set up: a deferred close (vu_ipsec_event) only
     * tears down the connection it was scheduled for, not a newer one.
     */
    uint32_t conn_gen;
};

#endif /* QEMU_VHOST_USER_IPSEC_H */
