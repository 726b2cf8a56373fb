// SPDX-License-Identifier: BSD-3-Clause
/*
 * vipsec_esp_in: inbound ESP, tunnel and transport mode, IPv4 and IPv6,
 * optionally in UDP; ESN inference, anti-replay, and the inner header
 * rules (ECN, TTL, selector).
 */
#include <string.h>

#include "vipsec_esp.h"
#include "vipsec_esp_burst.h"
#include "vipsec_inner.h"
#include "vipsec_ipv6.h"
#include "vipsec_udp_encap.h"

uint8_t vpe_esp_open(struct vpe_crypto *c, const struct vpe_sa *sa,
		     uint64_t seq, const uint8_t *esp, uint32_t esp_len,
		     uint8_t *pt)
{
	uint32_t min = VPE_ESP_HLEN + sa->iv_len + (uint32_t)sa->icv_len;
	struct vpe_esp_op op = {
		.key = sa->key,
		.esp = (uint8_t *)esp, /* read-only when decrypting */
		.pt = pt,
		.seq_hi = (uint32_t)(seq >> 32),
	};

	if (esp_len < min)
		return VIRTIO_IPSEC_BADPKT;
	/*
	 * The backend authenticates the sequence number as it is on the
	 * wire; the low half is in the header, the high half (ESN) is
	 * passed alongside.
	 */
	op.len = esp_len - min;
	c->ops->decrypt(c, &op, 1);
	if (op.status) {
		memset(pt, 0, op.len); /* never hand out unauthenticated data */
		return VIRTIO_IPSEC_BADMSG;
	}
	return VIRTIO_IPSEC_OK;
}

int32_t vpe_esp_trailer(const uint8_t *pt, uint32_t len, uint8_t *nh)
{
	uint32_t pad, i;

	if (len < 2)
		return -1;
	pad = pt[len - 2];
	*nh = pt[len - 1];
	if (pad + 2 > len)
		return -1;
	for (i = 0; i < pad; i++)
		if (pt[len - 2 - pad + i] != (uint8_t)(i + 1))
			return -1;
	return (int32_t)(len - 2 - pad);
}

/* Where the parts of one received packet are. */
struct in_layout {
	uint32_t ip_hlen; /* IP header + extension headers before ESP */
	uint32_t nh_off;  /* the next-header byte naming UDP/ESP */
	uint32_t esp_off, esp_len;
	uint8_t ecn; /* outer ECN field */
};

/* IP header (version per SA) and UDP; BADPKT / BADPROTO / OK. */
static uint8_t parse_outer(const struct vpe_sa *sa, const uint8_t *in,
			   uint32_t in_len, struct in_layout *l)
{
	uint8_t want = (sa->options & VIRTIO_IPSEC_SA_OPT_UDP_ENCAP) ?
			       VPE_IPPROTO_UDP :
			       VPE_IPPROTO_ESP,
		st;
	uint32_t tot;
	int32_t off;

	if (sa->ip_version == VIRTIO_IPSEC_IPV6) {
		if (in_len < VPE_IPV6_HLEN || (in[0] >> 4) != 6)
			return VIRTIO_IPSEC_BADPKT;
		tot = VPE_IPV6_HLEN + (uint32_t)vpe_get_be16(in + 4);
		if (tot > in_len)
			return VIRTIO_IPSEC_BADPKT;
		off = vpe_ipv6_esp_offset(in, tot, 1, &l->nh_off);
		if (off < 0)
			return VIRTIO_IPSEC_BADPKT; /* incl. fragments */
		l->ip_hlen = (uint32_t)off;
		l->ecn = vpe_ipv6_tclass(in) & 3;
	} else {
		if (in_len < VPE_IPV4_HLEN || (in[0] >> 4) != 4)
			return VIRTIO_IPSEC_BADPKT;
		l->ip_hlen = (in[0] & 0xf) * 4u;
		tot = vpe_get_be16(in + 2);
		if (l->ip_hlen < VPE_IPV4_HLEN || tot < l->ip_hlen ||
		    tot > in_len)
			return VIRTIO_IPSEC_BADPKT;
		/* Fragments are reassembled before they get here. */
		if (vpe_get_be16(in + 6) & (VPE_IP_MF | VPE_IP_OFFMASK))
			return VIRTIO_IPSEC_BADPKT;
		l->nh_off = 9;
		l->ecn = in[1] & 3;
	}
	if (in[l->nh_off] != want)
		return VIRTIO_IPSEC_BADPROTO;
	l->esp_off = l->ip_hlen;
	l->esp_len = tot - l->ip_hlen;
	if (want == VPE_IPPROTO_UDP) {
		st = vpe_udp_encap_check(in + l->esp_off, l->esp_len);
		if (st != VIRTIO_IPSEC_OK)
			return st;
		l->esp_off += VPE_UDP_HLEN;
		l->esp_len -= VPE_UDP_HLEN;
	}
	return VIRTIO_IPSEC_OK;
}

/*
 * The full sequence number: with ESN the high half is inferred from the
 * window (RFC 4303 A2.2) before the ICV, which covers it, is checked.
 * Without a replay window the highest authenticated number stands in for
 * the window's top and half the number space for its size.
 */
static uint64_t full_seq(const struct vpe_sa *sa, uint32_t seq_lo)
{
	if (!(sa->options & VIRTIO_IPSEC_SA_OPT_ESN))
		return seq_lo;
	/* A guess from the top as this queue sees it; the ICV decides. */
	if (sa->replay)
		return vpe_replay_esn_infer(vpe_ld(&sa->replay->top),
					    sa->replay->window, seq_lo);
	return vpe_replay_esn_infer(vpe_ld(&sa->esn_top), 1u << 31, seq_lo);
}

/* Tunnel mode: the inner packet, TFC padding stripped. */
static uint8_t finish_tunnel(const struct vpe_sa *sa, uint8_t *out,
			     uint32_t len, uint8_t nh, uint8_t ecn,
			     uint32_t *out_len)
{
	int32_t n = vpe_ip_inner_len(out, len, nh);
	uint8_t st;

	if (n < 0)
		return VIRTIO_IPSEC_BADPKT;
	if (nh == VPE_IPPROTO_IPIP ? vpe_ipv4_inner_ok(out, (uint32_t)n) :
				     vpe_ipv6_inner_ok(out, (uint32_t)n))
		return VIRTIO_IPSEC_BADPKT;
	st = vpe_inner_decap(sa, out, (uint32_t)n, ecn);
	if (st != VIRTIO_IPSEC_OK)
		return st;
	if (len > (uint32_t)n)
		memset(out + n, 0, len - (uint32_t)n); /* TFC padding */
	*out_len = (uint32_t)n;
	return VIRTIO_IPSEC_OK;
}

/* Transport mode: the packet's IP header back in front of the payload. */
static uint8_t finish_transport(const struct vpe_sa *sa, const uint8_t *in,
				const struct in_layout *l, uint8_t *out,
				uint32_t len, uint8_t nh, uint32_t *out_len)
{
	uint32_t tot = l->ip_hlen + len;
	int v6 = sa->ip_version == VIRTIO_IPSEC_IPV6;

	if (nh == 59) /* dummy packet (RFC 4303 2.6) */
		return VIRTIO_IPSEC_BADPKT;
	memcpy(out, in, l->ip_hlen);
	out[l->nh_off] = nh;
	if (v6) {
		vpe_put_be16(out + 4, (uint16_t)(tot - VPE_IPV6_HLEN));
	} else {
		vpe_put_be16(out + 2, (uint16_t)tot);
		vpe_put_be16(out + 10, 0);
		vpe_put_be16(out + 10, vpe_ip_csum(out, l->ip_hlen));
	}
	if (sa->options & VIRTIO_IPSEC_SA_OPT_UDP_ENCAP)
		vpe_udp_encap_natoa_fixup(sa, nh, v6 ? in + 8 : in + 12,
					  v6 ? 16 : 4, out + l->ip_hlen, len);
	*out_len = tot;
	return VIRTIO_IPSEC_OK;
}

/* What decap_prepare found, for decap_finish. */
struct in_state {
	struct in_layout l;
	uint32_t ct_len;
	uint32_t hdr; /* transport: IP header kept in front */
};

/*
 * First half of one decapsulation: every check that needs no key, the
 * replay check, and the op that authenticates and decrypts into out.
 * VIRTIO_IPSEC_OK when op is ready; anything else is the final status.
 */
static uint8_t decap_prepare(struct vpe_crypto *c, const struct vpe_esp_pkt *p,
			     void *state, struct vpe_esp_op *op,
			     struct vpe_esp_res *res)
{
	struct vpe_sa *sa = p->sa;
	struct in_state *st = state;
	int transport = sa->mode == VIRTIO_IPSEC_MODE_TRANSPORT;
	struct in_layout *l = &st->l;
	const uint8_t *esp;

	(void)c; /* the burst's common signature; only encap draws IVs */
	res->out_len = 0;
	res->seq = 0;
	if (sa->direction != VIRTIO_IPSEC_DIR_INBOUND)
		return res->status = VIRTIO_IPSEC_INVAL;
	res->status = parse_outer(sa, p->in, p->in_len, l);
	if (res->status != VIRTIO_IPSEC_OK)
		return res->status;
	esp = p->in + l->esp_off;
	/* Minimum: header, IV, 4 bytes of padded payload, ICV. */
	if (l->esp_len < VPE_ESP_HLEN + sa->iv_len + 4u + sa->icv_len)
		return res->status = VIRTIO_IPSEC_BADPKT;
	if (vpe_get_be32(esp) != sa->spi)
		return res->status = VIRTIO_IPSEC_BADPROTO;
	st->ct_len = l->esp_len - VPE_ESP_HLEN - sa->iv_len - sa->icv_len;
	/* Every block of vpe_algs.h is a power of two: a mask, no division. */
	if ((sa->block_len & (sa->block_len - 1u)) ?
		    st->ct_len % sa->block_len :
		    st->ct_len & (sa->block_len - 1u))
		return res->status = VIRTIO_IPSEC_BADPKT;
	res->seq = full_seq(sa, vpe_get_be32(esp + 4));
	if (sa->replay)
		res->status = vpe_replay_check(sa->replay, res->seq);
	else if (res->seq == 0)
		res->status = VIRTIO_IPSEC_LATE; /* never sent (2.2) */
	if (res->status != VIRTIO_IPSEC_OK)
		return res->status;
	st->hdr = transport ? l->ip_hlen : 0;
	if (st->hdr + st->ct_len > p->out_cap) {
		res->out_len = st->hdr + st->ct_len;
		return res->status = VIRTIO_IPSEC_DST_TOO_SMALL;
	}
	/*
	 * The backend authenticates the sequence number as it is on the
	 * wire; the low half is in the header, the high half (ESN) is
	 * passed alongside.
	 */
	*op = (struct vpe_esp_op){
		.key = sa->key,
		.esp = (uint8_t *)esp, /* read-only when decrypting */
		.pt = p->out + st->hdr,
		.len = st->ct_len,
		.seq_hi = (uint32_t)(res->seq >> 32),
	};
	return VIRTIO_IPSEC_OK;
}

/* Second half, after the backend opened op: decap_post calls it. */
static void decap_finish(const struct vpe_esp_pkt *p, const void *state,
			 const struct vpe_esp_op *op, struct vpe_esp_res *res)
{
	const struct in_state *st = state;
	struct vpe_sa *sa = p->sa;
	int transport = sa->mode == VIRTIO_IPSEC_MODE_TRANSPORT;
	uint8_t *out = p->out;
	int32_t inner;
	uint8_t nh;

	if (op->status) {
		memset(op->pt, 0,
		       op->len); /* never hand out unauthenticated data */
		res->status = VIRTIO_IPSEC_BADMSG;
		return;
	}
	/*
	 * Authenticated, and through the window (decap_post), or refused
	 * there with pt zeroed.
	 */
	if (res->status != VIRTIO_IPSEC_OK)
		return;
	if (!sa->replay) {
		uint64_t top = vpe_ld(&sa->esn_top);

		while (res->seq > top && !vpe_cas(&sa->esn_top, &top, res->seq))
			;
	}
	inner = vpe_esp_trailer(out + st->hdr, st->ct_len, &nh);
	if (inner < 0) {
		res->status = VPE_STATUS_BADPAD; /* wire BADPKT, invalid_pad */
		return;
	}
	if (transport)
		res->status = finish_transport(sa, p->in, &st->l, out,
					       (uint32_t)inner, nh,
					       &res->out_len);
	else
		res->status = finish_tunnel(sa, out, (uint32_t)inner, nh,
					    st->l.ecn, &res->out_len);
	if (res->status == VIRTIO_IPSEC_OK &&
	    (sa->options & VIRTIO_IPSEC_SA_OPT_SELECTOR) &&
	    !vpe_selector_match(sa, out))
		res->status = VIRTIO_IPSEC_SELECTOR;
	if (res->status != VIRTIO_IPSEC_OK)
		res->out_len = 0;
	/* sa->in_packets, sa->bytes: counted by decap_post. */
}

/*
 * Adds a run's good packets to its SA: plain adds when its replay lock is
 * held, as every writer of an anti-replay SA's counters holds it (the
 * lock is already paid for: no locked instruction more); atomic adds for
 * an SA without a window, which several queues may count at once.
 */
static void decap_count(struct vpe_sa *sa, uint64_t packets, uint64_t bytes)
{
	if (!packets)
		return;
	if (sa->replay) {
		sa->in_packets += packets;
		sa->bytes += bytes;
	} else {
		vpe_add(&sa->in_packets, packets);
		vpe_add(&sa->bytes, bytes);
	}
}

/*
 * After the backend: the packets it authenticated through their SA's
 * replay window, then each packet finished and counted. Only now may the
 * window move (RFC 4303 3.4.3), and the check that counts is taken again
 * first: another queue, or an earlier packet of this burst, may have
 * carried the same number since the check in prepare. Check and update
 * are one step under the SA's lock, so each number is accepted exactly
 * once; the lock is taken once per run of packets of one SA, not per
 * packet. The run is finished (decap_finish: a few header checks) and
 * counted under the same lock, which so serves as the counters' one
 * locked instruction: with a million SAs a run is one packet, and each
 * locked instruction a full barrier per packet.
 */
static void decap_post(const struct vpe_esp_pkt *p, const uint8_t *idx,
		       unsigned int k, const void *state,
		       const struct vpe_esp_op *ops, struct vpe_esp_res *res)
{
	const struct in_state *st = state; /* without pre: by slot */
	struct vpe_sa *run = NULL;
	uint64_t packets = 0, bytes = 0;
	unsigned int i;

	for (i = 0; i <= k; i++) {
		struct vpe_sa *sa = i < k ? p[idx[i]].sa : NULL;
		struct vpe_esp_res *r;

		if (sa != run) {
			if (run) {
				decap_count(run, packets, bytes);
				if (run->replay)
					vpe_spin_unlock(&run->replay_lock);
			}
			if (i == k)
				break;
			run = sa;
			packets = bytes = 0;
			if (sa->replay)
				vpe_spin_lock(&sa->replay_lock);
		}
		r = &res[idx[i]];
		if (!ops[i].status && sa->replay) {
			r->status = vpe_replay_check(sa->replay, r->seq);
			if (r->status == VIRTIO_IPSEC_OK)
				vpe_replay_update(sa->replay, r->seq);
			else
				memset(ops[i].pt, 0, ops[i].len);
		}
		decap_finish(&p[idx[i]], &st[i], &ops[i], r);
		if (r->status == VIRTIO_IPSEC_OK) {
			packets++;
			bytes += r->out_len;
		}
	}
}

void vpe_esp_decap(struct vpe_crypto *c, struct vpe_sa *sa, const uint8_t *in,
		   uint32_t in_len, uint8_t *out, uint32_t out_cap,
		   struct vpe_esp_res *res)
{
	/* A burst of one: the same steps, written once. */
	const struct vpe_esp_pkt p = { sa, in, in_len, out, out_cap };

	vpe_esp_decap_burst(c, &p, 1, res);
}

/*
 * An ESN SA infers each packet's high sequence bits from its window as
 * the packets before it left it: a second packet of such an SA waits for
 * the next backend call, after the first has moved the window.
 */
static bool decap_must_wait(const struct vpe_esp_pkt *p, const uint8_t *idx,
			    unsigned int k, const struct vpe_esp_pkt *next)
{
	unsigned int j;

	if (!(next->sa->options & VIRTIO_IPSEC_SA_OPT_ESN))
		return false;
	for (j = 0; j < k; j++)
		if (p[idx[j]].sa == next->sa)
			return true;
	return false;
}

static const struct vpe_esp_dir decap_dir = {
	.prepare = decap_prepare,
	.post = decap_post, /* and decap_finish, and the counters */
	.must_wait = decap_must_wait,
	.st_size = sizeof(struct in_state),
	.decrypt = true,
};

void vpe_esp_decap_burst(struct vpe_crypto *c, const struct vpe_esp_pkt *p,
			 unsigned int n, struct vpe_esp_res *res)
{
	struct in_state st[VPE_ESP_BURST];

	vpe_esp_burst(&decap_dir, c, p, n, res, st);
}
