// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-ipsec guest driver: VIPSEC_IOC_XFORM (synchronous).
 *
 * The whole batch becomes one data request: every packet's input segments
 * are gathered into the request buffer, the request runs on data queue 0,
 * and each packet's output is scattered back into its output segments
 * together with its status, length, sequence number and warnings.
 */

#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/virtio_ipsec_dev.h>

#include "chardev.h"
#include "data.h"
#include "main.h"
#include "sa.h"
#include "xform.h"

/* One packet of the batch, as checked and copied from user space. */
struct vipsec_xpkt {
	struct vipsec_seg in[VIPSEC_MAX_SEGS];
	struct vipsec_seg out[VIPSEC_MAX_SEGS];
	u32 in_len;
	u32 out_cap;
};

/* Sums @n segments; reserved fields must be 0. */
static int vipsec_segs_len(const struct vipsec_seg *s, u32 n, u64 *len)
{
	u32 i;

	*len = 0;
	for (i = 0; i < n; i++) {
		if (s[i].reserved)
			return -EINVAL;
		*len += s[i].len;
	}
	return 0;
}

/* Checks one packet and copies its segment lists in. */
static int vipsec_xpkt_load(struct vipsec_file *f, const struct vipsec_pkt *p,
			    struct vipsec_xpkt *x)
{
	u32 max = f->vd->lim.max_packet_len;
	u64 in_len, out_len;

	if (p->reserved || !p->in_nsegs || p->in_nsegs > VIPSEC_MAX_SEGS ||
	    !p->out_nsegs || p->out_nsegs > VIPSEC_MAX_SEGS)
		return -EINVAL;
	if (!vipsec_file_owns_sa(f, p->group_id, p->sa_id))
		return -ENOENT;
	if (copy_from_user(x->in, u64_to_user_ptr(p->in_segs),
			   p->in_nsegs * sizeof(x->in[0])) ||
	    copy_from_user(x->out, u64_to_user_ptr(p->out_segs),
			   p->out_nsegs * sizeof(x->out[0])))
		return -EFAULT;
	if (vipsec_segs_len(x->in, p->in_nsegs, &in_len) ||
	    vipsec_segs_len(x->out, p->out_nsegs, &out_len))
		return -EINVAL;
	if (!in_len || in_len > max || !out_len)
		return -EINVAL;
	x->in_len = in_len;
	x->out_cap = min_t(u64, out_len, max);	/* more room is harmless */
	return 0;
}

/* Copies each packet's input segments into the request. */
static int vipsec_xform_gather(struct vipsec_data_req *dr,
			       const struct vipsec_pkt *pkts,
			       const struct vipsec_xpkt *x)
{
	u8 *dst = dr->in_data;
	u32 i, s;

	for (i = 0; i < dr->num; i++) {
		dr->pkt[i].group_id = cpu_to_le32(pkts[i].group_id);
		dr->pkt[i].sa_id = cpu_to_le32(pkts[i].sa_id);
		dr->pkt[i].in_len = cpu_to_le32(x[i].in_len);
		dr->pkt[i].out_cap = cpu_to_le32(x[i].out_cap);
		for (s = 0; s < pkts[i].in_nsegs; s++) {
			if (copy_from_user(dst, u64_to_user_ptr(x[i].in[s].addr),
					   x[i].in[s].len))
				return -EFAULT;
			dst += x[i].in[s].len;
		}
	}
	return 0;
}

/* Copies @len bytes of output into the packet's output segments. */
static int vipsec_xpkt_scatter(const struct vipsec_xpkt *x, u32 nsegs,
			       const u8 *src, u32 len)
{
	u32 s, chunk;

	for (s = 0; s < nsegs && len; s++) {
		chunk = min(len, x->out[s].len);
		if (copy_to_user(u64_to_user_ptr(x->out[s].addr), src, chunk))
			return -EFAULT;
		src += chunk;
		len -= chunk;
	}
	return 0;
}

/* Writes results and outputs back; the results were checked in data.c. */
static int vipsec_xform_scatter(struct vipsec_data_req *dr,
				struct vipsec_pkt *pkts,
				const struct vipsec_xpkt *x)
{
	const u8 *src = dr->out_data;
	int err = 0;
	u32 i;

	for (i = 0; i < dr->num; i++) {
		const struct virtio_ipsec_pkt_result *r = &dr->res[i];
		u32 out_len = le32_to_cpu(r->out_len);

		pkts[i].status = r->status;
		pkts[i].out_len = out_len;
		pkts[i].seq_lo = le32_to_cpu(r->seq_lo);
		pkts[i].seq_hi = le32_to_cpu(r->seq_hi);
		pkts[i].warnings = le16_to_cpu(r->warnings);
		if ((r->status == VIRTIO_IPSEC_OK ||
		     r->status == VIRTIO_IPSEC_SOFT_EXPIRY) && !err)
			err = vipsec_xpkt_scatter(&x[i], pkts[i].out_nsegs,
						  src, out_len);
		src += x[i].out_cap;
	}
	return err;
}

/* Runs the checked batch. Must hold vd->remove_sem (read). */
static int vipsec_xform_run(struct vipsec_file *f, u32 op,
			    struct vipsec_pkt *pkts, struct vipsec_xpkt *x,
			    u32 num)
{
	struct vipsec_data_req dr = {};
	size_t in_total = 0, out_total = 0;
	u16 opcode = op == VIPSEC_OP_ENCAP ? VIRTIO_IPSEC_OP_ENCAP :
					     VIRTIO_IPSEC_OP_DECAP;
	int err;
	u32 i;

	lockdep_assert_held(&f->vd->remove_sem);
	for (i = 0; i < num; i++) {
		err = vipsec_xpkt_load(f, &pkts[i], &x[i]);
		if (err)
			return err;
		in_total += x[i].in_len;
		out_total += x[i].out_cap;
	}
	err = vipsec_data_prepare(&dr, opcode, num, in_total, out_total);
	if (err)
		return err;
	err = vipsec_xform_gather(&dr, pkts, x);
	if (err) {
		vipsec_data_free(&dr);
		return err;
	}
	err = vipsec_data_run(f->vd, &dr, 0);
	if (err)
		return err;	/* dr already released */
	err = vipsec_xform_scatter(&dr, pkts, x);
	vipsec_data_free(&dr);
	return err;
}

long vipsec_ioctl_xform(struct vipsec_file *f, void __user *uarg)
{
	u32 max_batch = min_t(u32, VIPSEC_MAX_PKT_BATCH, f->vd->lim.max_batch);
	struct vipsec_xform xf;
	struct vipsec_pkt *pkts;
	struct vipsec_xpkt *x;
	void __user *upkts;
	int err;

	err = vipsec_copy_arg(&xf, sizeof(xf), uarg);
	if (err)
		return err;
	if (xf.flags & VIPSEC_XFORM_F_ASYNC)
		return -EOPNOTSUPP;
	if (xf.flags || (xf.op != VIPSEC_OP_ENCAP && xf.op != VIPSEC_OP_DECAP) ||
	    !xf.num_pkts || xf.num_pkts > max_batch)
		return -EINVAL;

	upkts = u64_to_user_ptr(xf.pkts);
	pkts = vmemdup_user(upkts, xf.num_pkts * sizeof(*pkts));
	if (IS_ERR(pkts))
		return PTR_ERR(pkts);
	x = kvmalloc_array(xf.num_pkts, sizeof(*x), GFP_KERNEL);
	if (!x) {
		kvfree(pkts);
		return -ENOMEM;
	}
	err = vipsec_xform_run(f, xf.op, pkts, x, xf.num_pkts);
	if (!err && copy_to_user(upkts, pkts, xf.num_pkts * sizeof(*pkts)))
		err = -EFAULT;
	kvfree(x);
	kvfree(pkts);
	return err;
}
