// SPDX-License-Identifier: BSD-3-Clause
/*
 * libFuzzer target: structure-aware inbound ESP (input format in
 * fuzz_seal.h). Random ciphertext never passes the ICV check, so this
 * target builds the plaintext from the input and seals it with the
 * inbound SA's own key (vpe_esp_seal, the engine's outbound crypto
 * step) before DECAP, which then runs the trailer, inner-header,
 * selector, replay and lifetime code on fuzzer-chosen bytes.
 *
 * Oracle: besides the sanitizers, a packet sealed with an honest trailer
 * that DECAP accepts must come back as exactly what was sealed (only the
 * ECN bits and the TTL may change in tunnel mode, and the L4 checksum
 * with the transport NAT-OA fix-up).
 */
#include <endian.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_sas.h"
#include "fuzz_seal.h"
#include "vipsec_esp.h"
#include "vipsec_sa.h"
#include "vpe_test.h"

#define SA_ID	1
#define SPI	0x5ea1
#define MAX_PAYLOAD 2048

struct seal_alg {
	uint8_t cipher, auth, klen, aklen, salt, icv;
};

/* Every row has integrity, so anti-replay is always allowed. */
static const struct seal_alg algs[] = {
	{ VIRTIO_IPSEC_CIPHER_AES_GCM, VIRTIO_IPSEC_AUTH_NONE, 16, 0, 4, 16 },
	{ VIRTIO_IPSEC_CIPHER_AES_GCM, VIRTIO_IPSEC_AUTH_NONE, 32, 0, 4, 8 },
	{ VIRTIO_IPSEC_CIPHER_AES_GCM, VIRTIO_IPSEC_AUTH_NONE, 24, 0, 4, 12 },
	{ VIRTIO_IPSEC_CIPHER_AES_CCM, VIRTIO_IPSEC_AUTH_NONE, 16, 0, 3, 16 },
	{ VIRTIO_IPSEC_CIPHER_AES_CCM, VIRTIO_IPSEC_AUTH_NONE, 32, 0, 3, 8 },
	{ VIRTIO_IPSEC_CIPHER_AES_GMAC, VIRTIO_IPSEC_AUTH_NONE, 16, 0, 4, 16 },
	{ VIRTIO_IPSEC_CIPHER_AES_CBC, VIRTIO_IPSEC_AUTH_HMAC_SHA256, 16, 32, 0, 16 },
	{ VIRTIO_IPSEC_CIPHER_AES_CBC, VIRTIO_IPSEC_AUTH_HMAC_SHA384, 32, 48, 0, 24 },
	{ VIRTIO_IPSEC_CIPHER_AES_CTR, VIRTIO_IPSEC_AUTH_HMAC_SHA1_96, 16, 20, 4, 12 },
	{ VIRTIO_IPSEC_CIPHER_3DES_CBC, VIRTIO_IPSEC_AUTH_HMAC_SHA512, 24, 64, 0, 32 },
	{ VIRTIO_IPSEC_CIPHER_NULL, VIRTIO_IPSEC_AUTH_AES_XCBC_96, 0, 16, 0, 12 },
	{ VIRTIO_IPSEC_CIPHER_DES_CBC, VIRTIO_IPSEC_AUTH_HMAC_MD5_96, 8, 16, 0, 12 },
};
#define NALGS (sizeof(algs) / sizeof(algs[0]))

static uint16_t ld16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint64_t ld64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void be16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* The descriptor's parameters, folded into what SA_ADD accepts. */
static void sa_params(const struct seal_desc *d,
		      struct virtio_ipsec_sa_params *p)
{
	const struct seal_alg *a = &algs[d->alg % NALGS];
	int v6 = d->sa_flags & SEAL_IPV6;
	int tunnel = !(d->sa_flags & SEAL_TRANSPORT);
	unsigned int alen = v6 ? 16 : 4, bits, i;
	uint32_t opt = 0;

	memset(p, 0, sizeof(*p));
	p->spi = htole32(SPI);
	p->direction = VIRTIO_IPSEC_DIR_INBOUND;
	p->mode = tunnel ? VIRTIO_IPSEC_MODE_TUNNEL :
			   VIRTIO_IPSEC_MODE_TRANSPORT;
	p->protocol = VIRTIO_IPSEC_PROTO_ESP;
	p->ip_version = v6 ? VIRTIO_IPSEC_IPV6 : VIRTIO_IPSEC_IPV4;
	p->cipher_alg = a->cipher;
	p->auth_alg = a->auth;
	p->icv_len = a->icv;
	p->cipher_key_len = a->klen;
	p->auth_key_len = a->aklen;
	p->salt_len = a->salt;
	for (i = 0; i < sizeof(p->cipher_key); i++)
		p->cipher_key[i] = (uint8_t)(i * 13 + 1);
	for (i = 0; i < sizeof(p->auth_key); i++)
		p->auth_key[i] = (uint8_t)(i * 7 + 3);
	memcpy(p->salt, "\x11\x22\x33\x44", a->salt);
	if (tunnel) {
		p->tun_src[0] = v6 ? 0xfd : 10;
		p->tun_dst[0] = v6 ? 0xfd : 10;
		p->tun_src[alen - 1] = 1;
		p->tun_dst[alen - 1] = 2;
	}
	if (d->sa_flags & SEAL_ESN)
		opt |= VIRTIO_IPSEC_SA_OPT_ESN;
	if (d->sa_flags & SEAL_REPLAY) {
		opt |= VIRTIO_IPSEC_SA_OPT_ANTI_REPLAY;
		p->replay_window = htole32(1 + ld16(d->window) % 4096);
	}
	if (d->sa_flags & SEAL_UDP) {
		opt |= VIRTIO_IPSEC_SA_OPT_UDP_ENCAP;
		p->udp_src_port = htole16(ld16(d->udp_sport) | 1);
		p->udp_dst_port = htole16(ld16(d->udp_dport) | 1);
		if (!tunnel)
			memcpy(p->nat_oa, d->nat_oa, alen);
	}
	if (d->sa_flags & SEAL_ECN)
		opt |= VIRTIO_IPSEC_SA_OPT_ECN;
	if ((d->sa_flags & SEAL_TFC) && tunnel) {
		opt |= VIRTIO_IPSEC_SA_OPT_TFC_PAD;
		p->tfc_pad_to = htole32(ld16(d->tfc_pad_to) | 1);
	}
	if ((d->pkt_flags & SEAL_DEC_TTL) && tunnel)
		opt |= VIRTIO_IPSEC_SA_OPT_DEC_TTL;
	if (d->sa_flags & SEAL_SELECTOR) {
		opt |= VIRTIO_IPSEC_SA_OPT_SELECTOR;
		bits = d->sel_prefix % (alen * 8 + 1);
		p->sel_prefix_len = (uint8_t)bits;
		memcpy(p->sel_src, d->sel_src, (bits + 7) / 8);
		if (bits % 8)
			p->sel_src[bits / 8] &=
				(uint8_t)(0xff << (8 - bits % 8));
	}
	if (d->pkt_flags & SEAL_LIFETIME) {
		/* soft <= hard, or the SA is refused; 0 = unlimited */
		uint64_t sp = d->life[0], hp = d->life[1];
		uint64_t sb = d->life[2] * 64ull, hb = d->life[3] * 64ull;

		p->soft_packets = htole64(hp && sp > hp ? hp : sp);
		p->hard_packets = htole64(hp);
		p->soft_bytes = htole64(hb && sb > hb ? hb : sb);
		p->hard_bytes = htole64(hb);
		p->soft_seconds = htole64(d->life[4] % 4);
		p->hard_seconds = htole64(d->life[5] % 4 ?
					  d->life[4] % 4 + d->life[5] % 4 : 0);
	}
	p->options = htole32(opt);
}

static int sa_add(struct vpe_core *core, const struct seal_desc *d)
{
	uint8_t req[sizeof(struct virtio_ipsec_ctrl_hdr) +
		    sizeof(struct virtio_ipsec_sa_params)];
	uint8_t resp[sizeof(struct virtio_ipsec_resp_footer)];
	struct virtio_ipsec_ctrl_hdr hdr = {
		.opcode = htole16(VIRTIO_IPSEC_OP_SA_ADD),
		.sa_id = htole32(SA_ID),
	};
	struct virtio_ipsec_sa_params p;

	sa_params(d, &p);
	memcpy(req, &hdr, sizeof(hdr));
	memcpy(req + sizeof(hdr), &p, sizeof(p));
	if (vpe_core_handle_ctrl(core, req, sizeof(req), resp,
				 sizeof(resp)) != sizeof(resp))
		abort();
	return resp[0];
}

/*
 * The ESP payload: data | TFC zeros | padding | pad length | next header.
 * Returns its length; *honest is false when the trailer lies.
 */
static uint32_t plaintext(const struct seal_desc *d, const struct vpe_sa *sa,
			  const uint8_t *data, uint32_t n, uint8_t *pt,
			  int *honest)
{
	int tunnel = sa->mode == VIRTIO_IPSEC_MODE_TUNNEL;
	uint32_t b = sa->block_len, tfc = d->tfc_len % 64, pad, len, i;
	uint8_t nh;

	memcpy(pt, data, n);
	memset(pt + n, 0, tfc);
	len = n + tfc;
	pad = (b - (len + 2) % b) % b;
	while (pad + b <= 255 && (d->pad_len >> 5) > pad / b)
		pad += b;	/* longer padding than needed is legal */
	for (i = 0; i < pad; i++)
		pt[len + i] = (uint8_t)(i + 1);
	if (tunnel)
		nh = n && (data[0] >> 4) == 6 ? 41 : 4;
	else
		nh = d->next_hdr == 59 ? 17 : d->next_hdr;
	*honest = 1;
	if ((d->pkt_flags & SEAL_BAD_PAD) && pad && d->pad_xor) {
		pt[len + d->pad_xor % pad] ^= d->pad_xor;
		*honest = 0;
	}
	pt[len + pad] = (uint8_t)pad;
	if ((d->pkt_flags & SEAL_RAW_PADLEN) && d->pad_len != pad) {
		pt[len + pad] = d->pad_len;
		*honest = 0;
	}
	pt[len + pad + 1] = nh;
	if ((d->pkt_flags & SEAL_RAW_NH) && d->next_hdr != nh) {
		pt[len + pad + 1] = d->next_hdr;
		*honest = 0;
	}
	return len + pad + 2;
}

/* Outer IP header (and UDP) in front of an ESP packet of esp_len bytes. */
static uint32_t outer(const struct seal_desc *d, const struct vpe_sa *sa,
		      uint32_t esp_len, uint8_t *o)
{
	int udp = sa->options & VIRTIO_IPSEC_SA_OPT_UDP_ENCAP;
	uint8_t proto = udp ? 17 : 50;
	uint32_t h, l4 = esp_len + (udp ? 8 : 0);

	if (sa->ip_version == VIRTIO_IPSEC_IPV6) {
		int hbh = d->outer_extra & SEAL_V6_HBH;

		h = 40 + (hbh ? 8 : 0);
		memset(o, 0, h);
		o[0] = 0x60 | (d->dscp_ttl >> 4);
		o[1] = (uint8_t)(d->dscp_ttl << 4);
		be16(o + 4, h - 40 + l4);
		o[6] = hbh ? 0 : proto;
		o[7] = 64;
		o[8] = 0xfd; o[23] = 1; o[24] = 0xfd; o[39] = 2;
		if (hbh) {
			o[40] = proto;
			o[42] = 1;	/* PadN, 4 bytes of padding */
			o[43] = 4;
		}
	} else {
		int opts = d->outer_extra & SEAL_V4_OPTS;

		h = 20 + (opts ? 4 : 0);
		memset(o, 0, h);
		o[0] = (uint8_t)(0x40 | h / 4);
		o[1] = d->dscp_ttl;
		be16(o + 2, h + l4);
		o[8] = 64;
		o[9] = proto;
		o[12] = 10; o[15] = 1; o[16] = 10; o[19] = 2;
		if (opts)
			memset(o + 20, 1, 4);	/* NOP options */
		be16(o + 10, csum(o, h));
	}
	if (udp) {
		be16(o + h, 4500);
		be16(o + h + 2, 4500);
		be16(o + h + 4, l4);
		o[h + 6] = o[h + 7] = 0;
		h += 8;
	}
	return h;
}

/* The inner length fields made consistent, so more packets get deep. */
static void fix_inner(uint8_t *p, uint32_t n)
{
	if (n >= 20 && (p[0] >> 4) == 4) {
		uint32_t ihl = (p[0] & 0xf) * 4u;

		be16(p + 2, n);
		if (ihl >= 20 && ihl <= n) {
			be16(p + 10, 0);
			be16(p + 10, csum(p, ihl));
		}
	} else if (n >= 40 && (p[0] >> 4) == 6) {
		be16(p + 4, n - 40);
	}
}

/* What an accepted honest packet must decapsulate to. */
static void check_roundtrip(const struct vpe_sa *sa, uint32_t hlen,
			    const uint8_t *data, uint32_t n, uint32_t tfc,
			    const uint8_t *out, size_t out_len)
{
	if (sa->mode == VIRTIO_IPSEC_MODE_TRANSPORT) {
		if (out_len != hlen - ((sa->options &
				       VIRTIO_IPSEC_SA_OPT_UDP_ENCAP) ? 8 : 0) +
			       n + tfc)
			abort();
		/* NAT-OA rewrites the TCP/UDP checksum only. */
		if (!(sa->options & VIRTIO_IPSEC_SA_OPT_UDP_ENCAP) &&
		    memcmp(out + out_len - n - tfc, data, n))
			abort();
		return;
	}
	/* The inner header's own length decides, TFC zeros may be inside. */
	if (out_len > n + tfc)
		abort();
	for (size_t i = 0; i < out_len; i++) {
		uint8_t m = 0xff, want = i < n ? data[i] : 0;

		/* ECN bits, TTL / hop limit, IPv4 header checksum */
		if ((out[0] >> 4) == 4)
			m = i == 1 ? 0xfc : i == 8 || i == 10 || i == 11 ? 0 : m;
		else
			m = i == 1 ? 0xcf : i == 7 ? 0 : m;
		if ((out[i] ^ want) & m)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size)
{
	static struct vpe_core *core;
	static uint64_t clock;
	static uint8_t data[MAX_PAYLOAD], pt[MAX_PAYLOAD + 512];
	static uint8_t pkt[FUZZ_MAX_PKT], out[FUZZ_MAX_PKT];
	struct vpe_crypto *c;
	struct seal_desc d;
	struct vpe_sa *sa;
	uint8_t iv[VPE_ESP_MAX_IVLEN];
	uint32_t n, pt_len, hlen, npkts;
	uint64_t seq;
	int honest;

	if (size < sizeof(d))
		return 0;
	memcpy(&d, in, sizeof(d));
	n = (uint32_t)(size - sizeof(d));
	if (n > MAX_PAYLOAD)
		n = MAX_PAYLOAD;
	memcpy(data, in + sizeof(d), n);
	if (d.pkt_flags & SEAL_FIX_INNER && !(d.sa_flags & SEAL_TRANSPORT))
		fix_inner(data, n);

	if (!core)
		core = fuzz_core_new();
	vpe_core_reset(core);
	vpe_core_tick(core, clock += 1000);
	if (sa_add(core, &d) != VIRTIO_IPSEC_OK)
		abort();	/* descriptors always fold into a valid SA */
	c = vpe_core_crypto(core);
	sa = vpe_sa_lookup(vpe_core_sadb(core), 0, SA_ID);
	if (!sa)
		abort();

	pt_len = plaintext(&d, sa, data, n, pt, &honest);
	seq = ld64(d.seq);
	npkts = 1 + (d.pkt_flags >> SEAL_NPKTS_SHIFT);
	for (uint32_t k = 0; k < npkts; k++) {
		size_t out_len = 0;
		uint32_t esp_len = 8 + sa->iv_len + pt_len + sa->icv_len;
		int st;

		if (k)
			seq += (int16_t)ld16(d.seq_delta[k - 1]);
		hlen = outer(&d, sa, esp_len, pkt);
		if (hlen + esp_len > FUZZ_MAX_PKT)
			return 0;
		c->ops->iv_gen(c, sa->key, seq, iv);
		if (vpe_esp_seal(c, sa, seq, iv, pt, pt_len, pkt + hlen))
			abort();
		st = fuzz_xform(core, VIRTIO_IPSEC_OP_DECAP, SA_ID, pkt,
				hlen + esp_len, out, &out_len);
		if (st != VIRTIO_IPSEC_OK && st != VIRTIO_IPSEC_SOFT_EXPIRY)
			continue;
		if (out_len > hlen + esp_len)
			abort();	/* decap never grows a packet */
		if (honest)
			check_roundtrip(sa, hlen, data, n, d.tfc_len % 64,
					out, out_len);
		if (k == 0)
			vpe_core_tick(core, clock + d.tick % 8);
	}
	return 0;
}
