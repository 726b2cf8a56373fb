// SPDX-License-Identifier: BSD-3-Clause
/*
 * Packet formats: tunnel and transport mode over IPv4 and IPv6 in every
 * mix, RFC 3948 UDP encapsulation with the transport-mode NAT-OA fix-up,
 * outer header fields, and the SA parameter rules of these options.
 */
#include <endian.h>
#include <string.h>

#include "test_formats.h"
#include "vipsec_cksum.h"
#include "vipsec_ipv6.h"

static struct pkt_out o1, o2;

static void make_inner(uint8_t *p, uint32_t len, int v6, uint32_t salt)
{
	if (v6)
		make_ipv6(p, len, 0x00, salt);
	else
		make_ipv4(p, len, 0x00, 1, salt);
}

/* Every mode x IP version x UDP x ESN combination, several sizes. */
START_TEST(test_mode_matrix)
{
	static const uint32_t opts[] = {
		0, VIRTIO_IPSEC_SA_OPT_UDP_ENCAP, VIRTIO_IPSEC_SA_OPT_ESN,
		VIRTIO_IPSEC_SA_OPT_UDP_ENCAP | VIRTIO_IPSEC_SA_OPT_ESN,
	};
	uint32_t n = 0;

	for (int mode = 0; mode < 2; mode++)
	for (int outer = 4; outer <= 6; outer += 2)
	for (int inner = 4; inner <= 6; inner += 2)
	for (unsigned int oi = 0; oi < 4; oi++) {
		struct fmt_sa f = { .mode = (uint8_t)mode, .ipv = (uint8_t)outer,
				    .options = opts[oi], .window = 64 };
		struct vpe_core *c;
		uint32_t hl = outer == 6 ? 40 : 20, len;
		uint8_t in[1600];

		if (mode == VIRTIO_IPSEC_MODE_TRANSPORT && inner != outer)
			continue;
		c = fmt_pair(&f);
		for (len = 60; len <= 1400; len += 191, n++) {
			make_inner(in, len, inner == 6, len);
			data1(c, ENC, 0, 1, in, len, 1600, &o1);
			ck_assert_msg(o1.status == 0,
				      "mode %d v%d-in-v%d opt %x len %u: encap %u",
				      mode, inner, outer, opts[oi], len, o1.status);
			ck_assert_msg((o1.data[0] >> 4) == outer,
				      "outer version %u", o1.data[0] >> 4);
			ck_assert_msg(vpe_get_be32(o1.data + hl +
				      (opts[oi] & 4 ? 8 : 0)) == 0x2000,
				      "SPI not at offset %u", hl);
			data1(c, DEC, 0, 2, o1.data, o1.out_len, 1600, &o2);
			ck_assert_msg(o2.status == 0 && o2.out_len == len &&
				      !memcmp(o2.data, in, len),
				      "mode %d v%d-in-v%d opt %x len %u: decap status %u len %u",
				      mode, inner, outer, opts[oi], len, o2.status,
				      o2.out_len);
		}
		vpe_core_free(c);
	}
	ck_assert_msg(n >= 8 * 5, "only %u round trips", n);
}
END_TEST

/* Tunnel over IPv6: the outer header, byte by byte. */
START_TEST(test_ipv6_outer_header)
{
	struct fmt_sa f = { .mode = 0, .ipv = 6 };
	struct vpe_core *c = test_core();
	struct virtio_ipsec_sa_params *s;
	uint8_t p[PARAMS_SIZE], in[200];
	const uint8_t *h = o1.data;

	fmt_params(p, VIRTIO_IPSEC_DIR_OUTBOUND, &f);
	s = (void *)p;
	s->flow_label = htole32(0xabcde);
	s->ttl = 17;
	s->dscp_mode = VIRTIO_IPSEC_HDR_SET;
	s->dscp = 10;
	s->options |= htole32(VIRTIO_IPSEC_SA_OPT_ECN); /* normal mode */
	ck_assert_msg(sa_add(c, 0, 1, p) == 0, "SA_ADD v6 outer");
	make_ipv4(in, 200, 0xb9, 1, 3);		/* DSCP 46, ECT(1) */
	data1(c, ENC, 0, 1, in, 200, 600, &o1);
	ck_assert_msg(o1.status == 0, "encap %u", o1.status);
	ck_assert_msg(h[0] >> 4 == 6, "version %u", h[0] >> 4);
	ck_assert_msg(vpe_ipv6_tclass(h) == (10 << 2 | 1),
		      "traffic class 0x%02x, want DSCP 10 set, ECN copied",
		      vpe_ipv6_tclass(h));
	ck_assert_msg(((h[1] & 0xf) << 16 | h[2] << 8 | h[3]) == 0xabcde,
		      "flow label not the SA's");
	ck_assert_msg(vpe_get_be16(h + 4) == o1.out_len - 40,
		      "payload length %u for %u bytes", vpe_get_be16(h + 4),
		      o1.out_len);
	ck_assert_msg(h[6] == 50 && h[7] == 17, "next header %u hop limit %u",
		      h[6], h[7]);
	ck_assert_msg(!memcmp(h + 8, s->tun_src, 16) &&
		      !memcmp(h + 24, s->tun_dst, 16), "addresses");
	vpe_core_free(c);
}
END_TEST

/* Transport over IPv4 with options: header kept, fields fixed. */
START_TEST(test_transport_ipv4_header)
{
	struct fmt_sa f = { .mode = 1, .ipv = 4, .window = 32 };
	struct vpe_core *c = fmt_pair(&f);
	uint8_t in[300], *h = o1.data;
	uint32_t len = 300;

	make_ipv4(in, len, 0x28, 0, 7);
	/* Rebuild with 8 bytes of options (IHL 7): two NOPs and an EOL. */
	memmove(in + 28, in + 20, len - 28);
	memset(in + 20, 0, 8);
	in[20] = 1;
	in[21] = 1;
	in[0] = 0x47;
	vpe_put_be16(in + 10, 0);
	vpe_put_be16(in + 10, vpe_ip_csum(in, 28));
	data1(c, ENC, 0, 1, in, len, 600, &o1);
	ck_assert_msg(o1.status == 0, "encap %u", o1.status);
	ck_assert_msg(!memcmp(h + 20, in + 20, 8) && h[0] == 0x47,
		      "options not kept");
	ck_assert_msg(h[9] == 50, "protocol %u, want 50", h[9]);
	ck_assert_msg(h[1] == 0x28 && h[8] == 63, "TOS/TTL changed");
	ck_assert_msg(vpe_get_be16(h + 2) == o1.out_len, "total length");
	ck_assert_msg(vpe_ip_csum(h, 28) == 0, "header checksum wrong");
	ck_assert_msg(vpe_get_be32(h + 28) == 0x2000, "SPI after options");
	ck_assert_msg(o1.out_len == 28 + 8 + 8 + (len - 28 + 2 + 2) + 16,
		      "length %u", o1.out_len);
	data1(c, DEC, 0, 2, o1.data, o1.out_len, 600, &o2);
	ck_assert_msg(o2.status == 0 && o2.out_len == len &&
		      !memcmp(o2.data, in, len), "decap did not restore it");
	/* Fragments are refused: transport mode covers whole datagrams. */
	vpe_put_be16(in + 6, VPE_IP_MF);
	data1(c, ENC, 0, 1, in, len, 600, &o1);
	ck_assert_msg(o1.status == VIRTIO_IPSEC_BADPKT, "fragment: %u",
		      o1.status);
	/* An IPv6 packet on an IPv4 transport SA. */
	make_ipv6(in, 100, 0, 1);
	data1(c, ENC, 0, 1, in, 100, 600, &o1);
	ck_assert_msg(o1.status == VIRTIO_IPSEC_BADPKT, "v6 on v4 SA: %u",
		      o1.status);
	vpe_core_free(c);
}
END_TEST

/* Appends an extension header (8 bytes) after off; returns new length. */
static uint32_t add_ext(uint8_t *p, uint32_t len, uint32_t nh_off,
			uint32_t at, uint8_t type)
{
	memmove(p + at + 8, p + at, len - at);
	memset(p + at, 0, 8);
	p[at] = p[nh_off];
	p[at + 2] = 1;		/* PadN option / routing type 1 */
	p[nh_off] = type;
	vpe_put_be16(p + 4, (uint16_t)(len + 8 - 40));
	return len + 8;
}

/*
 * Transport over IPv6: hop-by-hop, destination options and routing stay
 * in front of ESP; destination options after routing go behind it.
 */
START_TEST(test_transport_ipv6_ext)
{
	struct fmt_sa f = { .mode = 1, .ipv = 6, .window = 32 };
	struct vpe_core *c = fmt_pair(&f);
	uint8_t in[400], *h = o1.data;
	uint32_t len = 200;

	make_ipv6(in, len, 0, 9);
	len = add_ext(in, len, 6, 40, VPE_IPPROTO_HOPOPTS);
	len = add_ext(in, len, 40, 48, VPE_IPPROTO_DSTOPTS);
	len = add_ext(in, len, 48, 56, VPE_IPPROTO_ROUTING);
	len = add_ext(in, len, 56, 64, VPE_IPPROTO_DSTOPTS);
	ck_assert(in[6] == 0 && in[40] == 60 && in[48] == 43 &&
		  in[56] == 60 && in[64] == 17);
	data1(c, ENC, 0, 1, in, len, 800, &o1);
	ck_assert_msg(o1.status == 0, "encap %u", o1.status);
	ck_assert_msg(!memcmp(h + 8, in + 8, 32) && h[6] == 0 &&
		      h[40] == 60 && h[48] == 43,
		      "hop-by-hop/dst opts/routing not kept in place");
	ck_assert_msg(h[56] == 50, "routing header's next header %u, want 50",
		      h[56]);
	ck_assert_msg(vpe_get_be32(h + 64) == 0x2000,
		      "ESP not after the routing header");
	ck_assert_msg(vpe_get_be16(h + 4) == o1.out_len - 40,
		      "payload length %u, packet %u", vpe_get_be16(h + 4),
		      o1.out_len);
	data1(c, DEC, 0, 2, o1.data, o1.out_len, 800, &o2);
	ck_assert_msg(o2.status == 0 && o2.out_len == len &&
		      !memcmp(o2.data, in, len), "decap did not restore it");
	/* A fragment header: not a whole packet. */
	make_ipv6(in, 200, 0, 9);
	len = add_ext(in, 200, 6, 40, VPE_IPPROTO_FRAGMENT);
	data1(c, ENC, 0, 1, in, len, 800, &o1);
	ck_assert_msg(o1.status == VIRTIO_IPSEC_BADPKT, "fragment: %u",
		      o1.status);
	/* A truncated extension header chain. */
	make_ipv6(in, 44, 0, 9);
	in[6] = VPE_IPPROTO_HOPOPTS;
	data1(c, ENC, 0, 1, in, 44, 800, &o1);
	ck_assert_msg(o1.status == VIRTIO_IPSEC_BADPKT, "truncated: %u",
		      o1.status);
	vpe_core_free(c);
}
END_TEST

/* RFC 3948: the UDP header over IPv4 and IPv6. */
START_TEST(test_udp_encap_header)
{
	for (int v = 4; v <= 6; v += 2) {
		struct fmt_sa f = { .mode = 0, .ipv = (uint8_t)v,
				    .options = VIRTIO_IPSEC_SA_OPT_UDP_ENCAP };
		struct vpe_core *c = fmt_pair(&f);
		uint32_t hl = v == 6 ? 40 : 20;
		const uint8_t *u = o1.data + hl;
		uint8_t in[120];

		make_ipv4(in, 120, 0, 1, 2);
		data1(c, ENC, 0, 1, in, 120, 600, &o1);
		ck_assert_msg(o1.status == 0, "v%d encap %u", v, o1.status);
		ck_assert_msg(o1.data[v == 6 ? 6 : 9] == 17,
			      "v%d outer protocol not UDP", v);
		ck_assert_msg(vpe_get_be16(u) == 4500 &&
			      vpe_get_be16(u + 2) == 4501,
			      "v%d ports %u -> %u", v, vpe_get_be16(u),
			      vpe_get_be16(u + 2));
		ck_assert_msg(vpe_get_be16(u + 4) == o1.out_len - hl,
			      "v%d UDP length %u", v, vpe_get_be16(u + 4));
		if (v == 4)
			ck_assert_msg(vpe_get_be16(u + 6) == 0,
				      "IPv4 UDP checksum not zero");
		else
			ck_assert_msg(vpe_get_be16(u + 6) != 0 &&
				      l4_csum_ok(o1.data, hl, o1.out_len, 17),
				      "IPv6 UDP checksum wrong");
		ck_assert_msg(vpe_get_be32(u + 8) == 0x2000, "SPI");
		if (v == 4)
			ck_assert_msg(vpe_ip_csum(o1.data, 20) == 0,
				      "outer checksum");
		vpe_core_free(c);
	}
}
END_TEST

/* What is not ESP-in-UDP for this SA is refused with a status. */
START_TEST(test_udp_encap_refusals)
{
	struct fmt_sa f = { .mode = 0, .ipv = 4,
			    .options = VIRTIO_IPSEC_SA_OPT_UDP_ENCAP };
	struct fmt_sa plain = { .mode = 0, .ipv = 4 };
	struct vpe_core *c = fmt_pair(&f), *c2 = fmt_pair(&plain);
	uint8_t in[120], pkt[700], ike[100];
	uint32_t n;

	make_ipv4(in, 120, 0, 1, 2);
	data1(c, ENC, 0, 1, in, 120, 600, &o1);
	n = o1.out_len;
	memcpy(pkt, o1.data, n);

	/* IKE behind the non-ESP marker. */
	memcpy(ike, pkt, 28);
	memset(ike + 28, 0, 72);
	vpe_put_be16(ike + 2, 100);
	vpe_put_be16(ike + 24, 80);
	data1(c, DEC, 0, 2, ike, 100, 600, &o2);
	ck_assert_msg(o2.status == VIRTIO_IPSEC_BADPROTO, "IKE: %u", o2.status);
	/* NAT keepalive: one 0xff byte. */
	ike[28] = 0xff;
	vpe_put_be16(ike + 2, 29);
	vpe_put_be16(ike + 24, 9);
	data1(c, DEC, 0, 2, ike, 29, 600, &o2);
	ck_assert_msg(o2.status == VIRTIO_IPSEC_BADPROTO, "keepalive: %u",
		      o2.status);
	/* UDP length not matching the IP length. */
	vpe_put_be16(pkt + 24, (uint16_t)(n - 20 - 4));
	data1(c, DEC, 0, 2, pkt, n, 600, &o2);
	ck_assert_msg(o2.status == VIRTIO_IPSEC_BADPKT, "UDP length: %u",
		      o2.status);
	/* UDP-encapsulated ESP to a plain SA and plain ESP to a UDP SA. */
	data1(c2, DEC, 0, 2, o1.data, n, 600, &o2);
	ck_assert_msg(o2.status == VIRTIO_IPSEC_BADPROTO, "UDP to plain: %u",
		      o2.status);
	data1(c2, ENC, 0, 1, in, 120, 600, &o2);
	data1(c, DEC, 0, 2, o2.data, o2.out_len, 600, &o1);
	ck_assert_msg(o1.status == VIRTIO_IPSEC_BADPROTO, "plain to UDP: %u",
		      o1.status);
	/* Ports are not checked (NAT rebinding): a changed port decaps. */
	data1(c, ENC, 0, 1, in, 120, 600, &o1);
	vpe_put_be16(o1.data + 20, 61000);
	data1(c, DEC, 0, 2, o1.data, o1.out_len, 600, &o2);
	ck_assert_msg(o2.status == 0 && o2.out_len == 120, "rebound port: %u",
		      o2.status);
	vpe_core_free(c);
	vpe_core_free(c2);
}
END_TEST

/*
 * RFC 3948 3.1.2: the peer (behind a NAT, original address NAT-OA) sends
 * a transport-mode TCP or UDP packet; the NAT rewrites the source. After
 * decap the upper-layer checksum must check out for the received header.
 */
static void natoa_case(int v6, uint8_t proto)
{
	struct fmt_sa f = { .mode = 1, .ipv = (uint8_t)(v6 ? 6 : 4),
			    .options = VIRTIO_IPSEC_SA_OPT_UDP_ENCAP };
	uint32_t alen = v6 ? 16 : 4, so = v6 ? 8 : 12, hl = v6 ? 40 : 20;
	struct vpe_core *c = test_core();
	struct virtio_ipsec_sa_params *s;
	uint8_t p[PARAMS_SIZE], in[300], pub[16];
	uint32_t len = 300;

	if (v6)
		make_ipv6(in, len, 0, 4);
	else
		make_ipv4(in, len, 0, 1, 4);
	in[v6 ? 6 : 9] = proto;
	if (!v6) {
		vpe_put_be16(in + 10, 0);
		vpe_put_be16(in + 10, vpe_ip_csum(in, 20));
	}
	if (proto == 17) {
		set_udp(in, len, hl);
	} else {
		/* TCP: data offset 5, checksum at 16 over the pseudo-header. */
		uint8_t *t = in + hl;
		uint32_t sum;

		t[12] = 0x50;
		vpe_put_be16(t + 16, 0);
		sum = v6 ? vpe_csum_add(0, in + 8, 32) :
			   vpe_csum_add(0, in + 12, 8);
		sum += (len - hl) + 6;
		vpe_put_be16(t + 16,
			     vpe_csum_fold(vpe_csum_add(sum, t,
							   len - hl)));
	}
	ck_assert_msg(l4_csum_ok(in, hl, len, proto), "test packet checksum");

	fmt_params(p, VIRTIO_IPSEC_DIR_OUTBOUND, &f);
	ck_assert_msg(sa_add(c, 0, 1, p) == 0, "outbound SA_ADD");
	fmt_params(p, VIRTIO_IPSEC_DIR_INBOUND, &f);
	s = (void *)p;
	memcpy(s->nat_oa, in + so, alen);	/* the peer's own address */
	ck_assert_msg(sa_add(c, 0, 2, p) == 0, "inbound SA_ADD with NAT-OA");

	data1(c, ENC, 0, 1, in, len, 700, &o1);
	ck_assert_msg(o1.status == 0, "encap %u", o1.status);
	/* The NAT: new source address (and port). */
	memset(pub, 0, sizeof(pub));
	memcpy(pub, v6 ? (const uint8_t *)"\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\x99\x01" :
			 (const uint8_t *)"\xc6\x33\x64\x07", alen);
	memcpy(o1.data + so, pub, alen);
	if (!v6) {
		vpe_put_be16(o1.data + 10, 0);
		vpe_put_be16(o1.data + 10, vpe_ip_csum(o1.data, 20));
	}
	vpe_put_be16(o1.data + hl, 33333);
	data1(c, DEC, 0, 2, o1.data, o1.out_len, 700, &o2);
	ck_assert_msg(o2.status == 0 && o2.out_len == len, "decap %u",
		      o2.status);
	ck_assert_msg(!memcmp(o2.data + so, pub, alen) &&
		      o2.data[v6 ? 6 : 9] == proto, "restored header");
	ck_assert_msg(l4_csum_ok(o2.data, hl, len, proto),
		      "v%d proto %u: checksum not fixed for the NAT address",
		      v6 ? 6 : 4, proto);
	ck_assert_msg(!memcmp(o2.data + hl + 20, in + hl + 20, len - hl - 20),
		      "payload changed");
	vpe_core_free(c);
}

START_TEST(test_natoa_fixup)
{
	natoa_case(0, 17);
	natoa_case(0, 6);
	natoa_case(1, 17);
	natoa_case(1, 6);
}
END_TEST

/* DF and DSCP copy / clear / set on an IPv4 outer header; TTL. */
START_TEST(test_df_dscp_ttl)
{
	for (int mode = 0; mode < 3; mode++) {
		struct fmt_sa f = { .mode = 0, .ipv = 4 };
		struct vpe_core *c = test_core();
		struct virtio_ipsec_sa_params *s;
		uint8_t p[PARAMS_SIZE], in[100];
		uint8_t want_tos[3] = { 0xb9, 0x01, 0x51 };

		fmt_params(p, VIRTIO_IPSEC_DIR_OUTBOUND, &f);
		s = (void *)p;
		s->df_mode = (uint8_t)mode;
		s->dscp_mode = (uint8_t)mode;
		s->dscp = 20;
		s->ttl = 200;
		/* RFC 6040 normal mode: ECN copied in every DSCP mode */
		s->options |= htole32(VIRTIO_IPSEC_SA_OPT_ECN);
		ck_assert_msg(sa_add(c, 0, 1, p) == 0, "SA_ADD");
		for (int df = 0; df < 2; df++) {
			make_ipv4(in, 100, 0xb9, df, 1);
			data1(c, ENC, 0, 1, in, 100, 400, &o1);
			ck_assert_msg(o1.status == 0, "encap");
			ck_assert_msg(!!(o1.data[6] & 0x40) ==
				      (mode == 0 ? df : mode == 2),
				      "DF mode %d inner DF %d: outer %d", mode,
				      df, !!(o1.data[6] & 0x40));
			ck_assert_msg(o1.data[1] == want_tos[mode],
				      "DSCP mode %d: TOS 0x%02x", mode,
				      o1.data[1]);
			ck_assert_msg(o1.data[8] == 200, "TTL %u", o1.data[8]);
			ck_assert_msg(vpe_ip_csum(o1.data, 20) == 0,
				      "checksum");
		}
		/* IPv6 inner: DF copy means set (never fragmented). */
		make_ipv6(in, 100, 0x2a, 1);
		data1(c, ENC, 0, 1, in, 100, 400, &o1);
		ck_assert_msg(!!(o1.data[6] & 0x40) == (mode != 1),
			      "DF from IPv6 inner, mode %d", mode);
		vpe_core_free(c);
	}
}
END_TEST

/*
 * Moving endpoints (the home agent's binding update): the outer template
 * follows new addresses and ports; the sequence number carries on and
 * the inbound SA, which never checks outer addresses or ports, keeps
 * accepting the packets.
 */
START_TEST(test_move_endpoints)
{
	struct fmt_sa f = { .mode = 0, .ipv = 6,
			    .options = VIRTIO_IPSEC_SA_OPT_UDP_ENCAP,
			    .window = 64 };
	struct vpe_core *c = fmt_pair(&f);
	struct vpe_sa *sa = vpe_sa_lookup(vpe_core_sadb(c), 0, 1);
	uint8_t src[16], dst[16], in[100];

	make_ipv4(in, 100, 0, 1, 1);
	data1(c, ENC, 0, 1, in, 100, 400, &o1);
	ck_assert(o1.status == 0 && o1.seq == 1);
	data1(c, DEC, 0, 2, o1.data, o1.out_len, 400, &o2);
	ck_assert(o2.status == 0);
	memcpy(src, sa->tun_src, 16);
	memset(dst, 0, 16);
	memcpy(dst, "\x20\x01\x0d\xb8\x00\x07", 6);
	dst[15] = 0x42;
	vpe_sa_set_endpoints(sa, src, dst, 4500, 40000);
	data1(c, ENC, 0, 1, in, 100, 400, &o1);
	ck_assert_msg(o1.status == 0 && o1.seq == 2, "seq after the move");
	ck_assert_msg(!memcmp(o1.data + 24, dst, 16), "new peer not in header");
	ck_assert_msg(vpe_get_be16(o1.data + 42) == 40000, "new peer port");
	ck_assert_msg(l4_csum_ok(o1.data, 40, o1.out_len, 17),
		      "UDP checksum over the new addresses");
	data1(c, DEC, 0, 2, o1.data, o1.out_len, 400, &o2);
	ck_assert_msg(o2.status == 0 && o2.seq == 2 && !memcmp(o2.data, in, 100),
		      "inbound after the move: %u", o2.status);
	vpe_core_free(c);
}
END_TEST

/* SA parameter rules of the format options. */
struct bad_case {
	const char *what;
	void (*mutate)(struct virtio_ipsec_sa_params *s);
	uint8_t dir, want;
};

static void z_src(struct virtio_ipsec_sa_params *s) { memset(s->tun_src, 0, 16); }
static void mc_dst(struct virtio_ipsec_sa_params *s) { s->tun_dst[0] = 239; }
static void v6_mapped(struct virtio_ipsec_sa_params *s)
{
	s->ip_version = 6;
	memset(s->tun_src, 0, 16);
	s->tun_src[10] = s->tun_src[11] = 0xff;
	memcpy(s->tun_src + 12, "\x0a\0\0\x01", 4);
	memset(s->tun_dst, 0, 16);
	s->tun_dst[0] = 0x20;
	s->tun_dst[15] = 1;
}
static void v6_mc(struct virtio_ipsec_sa_params *s)
{
	s->ip_version = 6;
	memset(s->tun_src, 0, 16);
	s->tun_src[0] = 0x20;
	s->tun_src[15] = 1;
	memset(s->tun_dst, 0, 16);
	s->tun_dst[0] = 0xff;
	s->tun_dst[1] = 0x02;
	s->tun_dst[15] = 1;
}
static void v6_v4addr(struct virtio_ipsec_sa_params *s) { s->ip_version = 6; }
static void udp_noport(struct virtio_ipsec_sa_params *s)
{
	s->options |= htole32(VIRTIO_IPSEC_SA_OPT_UDP_ENCAP);
}
static void port_noudp(struct virtio_ipsec_sa_params *s) { s->udp_dst_port = htole16(4500); }
static void natoa_tunnel(struct virtio_ipsec_sa_params *s)
{
	udp_noport(s);
	s->udp_src_port = s->udp_dst_port = htole16(4500);
	s->nat_oa[0] = 10;
}
static void flow_v4(struct virtio_ipsec_sa_params *s) { s->flow_label = htole32(1); }
static void flow_big(struct virtio_ipsec_sa_params *s)
{
	v6_mc(s);
	s->tun_dst[0] = 0x20;
	s->flow_label = htole32(0x100000);
}
static void ecn_out(struct virtio_ipsec_sa_params *s)
{
	s->options |= htole32(VIRTIO_IPSEC_SA_OPT_ECN);
}
static void ecn_transport(struct virtio_ipsec_sa_params *s)
{
	ecn_out(s);
	s->mode = VIRTIO_IPSEC_MODE_TRANSPORT;
}
static void dec_ttl_transport(struct virtio_ipsec_sa_params *s)
{
	s->options |= htole32(VIRTIO_IPSEC_SA_OPT_DEC_TTL);
	s->mode = VIRTIO_IPSEC_MODE_TRANSPORT;
}
static void tfc_transport(struct virtio_ipsec_sa_params *s)
{
	s->options |= htole32(VIRTIO_IPSEC_SA_OPT_TFC_PAD);
	s->tfc_pad_to = htole32(100);
	s->mode = VIRTIO_IPSEC_MODE_TRANSPORT;
}
static void tfc_zero(struct virtio_ipsec_sa_params *s)
{
	s->options |= htole32(VIRTIO_IPSEC_SA_OPT_TFC_PAD);
}
static void tfc_big(struct virtio_ipsec_sa_params *s)
{
	tfc_zero(s);
	s->tfc_pad_to = htole32(70000);
}
static void sel_out(struct virtio_ipsec_sa_params *s)
{
	s->options |= htole32(VIRTIO_IPSEC_SA_OPT_SELECTOR);
	s->sel_prefix_len = 8;
	s->sel_src[0] = 10;
}
static void sel_bits(struct virtio_ipsec_sa_params *s)
{
	sel_out(s);
	s->sel_src[1] = 1;
}
static void sel_len(struct virtio_ipsec_sa_params *s)
{
	sel_out(s);
	s->sel_prefix_len = 33;		/* IPv4 SA */
}
static void esn_seq(struct virtio_ipsec_sa_params *s)
{
	s->initial_seq = htole64(1ULL << 32);
}

static const struct bad_case bad[] = {
	{ "zero tunnel source", z_src, 1, VIRTIO_IPSEC_INVAL },
	{ "multicast tunnel destination", mc_dst, 1, VIRTIO_IPSEC_INVAL },
	{ "v4-mapped IPv6 endpoint", v6_mapped, 1, VIRTIO_IPSEC_INVAL },
	{ "multicast IPv6 endpoint", v6_mc, 0, VIRTIO_IPSEC_INVAL },
	{ "IPv4 addresses in an IPv6 SA", v6_v4addr, 1, VIRTIO_IPSEC_INVAL },
	{ "UDP_ENCAP without ports", udp_noport, 1, VIRTIO_IPSEC_INVAL },
	{ "port without UDP_ENCAP", port_noudp, 0, VIRTIO_IPSEC_INVAL },
	{ "NAT-OA on a tunnel SA", natoa_tunnel, 0, VIRTIO_IPSEC_INVAL },
	{ "flow label on IPv4", flow_v4, 1, VIRTIO_IPSEC_INVAL },
	{ "flow label over 20 bits", flow_big, 1, VIRTIO_IPSEC_INVAL },
	{ "ECN on an outbound SA (RFC 6040 encap)", ecn_out, 1, VIRTIO_IPSEC_OK },
	{ "ECN on outbound transport (no-op)", ecn_transport, 1, VIRTIO_IPSEC_OK },
	{ "ECN on inbound transport (no-op)", ecn_transport, 0, VIRTIO_IPSEC_OK },
	{ "DEC_TTL in transport mode", dec_ttl_transport, 0, VIRTIO_IPSEC_INVAL },
	{ "TFC in transport mode", tfc_transport, 1, VIRTIO_IPSEC_INVAL },
	{ "TFC to 0 bytes", tfc_zero, 1, VIRTIO_IPSEC_INVAL },
	{ "TFC past 64 KiB", tfc_big, 1, VIRTIO_IPSEC_INVAL },
	{ "selector on an outbound SA", sel_out, 1, VIRTIO_IPSEC_INVAL },
	{ "selector bits past the prefix", sel_bits, 0, VIRTIO_IPSEC_INVAL },
	{ "IPv4 selector prefix 33", sel_len, 0, VIRTIO_IPSEC_INVAL },
	{ "64-bit initial seq without ESN", esn_seq, 1, VIRTIO_IPSEC_INVAL },
};

START_TEST(test_format_param_errors)
{
	const struct bad_case *b = &bad[_i];
	struct fmt_sa f = { .mode = 0, .ipv = 4 };
	struct vpe_core *c = test_core();
	uint8_t p[PARAMS_SIZE], st;

	fmt_params(p, b->dir, &f);
	b->mutate((void *)p);
	st = sa_add(c, 0, 1, p);
	ck_assert_msg(st == b->want, "SA_ADD with %s: status %u, want %u",
		      b->what, st, b->want);
	vpe_core_free(c);
}
END_TEST

/* Features offered, and SAs needing one the driver did not take. */
START_TEST(test_format_features)
{
	static const struct { unsigned int bit; struct fmt_sa f; } cases[] = {
		{ VIRTIO_IPSEC_F_IPV6, { .mode = 0, .ipv = 6 } },
		{ VIRTIO_IPSEC_F_TRANSPORT, { .mode = 1, .ipv = 4 } },
		{ VIRTIO_IPSEC_F_ESN, { .ipv = 4,
			.options = VIRTIO_IPSEC_SA_OPT_ESN } },
		{ VIRTIO_IPSEC_F_UDP_ENCAP, { .ipv = 4,
			.options = VIRTIO_IPSEC_SA_OPT_UDP_ENCAP } },
	};
	uint8_t p[PARAMS_SIZE];

	for (unsigned int i = 0; i < 4; i++) {
		struct vpe_core *c = test_core();
		uint64_t f = vpe_core_features(c);

		ck_assert_msg(f & (1ULL << cases[i].bit),
			      "feature %u not offered", cases[i].bit);
		fmt_params(p, VIRTIO_IPSEC_DIR_OUTBOUND, &cases[i].f);
		ck_assert_msg(sa_add(c, 0, 1, p) == VIRTIO_IPSEC_OK,
			      "feature %u: SA_ADD refused", cases[i].bit);
		vpe_core_set_features(c, f & ~(1ULL << cases[i].bit));
		ck_assert_msg(sa_add(c, 0, 2, p) == VIRTIO_IPSEC_NOTSUPP,
			      "feature %u not negotiated: SA_ADD not NOTSUPP",
			      cases[i].bit);
		vpe_core_free(c);
	}
}
END_TEST

Suite *formats_suite(void)
{
	Suite *s = suite_create("formats");
	TCase *t = tcase_create("modes");

	tcase_set_timeout(t, 60);
	tcase_add_test(t, test_mode_matrix);
	tcase_add_test(t, test_ipv6_outer_header);
	tcase_add_test(t, test_transport_ipv4_header);
	tcase_add_test(t, test_transport_ipv6_ext);
	tcase_add_test(t, test_udp_encap_header);
	tcase_add_test(t, test_udp_encap_refusals);
	tcase_add_test(t, test_natoa_fixup);
	tcase_add_test(t, test_df_dscp_ttl);
	tcase_add_test(t, test_move_endpoints);
	suite_add_tcase(s, t);
	t = tcase_create("params");
	tcase_add_loop_test(t, test_format_param_errors, 0,
			    sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(t, test_format_features);
	suite_add_tcase(s, t);
	return s;
}
