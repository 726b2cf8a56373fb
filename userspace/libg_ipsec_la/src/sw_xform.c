// SPDX-License-Identifier: BSD-3-Clause
/*
 * Software accelerator: VIPSEC_IOC_XFORM, as the driver's xform.c does it.
 * The batch's segments are gathered into one data request of the engine,
 * the request runs, and each packet's status, length, sequence number and
 * output bytes go back into the caller's arrays. An ASYNC batch runs at
 * submission too, but, as with the driver, its results are written back
 * only when its XFORM_DONE record is read, it counts against
 * VIPSEC_MAX_ASYNC and the async byte quota until then, and a batch
 * refused by the device reports that in the record, not in the ioctl.
 * Everything here runs with gla_sw.lock held.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_ipsec_status.h>

#include "sw.h"

/* xform.c struct vipsec_xpkt: one packet, checked and copied in */
struct gla_sw_xpkt {
	struct vipsec_seg in[VIPSEC_MAX_SEGS];
	struct vipsec_seg out[VIPSEC_MAX_SEGS];
	uint32_t in_len;
	uint32_t out_cap;
};

/* One batch: the request's response, until the results are written back */
struct gla_sw_async {
	struct gla_sw_ev item; /* the XFORM_DONE record */
	struct gla_sw_file *f;
	struct vipsec_pkt *pkts; /* copy of the caller's array */
	struct gla_sw_xpkt *x;
	uint64_t upkts; /* the caller's array */
	uint32_t num, op, flags;
	uint8_t *resp; /* results, then output areas */
	size_t resp_len;
	size_t bytes; /* charged to f (async quota) */
	int err;      /* the batch's result */
};

static int gla_sw_segs_len(const struct vipsec_seg *s, uint32_t n,
			   uint64_t *len)
{
	uint32_t i;

	*len = 0;
	for (i = 0; i < n; i++) {
		if (s[i].reserved)
			return -EINVAL;
		*len += s[i].len;
	}
	return 0;
}

/* xform.c vipsec_xpkt_sa_check() */
static int gla_sw_xpkt_sa_check(struct gla_sw_file *f, uint32_t op,
				const struct vipsec_pkt *p)
{
	if (!p->sa_id) {
		if (op != VIPSEC_OP_DECAP || !p->group_id)
			return -EINVAL;
		return gla_sw_owns_group(f, p->group_id) ? 0 : -ENOENT;
	}
	if (!gla_sw_owns_sa(f, p->group_id, p->sa_id))
		return -ENOENT;
	return gla_sw.sas[p->sa_id].disabled ? -ESHUTDOWN : 0;
}

/* xform.c vipsec_xpkt_load() */
static int gla_sw_xpkt_load(struct gla_sw_file *f, uint32_t op,
			    const struct vipsec_pkt *p, struct gla_sw_xpkt *x)
{
	uint32_t max = gla_sw.max_packet_len;
	uint64_t in_len, out_len;
	int err;

	if (p->reserved || !p->in_nsegs || p->in_nsegs > VIPSEC_MAX_SEGS ||
	    !p->out_nsegs || p->out_nsegs > VIPSEC_MAX_SEGS)
		return -EINVAL;
	err = gla_sw_xpkt_sa_check(f, op, p);
	if (err)
		return err;
	err = gla_sw_copy_in(x->in, p->in_segs, p->in_nsegs * sizeof(x->in[0]));
	if (!err)
		err = gla_sw_copy_in(x->out, p->out_segs,
				     p->out_nsegs * sizeof(x->out[0]));
	if (err)
		return err;
	if (gla_sw_segs_len(x->in, p->in_nsegs, &in_len) ||
	    gla_sw_segs_len(x->out, p->out_nsegs, &out_len))
		return -EINVAL;
	if (!in_len || !out_len)
		return -EINVAL;
	if (in_len > max) /* never fits, unlike a short output area */
		return -EMSGSIZE;
	x->in_len = (uint32_t)in_len;
	x->out_cap = out_len < max ? (uint32_t)out_len : max;
	return 0;
}

/* xform.c vipsec_xform_build() with data.c vipsec_data_prepare() */
static int gla_sw_xform_build(struct gla_sw_file *f, struct gla_sw_async *a,
			      uint8_t **reqp, size_t *req_len)
{
	struct virtio_ipsec_data_hdr h;
	struct virtio_ipsec_pkt_req pr;
	uint64_t in_total = 0, out_total = 0;
	uint8_t *req, *dst;
	uint32_t i, s;
	int err;

	for (i = 0; i < a->num; i++) {
		err = gla_sw_xpkt_load(f, a->op, &a->pkts[i], &a->x[i]);
		if (err)
			return err;
		in_total += a->x[i].in_len;
		out_total += a->x[i].out_cap;
	}
	*req_len = sizeof(h) + a->num * sizeof(pr) + in_total;
	a->resp_len = a->num * sizeof(struct virtio_ipsec_pkt_result) +
		      sizeof(struct virtio_ipsec_resp_footer) + out_total;
	if (*req_len + a->resp_len > GLA_SW_DATA_MAX_BYTES)
		return -E2BIG;
	req = calloc(1, *req_len);
	a->resp = calloc(1, a->resp_len);
	if (!req || !a->resp) {
		free(req);
		return -ENOMEM;
	}
	memset(&h, 0, sizeof(h));
	h.opcode = htole16(a->op == VIPSEC_OP_ENCAP ? VIRTIO_IPSEC_OP_ENCAP :
						      VIRTIO_IPSEC_OP_DECAP);
	h.num_pkts = htole32(a->num);
	memcpy(req, &h, sizeof(h));
	dst = req + sizeof(h) + a->num * sizeof(pr);
	for (i = 0; i < a->num; i++) {
		memset(&pr, 0, sizeof(pr));
		pr.group_id = htole32(a->pkts[i].group_id);
		pr.sa_id = htole32(a->pkts[i].sa_id);
		pr.in_len = htole32(a->x[i].in_len);
		pr.out_cap = htole32(a->x[i].out_cap);
		memcpy(req + sizeof(h) + i * sizeof(pr), &pr, sizeof(pr));
		for (s = 0; s < a->pkts[i].in_nsegs; s++) {
			err = gla_sw_copy_in(dst, a->x[i].in[s].addr,
					     a->x[i].in[s].len);
			if (err) {
				free(req);
				return err;
			}
			dst += a->x[i].in[s].len;
		}
	}
	*reqp = req;
	return 0;
}

/*
 * The engine runs the request; the checks of data.c vipsec_data_check():
 * the footer's status as an errno, then every result must be possible.
 */
static int gla_sw_xform_run(struct gla_sw_async *a, const uint8_t *req,
			    size_t req_len)
{
	struct virtio_ipsec_resp_footer ft;
	struct virtio_ipsec_pkt_result r;
	ssize_t n;
	uint32_t i;

	gla_sw_tick();
	n = vpe_core_handle_data(gla_sw.core, req, req_len, a->resp,
				 a->resp_len);
	if (n < (ssize_t)sizeof(ft))
		return -EIO;
	memcpy(&ft, a->resp + a->resp_len - sizeof(ft), sizeof(ft));
	if (ft.status != VIRTIO_IPSEC_OK)
		return gla_ctrl_status_to_errno(ft.status) ?: -EIO;
	for (i = 0; i < a->num; i++) {
		memcpy(&r, a->resp + i * sizeof(r), sizeof(r));
		if (r.status >= VIPSEC_STATUS_COUNT ||
		    ((r.status == VIRTIO_IPSEC_OK ||
		      r.status == VIRTIO_IPSEC_SOFT_EXPIRY) &&
		     le32toh(r.out_len) > a->x[i].out_cap))
			return -EIO;
	}
	return 0;
}

/* xform.c vipsec_xform_account(): packets the device processed */
static void gla_sw_xform_account(const struct gla_sw_async *a)
{
	struct virtio_ipsec_pkt_result r;
	uint64_t pkts = 0, bytes = 0;
	uint32_t i;

	for (i = 0; i < a->num; i++) {
		memcpy(&r, a->resp + i * sizeof(r), sizeof(r));
		if (r.status != VIRTIO_IPSEC_OK &&
		    r.status != VIRTIO_IPSEC_SOFT_EXPIRY)
			continue;
		pkts++;
		bytes += a->x[i].in_len;
	}
	if (a->op == VIPSEC_OP_ENCAP) {
		gla_sw.counters.packets_out += pkts;
		gla_sw.counters.bytes_out += bytes;
	} else {
		gla_sw.counters.packets_in += pkts;
		gla_sw.counters.bytes_in += bytes;
	}
}

/* xform.c vipsec_xform_scatter() and vipsec_xpkt_scatter() */
static int gla_sw_xform_scatter(struct gla_sw_async *a)
{
	const uint8_t *src =
		a->resp + a->num * sizeof(struct virtio_ipsec_pkt_result);
	struct virtio_ipsec_pkt_result r;
	uint32_t i, s, len, chunk;
	const uint8_t *p;
	int err = 0;

	for (i = 0; i < a->num; i++) {
		memcpy(&r, a->resp + i * sizeof(r), sizeof(r));
		a->pkts[i].status = r.status;
		a->pkts[i].out_len = le32toh(r.out_len);
		a->pkts[i].seq_lo = le32toh(r.seq_lo);
		a->pkts[i].seq_hi = le32toh(r.seq_hi);
		a->pkts[i].warnings = le16toh(r.warnings);
		len = a->pkts[i].out_len;
		p = src;
		if ((r.status == VIRTIO_IPSEC_OK ||
		     r.status == VIRTIO_IPSEC_SOFT_EXPIRY) &&
		    !err)
			for (s = 0; s < a->pkts[i].out_nsegs && len && !err;
			     s++) {
				chunk = len < a->x[i].out[s].len ?
						len :
						a->x[i].out[s].len;
				err = gla_sw_copy_out(a->x[i].out[s].addr, p,
						      chunk);
				p += chunk;
				len -= chunk;
			}
		src += a->x[i].out_cap;
	}
	if (!err)
		err = gla_sw_copy_out(a->upkts, a->pkts,
				      a->num * sizeof(*a->pkts));
	return err;
}

void gla_sw_async_free(struct gla_sw_async *a)
{
	if (a->f && (a->flags & VIPSEC_XFORM_F_ASYNC)) {
		a->f->nasync--;
		a->f->async_bytes -= a->bytes;
	}
	free(a->resp);
	free(a->x);
	free(a->pkts);
	free(a);
}

/* xform.c vipsec_async_deliver(), from read() */
void gla_sw_async_deliver(struct gla_sw_async *a, struct vipsec_event *ev)
{
	int err = a->err;

	if (!err)
		err = gla_sw_xform_scatter(a);
	*ev = a->item.ev;
	ev->result = err;
	gla_sw_async_free(a);
}

/* xform.c vipsec_xform_submit(): the bounds an async batch must fit */
static int gla_sw_async_charge(struct gla_sw_file *f, struct gla_sw_async *a)
{
	uint32_t i;

	for (i = 0; i < a->num; i++)
		a->bytes += (size_t)a->x[i].in_len + a->x[i].out_cap;
	if (f->async_bytes + a->bytes > GLA_SW_ASYNC_BYTES)
		return -EDQUOT;
	f->async_bytes += a->bytes;
	f->nasync++;
	return 0;
}

static int gla_sw_xform_go(struct gla_sw_file *f, struct gla_sw_async *a,
			   uint64_t user_data)
{
	uint8_t *req = NULL;
	size_t req_len;
	int err;

	if ((a->flags & VIPSEC_XFORM_F_ASYNC) && f->nasync >= VIPSEC_MAX_ASYNC)
		return -EAGAIN;
	err = gla_sw_xform_build(f, a, &req, &req_len);
	if (!err && (a->flags & VIPSEC_XFORM_F_ASYNC))
		err = gla_sw_async_charge(f, a);
	if (err) {
		free(req);
		return err;
	}
	a->err = gla_sw_xform_run(a, req, req_len);
	free(req);
	if (!a->err)
		gla_sw_xform_account(a);
	if (!(a->flags & VIPSEC_XFORM_F_ASYNC)) {
		err = a->err ?: gla_sw_xform_scatter(a);
		return err;
	}
	a->f = f;
	if (a->flags & VIPSEC_XFORM_F_NO_COMPLETION) {
		gla_sw_async_free(a);
		return 0;
	}
	a->item.async = a;
	a->item.ev.size = sizeof(a->item.ev);
	a->item.ev.type = VIPSEC_EV_XFORM_DONE;
	a->item.ev.user_data = user_data;
	gla_sw_post_async(f, &a->item);
	return 0;
}

#define GLA_SW_XFORM_FLAGS (VIPSEC_XFORM_F_ASYNC | VIPSEC_XFORM_F_NO_COMPLETION)

/* xform.c vipsec_ioctl_xform() */
long gla_sw_xform(struct gla_sw_file *f, void *uarg)
{
	uint32_t max_batch = gla_sw.max_batch < VIPSEC_MAX_PKT_BATCH ?
				     gla_sw.max_batch :
				     VIPSEC_MAX_PKT_BATCH;
	struct gla_sw_async *a;
	struct vipsec_xform xf;
	int err;

	err = gla_sw_copy_arg(&xf, sizeof(xf), uarg);
	if (err)
		return err;
	if (xf.flags & ~GLA_SW_XFORM_FLAGS ||
	    (xf.flags & VIPSEC_XFORM_F_NO_COMPLETION &&
	     !(xf.flags & VIPSEC_XFORM_F_ASYNC)) ||
	    (xf.op != VIPSEC_OP_ENCAP && xf.op != VIPSEC_OP_DECAP) ||
	    !xf.num_pkts || xf.num_pkts > max_batch)
		return -EINVAL;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->num = xf.num_pkts;
	a->op = xf.op;
	a->flags = xf.flags;
	a->upkts = xf.pkts;
	a->pkts = malloc(a->num * sizeof(*a->pkts));
	a->x = malloc(a->num * sizeof(*a->x));
	if (!a->pkts || !a->x)
		err = -ENOMEM;
	else
		err = gla_sw_copy_in(a->pkts, xf.pkts,
				     a->num * sizeof(*a->pkts));
	if (!err)
		err = gla_sw_xform_go(f, a, xf.user_data);
	if (err || !(xf.flags & VIPSEC_XFORM_F_ASYNC))
		gla_sw_async_free(a); /* else the record or the free owns it */
	return err;
}
