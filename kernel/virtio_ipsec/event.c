// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-ipsec guest driver: the records a file read()s.
 *
 * Producers (the async completion work, the event-queue work, remove) add
 * records under f->ev_lock and wake f->ev_wait; read() takes them off one
 * at a time and, for XFORM_DONE, writes the batch's results into the
 * reader's memory outside the lock (xform.c), for a CTRL_DONE with output
 * the call's output (ctrl_async.c). A record queued after
 * release() is refused so nothing is left behind on a dead file.
 */

#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "chardev.h"
#include "ctrl_async.h"
#include "event.h"
#include "xform.h"

void vipsec_file_ev_init(struct vipsec_file *f)
{
	spin_lock_init(&f->ev_lock);
	INIT_LIST_HEAD(&f->events);
	init_waitqueue_head(&f->ev_wait);
	atomic_set(&f->nasync, 0);
}

/* Queues a copy of @ev; may run in atomic context. */
void vipsec_file_ev_post(struct vipsec_file *f, const struct vipsec_event *ev)
{
	struct vipsec_ev_item *item = kzalloc(sizeof(*item), GFP_ATOMIC);
	unsigned long flags;

	spin_lock_irqsave(&f->ev_lock, flags);
	if (f->closed) {
		kfree(item);
	} else if (!item || (f->nevents >= VIPSEC_EV_MAX_QUEUED &&
			     ev->type != VIPSEC_EV_DEVICE_LOST)) {
		f->lost++;
		kfree(item);
	} else {
		item->ev = *ev;
		item->ev.size = sizeof(item->ev);
		list_add_tail(&item->node, &f->events);
		f->nevents++;
	}
	wake_up_interruptible(&f->ev_wait);	/* see vipsec_file_ev_post_item() */
	spin_unlock_irqrestore(&f->ev_lock, flags);
}

/* Queues an XFORM_DONE item; false when the file is closed (caller frees). */
bool vipsec_file_ev_post_item(struct vipsec_file *f,
			      struct vipsec_ev_item *item)
{
	unsigned long flags;
	bool ok;

	spin_lock_irqsave(&f->ev_lock, flags);
	ok = !f->closed;
	if (ok) {
		list_add_tail(&item->node, &f->events);
		/*
		 * Wake under the lock: once it is dropped, a read() or the
		 * close() on another CPU can take the item and free its batch
		 * with the batch's reference to @f, which may be the last.
		 */
		wake_up_interruptible(&f->ev_wait);
	}
	spin_unlock_irqrestore(&f->ev_lock, flags);
	return ok;
}

/*
 * Queues a CTRL_DONE item (ctrl_async.c): counted like other records but
 * never dropped for the limit, its jobs being bounded on their own.
 * False when the file is closed (caller frees).
 */
bool vipsec_file_ev_post_done(struct vipsec_file *f,
			      struct vipsec_ev_item *item)
{
	bool ok;

	item->ev.size = sizeof(item->ev);
	spin_lock_irq(&f->ev_lock);
	ok = !f->closed;
	if (ok) {
		list_add_tail(&item->node, &f->events);
		f->nevents++;
		wake_up_interruptible(&f->ev_wait);	/* as above */
	}
	spin_unlock_irq(&f->ev_lock);
	return ok;
}

/* Device loss: one DEVICE_LOST record, then POLLHUP and EOF. */
void vipsec_file_hangup(struct vipsec_file *f)
{
	struct vipsec_event ev = { .type = VIPSEC_EV_DEVICE_LOST,
				   .result = -ENODEV };
	unsigned long flags;
	bool hup;

	/* Once: a broken device (main.c) is hung up again at remove. */
	spin_lock_irqsave(&f->ev_lock, flags);
	hup = f->hup;
	spin_unlock_irqrestore(&f->ev_lock, flags);
	if (hup)
		return;
	vipsec_file_ev_post(f, &ev);
	spin_lock_irqsave(&f->ev_lock, flags);
	f->hup = true;
	spin_unlock_irqrestore(&f->ev_lock, flags);
	wake_up_interruptible(&f->ev_wait);
}

/* release(): refuse new records and free the queued ones. */
void vipsec_file_ev_close(struct vipsec_file *f)
{
	struct vipsec_ev_item *item, *tmp;
	unsigned long flags;
	LIST_HEAD(list);

	spin_lock_irqsave(&f->ev_lock, flags);
	f->closed = true;
	list_splice_init(&f->events, &list);
	f->nevents = 0;
	spin_unlock_irqrestore(&f->ev_lock, flags);

	list_for_each_entry_safe(item, tmp, &list, node) {
		list_del(&item->node);
		if (item->async)
			vipsec_async_free(item->async);
		else if (item->cjob)
			vipsec_ctrl_async_drop(f, item->cjob);
		else
			kfree(item);
	}
}

/*
 * Takes the next record off the list into @ev. Returns false when there is
 * none. A pending loss count comes first, as its own LOST record.
 */
static bool vipsec_file_ev_take(struct vipsec_file *f, struct vipsec_event *ev,
				struct vipsec_async **async,
				struct vipsec_ctrl_job **cjob)
{
	struct vipsec_ev_item *item = NULL;
	unsigned long flags;

	*async = NULL;
	*cjob = NULL;
	spin_lock_irqsave(&f->ev_lock, flags);
	if (f->lost) {
		memset(ev, 0, sizeof(*ev));
		ev->size = sizeof(*ev);
		ev->type = VIPSEC_EV_LOST;
		ev->value = f->lost;
		f->lost = 0;
		spin_unlock_irqrestore(&f->ev_lock, flags);
		return true;
	}
	item = list_first_entry_or_null(&f->events, struct vipsec_ev_item,
					node);
	if (item) {
		list_del(&item->node);
		if (!item->async)
			f->nevents--;
	}
	spin_unlock_irqrestore(&f->ev_lock, flags);
	if (!item)
		return false;
	if (item->async) {
		*async = item->async;	/* the item is part of it */
		return true;
	}
	if (item->cjob) {
		*cjob = item->cjob;	/* it owns the item */
		return true;
	}
	*ev = item->ev;
	kfree(item);
	return true;
}

static bool vipsec_file_ev_ready(struct vipsec_file *f)
{
	unsigned long flags;
	bool ready;

	spin_lock_irqsave(&f->ev_lock, flags);
	ready = f->lost || !list_empty(&f->events) || f->hup;
	spin_unlock_irqrestore(&f->ev_lock, flags);
	return ready;
}

/*
 * Whole records only: count must hold at least one. Blocks until one is
 * queued unless O_NONBLOCK (-EAGAIN). After DEVICE_LOST was read, 0 (EOF).
 */
ssize_t vipsec_read(struct file *filp, char __user *buf, size_t count,
		    loff_t *ppos)
{
	struct vipsec_file *f = filp->private_data;
	struct vipsec_ctrl_job *cjob;
	struct vipsec_async *async;
	struct vipsec_event ev;
	size_t done = 0;
	int err;

	if (count < sizeof(ev))
		return -EINVAL;
	while (done + sizeof(ev) <= count) {
		if (!vipsec_file_ev_take(f, &ev, &async, &cjob)) {
			if (done)
				break;
			if (READ_ONCE(f->hup))
				return 0;
			if (filp->f_flags & O_NONBLOCK)
				return -EAGAIN;
			err = wait_event_interruptible(f->ev_wait,
						       vipsec_file_ev_ready(f));
			if (err)
				return err;
			continue;
		}
		if (async)
			vipsec_async_deliver(async, &ev);	/* frees it */
		if (cjob)
			vipsec_ctrl_async_deliver(f, cjob, &ev);	/* frees it */
		if (copy_to_user(buf + done, &ev, sizeof(ev)))
			return done ? done : -EFAULT;
		done += sizeof(ev);
	}
	return done;
}

__poll_t vipsec_poll(struct file *filp, struct poll_table_struct *wait)
{
	struct vipsec_file *f = filp->private_data;
	unsigned long flags;
	__poll_t mask = 0;

	poll_wait(filp, &f->ev_wait, wait);
	spin_lock_irqsave(&f->ev_lock, flags);
	if (f->lost || !list_empty(&f->events))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (f->hup)
		mask |= EPOLLHUP;
	spin_unlock_irqrestore(&f->ev_lock, flags);
	return mask;
}
