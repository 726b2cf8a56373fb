/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-ipsec guest driver: the records a file read()s (struct
 * vipsec_event): asynchronous completions, SA events, device loss.
 */
#ifndef VIPSEC_EVENT_H
#define VIPSEC_EVENT_H

#include <linux/fs.h>
#include <linux/list.h>
#include <linux/poll.h>
#include <linux/virtio_ipsec_dev.h>

struct vipsec_file;
struct vipsec_async;
struct vipsec_ctrl_job;

/*
 * Most records other than XFORM_DONE a file queues; beyond it they are
 * counted and reported by one VIPSEC_EV_LOST record. XFORM_DONE records
 * are bounded by VIPSEC_MAX_ASYNC and never dropped.
 */
#define VIPSEC_EV_MAX_QUEUED	1024

struct vipsec_ev_item {
	struct list_head node;		/* on vipsec_file.events */
	struct vipsec_event ev;
	struct vipsec_async *async;	/* XFORM_DONE: results to write back */
	/* CTRL_DONE of a call with output: the job, which owns the item */
	struct vipsec_ctrl_job *cjob;
};

void vipsec_file_ev_init(struct vipsec_file *f);
void vipsec_file_ev_post(struct vipsec_file *f, const struct vipsec_event *ev);
bool vipsec_file_ev_post_item(struct vipsec_file *f,
			      struct vipsec_ev_item *item);
bool vipsec_file_ev_post_done(struct vipsec_file *f,
			      struct vipsec_ev_item *item);
void vipsec_file_hangup(struct vipsec_file *f);
void vipsec_file_ev_close(struct vipsec_file *f);
ssize_t vipsec_read(struct file *filp, char __user *buf, size_t count,
		    loff_t *ppos);
__poll_t vipsec_poll(struct file *filp, struct poll_table_struct *wait);

#endif /* VIPSEC_EVENT_H */
