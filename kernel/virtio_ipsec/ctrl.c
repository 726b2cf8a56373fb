// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-ipsec guest driver: control queue requests.
 *
 * A control request is one buffer: ctrl_hdr + body (device-readable), then
 * response body + footer, the footer in the last bytes of the writable
 * area (device-writable). One request is in flight at a time
 * (vd->ctrl_mutex); a request that times out is abandoned to vq.c, which
 * frees it only when the device gives it back or at remove.
 */

#include <linux/build_bug.h>
#include <linux/string.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ipsec_status.h>

#include "ctrl.h"
#include "main.h"

/*
 * Device status -> errno and text, from the one table
 * (<linux/virtio_ipsec_status.h>), for the control path and for a data
 * request refused as a whole; per-packet statuses go to user space
 * unchanged and the library maps them from the same table.
 */
static_assert(VIPSEC_STATUS_TABLE_VALID);

#define VIPSEC_STATUS_ERRNO(name, value, err, msg)			\
	[VIRTIO_IPSEC_##name] = -(err),
static const int vipsec_status_errno[VIPSEC_STATUS_COUNT] = {
	VIPSEC_STATUS_TABLE(VIPSEC_STATUS_ERRNO)
};

#define VIPSEC_STATUS_MSG(name, value, err, msg)			\
	[VIRTIO_IPSEC_##name] = msg,
static const char *const vipsec_status_msg[VIPSEC_STATUS_COUNT] = {
	VIPSEC_STATUS_TABLE(VIPSEC_STATUS_MSG)
};

bool vipsec_status_valid(u8 status)
{
	return status < VIPSEC_STATUS_COUNT;
}

/*
 * True when a control request's outcome is unknown: vq.c abandoned it
 * with the device still holding it, so the device may yet carry it out.
 */
bool vipsec_ctrl_outcome_unknown(int err)
{
	return err == -EINTR || err == -ETIMEDOUT;
}

int vipsec_status_to_errno(u8 status)
{
	return vipsec_status_valid(status) ? vipsec_status_errno[status] : -EIO;
}

static const char *vipsec_status_str(u8 status)
{
	return vipsec_status_valid(status) ? vipsec_status_msg[status] :
					     "unknown status";
}

/*
 * Checks the footer at the end of a writable area of @out_len bytes. An
 * impossible response breaks the device. Must hold vd->remove_sem.
 */
int vipsec_check_footer(struct vipsec_dev *vd, const void *out,
			size_t out_len, u32 used_len, u8 *status)
{
	return vipsec_check_footer_at(vd, (const u8 *)out + out_len -
				      sizeof(struct virtio_ipsec_resp_footer),
				      out_len, used_len, status);
}

/*
 * The same for a writable area whose footer is not in one buffer with
 * the rest (zero-copy data requests: the outputs are in user pages).
 */
int vipsec_check_footer_at(struct vipsec_dev *vd, const void *footer,
			   size_t out_len, u32 used_len, u8 *status)
{
	struct virtio_ipsec_resp_footer f;
	size_t body = out_len - sizeof(f);

	lockdep_assert_held(&vd->remove_sem);
	memcpy(&f, footer, sizeof(f));
	if (used_len > out_len || le32_to_cpu(f.out_len) > body ||
	    !vipsec_status_valid(f.status)) {
		dev_err_ratelimited(&vd->vdev->dev,
				    "bad response (used %u, out_len %u, status %u), breaking device\n",
				    used_len, le32_to_cpu(f.out_len), f.status);
		virtio_break_device(vd->vdev);
		return -EIO;
	}
	*status = f.status;
	return 0;
}

/*
 * Runs the control request @m (see struct vipsec_ctrl_msg). Returns a
 * negative errno, or the mapped device status with the raw one in
 * *dev_status. Must hold vd->remove_sem (read).
 */
int vipsec_ctrl_exec(struct vipsec_dev *vd, const struct vipsec_ctrl_msg *m,
		     u8 *dev_status)
{
	bool intr = !(m->flags & VIPSEC_CTRL_NOINTR);
	struct virtio_ipsec_resp_footer *ft;
	struct virtio_ipsec_ctrl_hdr *hdr;
	struct vipsec_req *req;
	u32 used_len;
	u8 status;
	int err;

	lockdep_assert_held(&vd->remove_sem);
	*dev_status = VIRTIO_IPSEC_ERR;
	if (READ_ONCE(vd->gone))
		return -ENODEV;	/* close() after remove: no queues left */
	req = vipsec_req_alloc(sizeof(*hdr) + m->body_len,
			       m->resp_len + sizeof(*ft));
	if (!req)
		return -ENOMEM;
	req->sensitive = !!(m->flags & VIPSEC_CTRL_SENSITIVE);
	hdr = (void *)req->buf;		/* zeroed: reserved bytes are 0 */
	hdr->opcode = cpu_to_le16(m->opcode);
	hdr->group_id = cpu_to_le32(m->group_id);
	hdr->sa_id = cpu_to_le32(m->sa_id);
	if (m->body_len)
		memcpy(req->buf + sizeof(*hdr), m->body, m->body_len);

	if (!intr) {
		mutex_lock(&vd->ctrl_mutex);
	} else if (mutex_lock_interruptible(&vd->ctrl_mutex)) {
		vipsec_req_free(req);
		return -ERESTARTSYS;	/* never sent: not -EINTR (vq.c) */
	}
	err = vipsec_req_submit_wait(&vd->ctrlq, req, VIPSEC_CTRL_TIMEOUT_MS,
				     intr);
	mutex_unlock(&vd->ctrl_mutex);
	if (err)
		return err;	/* the queue owns req now */

	used_len = req->used_len;
	err = vipsec_check_footer(vd, req->out, req->out_len, used_len,
				  &status);
	if (!err && m->resp_len) {
		ft = req->out + m->resp_len;
		/* <= resp_len: checked by vipsec_check_footer() */
		*m->resp_out = le32_to_cpu(ft->out_len);
		memcpy(m->resp, req->out, m->resp_len);
	}
	vipsec_req_free(req);
	if (err)
		return err;
	*dev_status = status;
	if (status != VIRTIO_IPSEC_OK)
		dev_dbg_ratelimited(&vd->vdev->dev,
				    "control op %#x (group %u, SA %u): %s\n",
				    m->opcode, m->group_id, m->sa_id,
				    vipsec_status_str(status));
	return vipsec_status_to_errno(status);
}

/* A request without a response body. */
static int vipsec_ctrl_simple(struct vipsec_dev *vd, u16 opcode, u32 flags,
			      u32 group_id, u32 sa_id, const void *body,
			      size_t body_len, u8 *dev_status)
{
	struct vipsec_ctrl_msg m = {
		.opcode = opcode,
		.flags = flags,
		.group_id = group_id,
		.sa_id = sa_id,
		.body = body,
		.body_len = body_len,
	};

	return vipsec_ctrl_exec(vd, &m, dev_status);
}

int vipsec_ctrl_group_create(struct vipsec_dev *vd, u32 group_id,
			     const char *name, u8 *dev_status)
{
	struct virtio_ipsec_group_create body = {};

	strscpy_pad((char *)body.name, name, sizeof(body.name));
	return vipsec_ctrl_simple(vd, VIRTIO_IPSEC_OP_GROUP_CREATE, 0,
				  group_id, 0, &body, sizeof(body), dev_status);
}

int vipsec_ctrl_group_destroy(struct vipsec_dev *vd, u32 group_id,
			      u8 *dev_status)
{
	return vipsec_ctrl_simple(vd, VIRTIO_IPSEC_OP_GROUP_DESTROY,
				  VIPSEC_CTRL_NOINTR, group_id, 0, NULL, 0,
				  dev_status);
}

int vipsec_ctrl_sa_add(struct vipsec_dev *vd, u32 group_id, u32 sa_id,
		       const struct virtio_ipsec_sa_params *params,
		       u8 *dev_status)
{
	return vipsec_ctrl_simple(vd, VIRTIO_IPSEC_OP_SA_ADD,
				  VIPSEC_CTRL_SENSITIVE, group_id, sa_id,
				  params, sizeof(*params), dev_status);
}

int vipsec_ctrl_sa_del(struct vipsec_dev *vd, u32 group_id, u32 sa_id,
		       u8 *dev_status)
{
	return vipsec_ctrl_simple(vd, VIRTIO_IPSEC_OP_SA_DEL, VIPSEC_CTRL_NOINTR,
				  group_id, sa_id, NULL, 0, dev_status);
}

int vipsec_ctrl_sa_mod(struct vipsec_dev *vd, u32 group_id, u32 sa_id,
		       const struct virtio_ipsec_sa_mod *mod, u8 *dev_status)
{
	return vipsec_ctrl_simple(vd, VIRTIO_IPSEC_OP_SA_MOD, 0, group_id,
				  sa_id, mod, sizeof(*mod), dev_status);
}

int vipsec_ctrl_sa_flush(struct vipsec_dev *vd, u32 group_id, u8 *dev_status)
{
	return vipsec_ctrl_simple(vd, VIRTIO_IPSEC_OP_SA_FLUSH,
				  VIPSEC_CTRL_NOINTR, group_id, 0, NULL, 0,
				  dev_status);
}

/*
 * SA_GET into @resp (a virtio_ipsec_sa_get_resp and room for @max
 * entries). Returns the number of valid entries in *count after checking
 * that the device's count fits what it wrote and what there was room for.
 */
int vipsec_ctrl_sa_get(struct vipsec_dev *vd, u32 group_id, u32 op,
		       u32 cursor, u32 max, void *resp, u32 *count, bool *more,
		       u8 *dev_status)
{
	return vipsec_ctrl_sa_get_flags(vd, group_id, op, 0, cursor, max,
					resp, count, more, dev_status);
}

int vipsec_ctrl_sa_get_flags(struct vipsec_dev *vd, u32 group_id, u32 op,
			     u32 flags, u32 cursor, u32 max, void *resp,
			     u32 *count, bool *more, u8 *dev_status)
{
	struct virtio_ipsec_sa_get body = {
		.op = cpu_to_le32(op),
		.max_sas = cpu_to_le32(max),
		.flags = cpu_to_le32(flags),
	};
	struct virtio_ipsec_sa_get_resp *r = resp;
	size_t stride = vipsec_sa_get_stride(flags);
	size_t len = sizeof(*r) + (size_t)max * stride, out = 0;
	/* SA_GET returns no keys, but a device decides: treat as keys */
	struct vipsec_ctrl_msg m = {
		.opcode = VIRTIO_IPSEC_OP_SA_GET,
		.flags = VIPSEC_CTRL_SENSITIVE,
		.group_id = group_id,
		.sa_id = cursor,
		.body = &body,
		.body_len = sizeof(body),
		.resp = resp,
		.resp_len = len,
		.resp_out = &out,
	};
	u32 n;
	int err;

	err = vipsec_ctrl_exec(vd, &m, dev_status);
	if (err)
		return err;
	n = out >= sizeof(*r) ? le32_to_cpu(r->count) : 0;
	if (out < sizeof(*r) || n > max ||
	    out < sizeof(*r) + (size_t)n * stride) {
		dev_err_ratelimited(&vd->vdev->dev,
				    "bad SA_GET response (%zu bytes, count %u)\n",
				    out, n);
		return -EIO;
	}
	*count = n;
	*more = le32_to_cpu(r->more) != 0;
	return 0;
}
