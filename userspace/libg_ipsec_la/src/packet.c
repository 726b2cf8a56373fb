// SPDX-License-Identifier: BSD-3-Clause
/*
 * Data path: g_ipsec_la_packet_encap/_decap and the multi-packet calls.
 * Every call is ONE VIPSEC_IOC_XFORM (one system call, one virtqueue
 * notification) carrying 1..256 packets with scatter-gather segments;
 * each packet gets its own result. ASYNC calls use the driver's async
 * XFORM and complete in g_ipsec_la_poll(). A packet names its SA, or on
 * decapsulation none: the device then finds the inbound SA by SPI in the
 * handle's group (seed 004).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Non-empty segments of @d into @s; capacity capped at @cap bytes. */
static int gla_segs(const struct g_ipsec_la_data *d, uint32_t n,
		    struct vipsec_seg *s, uint64_t *total, uint64_t cap)
{
	uint32_t i, k = 0;

	*total = 0;
	if (!d || !n || n > VIPSEC_MAX_SEGS)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (!d[i].length)
			continue;
		if (!d[i].buffer)
			return -EINVAL;
		if (*total >= cap)
			break;
		s[k].addr = (uintptr_t)d[i].buffer;
		s[k].len = d[i].length;
		if (*total + s[k].len > cap)
			s[k].len = (uint32_t)(cap - *total);
		s[k].reserved = 0;
		*total += s[k].len;
		k++;
	}
	return k ? (int)k : -EINVAL;
}

/* Report @len output bytes in @out: spread in order over the segments. */
static void gla_out_lengths(struct g_ipsec_la_data *out, uint32_t n,
			    uint32_t len)
{
	uint32_t i, take;

	for (i = 0; i < n; i++) {
		take = out[i].length < len ? out[i].length : len;
		out[i].length = take;
		len -= take;
	}
}

/*
 * One packet's outcome into @r, and its output lengths into @out. A
 * result larger than the accelerator's max_packet_len (@max) can never
 * fit whatever the caller's capacity: the device and the driver clamp the
 * capacity to it, so the device answers "too small" with the size needed
 * (docs/virtio-ipsec-device.md, DST_TOO_SMALL). That is -EMSGSIZE, with
 * the size in out_len, never an -ENOSPC a retry cannot cure.
 */
static void gla_pkt_result(const struct vipsec_pkt *k,
			   struct g_ipsec_la_data *out, uint32_t nout,
			   struct g_ipsec_la_pkt_result *r, uint32_t max)
{
	uint64_t cap = 0;
	uint32_t i;

	memset(r, 0, sizeof(*r));
	r->result = gla_pkt_status_to_errno(k->status);
	if (k->status == VIRTIO_IPSEC_DST_TOO_SMALL && max && k->out_len > max)
		r->result = -EMSGSIZE;
	r->out_len = k->out_len;
	r->seq_num = k->seq_lo;
	r->hi_seq_num = k->seq_hi;
	r->warnings = k->warnings;
	if (k->status == VIRTIO_IPSEC_SOFT_EXPIRY)
		r->warnings |= G_IPSEC_LA_WARN_SOFT_EXPIRY;
	if (!out)
		return;
	for (i = 0; i < nout; i++)
		cap += out[i].length;
	/* out_len: DST_TOO_SMALL the bytes needed, MTU the path MTU */
	if (k->status == VIRTIO_IPSEC_DST_TOO_SMALL ||
	    k->status == VIRTIO_IPSEC_MTU) {
		for (i = 0; i < nout; i++)
			out[i].length = 0;
		out[0].length = k->out_len;
	} else if (!r->result) {
		if (k->out_len > cap) {
			r->result = -EIO; /* impossible answer */
			return;
		}
		gla_out_lengths(out, nout, k->out_len);
	}
}

/* The output capacity a packet was sent with (after the clamp). */
static uint64_t gla_pkt_cap(const struct vipsec_pkt *k)
{
	const struct vipsec_seg *s = (const void *)(uintptr_t)k->out_segs;
	uint64_t cap = 0;
	uint32_t i;

	for (i = 0; i < k->out_nsegs; i++)
		cap += s[i].len;
	return cap;
}

/*
 * The reason g_ipsec_la_last_error() gives for a synchronous call: the
 * first packet that failed, with the limit it hit where there is one.
 * (Completions of ASYNC calls run in g_ipsec_la_poll() and leave the
 * poller's record alone: their results are per packet.)
 */
static void gla_pkt_reason(const struct gla_pending *p)
{
	const struct g_ipsec_la_pkt_result *r;
	uint32_t i;

	for (i = 0; p->results && i < p->n; i++) {
		r = &p->results[i];
		if (!r->result)
			continue;
		gla_err_index(i);
		if (r->result == -EMSGSIZE)
			gla_err_field(r->result,
				      "result length (max_packet_len)",
				      r->out_len, p->max_len);
		else if (r->result == -ENOSPC)
			gla_err_field(r->result,
				      "out_data capacity (below the result's "
				      "length)",
				      gla_pkt_cap(&p->pkts[i]), r->out_len);
		else
			gla_err_status(r->result, p->pkts[i].status);
		return;
	}
}

/* A batch being built: packets and their segments in one allocation. */
struct gla_batch {
	uint32_t n;
	struct vipsec_pkt *pkts;
	struct vipsec_seg *segs; /* 2 * VIPSEC_MAX_SEGS per packet */
};

/*
 * The group and SA ids packet @i goes to: @sa's, or with no SA (decap
 * only) the handle's group and SA id 0, which the driver accepts only
 * in a group of the caller's own.
 */
static int gla_pkt_sa(const struct gla_ref *ref,
		      const struct g_ipsec_la_sa_handle *sa, uint32_t dir,
		      uint32_t ids[2])
{
	int ret;

	if (!sa) {
		if (dir != G_IPSEC_LA_IPSEC_INBOUND || !ref->group_id)
			return -EINVAL;
		ids[0] = ref->group_id;
		ids[1] = 0;
		return 0;
	}
	ret = gla_sa_check(ref, sa, dir);
	if (ret)
		return ret;
	ids[0] = sa->ipsec_sa_handle[GLA_H_GROUP_ID];
	ids[1] = sa->ipsec_sa_handle[GLA_H_SA_ID];
	return 0;
}

static int gla_batch_add(struct gla_batch *b, uint32_t i, const uint32_t *ids,
			 uint64_t max, const struct g_ipsec_la_data *in,
			 uint32_t nin, const struct g_ipsec_la_data *out,
			 uint32_t nout)
{
	struct vipsec_seg *is = b->segs + (size_t)i * 2 * VIPSEC_MAX_SEGS;
	struct vipsec_seg *os = is + VIPSEC_MAX_SEGS;
	struct vipsec_pkt *k = &b->pkts[i];
	uint64_t in_len, out_cap;
	int a, c;

	a = gla_segs(in, nin, is, &in_len, UINT32_MAX);
	if (a < 0)
		return a;
	if (in_len > max) {
		gla_err_index(i);
		return gla_err_field(-EMSGSIZE,
				     "in_data length (max_packet_len)", in_len,
				     max);
	}
	c = gla_segs(out, nout, os, &out_cap, max);
	if (c < 0)
		return c;
	memset(k, 0, sizeof(*k));
	k->group_id = ids[0];
	k->sa_id = ids[1];
	k->in_nsegs = (uint32_t)a;
	k->out_nsegs = (uint32_t)c;
	k->in_segs = (uintptr_t)is;
	k->out_segs = (uintptr_t)os;
	return 0;
}

/*
 * Not zeroed: gla_batch_add() writes every packet whole and the segments
 * it names, and nothing reads the rest (zeroing 16 KiB per batch of 32
 * cost more than the batch's own work under emulation).
 */
static int gla_batch_alloc(struct gla_batch *b, uint32_t n)
{
	b->n = n;
	b->pkts = malloc(n * sizeof(*b->pkts));
	b->segs = malloc((size_t)n * 2 * VIPSEC_MAX_SEGS * sizeof(*b->segs));
	if (!b->pkts || !b->segs) {
		free(b->pkts);
		free(b->segs);
		return -ENOMEM;
	}
	return 0;
}

/* Results of a completed batch: into p->results and the caller's outs. */
void gla_pkt_complete(struct gla_pending *p, int batch_ret)
{
	struct g_ipsec_la_packet_outargs o;
	uint32_t i;

	for (i = 0; i < p->n && p->results; i++) {
		if (batch_ret) {
			memset(&p->results[i], 0, sizeof(p->results[i]));
			p->results[i].result = batch_ret;
		} else if (p->outp) {
			gla_pkt_result(&p->pkts[i], p->outp[i].data,
				       p->outp[i].num_sg, &p->results[i],
				       p->max_len);
		} else {
			gla_pkt_result(&p->pkts[i], p->out1, p->out1_n,
				       &p->results[i], p->max_len);
		}
	}
	if (!p->cbfn)
		return;
	o.result = batch_ret;
	o.num_packets = p->n;
	o.results = p->results;
	p->cbfn(p->cb_arg, p->cb_arg_len, &o);
}

struct gla_xf_args {
	uint32_t op;
	uint32_t flags;
	const struct g_ipsec_la_sa_handle *sa;	       /* all packets, or */
	const struct g_ipsec_la_sa_handle *const *sas; /* one per packet */
	uint32_t n;				       /* packets */
	const struct g_ipsec_la_packet *inp;	       /* multi */
	struct g_ipsec_la_packet *outp;
	const struct g_ipsec_la_data *in1; /* single */
	struct g_ipsec_la_data *out1;
	uint32_t nseg1;
	struct g_ipsec_la_pkt_result *results;
	const struct g_ipsec_la_resp_args *resp;
};

static int gla_xf_build(const struct gla_ref *ref, const struct gla_xf_args *a,
			uint32_t dir, struct gla_batch *b)
{
	uint64_t max = ref->info.max_packet_len ? ref->info.max_packet_len :
						  UINT32_MAX;
	uint32_t i, ids[2];
	int ret;

	ret = gla_batch_alloc(b, a->n);
	for (i = 0; !ret && i < a->n; i++) {
		ret = gla_pkt_sa(ref, a->sas ? a->sas[i] : a->sa, dir, ids);
		if (ret)
			break;
		if (a->inp)
			ret = gla_batch_add(b, i, ids, max, a->inp[i].data,
					    a->inp[i].num_sg, a->outp[i].data,
					    a->outp[i].num_sg);
		else
			ret = gla_batch_add(b, i, ids, max, a->in1, a->nseg1,
					    a->out1, a->nseg1);
	}
	if (ret && b->pkts) {
		free(b->pkts);
		free(b->segs);
	}
	return ret;
}

/*
 * A synchronous batch: results into a->results (NO_RESP_EXPECTED without
 * results[]: a scratch array, so that output lengths are still set).
 */
static int gla_xf_sync(const struct gla_ref *ref, struct gla_xf_args *a,
		       struct gla_batch *b, struct vipsec_xform *x)
{
	struct g_ipsec_la_pkt_result *res = a->results;
	int ret;

	if (!res)
		res = calloc(b->n, sizeof(*res));
	ret = res ? gla_dev_ioctl(ref, VIPSEC_IOC_XFORM, x) : -ENOMEM;
	if (!ret) {
		struct gla_pending p = { .n = b->n,
					 .pkts = b->pkts,
					 .results = res,
					 .outp = a->outp,
					 .out1 = a->out1,
					 .out1_n = a->nseg1,
					 .max_len = ref->info.max_packet_len };

		gla_pkt_complete(&p, 0);
		gla_pkt_reason(&p);
	}
	if (res != a->results)
		free(res);
	free(b->pkts);
	free(b->segs);
	return ret ? ret : (int)b->n;
}

/*
 * Returns packets consumed or a negative errno. NO_RESP_EXPECTED (with
 * or without ASYNC) asks for no response, not for no output: the batch
 * runs synchronously, the output packets and out_data lengths are written
 * before the call returns, and only the callback (and, for the multi-
 * packet calls, results[]) is left out. Both backends take this path.
 */
static int gla_xf(struct g_ipsec_la_handle *handle, struct gla_xf_args *a)
{
	uint32_t dir = a->op == VIPSEC_OP_ENCAP ? G_IPSEC_LA_IPSEC_OUTBOUND :
						  G_IPSEC_LA_IPSEC_INBOUND;
	int async = (a->flags & G_IPSEC_LA_CTRL_FLAG_ASYNC) &&
		    !(a->flags & G_IPSEC_LA_CTRL_FLAG_NO_RESP_EXPECTED);
	struct gla_pending *p;
	struct vipsec_xform x;
	struct gla_batch b;
	struct gla_ref ref;
	uint32_t lim;
	int ret;

	ret = gla_check_flags(a->flags, a->resp);
	if (ret)
		return ret;
	ret = gla_ref_get(handle, &ref);
	if (ret)
		return ret;
	lim = ref.info.max_batch && ref.info.max_batch < VIPSEC_MAX_PKT_BATCH ?
		      ref.info.max_batch :
		      VIPSEC_MAX_PKT_BATCH;
	if (a->n > lim)
		a->n = lim; /* ODP style: consume what fits */
	ret = gla_xf_build(&ref, a, dir, &b);
	if (ret)
		return ret;

	memset(&x, 0, sizeof(x));
	x.size = sizeof(x);
	x.op = a->op;
	x.num_pkts = b.n;
	x.pkts = (uintptr_t)b.pkts;
	if (!async)
		return gla_xf_sync(&ref, a, &b, &x);

	p = gla_pending_new(a->resp);
	if (!p) {
		free(b.pkts);
		free(b.segs);
		return -ENOMEM;
	}
	p->is_data = 1;
	p->n = b.n;
	p->pkts = b.pkts;
	p->segs = b.segs;
	p->outp = a->outp;
	p->out1 = a->out1;
	p->out1_n = a->nseg1;
	p->max_len = ref.info.max_packet_len;
	p->results = a->inp ? a->results : &p->own_res;
	x.flags = VIPSEC_XFORM_F_ASYNC;
	x.user_data = (uintptr_t)p;
	/* Linked before the ioctl: the completion may be read by another
	 * thread's poll as soon as the batch is queued. */
	pthread_mutex_lock(&ref.inst->lock);
	p->next = ref.inst->inflight;
	ref.inst->inflight = p;
	pthread_mutex_unlock(&ref.inst->lock);
	ret = gla_dev_ioctl(&ref, VIPSEC_IOC_XFORM, &x);
	if (ret) {
		struct gla_pending **pp;

		/* no completion will come: the driver refused the batch */
		pthread_mutex_lock(&ref.inst->lock);
		for (pp = &ref.inst->inflight; *pp; pp = &(*pp)->next)
			if (*pp == p) {
				*pp = p->next;
				break;
			}
		pthread_mutex_unlock(&ref.inst->lock);
		gla_pending_free(p);
	}
	return ret ? ret : (int)b.n;
}

/* g_ipsec_la_packet_warnings_get(): the thread's last SYNC single call */
static __thread uint32_t gla_last_warnings;

int32_t g_ipsec_la_packet_warnings_get(uint32_t *warnings)
{
	if (!warnings)
		return -EINVAL;
	*warnings = gla_last_warnings;
	return 0;
}

static int gla_single(struct g_ipsec_la_handle *handle, uint32_t flags,
		      const struct g_ipsec_la_sa_handle *sa_handle,
		      uint32_t nseg, const struct g_ipsec_la_data *in_data,
		      struct g_ipsec_la_data *out_data,
		      const struct g_ipsec_la_resp_args *resp, uint32_t op)
{
	struct g_ipsec_la_pkt_result r;
	struct gla_xf_args a = {
		.op = op,
		.flags = flags,
		.sa = sa_handle,
		.n = 1,
		.in1 = in_data,
		.out1 = out_data,
		.nseg1 = nseg,
		.results = &r,
		.resp = resp,
	};
	int ret;

	gla_last_warnings = 0;
	gla_err_begin(op == VIPSEC_OP_ENCAP ? "g_ipsec_la_packet_encap" :
					      "g_ipsec_la_packet_decap");
	/* No SA: decap looks it up by SPI (gla_pkt_sa()) */
	if ((!sa_handle && op != VIPSEC_OP_DECAP) || !in_data || !out_data)
		return GLA_BAD("sa_handle (NULL: decap only), in_data or "
			       "out_data (NULL)",
			       0, 0);
	if (!nseg || nseg > VIPSEC_MAX_SEGS)
		return GLA_BAD("num_sg_elem", nseg, VIPSEC_MAX_SEGS);
	ret = gla_xf(handle, &a);
	if (ret < 0)
		return ret;
	if ((flags & G_IPSEC_LA_CTRL_FLAG_ASYNC) &&
	    !(flags & G_IPSEC_LA_CTRL_FLAG_NO_RESP_EXPECTED))
		return 0; /* queued */
	/* a failed packet has no warnings (the device sets none) */
	gla_last_warnings = r.result ? 0 : r.warnings;
	return r.result; /* SYNC and NO_RESP_EXPECTED: processed */
}

int32_t g_ipsec_la_packet_encap(struct g_ipsec_la_handle *handle,
				uint32_t flags,
				const struct g_ipsec_la_sa_handle *sa_handle,
				uint32_t num_sg_elem,
				const struct g_ipsec_la_data in_data[],
				struct g_ipsec_la_data out_data[],
				const struct g_ipsec_la_resp_args *resp)
{
	return gla_single(handle, flags, sa_handle, num_sg_elem, in_data,
			  out_data, resp, VIPSEC_OP_ENCAP);
}

int32_t g_ipsec_la_packet_decap(struct g_ipsec_la_handle *handle,
				uint32_t flags,
				const struct g_ipsec_la_sa_handle *sa_handle,
				uint32_t num_sg_elem,
				const struct g_ipsec_la_data in_data[],
				struct g_ipsec_la_data out_data[],
				const struct g_ipsec_la_resp_args *resp)
{
	return gla_single(handle, flags, sa_handle, num_sg_elem, in_data,
			  out_data, resp, VIPSEC_OP_DECAP);
}

static int gla_multi(struct g_ipsec_la_handle *handle, uint32_t flags,
		     const struct g_ipsec_la_sa_handle *sa,
		     const struct g_ipsec_la_sa_handle *const *sas, uint32_t n,
		     const struct g_ipsec_la_packet *in,
		     struct g_ipsec_la_packet *out,
		     struct g_ipsec_la_pkt_result *results,
		     const struct g_ipsec_la_resp_args *resp, uint32_t op)
{
	struct gla_xf_args a = {
		.op = op,
		.flags = flags,
		.sa = sa,
		.sas = sas,
		.n = n,
		.inp = in,
		.outp = out,
		.results = results,
		.resp = resp,
	};

	gla_err_begin(op == VIPSEC_OP_ENCAP ? "g_ipsec_la_multi_packet_encap" :
					      "g_ipsec_la_multi_packet_decap");
	if ((!sa && !sas && op != VIPSEC_OP_DECAP) || !n || !in || !out ||
	    (!results && !(flags & G_IPSEC_LA_CTRL_FLAG_NO_RESP_EXPECTED)))
		return -EINVAL;
	return gla_xf(handle, &a);
}

int32_t
g_ipsec_la_multi_packet_encap(struct g_ipsec_la_handle *handle, uint32_t flags,
			      const struct g_ipsec_la_sa_handle *sa_handle,
			      uint32_t num_packets,
			      const struct g_ipsec_la_packet in_packets[],
			      struct g_ipsec_la_packet out_packets[],
			      struct g_ipsec_la_pkt_result results[],
			      const struct g_ipsec_la_resp_args *resp)
{
	return gla_multi(handle, flags, sa_handle, NULL, num_packets,
			 in_packets, out_packets, results, resp,
			 VIPSEC_OP_ENCAP);
}

int32_t
g_ipsec_la_multi_packet_decap(struct g_ipsec_la_handle *handle, uint32_t flags,
			      const struct g_ipsec_la_sa_handle *sa_handle,
			      uint32_t num_packets,
			      const struct g_ipsec_la_packet in_packets[],
			      struct g_ipsec_la_packet out_packets[],
			      struct g_ipsec_la_pkt_result results[],
			      const struct g_ipsec_la_resp_args *resp)
{
	return gla_multi(handle, flags, sa_handle, NULL, num_packets,
			 in_packets, out_packets, results, resp,
			 VIPSEC_OP_DECAP);
}

int32_t g_ipsec_la_multi_sa_packet_encap(
	struct g_ipsec_la_handle *handle, uint32_t flags,
	const struct g_ipsec_la_sa_handle *const sa_handles[],
	uint32_t num_packets, const struct g_ipsec_la_packet in_packets[],
	struct g_ipsec_la_packet out_packets[],
	struct g_ipsec_la_pkt_result results[],
	const struct g_ipsec_la_resp_args *resp)
{
	if (!sa_handles)
		return -EINVAL;
	return gla_multi(handle, flags, NULL, sa_handles, num_packets,
			 in_packets, out_packets, results, resp,
			 VIPSEC_OP_ENCAP);
}

int32_t g_ipsec_la_multi_sa_packet_decap(
	struct g_ipsec_la_handle *handle, uint32_t flags,
	const struct g_ipsec_la_sa_handle *const sa_handles[],
	uint32_t num_packets, const struct g_ipsec_la_packet in_packets[],
	struct g_ipsec_la_packet out_packets[],
	struct g_ipsec_la_pkt_result results[],
	const struct g_ipsec_la_resp_args *resp)
{
	if (!sa_handles)
		return -EINVAL;
	return gla_multi(handle, flags, NULL, sa_handles, num_packets,
			 in_packets, out_packets, results, resp,
			 VIPSEC_OP_DECAP);
}
