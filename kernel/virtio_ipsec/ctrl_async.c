// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-ipsec guest driver: VIPSEC_IOC_CTRL_ASYNC.
 *
 * A control ioctl whose only output is its result (SA_DEL, SA_MOD with
 * its drain, SA_FLUSH, GROUP_DESTROY) can run without the caller
 * waiting: the ioctl checks and copies the argument as the synchronous
 * one would and queues a job; the file's one work item runs its jobs in
 * submission order, each exactly as the synchronous handler (same locks,
 * same device request, same timeout), and queues a CTRL_DONE record with
 * the result and the caller's user_data. So a VNF's event loop never
 * blocks in a control request, be it the device's control timeout or an
 * SA_MOD DISABLE waiting for the batches in flight.
 *
 * Each job carries its record, so the completion cannot be lost to an
 * allocation failure or to the record limit: jobs are bounded by
 * VIPSEC_MAX_ASYNC per file instead. Jobs not started when the file is
 * closed are dropped (nobody can read their records); close() waits for
 * the one running before anything of the file goes, so a job needs no
 * reference of its own.
 */

#include <linux/slab.h>
#include <linux/virtio_ipsec_dev.h>

#include "chardev.h"
#include "ctrl_async.h"
#include "event.h"
#include "main.h"

struct workqueue_struct *vipsec_ctrl_wq;

/* Room for the largest argument such a job takes (struct vipsec_sa_mod). */
#define VIPSEC_CTRL_JOB_ARG	640

struct vipsec_ctrl_job {
	struct list_head node;		/* on f->cjobs */
	vipsec_ioctl_fn fn;
	struct vipsec_ev_item *done;	/* its CTRL_DONE record */
	u64 karg[VIPSEC_CTRL_JOB_ARG / sizeof(u64)];
};

static void vipsec_ctrl_job_free(struct vipsec_ctrl_job *job)
{
	kfree(job->done);
	kfree(job);
}

/* Runs one job as the synchronous ioctl would (vipsec_ioctl()). */
static long vipsec_ctrl_job_run(struct vipsec_file *f,
				struct vipsec_ctrl_job *job)
{
	struct vipsec_dev *vd = f->vd;
	long ret;

	down_read(&vd->remove_sem);
	if (READ_ONCE(vd->gone))
		ret = -ENODEV;
	else if (vd->frozen)	/* only if frozen outside a system sleep */
		ret = -EAGAIN;
	else
		ret = job->fn(f, job->karg, NULL);
	up_read(&vd->remove_sem);
	return ret;
}

static void vipsec_ctrl_async_work(struct work_struct *work)
{
	struct vipsec_file *f = container_of(work, struct vipsec_file, cwork);
	struct vipsec_ctrl_job *job;

	for (;;) {
		spin_lock(&f->cjob_lock);
		job = list_first_entry_or_null(&f->cjobs,
					       struct vipsec_ctrl_job, node);
		if (job)
			list_del(&job->node);
		spin_unlock(&f->cjob_lock);
		if (!job)
			return;
		job->done->ev.result = vipsec_ctrl_job_run(f, job);
		if (vipsec_file_ev_post_done(f, job->done))
			job->done = NULL;	/* the record owns it now */
		spin_lock(&f->cjob_lock);
		f->ncjobs--;
		spin_unlock(&f->cjob_lock);
		vipsec_ctrl_job_free(job);
	}
}

void vipsec_ctrl_async_init(struct vipsec_file *f)
{
	spin_lock_init(&f->cjob_lock);
	INIT_LIST_HEAD(&f->cjobs);
	INIT_WORK(&f->cwork, vipsec_ctrl_async_work);
}

int vipsec_ctrl_async_submit(struct vipsec_file *f, vipsec_ioctl_fn fn,
			     unsigned int cmd, const void *karg, size_t size,
			     u64 user_data)
{
	struct vipsec_ctrl_job *job;
	int err = 0;

	if (WARN_ON_ONCE(size > sizeof(job->karg)))
		return -EINVAL;
	job = kzalloc(sizeof(*job), GFP_KERNEL);
	if (!job)
		return -ENOMEM;
	job->done = kzalloc(sizeof(*job->done), GFP_KERNEL);
	if (!job->done) {
		kfree(job);
		return -ENOMEM;
	}
	job->fn = fn;
	memcpy(job->karg, karg, size);
	job->done->ev.type = VIPSEC_EV_CTRL_DONE;
	job->done->ev.user_data = user_data;
	job->done->ev.value = cmd;

	spin_lock(&f->cjob_lock);
	if (f->cclosed)
		err = -EBADF;
	else if (f->ncjobs >= VIPSEC_MAX_ASYNC)
		err = -EAGAIN;
	else
		list_add_tail(&job->node, &f->cjobs);
	if (!err)
		f->ncjobs++;
	spin_unlock(&f->cjob_lock);
	if (err) {
		vipsec_ctrl_job_free(job);
		return err;
	}
	queue_work(vipsec_ctrl_wq, &f->cwork);
	return 0;
}

void vipsec_ctrl_async_close(struct vipsec_file *f)
{
	struct vipsec_ctrl_job *job, *tmp;
	LIST_HEAD(list);

	spin_lock(&f->cjob_lock);
	f->cclosed = true;
	list_splice_init(&f->cjobs, &list);
	spin_unlock(&f->cjob_lock);
	list_for_each_entry_safe(job, tmp, &list, node) {
		list_del(&job->node);
		/* an SA_MOD's keys: none; still, no argument outlives us */
		memzero_explicit(job->karg, sizeof(job->karg));
		vipsec_ctrl_job_free(job);
	}
	cancel_work_sync(&f->cwork);	/* waits for a running job */
}
