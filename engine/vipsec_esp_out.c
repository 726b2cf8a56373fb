// SPDX-License-Identifier: BSD-3-Clause
/*
 * vipsec_esp_out: outbound ESP, tunnel and transport mode, IPv4 and IPv6,
 * optionally in UDP (RFC 3948) and with TFC padding.
 *
 * Many queues may encapsulate with one SA at once (vipsec_queue.c): the
 * sequence numbers of a run of packets of one SA are reserved with one
 * atomic operation (vpe_esp_reserve), which also gives them their outer
 * IPv4 ids and counts them (both derived from the numbers: vipsec_sa.h);
 * the run's bytes are one more atomic add. Nothing else of the SA is
 * written here, but for a packet the backend fails to seal.
 */
#include <string.h>

#include "vipsec_esp.h"
#include "vipsec_esp_burst.h"
#include "vipsec_esp_out_fast.h"
#include "vpe_test.h"
#include "vipsec_ipv6.h"
#include "vipsec_udp_encap.h"

/* Where the parts of one outbound packet go. */
struct out_layout {
	uint32_t ip_hlen;  /* outer header (tunnel) or kept header */
	uint32_t nh_off;   /* transport: next-header byte naming ESP */
	uint32_t udp_len;  /* 0 or 8 */
	uint32_t data_off; /* start of the protected data in the input */
	uint32_t data_len; /* protected data bytes */
	uint32_t tfc;	   /* TFC zero bytes after the data (tunnel) */
	uint32_t pad;
	uint8_t nh; /* trailer next header */
	uint32_t total;
	uint16_t ip_id;	  /* tunnel IPv4: the outer id (vpe_sa_ip_id) */
	uint64_t seq;	  /* reserved by encap_pre */
	uint8_t tos;	  /* tunnel: outer TOS / traffic class ... */
	bool df;	  /* ... and DF, read from the input before sealing */
	uint8_t in_place; /* tunnel: IN_PLACE_* (vipsec_esp.h) */
};

enum {
	IN_PLACE_NO,
	IN_PLACE_HEADROOM, /* in == out + vpe_esp_encap_hdr_len() */
	IN_PLACE_SAME,	   /* in == out: the data moves up first */
};

/* RFC 4303 2.4's padding bytes, for a copy (encap_prepare). */
static const uint8_t pad_pattern[16] = { 1, 2,	3,  4,	5,  6,	7,  8,
					 9, 10, 11, 12, 13, 14, 15, 16 };

/* payload + pad + 2 is a multiple of the transform's block (>= 4). */
static uint32_t pad_len(const struct vpe_sa *sa, uint32_t len)
{
	uint32_t b = sa->block_len;

	/* Every block of vpe_algs.h is a power of two: no division. */
	if (!(b & (b - 1)))
		return (0u - (len + 2)) & (b - 1);
	return (b - (len + 2) % b) % b;
}

static int is_transport(const struct vpe_sa *sa)
{
	return sa->mode == VIRTIO_IPSEC_MODE_TRANSPORT;
}

static uint32_t outer_hlen(const struct vpe_sa *sa)
{
	return sa->ip_version == VIRTIO_IPSEC_IPV6 ? VPE_IPV6_HLEN :
						     VPE_IPV4_HLEN;
}

static uint32_t udp_len(const struct vpe_sa *sa)
{
	return (sa->options & VIRTIO_IPSEC_SA_OPT_UDP_ENCAP) ? VPE_UDP_HLEN : 0;
}

static uint32_t tfc_len(const struct vpe_sa *sa, uint32_t len)
{
	if (!(sa->options & VIRTIO_IPSEC_SA_OPT_TFC_PAD) ||
	    sa->tfc_pad_to <= len)
		return 0;
	return sa->tfc_pad_to - len;
}

static uint32_t tail_len(const struct vpe_sa *sa, uint32_t data)
{
	return pad_len(sa, data) + 2 + sa->icv_len;
}

static uint32_t hdr_len(const struct vpe_sa *sa)
{
	if (is_transport(sa))
		return 0;
	return outer_hlen(sa) + udp_len(sa) + VPE_ESP_HLEN + sa->iv_len;
}

uint32_t vpe_esp_encap_hdr_len(const struct vpe_sa *sa)
{
	return hdr_len(sa);
}

uint32_t vpe_esp_encap_len(const struct vpe_sa *sa, uint32_t in_len)
{
	uint32_t data = in_len + tfc_len(sa, in_len);

	/* Transport: the header size is unknown, assume the largest pad. */
	if (is_transport(sa))
		return in_len + udp_len(sa) + VPE_ESP_HLEN + sa->iv_len +
		       sa->block_len + 1 + sa->icv_len;
	return outer_hlen(sa) + udp_len(sa) + VPE_ESP_HLEN + sa->iv_len + data +
	       tail_len(sa, data);
}

void vpe_esp_tmpl_init(struct vpe_sa *sa)
{
	if (sa->ip_version == VIRTIO_IPSEC_IPV6)
		vpe_ipv6_tmpl_init(sa->tmpl, sa->st.ttl, sa->flow_label,
				   sa->tun_src, sa->tun_dst);
	else
		vpe_ipv4_tmpl_init(sa->tmpl, sa->st.ttl, sa->tun_src,
				   sa->tun_dst);
	if (sa->ip_version != VIRTIO_IPSEC_IPV6) {
		uint32_t sum;
		unsigned int i;

		/*
		 * Version/IHL and TTL (the bytes beside TOS and protocol,
		 * which each packet adds), source and destination: what
		 * vpe_esp_write_outer4() needs not sum again per packet. Kept in the
		 * template's bytes 20-23, which an IPv4 header leaves unused
		 * (the SA's lines stay as they are).
		 */
		sum = (uint32_t)(sa->tmpl[0] << 8) +
		      (uint32_t)(sa->tmpl[8] << 8);
		for (i = 12; i < VPE_IPV4_HLEN; i += 2)
			sum += vpe_get_be16(sa->tmpl + i);
		memcpy(sa->tmpl + VPE_TMPL4_SUM, &sum, sizeof(sum));
	}
}

int vpe_esp_seal(struct vpe_crypto *c, const struct vpe_sa *sa, uint64_t seq,
		 const uint8_t *iv, const uint8_t *pt, uint32_t pt_len,
		 uint8_t *esp)
{
	struct vpe_esp_op op = {
		.key = sa->key,
		.esp = esp,
		.pt = (uint8_t *)pt, /* read-only when encrypting */
		.len = pt_len,
		.seq_hi = (uint32_t)(seq >> 32),
	};

	vpe_put_be32(esp, sa->spi);
	vpe_put_be32(esp + 4, (uint32_t)seq);
	memmove(esp + VPE_ESP_HLEN, iv, sa->iv_len);
	c->ops->encrypt(c, &op, 1);
	return op.status;
}

/* Tunnel mode: outer TOS / traffic class and DF from the inner header. */
static void outer_tos_df(const struct vpe_sa *sa, const uint8_t *in,
			 uint8_t *tos, int *df)
{
	uint8_t inner_tos;
	int inner_df;

	if ((in[0] >> 4) == 4) {
		inner_tos = in[1];
		inner_df = !!(vpe_get_be16(in + 6) & VPE_IP_DF);
	} else {
		inner_tos = vpe_ipv6_tclass(in);
		inner_df = 1; /* IPv6 is never fragmented on the path */
	}
	/*
	 * ECN (RFC 6040 section 4.1): normal mode copies the inner field
	 * (CE included) when the SA asks for ECN; otherwise compatibility
	 * mode, Not-ECT, for a decapsulator that may not know ECN.
	 */
	*tos = sa->options & VIRTIO_IPSEC_SA_OPT_ECN ? inner_tos & 0x03 : 0;
	if (sa->dscp_mode == VIRTIO_IPSEC_HDR_COPY)
		*tos |= inner_tos & 0xfc;
	else if (sa->dscp_mode == VIRTIO_IPSEC_HDR_SET)
		*tos |= (uint8_t)(sa->dscp << 2);
	if (sa->df_mode == VIRTIO_IPSEC_HDR_COPY)
		*df = inner_df;
	else
		*df = sa->df_mode == VIRTIO_IPSEC_HDR_SET;
}

/* Splits the input; VIRTIO_IPSEC_OK or BADPKT. */
static uint8_t layout(const struct vpe_sa *sa, const uint8_t *in,
		      uint32_t in_len, struct out_layout *l)
{
	int v6 = in_len && (in[0] >> 4) == 6;
	int32_t off;
	int df;

	if (v6 ? vpe_ipv6_inner_ok(in, in_len) : vpe_ipv4_inner_ok(in, in_len))
		return VIRTIO_IPSEC_BADPKT;
	l->udp_len = udp_len(sa);
	if (!is_transport(sa)) {
		l->ip_hlen = outer_hlen(sa);
		l->data_off = 0;
		l->data_len = in_len;
		l->tfc = tfc_len(sa, in_len);
		l->nh = v6 ? VPE_IPPROTO_IPV6 : VPE_IPPROTO_IPIP;
		/* Now: in place, the input is ciphertext by write_ip(). */
		outer_tos_df(sa, in, &l->tos, &df);
		l->df = df;
	} else {
		if (v6 != (sa->ip_version == VIRTIO_IPSEC_IPV6))
			return VIRTIO_IPSEC_BADPKT;
		if (v6) {
			off = vpe_ipv6_esp_offset(in, in_len, 0, &l->nh_off);
			if (off < 0)
				return VIRTIO_IPSEC_BADPKT;
			l->ip_hlen = (uint32_t)off;
		} else {
			/* Transport mode protects whole datagrams only. */
			if (vpe_get_be16(in + 6) & (VPE_IP_MF | VPE_IP_OFFMASK))
				return VIRTIO_IPSEC_BADPKT;
			/*
			 * Read again, and so checked again: in may be guest
			 * memory that changed since vpe_ipv4_inner_ok().
			 */
			l->ip_hlen = (in[0] & 0xf) * 4u;
			if (l->ip_hlen < VPE_IPV4_HLEN || l->ip_hlen > in_len)
				return VIRTIO_IPSEC_BADPKT;
			l->nh_off = 9;
		}
		l->nh = in[l->nh_off];
		l->data_off = l->ip_hlen;
		l->data_len = in_len - l->ip_hlen;
		l->tfc = 0;
	}
	l->pad = pad_len(sa, l->data_len + l->tfc);
	l->total = l->ip_hlen + l->udp_len + VPE_ESP_HLEN + sa->iv_len +
		   l->data_len + l->tfc + l->pad + 2 + sa->icv_len;
	return l->total > 0xffff ? VIRTIO_IPSEC_BADPKT : VIRTIO_IPSEC_OK;
}

/* The IP header in front of UDP/ESP: new (tunnel) or the packet's own. */
static void write_ip(struct vpe_sa *sa, const uint8_t *in,
		     const struct out_layout *l, uint8_t *out)
{
	uint8_t proto = l->udp_len ? VPE_IPPROTO_UDP : VPE_IPPROTO_ESP;

	if (!is_transport(sa)) {
		if (sa->ip_version == VIRTIO_IPSEC_IPV6) {
			vpe_ipv6_write_outer(
				out, sa->tmpl, l->tos,
				(uint16_t)(l->total - VPE_IPV6_HLEN), proto);
		} else {
			vpe_esp_write_outer4(out, sa, l->tos,
					     (uint16_t)l->total, l->ip_id,
					     l->df, proto);
		}
		return;
	}
	memcpy(out, in, l->ip_hlen);
	out[l->nh_off] = proto;
	if (sa->ip_version == VIRTIO_IPSEC_IPV6) {
		vpe_put_be16(out + 4, (uint16_t)(l->total - VPE_IPV6_HLEN));
	} else {
		vpe_put_be16(out + 2, (uint16_t)l->total);
		vpe_put_be16(out + 10, 0);
		vpe_put_be16(out + 10, vpe_ip_csum(out, l->ip_hlen));
	}
}

/*
 * Reserves up to k consecutive outbound sequence numbers for a run of
 * packets of one SA: returns how many it got (0 .. k), the first in
 * *first. Unique and gap-free across threads: every number up to seq_max
 * is handed out exactly once and none after it (RFC 4303 3.3.3: no wrap;
 * when the space runs out the SA stays stopped). One atomic operation
 * per run, not per packet.
 *
 * Without ESN (seq_max 2^32 - 1 in a 64-bit counter) a plain fetch-add:
 * a thread that runs past the end leaves the counter at most one run
 * past seq_max per thread racing it, far from wrapping; readers clamp
 * (vpe_sa_seq). With ESN the limit is 2^64 - 1 and an overshooting add
 * would wrap the counter to numbers already used, so a compare-and-swap
 * that never moves past the limit (uncontended, the same one locked
 * instruction).
 */
uint64_t vpe_esp_reserve(struct vpe_sa *sa, uint64_t k, uint64_t *first)
{
	uint64_t old, got;

	if (sa->seq_max <= UINT32_MAX) {
		old = vpe_add(&sa->seq, k);
		got = old >= sa->seq_max    ? 0 :
		      sa->seq_max - old < k ? sa->seq_max - old :
					      k;
	} else {
		old = vpe_ld(&sa->seq);
		do {
			got = old >= sa->seq_max    ? 0 :
			      sa->seq_max - old < k ? sa->seq_max - old :
						      k;
		} while (got && !vpe_cas(&sa->seq, &old, old + got));
	}
	if (got < k)
		vpe_st(&sa->stopped, true);
	*first = old + 1;
	return got;
}

/* Checks one packet and lays it out; VIRTIO_IPSEC_OK or its status. */
static uint8_t encap_check(const struct vpe_esp_pkt *p, struct out_layout *l,
			   struct vpe_esp_res *res)
{
	const struct vpe_sa *sa = p->sa;
	struct out_layout lo; /* local: the SA's fields stay in registers */
	uint32_t out_len = 0;
	uint8_t st;

	if (sa->direction != VIRTIO_IPSEC_DIR_OUTBOUND) {
		st = VIRTIO_IPSEC_INVAL;
	} else if (vpe_ld(&sa->stopped)) {
		st = VIRTIO_IPSEC_SEQ_OVERFLOW;
	} else if ((st = layout(sa, p->in, p->in_len, &lo)) !=
		   VIRTIO_IPSEC_OK) {
		/* st says why */
	} else if (sa->path_mtu && lo.total > sa->path_mtu) {
		/* The caller learns the MTU to size its packets by. */
		out_len = sa->path_mtu;
		st = VIRTIO_IPSEC_MTU;
	} else if (lo.total > p->out_cap) {
		out_len = lo.total;
		st = VIRTIO_IPSEC_DST_TOO_SMALL;
	} else {
		lo.in_place = IN_PLACE_NO;
		if (!is_transport(sa) && p->in == p->out + hdr_len(sa))
			lo.in_place = IN_PLACE_HEADROOM;
		else if (!is_transport(sa) && p->in == p->out)
			lo.in_place = IN_PLACE_SAME;
		*l = lo;
	}
	res->status = st;
	res->out_len = out_len;
	res->seq = 0;
	return st;
}

/*
 * Before a chunk's packets are prepared: every check, then the sequence
 * numbers (and tunnel IPv4 ids) of each run of packets of one SA that
 * passed them, reserved at once. Numbers go to packets in request
 * order, as one at a time would give them.
 */
static void encap_pre(const struct vpe_esp_pkt *p, unsigned int m, void *st,
		      struct vpe_esp_res *res)
{
	struct out_layout *l = st;
	unsigned int i = 0, j, k;
	bool stopped;

	/*
	 * Each packet's first line, read for its headers, so that the misses
	 * overlap (measured: +2-3% at 64 bytes outbound; inbound, whose input
	 * the caller has usually just written, lost as much, so not there).
	 */
	for (j = 0; j < m; j++)
		__builtin_prefetch(p[j].in);
	while (i < m) {
		struct vpe_sa *sa = p[i].sa;
		uint64_t first = 0, got, bytes = 0;

		/* The run: packets i .. j - 1 of this SA; k of them good. */
		for (j = i, k = 0; j < m && p[j].sa == sa; j++)
			k += encap_check(&p[j], &l[j], &res[j]) ==
			     VIRTIO_IPSEC_OK;
		/*
		 * The one locked instruction for the run's numbers: the
		 * outer ids (vpe_sa_ip_id) and the packet count
		 * (vpe_sa_packets) follow from them, so a packet counts
		 * once it has its number; one the backend then fails to
		 * seal is taken off again (encap_finish).
		 */
		got = k ? vpe_esp_reserve(sa, k, &first) : 0;
		for (stopped = false; i < j; i++) {
			/*
			 * The first good packet without a number stops the
			 * SA: one at a time, it and every later packet would
			 * have found it so before any other check.
			 */
			if (res[i].status == VIRTIO_IPSEC_OK && !got)
				stopped = true;
			if (stopped) {
				res[i].status = VIRTIO_IPSEC_SEQ_OVERFLOW;
				res[i].out_len = 0;
				continue;
			}
			if (res[i].status != VIRTIO_IPSEC_OK)
				continue;
			l[i].ip_id = vpe_sa_ip_id(sa, first);
			l[i].seq = first++;
			bytes += p[i].in_len;
			got--;
		}
		/* Bytes cannot follow from the numbers: one add per run. */
		if (bytes)
			vpe_add(&sa->bytes, bytes);
	}
}

/*
 * First half of one encapsulation, after encap_pre checked it and gave
 * it its number: the plaintext and ESP header laid out in out, and the
 * crypto op that seals it. VIRTIO_IPSEC_OK when op is ready for the
 * backend; anything else is the packet's final status (res filled, no
 * op).
 */
static uint8_t encap_prepare(struct vpe_crypto *c, const struct vpe_esp_pkt *p,
			     void *state, struct vpe_esp_op *op,
			     struct vpe_esp_res *res)
{
	struct out_layout *l = state;
	struct vpe_sa *sa = p->sa;
	uint32_t i, pt_len, data_len, tfc, pad;
	uint8_t *pt, *esp, *tail;
	uint64_t seq;

	if (res->status != VIRTIO_IPSEC_OK)
		return res->status;
	seq = l->seq;
	res->seq = seq;

	/*
	 * The plaintext's tail in place: TFC padding, padding, trailer. The
	 * data stays in in (out does not overlap it, or it is already where
	 * the payload goes: vipsec_esp.h); the backend reads it from there
	 * (op->src), saving a copy per packet.
	 */
	esp = p->out + l->ip_hlen + l->udp_len;
	pt = esp + VPE_ESP_HLEN + sa->iv_len;
	/*
	 * Lengths in locals: every byte stored to the packet may alias l
	 * for the compiler, which would load them again after each one.
	 */
	data_len = l->data_len;
	tfc = l->tfc;
	pad = l->pad;
	pt_len = data_len + tfc + pad + 2;
	if (l->in_place == IN_PLACE_SAME)
		memmove(pt, p->in, data_len);
	tail = pt + data_len;
	if (tfc)
		memset(tail, 0, tfc);
	tail += tfc;
	/*
	 * Padding 1, 2, 3, ... (pad < block_len): one 16-byte store of the
	 * pattern where the trailer and the ICV, both written after it,
	 * leave room for it; else byte by byte.
	 */
	if (pad <= 16 && pad + 2 + sa->icv_len >= 16)
		memcpy(tail, pad_pattern, 16);
	else
		for (i = 0; i < pad; i++)
			tail[i] = (uint8_t)(i + 1);
	tail[pad] = (uint8_t)pad;
	tail[pad + 1] = l->nh;

	/* The IV straight where it goes: the data already left that room. */
	c->ops->iv_gen(c, sa->key, seq, esp + VPE_ESP_HLEN);
	vpe_put_be32(esp, sa->spi);
	vpe_put_be32(esp + 4, (uint32_t)seq);
	*op = (struct vpe_esp_op){
		.key = sa->key,
		.esp = esp,
		.pt = pt,
		.len = pt_len,
		.seq_hi = (uint32_t)(seq >> 32),
		/* In place the payload is one piece: one call seals it. */
		.src = l->in_place ? NULL : p->in + l->data_off,
		.src_len = l->in_place ? 0 : l->data_len,
	};
	return VIRTIO_IPSEC_OK;
}

/* Second half, after the backend sealed op: headers, counters, result. */
static void encap_finish(const struct vpe_esp_pkt *p, const void *state,
			 const struct vpe_esp_op *op, struct vpe_esp_res *res)
{
	const struct out_layout *l = state;
	struct vpe_sa *sa = p->sa;

	if (op->status) {
		/* Never let a packet with a wrong ICV out; its number is spent. */
		memset(p->out, 0, l->total);
		res->status = VIRTIO_IPSEC_ERR;
		/* Counted by encap_pre: one packet less (vpe_sa_packets). */
		vpe_add(&sa->out_pkt_base, 1);
		vpe_sub(&sa->bytes, p->in_len);
		return;
	}
	write_ip(sa, p->in, l, p->out);
	if (l->udp_len)
		vpe_udp_encap_write(
			sa, p->out + l->ip_hlen, l->total - l->ip_hlen,
			sa->ip_version == VIRTIO_IPSEC_IPV6 ? p->out : NULL);
	res->status = VIRTIO_IPSEC_OK;
	res->out_len = l->total;
}

void vpe_esp_encap(struct vpe_crypto *c, struct vpe_sa *sa, const uint8_t *in,
		   uint32_t in_len, uint8_t *out, uint32_t out_cap,
		   struct vpe_esp_res *res)
{
	/* A burst of one: the same steps, written once. */
	const struct vpe_esp_pkt p = { sa, in, in_len, out, out_cap };

	vpe_esp_encap_burst(c, &p, 1, res);
}

void vpe_esp_prefetch(const struct vpe_crypto *c, const struct vpe_esp_pkt *p,
		      unsigned int n)
{
	void (*key_prefetch)(const void *, bool) = c->ops->key_prefetch;
	unsigned int i, l;

	/*
	 * The SA's first two lines hold every field the ESP code reads for
	 * a packet (vipsec_sa.h); they are written too (sequence numbers,
	 * counters, the replay lock). A run of packets of one SA loads it
	 * once.
	 */
	for (i = 0; i < n; i++)
		if (!i || p[i].sa != p[i - 1].sa)
			for (l = 0; l < 2; l++)
				__builtin_prefetch(
					(const char *)p[i].sa + 64 * l, 1);
	/*
	 * Then what the SAs point at: the key's first eight lines (the
	 * ipsec-mb key object puts what a packet reads there, all of it
	 * for GCM and for CBC+HMAC outbound) and the replay window's head.
	 */
	for (i = 0; i < n; i++) {
		if (i && p[i].sa == p[i - 1].sa)
			continue;
		for (l = 0; l < 8; l++)
			__builtin_prefetch((const char *)p[i].sa->key + 64 * l);
		if (p[i].sa->replay)
			__builtin_prefetch(p[i].sa->replay, 1);
	}
	/*
	 * Last what those name: the key lines past the eighth that this
	 * direction's packets read (the backend's map, in the key's first
	 * line: CBC+HMAC inbound's decryption schedule) and the bitmap word
	 * the in-order packet sets.
	 */
	for (i = 0; i < n; i++) {
		if (i && p[i].sa == p[i - 1].sa)
			continue;
		if (key_prefetch)
			key_prefetch(p[i].sa->key,
				     p[i].sa->direction ==
					     VIRTIO_IPSEC_DIR_OUTBOUND);
		if (p[i].sa->replay)
			__builtin_prefetch(
				vpe_replay_next_word(p[i].sa->replay), 1);
	}
}

/*
 * A burst: all packets prepared, their crypto submitted to the backend in
 * one call (the multi-buffer backend keeps its lanes full across packets),
 * then all finished. Same result per packet as n calls of
 * vpe_esp_encap in order, including several packets of one SA.
 */
static const struct vpe_esp_dir encap_dir = {
	.pre = encap_pre,
	.prepare = encap_prepare,
	.finish = encap_finish,
	.st_size = sizeof(struct out_layout),
};

/* A function, not an exported variable (ASan adds a symbol per one). */
static bool fast_off;

void vpe_esp_out_fast_set(bool on)
{
	fast_off = !on;
}

void vpe_esp_encap_burst(struct vpe_crypto *c, const struct vpe_esp_pkt *p,
			 unsigned int n, struct vpe_esp_res *res)
{
	struct out_layout l[VPE_ESP_BURST];
	unsigned int m;

	/*
	 * The fast path takes the runs of packets of one SA it can, from
	 * the first (vipsec_esp_out_fast.c); from the first it cannot on,
	 * the burst goes the general way. Not back and forth per run: that
	 * would read each next SA to decide, one cache miss after another
	 * with many SAs, where both paths load a chunk's SAs at once.
	 */
	m = fast_off ? 0 : vpe_esp_out_fast(c, p, n, res);
	if (m < n)
		vpe_esp_burst(&encap_dir, c, p + m, n - m, res + m, l);
}
