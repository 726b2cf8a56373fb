/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-ipsec guest driver: control ioctls run asynchronously
 * (VIPSEC_IOC_CTRL_ASYNC), completing into the file's records.
 */
#ifndef VIPSEC_CTRL_ASYNC_H
#define VIPSEC_CTRL_ASYNC_H

#include <linux/types.h>
#include <linux/workqueue.h>

struct vipsec_file;

typedef long (*vipsec_ioctl_fn)(struct vipsec_file *f, void *arg,
				void __user *uarg);

/* Freezable: no job runs between freeze and restore. */
extern struct workqueue_struct *vipsec_ctrl_wq;

void vipsec_ctrl_async_init(struct vipsec_file *f);
/*
 * Queues @fn on the argument @karg (@size bytes, already copied in and
 * checked as the synchronous ioctl would); 0, -EAGAIN with
 * VIPSEC_MAX_ASYNC jobs of the file pending, -ENOMEM.
 */
int vipsec_ctrl_async_submit(struct vipsec_file *f, vipsec_ioctl_fn fn,
			     unsigned int cmd, const void *karg, size_t size,
			     u64 user_data);
/* release(): drops the jobs not yet started, waits for a running one. */
void vipsec_ctrl_async_close(struct vipsec_file *f);

#endif
