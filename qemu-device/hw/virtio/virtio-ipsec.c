/*
 * Virtio IPsec lookaside accelerator device
 *
 * Data queues 0..N-1 carry ENCAP/DECAP batches, queue N is the control
 * queue (groups and SAs), queue N+1 the event queue (VIRTIO_IPSEC_F_EVENTQ:
 * lifetime expiries, sequence overflow and announcements, raised by the
 * engine and delivered here into driver-posted buffers). Every request is
 * a device-readable part followed by a device-writable part whose last
 * bytes hold the response footer (include/uapi/linux/virtio_ipsec.h).
 * This file only moves bytes: the ESP engine (engine/, struct vpe_core)
 * parses and answers every request, so all request decoding is
 * unit-tested and fuzzed outside QEMU. Here we bound what we copy out of
 * guest memory and turn a chain that cannot carry a response into
 * virtio_error() (NEEDS_RESET).
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or
 * (at your option) any later version.  See the COPYING file in the
 * top-level directory.
 */

#include "qemu/osdep.h"
#include "qemu/iov.h"
#include "qemu/main-loop.h"
#include "qemu/module.h"
#include "qemu/timer.h"
#include "qemu/units.h"
#include "qemu/error-report.h"
#include "qapi/error.h"
#include "hw/qdev-properties.h"
#include "hw/virtio/virtio.h"
#include "hw/virtio/virtio-ipsec.h"
#include "migration/qemu-file-types.h"
#include "migration/vmstate.h"
#include "standard-headers/linux/virtio_ids.h"
#include "trace.h"

#include "vipsec_core.h"
#include "vipsec_migrate.h"

#define FOOTER_LEN sizeof(struct virtio_ipsec_resp_footer)

/* Largest device-readable part of a data request */
static uint64_t virtio_ipsec_data_req_bound(const VirtIOIPsecConf *c)
{
    return sizeof(struct virtio_ipsec_data_hdr) +
           (uint64_t)c->max_batch *
           (sizeof(struct virtio_ipsec_pkt_req) + c->max_packet_len);
}

/* Largest device-writable part of a data request */
static uint64_t virtio_ipsec_data_resp_bound(const VirtIOIPsecConf *c)
{
    return (uint64_t)c->max_batch *
           (sizeof(struct virtio_ipsec_pkt_result) + c->max_packet_len) +
           FOOTER_LEN;
}

/*
 * Bounce buffers (the control queue's) hold guest data the device must
 * not leave in freed host memory: SA_ADD key material. Zero them before
 * they go back to the allocator. Data queues have none: the engine works
 * in the guest's buffers (virtio_ipsec_handle_data_elem()).
 */
static void virtio_ipsec_buf_free(uint8_t *buf, size_t size)
{
    if (buf) {
        explicit_bzero(buf, size);
        g_free(buf);
    }
}

/*
 * Make sure a bounce buffer holds @need bytes (@need is already bounded by
 * the queue's limits). Grows geometrically so a queue settles on one
 * allocation; the contents need not be kept.
 */
static uint8_t *virtio_ipsec_buf(uint8_t **buf, size_t *size, size_t need,
                                 size_t limit)
{
    if (need > *size || !*buf) {
        size_t n = MAX(MAX(need, 4 * KiB), MIN(*size * 2, limit));

        virtio_ipsec_buf_free(*buf, *size);
        *buf = g_malloc(n);
        *size = n;
    }
    return *buf;
}

/*
 * Answer a request that exceeds the queue's bounds with an INVAL footer at
 * the end of the writable part, without copying anything.
 */
static size_t virtio_ipsec_reject(VirtQueueElement *elem, size_t resp_cap)
{
    struct virtio_ipsec_resp_footer f = {
        .status = VIRTIO_IPSEC_INVAL,
    };

    stl_le_p(&f.out_len, 0);
    iov_from_buf(elem->in_sg, elem->in_num, resp_cap - FOOTER_LEN,
                 &f, sizeof(f));
    return resp_cap;
}

/*
 * A data request, without bounce copies: the element's iovecs are
 * already host-mapped guest memory, and the engine's data queue of this
 * virtqueue reads the packets from them and writes the results and
 * packets into them in place. The engine copies once, and checks only
 * that copy of, what it must parse safely (the request header and the
 * packet descriptors); it writes every byte of the writable part.
 */
static ssize_t virtio_ipsec_handle_data_elem(VirtIOIPsecQueue *q,
                                             VirtQueueElement *elem)
{
    return vpe_queue_handle_data_sg(q->eq, elem->out_sg, elem->out_num,
                                    elem->in_sg, elem->in_num);
}

/*
 * A control request through bounce buffers: it may carry SA_ADD keys,
 * which the device zeroes here (they must not stay in guest-visible
 * copies or freed memory); control requests are few and small.
 */
static bool virtio_ipsec_handle_ctrl_elem(VirtIOIPsecQueue *q,
                                          VirtQueueElement *elem,
                                          size_t req_len, size_t resp_cap,
                                          ssize_t *ret)
{
    VirtIOIPsec *s = q->s;
    VirtIODevice *vdev = VIRTIO_DEVICE(s);
    int qidx = virtio_get_queue_index(q->vq);
    uint8_t *req, *resp;
    size_t n;

    req = virtio_ipsec_buf(&q->req, &q->req_size, req_len, q->max_req);
    resp = virtio_ipsec_buf(&q->resp, &q->resp_size, resp_cap, q->max_resp);

    n = iov_to_buf(elem->out_sg, elem->out_num, 0, req, req_len);
    if (n != req_len) {
        explicit_bzero(req, n);
        virtio_error(vdev, "virtio-ipsec: queue %d: short read of request "
                     "(%zu of %zu bytes)", qidx, n, req_len);
        return false;
    }

    /* Nothing of an earlier request may reach the guest through resp */
    memset(resp, 0, resp_cap);
    *ret = vpe_core_handle_ctrl(s->core, req, req_len, resp, resp_cap);
    /*
     * The engine zeroes its own copies of an SA_ADD's keys; this one
     * must not outlive the request either (SA_DEL and reset would not
     * reach it, and the next request may be shorter).
     */
    explicit_bzero(req, req_len);
    if (*ret < 0 || (size_t)*ret > resp_cap) {
        return true;    /* the caller reports it */
    }

    /* The footer sits at the end of the writable part: copy all of it */
    n = iov_from_buf(elem->in_sg, elem->in_num, 0, resp, resp_cap);
    if (n != resp_cap) {
        virtio_error(vdev, "virtio-ipsec: queue %d: short write of response "
                     "(%zu of %zu bytes)", qidx, n, resp_cap);
        return false;
    }
    return true;
}

/*
 * Handle one element. Returns false on a protocol violation, after
 * virtio_error(); otherwise true with the used length in @used.
 */
static bool virtio_ipsec_handle_elem(VirtIOIPsecQueue *q,
                                     VirtQueueElement *elem, size_t *used)
{
    VirtIOIPsec *s = q->s;
    VirtIODevice *vdev = VIRTIO_DEVICE(s);
    int qidx = virtio_get_queue_index(q->vq);
    size_t req_len, resp_cap;
    ssize_t ret;

    if (elem->out_num < 1 || elem->in_num < 1) {
        virtio_error(vdev, "virtio-ipsec: queue %d: request needs a readable "
                     "and a writable part (got %u and %u descriptors)",
                     qidx, elem->out_num, elem->in_num);
        return false;
    }

    req_len = iov_size(elem->out_sg, elem->out_num);
    resp_cap = iov_size(elem->in_sg, elem->in_num);
    if (resp_cap < FOOTER_LEN) {
        virtio_error(vdev, "virtio-ipsec: queue %d: writable part of %zu "
                     "bytes cannot hold the response footer", qidx, resp_cap);
        return false;
    }
    if (req_len > q->max_req || resp_cap > q->max_resp) {
        trace_virtio_ipsec_oversized(s, qidx, req_len, resp_cap);
        *used = virtio_ipsec_reject(elem, resp_cap);
        return true;
    }

    trace_virtio_ipsec_request(s, qidx, req_len, resp_cap);
    if (q->ctrl) {
        if (!virtio_ipsec_handle_ctrl_elem(q, elem, req_len, resp_cap,
                                           &ret)) {
            return false;
        }
    } else {
        ret = virtio_ipsec_handle_data_elem(q, elem);
    }
    if (ret < 0 || (size_t)ret > resp_cap) {
        virtio_error(vdev, "virtio-ipsec: queue %d: malformed request chain",
                     qidx);
        return false;
    }
    *used = ret;
    trace_virtio_ipsec_done(s, qidx, *used);
    return true;
}

/*
 * Move events the engine has queued into buffers the driver posted on the
 * event queue. Events wait in the engine (bounded, with a LOST record when
 * it overflows) while no buffer is posted. A buffer the device cannot
 * write a whole event into is a protocol violation.
 */
static void virtio_ipsec_deliver_events(VirtIOIPsec *s)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(s);
    struct virtio_ipsec_event ev;
    VirtQueueElement *elem;
    bool notify = false;
    size_t n;

    if (!virtio_vdev_has_feature(vdev, VIRTIO_IPSEC_F_EVENTQ) ||
        !(vdev->status & VIRTIO_CONFIG_S_DRIVER_OK) || vdev->broken ||
        !vdev->vm_running) {
        return;     /* a stopped VM: virtio_ipsec_vm_state_change() resumes */
    }
    while (vpe_core_event_pending(s->core)) {
        elem = virtqueue_pop(s->eventq, sizeof(VirtQueueElement));
        if (!elem) {
            break;
        }
        if (elem->out_num || iov_size(elem->in_sg, elem->in_num) <
            sizeof(ev)) {
            virtio_error(vdev, "virtio-ipsec: event buffer must be %zu "
                         "device-writable bytes (got %u readable "
                         "descriptors, %zu writable bytes)", sizeof(ev),
                         elem->out_num, iov_size(elem->in_sg, elem->in_num));
            virtqueue_detach_element(s->eventq, elem, 0);
            g_free(elem);
            break;
        }
        if (!vpe_core_next_event(s->core, &ev)) {
            /* Cannot happen after event_pending(); never write stack bytes */
            virtqueue_detach_element(s->eventq, elem, 0);
            g_free(elem);
            break;
        }
        n = iov_from_buf(elem->in_sg, elem->in_num, 0, &ev, sizeof(ev));
        trace_virtio_ipsec_event(s, lduw_le_p(&ev.type), ldl_le_p(&ev.sa_id));
        virtqueue_push(s->eventq, elem, n);
        g_free(elem);
        notify = true;
    }
    if (notify) {
        virtio_notify(vdev, s->eventq);
    }
}

static void virtio_ipsec_handle_event(VirtIODevice *vdev, VirtQueue *vq)
{
    virtio_ipsec_deliver_events(VIRTIO_IPSEC(vdev));
}

/*
 * The engine's clock for seconds lifetimes and SA ages. QEMU_CLOCK_VIRTUAL:
 * it stops while the VM is stopped, so no timer writes guest memory (the
 * event queue) then, and an SA does not age while its guest, which set the
 * lifetimes against its own clocks, cannot use it. The peer's own lifetime
 * still bounds a key's real-time use.
 */
static void virtio_ipsec_tick(VirtIOIPsec *s)
{
    vpe_core_tick(s->core,
                  qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL) / 1000);
}

/*
 * Writing an event into guest memory is DMA: a guest that points an event
 * buffer at the device's own registers would re-enter the device (a queue
 * kick, or a reset in the middle of delivery). Queue handlers run under
 * the memory re-entrancy guard (MMIO kicks, guarded bottom halves); a
 * timer does not, so the clock hands delivery to a guarded bottom half.
 */
static void virtio_ipsec_event_bh(void *opaque)
{
    virtio_ipsec_deliver_events(opaque);
}

static void virtio_ipsec_clock(void *opaque)
{
    VirtIOIPsec *s = opaque;

    virtio_ipsec_tick(s);
    if (vpe_core_event_pending(s->core)) {
        qemu_bh_schedule(s->event_bh);
    }
    timer_mod(s->clock, qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL) +
              VIRTIO_IPSEC_CLOCK_PERIOD_MS);
}

/*
 * Handle up to VIRTIO_IPSEC_BUDGET requests, then notify once. A guest
 * that keeps the queue full cannot hold the main loop: past the budget the
 * rest is handled from a bottom half on the next main-loop turn.
 */
static void virtio_ipsec_handle_queue(VirtIOIPsecQueue *q)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(q->s);
    VirtIOIPsecFault fault = virtio_ipsec_fault(q);
    VirtQueueElement *elem;
    unsigned int budget = VIRTIO_IPSEC_BUDGET;
    bool notify = false;
    size_t used;

    /*
     * While the VM is stopped (migration, snapshot) the rings stay as they
     * are: a request taken now would change the engine after its state was
     * saved, or be answered into guest memory already sent. The requests
     * wait on the avail ring, which migrates with the device, and are
     * processed once when the VM runs again, here or on the destination
     * (virtio_ipsec_vm_state_change()).
     */
    if (!vdev->vm_running) {
        return;
    }
    if (q->ctrl) {
        /* SA_ADD stamps the SA's age with the engine clock */
        virtio_ipsec_tick(q->s);
    }
    if (fault == VIRTIO_IPSEC_FAULT_HANG) {
        return;     /* test only: the requests stay on the ring */
    }
    while (budget) {
        elem = virtqueue_pop(q->vq, sizeof(VirtQueueElement));
        if (!elem) {
            break;
        }
        if (virtio_ipsec_fault_pre(q, fault, elem, &used)) {
            /* test only: the fault answered it */
        } else if (!virtio_ipsec_handle_elem(q, elem, &used)) {
            virtqueue_detach_element(q->vq, elem, 0);
            g_free(elem);
            break;
        } else {
            virtio_ipsec_fault_post(q, fault, elem);
        }
        virtqueue_push(q->vq, elem, used);
        g_free(elem);
        notify = true;
        budget--;
    }
    if (notify && fault != VIRTIO_IPSEC_FAULT_NO_IRQ) {
        virtio_notify(vdev, q->vq);
    }
    /* Packets just processed may have raised lifetime events */
    virtio_ipsec_deliver_events(q->s);
    if (!budget && !vdev->broken) {
        qemu_bh_schedule(q->bh);
    }
}

static void virtio_ipsec_queue_bh(void *opaque)
{
    virtio_ipsec_handle_queue(opaque);
}

/*
 * The VM runs again (after a snapshot or a failed migration on the source,
 * after the load on the destination): handle what the guest queued while
 * it was stopped. Every request is popped, answered and pushed within one
 * handler call, so nothing is ever half done at a stop: a request is
 * either used (and its effect on the engine is in the saved state) or
 * still on the avail ring (and processed exactly once, here).
 */
static void virtio_ipsec_vm_state_change(void *opaque, bool running,
                                         RunState state)
{
    VirtIOIPsec *s = opaque;
    uint32_t i;

    if (!running) {
        return;
    }
    for (i = 0; i < s->conf.num_queues; i++) {
        qemu_bh_schedule(s->dataqs[i].bh);
    }
    qemu_bh_schedule(s->ctrlq.bh);
    qemu_bh_schedule(s->event_bh);
}

static void virtio_ipsec_handle_data(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIOIPsec *s = VIRTIO_IPSEC(vdev);
    int idx = virtio_get_queue_index(vq);

    if (idx < 0 || (uint32_t)idx >= s->conf.num_queues) {
        return;
    }
    virtio_ipsec_handle_queue(&s->dataqs[idx]);
}

static void virtio_ipsec_handle_ctrl(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIOIPsec *s = VIRTIO_IPSEC(vdev);

    virtio_ipsec_handle_queue(&s->ctrlq);
}

static void virtio_ipsec_get_config(VirtIODevice *vdev, uint8_t *config)
{
    VirtIOIPsec *s = VIRTIO_IPSEC(vdev);
    struct virtio_ipsec_config cfg;

    memset(&cfg, 0, sizeof(cfg));
    vpe_core_fill_config(s->core, &cfg);
    /*
     * The engine does not know the queue count; the device is ready as
     * soon as it is realized (the core exists).
     */
    stl_le_p(&cfg.max_data_queues, s->conf.num_queues);
    stl_le_p(&cfg.status, ldl_le_p(&cfg.status) | VIRTIO_IPSEC_S_HW_READY);
    if (!s->conf.sa_caps) {
        cfg.sa_options = 0;
        cfg.hdr_fields = 0;
        memset(cfg.cipher_key_sizes, 0, sizeof(cfg.cipher_key_sizes));
    }
    memcpy(config, &cfg, sizeof(cfg));
}

static uint64_t virtio_ipsec_get_features(VirtIODevice *vdev,
                                          uint64_t features, Error **errp)
{
    VirtIOIPsec *s = VIRTIO_IPSEC(vdev);
    /* Device-specific feature bits are 0..23 */
    uint64_t offered = vpe_core_features(s->core) & MAKE_64BIT_MASK(0, 24);

    offered &= ~(1ULL << VIRTIO_IPSEC_F_MQ);
    if (!s->conf.sa_caps) {
        offered &= ~(1ULL << VIRTIO_IPSEC_F_SA_CAPS);
    }
    if (s->conf.num_queues > 1) {
        offered |= 1ULL << VIRTIO_IPSEC_F_MQ;
    }
    return features | offered;
}

/*
 * What the driver acknowledged gates SA parameters and operations in the
 * engine (NOTSUPP otherwise), and whether it queues events at all.
 */
static void virtio_ipsec_set_features(VirtIODevice *vdev, uint64_t features)
{
    VirtIOIPsec *s = VIRTIO_IPSEC(vdev);

    vpe_core_set_features(s->core, features & MAKE_64BIT_MASK(0, 24));
}

/*
 * Reset and unrealize: the bounce buffers still hold the last request's
 * plaintext and response; nothing of it may outlive the guest's use of
 * the device (the next driver, or the next VM in this process).
 */
static void virtio_ipsec_drop_bufs(VirtIOIPsecQueue *q)
{
    virtio_ipsec_buf_free(q->resp, q->resp_size);
    q->resp = NULL;
    q->resp_size = 0;
    virtio_ipsec_buf_free(q->req, q->req_size);
    q->req = NULL;
    q->req_size = 0;
}

static void virtio_ipsec_reset(VirtIODevice *vdev)
{
    VirtIOIPsec *s = VIRTIO_IPSEC(vdev);
    uint32_t i;

    trace_virtio_ipsec_reset(s);
    for (i = 0; i < s->conf.num_queues; i++) {
        virtio_ipsec_drop_bufs(&s->dataqs[i]);
    }
    virtio_ipsec_drop_bufs(&s->ctrlq);
    /* Drops every SA (zeroing keys) and every pending event */
    vpe_core_reset(s->core);
    vpe_core_set_features(s->core, 0);
}

static bool virtio_ipsec_check_range(const char *name, uint32_t val,
                                     uint32_t min, uint32_t max, Error **errp)
{
    if (val < min || val > max) {
        error_setg(errp, "'%s' must be between %" PRIu32 " and %" PRIu32
                   ", got %" PRIu32, name, min, max, val);
        return false;
    }
    return true;
}

/* The device's own, tighter, bounds stay within the engine's. */
QEMU_BUILD_BUG_ON(VIRTIO_IPSEC_LIMIT_SAS > VPE_CORE_MAX_SAS);
QEMU_BUILD_BUG_ON(VIRTIO_IPSEC_LIMIT_REPLAY_WINDOW >
                  VPE_CORE_MAX_REPLAY_WINDOW);

static bool virtio_ipsec_validate(VirtIOIPsecConf *c, Error **errp)
{
    const char *be = c->crypto_backend ? c->crypto_backend : "auto";

    if (!virtio_ipsec_check_range("num-queues", c->num_queues, 1,
                                  VIRTIO_QUEUE_MAX - 2, errp) ||
        !virtio_ipsec_check_range("max-sas", c->max_sas, 1,
                                  VIRTIO_IPSEC_LIMIT_SAS, errp) ||
        /*
         * The engine's limits (vipsec_core.h), so that its refusal never
         * comes later with a message that does not name the property.
         */
        !virtio_ipsec_check_range("max-groups", c->max_groups, 1,
                                  VPE_CORE_MAX_GROUPS, errp) ||
        !virtio_ipsec_check_range("max-packet-len", c->max_packet_len,
                                  VPE_CORE_MIN_PACKET_LEN,
                                  VPE_CORE_MAX_PACKET_LEN, errp) ||
        !virtio_ipsec_check_range("max-batch", c->max_batch, 1,
                                  VPE_CORE_MAX_BATCH, errp) ||
        !virtio_ipsec_check_range("max-replay-window", c->max_replay_window,
                                  32, VIRTIO_IPSEC_LIMIT_REPLAY_WINDOW,
                                  errp)) {
        return false;
    }
    if (strcmp(be, "auto") && strcmp(be, "ipsec-mb") && strcmp(be, "kernel")) {
        error_setg(errp, "'crypto-backend' must be 'auto', 'ipsec-mb' or "
                   "'kernel', got '%s'", be);
        return false;
    }
    if (virtio_ipsec_data_req_bound(c) > VIRTIO_IPSEC_LIMIT_DATA_REQ ||
        virtio_ipsec_data_resp_bound(c) > VIRTIO_IPSEC_LIMIT_DATA_REQ) {
        error_setg(errp, "'max-batch' * 'max-packet-len' too large: one "
                   "request could exceed %d MiB",
                   (int)(VIRTIO_IPSEC_LIMIT_DATA_REQ / MiB));
        return false;
    }
    return true;
}

static void virtio_ipsec_init_queue(VirtIOIPsec *s, VirtIOIPsecQueue *q,
                                    bool ctrl, size_t max_req, size_t max_resp,
                                    VirtIOHandleOutput handler)
{
    q->s = s;
    q->ctrl = ctrl;
    q->max_req = max_req;
    q->max_resp = max_resp;
    q->vq = virtio_add_queue(VIRTIO_DEVICE(s), VIRTIO_IPSEC_QUEUE_SIZE,
                             handler);
    q->bh = virtio_bh_new_guarded(DEVICE(s), virtio_ipsec_queue_bh, q);
}

static void virtio_ipsec_fini_queue(VirtIOIPsecQueue *q)
{
    qemu_bh_delete(q->bh);
    q->bh = NULL;
    virtio_delete_queue(q->vq);
    q->vq = NULL;
    virtio_ipsec_drop_bufs(q);
}

static void virtio_ipsec_device_realize(DeviceState *dev, Error **errp)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(dev);
    VirtIOIPsec *s = VIRTIO_IPSEC(dev);
    VirtIOIPsecConf *c = &s->conf;
    struct vpe_core_config cfg;
    char err[256];
    uint32_t i;

    if (!virtio_ipsec_validate(c, errp)) {
        return;
    }

    memset(&cfg, 0, sizeof(cfg));
    cfg.max_sas = c->max_sas;
    cfg.max_groups = c->max_groups;
    cfg.max_packet_len = c->max_packet_len;
    cfg.max_batch = c->max_batch;
    cfg.max_replay_window = c->max_replay_window;
    cfg.crypto_backend = c->crypto_backend ? c->crypto_backend : "auto";
    cfg.allow_weak_algos = c->allow_weak_algos;
    err[0] = '\0';
    /* Anything the checks above missed is refused before allocating. */
    if (!vpe_core_config_check(&cfg, err, sizeof(err))) {
        err[sizeof(err) - 1] = '\0';
        error_setg(errp, "%s", err);
        return;
    }
    s->core = vpe_core_new(&cfg, err, sizeof(err));
    if (!s->core) {
        err[sizeof(err) - 1] = '\0';
        error_setg(errp, "cannot set up the IPsec engine: %s",
                   err[0] ? err : "unknown error");
        return;
    }

    virtio_init(vdev, VIRTIO_ID_IPSEC, sizeof(struct virtio_ipsec_config));

    s->dataqs = g_new0(VirtIOIPsecQueue, c->num_queues);
    for (i = 0; i < c->num_queues; i++) {
        /*
         * One engine queue per data virtqueue: its own crypto backend
         * instance and scratch. All run in this thread today; the engine
         * would let them run in parallel (engine/vipsec_queue.c).
         */
        s->dataqs[i].eq = vpe_queue_new(s->core, err, sizeof(err));
        if (!s->dataqs[i].eq) {
            err[sizeof(err) - 1] = '\0';
            error_setg(errp, "cannot set up the IPsec engine's queue %u: %s",
                       i, err[0] ? err : "unknown error");
            while (i > 0) {
                vpe_queue_free(s->dataqs[--i].eq);
            }
            g_free(s->dataqs);
            s->dataqs = NULL;
            virtio_cleanup(vdev);
            vpe_core_free(s->core);
            s->core = NULL;
            return;
        }
    }
    for (i = 0; i < c->num_queues; i++) {
        virtio_ipsec_init_queue(s, &s->dataqs[i], false,
                                virtio_ipsec_data_req_bound(c),
                                virtio_ipsec_data_resp_bound(c),
                                virtio_ipsec_handle_data);
    }
    virtio_ipsec_init_queue(s, &s->ctrlq, true, VIRTIO_IPSEC_LIMIT_CTRL_REQ,
                            VIRTIO_IPSEC_LIMIT_CTRL_REQ,
                            virtio_ipsec_handle_ctrl);
    /*
     * Always present at index num_queues + 1; a driver that does not
     * negotiate VIRTIO_IPSEC_F_EVENTQ just leaves it unused.
     */
    s->eventq = virtio_add_queue(vdev, VIRTIO_IPSEC_EVENTQ_SIZE,
                                 virtio_ipsec_handle_event);
    s->event_bh = virtio_bh_new_guarded(dev, virtio_ipsec_event_bh, s);
    s->clock = timer_new_ms(QEMU_CLOCK_VIRTUAL, virtio_ipsec_clock, s);
    timer_mod(s->clock, qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL) +
              VIRTIO_IPSEC_CLOCK_PERIOD_MS);
    s->vm_state = qdev_add_vm_change_state_handler(dev,
                                                   virtio_ipsec_vm_state_change,
                                                   s);

    trace_virtio_ipsec_realize(s, c->num_queues, c->max_sas, c->max_batch,
                               c->max_packet_len);
}

static void virtio_ipsec_device_unrealize(DeviceState *dev)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(dev);
    VirtIOIPsec *s = VIRTIO_IPSEC(dev);
    uint32_t i;

    qemu_del_vm_change_state_handler(s->vm_state);
    s->vm_state = NULL;
    timer_free(s->clock);
    s->clock = NULL;
    qemu_bh_delete(s->event_bh);
    s->event_bh = NULL;
    virtio_delete_queue(s->eventq);
    s->eventq = NULL;
    virtio_ipsec_fini_queue(&s->ctrlq);
    for (i = s->conf.num_queues; i > 0; i--) {
        virtio_ipsec_fini_queue(&s->dataqs[i - 1]);
        vpe_queue_free(s->dataqs[i - 1].eq);
        s->dataqs[i - 1].eq = NULL;
    }
    g_free(s->dataqs);
    s->dataqs = NULL;
    virtio_cleanup(vdev);
    /* Zeroes every key */
    vpe_core_free(s->core);
    s->core = NULL;
}

/*
 * Migration. The main section carries the source's properties that its
 * guest relies on (it read them from config space at probe); the
 * subsection "virtio-ipsec-device/engine", present when the engine holds
 * any state, carries the engine's own versioned stream
 * (engine/vipsec_migrate.h: groups, SAs with keys, sequence numbers,
 * replay windows, lifetimes, statistics, pending events, its clock and
 * the negotiated features). The stream holds keys: the migration channel
 * must be protected (TLS); every buffer that held it is zeroed.
 * docs/virtio-ipsec-device.md has the layout and the compatibility rules.
 */
static int virtio_ipsec_pre_save(void *opaque)
{
    VirtIOIPsec *s = opaque;

    s->mig_src.num_queues = s->conf.num_queues;
    s->mig_src.max_sas = s->conf.max_sas;
    s->mig_src.max_groups = s->conf.max_groups;
    s->mig_src.max_packet_len = s->conf.max_packet_len;
    s->mig_src.max_batch = s->conf.max_batch;
    s->mig_src.max_replay_window = s->conf.max_replay_window;
    return 0;
}

static bool virtio_ipsec_limit_ok(const char *prop, uint32_t src,
                                  uint32_t dst)
{
    if (dst < src) {
        error_report("virtio-ipsec: migration refused: destination %s=%"
                     PRIu32 " is below the source's %" PRIu32
                     " (the guest may use up to the source's)",
                     prop, dst, src);
        return false;
    }
    return true;
}

/* The destination's properties against the source's, before any state */
static bool virtio_ipsec_conf_ok(VirtIOIPsec *s)
{
    if (s->mig_src.num_queues != s->conf.num_queues) {
        error_report("virtio-ipsec: migration refused: num-queues differs "
                     "(source %" PRIu32 ", destination %" PRIu32 ")",
                     s->mig_src.num_queues, s->conf.num_queues);
        return false;
    }
    return virtio_ipsec_limit_ok("max-sas", s->mig_src.max_sas,
                                 s->conf.max_sas) &&
           virtio_ipsec_limit_ok("max-groups", s->mig_src.max_groups,
                                 s->conf.max_groups) &&
           virtio_ipsec_limit_ok("max-packet-len", s->mig_src.max_packet_len,
                                 s->conf.max_packet_len) &&
           virtio_ipsec_limit_ok("max-batch", s->mig_src.max_batch,
                                 s->conf.max_batch) &&
           virtio_ipsec_limit_ok("max-replay-window",
                                 s->mig_src.max_replay_window,
                                 s->conf.max_replay_window);
}

static int virtio_ipsec_post_load(void *opaque, int version_id)
{
    /* Also when the engine subsection was absent (an idle device) */
    return virtio_ipsec_conf_ok(opaque) ? 0 : -EINVAL;
}

/* Subsection "virtio-ipsec-device/engine": u32 length, the engine stream */
static int virtio_ipsec_engine_put(QEMUFile *f, void *pv, size_t size,
                                   const VMStateField *field,
                                   JSONWriter *vmdesc)
{
    VirtIOIPsec *s = pv;
    size_t len = 0;
    uint8_t *buf = vpe_mig_export_alloc(s->core, &len);

    if (!buf || len > UINT32_MAX) {
        vpe_mig_free(buf, len);
        error_report("virtio-ipsec: cannot save the engine state (%zu "
                     "bytes): out of memory", len);
        return -ENOMEM;
    }
    qemu_put_be32(f, len);
    qemu_put_buffer(f, buf, len);
    /*
     * qemu_put_buffer() copies into the file's own buffer (unlike
     * qemu_put_buffer_async(), it keeps no pointer to ours): ours can be
     * zeroed at once. The file's buffer is reused for what follows.
     */
    vpe_mig_free(buf, len);
    return 0;
}

static int virtio_ipsec_engine_get(QEMUFile *f, void *pv, size_t size,
                                   const VMStateField *field)
{
    VirtIOIPsec *s = pv;
    uint32_t len = qemu_get_be32(f);
    size_t max = vpe_mig_max_size(s->core);
    char err[256];
    uint8_t *buf;
    size_t n;
    int ret;

    /* The main section's post_load comes after the subsections */
    if (!virtio_ipsec_conf_ok(s)) {
        return -EINVAL;
    }
    if (qemu_file_get_error(f) || len > max) {
        error_report("virtio-ipsec: migration refused: engine state of %"
                     PRIu32 " bytes, at most %zu fit this device's "
                     "properties", len, max);
        return -EINVAL;
    }
    buf = g_malloc(len ? len : 1);
    n = qemu_get_buffer(f, buf, len);
    if (n != len || qemu_file_get_error(f)) {
        vpe_mig_free(buf, len);
        error_report("virtio-ipsec: migration refused: engine state "
                     "truncated (%zu of %" PRIu32 " bytes)", n, len);
        return -EINVAL;
    }
    err[0] = '\0';
    ret = vpe_mig_import(s->core, buf, len, err, sizeof(err));
    vpe_mig_free(buf, len);
    if (ret) {
        err[sizeof(err) - 1] = '\0';
        error_report("virtio-ipsec: migration refused: %s", err);
        return -EINVAL;
    }
    return 0;
}

static const VMStateInfo vmstate_info_virtio_ipsec_engine = {
    .name = "virtio-ipsec-engine",
    .get = virtio_ipsec_engine_get,
    .put = virtio_ipsec_engine_put,
};

/* An idle engine (no group, SA or event) sends nothing */
static bool virtio_ipsec_engine_needed(void *opaque)
{
    VirtIOIPsec *s = opaque;

    return !vpe_mig_idle(s->core);
}

static const VMStateDescription vmstate_virtio_ipsec_engine = {
    .name = "virtio-ipsec-device/engine",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = virtio_ipsec_engine_needed,
    .fields = (VMStateField[]) {
        {
            .name = "engine",
            .info = &vmstate_info_virtio_ipsec_engine,
            .flags = VMS_SINGLE,
            .offset = 0,
        },
        VMSTATE_END_OF_LIST()
    },
};

static const VMStateDescription vmstate_virtio_ipsec_device = {
    .name = "virtio-ipsec-device",
    .version_id = 1,
    .minimum_version_id = 1,
    .pre_save = virtio_ipsec_pre_save,
    .post_load = virtio_ipsec_post_load,
    .fields = (VMStateField[]) {
        VMSTATE_UINT32(mig_src.num_queues, VirtIOIPsec),
        VMSTATE_UINT32(mig_src.max_sas, VirtIOIPsec),
        VMSTATE_UINT32(mig_src.max_groups, VirtIOIPsec),
        VMSTATE_UINT32(mig_src.max_packet_len, VirtIOIPsec),
        VMSTATE_UINT32(mig_src.max_batch, VirtIOIPsec),
        VMSTATE_UINT32(mig_src.max_replay_window, VirtIOIPsec),
        VMSTATE_END_OF_LIST()
    },
    .subsections = (const VMStateDescription * []) {
        &vmstate_virtio_ipsec_engine,
        NULL
    },
};

/* The virtio transport state (rings, features), then the device's */
static const VMStateDescription vmstate_virtio_ipsec = {
    .name = "virtio-ipsec",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (VMStateField[]) {
        VMSTATE_VIRTIO_DEVICE,
        VMSTATE_END_OF_LIST()
    },
};

static Property virtio_ipsec_properties[] = {
    DEFINE_PROP_UINT32("num-queues", VirtIOIPsec, conf.num_queues, 1),
    DEFINE_PROP_UINT32("max-sas", VirtIOIPsec, conf.max_sas,
                       VIRTIO_IPSEC_DEFAULT_MAX_SAS),
    DEFINE_PROP_UINT32("max-groups", VirtIOIPsec, conf.max_groups,
                       VIRTIO_IPSEC_DEFAULT_MAX_GROUPS),
    DEFINE_PROP_UINT32("max-packet-len", VirtIOIPsec, conf.max_packet_len,
                       VIRTIO_IPSEC_DEFAULT_MAX_PACKET_LEN),
    DEFINE_PROP_UINT32("max-batch", VirtIOIPsec, conf.max_batch,
                       VIRTIO_IPSEC_DEFAULT_MAX_BATCH),
    DEFINE_PROP_UINT32("max-replay-window", VirtIOIPsec,
                       conf.max_replay_window,
                       VIRTIO_IPSEC_DEFAULT_MAX_REPLAY_WINDOW),
    DEFINE_PROP_STRING("crypto-backend", VirtIOIPsec, conf.crypto_backend),
    DEFINE_PROP_BOOL("allow-weak-algos", VirtIOIPsec, conf.allow_weak_algos,
                     false),
    DEFINE_PROP_BOOL("x-sa-caps", VirtIOIPsec, conf.sa_caps, true),
    DEFINE_PROP_END_OF_LIST(),
};

static void virtio_ipsec_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    VirtioDeviceClass *vdc = VIRTIO_DEVICE_CLASS(klass);

    device_class_set_props(dc, virtio_ipsec_properties);
    dc->vmsd = &vmstate_virtio_ipsec;
    vdc->vmsd = &vmstate_virtio_ipsec_device;
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
    vdc->realize = virtio_ipsec_device_realize;
    vdc->unrealize = virtio_ipsec_device_unrealize;
    vdc->get_config = virtio_ipsec_get_config;
    vdc->get_features = virtio_ipsec_get_features;
    vdc->set_features = virtio_ipsec_set_features;
    vdc->reset = virtio_ipsec_reset;
    vdc->validate_features = virtio_ipsec_faults_validate_features;
    virtio_ipsec_faults_class_init(klass);
}

static const TypeInfo virtio_ipsec_info = {
    .name = TYPE_VIRTIO_IPSEC,
    .parent = TYPE_VIRTIO_DEVICE,
    .instance_size = sizeof(VirtIOIPsec),
    .class_init = virtio_ipsec_class_init,
};

static void virtio_register_types(void)
{
    type_register_static(&virtio_ipsec_info);
}

type_init(virtio_register_types)
