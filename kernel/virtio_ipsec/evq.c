// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-ipsec guest driver: the device's event queue
 * (VIRTIO_IPSEC_F_EVENTQ).
 *
 * VIPSEC_EVQ_BUFS device-writable buffers stay posted. The virtqueue
 * callback only queues the work; the work takes each filled buffer,
 * turns it into a struct vipsec_event on the file that owns the SA (found
 * in the device-wide SA table, so another file never sees it), multicasts
 * it on the "virtio_ipsec" genetlink family and posts the buffer again.
 * LOST concerns no SA: every claiming file gets it.
 *
 * Events name an SA by (group, id) only, and ids are reused. An SA id is
 * therefore freed through vipsec_evq_retire(): the device writes an SA's
 * events before it completes the SA's delete (and drops those it still
 * holds, see the device spec), so once a pass of the work that began
 * after the delete has emptied the ring, no event of the old SA is left
 * to reach the id's next owner. That pass frees the id.
 */

#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/virtio_ipsec_dev.h>

#include "chardev.h"
#include "event.h"
#include "evq.h"
#include "genl.h"
#include "main.h"

static const u16 vipsec_evq_types[] = {
	[VIRTIO_IPSEC_EVT_SOFT_EXPIRY] = VIPSEC_EV_SOFT_EXPIRY,
	[VIRTIO_IPSEC_EVT_HARD_EXPIRY] = VIPSEC_EV_HARD_EXPIRY,
	[VIRTIO_IPSEC_EVT_SEQ_OVERFLOW] = VIPSEC_EV_SEQ_OVERFLOW,
	[VIRTIO_IPSEC_EVT_SEQ_NOTIFY] = VIPSEC_EV_SEQ_NOTIFY,
	[VIRTIO_IPSEC_EVT_SA_DELETE_REQ] = VIPSEC_EV_SA_DELETE_REQ,
	[VIRTIO_IPSEC_EVT_LOST] = VIPSEC_EV_LOST,
	[VIRTIO_IPSEC_EVT_AUTH_FAIL] = VIPSEC_EV_AUTH_FAIL,
	[VIRTIO_IPSEC_EVT_REPLAY] = VIPSEC_EV_REPLAY,
	[VIRTIO_IPSEC_EVT_WRONG_SPI] = VIPSEC_EV_WRONG_SPI,
	[VIRTIO_IPSEC_EVT_BAD_PAD] = VIPSEC_EV_BAD_PAD,
};

/* Error events: value counts packets, as LOST counts records */
static bool vipsec_evq_counts_packets(u16 type)
{
	return type == VIRTIO_IPSEC_EVT_LOST ||
	       (type >= VIRTIO_IPSEC_EVT_AUTH_FAIL &&
		type <= VIRTIO_IPSEC_EVT_BAD_PAD);
}

/* Every claiming file: events that concern no single SA. */
static void vipsec_evq_broadcast(struct vipsec_dev *vd,
				 const struct vipsec_event *ev)
{
	struct vipsec_file *f;

	mutex_lock(&vd->lock);
	list_for_each_entry(f, &vd->files, node)
		if (f->claim_mode)
			vipsec_file_ev_post(f, ev);
	mutex_unlock(&vd->lock);
}

static void vipsec_evq_route(struct vipsec_dev *vd,
			     const struct virtio_ipsec_event *e)
{
	u16 type = le16_to_cpu(e->type);
	struct vipsec_genl_owner o = {
		.spi = le32_to_cpu(e->spi),
		.limit = le16_to_cpu(e->limit),
		.bytes = le64_to_cpu(e->bytes),
		.packets = le64_to_cpu(e->packets),
	};
	char app[sizeof(((struct vipsec_file *)NULL)->app_identity)];
	struct vipsec_event ev = {};
	struct vipsec_sa_ent *sa;

	if (type >= ARRAY_SIZE(vipsec_evq_types) || !vipsec_evq_types[type]) {
		dev_warn_ratelimited(&vd->vdev->dev, "unknown event type %u\n",
				     type);
		return;
	}
	ev.size = sizeof(ev);
	ev.type = vipsec_evq_types[type];
	ev.flags = o.limit;	/* VIRTIO_IPSEC_LIMIT_* of an expiry */
	ev.group_id = le32_to_cpu(e->group_id);
	ev.sa_id = le32_to_cpu(e->sa_id);
	ev.seq = le64_to_cpu(e->seq);
	ev.value = o.limit == VIRTIO_IPSEC_LIMIT_PACKETS ||
		   vipsec_evq_counts_packets(type) ? o.packets : o.bytes;

	if (type == VIRTIO_IPSEC_EVT_LOST) {
		ev.group_id = 0;
		ev.sa_id = 0;
		vipsec_evq_broadcast(vd, &ev);
		vipsec_genl_event(vd, &ev, &o);
		return;
	}
	mutex_lock(&vd->tab_lock);
	sa = xa_load(&vd->sas, ev.sa_id);
	if (sa && sa->group_id == ev.group_id) {
		/* app_identity is fixed once the file claimed */
		strscpy(app, sa->owner->app_identity, sizeof(app));
		o.app_identity = app;
		vipsec_file_ev_post(sa->owner, &ev);
	}
	mutex_unlock(&vd->tab_lock);
	if (!o.app_identity) {
		pr_debug_ratelimited("%s: event %u for unknown SA %u/%u\n",
				     vd->name, type, ev.group_id, ev.sa_id);
		return;
	}
	vipsec_genl_event(vd, &ev, &o);
}

/* Posts one buffer. Must hold evq->lock. */
static int vipsec_evq_post(struct vipsec_evq *evq,
			   struct virtio_ipsec_event *buf)
{
	struct scatterlist sg;

	lockdep_assert_held(&evq->lock);
	memset(buf, 0, sizeof(*buf));
	sg_init_one(&sg, buf, sizeof(*buf));
	return virtqueue_add_inbuf(evq->vq, &sg, 1, buf, GFP_ATOMIC);
}

/* Frees the SA ids retired before pass @pass began. Must hold evq->lock. */
/*
 * Takes up to @n ids retired before pass @pass off the list into @ids.
 * They are freed by the caller after it drops evq->lock: the IDA's lock
 * must not nest inside evq->lock, which a file's last put takes in
 * softirq context, while the IDA is taken elsewhere with softirqs on
 * (lockdep: irq lock inversion).
 */
static unsigned int vipsec_evq_take_retired(struct vipsec_evq *evq,
					    unsigned long pass, u32 *ids,
					    unsigned int n)
{
	unsigned int k = 0;
	unsigned long id;
	void *tag;

	lockdep_assert_held(&evq->lock);
	xa_for_each(&evq->retire, id, tag) {
		if (k == n)
			break;
		if (xa_to_value(tag) >= pass)
			continue;
		xa_erase(&evq->retire, id);
		ids[k++] = id;
	}
	return k;
}

/* Drops evq->lock (held with _bh) and frees the ids retired before @pass. */
static void vipsec_evq_unlock_free_retired(struct vipsec_dev *vd,
					   unsigned long pass)
{
	struct vipsec_evq *evq = &vd->evq;
	unsigned int n, i;
	u32 ids[32];

	for (;;) {
		n = vipsec_evq_take_retired(evq, pass, ids, ARRAY_SIZE(ids));
		spin_unlock_bh(&evq->lock);
		for (i = 0; i < n; i++)
			ida_free(&vd->sa_ida, ids[i]);
		if (n < ARRAY_SIZE(ids))
			return;
		spin_lock_bh(&evq->lock);
	}
}

static void vipsec_evq_work(struct work_struct *work)
{
	struct vipsec_dev *vd = container_of(work, struct vipsec_dev,
					     evq.work);
	struct vipsec_evq *evq = &vd->evq;
	struct virtio_ipsec_event *buf, e;
	unsigned long pass;
	unsigned int len;
	bool kick = false;

	spin_lock_bh(&evq->lock);
	if (!evq->vq) {			/* stopped: vipsec_evq_stop() freed */
		spin_unlock_bh(&evq->lock);
		return;
	}
	pass = ++evq->pass;
	while ((buf = virtqueue_get_buf(evq->vq, &len))) {
		e = *buf;
		if (vipsec_evq_post(evq, buf))
			dev_warn_ratelimited(&vd->vdev->dev,
					     "cannot repost event buffer\n");
		kick = true;
		spin_unlock_bh(&evq->lock);
		if (len >= sizeof(e))
			vipsec_evq_route(vd, &e);
		else
			dev_warn_ratelimited(&vd->vdev->dev,
					     "short event (%u bytes)\n", len);
		spin_lock_bh(&evq->lock);
	}
	if (kick)
		virtqueue_kick(evq->vq);
	vipsec_evq_unlock_free_retired(vd, pass);	/* the ring was empty */
}

/*
 * Frees SA id @sa_id, whose SA the device no longer holds, once every
 * event the device wrote before this call is routed; with @wait before
 * returning (process context, no lock the work takes held: vd->lock,
 * vd->tab_lock). Without an event queue (or with it stopped) at once.
 * Any context.
 */
void vipsec_evq_retire(struct vipsec_dev *vd, u32 sa_id, bool wait)
{
	struct vipsec_evq *evq = &vd->evq;
	unsigned long flags;
	int err = -ENODEV;

	/* irqsave: a file's last put may come from any context */
	spin_lock_irqsave(&evq->lock, flags);
	if (evq->vq)
		err = xa_err(xa_store(&evq->retire, sa_id,
				      xa_mk_value(evq->pass), GFP_ATOMIC));
	spin_unlock_irqrestore(&evq->lock, flags);
	if (err == -ENODEV) {
		ida_free(&vd->sa_ida, sa_id);
		return;
	}
	if (err && !wait) {
		pr_warn_ratelimited("%s: SA %u id kept (no memory)\n", vd->name,
				    sa_id);
		return;
	}
	queue_work(vipsec_wq, &evq->work);
	if (wait)
		flush_work(&evq->work);
	if (err)	/* not listed: the pass above has routed the rest */
		ida_free(&vd->sa_ida, sa_id);
}

void vipsec_evq_init(struct vipsec_dev *vd)
{
	spin_lock_init(&vd->evq.lock);
	INIT_WORK(&vd->evq.work, vipsec_evq_work);
	xa_init(&vd->evq.retire);
}

/* After virtio_device_ready(): post every buffer. */
void vipsec_evq_start(struct vipsec_dev *vd)
{
	struct vipsec_evq *evq = &vd->evq;
	unsigned int i;

	if (!evq->vq)
		return;
	if (!evq->bufs)
		evq->bufs = kcalloc(VIPSEC_EVQ_BUFS, sizeof(*evq->bufs),
				    GFP_KERNEL);
	if (!evq->bufs)
		return;		/* the allocator said so; no events then */
	spin_lock_bh(&evq->lock);
	for (i = 0; i < VIPSEC_EVQ_BUFS; i++)
		if (vipsec_evq_post(evq, &evq->bufs[i]))
			break;
	virtqueue_kick(evq->vq);
	spin_unlock_bh(&evq->lock);
}

/* Virtqueue callback (hard IRQ): defer the work. */
void vipsec_evq_callback(struct vipsec_dev *vd)
{
	queue_work(vipsec_wq, &vd->evq.work);
}

/* After virtio_reset_device(), before del_vqs: the device holds nothing. */
void vipsec_evq_stop(struct vipsec_dev *vd)
{
	struct vipsec_evq *evq = &vd->evq;

	if (!evq->vq)
		return;
	cancel_work_sync(&evq->work);
	spin_lock_bh(&evq->lock);
	while (virtqueue_detach_unused_buf(evq->vq))
		;
	evq->vq = NULL;
	vipsec_evq_unlock_free_retired(vd, ULONG_MAX);	/* reset: no event left */
	kfree(evq->bufs);
	evq->bufs = NULL;
}
