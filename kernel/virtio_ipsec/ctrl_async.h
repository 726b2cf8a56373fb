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

/*
 * A control call with an output besides its result (GROUP_CREATE,
 * SA_ADD, SA_GET) run by VIPSEC_IOC_CTRL_ASYNC: @prep, in the submitter's
 * context, checks the argument and copies in what the handler would read
 * from user memory; @run, in the work item, touches kernel memory only;
 * the output is written back where the synchronous call writes it (the
 * argument struct, the array at @out_uptr) when the CTRL_DONE record is
 * read (vipsec_ctrl_async_deliver()).
 */
struct vipsec_ctrl_io {
	void *in;		/* kvmalloc'ed input array (wiped, freed) */
	size_t in_len;
	void *out;		/* kvmalloc'ed output array (wiped, freed) */
	size_t out_cap;		/* its size */
	size_t out_len;		/* run: bytes of out to write back */
	u64 out_uptr;		/* prep: the user pointer out goes to */
	bool arg_out;		/* run: write the argument struct back */
};

struct vipsec_ctrl_out_ops {
	int (*prep)(struct vipsec_file *f, void *karg,
		    struct vipsec_ctrl_io *io);
	long (*run)(struct vipsec_file *f, void *karg,
		    struct vipsec_ctrl_io *io);
};

struct vipsec_ctrl_job;
struct vipsec_event;

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
/*
 * The same for a call with output (@ops): @karg came from @uarg; 0, or
 * @ops->prep's error, -EAGAIN, -EDQUOT (the async quota counts its
 * buffers), -ENOMEM. The job counts against VIPSEC_MAX_ASYNC until its
 * record is read or the file closed.
 */
int vipsec_ctrl_async_submit_out(struct vipsec_file *f,
				 const struct vipsec_ctrl_out_ops *ops,
				 unsigned int cmd, void *karg, size_t size,
				 u64 uarg, u64 user_data);
/*
 * read() of a CTRL_DONE record with output: writes it back (the reader
 * must share the submitter's address space, else result -EFAULT), fills
 * @ev and frees the job.
 */
void vipsec_ctrl_async_deliver(struct vipsec_file *f,
			       struct vipsec_ctrl_job *job,
			       struct vipsec_event *ev);
/* release() of a record not read: frees the job and its output. */
void vipsec_ctrl_async_drop(struct vipsec_file *f, struct vipsec_ctrl_job *job);
/* release(): drops the jobs not yet started, waits for a running one. */
void vipsec_ctrl_async_close(struct vipsec_file *f);

#endif
