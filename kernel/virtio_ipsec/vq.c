// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-ipsec guest driver: request tracking on one virtqueue.
 *
 * The virtqueue callback only schedules the queue's tasklet; the tasklet
 * collects used buffers and completes their waiters (or frees abandoned
 * requests). All state of a queue and of its in-flight requests is under
 * vipsec_queue.lock.
 */

#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/virtio_ipsec.h>

#include "main.h"
#include "vq.h"

struct vipsec_req *vipsec_req_alloc(size_t in_len, size_t out_len)
{
	struct vipsec_req *req;
	size_t off = ALIGN(in_len, 8);

	if (!in_len || !out_len || off + out_len < off)
		return NULL;
	req = kzalloc(sizeof(*req), GFP_KERNEL);
	if (!req)
		return NULL;
	req->buf = kvzalloc(off + out_len, GFP_KERNEL);
	if (!req->buf) {
		kfree(req);
		return NULL;
	}
	init_completion(&req->done);
	INIT_LIST_HEAD(&req->node);
	req->in_len = in_len;
	req->out_len = out_len;
	req->out = req->buf + off;
	/*
	 * A zeroed footer reads as OK: a device that returns the buffer
	 * without writing it must not look successful.
	 */
	if (out_len >= sizeof(struct virtio_ipsec_resp_footer))
		((struct virtio_ipsec_resp_footer *)(req->out + out_len -
			sizeof(struct virtio_ipsec_resp_footer)))->status =
			VIPSEC_STATUS_UNWRITTEN;
	return req;
}

/*
 * Sets up the zero-copy form of @req: room for @max_pages pins and a
 * scatterlist of @nsg entries, which the caller fills (sg_nin, sg_nout,
 * pages). Freed with the request.
 */
struct vipsec_req_pins *vipsec_req_pins_alloc(struct vipsec_req *req,
					      unsigned int max_pages,
					      unsigned int nsg)
{
	struct vipsec_req_pins *p;

	p = kvmalloc(struct_size(p, pages, max_pages), GFP_KERNEL);
	if (!p)
		return NULL;
	p->sg = kvmalloc_array(nsg, sizeof(*p->sg), GFP_KERNEL);
	if (!p->sg) {
		kvfree(p);
		return NULL;
	}
	p->req = req;
	p->sg_nin = 0;
	p->sg_nout = 0;
	p->n_ro = 0;
	p->n_pages = 0;
	p->max_pages = max_pages;
	req->pins = p;
	return p;
}

/*
 * Drops the user pages @req names, once the device is done with them
 * (returned the request or was reset). Process context: dirtying the
 * pages the device wrote may sleep.
 */
void vipsec_req_unpin(struct vipsec_req *req)
{
	struct vipsec_req_pins *p = req->pins;

	if (!p)
		return;
	might_sleep();
	req->pins = NULL;
	unpin_user_pages(p->pages, p->n_ro);
	unpin_user_pages_dirty_lock(p->pages + p->n_ro, p->n_pages - p->n_ro,
				    true);
	kvfree(p->sg);
	kvfree(p);
}

/* Process context, unless the request has no pins (see vq.h). */
void vipsec_req_free(struct vipsec_req *req)
{
	if (!req)
		return;
	if (req->release_fn)
		req->release_fn(req);
	vipsec_req_unpin(req);
	if (req->sensitive)
		memzero_explicit(req->buf, ALIGN(req->in_len, 8) + req->out_len);
	kvfree(req->buf);
	kfree(req);
}

static void vipsec_req_free_work(struct work_struct *work)
{
	vipsec_req_free(container_of(work, struct vipsec_req_pins, work)->req);
}

/*
 * Frees a request the device gave back after its waiter left, from the
 * tasklet or with bottom halves off: one with pins in vipsec_wq, which
 * remove and freeze flush after the reclaim (vipsec_del_vqs()).
 */
static void vipsec_req_free_dead(struct vipsec_req *req)
{
	if (!req->pins) {
		vipsec_req_free(req);
		return;
	}
	INIT_WORK(&req->pins->work, vipsec_req_free_work);
	queue_work(vipsec_wq, &req->pins->work);
}

/* Number of scatterlist entries vipsec_sg_fill() needs for @len at @buf. */
unsigned int vipsec_sg_count(const void *buf, size_t len)
{
	if (!is_vmalloc_addr(buf))
		return 1;
	return DIV_ROUND_UP(offset_in_page(buf) + len, PAGE_SIZE);
}

/* Sets @n entries (vipsec_sg_count()) of an initialised table. */
void vipsec_sg_fill(struct scatterlist *sg, unsigned int n, const u8 *buf,
		    size_t len)
{
	unsigned int i;

	if (!is_vmalloc_addr(buf)) {
		sg_set_buf(sg, buf, len);
		return;
	}
	for (i = 0; i < n; i++) {
		size_t off = offset_in_page(buf);
		size_t chunk = min_t(size_t, len, PAGE_SIZE - off);

		sg_set_page(&sg[i], vmalloc_to_page(buf), chunk, off);
		buf += chunk;
		len -= chunk;
	}
}

/*
 * Hands @req to the device. Must hold q->lock. q->vq is only looked at
 * while the queue lives: after a freeze whose restore failed it is a
 * deleted virtqueue.
 */
static int vipsec_req_add(struct vipsec_queue *q, struct vipsec_req *req,
			  struct scatterlist *sg, unsigned int nin,
			  unsigned int nout)
{
	struct scatterlist *sgs[2] = { sg, sg + nin };
	int err;

	lockdep_assert_held(&q->lock);
	if (q->dead)
		return -ENODEV;
	if (nin + nout > virtqueue_get_vring_size(q->vq)) {
		pr_debug_ratelimited("%s: request needs %u descriptors\n",
				     q->name, nin + nout);
		return -E2BIG;
	}
	err = virtqueue_add_sgs(q->vq, sgs, 1, 1, req, GFP_ATOMIC);
	if (err)
		return err == -ENOSPC ? -EBUSY : err;
	list_add_tail(&req->node, &q->inflight);
	atomic64_inc(&q->requests);
	return 0;
}

/*
 * Puts @req on the ring and kicks. On error @req is untouched (the caller
 * still owns it); on success the queue tracks it.
 */
static int vipsec_req_post(struct vipsec_queue *q, struct vipsec_req *req)
{
	unsigned int nin, nout;
	struct scatterlist *sg;
	bool kick = false;
	int err;

	if (vipsec_queue_stalled(q)) {
		pr_debug_ratelimited("%s: device not answering, refused\n",
				     q->name);
		return -EIO;
	}
	if (req->pins) {	/* built by the owner (zero-copy) */
		sg = req->pins->sg;
		nin = req->pins->sg_nin;
		nout = req->pins->sg_nout;
	} else {
		nin = vipsec_sg_count(req->buf, req->in_len);
		nout = vipsec_sg_count(req->out, req->out_len);
		sg = kmalloc_array(nin + nout, sizeof(*sg), GFP_KERNEL);
		if (!sg)
			return -ENOMEM;
		sg_init_table(sg, nin);
		sg_init_table(sg + nin, nout);
		vipsec_sg_fill(sg, nin, req->buf, req->in_len);
		vipsec_sg_fill(sg + nin, nout, req->out, req->out_len);
	}

	spin_lock_bh(&q->lock);
	err = vipsec_req_add(q, req, sg, nin, nout);
	if (!err)
		kick = virtqueue_kick_prepare(q->vq);
	spin_unlock_bh(&q->lock);
	if (!req->pins)
		kfree(sg);	/* the ring holds the addresses, not the list */
	if (!err && kick)
		virtqueue_notify(q->vq);
	return err;
}

/*
 * Submits @req with req->done_fn set; returns 0 when it is on the ring
 * (done_fn then runs exactly once) or an error (the caller keeps @req).
 */
int vipsec_req_submit_async(struct vipsec_queue *q, struct vipsec_req *req)
{
	if (WARN_ON_ONCE(!req->done_fn))
		return -EINVAL;
	return vipsec_req_post(q, req);
}

/*
 * Submits @req and waits for it; see vq.h for who frees it. -EINTR and
 * -ETIMEDOUT mean the device got the request and may still carry it out;
 * every other error means it never will. @intr: a signal ends the wait
 * (teardown requests wait for the device or the timeout instead).
 */
int vipsec_req_submit_wait(struct vipsec_queue *q, struct vipsec_req *req,
			   unsigned int timeout_ms, bool intr)
{
	unsigned long tmo = msecs_to_jiffies(timeout_ms);
	long left;
	int err;

	err = vipsec_req_post(q, req);
	if (err) {
		vipsec_req_free(req);
		return err;
	}

	/*
	 * A request on user pages (zero-copy) is left only for a fatal
	 * signal: after an ordinary one the caller would go on while the
	 * device may still write its buffers (a device answers in far less
	 * than the timeout, so the wait stays short).
	 */
	if (intr && req->pins)
		left = wait_for_completion_killable_timeout(&req->done, tmo);
	else if (intr)
		left = wait_for_completion_interruptible_timeout(&req->done,
								 tmo);
	else
		left = wait_for_completion_timeout(&req->done, tmo);
	if (!left)	/* used but not notified: a lost interrupt */
		vipsec_queue_poll(q);
	spin_lock_bh(&q->lock);
	if (req->completed) {
		err = 0;
	} else {
		req->abandoned = true;
		err = q->dead ? -ENODEV : left < 0 ? -EINTR : -ETIMEDOUT;
		if (err == -ETIMEDOUT) {
			/* fail the next requests fast until it comes back */
			req->timed_out = true;
			if (!q->stalled)	/* the first probe may wait */
				WRITE_ONCE(q->stall_probe_next, jiffies);
			WRITE_ONCE(q->stalled, q->stalled + 1);
		}
	}
	spin_unlock_bh(&q->lock);
	if (err == -ETIMEDOUT)
		pr_debug_ratelimited("%s: request timed out, abandoned\n",
				     q->name);
	else if (!err && !left)
		pr_debug_ratelimited("%s: completion without interrupt\n",
				     q->name);
	return err;
}

/*
 * Collects used buffers. Must hold q->lock; abandoned ones go to @dead,
 * asynchronous ones to @async.
 */
static void vipsec_queue_collect(struct vipsec_queue *q,
				 struct list_head *dead,
				 struct list_head *async)
{
	struct vipsec_req *req;
	unsigned int len;

	lockdep_assert_held(&q->lock);
	while ((req = virtqueue_get_buf(q->vq, &len))) {
		req->used_len = len;
		if (req->abandoned) {
			if (req->timed_out)
				/* the device answers again */
				WRITE_ONCE(q->stalled, q->stalled - 1);
			list_move(&req->node, dead);
			continue;
		}
		if (req->done_fn) {
			list_move_tail(&req->node, async);
			continue;
		}
		list_del_init(&req->node);
		req->completed = true;
		complete(&req->done);
	}
}

/* Collects and completes what the device used. Bottom halves disabled. */
static void vipsec_queue_run(struct vipsec_queue *q)
{
	struct vipsec_req *req, *tmp;
	LIST_HEAD(async);
	LIST_HEAD(dead);

	spin_lock(&q->lock);
	if (!q->dead) {
		do {
			virtqueue_disable_cb(q->vq);
			vipsec_queue_collect(q, &dead, &async);
		} while (!virtqueue_enable_cb(q->vq));
	}
	spin_unlock(&q->lock);

	list_for_each_entry_safe(req, tmp, &dead, node)
		vipsec_req_free_dead(req);
	list_for_each_entry_safe(req, tmp, &async, node) {
		list_del_init(&req->node);
		req->done_fn(req, 0);
	}
}

static void vipsec_queue_tasklet(struct tasklet_struct *t)
{
	struct vipsec_queue *q = from_tasklet(q, t, tasklet);

	vipsec_queue_run(q);
}

/*
 * Process context: collects what the device used without waiting for its
 * interrupt (a device that dropped it). done_fn runs as from the tasklet.
 */
void vipsec_queue_poll(struct vipsec_queue *q)
{
	local_bh_disable();
	vipsec_queue_run(q);
	local_bh_enable();
}

/*
 * A kicked device answers through its own thread (under TCG or a busy
 * host, milliseconds later): how long a request on a stalled queue waits
 * for that before it fails, at most once a second per queue.
 */
#define VIPSEC_STALL_PROBE_MS	250

static bool vipsec_queue_still_stalled(struct vipsec_queue *q)
{
	bool stalled;

	vipsec_queue_poll(q);
	spin_lock_bh(&q->lock);
	stalled = !q->dead && q->stalled;
	spin_unlock_bh(&q->lock);
	return stalled;
}

/*
 * True when a request timed out and the device still holds it: the
 * device stopped answering, and a new request would only wait out its
 * timeout too (close() of a file with N SAs: N timeouts). Each call
 * kicks the queue once more and collects what is used, so a device that
 * answers again, or only lost an interrupt, is used again; a reset
 * (freeze, remove) ends the stall too. The kick is answered
 * asynchronously: once a second a caller waits up to
 * VIPSEC_STALL_PROBE_MS for it, the others fail at once, so a hung
 * device never costs more than that per second of requests. Process
 * context (may sleep).
 */
bool vipsec_queue_stalled(struct vipsec_queue *q)
{
	unsigned long deadline;
	bool stalled;

	might_sleep();
	if (!READ_ONCE(q->stalled))	/* the common case: no lock */
		return false;
	spin_lock_bh(&q->lock);
	stalled = !q->dead && q->stalled;
	if (stalled)
		virtqueue_notify(q->vq);
	spin_unlock_bh(&q->lock);
	if (!stalled || !vipsec_queue_still_stalled(q))
		return false;
	if (time_before(jiffies, READ_ONCE(q->stall_probe_next)))
		return true;
	WRITE_ONCE(q->stall_probe_next, jiffies + HZ);
	deadline = jiffies + msecs_to_jiffies(VIPSEC_STALL_PROBE_MS);
	do {
		usleep_range(2000, 4000);
		if (!vipsec_queue_still_stalled(q))
			return false;
	} while (time_before(jiffies, deadline));
	return true;
}

/* True when the device holds no request of @q (freeze waits for it). */
bool vipsec_queue_idle(struct vipsec_queue *q)
{
	bool idle;

	spin_lock_bh(&q->lock);
	idle = list_empty(&q->inflight);
	spin_unlock_bh(&q->lock);
	return idle;
}

void vipsec_queue_init(struct vipsec_queue *q, const char *fmt, int idx)
{
	spin_lock_init(&q->lock);
	INIT_LIST_HEAD(&q->inflight);
	atomic64_set(&q->requests, 0);
	tasklet_setup(&q->tasklet, vipsec_queue_tasklet);
	snprintf(q->name, sizeof(q->name), fmt, idx);
}

/* Virtqueue callback (hard IRQ): defer the work. */
void vipsec_queue_callback(struct vipsec_queue *q)
{
	tasklet_schedule(&q->tasklet);
}

/* Remove, step 1: refuse new requests and wake every waiter. */
void vipsec_queue_kill(struct vipsec_queue *q)
{
	struct vipsec_req *req;

	spin_lock_bh(&q->lock);
	q->dead = true;
	list_for_each_entry(req, &q->inflight, node)
		complete(&req->done);
	spin_unlock_bh(&q->lock);
}

/*
 * Remove or freeze, after virtio_reset_device(): the device owns nothing
 * any more. Abandoned requests are freed, asynchronous ones completed
 * with @err; synchronous waiters were woken by vipsec_queue_kill() and
 * abandoned theirs.
 */
void vipsec_queue_reclaim(struct vipsec_queue *q, int err)
{
	struct vipsec_req *req, *tmp;
	LIST_HEAD(async);
	LIST_HEAD(dead);

	tasklet_kill(&q->tasklet);
	spin_lock_bh(&q->lock);
	q->dead = true;
	WRITE_ONCE(q->stalled, 0);
	while (q->vq && virtqueue_detach_unused_buf(q->vq))
		;
	list_for_each_entry_safe(req, tmp, &q->inflight, node) {
		if (req->done_fn && !req->abandoned) {
			list_move_tail(&req->node, &async);
			continue;
		}
		WARN_ON_ONCE(!req->abandoned);
		list_move(&req->node, &dead);
	}
	spin_unlock_bh(&q->lock);

	list_for_each_entry_safe(req, tmp, &dead, node)
		vipsec_req_free(req);
	list_for_each_entry_safe(req, tmp, &async, node) {
		list_del_init(&req->node);
		req->done_fn(req, err);
	}
}

/*
 * After del_vqs(): the virtqueue is freed. Until restore gives the queue
 * a new one, nothing may touch it (a restore that failed leaves it so
 * until remove).
 */
void vipsec_queue_forget_vq(struct vipsec_queue *q)
{
	/*
	 * An interrupt between the reclaim's tasklet_kill() and del_vqs()
	 * scheduled the tasklet again (it finds the queue dead): let it
	 * run now, while the queue lives, not after remove freed it.
	 */
	tasklet_kill(&q->tasklet);
	spin_lock_bh(&q->lock);
	WARN_ON_ONCE(!q->dead);
	q->vq = NULL;
	spin_unlock_bh(&q->lock);
}

/* Restore: the queue has a new virtqueue and takes requests again. */
void vipsec_queue_revive(struct vipsec_queue *q)
{
	spin_lock_bh(&q->lock);
	q->dead = false;
	spin_unlock_bh(&q->lock);
}
