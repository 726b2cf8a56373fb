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
 *
 * GROUP_CREATE, SA_ADD and SA_GET have an output besides their result
 * (the new ids, the SA records). The work item must not write user
 * memory (it runs in no process's address space), so such a job keeps
 * its output in kernel memory and hangs on to its record: the output is
 * written back where the synchronous call would write it when read()
 * takes the record, in the reader, which must share the submitter's
 * address space (as XFORM_DONE's results, xform.c). Until then the job
 * counts against VIPSEC_MAX_ASYNC and its buffers against the async
 * quota, so unread outputs cannot grow without bound; close() frees the
 * ones never read. A job id and a fetch ioctl would have needed ids
 * checked per file and outputs kept past their record; tying the output
 * to the record leaves nothing to look up and nothing to forget.
 */

#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/virtio_ipsec_dev.h>

#include "chardev.h"
#include "ctrl_async.h"
#include "event.h"
#include "main.h"
#include "quota.h"

struct workqueue_struct *vipsec_ctrl_wq;

/* Room for the largest argument such a job takes (struct vipsec_sa_mod). */
#define VIPSEC_CTRL_JOB_ARG	640

struct vipsec_ctrl_job {
	struct list_head node;		/* on f->cjobs */
	vipsec_ioctl_fn fn;		/* a call without output, or */
	const struct vipsec_ctrl_out_ops *ops;	/* one with */
	struct vipsec_ev_item *done;	/* its CTRL_DONE record */
	/* with ops: */
	struct vipsec_ctrl_io io;
	struct mm_struct *mm;		/* the submitter's (mmgrab) */
	u64 uarg;			/* its argument struct */
	size_t size;			/* the struct's v0 size */
	size_t bytes;			/* charged to the async quota */
	u64 karg[VIPSEC_CTRL_JOB_ARG / sizeof(u64)];
};

static void vipsec_ctrl_job_free(struct vipsec_ctrl_job *job)
{
	kfree(job->done);
	if (job->io.in) {
		memzero_explicit(job->io.in, job->io.in_len);	/* keys */
		kvfree(job->io.in);
	}
	if (job->io.out) {
		/* SA records: never keys, still the SA's state */
		memzero_explicit(job->io.out, job->io.out_cap);
		kvfree(job->io.out);
	}
	if (job->mm)
		mmdrop(job->mm);
	memzero_explicit(job->karg, sizeof(job->karg));
	kfree(job);
}

/* A job with output, done with: it stops counting for its file. */
static void vipsec_ctrl_job_release(struct vipsec_file *f,
				    struct vipsec_ctrl_job *job)
{
	vipsec_quota_async_put(f, job->bytes);
	spin_lock(&f->cjob_lock);
	f->ncjobs--;
	spin_unlock(&f->cjob_lock);
	vipsec_ctrl_job_free(job);
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
	else if (job->ops)
		ret = job->ops->run(f, job->karg, &job->io);
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
		if (job->ops) {
			/* the record owns the job: freed when read */
			job->done->cjob = job;
			if (!vipsec_file_ev_post_done(f, job->done)) {
				job->done->cjob = NULL;
				vipsec_ctrl_job_release(f, job);
			}
			continue;
		}
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

static struct vipsec_ctrl_job *vipsec_ctrl_job_new(unsigned int cmd,
						   const void *karg,
						   size_t size, u64 user_data)
{
	struct vipsec_ctrl_job *job;

	if (WARN_ON_ONCE(size > sizeof(job->karg)))
		return ERR_PTR(-EINVAL);
	job = kzalloc(sizeof(*job), GFP_KERNEL);
	if (!job)
		return ERR_PTR(-ENOMEM);
	job->done = kzalloc(sizeof(*job->done), GFP_KERNEL);
	if (!job->done) {
		kfree(job);
		return ERR_PTR(-ENOMEM);
	}
	memcpy(job->karg, karg, size);
	job->done->ev.type = VIPSEC_EV_CTRL_DONE;
	job->done->ev.user_data = user_data;
	job->done->ev.value = cmd;
	return job;
}

/* Queues @job and kicks the work item; frees it on failure. */
static int vipsec_ctrl_job_queue(struct vipsec_file *f,
				 struct vipsec_ctrl_job *job)
{
	int err = 0;

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
		vipsec_quota_async_put(f, job->bytes);
		vipsec_ctrl_job_free(job);
		return err;
	}
	queue_work(vipsec_ctrl_wq, &f->cwork);
	return 0;
}

int vipsec_ctrl_async_submit(struct vipsec_file *f, vipsec_ioctl_fn fn,
			     unsigned int cmd, const void *karg, size_t size,
			     u64 user_data)
{
	struct vipsec_ctrl_job *job;

	job = vipsec_ctrl_job_new(cmd, karg, size, user_data);
	if (IS_ERR(job))
		return PTR_ERR(job);
	job->fn = fn;
	return vipsec_ctrl_job_queue(f, job);
}

int vipsec_ctrl_async_submit_out(struct vipsec_file *f,
				 const struct vipsec_ctrl_out_ops *ops,
				 unsigned int cmd, void *karg, size_t size,
				 u64 uarg, u64 user_data)
{
	struct vipsec_ctrl_job *job;
	int err;

	job = vipsec_ctrl_job_new(cmd, karg, size, user_data);
	if (IS_ERR(job))
		return PTR_ERR(job);
	job->ops = ops;
	job->uarg = uarg;
	job->size = size;
	/* prep works on the job's copy: what run reads is what it checked */
	err = ops->prep ? ops->prep(f, job->karg, &job->io) : 0;
	if (!err) {
		job->bytes = job->io.in_len + job->io.out_cap;
		err = vipsec_quota_async_get(f, job->bytes);
		if (err)
			job->bytes = 0;
	}
	if (err) {
		vipsec_ctrl_job_free(job);
		return err;
	}
	job->mm = current->mm;
	mmgrab(job->mm);
	return vipsec_ctrl_job_queue(f, job);
}

void vipsec_ctrl_async_deliver(struct vipsec_file *f,
			       struct vipsec_ctrl_job *job,
			       struct vipsec_event *ev)
{
	struct vipsec_ctrl_io *io = &job->io;
	int err = 0;

	if (current->mm != job->mm)
		err = -EFAULT;
	if (!err && io->out_len &&
	    (WARN_ON_ONCE(io->out_len > io->out_cap) ||
	     copy_to_user(u64_to_user_ptr(io->out_uptr), io->out,
			  io->out_len)))
		err = -EFAULT;
	if (!err && io->arg_out &&
	    copy_to_user(u64_to_user_ptr(job->uarg), job->karg, job->size))
		err = -EFAULT;
	*ev = job->done->ev;
	/*
	 * As the synchronous call: an output that cannot be written is
	 * -EFAULT, and what the call made stays the file's (close() deletes
	 * an SA or group whose id never reached the caller).
	 */
	if (err && !ev->result)
		ev->result = err;
	vipsec_ctrl_job_release(f, job);
}

void vipsec_ctrl_async_drop(struct vipsec_file *f, struct vipsec_ctrl_job *job)
{
	vipsec_ctrl_job_release(f, job);
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
		/* an SA_ADD's keys: the free wipes every argument */
		vipsec_ctrl_job_release(f, job);
	}
	cancel_work_sync(&f->cwork);	/* waits for a running job */
}
