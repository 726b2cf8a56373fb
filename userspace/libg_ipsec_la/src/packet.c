// SPDX-License-Identifier: BSD-3-Clause
/*
 * Data path: g_ipsec_la_packet_encap and g_ipsec_la_packet_decap, one
 * packet per VIPSEC_IOC_XFORM with scatter-gather segments, synchronous.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "internal.h"

/* Non-empty segments of @d into @s; capacity capped at @cap bytes. */
static int gla_segs(const struct g_ipsec_la_data *d, uint32_t n,
		    struct vipsec_seg *s, uint64_t *total, uint64_t cap)
{
	uint32_t i, k = 0;

	*total = 0;
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

static int gla_xform(struct g_ipsec_la_handle *handle, uint32_t flags,
		     const struct g_ipsec_la_sa_handle *sa_handle, uint32_t nseg,
		     const struct g_ipsec_la_data *in_data,
		     struct g_ipsec_la_data *out_data, uint32_t op)
{
	struct vipsec_seg in_s[VIPSEC_MAX_SEGS], out_s[VIPSEC_MAX_SEGS];
	uint32_t want_dir = op == VIPSEC_OP_ENCAP ? G_IPSEC_LA_IPSEC_OUTBOUND :
						    G_IPSEC_LA_IPSEC_INBOUND;
	struct vipsec_xform x;
	struct vipsec_pkt pkt;
	const uint32_t *sh;
	struct gla_ref ref;
	uint64_t in_len, out_cap, max;
	int nin, nout, ret;
	uint32_t i;

	ret = gla_check_sync(flags);
	if (ret)
		return ret;
	if (!sa_handle || !in_data || !out_data || !nseg || nseg > VIPSEC_MAX_SEGS)
		return -EINVAL;
	ret = gla_ref_get(handle, &ref);
	if (ret)
		return ret;
	sh = sa_handle->ipsec_sa_handle;
	if (sh[GLA_H_MAGIC] != GLA_MAGIC_SA || sh[GLA_H_SLOT] != ref.slot ||
	    sh[GLA_H_GEN] != ref.gen || sh[GLA_H_SA_DIR] != want_dir)
		return -EINVAL;

	max = ref.info.max_packet_len ? ref.info.max_packet_len : UINT32_MAX;
	nin = gla_segs(in_data, nseg, in_s, &in_len, UINT32_MAX);
	if (nin < 0)
		return nin;
	if (in_len > max)
		return -EMSGSIZE;
	nout = gla_segs(out_data, nseg, out_s, &out_cap, max);
	if (nout < 0)
		return nout;

	memset(&pkt, 0, sizeof(pkt));
	pkt.group_id = sh[GLA_H_GROUP_ID];
	pkt.sa_id = sh[GLA_H_SA_ID];
	pkt.in_nsegs = (uint32_t)nin;
	pkt.out_nsegs = (uint32_t)nout;
	pkt.in_segs = (uintptr_t)in_s;
	pkt.out_segs = (uintptr_t)out_s;
	memset(&x, 0, sizeof(x));
	x.size = sizeof(x);
	x.op = op;
	x.num_pkts = 1;
	x.pkts = (uintptr_t)&pkt;
	if (ioctl(ref.fd, VIPSEC_IOC_XFORM, &x) < 0)
		return -errno;

	ret = gla_pkt_status_to_errno(pkt.status);
	if (ret == -ENOSPC) {
		for (i = 0; i < nseg; i++)
			out_data[i].length = 0;
		out_data[0].length = pkt.out_len;
	} else if (!ret) {
		if (pkt.out_len > out_cap)
			return -EIO;	/* impossible answer */
		gla_out_lengths(out_data, nseg, pkt.out_len);
	}
	return ret;
}

int32_t g_ipsec_la_packet_encap(struct g_ipsec_la_handle *handle,
				uint32_t flags,
				const struct g_ipsec_la_sa_handle *sa_handle,
				uint32_t num_sg_elem,
				const struct g_ipsec_la_data in_data[],
				struct g_ipsec_la_data out_data[],
				const struct g_ipsec_la_resp_args *resp)
{
	(void)resp;
	return gla_xform(handle, flags, sa_handle, num_sg_elem, in_data,
			 out_data, VIPSEC_OP_ENCAP);
}

int32_t g_ipsec_la_packet_decap(struct g_ipsec_la_handle *handle,
				uint32_t flags,
				const struct g_ipsec_la_sa_handle *sa_handle,
				uint32_t num_sg_elem,
				const struct g_ipsec_la_data in_data[],
				struct g_ipsec_la_data out_data[],
				const struct g_ipsec_la_resp_args *resp)
{
	(void)resp;
	return gla_xform(handle, flags, sa_handle, num_sg_elem, in_data,
			 out_data, VIPSEC_OP_DECAP);
}
