/* SPDX-License-Identifier: GPL-2.0 */
/* virtio-ipsec guest driver: control queue requests. */
#ifndef VIPSEC_CTRL_H
#define VIPSEC_CTRL_H

#include <linux/bits.h>
#include <linux/types.h>
#include <linux/virtio_ipsec.h>

struct vipsec_dev;

int vipsec_status_to_errno(u8 status);
bool vipsec_status_valid(u8 status);
bool vipsec_ctrl_outcome_unknown(int err);
int vipsec_check_footer(struct vipsec_dev *vd, const void *out,
			size_t out_len, u32 used_len, u8 *status);
int vipsec_check_footer_at(struct vipsec_dev *vd, const void *footer,
			   size_t out_len, u32 used_len, u8 *status);

/* struct vipsec_ctrl_msg.flags */
/* the request carries keys: its buffers are zeroed when freed */
#define VIPSEC_CTRL_SENSITIVE	BIT(0)
/*
 * Not interruptible: teardown (SA_DEL, GROUP_DESTROY, SA_FLUSH) must not
 * leave an SA and its keys in the device while the driver forgets it, nor
 * make close() skip the requests of the remaining SAs.
 */
#define VIPSEC_CTRL_NOINTR	BIT(1)

/*
 * One control request: a @body_len body, and room for a @resp_len
 * response body copied to @resp (*@resp_out: bytes the device says it
 * wrote, <= @resp_len). A new command builds one of these in its ioctl
 * handler and calls vipsec_ctrl_exec(); the wrappers below are the
 * existing commands' shorthands.
 */
struct vipsec_ctrl_msg {
	u16 opcode;		/* VIRTIO_IPSEC_OP_* */
	u32 flags;		/* VIPSEC_CTRL_* */
	u32 group_id;
	u32 sa_id;
	const void *body;
	size_t body_len;
	void *resp;
	size_t resp_len;
	size_t *resp_out;
};

int vipsec_ctrl_exec(struct vipsec_dev *vd, const struct vipsec_ctrl_msg *m,
		     u8 *dev_status);

int vipsec_ctrl_group_create(struct vipsec_dev *vd, u32 group_id,
			     const char *name, u8 *dev_status);
int vipsec_ctrl_group_destroy(struct vipsec_dev *vd, u32 group_id,
			      u8 *dev_status);
int vipsec_ctrl_sa_add(struct vipsec_dev *vd, u32 group_id, u32 sa_id,
		       const struct virtio_ipsec_sa_params *params,
		       u8 *dev_status);
int vipsec_ctrl_sa_del(struct vipsec_dev *vd, u32 group_id, u32 sa_id,
		       u8 *dev_status);

int vipsec_ctrl_sa_mod(struct vipsec_dev *vd, u32 group_id, u32 sa_id,
		       const struct virtio_ipsec_sa_mod *mod, u8 *dev_status);
int vipsec_ctrl_sa_flush(struct vipsec_dev *vd, u32 group_id, u8 *dev_status);
/* SA_GET entries per device request: the response must fit 64 KiB. */
#define VIPSEC_SA_GET_CHUNK	32
int vipsec_ctrl_sa_get(struct vipsec_dev *vd, u32 group_id, u32 op,
		       u32 cursor, u32 max, void *resp, u32 *count, bool *more,
		       u8 *dev_status);
/*
 * With SA_GET flags (VIRTIO_IPSEC_SA_GET_F_STATE: each entry followed by
 * its struct virtio_ipsec_sa_state; @resp has room for @max of both).
 */
int vipsec_ctrl_sa_get_flags(struct vipsec_dev *vd, u32 group_id, u32 op,
			     u32 flags, u32 cursor, u32 max, void *resp,
			     u32 *count, bool *more, u8 *dev_status);
/* Bytes of one SA_GET record with @flags. */
static inline size_t vipsec_sa_get_stride(u32 flags)
{
	return sizeof(struct virtio_ipsec_sa_entry) +
	       (flags & VIRTIO_IPSEC_SA_GET_F_STATE ?
		sizeof(struct virtio_ipsec_sa_state) : 0);
}

#endif /* VIPSEC_CTRL_H */
