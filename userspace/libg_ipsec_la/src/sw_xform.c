// SPDX-License-Identifier: BSD-3-Clause
/*
 * Software accelerator: VIPSEC_IOC_XFORM. Gathers the packets' segments
 * into one data request of the device core, runs it, and scatters the
 * results and output bytes back, as the driver does with the virtqueue.
 * ASYNC batches complete at once; the XFORM_DONE record is queued so the
 * caller sees the same completion path as with the device.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "sw.h"

static int gla_sw_seglen(const struct vipsec_seg *s, uint32_t n, uint64_t *t)
{
	uint32_t i;

	*t = 0;
	if (!s || !n || n > VIPSEC_MAX_SEGS)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (s[i].reserved || (s[i].len && !s[i].addr))
			return -EINVAL;
		*t += s[i].len;
	}
	return 0;
}

static void gla_sw_scatter(const struct vipsec_seg *s, uint32_t n,
			   const uint8_t *src, uint32_t len)
{
	uint32_t i, take;

	for (i = 0; i < n && len; i++) {
		take = s[i].len < len ? s[i].len : len;
		memcpy((void *)(uintptr_t)s[i].addr, src, take);
		src += take;
		len -= take;
	}
}

/* Validate the batch and size the request; ownership as the driver. */
static int gla_sw_xf_check(struct gla_sw_file *f, const struct vipsec_xform *x,
			   uint64_t *in_total, uint64_t *out_total)
{
	const struct vipsec_pkt *k = (const void *)(uintptr_t)x->pkts;
	uint64_t a, b;
	uint32_t i;

	if (x->flags & ~(uint32_t)(VIPSEC_XFORM_F_ASYNC |
				   VIPSEC_XFORM_F_NO_COMPLETION) ||
	    (x->op != VIPSEC_OP_ENCAP && x->op != VIPSEC_OP_DECAP) ||
	    !x->num_pkts || x->num_pkts > VIPSEC_MAX_PKT_BATCH || !k)
		return -EINVAL;
	*in_total = *out_total = 0;
	for (i = 0; i < x->num_pkts; i++) {
		if (k[i].reserved ||
		    gla_sw_seglen((void *)(uintptr_t)k[i].in_segs, k[i].in_nsegs, &a) ||
		    gla_sw_seglen((void *)(uintptr_t)k[i].out_segs, k[i].out_nsegs, &b))
			return -EINVAL;
		if (a > 65535 || b > 65535)
			return -EMSGSIZE;
		if (!k[i].sa_id || k[i].sa_id > gla_sw.max_sas ||
		    gla_sw.sas[k[i].sa_id].owner != f ||
		    gla_sw.sas[k[i].sa_id].group != k[i].group_id)
			return -ENOENT;	/* another file's (or no) SA */
		*in_total += a;
		*out_total += b;
	}
	return 0;
}

static void gla_sw_xf_build(const struct vipsec_xform *x, uint8_t *req)
{
	const struct vipsec_pkt *k = (const void *)(uintptr_t)x->pkts;
	struct virtio_ipsec_data_hdr h = { 0 };
	struct virtio_ipsec_pkt_req pr;
	const struct vipsec_seg *s;
	uint8_t *in = req + sizeof(h) + (size_t)x->num_pkts * sizeof(pr);
	uint64_t a, b;
	uint32_t i, j;

	h.opcode = htole16(x->op == VIPSEC_OP_ENCAP ? VIRTIO_IPSEC_OP_ENCAP :
						      VIRTIO_IPSEC_OP_DECAP);
	h.num_pkts = htole32(x->num_pkts);
	memcpy(req, &h, sizeof(h));
	for (i = 0; i < x->num_pkts; i++) {
		gla_sw_seglen((void *)(uintptr_t)k[i].in_segs, k[i].in_nsegs, &a);
		gla_sw_seglen((void *)(uintptr_t)k[i].out_segs, k[i].out_nsegs, &b);
		pr.group_id = htole32(k[i].group_id);
		pr.sa_id = htole32(k[i].sa_id);
		pr.in_len = htole32((uint32_t)a);
		pr.out_cap = htole32((uint32_t)b);
		memcpy(req + sizeof(h) + (size_t)i * sizeof(pr), &pr, sizeof(pr));
		s = (const void *)(uintptr_t)k[i].in_segs;
		for (j = 0; j < k[i].in_nsegs; j++) {
			memcpy(in, (const void *)(uintptr_t)s[j].addr, s[j].len);
			in += s[j].len;
		}
	}
}

static void gla_sw_xf_results(struct gla_sw_file *f, struct vipsec_xform *x,
			      const uint8_t *resp)
{
	struct vipsec_pkt *k = (void *)(uintptr_t)x->pkts;
	const uint8_t *out = resp + (size_t)x->num_pkts *
				    sizeof(struct virtio_ipsec_pkt_result);
	struct virtio_ipsec_pkt_result r;
	uint64_t in_len, cap;
	uint32_t i;

	(void)f;
	for (i = 0; i < x->num_pkts; i++) {
		memcpy(&r, resp + i * sizeof(r), sizeof(r));
		gla_sw_seglen((void *)(uintptr_t)k[i].in_segs, k[i].in_nsegs,
			      &in_len);
		gla_sw_seglen((void *)(uintptr_t)k[i].out_segs, k[i].out_nsegs,
			      &cap);
		k[i].status = r.status;
		k[i].out_len = le32toh(r.out_len);
		k[i].seq_lo = le32toh(r.seq_lo);
		k[i].seq_hi = le32toh(r.seq_hi);
		k[i].warnings = le16toh(r.warnings);
		if ((r.status == VIRTIO_IPSEC_OK ||
		     r.status == VIRTIO_IPSEC_SOFT_EXPIRY) && k[i].out_len <= cap) {
			gla_sw_scatter((void *)(uintptr_t)k[i].out_segs,
				       k[i].out_nsegs, out, k[i].out_len);
			gla_sw.counters.packets_in++;
			gla_sw.counters.packets_out++;
			gla_sw.counters.bytes_in += in_len;
			gla_sw.counters.bytes_out += k[i].out_len;
		}
		out += cap;
	}
}

int gla_sw_xform(struct gla_sw_file *f, struct vipsec_xform *x)
{
	struct virtio_ipsec_resp_footer ft;
	uint64_t in_total, out_total;
	size_t req_len, resp_len;
	uint8_t *req, *resp;
	ssize_t n;
	int ret;

	ret = gla_sw_xf_check(f, x, &in_total, &out_total);
	if (ret)
		return ret;
	req_len = sizeof(struct virtio_ipsec_data_hdr) +
		  (size_t)x->num_pkts * sizeof(struct virtio_ipsec_pkt_req) +
		  in_total;
	resp_len = (size_t)x->num_pkts * sizeof(struct virtio_ipsec_pkt_result) +
		   out_total + sizeof(ft);
	req = malloc(req_len);
	resp = malloc(resp_len);
	if (!req || !resp) {
		free(req);
		free(resp);
		return -ENOMEM;
	}
	gla_sw_xf_build(x, req);
	n = vpe_core_handle_data(gla_sw.core, req, req_len, resp, resp_len);
	ret = -EIO;
	if (n >= (ssize_t)sizeof(ft)) {
		memcpy(&ft, resp + resp_len - sizeof(ft), sizeof(ft));
		ret = ft.status == VIRTIO_IPSEC_OK ? 0 :
		      ft.status == VIRTIO_IPSEC_INVAL ? -EINVAL : -EIO;
	}
	if (!ret)	/* NO_COMPLETION: the caller ignores what it gets */
		gla_sw_xf_results(f, x, resp);
	free(req);
	free(resp);
	if (!ret && (x->flags & VIPSEC_XFORM_F_ASYNC) &&
	    !(x->flags & VIPSEC_XFORM_F_NO_COMPLETION)) {
		struct vipsec_event e = { .size = sizeof(e),
					  .type = VIPSEC_EV_XFORM_DONE,
					  .user_data = x->user_data };
		gla_sw_push(f, &e);
	}
	return ret;
}
