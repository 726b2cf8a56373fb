/*
 * vipsec-vhost: vhost-user backend for the virtio-ipsec device
 *
 * Serves the queues, config space and device feature bits of a
 * vhost-user-ipsec-pci device (qemu-device/hw/virtio/vhost-user-ipsec.c)
 * with the ESP engine (engine/, struct vpe_core), the same requests and
 * answers as the in-QEMU device model (qemu-device/hw/virtio/virtio-ipsec.c).
 * The vhost-user protocol and the virtqueues are QEMU's libvhost-user, from
 * the QEMU source the build already fetches (docs/virtio-ipsec-device.md,
 * "vhost-user form", says why).
 *
 * Threads:
 *  - the control thread accepts the connection from QEMU, runs the
 *    vhost-user protocol (vu_dispatch()), the control queue, the event
 *    queue and the engine clock (a one-second timerfd);
 *  - one worker per data queue waits on the queue's kick eventfd (after
 *    optionally busy-polling the ring for --spin-us microseconds) and
 *    answers its requests, each as soon as it is done, with the driver's
 *    kicks suppressed while it is awake (worker_pass()).
 * vu_dispatch() changes the rings and the guest memory map: it runs under
 * vu_lock taken for writing, the workers hold it for reading while they
 * touch a ring. Each worker has its own engine queue (vpe_queue); the
 * engine serialises the control calls itself (engine/vipsec_core.h).
 *
 * Copies: data requests are zero-copy (vpe_queue_handle_data_sg() on the
 * mapped guest buffers: the engine copies the header and packet
 * descriptors once and checks that copy, packets are read and written in
 * place). Control requests go through a bounce buffer that is zeroed
 * after each one (SA_ADD carries keys).
 *
 * Trust: the guest is not trusted. Every chain's shape and length is
 * checked before anything is read. A chain that cannot carry a
 * response, or a ring that libvhost-user finds corrupt (vu_panic), is a
 * protocol violation: the backend drops the connection, which the front
 * end turns into NEEDS_RESET, and forgets every SA (keys zeroed). It never
 * exits on guest input.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "libvhost-user.h"
#include "vipsec_core.h"

#define PROG "vipsec-vhost"
#define FOOTER_LEN sizeof(struct virtio_ipsec_resp_footer)
/* Device-specific feature bits are 0..23 */
#define DEV_FEATURE_MASK ((1ull << 24) - 1)

/*
 * The in-QEMU device's bounds (qemu-device/include/hw/virtio/virtio-ipsec.h,
 * VIRTIO_IPSEC_*): the same options take the same values in both forms.
 */
#define LIMIT_SAS (1u << 20)
#define LIMIT_REPLAY_WINDOW (1u << 16)
#define LIMIT_DATA_REQ (64ull << 20)
#define LIMIT_CTRL_REQ (64u << 10)
#define DEF_MAX_SAS 1024
#define DEF_MAX_GROUPS 64
#define DEF_MAX_PACKET_LEN 9216
#define DEF_MAX_BATCH 256
#define DEF_MAX_REPLAY 4096
/* Requests a worker answers before it lets the control thread in */
#define WORKER_BUDGET 256
#define MAX_WATCHES 16
#define MAX_QUEUES (VIRTIO_QUEUE_MAX - 2)
#ifndef VIRTIO_QUEUE_MAX
#define VIRTIO_QUEUE_MAX 1024
#endif

struct vv;

struct worker {
    struct vv *v;
    unsigned int idx; /* data queue index */
    pthread_t thread;
    bool running;
    atomic_bool stop;
    int kill_fd; /* eventfd: wakes the worker to stop */
    int kick_fd; /* the queue's kick eventfd, owned by libvhost-user */
    struct vpe_queue *eq; /* the engine's side of this data queue */
};

struct watch {
    int fd;
    int cond;
    vu_watch_cb cb;
    void *data;
};

struct vv {
    VuDev dev;
    bool dev_up;
    struct vpe_core *core;
    pthread_rwlock_t vu_lock;
    uint32_t nq;
    unsigned int spin_us;
    uint32_t max_batch, max_packet_len;
    uint64_t max_req, max_resp;
    struct worker *w;
    struct watch watches[MAX_WATCHES];
    unsigned int nwatches;
    unsigned int watch_gen; /* changes when the set changes */
    int notify_fd;          /* eventfd: workers -> control thread */
    atomic_bool broken;
    atomic_bool events_maybe;
    atomic_bool peer_closed; /* QEMU closed the socket */
    uint64_t features;
    uint8_t *ctrl_req, *ctrl_resp;
    bool verbose;
};

static struct vv vv;

static void logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logmsg(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, PROG ": ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static uint64_t now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec;
}

/* Ask the control thread to look at events or a broken device */
static void notify_control(struct vv *v)
{
    eventfd_write(v->notify_fd, 1);
}

/*
 * A protocol violation: stop serving and have the control thread drop the
 * connection (the front end then reports NEEDS_RESET). Any thread.
 */
static void violation(struct vv *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void violation(struct vv *v, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, PROG ": protocol violation: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "; dropping the connection (device needs reset)\n");
    atomic_store(&v->broken, true);
    notify_control(v);
}

static void vv_panic(VuDev *dev, const char *err)
{
    violation(&vv, "libvhost-user: %s", err ? err : "unknown error");
}

static size_t iov_len(const struct iovec *iov, unsigned int n)
{
    size_t s = 0;

    for (unsigned int i = 0; i < n; i++) {
        s += iov[i].iov_len;
    }
    return s;
}

static void iov_to(const struct iovec *iov, unsigned int n, uint8_t *buf)
{
    for (unsigned int i = 0; i < n; i++) {
        memcpy(buf, iov[i].iov_base, iov[i].iov_len);
        buf += iov[i].iov_len;
    }
}

/* Writes len bytes of buf at offset off of the iovec (bounds checked) */
static void iov_from(const struct iovec *iov, unsigned int n, size_t off,
                     const uint8_t *buf, size_t len)
{
    for (unsigned int i = 0; i < n && len; i++) {
        size_t l = iov[i].iov_len;

        if (off >= l) {
            off -= l;
            continue;
        }
        l -= off;
        if (l > len) {
            l = len;
        }
        memcpy((uint8_t *)iov[i].iov_base + off, buf, l);
        buf += l;
        len -= l;
        off = 0;
    }
}

/* A bounce buffer of at least need bytes (need is already bounded) */
static uint8_t *grow(uint8_t **buf, size_t *size, size_t need)
{
    if (need > *size || !*buf) {
        size_t n = need < 4096 ? 4096 : need;

        if (*buf) {
            explicit_bzero(*buf, *size);
            free(*buf);
        }
        *buf = malloc(n);
        *size = *buf ? n : 0;
    }
    return *buf;
}

/*
 * One request. Returns false on a protocol violation (after reporting
 * it); otherwise true with the used length in *used.
 */
static bool handle_elem(struct vv *v, struct vpe_queue *eq, VuVirtqElement *e,
                        uint8_t **req, size_t *req_size, uint8_t **resp,
                        size_t *resp_size, uint32_t *used, unsigned int qidx)
{
    bool ctrl = !eq;
    size_t req_len, resp_cap;
    uint64_t max_req = ctrl ? LIMIT_CTRL_REQ : v->max_req;
    uint64_t max_resp = ctrl ? LIMIT_CTRL_REQ : v->max_resp;
    ssize_t ret;

    if (e->out_num < 1 || e->in_num < 1) {
        violation(
            v,
            "queue %u: request needs a readable and a writable part (got %u and %u descriptors)",
            qidx, e->out_num, e->in_num);
        return false;
    }
    /* Each descriptor is at most 4 GiB and a chain at most 1024 long */
    req_len = iov_len(e->out_sg, e->out_num);
    resp_cap = iov_len(e->in_sg, e->in_num);
    if (resp_cap < FOOTER_LEN) {
        violation(
            v,
            "queue %u: writable part of %zu bytes cannot hold the response footer",
            qidx, resp_cap);
        return false;
    }
    if (req_len > max_req || resp_cap > max_resp) {
        /* As the device: INVAL in the footer, nothing copied */
        struct virtio_ipsec_resp_footer f = {
            .status = VIRTIO_IPSEC_INVAL,
        };

        iov_from(e->in_sg, e->in_num, resp_cap - FOOTER_LEN,
                 (const uint8_t *)&f, sizeof(f));
        *used = resp_cap;
        return true;
    }
    if (!ctrl) {
        /*
         * Zero-copy: the engine copies the header and packet descriptors
         * once and checks that copy, and reads and writes the packets in
         * the mapped guest buffers (engine/vipsec_core.h).
         */
        ret = vpe_queue_handle_data_sg(eq, e->out_sg, e->out_num, e->in_sg,
                                       e->in_num);
        if (vpe_core_event_pending(v->core)) {
            atomic_store(&v->events_maybe, true);
        }
        if (ret < 0 || (size_t)ret > resp_cap) {
            violation(v, "queue %u: malformed request chain", qidx);
            return false;
        }
        *used = ret;
        return true;
    }
    /* Control: keys must not stay in guest-visible or freed memory */
    if (!grow(req, req_size, req_len) || !grow(resp, resp_size, resp_cap)) {
        violation(v, "queue %u: out of memory for a %zu/%zu byte request", qidx,
                  req_len, resp_cap);
        return false;
    }
    /* The engine parses a private copy the guest cannot change under it */
    iov_to(e->out_sg, e->out_num, *req);
    /* Nothing of an earlier request may reach the guest through resp */
    memset(*resp, 0, resp_cap);
    vpe_core_tick(v->core, now_seconds());
    ret = vpe_core_handle_ctrl(v->core, *req, req_len, *resp, resp_cap);
    if (vpe_core_event_pending(v->core)) {
        atomic_store(&v->events_maybe, true);
    }
    explicit_bzero(*req, req_len); /* SA_ADD keys */
    if (ret < 0 || (size_t)ret > resp_cap) {
        violation(v, "queue %u: malformed request chain", qidx);
        return false;
    }
    iov_from(e->in_sg, e->in_num, 0, *resp, resp_cap);
    *used = ret;
    return true;
}

/*
 * Answer up to budget requests of one queue. Returns how many were
 * answered, or -1 after a violation.
 *
 * A data request goes back to the driver as soon as it is answered
 * (used ring index and, when the driver wants one, a call): a driver
 * that keeps several requests in flight refills the ring while the
 * next one is served instead of waiting for the whole pass. Whether
 * the call is wanted is the driver's to say (VIRTIO_RING_F_EVENT_IDX's
 * used_event, else VRING_AVAIL_F_NO_INTERRUPT); vu_queue_notify() reads
 * that and only then writes the call eventfd. The control queue answers
 * one request at a time anyway: one call for the pass.
 */
static int serve_queue(struct vv *v, unsigned int qidx, struct vpe_queue *eq,
                       uint8_t **req, size_t *req_size, uint8_t **resp,
                       size_t *resp_size, unsigned int budget)
{
    VuVirtq *vq = vu_get_queue(&v->dev, qidx);
    bool each = eq != NULL;
    int done = 0;

    while (budget-- && !atomic_load(&v->broken)) {
        VuVirtqElement *e = vu_queue_pop(&v->dev, vq, sizeof(*e));
        uint32_t used = 0;

        if (!e) {
            break;
        }
        if (!handle_elem(v, eq, e, req, req_size, resp, resp_size, &used,
                         qidx)) {
            free(e);
            return -1;
        }
        vu_queue_push(&v->dev, vq, e, used);
        free(e);
        done++;
        if (each) {
            vu_queue_notify(&v->dev, vq);
        }
    }
    if (done && !each) {
        vu_queue_notify(&v->dev, vq);
    }
    return done;
}

/*
 * Move events the engine queued into buffers the driver posted on the
 * event queue (control thread). A buffer that cannot take a whole event
 * is a protocol violation.
 */
static void deliver_events(struct vv *v)
{
    VuVirtq *vq = vu_get_queue(&v->dev, v->nq + 1);
    struct virtio_ipsec_event ev;
    bool notify = false;

    atomic_store(&v->events_maybe, false);
    if (!(v->features & (1ull << VIRTIO_IPSEC_F_EVENTQ)) ||
        !vu_queue_started(&v->dev, vq) || !vu_queue_enabled(&v->dev, vq)) {
        return;
    }
    for (;;) {
        VuVirtqElement *e;
        bool got;

        got = vpe_core_event_pending(v->core);
        if (!got || atomic_load(&v->broken)) {
            break;
        }
        e = vu_queue_pop(&v->dev, vq, sizeof(*e));
        if (!e) {
            break;
        }
        if (e->out_num || iov_len(e->in_sg, e->in_num) < sizeof(ev)) {
            violation(
                v,
                "event buffer must be %zu device-writable bytes (got %u readable descriptors, %zu writable bytes)",
                sizeof(ev), e->out_num, iov_len(e->in_sg, e->in_num));
            free(e);
            break;
        }
        got = vpe_core_next_event(v->core, &ev);
        if (!got) {
            vu_queue_unpop(&v->dev, vq, e, 0);
            free(e);
            break;
        }
        iov_from(e->in_sg, e->in_num, 0, (const uint8_t *)&ev, sizeof(ev));
        vu_queue_push(&v->dev, vq, e, sizeof(ev));
        free(e);
        notify = true;
    }
    if (notify) {
        vu_queue_notify(&v->dev, vq);
    }
}

static void ctrl_handler(VuDev *dev, int qidx)
{
    static size_t req_size, resp_size;

    if (serve_queue(&vv, qidx, NULL, &vv.ctrl_req, &req_size, &vv.ctrl_resp,
                    &resp_size, UINT_MAX) >= 0) {
        deliver_events(&vv);
    }
}

static void event_handler(VuDev *dev, int qidx)
{
    deliver_events(&vv);
}

/* ---- data queue workers ------------------------------------------------ */

/*
 * Take vu_lock for reading, unless the worker is told to stop first. The
 * control thread may hold it for writing while it joins this worker
 * (queue_set_started() runs inside vu_dispatch()): never block on it.
 */
static bool worker_lock(struct worker *w)
{
    for (;;) {
        if (atomic_load(&w->stop)) {
            return false;
        }
        if (pthread_rwlock_tryrdlock(&w->v->vu_lock) == 0) {
            if (!atomic_load(&w->stop)) {
                return true;
            }
            pthread_rwlock_unlock(&w->v->vu_lock);
            return false;
        }
        usleep(50);
    }
}

/*
 * Poll the ring for up to spin_us microseconds: true when a request came
 * (or the worker must stop), false when the budget ran out.
 */
static bool worker_spin(struct worker *w, VuVirtq *vq)
{
    struct vv *v = w->v;
    struct timespec t0, t;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        if (!vu_queue_empty(&v->dev, vq) || atomic_load(&w->stop)) {
            return true;
        }
        clock_gettime(CLOCK_MONOTONIC, &t);
        if ((t.tv_sec - t0.tv_sec) * 1000000 + (t.tv_nsec - t0.tv_nsec) / 1000 >=
            (long)v->spin_us) {
            return false;
        }
    }
}

/*
 * One pass under vu_lock: serve up to WORKER_BUDGET requests with the
 * driver's kicks suppressed (VRING_USED_F_NO_NOTIFY, or with
 * VIRTIO_RING_F_EVENT_IDX an avail_event left behind), spinning up to
 * spin_us when the ring is empty. Returns -1 after a violation, 1 when
 * the ring may hold more (serve again without sleeping), 0 when the
 * worker may sleep until the next kick: kicks are then enabled again and
 * the ring was seen empty after that, so a request the driver published
 * while it saw them suppressed is not left waiting.
 */
static int worker_pass(struct worker *w)
{
    struct vv *v = w->v;
    VuVirtq *vq = vu_get_queue(&v->dev, w->idx);
    int n;

    /*
     * A guest may kick a ring whose addresses it never set:
     * vu_queue_set_notification() would write through them unchecked.
     * Nothing to serve: sleep until the next kick.
     */
    if (!vq->vring.avail || !vq->vring.used) {
        return 0;
    }
    /* A kick per request while this thread is awake anyway is waste */
    vu_queue_set_notification(&v->dev, vq, 0);
    /* No bounce buffers: data requests are zero-copy */
    n = serve_queue(v, w->idx, w->eq, NULL, NULL, NULL, NULL, WORKER_BUDGET);
    if (n != 0) {
        return n < 0 ? -1 : 1;
    }
    if (v->spin_us && worker_spin(w, vq)) {
        return 1;
    }
    /* Ask for kicks again (with a full barrier), then look once more */
    vu_queue_set_notification(&v->dev, vq, 1);
    return vu_queue_empty(&v->dev, vq) ? 0 : 1;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct vv *v = w->v;
    struct pollfd p[2] = {
        {.fd = w->kick_fd, .events = POLLIN},
        {.fd = w->kill_fd, .events = POLLIN},
    };
    eventfd_t cnt;

    for (;;) {
        int n;

        if (!worker_lock(w)) {
            break;
        }
        /*
         * The lock is released after every pass, busy or not: the
         * control thread's vu_dispatch() waits at most one pass.
         */
        n = worker_pass(w);
        pthread_rwlock_unlock(&v->vu_lock);
        if (atomic_load(&v->events_maybe)) {
            notify_control(v);
        }
        if (n < 0) {
            break; /* the control thread drops the connection */
        }
        if (n > 0) {
            continue;
        }
        if (poll(p, 2, -1) < 0 && errno != EINTR) {
            break;
        }
        if (p[1].revents) {
            break;
        }
        if (p[0].revents & POLLIN) {
            eventfd_read(w->kick_fd, &cnt);
        } else if (p[0].revents) {
            usleep(1000); /* fd replaced under us: stop is coming */
        }
    }
    return NULL;
}

static void worker_stop(struct worker *w)
{
    if (!w->running) {
        return;
    }
    atomic_store(&w->stop, true);
    eventfd_write(w->kill_fd, 1);
    pthread_join(w->thread, NULL);
    w->running = false;
}

static void worker_start(struct worker *w, int kick_fd)
{
    eventfd_t cnt;

    worker_stop(w);
    if (kick_fd < 0) {
        return;
    }
    eventfd_read(w->kill_fd, &cnt); /* nonblocking: drop an old stop */
    atomic_store(&w->stop, false);
    w->kick_fd = kick_fd;
    if (pthread_create(&w->thread, NULL, worker_main, w)) {
        violation(w->v, "cannot start the worker of queue %u", w->idx);
        return;
    }
    w->running = true;
}

/* ---- libvhost-user callbacks --------------------------------------------- */

static uint64_t vv_get_features(VuDev *dev)
{
    uint64_t f;

    f = vpe_core_features(vv.core) & DEV_FEATURE_MASK;
    f &= ~(1ull << VIRTIO_IPSEC_F_MQ);
    if (vv.nq > 1) {
        f |= 1ull << VIRTIO_IPSEC_F_MQ;
    }
    return f;
}

static void vv_set_features(VuDev *dev, uint64_t features)
{
    vv.features = features;
    vpe_core_set_features(vv.core, features & DEV_FEATURE_MASK);
}

static void vv_queue_set_started(VuDev *dev, int qidx, bool started)
{
    VuVirtq *vq = vu_get_queue(dev, qidx);

    if (qidx < 0 || (uint32_t)qidx > vv.nq + 1) {
        return;
    }
    if ((uint32_t)qidx < vv.nq) {
        if (started) {
            worker_start(&vv.w[qidx], vq->kick_fd);
        } else {
            worker_stop(&vv.w[qidx]);
        }
    } else if (started) {
        vu_set_queue_handler(
            dev, vq, (uint32_t)qidx == vv.nq ? ctrl_handler : event_handler);
    } else {
        vu_set_queue_handler(dev, vq, NULL);
    }
}

static int vv_get_config(VuDev *dev, uint8_t *config, uint32_t len)
{
    struct virtio_ipsec_config cfg;

    memset(&cfg, 0, sizeof(cfg));
    vpe_core_fill_config(vv.core, &cfg);
    cfg.max_data_queues = htole32(vv.nq);
    cfg.status = htole32(le32toh(cfg.status) | VIRTIO_IPSEC_S_HW_READY);
    memset(config, 0, len);
    memcpy(config, &cfg, len < sizeof(cfg) ? len : sizeof(cfg));
    return 0;
}

/*
 * Config space is read-only to the guest. The front end writes 0 to the
 * status field on a device reset (vhost-user has no reset message): forget
 * every SA, group and event, zeroing keys, as the in-QEMU device does.
 */
static int vv_set_config(VuDev *dev, const uint8_t *data, uint32_t offset,
                         uint32_t size, uint32_t flags)
{
    uint32_t val;

    if (flags != VHOST_SET_CONFIG_TYPE_MASTER ||
        offset != offsetof(struct virtio_ipsec_config, status) ||
        size != sizeof(val)) {
        logmsg("refusing a config write of %u bytes at %u", size, offset);
        return -1;
    }
    memcpy(&val, data, sizeof(val));
    if (val) {
        return -1;
    }
    vpe_core_reset(vv.core);
    if (vv.verbose) {
        logmsg("device reset");
    }
    return 0;
}

/*
 * What libvhost-user 7.2 takes from a message without checking it (an
 * index into its queue or region arrays, a ring size, a config size or
 * offset handed to our callbacks): refuse it here, before it is used.
 * NULL when the message is fine.
 */
static const char *vv_msg_bad(VuDev *dev, VhostUserMsg *vmsg)
{
    uint32_t n;

    switch (vmsg->request) {
    case VHOST_USER_SET_VRING_NUM:
        n = vmsg->payload.state.num;
        if (n == 0 || n > VIRTQUEUE_MAX_SIZE || (n & (n - 1))) {
            return "ring size not a power of two in 1..1024";
        }
        /* fall through */
    case VHOST_USER_SET_VRING_BASE:
    case VHOST_USER_GET_VRING_BASE:
    case VHOST_USER_SET_VRING_ENABLE:
        if (vmsg->payload.state.index >= dev->max_queues) {
            return "queue index out of range";
        }
        return NULL;
    case VHOST_USER_SET_VRING_ADDR:
        if (vmsg->payload.addr.index >= dev->max_queues) {
            return "queue index out of range";
        }
        return NULL;
    case VHOST_USER_SET_MEM_TABLE:
        if (vmsg->payload.memory.nregions > VHOST_MEMORY_BASELINE_NREGIONS ||
            vmsg->payload.memory.nregions != vmsg->fd_num) {
            return "memory table with a bad region count";
        }
        return NULL;
    case VHOST_USER_ADD_MEM_REG:
        if (dev->nregions >= VHOST_USER_MAX_RAM_SLOTS) {
            return "too many memory regions";
        }
        return NULL;
    case VHOST_USER_GET_CONFIG:
    case VHOST_USER_SET_CONFIG:
        n = vmsg->payload.config.size;
        if (n > sizeof(struct virtio_ipsec_config) ||
            vmsg->payload.config.offset >
                sizeof(struct virtio_ipsec_config) - n) {
            return "config size or offset beyond the config space";
        }
        return NULL;
    default:
        return NULL;
    }
}

/*
 * QEMU closed the socket: libvhost-user reads that as a VHOST_USER_NONE
 * message, on which it calls exit(0), skipping the key zeroing and the
 * next connection. Take it as a disconnect instead.
 */
static int vv_process_msg(VuDev *dev, VhostUserMsg *vmsg, int *do_reply)
{
    const char *bad;

    if (vmsg->request == VHOST_USER_NONE) {
        *do_reply = 0;
        atomic_store(&vv.peer_closed, true);
        return 1;
    }
    bad = vv_msg_bad(dev, vmsg);
    if (!bad) {
        return 0; /* libvhost-user handles it */
    }
    /* Handled: by dropping the connection, with no reply */
    *do_reply = 0;
    violation(&vv, "vhost-user message %u: %s", vmsg->request, bad);
    return 1;
}

static const VuDevIface vv_iface = {
    .process_msg = vv_process_msg,
    .get_features = vv_get_features,
    .set_features = vv_set_features,
    .queue_set_started = vv_queue_set_started,
    .get_config = vv_get_config,
    .set_config = vv_set_config,
};

static void vv_set_watch(VuDev *dev, int fd, int cond, vu_watch_cb cb,
                         void *data)
{
    unsigned int i;

    for (i = 0; i < vv.nwatches; i++)
        if (vv.watches[i].fd == fd) {
            break;
        }
    if (i == vv.nwatches) {
        if (vv.nwatches == MAX_WATCHES) {
            violation(&vv, "too many watched fds");
            return;
        }
        vv.nwatches++;
    }
    vv.watches[i] = (struct watch){fd, cond, cb, data};
    vv.watch_gen++;
}

static void vv_remove_watch(VuDev *dev, int fd)
{
    for (unsigned int i = 0; i < vv.nwatches; i++) {
        if (vv.watches[i].fd == fd) {
            vv.watches[i] = vv.watches[--vv.nwatches];
            vv.watch_gen++;
            return;
        }
    }
}

/* ---- connection and main loop -------------------------------------------- */

static void disconnect(struct vv *v)
{
    for (uint32_t i = 0; i < v->nq; i++) {
        worker_stop(&v->w[i]);
    }
    if (v->dev_up) {
        vu_deinit(&v->dev); /* closes the socket and the queue fds */
        v->dev_up = false;
    }
    v->nwatches = 0;
    v->features = 0;
    vpe_core_reset(v->core); /* every key zeroed */
    vpe_core_set_features(v->core, 0);
    atomic_store(&v->broken, false);
    atomic_store(&v->events_maybe, false);
    atomic_store(&v->peer_closed, false);
}

static int listen_on(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int fd;

    if (strlen(path) >= sizeof(sa.sun_path)) {
        logmsg("socket path too long (at most %zu bytes): %s",
               sizeof(sa.sun_path) - 1, path);
        return -1;
    }
    strcpy(sa.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        logmsg("socket: %s", strerror(errno));
        return -1;
    }
    unlink(path);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0) {
        logmsg("cannot listen on %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: " PROG " --socket PATH [options]\n"
        "vhost-user backend for the virtio-ipsec device: serves a QEMU\n"
        "-device vhost-user-ipsec-pci,chardev=...,num-queues=N over the\n"
        "UNIX socket PATH (created; QEMU connects to it).\n"
        "\n"
        "  -s, --socket PATH         listen on PATH (required)\n"
        "  -q, --queues N            data queues, one worker thread each (default 1;\n"
        "                            = the device's num-queues)\n"
        "      --max-sas N           as the device's max-sas (default %u)\n"
        "      --max-groups N        as max-groups (default %u)\n"
        "      --max-packet-len N    as max-packet-len (default %u)\n"
        "      --max-batch N         as max-batch (default %u)\n"
        "      --max-replay-window N as max-replay-window (default %u)\n"
        "      --crypto-backend B    auto, ipsec-mb or kernel (default auto)\n"
        "      --allow-weak-algos    permit DES-CBC and HMAC-MD5-96\n"
        "      --spin-us N           a worker polls its ring N microseconds after\n"
        "                            the last request before sleeping (default 0):\n"
        "                            saves a kick and a wake-up when requests come\n"
        "                            less than N us apart, burns up to N us of a\n"
        "                            core per queue each time the queue runs dry\n"
        "      --once                exit when QEMU disconnects (default: wait for\n"
        "                            the next connection, with a fresh device)\n"
        "  -v, --verbose             log connections and resets\n"
        "  -h, --help                this text\n",
        DEF_MAX_SAS, DEF_MAX_GROUPS, DEF_MAX_PACKET_LEN, DEF_MAX_BATCH,
        DEF_MAX_REPLAY);
}

static bool parse_u32(const char *opt, const char *s, uint32_t lo, uint32_t hi,
                      uint32_t *out)
{
    uint64_t x = 0;
    const char *c;

    /* Decimal digits only: no sign, no spaces, no overflow */
    for (c = s; *c >= '0' && *c <= '9' && x <= UINT32_MAX; c++) {
        x = x * 10 + (*c - '0');
    }
    if (c == s || *c || x < lo || x > hi) {
        logmsg("--%s must be %u..%u, got '%s'", opt, lo, hi, s);
        return false;
    }
    *out = x;
    return true;
}

enum {
    OPT_MAX_SAS = 256,
    OPT_MAX_GROUPS,
    OPT_MAX_PACKET_LEN,
    OPT_MAX_BATCH,
    OPT_MAX_REPLAY,
    OPT_BACKEND,
    OPT_WEAK,
    OPT_SPIN,
    OPT_ONCE,
};

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"socket", required_argument, NULL, 's'},
        {"queues", required_argument, NULL, 'q'},
        {"max-sas", required_argument, NULL, OPT_MAX_SAS},
        {"max-groups", required_argument, NULL, OPT_MAX_GROUPS},
        {"max-packet-len", required_argument, NULL, OPT_MAX_PACKET_LEN},
        {"max-batch", required_argument, NULL, OPT_MAX_BATCH},
        {"max-replay-window", required_argument, NULL, OPT_MAX_REPLAY},
        {"crypto-backend", required_argument, NULL, OPT_BACKEND},
        {"allow-weak-algos", no_argument, NULL, OPT_WEAK},
        {"spin-us", required_argument, NULL, OPT_SPIN},
        {"once", no_argument, NULL, OPT_ONCE},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    struct vpe_core_config cfg = {
        .max_sas = DEF_MAX_SAS,
        .max_groups = DEF_MAX_GROUPS,
        .max_packet_len = DEF_MAX_PACKET_LEN,
        .max_batch = DEF_MAX_BATCH,
        .max_replay_window = DEF_MAX_REPLAY,
        .crypto_backend = "auto",
    };
    const char *path = NULL;
    uint32_t nq = 1, spin = 0;
    bool once = false;
    struct vv *v = &vv;
    pthread_rwlockattr_t ra;
    char err[256];
    int c, lfd, sfd, tfd, rc = 0;
    sigset_t sigs;

    while ((c = getopt_long(argc, argv, "s:q:vh", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            path = optarg;
            break;
        case 'q':
            if (!parse_u32("queues", optarg, 1, MAX_QUEUES, &nq)) {
                return 2;
            }
            break;
        case OPT_MAX_SAS:
            if (!parse_u32("max-sas", optarg, 1, LIMIT_SAS, &cfg.max_sas)) {
                return 2;
            }
            break;
        case OPT_MAX_GROUPS:
            if (!parse_u32("max-groups", optarg, 1, VPE_CORE_MAX_GROUPS,
                           &cfg.max_groups)) {
                return 2;
            }
            break;
        case OPT_MAX_PACKET_LEN:
            if (!parse_u32("max-packet-len", optarg, VPE_CORE_MIN_PACKET_LEN,
                           VPE_CORE_MAX_PACKET_LEN, &cfg.max_packet_len)) {
                return 2;
            }
            break;
        case OPT_MAX_BATCH:
            if (!parse_u32("max-batch", optarg, 1, VPE_CORE_MAX_BATCH,
                           &cfg.max_batch)) {
                return 2;
            }
            break;
        case OPT_MAX_REPLAY:
            if (!parse_u32("max-replay-window", optarg, 32, LIMIT_REPLAY_WINDOW,
                           &cfg.max_replay_window)) {
                return 2;
            }
            break;
        case OPT_BACKEND:
            if (strcmp(optarg, "auto") && strcmp(optarg, "ipsec-mb") &&
                strcmp(optarg, "kernel")) {
                logmsg(
                    "--crypto-backend must be auto, ipsec-mb or kernel, got '%s'",
                    optarg);
                return 2;
            }
            cfg.crypto_backend = optarg;
            break;
        case OPT_WEAK:
            cfg.allow_weak_algos = true;
            break;
        case OPT_SPIN:
            if (!parse_u32("spin-us", optarg, 0, 1000000, &spin)) {
                return 2;
            }
            break;
        case OPT_ONCE:
            once = true;
            break;
        case 'v':
            v->verbose = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc || !path) {
        logmsg(!path ? "--socket PATH is required" : "unexpected argument '%s'",
               argv[optind]);
        usage(stderr);
        return 2;
    }

    v->nq = nq;
    v->spin_us = spin;
    v->max_batch = cfg.max_batch;
    v->max_packet_len = cfg.max_packet_len;
    v->max_req = sizeof(struct virtio_ipsec_data_hdr) +
                 (uint64_t)cfg.max_batch *
                     (sizeof(struct virtio_ipsec_pkt_req) + cfg.max_packet_len);
    v->max_resp =
        (uint64_t)cfg.max_batch *
            (sizeof(struct virtio_ipsec_pkt_result) + cfg.max_packet_len) +
        FOOTER_LEN;
    if (v->max_req > LIMIT_DATA_REQ || v->max_resp > LIMIT_DATA_REQ) {
        logmsg(
            "--max-batch * --max-packet-len too large: one request could exceed %llu MiB",
            LIMIT_DATA_REQ >> 20);
        return 2;
    }
    err[0] = '\0';
    if (!vpe_core_config_check(&cfg, err, sizeof(err))) {
        logmsg("%s", err);
        return 2;
    }
    v->core = vpe_core_new(&cfg, err, sizeof(err));
    if (!v->core) {
        logmsg("cannot set up the IPsec engine: %s",
               err[0] ? err : "unknown error");
        return 1;
    }
    /* Writers first: the workers must not starve vu_dispatch() */
    pthread_rwlockattr_init(&ra);
    pthread_rwlockattr_setkind_np(&ra,
                                  PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&v->vu_lock, &ra);
    v->w = calloc(nq, sizeof(*v->w));
    v->notify_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (!v->w || v->notify_fd < 0) {
        logmsg("out of memory");
        return 1;
    }
    for (uint32_t i = 0; i < nq; i++) {
        v->w[i].v = v;
        v->w[i].idx = i;
        v->w[i].kill_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (v->w[i].kill_fd < 0) {
            logmsg("eventfd: %s", strerror(errno));
            return 1;
        }
        /* One engine queue per worker: its own crypto state and scratch */
        v->w[i].eq = vpe_queue_new(v->core, err, sizeof(err));
        if (!v->w[i].eq) {
            logmsg("cannot set up engine queue %u: %s", i,
                   err[0] ? err : "unknown error");
            return 1;
        }
    }

    /* SIGINT/SIGTERM end the loop: keys are zeroed on the way out */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    sfd = signalfd(-1, &sigs, SFD_CLOEXEC);
    tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    lfd = listen_on(path);
    if (sfd < 0 || tfd < 0 || lfd < 0) {
        if (sfd < 0 || tfd < 0) {
            logmsg("signalfd/timerfd: %s", strerror(errno));
        }
        vpe_core_free(v->core);
        return 1;
    }
    {
        struct itimerspec it = {
            .it_interval = {.tv_sec = 1},
            .it_value = {.tv_sec = 1},
        };

        timerfd_settime(tfd, 0, &it, NULL);
    }
    logmsg("listening on %s (%u data queue%s)", path, nq, nq > 1 ? "s" : "");

    for (;;) {
        struct pollfd p[4 + MAX_WATCHES];
        struct watch w[MAX_WATCHES];
        unsigned int nw = 0, np = 4, gen = v->watch_gen;
        uint64_t x;

        p[0] = (struct pollfd){.fd = sfd, .events = POLLIN};
        p[1] = (struct pollfd){.fd = tfd, .events = POLLIN};
        p[2] = (struct pollfd){.fd = v->notify_fd, .events = POLLIN};
        p[3] = (struct pollfd){.fd = v->dev_up ? v->dev.sock : lfd,
                               .events = POLLIN};
        if (v->dev_up) {
            nw = v->nwatches;
            memcpy(w, v->watches, nw * sizeof(w[0]));
            for (unsigned int i = 0; i < nw; i++) {
                p[np++] = (struct pollfd){.fd = w[i].fd, .events = w[i].cond};
            }
        }
        if (poll(p, np, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            logmsg("poll: %s", strerror(errno));
            rc = 1;
            break;
        }
        if (p[0].revents) {
            struct signalfd_siginfo si;

            if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
                logmsg("signal %u: exiting", si.ssi_signo);
            }
            break;
        }
        if (p[1].revents && read(tfd, &x, sizeof(x)) > 0) {
            vpe_core_tick(v->core, now_seconds());
            if (vpe_core_event_pending(v->core)) {
                atomic_store(&v->events_maybe, true);
            }
        }
        if (p[2].revents) {
            eventfd_read(v->notify_fd, &x);
        }
        if (!v->dev_up) {
            if (p[3].revents) {
                int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

                if (fd < 0) {
                    continue;
                }
                if (!vu_init(&v->dev, nq + 2, fd, vv_panic, NULL, vv_set_watch,
                             vv_remove_watch, &vv_iface)) {
                    logmsg("vu_init failed");
                    close(fd);
                    continue;
                }
                v->dev_up = true;
                if (v->verbose) {
                    logmsg("QEMU connected");
                }
            }
            continue;
        }
        if (p[3].revents && !atomic_load(&v->broken)) {
            bool ok;

            pthread_rwlock_wrlock(&v->vu_lock);
            ok = vu_dispatch(&v->dev);
            pthread_rwlock_unlock(&v->vu_lock);
            if (!ok || atomic_load(&v->peer_closed)) {
                if (!atomic_load(&v->broken)) {
                    logmsg("QEMU disconnected");
                }
                atomic_store(&v->broken, true);
            }
        }
        /*
         * Kicks of the control and event queues; a message may have
         * replaced the fds polled: poll again first.
         */
        for (unsigned int i = 0;
             i < nw && gen == v->watch_gen && !atomic_load(&v->broken); i++) {
            if (p[4 + i].revents) {
                w[i].cb(&v->dev, p[4 + i].revents, w[i].data);
            }
        }
        if (!atomic_load(&v->broken) && atomic_load(&v->events_maybe)) {
            deliver_events(v);
        }
        if (atomic_load(&v->broken)) {
            disconnect(v);
            logmsg("connection closed; every SA forgotten%s",
                   once ? "" : ", waiting for QEMU");
            if (once) {
                break;
            }
        }
    }
    disconnect(v);
    close(lfd);
    unlink(path);
    for (uint32_t i = 0; i < nq; i++) {
        vpe_queue_free(v->w[i].eq);
    }
    vpe_core_free(v->core); /* zeroes every key */
    return rc;
}
