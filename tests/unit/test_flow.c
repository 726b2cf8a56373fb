// SPDX-License-Identifier: BSD-3-Clause
/*
 * Seed 004's packet flow controls in the engine: inbound SA lookup by SPI
 * (pkt_req.sa_id 0), an outbound SA's path MTU with and without
 * fragment-before-IPsec, and SA_MOD DISABLE.
 */
#include <endian.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"
#include "vipsec_ipv4.h"
#include "vipsec_migrate.h"

static const uint8_t key[16] = "0123456789abcdef";
static const uint8_t salt[4] = { 0xc0, 0xff, 0xee, 0x42 };
static uint8_t pkt[4000];

#define ENC VIRTIO_IPSEC_OP_ENCAP
#define DEC VIRTIO_IPSEC_OP_DECAP
#define S(p) ((struct virtio_ipsec_sa_params *)(p))

/* One packet through vpe_core_handle_data, keeping the warnings. */
struct res {
	uint8_t status;
	uint16_t warn;
	uint32_t out_len;
	uint64_t seq;
	uint8_t data[16384];
};

static void xform(struct vpe_core *c, uint16_t op, uint32_t gid, uint32_t id,
		  const uint8_t *in, uint32_t in_len, uint32_t cap,
		  struct res *r)
{
	size_t req_len = 32 + in_len, resp_cap = 16 + cap + 8;
	uint8_t *req = malloc(req_len), *resp = malloc(resp_cap);
	struct virtio_ipsec_data_hdr h = {
		.opcode = htole16(op), .num_pkts = htole32(1),
	};
	struct virtio_ipsec_pkt_req pr = {
		.group_id = htole32(gid), .sa_id = htole32(id),
		.in_len = htole32(in_len), .out_cap = htole32(cap),
	};
	struct virtio_ipsec_pkt_result pres;

	ck_assert(req && resp && cap <= sizeof(r->data));
	memcpy(req, &h, 16);
	memcpy(req + 16, &pr, 16);
	memcpy(req + 32, in, in_len);
	ck_assert(vpe_core_handle_data(c, req, req_len, resp, resp_cap) ==
		  (ssize_t)resp_cap);
	ck_assert_msg(resp[resp_cap - 8] == VIRTIO_IPSEC_OK, "footer %u",
		      resp[resp_cap - 8]);
	memcpy(&pres, resp, sizeof(pres));
	r->status = pres.status;
	r->warn = le16toh(pres.warnings);
	r->out_len = le32toh(pres.out_len);
	r->seq = (uint64_t)le32toh(pres.seq_hi) << 32 | le32toh(pres.seq_lo);
	memcpy(r->data, resp + 16, cap);
	free(req);
	free(resp);
}

static struct res r1, r2;

static uint8_t add(struct vpe_core *c, uint32_t gid, uint32_t id, uint8_t dir,
		   uint32_t spi, uint16_t mtu, uint8_t mode)
{
	uint8_t p[PARAMS_SIZE];

	test_params(p, dir, spi, key, 16, salt, dir ? 0 : 64);
	S(p)->path_mtu = htole16(mtu);
	S(p)->frag_mode = mode;
	return sa_add(c, gid, id, p);
}

/* Counter of the SA (the wire order is asserted in vipsec_lifetime.c) */
#define STAT(c, id, f) (vpe_core_sadb(c)->sas[id]->st.stats[f])

/* ------------------------------------------------------------------ */

START_TEST(test_mtu_params_checked)
{
	struct vpe_core *c = test_core();
	uint8_t p[PARAMS_SIZE];

	ck_assert_msg(add(c, 0, 1, VIRTIO_IPSEC_DIR_INBOUND, 0x100, 1400, 0) ==
			      VIRTIO_IPSEC_INVAL,
		      "an inbound SA has no path MTU");
	ck_assert_msg(add(c, 0, 1, VIRTIO_IPSEC_DIR_OUTBOUND, 0x100, 575, 0) ==
			      VIRTIO_IPSEC_INVAL,
		      "IPv4 path MTU below 576");
	ck_assert_msg(add(c, 0, 1, VIRTIO_IPSEC_DIR_OUTBOUND, 0x100, 0,
			  VIRTIO_IPSEC_FRAG_BEFORE) == VIRTIO_IPSEC_INVAL,
		      "a fragmentation mode without an MTU");
	ck_assert_msg(add(c, 0, 1, VIRTIO_IPSEC_DIR_OUTBOUND, 0x100, 1400, 2) ==
			      VIRTIO_IPSEC_INVAL,
		      "unknown fragmentation mode");
	test_params(p, VIRTIO_IPSEC_DIR_OUTBOUND, 0x100, key, 16, salt, 0);
	S(p)->path_mtu = htole16(1400);
	S(p)->reserved3 = 1;
	ck_assert_msg(sa_add(c, 0, 1, p) == VIRTIO_IPSEC_INVAL, "reserved3");
	/* IPv6 outer: 1280 at least (RFC 8200 5) */
	test_params(p, VIRTIO_IPSEC_DIR_OUTBOUND, 0x100, key, 16, salt, 0);
	S(p)->ip_version = VIRTIO_IPSEC_IPV6;
	memset(S(p)->tun_src, 0, 16);
	memset(S(p)->tun_dst, 0, 16);
	memcpy(S(p)->tun_src, "\x20\x01\x0d\xb8", 4);
	S(p)->tun_src[15] = 1;
	memcpy(S(p)->tun_dst, "\x20\x01\x0d\xb8", 4);
	S(p)->tun_dst[15] = 2;
	S(p)->path_mtu = htole16(1279);
	ck_assert_msg(sa_add(c, 0, 1, p) == VIRTIO_IPSEC_INVAL,
		      "IPv6 path MTU below 1280");
	S(p)->path_mtu = htole16(1280);
	ck_assert_msg(sa_add(c, 0, 1, p) == VIRTIO_IPSEC_OK, "IPv6 MTU 1280");
	ck_assert_msg(add(c, 0, 2, VIRTIO_IPSEC_DIR_OUTBOUND, 0x100, 576,
			  VIRTIO_IPSEC_FRAG_BEFORE) == VIRTIO_IPSEC_OK,
		      "IPv4 MTU 576 with FRAG_BEFORE");
	vpe_core_free(c);
}
END_TEST

START_TEST(test_mtu_check)
{
	struct vpe_core *c = test_core();

	ck_assert(add(c, 0, 1, VIRTIO_IPSEC_DIR_OUTBOUND, 0x100, 1000, 0) ==
		  VIRTIO_IPSEC_OK);
	/* GCM tunnel: 20 outer + 8 ESP + 8 IV + 940 + 2 pad + 2 + 16 ICV */
	make_ipv4(pkt, 940, 0, 1, 1);
	xform(c, ENC, 0, 1, pkt, 940, 2000, &r1);
	ck_assert_msg(r1.status == VIRTIO_IPSEC_OK && r1.out_len <= 1000,
		      "940 bytes fit an MTU of 1000: status %u len %u",
		      r1.status, r1.out_len);
	make_ipv4(pkt, 1000, 0, 0, 2);
	xform(c, ENC, 0, 1, pkt, 1000, 2000, &r1);
	ck_assert_msg(r1.status == VIRTIO_IPSEC_MTU,
		      "too large for the MTU: status %u", r1.status);
	ck_assert_msg(r1.out_len == 1000, "MTU status carries the MTU: %u",
		      r1.out_len);
	ck_assert_msg(STAT(c, 1, VPE_STAT_MTU) == 1, "counted in stats.mtu");
	/* No sequence number was spent on the refused packet. */
	make_ipv4(pkt, 100, 0, 0, 3);
	xform(c, ENC, 0, 1, pkt, 100, 2000, &r1);
	ck_assert_msg(r1.status == VIRTIO_IPSEC_OK && r1.seq == 2,
		      "next packet seq %llu", (unsigned long long)r1.seq);
	vpe_core_free(c);
}
END_TEST

/*
 * Walks the back-to-back ESP packets of out, decapsulates each with
 * lookup by SPI, and reassembles the inner fragments into whole.
 */
static uint32_t decap_frags(struct vpe_core *c, const uint8_t *out,
			    uint32_t len, uint16_t mtu, uint8_t *whole,
			    uint8_t *hdr0)
{
	uint32_t off = 0, n = 0, next = 0, end = 0;
	uint64_t seq0 = 0;
	int more = 1;

	while (off < len) {
		uint32_t tot = vpe_get_be16(out + off + 2), hl, fo;
		uint16_t fl;

		ck_assert_msg(tot && off + tot <= len && tot <= mtu,
			      "ESP packet %u: %u bytes at %u of %u (MTU %u)", n,
			      tot, off, len, mtu);
		xform(c, DEC, 0, 0, out + off, tot, 4000, &r2);
		ck_assert_msg(r2.status == VIRTIO_IPSEC_OK,
			      "fragment %u decap status %u", n, r2.status);
		if (!n)
			seq0 = r2.seq;
		ck_assert_msg(r2.seq == seq0 + n, "fragment %u seq %llu", n,
			      (unsigned long long)r2.seq);
		hl = (r2.data[0] & 0xf) * 4u;
		ck_assert_msg(vpe_ip_csum(r2.data, hl) == 0,
			      "fragment %u header checksum", n);
		fl = vpe_get_be16(r2.data + 6);
		fo = (fl & VPE_IP_OFFMASK) * 8u;
		ck_assert_msg(fo == next, "fragment %u offset %u, want %u", n,
			      fo, next);
		ck_assert_msg(!(fl & VPE_IP_DF), "DF clear");
		if (!n)
			memcpy(hdr0, r2.data, hl);
		memcpy(whole + fo, r2.data + hl, r2.out_len - hl);
		next = fo + r2.out_len - hl;
		end = next;
		more = !!(fl & VPE_IP_MF);
		ck_assert_msg(more || off + tot == len,
			      "only the last fragment clears MF");
		off += tot;
		n++;
	}
	ck_assert_msg(!more, "last fragment has MF clear");
	(void)end;
	return n;
}

START_TEST(test_frag_before)
{
	struct vpe_core *c = test_core();
	uint8_t whole[4000], hdr0[60];
	uint32_t n;

	ck_assert(add(c, 0, 1, VIRTIO_IPSEC_DIR_OUTBOUND, 0x100, 1000,
		      VIRTIO_IPSEC_FRAG_BEFORE) == VIRTIO_IPSEC_OK);
	ck_assert(add(c, 0, 2, VIRTIO_IPSEC_DIR_INBOUND, 0x100, 0, 0) ==
		  VIRTIO_IPSEC_OK);
	make_ipv4(pkt, 2500, 0, 0, 7);
	xform(c, ENC, 0, 1, pkt, 2500, 8000, &r1);
	ck_assert_msg(r1.status == VIRTIO_IPSEC_OK, "fragmenting encap: %u",
		      r1.status);
	ck_assert_msg(r1.warn & VIRTIO_IPSEC_WARN_FRAGMENTED,
		      "FRAGMENTED warning");
	n = decap_frags(c, r1.data, r1.out_len, 1000, whole, hdr0);
	ck_assert_msg(n == 3, "2500 bytes at MTU 1000: %u fragments", n);
	ck_assert_msg(!memcmp(whole, pkt + 20, 2480),
		      "reassembled payload differs");
	ck_assert_msg(!memcmp(hdr0 + 12, pkt + 12, 8) && hdr0[9] == pkt[9] &&
			      !memcmp(hdr0 + 4, pkt + 4, 2),
		      "addresses, protocol and id kept");
	ck_assert_msg(STAT(c, 1, VPE_STAT_PACKETS) == 1,
		      "one packet in the statistics, not one per fragment");

	/* Too small an output area: the bytes needed, no number spent */
	make_ipv4(pkt, 2500, 0, 0, 8);
	xform(c, ENC, 0, 1, pkt, 2500, 2000, &r1);
	ck_assert_msg(r1.status == VIRTIO_IPSEC_DST_TOO_SMALL &&
			      r1.out_len > 2500,
		      "DST_TOO_SMALL %u needed %u", r1.status, r1.out_len);
	xform(c, ENC, 0, 1, pkt, 2500, 8000, &r1);
	ck_assert_msg(r1.status == VIRTIO_IPSEC_OK && r1.seq == 6,
		      "sequence continues at 4..6: %llu",
		      (unsigned long long)r1.seq);

	/* DF set: refused with the MTU, never fragmented */
	make_ipv4(pkt, 2500, 0, 1, 9);
	xform(c, ENC, 0, 1, pkt, 2500, 8000, &r1);
	ck_assert_msg(r1.status == VIRTIO_IPSEC_MTU && r1.out_len == 1000,
		      "DF set: status %u len %u", r1.status, r1.out_len);
	/* A packet that fits goes out whole, without the warning */
	make_ipv4(pkt, 500, 0, 0, 10);
	xform(c, ENC, 0, 1, pkt, 500, 8000, &r1);
	ck_assert_msg(r1.status == VIRTIO_IPSEC_OK &&
			      !(r1.warn & VIRTIO_IPSEC_WARN_FRAGMENTED),
		      "small packet");
	vpe_core_free(c);
}
END_TEST

/* Options: copied ones (0x83 LSRR-like) repeat, others only in the first */
START_TEST(test_frag_options)
{
	struct vpe_core *c = test_core();
	uint8_t whole[4000], hdr0[60];
	uint32_t n;

	ck_assert(add(c, 0, 1, VIRTIO_IPSEC_DIR_OUTBOUND, 0x100, 700,
		      VIRTIO_IPSEC_FRAG_BEFORE) == VIRTIO_IPSEC_OK);
	ck_assert(add(c, 0, 2, VIRTIO_IPSEC_DIR_INBOUND, 0x100, 0, 0) ==
		  VIRTIO_IPSEC_OK);
	make_ipv4(pkt, 1600, 0, 0, 3);
	/* 12 option bytes: NOP, record route (7, not copied, 7 bytes),
	 * security-like copied option 0x82 of 4 bytes */
	memmove(pkt + 32, pkt + 20, 1600 - 32);
	pkt[0] = 0x48;
	memcpy(pkt + 20, "\x01\x07\x07\x04\x00\x00\x00\x00\x82\x03\x01\x00",
	       12);
	vpe_put_be16(pkt + 10, 0);
	vpe_put_be16(pkt + 10, vpe_ip_csum(pkt, 32));
	xform(c, ENC, 0, 1, pkt, 1600, 8000, &r1);
	ck_assert_msg(r1.status == VIRTIO_IPSEC_OK, "encap %u", r1.status);
	/* The second fragment: only the copied option, padded */
	xform(c, DEC, 0, 0, r1.data + vpe_get_be16(r1.data + 2),
	      vpe_get_be16(r1.data + vpe_get_be16(r1.data + 2) + 2), 4000,
	      &r2);
	ck_assert(r2.status == VIRTIO_IPSEC_OK);
	ck_assert_msg((r2.data[0] & 0xf) == 6 &&
			      !memcmp(r2.data + 20, "\x82\x03\x01\x00", 4),
		      "later fragment: copied option only (ihl %u)",
		      r2.data[0] & 0xf);
	/* decap_frags() decapsulates it again: a replay, so a fresh SA */
	ck_assert(ctrl(c, VIRTIO_IPSEC_OP_SA_DEL, 0, 2, NULL, 0) == 0);
	ck_assert(add(c, 0, 2, VIRTIO_IPSEC_DIR_INBOUND, 0x100, 0, 0) ==
		  VIRTIO_IPSEC_OK);
	n = decap_frags(c, r1.data, r1.out_len, 700, whole, hdr0);
	ck_assert_msg(n == 3, "%u fragments", n);
	ck_assert_msg(hdr0[0] == 0x48 && !memcmp(hdr0 + 4, pkt + 4, 2) &&
			      !memcmp(hdr0 + 8, pkt + 8, 2) &&
			      !memcmp(hdr0 + 12, pkt + 12, 8) &&
			      !memcmp(hdr0 + 20, pkt + 20, 12),
		      "first fragment keeps every option");
	ck_assert_msg(!memcmp(whole, pkt + 32, 1600 - 32), "payload");
	vpe_core_free(c);
}
END_TEST

START_TEST(test_lookup_by_spi)
{
	struct vpe_core *c = test_core();
	uint8_t p[PARAMS_SIZE], name[VIRTIO_IPSEC_NAME_LEN];

	ck_assert(add(c, 0, 1, VIRTIO_IPSEC_DIR_OUTBOUND, 0x111, 0, 0) == 0);
	ck_assert(add(c, 0, 2, VIRTIO_IPSEC_DIR_OUTBOUND, 0x222, 0, 0) == 0);
	ck_assert(add(c, 0, 3, VIRTIO_IPSEC_DIR_INBOUND, 0x111, 0, 0) == 0);
	ck_assert(add(c, 0, 4, VIRTIO_IPSEC_DIR_INBOUND, 0x222, 0, 0) == 0);
	make_ipv4(pkt, 300, 0, 0, 1);
	xform(c, ENC, 0, 2, pkt, 300, 2000, &r1);
	ck_assert(r1.status == VIRTIO_IPSEC_OK);
	xform(c, DEC, 0, 0, r1.data, r1.out_len, 2000, &r2);
	ck_assert_msg(r2.status == VIRTIO_IPSEC_OK && r2.out_len == 300 &&
			      !memcmp(r2.data, pkt, 300),
		      "lookup found SPI 0x222's SA: status %u", r2.status);
	ck_assert_msg(STAT(c, 4, VPE_STAT_PACKETS) == 1 && STAT(c, 3, VPE_STAT_PACKETS) == 0,
		      "the packet was counted on SA 4");
	/* Another destination: no SA (the index keys SPI and destination) */
	r1.data[19] = 9;
	vpe_put_be16(r1.data + 10, 0);
	vpe_put_be16(r1.data + 10, vpe_ip_csum(r1.data, 20));
	xform(c, DEC, 0, 0, r1.data, r1.out_len, 2000, &r2);
	ck_assert_msg(r2.status == VIRTIO_IPSEC_INVSA, "other dst: %u",
		      r2.status);
	/* Unknown SPI */
	xform(c, ENC, 0, 1, pkt, 300, 2000, &r1);
	vpe_put_be32(r1.data + 20, 0x333);
	xform(c, DEC, 0, 0, r1.data, r1.out_len, 2000, &r2);
	ck_assert_msg(r2.status == VIRTIO_IPSEC_INVSA, "unknown SPI: %u",
		      r2.status);
	/* Not ESP at all, and a truncated packet */
	xform(c, DEC, 0, 0, pkt, 300, 2000, &r2);
	ck_assert_msg(r2.status == VIRTIO_IPSEC_INVSA, "plain IP: %u",
		      r2.status);
	xform(c, DEC, 0, 0, pkt, 10, 2000, &r2);
	ck_assert_msg(r2.status == VIRTIO_IPSEC_INVSA, "truncated: %u",
		      r2.status);
	/* The lookup stays in the request's group */
	memset(name, 0, sizeof(name));
	ck_assert(ctrl(c, VIRTIO_IPSEC_OP_GROUP_CREATE, 1, 0, name,
		       sizeof(name)) == VIRTIO_IPSEC_OK);
	xform(c, ENC, 0, 2, pkt, 300, 2000, &r1);
	xform(c, DEC, 1, 0, r1.data, r1.out_len, 2000, &r2);
	ck_assert_msg(r2.status == VIRTIO_IPSEC_INVSA, "other group: %u",
		      r2.status);
	/* ENCAP never looks up: it has no SPI to go by */
	xform(c, ENC, 0, 0, pkt, 300, 2000, &r1);
	ck_assert_msg(r1.status == VIRTIO_IPSEC_INVSA, "encap id 0: %u",
		      r1.status);
	/* UDP-encapsulated ESP (RFC 3948) is looked up after the UDP header */
	test_params(p, VIRTIO_IPSEC_DIR_OUTBOUND, 0x444, key, 16, salt, 0);
	S(p)->options = htole32(VIRTIO_IPSEC_SA_OPT_UDP_ENCAP);
	S(p)->udp_src_port = htole16(4500);
	S(p)->udp_dst_port = htole16(4500);
	ck_assert(sa_add(c, 0, 5, p) == 0);
	test_params(p, VIRTIO_IPSEC_DIR_INBOUND, 0x444, key, 16, salt, 0);
	S(p)->options = htole32(VIRTIO_IPSEC_SA_OPT_UDP_ENCAP);
	S(p)->udp_src_port = htole16(4500);
	S(p)->udp_dst_port = htole16(4500);
	ck_assert(sa_add(c, 0, 6, p) == 0);
	xform(c, ENC, 0, 5, pkt, 300, 2000, &r1);
	ck_assert(r1.status == VIRTIO_IPSEC_OK);
	xform(c, DEC, 0, 0, r1.data, r1.out_len, 2000, &r2);
	ck_assert_msg(r2.status == VIRTIO_IPSEC_OK &&
			      STAT(c, 6, VPE_STAT_PACKETS) == 1,
		      "UDP-encapsulated lookup: %u", r2.status);
	vpe_core_free(c);
}
END_TEST

static uint8_t sa_mod(struct vpe_core *c, uint32_t id,
		      const struct virtio_ipsec_sa_mod *m)
{
	return ctrl(c, VIRTIO_IPSEC_OP_SA_MOD, 0, id, m, sizeof(*m));
}

START_TEST(test_mod_mtu)
{
	struct vpe_core *c = test_core();
	struct virtio_ipsec_sa_mod m;

	ck_assert(add(c, 0, 1, VIRTIO_IPSEC_DIR_OUTBOUND, 0x100, 0, 0) == 0);
	ck_assert(add(c, 0, 2, VIRTIO_IPSEC_DIR_INBOUND, 0x100, 0, 0) == 0);
	make_ipv4(pkt, 1200, 0, 1, 1);
	xform(c, ENC, 0, 1, pkt, 1200, 2000, &r1);
	ck_assert_msg(r1.status == VIRTIO_IPSEC_OK, "no MTU yet");
	memset(&m, 0, sizeof(m));
	m.flags = htole32(VIRTIO_IPSEC_SA_MOD_MTU);
	m.path_mtu = htole16(1000);
	ck_assert_msg(sa_mod(c, 2, &m) == VIRTIO_IPSEC_INVAL,
		      "MTU on an inbound SA");
	m.path_mtu = htole16(100);
	ck_assert_msg(sa_mod(c, 1, &m) == VIRTIO_IPSEC_INVAL, "MTU 100");
	m.path_mtu = htole16(1000);
	m.frag_mode = 7;
	ck_assert_msg(sa_mod(c, 1, &m) == VIRTIO_IPSEC_INVAL, "mode 7");
	xform(c, ENC, 0, 1, pkt, 1200, 2000, &r1);
	ck_assert_msg(r1.status == VIRTIO_IPSEC_OK,
		      "a refused SA_MOD changed nothing");
	m.flags = htole32(VIRTIO_IPSEC_SA_MOD_SEQ);
	m.frag_mode = 0;
	ck_assert_msg(sa_mod(c, 1, &m) == VIRTIO_IPSEC_INVAL,
		      "path_mtu without the MTU flag");
	m.flags = htole32(VIRTIO_IPSEC_SA_MOD_MTU);
	ck_assert(sa_mod(c, 1, &m) == VIRTIO_IPSEC_OK);
	xform(c, ENC, 0, 1, pkt, 1200, 2000, &r1);
	ck_assert_msg(r1.status == VIRTIO_IPSEC_MTU && r1.out_len == 1000,
		      "after SA_MOD MTU 1000: %u", r1.status);
	ck_assert_msg(le16toh(S(vpe_core_sadb(c)->sas[1]->st.params)->path_mtu) ==
			      1000,
		      "SA_GET's parameters carry the new MTU");
	m.path_mtu = 0;
	ck_assert(sa_mod(c, 1, &m) == VIRTIO_IPSEC_OK);
	xform(c, ENC, 0, 1, pkt, 1200, 2000, &r1);
	ck_assert_msg(r1.status == VIRTIO_IPSEC_OK, "MTU 0 lifts the limit");
	vpe_core_free(c);
}
END_TEST

static uint32_t crc32_ref(const uint8_t *p, size_t n)
{
	uint32_t crc = 0xffffffffu;

	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}

START_TEST(test_disable)
{
	struct vpe_core *c = test_core(), *d;
	struct virtio_ipsec_sa_mod m;
	uint8_t *s;
	size_t l;

	ck_assert(add(c, 0, 1, VIRTIO_IPSEC_DIR_OUTBOUND, 0x100, 0, 0) == 0);
	ck_assert(add(c, 0, 2, VIRTIO_IPSEC_DIR_INBOUND, 0x100, 0, 0) == 0);
	make_ipv4(pkt, 200, 0, 0, 1);
	xform(c, ENC, 0, 1, pkt, 200, 2000, &r1);
	ck_assert(r1.status == VIRTIO_IPSEC_OK);
	memset(&m, 0, sizeof(m));
	m.flags = htole32(VIRTIO_IPSEC_SA_MOD_DISABLE);
	ck_assert(sa_mod(c, 2, &m) == VIRTIO_IPSEC_OK);
	xform(c, DEC, 0, 2, r1.data, r1.out_len, 2000, &r2);
	ck_assert_msg(r2.status == VIRTIO_IPSEC_DISABLED, "disabled: %u",
		      r2.status);
	xform(c, DEC, 0, 0, r1.data, r1.out_len, 2000, &r2);
	ck_assert_msg(r2.status == VIRTIO_IPSEC_DISABLED,
		      "disabled, found by SPI: %u", r2.status);
	ck_assert_msg(STAT(c, 2, VPE_STAT_DISABLED) == 2 && STAT(c, 2, VPE_STAT_PACKETS) == 0,
		      "counted in stats.disabled");
	xform(c, ENC, 0, 1, pkt, 200, 2000, &r1);
	ck_assert_msg(r1.status == VIRTIO_IPSEC_OK, "the other SA still works");

	/* The flag migrates (stream version 2) */
	s = vpe_mig_export_alloc(c, &l);
	ck_assert(s && le16toh(*(uint16_t *)(s + 8)) == 2);
	d = test_core();
	ck_assert(vpe_mig_import(d, s, l, NULL, 0) == 0);
	xform(d, DEC, 0, 2, r1.data, r1.out_len, 2000, &r2);
	ck_assert_msg(r2.status == VIRTIO_IPSEC_DISABLED,
		      "disabled after migration: %u", r2.status);
	vpe_core_free(d);
	/* A version 1 stream cannot carry the flag: refused, engine empty */
	s[8] = 1;
	{
		uint32_t crc = htole32(crc32_ref(s + 24, l - 24));
		char err[200];

		memcpy(s + 16, &crc, 4);
		d = test_core();
		ck_assert_msg(vpe_mig_import(d, s, l, err, sizeof(err)) < 0 &&
				      strstr(err, "bad state flags"),
			      "v1 stream with a disabled SA: %s", err);
		ck_assert_msg(!vpe_core_sadb(d)->sas[2], "nothing imported");
		vpe_core_free(d);
	}
	free(s);

	/* Deleting a disabled SA works as ever */
	ck_assert(ctrl(c, VIRTIO_IPSEC_OP_SA_DEL, 0, 2, NULL, 0) == 0);
	ck_assert_msg(sa_mod(c, 2, &m) == VIRTIO_IPSEC_INVSA, "gone");
	vpe_core_free(c);
}
END_TEST

Suite *flow_suite(void)
{
	Suite *s = suite_create("flow");
	TCase *tc = tcase_create("flow");

	tcase_add_test(tc, test_mtu_params_checked);
	tcase_add_test(tc, test_mtu_check);
	tcase_add_test(tc, test_frag_before);
	tcase_add_test(tc, test_frag_options);
	tcase_add_test(tc, test_lookup_by_spi);
	tcase_add_test(tc, test_mod_mtu);
	tcase_add_test(tc, test_disable);
	suite_add_tcase(s, tc);
	return s;
}
