// SPDX-License-Identifier: BSD-3-Clause
/*
 * vipsec_esp_out_fast: outbound ESP for the common case, tunnel mode,
 * outer IPv4, AES-GCM (any key size, IV = the sequence number), no UDP
 * encapsulation, no TFC padding, the input in place (after headroom, or
 * at the output) or out of place.
 *
 * The general path (vipsec_esp_out.c) goes over a burst in four passes
 * (checks, numbering, preparation, finishing) through a per-packet
 * layout that covers every mode and option, and the backend then finds
 * out again, per packet, which algorithm it runs. Here the same checks
 * and the same bytes come from two passes per run of packets of one SA
 * (checks; then, with the run's numbers reserved, trailer, ESP header,
 * IV and outer header), and one backend call seals the burst's GCM
 * packets. Whether the fast path applies is decided per run, from the
 * SA and its key (vpe_esp_out_fast_ok), never per packet: a packet the
 * fast path takes gets exactly what the general path would give it
 * (status, out_len, sequence number, bytes, SA counters), bad input
 * included. tests/unit/test_fast_out.c runs the same packets both ways.
 */
#include <endian.h>
#include <string.h>

#include "vipsec_esp_out_fast.h"
#include "vipsec_ipv6.h"

/* Outer IPv4 header, SPI, sequence number and GCM's 8-byte IV. */
#define FAST_HDR (VPE_IPV4_HLEN + VPE_ESP_HLEN + 8)

enum {
	PLACE_NO,	/* out of place: the backend reads the data from in */
	PLACE_HEADROOM, /* in == out + FAST_HDR: sealed where it lies */
	PLACE_SAME,	/* in == out: moved up by FAST_HDR first */
};

/* What the first pass learnt of one packet, for the second. */
struct fast_pkt {
	uint16_t total; /* ESP packet bytes (<= 0xffff once checked) */
	uint8_t pad;
	uint8_t nh; /* trailer next header: 4 or 41 */
	uint8_t tos;
	uint8_t df;
	uint8_t place; /* PLACE_* */
};

bool vpe_esp_out_fast_ok(const struct vpe_crypto *c, const struct vpe_sa *sa)
{
	/*
	 * block_len 4, IV 8 and an ICV of at least 8 bytes are what GCM
	 * gives; they are checked too because the code below relies on
	 * them (the pad mask, FAST_HDR, the 8-byte padding store). A
	 * stopped SA goes the general way, which reports it per packet.
	 */
	return c->ops->gcm_key && sa->direction == VIRTIO_IPSEC_DIR_OUTBOUND &&
	       sa->mode == VIRTIO_IPSEC_MODE_TUNNEL &&
	       sa->ip_version == VIRTIO_IPSEC_IPV4 &&
	       !(sa->options & (VIRTIO_IPSEC_SA_OPT_UDP_ENCAP |
				VIRTIO_IPSEC_SA_OPT_TFC_PAD)) &&
	       sa->iv_len == 8 && sa->block_len == 4 && sa->icv_len >= 8 &&
	       !vpe_ld(&sa->stopped) && c->ops->gcm_key(sa->key);
}

/* Outer TOS and DF from the inner header: outer_tos_df()'s rules. */
static void fast_tos_df(const struct vpe_sa *sa, const uint8_t *in, int v6,
			struct fast_pkt *f)
{
	uint8_t inner_tos, tos;
	int inner_df;

	if (!v6) {
		inner_tos = in[1];
		inner_df = !!(vpe_get_be16(in + 6) & VPE_IP_DF);
	} else {
		inner_tos = vpe_ipv6_tclass(in);
		inner_df = 1; /* IPv6 is never fragmented on the path */
	}
	/* ECN: RFC 6040 4.1 normal mode with the option, else Not-ECT. */
	tos = sa->options & VIRTIO_IPSEC_SA_OPT_ECN ? inner_tos & 0x03 : 0;
	if (sa->dscp_mode == VIRTIO_IPSEC_HDR_COPY)
		tos |= inner_tos & 0xfc;
	else if (sa->dscp_mode == VIRTIO_IPSEC_HDR_SET)
		tos |= (uint8_t)(sa->dscp << 2);
	f->tos = tos;
	if (sa->df_mode == VIRTIO_IPSEC_HDR_COPY)
		f->df = (uint8_t)inner_df;
	else
		f->df = sa->df_mode == VIRTIO_IPSEC_HDR_SET;
}

/*
 * First pass, one packet: encap_check() and layout()'s checks, in their
 * order, for an SA vpe_esp_out_fast_ok() took; VIRTIO_IPSEC_OK or the
 * packet's status (res filled either way).
 */
static uint8_t fast_check(const struct vpe_sa *sa, const struct vpe_esp_pkt *p,
			  struct fast_pkt *f, struct vpe_esp_res *res)
{
	const uint8_t *in = p->in;
	uint32_t len = p->in_len, total, pad, out_len = 0;
	int v6 = len && (in[0] >> 4) == 6;
	uint8_t st = VIRTIO_IPSEC_OK;

	pad = (0u - (len + 2)) & 3;
	total = FAST_HDR + len + pad + 2 + sa->icv_len;
	if (v6 ? vpe_ipv6_inner_ok(in, len) : vpe_ipv4_inner_ok(in, len)) {
		st = VIRTIO_IPSEC_BADPKT;
	} else if (total > 0xffff) {
		st = VIRTIO_IPSEC_BADPKT;
	} else if (sa->path_mtu && total > sa->path_mtu) {
		out_len = sa->path_mtu; /* the MTU to size packets by */
		st = VIRTIO_IPSEC_MTU;
	} else if (total > p->out_cap) {
		out_len = total;
		st = VIRTIO_IPSEC_DST_TOO_SMALL;
	} else {
		f->total = (uint16_t)total;
		f->pad = (uint8_t)pad;
		f->nh = v6 ? VPE_IPPROTO_IPV6 : VPE_IPPROTO_IPIP;
		fast_tos_df(sa, in, v6, f);
		f->place = in == p->out + FAST_HDR ? PLACE_HEADROOM :
			   in == p->out		   ? PLACE_SAME :
						     PLACE_NO;
	}
	res->status = st;
	res->out_len = out_len;
	res->seq = 0;
	return st;
}

/*
 * Second pass, one numbered packet: padding, trailer, ESP header, IV
 * and outer header written, the op that seals it filled.
 */
static void fast_build(const struct vpe_sa *sa, const struct vpe_esp_pkt *p,
		       const struct fast_pkt *f, uint64_t seq, uint16_t id,
		       struct vpe_esp_op *op)
{
	/* 1, 2, 3, ... in memory order: the padding, one store. */
	const uint64_t pads = htole64(0x0807060504030201ull);
	uint8_t *esp = p->out + VPE_IPV4_HLEN, *pt = esp + VPE_ESP_HLEN + 8;
	uint32_t len = p->in_len;
	uint64_t be = htobe64(seq);
	uint8_t *tail = pt + len;

	if (f->place == PLACE_SAME)
		memmove(pt, p->in, len);
	/*
	 * Eight bytes where pad (< 4) of them are padding: the rest lies
	 * under the trailer and the ICV (>= 8 bytes), written after.
	 */
	memcpy(tail, &pads, sizeof(pads));
	tail[f->pad] = f->pad;
	tail[f->pad + 1] = f->nh;
	vpe_put_be32(esp, sa->spi);
	vpe_put_be32(esp + 4, (uint32_t)seq);
	memcpy(esp + VPE_ESP_HLEN, &be, 8); /* RFC 4106: IV = seq */
	vpe_esp_write_outer4(p->out, sa, f->tos, f->total, id, f->df,
			     VPE_IPPROTO_ESP);
	op->key = sa->key;
	op->esp = esp;
	op->pt = pt;
	op->len = len + f->pad + 2;
	op->seq_hi = (uint32_t)(seq >> 32);
	op->status = 0;
	op->src = f->place == PLACE_NO ? p->in : NULL;
	op->src_len = f->place == PLACE_NO ? len : 0;
}

/*
 * One run of packets of sa, p[0..m-1]: checked, numbered (encap_pre's
 * rules and counters), built. Appends its ops at ops[k], their packet
 * indexes (from base) at idx[k]; returns the new k.
 */
static unsigned int fast_run(struct vpe_sa *sa, const struct vpe_esp_pkt *p,
			     unsigned int m, struct vpe_esp_res *res,
			     struct fast_pkt *f, struct vpe_esp_op *ops,
			     uint8_t *idx, unsigned int base, unsigned int k)
{
	uint64_t first = 0, got, good = 0, bytes = 0;
	unsigned int i;

	for (i = 0; i < m; i++)
		good += fast_check(sa, &p[i], &f[i], &res[i]) ==
			VIRTIO_IPSEC_OK;
	/*
	 * As encap_pre: the one locked instruction for the run's numbers;
	 * the outer ids and the packet count follow from them (vipsec_sa.h),
	 * a sealing failure is taken off after.
	 */
	got = good ? vpe_esp_reserve(sa, good, &first) : 0;
	for (i = 0; i < m; i++) {
		if (res[i].status != VIRTIO_IPSEC_OK)
			continue;
		if (!got) {
			/*
			 * The first good packet without a number stops the
			 * SA: it and every later one, good or not, report
			 * SEQ_OVERFLOW (encap_pre).
			 */
			for (; i < m; i++) {
				res[i].status = VIRTIO_IPSEC_SEQ_OVERFLOW;
				res[i].out_len = 0;
			}
			break;
		}
		res[i].seq = first;
		res[i].out_len = f[i].total;
		fast_build(sa, &p[i], &f[i], first, vpe_sa_ip_id(sa, first),
			   &ops[k]);
		first++;
		idx[k++] = (uint8_t)(base + i);
		bytes += p[i].in_len;
		got--;
	}
	if (bytes)
		vpe_add(&sa->bytes, bytes);
	return k;
}

/*
 * vpe_esp_prefetch() for a chunk of outbound packets, in passes over
 * its runs rather than its packets: each packet's first line (read for
 * its headers), each run's SA lines 0 and 1 (written: sequence number,
 * counters), then, those on their way, each run's key lines. Fills
 * run[0..r] with the runs' first indexes and m; returns r, the runs.
 */
static unsigned int fast_prefetch(const struct vpe_crypto *c,
				  const struct vpe_esp_pkt *p, unsigned int m,
				  uint8_t *run)
{
	void (*key_prefetch)(const void *, bool) = c->ops->key_prefetch;
	const struct vpe_sa *sa = NULL;
	unsigned int i, l, r = 0;

	for (i = 0; i < m; i++) {
		__builtin_prefetch(p[i].in);
		if (p[i].sa == sa)
			continue;
		sa = p[i].sa;
		run[r++] = (uint8_t)i;
		__builtin_prefetch(sa, 1);
		__builtin_prefetch((const char *)sa + 64, 1);
	}
	run[r] = (uint8_t)m;
	for (i = 0; i < r; i++) {
		const void *key = p[run[i]].sa->key;

		for (l = 0; l < 8; l++)
			__builtin_prefetch((const char *)key + 64 * l);
		if (key_prefetch)
			key_prefetch(key, true);
	}
	return r;
}

unsigned int vpe_esp_out_fast(struct vpe_crypto *c, const struct vpe_esp_pkt *p,
			      unsigned int n, struct vpe_esp_res *res)
{
	struct vpe_esp_op ops[VPE_ESP_BURST];
	struct fast_pkt f[VPE_ESP_BURST];
	uint8_t idx[VPE_ESP_BURST], run[VPE_ESP_BURST + 1];
	unsigned int done = 0, i, j, k, m, r, nr;

	_Static_assert(VPE_ESP_BURST <= 255, "indexes fit uint8_t");
	if (!c->ops->gcm_seal)
		return 0; /* a backend without it: nothing here */
	while (done < n) {
		const struct vpe_esp_pkt *q = p + done;
		struct vpe_esp_res *qr = res + done;

		m = n - done < VPE_ESP_BURST ? n - done : VPE_ESP_BURST;
		nr = fast_prefetch(c, q, m, run);
		for (r = 0, k = 0; r < nr; r++) {
			struct vpe_sa *sa = q[run[r]].sa;

			if (!vpe_esp_out_fast_ok(c, sa))
				break;
			k = fast_run(sa, q + run[r], run[r + 1] - run[r],
				     qr + run[r], f + run[r], ops, idx, run[r],
				     k);
		}
		if (k && c->ops->gcm_seal(c, ops, k)) {
			for (j = 0; j < k; j++) {
				const struct vpe_esp_pkt *e = &q[idx[j]];

				if (!ops[j].status)
					continue;
				/* Never a wrong ICV out (encap_finish). */
				memset(e->out, 0, f[idx[j]].total);
				qr[idx[j]].status = VIRTIO_IPSEC_ERR;
				qr[idx[j]].out_len = 0;
				/* One packet less (vpe_sa_packets). */
				vpe_add(&e->sa->out_pkt_base, 1);
				vpe_sub(&e->sa->bytes, e->in_len);
			}
		}
		i = run[r];
		done += i;
		if (i < m)
			break; /* the general path's run */
	}
	return done;
}
