/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-ipsec guest driver: the accelerator object.
 *
 * Lifetime: struct vipsec_dev is refcounted. probe() holds one reference,
 * every open file holds one; the last vipsec_dev_put() frees it. After
 * remove() the object stays until the last file closes but ->gone is set,
 * every virtqueue is deleted and every ioctl returns -ENODEV.
 *
 * Locking:
 *  - remove_sem: every ioctl and close() holds it for read while it touches
 *    the virtqueues; remove() sets ->gone, wakes every waiter (queue
 *    waiters and vipsec_file.xwait, where an SA delete waits for its
 *    file's batches) and then takes it for write, so no one is inside the
 *    device when it is reset.
 *  - lock: claim arbitration (claim_mode, nclaims) and the list of files.
 *  - ctrl.mutex: one control request in flight (see ctrl.c).
 *  - vipsec_queue.lock: the queue's virtqueue and in-flight list (see vq.c).
 *  - tab_lock: the device-wide SA and group tables (sas, groups), which
 *    keep each object's owner and parameters for event routing and for
 *    re-adding them at restore (pm.c). Taken inside vipsec_file.lock; held across
 *    control requests at freeze and restore (tab_lock -> ctrl.mutex).
 */
#ifndef VIPSEC_MAIN_H
#define VIPSEC_MAIN_H

#include <linux/cdev.h>
#include <linux/idr.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/virtio.h>
#include <linux/virtio_ipsec.h>
#include <linux/workqueue.h>

#include "vq.h"

/* Completion and event work (process context); drained at remove/exit. */
extern struct workqueue_struct *vipsec_wq;

struct vipsec_file;

/*
 * An SA as the driver keeps it (vd->sas): enough to route its events and
 * to re-add it at restore.
 * rx_seq, rx_seq_saved and used (state carried across freeze/restore,
 * see pm.c) are under vd->tab_lock like the table itself.
 */
struct vipsec_sa_ent {
	u32 id;
	u32 group_id;
	struct vipsec_file *owner;	/* valid while the SA is listed */
	/*
	 * keys: zeroed on delete; lifetimes: what is left since the last
	 * restore (pm.c charges what the device counted before it)
	 */
	struct virtio_ipsec_sa_params params;
	u64 rx_seq;			/* inbound: highest seen at freeze */
	bool rx_seq_saved;		/* rx_seq read from the device */
	bool used_saved;		/* used read from the device */
	bool disabled;			/* SA_MOD DISABLE: again at restore */
	struct {
		u64 bytes, packets, seconds;
	} used;				/* lifetime consumed at freeze */
};

/* A group as the driver keeps it (vd->groups). */
struct vipsec_group_ent {
	u32 id;
	struct vipsec_file *owner;
	char name[VIRTIO_IPSEC_NAME_LEN];
};

/* Driver-side counters of the active list (sysfs). */
struct vipsec_stats {
	atomic64_t bytes_in;		/* decapsulated: ESP input bytes */
	atomic64_t bytes_out;		/* encapsulated: IP input bytes */
	atomic64_t packets_in;
	atomic64_t packets_out;
	atomic64_t sas_created;
	atomic64_t sas_deleted;
	atomic64_t sas_modified;
};

/* Event queue (VIRTIO_IPSEC_F_EVENTQ): device-writable buffers kept posted. */
#define VIPSEC_EVQ_BUFS		32
struct vipsec_evq {
	struct virtqueue *vq;
	spinlock_t lock;		/* vq, retire, pass */
	struct work_struct work;	/* collects, routes, reposts */
	struct virtio_ipsec_event *bufs;	/* VIPSEC_EVQ_BUFS entries */
	struct xarray retire;		/* SA id -> xa_mk_value(pass): see evq.c */
	unsigned long pass;		/* passes of work begun */
};

#define VIPSEC_CTRL_TIMEOUT_MS	5000
#define VIPSEC_DATA_TIMEOUT_MS	5000

/* Device limits, read once from config space at probe. */
struct vipsec_limits {
	u32 abi_version;
	u32 num_data_queues;
	u32 max_sas;
	u32 max_groups;
	u32 max_packet_len;
	u32 max_batch;
	u32 max_replay_window;
	u64 cipher_algo_mask;
	u64 auth_algo_mask;
	u32 max_cipher_key_len;
	u32 max_auth_key_len;
	u32 sa_options;			/* VIRTIO_IPSEC_SA_OPT_* accepted */
	u32 hdr_fields;			/* VIRTIO_IPSEC_HDR_F_* honoured */
	u8 cipher_key_sizes[16];	/* VIRTIO_IPSEC_KEY_SIZE_BIT()s per id */
};

struct vipsec_dev {
	struct kref ref;
	struct virtio_device *vdev;	/* not dereferenced once gone */
	int id;				/* N of /dev/virtio-ipsec<N> */
	char name[32];
	u64 features;			/* negotiated VIRTIO_IPSEC_F_* bits */
	struct vipsec_limits lim;

	struct rw_semaphore remove_sem;
	bool gone;			/* write: remove_sem (write) + queue locks */

	struct vipsec_queue ctrlq;
	struct mutex ctrl_mutex;	/* one control request at a time */
	struct vipsec_queue *dataq;	/* lim.num_data_queues entries */
	struct vipsec_evq evq;		/* vq NULL without F_EVENTQ */
	bool broken;			/* NEEDS_RESET seen; under config_work */
	bool lost_ready;		/* ... with HW_READY clear; likewise */
	bool frozen;			/* freeze..restore; under remove_sem */
	struct work_struct config_work;	/* config_changed: status re-read */

	struct mutex tab_lock;		/* sas, groups (device-wide) */
	struct xarray sas;		/* SA id -> struct vipsec_sa_ent */
	struct xarray groups;		/* group id -> struct vipsec_group_ent */
	struct vipsec_stats stats;
	/* EVENT_LIMIT as last set, and by whom (elimit.c); under tab_lock */
	struct virtio_ipsec_event_limit elimit;
	struct vipsec_file *elimit_owner;	/* compared, never dereferenced */

	/* Ids handed to files; ranges 1..max_sas and 1..max_groups. */
	struct ida sa_ida;
	struct ida group_ida;
	atomic_t active_sas;

	struct mutex lock;		/* claim arbitration and files */
	u32 claim_mode;			/* 0 or VIPSEC_MODE_*; under lock */
	unsigned int nclaims;		/* files holding a claim; under lock */
	struct list_head files;		/* struct vipsec_file.node; under lock */

	struct cdev *cdev;
	struct device *class_dev;
};

void vipsec_dev_get(struct vipsec_dev *vd);
void vipsec_dev_put(struct vipsec_dev *vd);
/* Probe and remove steps that freeze and restore reuse (pm.c). */
int vipsec_find_vqs(struct vipsec_dev *vd);
void vipsec_del_vqs(struct vipsec_dev *vd, int err);

#endif /* VIPSEC_MAIN_H */
