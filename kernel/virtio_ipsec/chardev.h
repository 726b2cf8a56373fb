/* SPDX-License-Identifier: GPL-2.0 */
/* virtio-ipsec guest driver: /dev/virtio-ipsec<N> and per-file state. */
#ifndef VIPSEC_CHARDEV_H
#define VIPSEC_CHARDEV_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

struct vipsec_dev;

/*
 * One open file. claim_mode, app_identity and node are under vd->lock;
 * groups and sas are changed under lock (reads may use xa_load alone).
 * The file is refcounted: release() drops one reference, every
 * asynchronous batch in flight holds one (its completion may run after
 * close). The event list (event.c) is under ev_lock.
 */
struct vipsec_file {
	struct kref ref;
	struct work_struct release_work;	/* last put outside a task */
	struct vipsec_dev *vd;		/* holds a reference */
	struct list_head node;		/* on vd->files */
	u32 claim_mode;			/* 0 or VIPSEC_MODE_* */
	char app_identity[64];
	struct mutex lock;		/* serialises group/SA changes */
	struct xarray groups;		/* group id -> xa_mk_value(0) */
	struct xarray sas;		/* SA id -> xa_mk_value(group id) */
	unsigned int ngroups;		/* entries of groups; under lock */
	unsigned int nsas;		/* entries of sas; under lock */
	/*
	 * SA ids the device no longer holds but a request of this file
	 * might still name (xstuck): freed once no request of the file is
	 * counted (sa.c), at the latest with the file's last reference,
	 * which every such request holds. Changed under lock.
	 */
	struct xarray stale_ids;
	unsigned int nstale;		/* entries of stale_ids; under lock */
	atomic_long_t async_bytes;	/* buffers of async batches (quota.h) */

	spinlock_t ev_lock;		/* events, nevents, lost, hup, closed */
	struct list_head events;	/* struct vipsec_ev_item.node */
	unsigned int nevents;		/* queued records other than XFORM_DONE */
	u64 lost;			/* records dropped since the last LOST */
	bool hup;			/* DEVICE_LOST queued: POLLHUP */
	bool closed;			/* release() ran: queue nothing more */
	wait_queue_head_t ev_wait;
	atomic_t nasync;		/* async batches not yet delivered */

	/* VIPSEC_IOC_CTRL_ASYNC jobs (ctrl_async.c), under cjob_lock */
	spinlock_t cjob_lock;
	struct list_head cjobs;		/* not yet started */
	unsigned int ncjobs;		/* queued or running */
	bool cclosed;			/* release() began: no new jobs */
	struct work_struct cwork;	/* runs cjobs in order */

	/*
	 * XFORM requests that may still name this file's SA ids (xform.c):
	 * a batch counts in xcnt[epoch & 1] from its ownership check until
	 * the device gave its request back (or was reset). Freeing an SA id
	 * waits for the older epoch to drain, so an id another file could
	 * get next is never in a request of this one. Under xlock.
	 */
	spinlock_t xlock;
	unsigned int xepoch;
	unsigned int xcnt[2];
	bool xstuck;			/* a wait was killed: see stale_ids */
	wait_queue_head_t xwait;
};

void vipsec_file_put(struct vipsec_file *f);

int vipsec_chardev_init(void);
void vipsec_chardev_exit(void);
int vipsec_chardev_add(struct vipsec_dev *vd);
void vipsec_chardev_del(struct vipsec_dev *vd);

int vipsec_copy_arg(void *karg, size_t ksize, void __user *uarg);
int vipsec_copy_arg_out(void __user *uarg, const void *karg, size_t ksize);
bool vipsec_mem_is_zero(const void *p, size_t len);

#endif /* VIPSEC_CHARDEV_H */
