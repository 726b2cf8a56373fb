/*
 * Virtio IPsec lookaside accelerator device
 *
 * The device moves requests between its virtqueues and the ESP engine
 * (engine, struct vpe_core), which parses every request.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or
 * (at your option) any later version.  See the COPYING file in the
 * top-level directory.
 */

#ifndef QEMU_VIRTIO_IPSEC_H
#define QEMU_VIRTIO_IPSEC_H

#include "qemu/units.h"
#include "standard-headers/linux/virtio_ipsec.h"
#include "hw/virtio/virtio.h"
#include "qom/object.h"
#include "sysemu/runstate.h"

#define TYPE_VIRTIO_IPSEC "virtio-ipsec-device"
OBJECT_DECLARE_SIMPLE_TYPE(VirtIOIPsec, VIRTIO_IPSEC)

/* Property defaults and limits */
#define VIRTIO_IPSEC_DEFAULT_MAX_SAS            1024
#define VIRTIO_IPSEC_DEFAULT_MAX_GROUPS         64
#define VIRTIO_IPSEC_DEFAULT_MAX_PACKET_LEN     9216
/* = the driver's VIPSEC_MAX_PKT_BATCH */
#define VIRTIO_IPSEC_DEFAULT_MAX_BATCH          256
#define VIRTIO_IPSEC_DEFAULT_MAX_REPLAY_WINDOW  4096

/*
 * Device bounds tighter than the engine's; max-groups, max-packet-len and
 * max-batch are bounded by the engine's own (VPE_CORE_* in vipsec_core.h).
 */
#define VIRTIO_IPSEC_LIMIT_SAS                  (1u << 20)
#define VIRTIO_IPSEC_LIMIT_REPLAY_WINDOW        (1u << 16)
/* Bound on either part of one data request, whatever the properties say */
#define VIRTIO_IPSEC_LIMIT_DATA_REQ             (64 * MiB)
/* Bound on either part of one control request */
#define VIRTIO_IPSEC_LIMIT_CTRL_REQ             (64 * KiB)
#define VIRTIO_IPSEC_QUEUE_SIZE                 256
/* Requests handled per main-loop turn before yielding to a bottom half */
#define VIRTIO_IPSEC_BUDGET                     VIRTIO_IPSEC_QUEUE_SIZE
/* Event queue size, and the period of the lifetime clock */
#define VIRTIO_IPSEC_EVENTQ_SIZE                64
#define VIRTIO_IPSEC_CLOCK_PERIOD_MS            1000

struct vpe_core;
struct vpe_queue;

/* Test-only fault injection (virtio-ipsec-faults.c) */
typedef enum VirtIOIPsecFault {
    VIRTIO_IPSEC_FAULT_NONE,
    VIRTIO_IPSEC_FAULT_SHORT_USED,  /* nothing written, used length 0 */
    VIRTIO_IPSEC_FAULT_BAD_STATUS,  /* footer status no device returns */
    VIRTIO_IPSEC_FAULT_BAD_IDS,     /* SA_GET: endless ids never added */
    VIRTIO_IPSEC_FAULT_HANG,        /* requests never used */
    VIRTIO_IPSEC_FAULT_NO_IRQ,      /* used, but no notification */
    VIRTIO_IPSEC_FAULT__MAX,
} VirtIOIPsecFault;

typedef enum VirtIOIPsecFaultQueues {
    VIRTIO_IPSEC_FAULT_QUEUES_CTRL,
    VIRTIO_IPSEC_FAULT_QUEUES_DATA,
    VIRTIO_IPSEC_FAULT_QUEUES_ALL,
    VIRTIO_IPSEC_FAULT_QUEUES__MAX,
} VirtIOIPsecFaultQueues;

typedef struct VirtIOIPsecConf {
    uint32_t num_queues;        /* data queues */
    uint32_t max_sas;
    uint32_t max_groups;
    uint32_t max_packet_len;
    uint32_t max_batch;
    uint32_t max_replay_window;
    char *crypto_backend;       /* "auto", "ipsec-mb" or "kernel" */
    bool allow_weak_algos;
    /*
     * Test only (x-sa-caps=off): behave as a device from before
     * VIRTIO_IPSEC_F_SA_CAPS, whose config space has no sa_options,
     * hdr_fields or cipher_key_sizes, so the driver's ABI 0 defaults run.
     */
    bool sa_caps;
} VirtIOIPsecConf;

/*
 * One virtqueue. The control queue bounces requests through req/resp
 * (grown on demand up to the queue's bounds); a data queue has an engine
 * queue instead, which works in the guest's buffers.
 */
typedef struct VirtIOIPsecQueue {
    struct VirtIOIPsec *s;
    VirtQueue *vq;
    QEMUBH *bh;                 /* continues a queue that hit its budget */
    bool ctrl;
    size_t max_req;             /* bound on the device-readable part */
    size_t max_resp;            /* bound on the device-writable part */
    uint8_t *req;
    size_t req_size;
    uint8_t *resp;
    size_t resp_size;
    struct vpe_queue *eq;       /* data queues: the engine's queue */
} VirtIOIPsecQueue;

struct VirtIOIPsec {
    VirtIODevice parent_obj;

    VirtIOIPsecConf conf;
    struct vpe_core *core;
    VirtIOIPsecQueue *dataqs;   /* conf.num_queues entries */
    VirtIOIPsecQueue ctrlq;
    VirtQueue *eventq;          /* index num_queues + 1 */
    QEMUTimer *clock;           /* drives seconds lifetimes (engine tick) */
    QEMUBH *event_bh;           /* delivers what the clock raised, guarded */

    /*
     * Migration (docs/virtio-ipsec-device.md, "Migration"): the source's
     * properties its guest relies on, sent in the main section and checked
     * on the destination; the handler that quiesces the queues while the
     * VM is stopped and restarts them when it runs again.
     */
    struct {
        uint32_t num_queues;
        uint32_t max_sas;
        uint32_t max_groups;
        uint32_t max_packet_len;
        uint32_t max_batch;
        uint32_t max_replay_window;
    } mig_src;
    VMChangeStateEntry *vm_state;

    /* Test-only fault injection (x-fault...); never migrated */
    VirtIOIPsecFault fault;
    VirtIOIPsecFaultQueues fault_queues;
    bool refuse_features_ok;
};

void virtio_ipsec_faults_class_init(ObjectClass *oc);
void virtio_ipsec_faults_alias(Object *proxy, Object *vdev);
VirtIOIPsecFault virtio_ipsec_fault(VirtIOIPsecQueue *q);
int virtio_ipsec_faults_validate_features(VirtIODevice *vdev);
bool virtio_ipsec_fault_pre(VirtIOIPsecQueue *q, VirtIOIPsecFault fault,
                            VirtQueueElement *elem, size_t *used);
void virtio_ipsec_fault_post(VirtIOIPsecQueue *q, VirtIOIPsecFault fault,
                             VirtQueueElement *elem);

#endif /* QEMU_VIRTIO_IPSEC_H */
