/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-ipsec guest driver: request tracking on one virtqueue.
 *
 * A request is one buffer: the device-readable part at offset 0, the
 * device-writable part at req->out (8-byte aligned). It is the virtqueue
 * token and sits on its queue's in-flight list from submission until the
 * device returns it.
 *
 * Ownership: vipsec_req_submit_wait() returns 0 when the device completed
 * the request; the caller then reads the response and frees the request.
 * On any error the request belongs to the queue: if the device still holds
 * it, it is marked abandoned and freed when the device returns it or at
 * remove, never before.
 */
#ifndef VIPSEC_VQ_H
#define VIPSEC_VQ_H

#include <linux/completion.h>
#include <linux/interrupt.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/virtio.h>
#include <linux/workqueue.h>

struct vipsec_queue {
	struct virtqueue *vq;
	spinlock_t lock;		/* vq, inflight, dead, req state */
	struct list_head inflight;	/* struct vipsec_req.node */
	struct tasklet_struct tasklet;	/* collects completions */
	bool dead;			/* remove started: refuse new work */
	/* requests that timed out and the device still holds */
	unsigned int stalled;
	/* jiffies: no wait for a stalled device to answer before this */
	unsigned long stall_probe_next;
	/* requests handed to the device (sysfs queue_requests) */
	atomic64_t requests;
	/* descriptors one request may have: the ring's size (find_vqs) */
	unsigned int ring_size;
	char name[16];
};

/*
 * Footer status a request's buffer starts with: no device status, so a
 * response the device never wrote fails the footer check.
 */
#define VIPSEC_STATUS_UNWRITTEN	0xff

struct vipsec_req;

/*
 * A request whose device-visible parts are not just buf and out (data
 * requests in zero-copy form, xform.c): the scatterlist the device gets
 * instead, sg_nin device-readable entries then sg_nout device-writable
 * ones, naming buf, out and user pages pinned for the request. The pins
 * are dropped by vipsec_req_unpin() or vipsec_req_free(), in process
 * context (written pages are dirtied, which may sleep); an abandoned
 * request the tasklet collects is freed from vipsec_wq for that.
 */
struct vipsec_req_pins {
	struct work_struct work;	/* free from atomic context */
	struct vipsec_req *req;
	struct scatterlist *sg;
	unsigned int sg_nin, sg_nout;
	unsigned int n_ro;		/* pages[0..n_ro): only read */
	unsigned int n_pages;		/* pages[n_ro..n_pages): written */
	unsigned int max_pages;
	struct page *pages[];
};

/*
 * Completion of an asynchronous request, called from the queue's tasklet
 * (err 0: the device returned it) or at remove/freeze after the device
 * reset (err -ENODEV/-EIO: the device will never return it). Must not
 * sleep; the request belongs to the callee from then on.
 */
typedef void (*vipsec_req_done_t)(struct vipsec_req *req, int err);

struct vipsec_req {
	struct list_head node;		/* on vipsec_queue.inflight */
	vipsec_req_done_t done_fn;	/* async requests only */
	void *priv;			/* for done_fn */
	struct completion done;
	bool completed;			/* under queue lock */
	bool abandoned;			/* under queue lock */
	bool timed_out;			/* abandoned on timeout; q lock */
	bool sensitive;			/* holds key material: zeroed on free */
	/*
	 * Called by vipsec_req_free(), in whatever context frees the request
	 * (the tasklet for an abandoned one): must not sleep. Lets the owner
	 * know the device is done with what the request names (xform.c).
	 */
	void (*release_fn)(struct vipsec_req *req);
	void *release_ctx;
	unsigned int release_tag;
	u32 used_len;			/* from the used ring; for checks only */
	size_t in_len;			/* device-readable bytes at buf */
	size_t out_len;			/* device-writable bytes at out */
	void *out;			/* buf + ALIGN(in_len, 8) */
	u8 *buf;			/* kvzalloc'ed, zeroed */
	struct vipsec_req_pins *pins;	/* zero-copy form, or NULL */
};

struct vipsec_req *vipsec_req_alloc(size_t in_len, size_t out_len);
void vipsec_req_free(struct vipsec_req *req);
struct vipsec_req_pins *vipsec_req_pins_alloc(struct vipsec_req *req,
					      unsigned int max_pages,
					      unsigned int nsg);
void vipsec_req_unpin(struct vipsec_req *req);
unsigned int vipsec_sg_count(const void *buf, size_t len);
void vipsec_sg_fill(struct scatterlist *sg, unsigned int n, const u8 *buf,
		    size_t len);
int vipsec_req_submit_wait(struct vipsec_queue *q, struct vipsec_req *req,
			   unsigned int timeout_ms, bool intr);
int vipsec_req_submit_async(struct vipsec_queue *q, struct vipsec_req *req);
bool vipsec_queue_idle(struct vipsec_queue *q);
bool vipsec_queue_stalled(struct vipsec_queue *q);
void vipsec_queue_poll(struct vipsec_queue *q);

void vipsec_queue_init(struct vipsec_queue *q, const char *fmt, int idx);
void vipsec_queue_callback(struct vipsec_queue *q);
void vipsec_queue_kill(struct vipsec_queue *q);
void vipsec_queue_reclaim(struct vipsec_queue *q, int err);
void vipsec_queue_forget_vq(struct vipsec_queue *q);
void vipsec_queue_revive(struct vipsec_queue *q);

#endif /* VIPSEC_VQ_H */
