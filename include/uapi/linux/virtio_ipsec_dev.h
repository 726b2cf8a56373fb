/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause */
/*
 * virtio-ipsec: character-device ABI between libg_ipsec_la and the guest
 * driver (/dev/virtio-ipsec<N>).
 *
 * Every ioctl argument starts with __u32 size (the caller's sizeof) and
 * __u32 flags. The driver refuses a size smaller than the v0 struct, any
 * unknown flag and any non-zero reserved field with -EINVAL, so the
 * structs can grow at their end without breaking old callers. A size
 * above VIPSEC_MAX_ARG_SIZE gets -E2BIG (a newer struct's tail must be
 * zero, and the driver does not read gigabytes to check that).
 * Fields are native-endian; SA parameters travel in the device's wire
 * format (struct virtio_ipsec_sa_params, little-endian) so the driver
 * forwards them without translation.
 *
 * The ioctl command numbers encode the size of the v0 structs and never
 * change: a caller with a larger (newer) struct uses the same command and
 * says so in its size field.
 *
 * A file must VIPSEC_IOC_CLAIM the accelerator before any GROUP, SA or
 * XFORM ioctl (-EPERM otherwise); a second CLAIM on one file is -EALREADY.
 * Groups and SAs belong to the file that created them: other files get
 * -ENOENT for their ids, and close() deletes them.
 */
#ifndef _UAPI_LINUX_VIRTIO_IPSEC_DEV_H
#define _UAPI_LINUX_VIRTIO_IPSEC_DEV_H

#include <linux/types.h>
#include <linux/ioctl.h>
#include <linux/virtio_ipsec.h>

#define VIPSEC_DEV_PREFIX	"virtio-ipsec"	/* /dev/virtio-ipsec<N> */
#define VIPSEC_CLASS_NAME	"virtio_ipsec"	/* /sys/class/virtio_ipsec */

/* VIPSEC_IOC_INFO: what the accelerator is and what it negotiated. */
struct vipsec_info {
	__u32 size;
	__u32 flags;			/* must be 0 */
	__u32 id;			/* accelerator instance id (N) */
	__u32 abi_version;		/* VIRTIO_IPSEC_ABI_VERSION */
	char name[32];			/* "virtio-ipsec<N>", NUL-terminated */
	__u64 features;			/* negotiated VIRTIO_IPSEC_F_* bits */
	__u64 cipher_algo_mask;
	__u64 auth_algo_mask;
	__u32 max_sas;
	__u32 max_groups;
	__u32 max_packet_len;
	__u32 max_batch;
	__u32 max_replay_window;
	__u32 max_cipher_key_len;
	__u32 max_auth_key_len;
	__u32 num_data_queues;
	__u32 sa_options;		/* config sa_options: VIRTIO_IPSEC_SA_OPT_* */
	__u32 hdr_fields;		/* config hdr_fields: VIRTIO_IPSEC_HDR_F_* */
	__u8 cipher_key_sizes[16];	/* config cipher_key_sizes[] */
	__u32 reserved[2];
};

/* VIPSEC_IOC_CLAIM: take the accelerator in exclusive or shared mode. */
#define VIPSEC_MODE_EXCLUSIVE	1
#define VIPSEC_MODE_SHARED	2
struct vipsec_claim {
	__u32 size;
	__u32 flags;			/* must be 0 */
	__u32 mode;			/* VIPSEC_MODE_* */
	__u32 reserved;
	char app_identity[64];		/* NUL-terminated */
};

/* VIPSEC_IOC_GROUP_CREATE / VIPSEC_IOC_GROUP_DESTROY */
struct vipsec_group {
	__u32 size;
	__u32 flags;			/* must be 0 */
	__u32 group_id;			/* out for create, in for destroy */
	__u32 reserved;
	char name[VIRTIO_IPSEC_NAME_LEN];	/* create: NUL-terminated */
};

/*
 * VIPSEC_IOC_SA_ADD: add num_sas SAs to one group, all or nothing.
 * params points to num_sas struct virtio_ipsec_sa_params; ids points to
 * num_sas __u32 that receive the SA ids.
 */
#define VIPSEC_MAX_SA_BATCH	64
struct vipsec_sa_add {
	__u32 size;
	__u32 flags;			/* must be 0 */
	__u32 group_id;			/* 0 = default group */
	__u32 num_sas;			/* 1 .. VIPSEC_MAX_SA_BATCH */
	__u64 params;			/* user pointer */
	__u64 ids;			/* user pointer */
	/* out: device status on failure; 0: the driver refused first */
	__u32 dev_status;
	__u32 failed_index;		/* out: which SA the device refused */
};

/* VIPSEC_IOC_SA_DEL */
struct vipsec_sa_del {
	__u32 size;
	__u32 flags;			/* must be 0 */
	__u32 group_id;
	__u32 sa_id;
};

/* One buffer segment of a packet. */
struct vipsec_seg {
	__u64 addr;			/* user pointer */
	__u32 len;
	__u32 reserved;
};

#define VIPSEC_MAX_SEGS		16

/* One packet of a VIPSEC_IOC_XFORM batch. */
struct vipsec_pkt {
	__u32 group_id;
	__u32 sa_id;
	__u32 in_nsegs;			/* 1 .. VIPSEC_MAX_SEGS */
	__u32 out_nsegs;		/* 1 .. VIPSEC_MAX_SEGS */
	__u64 in_segs;			/* user pointer to struct vipsec_seg[] */
	__u64 out_segs;			/* user pointer to struct vipsec_seg[] */
	/* written by the driver: */
	__u32 status;			/* VIRTIO_IPSEC_* status */
	__u32 out_len;			/* bytes written; or needed if DST_TOO_SMALL */
	__u32 seq_lo;
	__u32 seq_hi;
	__u32 warnings;			/* VIRTIO_IPSEC_WARN_* */
	__u32 reserved;
};

/*
 * VIPSEC_IOC_XFORM: encapsulate or decapsulate num_pkts packets in one
 * device request. Returns 0 when the device processed the batch (each
 * packet then has its own status) or a negative errno when the batch was
 * refused as a whole: -EMSGSIZE for a packet longer than max_packet_len.
 * The output capacity counts up to max_packet_len: a packet whose result
 * needs more gets DST_TOO_SMALL with out_len above max_packet_len, which
 * no larger output area can cure (the library reports it as -EMSGSIZE).
 * Also -ENOENT for an SA or group the file does not own,
 * -ESHUTDOWN for an SA disabled with SA_MOD DISABLE. A DECAP packet with
 * sa_id 0 has the device look its SA up by SPI in group_id, which must
 * be a group the file created (-EINVAL for group 0, shared by all files,
 * and for ENCAP).
 */
#define VIPSEC_OP_ENCAP		1
#define VIPSEC_OP_DECAP		2
#define VIPSEC_XFORM_F_ASYNC	(1 << 0)	/* complete into the event fd */
#define VIPSEC_MAX_PKT_BATCH	256
struct vipsec_xform {
	__u32 size;
	__u32 flags;			/* VIPSEC_XFORM_F_* */
	__u32 op;			/* VIPSEC_OP_* */
	__u32 num_pkts;			/* 1 .. min(VIPSEC_MAX_PKT_BATCH, max_batch) */
	__u64 pkts;			/* user pointer to struct vipsec_pkt[] */
	__u64 user_data;		/* ASYNC: echoed in the completion */
};

/* Records read() from the fd: asynchronous completions and events. */
#define VIPSEC_EV_XFORM_DONE	1	/* an ASYNC xform completed */
#define VIPSEC_EV_SOFT_EXPIRY	2	/* an SA reached a soft lifetime */
#define VIPSEC_EV_HARD_EXPIRY	3
#define VIPSEC_EV_SEQ_OVERFLOW	4
#define VIPSEC_EV_SEQ_NOTIFY	5	/* periodic sequence announcement */
#define VIPSEC_EV_DEVICE_LOST	6	/* accelerator removed */
#define VIPSEC_EV_SA_DELETE_REQ	7	/* device asks for the SA's deletion */
#define VIPSEC_EV_LOST		8	/* value: records dropped (queue full) */
/*
 * Per-packet error events (VIPSEC_IOC_EVENT_LIMIT): value is how many
 * offending packets the record stands for, seq the last one's number.
 */
#define VIPSEC_EV_AUTH_FAIL	9	/* ICV mismatch */
#define VIPSEC_EV_REPLAY	10	/* replayed or late packet */
#define VIPSEC_EV_WRONG_SPI	11	/* not ESP or not the SA's SPI */
#define VIPSEC_EV_BAD_PAD	12	/* bad padding or next header */
#define VIPSEC_EV_CTRL_DONE	13	/* a VIPSEC_IOC_CTRL_ASYNC call completed */
/*
 * An SA event reaches only the file that owned the SA when the device
 * raised it: an SA id freed by SA_DEL (or close) goes to another file
 * only after every event of the old SA was routed, so a reused id never
 * brings its new owner the old SA's events.
 * After VIPSEC_EV_DEVICE_LOST (result -ENODEV) has been read, read()
 * returns 0 (end of file). An ASYNC submit may fail with -EBUSY when the
 * virtqueue is full; try again after reading completions.
 */
struct vipsec_event {
	__u32 size;			/* sizeof(struct vipsec_event) */
	__u16 type;			/* VIPSEC_EV_* */
	__u16 flags;			/* expiries: VIRTIO_IPSEC_LIMIT_* reached */
	__u64 user_data;		/* XFORM_DONE: from struct vipsec_xform */
	__s32 result;			/* 0 or negative errno */
	__u32 group_id;
	__u32 sa_id;
	__u32 reserved;
	__u64 seq;			/* sequence number, where meaningful */
	/* expiries: packets for a packet limit, else bytes; LOST: dropped */
	__u64 value;
};

/*
 * VIPSEC_IOC_SA_MOD: modify one own SA (struct virtio_ipsec_sa_mod).
 * With VIRTIO_IPSEC_SA_MOD_DISABLE the driver first refuses new batches
 * naming the SA (-ESHUTDOWN), then waits for every batch of the file in
 * flight (asynchronous ones included) before the device is told; the
 * ioctl returns after that, so the SA can be deleted without loss.
 * -ETIMEDOUT: the wait ended first. On any failure nothing is applied
 * and the SA takes packets again.
 */
struct vipsec_sa_mod {
	__u32 size;
	__u32 flags;			/* must be 0 */
	__u32 group_id;
	__u32 sa_id;
	struct virtio_ipsec_sa_mod mod;	/* device wire format */
};

/*
 * VIPSEC_IOC_SA_GET: read up to max_sas own SAs of a group, parameters
 * (never keys) and statistics, into entries.
 */
#define VIPSEC_MAX_SA_GET	256
/*
 * sa_get.flags: entries point to struct vipsec_sa_record[] instead (needs
 * VIRTIO_IPSEC_F_SA_STATE, else -EOPNOTSUPP): each SA's running state
 * after its entry, as the device's SA_GET_F_STATE lays them out.
 */
#define VIPSEC_SA_GET_F_STATE	(1 << 0)
struct vipsec_sa_record {
	struct virtio_ipsec_sa_entry entry;
	struct virtio_ipsec_sa_state state;
};

struct vipsec_sa_get {
	__u32 size;
	__u32 flags;			/* VIPSEC_SA_GET_F_* */
	__u32 group_id;
	__u32 op;			/* VIRTIO_IPSEC_SA_GET_* */
	__u32 sa_id;			/* NEXT: cursor; EXACT: the SA */
	__u32 max_sas;			/* 1 .. VIPSEC_MAX_SA_GET */
	__u64 entries;			/* user pointer to struct virtio_ipsec_sa_entry[] */
	__u32 count;			/* out */
	__u32 more;			/* out: 1 when more SAs follow */
};

/* VIPSEC_IOC_SA_FLUSH: delete every own SA of a group. */
struct vipsec_sa_flush {
	__u32 size;
	__u32 flags;			/* must be 0 */
	__u32 group_id;
	__u32 reserved;
};

/*
 * VIPSEC_IOC_EVENT_LIMIT: which per-packet error events the device raises
 * and how often (struct virtio_ipsec_event_limit, device-wide; needs
 * VIRTIO_IPSEC_F_ERR_EVENTS). Only a file holding an exclusive claim may
 * set it (-EPERM): it concerns every SA of the device. The setting lasts
 * until changed or until that file is closed (then: none), and survives
 * suspend and resume.
 */
struct vipsec_event_limit {
	__u32 size;
	__u32 flags;			/* must be 0 */
	struct virtio_ipsec_event_limit limit;	/* device wire format */
};

/*
 * Asynchronous XFORM (VIPSEC_XFORM_F_ASYNC): the ioctl returns once the
 * batch is on the virtqueue. Its results (statuses, lengths, output bytes)
 * are written into the caller's vipsec_pkt array and out segments when the
 * VIPSEC_EV_XFORM_DONE record is read() - in the reading process, which
 * must share the submitter's address space (else result is -EFAULT).
 * With VIPSEC_XFORM_F_NO_COMPLETION as well, nothing is written back and
 * no record is queued: statuses and output bytes are discarded (for a
 * caller that wants only the device's side effects; libg_ipsec_la's
 * NO_RESP_EXPECTED wants the output and uses the synchronous XFORM).
 * At most VIPSEC_MAX_ASYNC batches per file are in flight; beyond that
 * the ioctl fails with -EAGAIN. A batch's input and output areas count
 * against the file's async quota (driver parameter
 * max_async_kb_per_file) until its record is read; beyond it -EDQUOT.
 *
 * Per-file quotas (driver module parameters, 0 = none): an SA_ADD that
 * would give the file more than max_sas_per_file SAs, or a GROUP_CREATE
 * beyond max_groups_per_file groups, fails with -EDQUOT.
 * poll() reports POLLIN while records are queued and POLLHUP once the
 * accelerator is gone (after a VIPSEC_EV_DEVICE_LOST record).
 */
#define VIPSEC_XFORM_F_NO_COMPLETION	(1 << 1)
#define VIPSEC_MAX_ASYNC		64

/*
 * VIPSEC_IOC_CTRL_ASYNC: run the control ioctl cmd (VIPSEC_IOC_SA_DEL,
 * _SA_MOD, _SA_FLUSH, _GROUP_DESTROY, _GROUP_CREATE, _SA_ADD or _SA_GET;
 * any other: -EINVAL) on the argument struct at arg without waiting. The
 * argument is checked and copied at once (its errors are this ioctl's),
 * with what the call reads through its pointers (SA_ADD's params); the
 * call then runs as the synchronous one would and a VIPSEC_EV_CTRL_DONE
 * record brings its result (0 or negative errno), user_data and cmd (in
 * value). A file's asynchronous calls run in submission order, one at a
 * time, at most VIPSEC_MAX_ASYNC queued or running (-EAGAIN beyond).
 * CTRL_DONE records are never dropped as LOST; calls not started when the
 * file is closed are dropped.
 *
 * Output (GROUP_CREATE's group_id, SA_ADD's ids, dev_status and
 * failed_index, SA_GET's entries, count and more) is written where the
 * synchronous call writes it - the argument struct at arg and the arrays
 * it points to, which must stay valid - when the CTRL_DONE record is
 * read(), by the reading process, which must share the submitter's
 * address space (else result -EFAULT; an SA or group whose id could not
 * be written stays the file's until close). Until its record is read
 * such a call counts against VIPSEC_MAX_ASYNC and its kernel copies
 * (SA_ADD's params and ids, SA_GET's max_sas records) against the async
 * quota (-EDQUOT); close() frees the outputs never read.
 */
struct vipsec_ctrl_async {
	__u32 size;
	__u32 flags;			/* must be 0 */
	__u32 cmd;			/* VIPSEC_IOC_* of the call */
	__u32 reserved;
	__u64 arg;			/* user pointer to its argument struct */
	__u64 user_data;		/* echoed in the CTRL_DONE record */
};

/* Largest size field an ioctl argument may carry (-E2BIG above it) */
#define VIPSEC_MAX_ARG_SIZE	4096

#define VIPSEC_IOC_MAGIC	0xb7
#define VIPSEC_IOC_INFO		_IOWR(VIPSEC_IOC_MAGIC, 0x00, struct vipsec_info)
#define VIPSEC_IOC_CLAIM	_IOW(VIPSEC_IOC_MAGIC, 0x01, struct vipsec_claim)
#define VIPSEC_IOC_GROUP_CREATE	_IOWR(VIPSEC_IOC_MAGIC, 0x02, struct vipsec_group)
#define VIPSEC_IOC_GROUP_DESTROY _IOW(VIPSEC_IOC_MAGIC, 0x03, struct vipsec_group)
#define VIPSEC_IOC_SA_ADD	_IOWR(VIPSEC_IOC_MAGIC, 0x10, struct vipsec_sa_add)
#define VIPSEC_IOC_SA_DEL	_IOW(VIPSEC_IOC_MAGIC, 0x11, struct vipsec_sa_del)
#define VIPSEC_IOC_SA_MOD	_IOW(VIPSEC_IOC_MAGIC, 0x12, struct vipsec_sa_mod)
#define VIPSEC_IOC_SA_GET	_IOWR(VIPSEC_IOC_MAGIC, 0x13, struct vipsec_sa_get)
#define VIPSEC_IOC_SA_FLUSH	_IOW(VIPSEC_IOC_MAGIC, 0x14, struct vipsec_sa_flush)
#define VIPSEC_IOC_XFORM	_IOWR(VIPSEC_IOC_MAGIC, 0x20, struct vipsec_xform)
#define VIPSEC_IOC_EVENT_LIMIT	_IOW(VIPSEC_IOC_MAGIC, 0x15, struct vipsec_event_limit)
#define VIPSEC_IOC_CTRL_ASYNC	_IOW(VIPSEC_IOC_MAGIC, 0x21, struct vipsec_ctrl_async)

#endif /* _UAPI_LINUX_VIRTIO_IPSEC_DEV_H */
