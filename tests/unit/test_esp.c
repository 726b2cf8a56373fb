// SPDX-License-Identifier: BSD-3-Clause
/* ESP round trips and per-packet error statuses, through the decoder. */
#include <string.h>

#include "tests.h"
#include "vipsec_ipv4.h"

static const uint8_t key[16] = "0123456789abcdef";
static const uint8_t salt[4] = { 1, 2, 3, 4 };

#define ENC VIRTIO_IPSEC_OP_ENCAP
#define DEC VIRTIO_IPSEC_OP_DECAP

static struct pkt_out o1, o2;

/* SA 1 outbound, SA 2 inbound (window w), same key, default group. */
static struct vpe_core *pair_opts(uint32_t w, uint64_t initial_seq,
				   uint32_t out_opts)
{
	struct vpe_core *c = test_core();
	uint8_t p[PARAMS_SIZE];
	struct virtio_ipsec_sa_params *sp = (void *)p;

	test_params(p, VIRTIO_IPSEC_DIR_OUTBOUND, 0x1000, key, 16, salt, 0);
	sp->initial_seq = htole64(initial_seq);
	sp->ttl = 0;
	sp->options |= htole32(out_opts);
	ck_assert_msg(sa_add(c, 0, 1, p) == VIRTIO_IPSEC_OK, "outbound SA_ADD");
	test_params(p, VIRTIO_IPSEC_DIR_INBOUND, 0x1000, key, 16, salt, w);
	ck_assert_msg(sa_add(c, 0, 2, p) == VIRTIO_IPSEC_OK, "inbound SA_ADD");
	return c;
}

static struct vpe_core *pair(uint32_t w, uint64_t initial_seq)
{
	return pair_opts(w, initial_seq, 0);
}

START_TEST(test_round_trip_sizes)
{
	struct vpe_core *c = pair(64, 0);
	uint8_t in[1500];
	uint32_t len, n = 0;

	for (len = 20; len <= 1400; len += 13, n++) {
		make_ipv4(in, len, 0x00, 1, len);
		data1(c, ENC, 0, 1, in, len, 1500, &o1);
		ck_assert_msg(o1.footer_status == 0 && o1.status == 0,
			      "encap of %u bytes: status %u", len, o1.status);
		ck_assert_msg(o1.seq == n + 1, "encap seq %lu, want %u",
			      (unsigned long)o1.seq, n + 1);
		ck_assert_msg((o1.out_len - 20 - 16 - 16) % 4 == 0 &&
			      o1.out_len >= len + 20 + 16 + 2 + 16 &&
			      o1.out_len <= len + 20 + 16 + 5 + 16,
			      "encap of %u bytes gave %u bytes", len,
			      o1.out_len);
		data1(c, DEC, 0, 2, o1.data, o1.out_len, 1500, &o2);
		ck_assert_msg(o2.status == 0, "decap of %u bytes: status %u",
			      len, o2.status);
		ck_assert_msg(o2.out_len == len && !memcmp(o2.data, in, len),
			      "decap of %u bytes did not give the inner packet",
			      len);
	}
	ck_assert_msg(n >= 100, "only %u round trips", n);
	vpe_core_free(c);
}
END_TEST

/* With OPT_ECN (RFC 6040 normal mode): the whole TOS byte is copied. */
START_TEST(test_outer_header)
{
	struct vpe_core *c = pair_opts(0, 0, VIRTIO_IPSEC_SA_OPT_ECN);
	const uint8_t *h = o1.data;
	uint8_t in[100];

	make_ipv4(in, 100, 0xb9, 1, 5);	/* DSCP 46, ECN 01 */
	data1(c, ENC, 0, 1, in, 100, 400, &o1);
	ck_assert_msg(o1.status == 0, "encap status %u", o1.status);
	ck_assert_msg(h[0] == 0x45, "outer version/IHL 0x%02x", h[0]);
	ck_assert_msg(h[1] == 0xb9, "outer TOS 0x%02x, want copied 0xb9", h[1]);
	ck_assert_msg(vpe_get_be16(h + 2) == o1.out_len,
		      "outer total length %u, packet %u",
		      vpe_get_be16(h + 2), o1.out_len);
	ck_assert_msg(vpe_get_be16(h + 6) == VPE_IP_DF,
		      "DF not copied from the inner header");
	ck_assert_msg(h[8] == 64 && h[9] == 50, "TTL %u proto %u, want 64/50",
		      h[8], h[9]);
	ck_assert_msg(vpe_ip_csum(h, 20) == 0, "outer checksum wrong");
	ck_assert_msg(!memcmp(h + 12, "\x0a\0\0\x01\x0a\0\0\x02", 8),
		      "outer addresses not from tun_src/tun_dst");
	ck_assert_msg(vpe_get_be32(h + 20) == 0x1000 &&
		      vpe_get_be32(h + 24) == 1,
		      "SPI/seq in the ESP header wrong");
	ck_assert_msg(!memcmp(h + 28, "\0\0\0\0\0\0\0\x01", 8),
		      "explicit IV is not the sequence number");
	make_ipv4(in, 100, 0x02, 0, 5);
	data1(c, ENC, 0, 1, in, 100, 400, &o2);
	ck_assert_msg(o2.data[1] == 0x02 && vpe_get_be16(o2.data + 6) == 0,
		      "TOS/DF not copied for the second packet");
	ck_assert_msg(vpe_get_be16(o2.data + 4) ==
		      (uint16_t)(vpe_get_be16(h + 4) + 1),
		      "outer IP id does not count per SA");
	vpe_core_free(c);
}
END_TEST

/*
 * RFC 6040 section 4.1 on encap: normal mode (OPT_ECN) copies every ECN
 * codepoint, CE included; compatibility mode (no OPT_ECN) writes Not-ECT
 * whatever the inner packet says. DSCP is copied in both.
 */
START_TEST(test_outer_ecn_modes)
{
	for (int normal = 0; normal < 2; normal++) {
		struct vpe_core *c = pair_opts(
			0, 0, normal ? VIRTIO_IPSEC_SA_OPT_ECN : 0);
		uint8_t in[100];

		for (uint8_t ecn = 0; ecn < 4; ecn++) {
			uint8_t want = (uint8_t)(0xb8 | (normal ? ecn : 0));

			make_ipv4(in, 100, (uint8_t)(0xb8 | ecn), 1, 5);
			data1(c, ENC, 0, 1, in, 100, 400, &o1);
			ck_assert_msg(o1.status == 0, "encap status %u",
				      o1.status);
			ck_assert_msg(o1.data[1] == want,
				      "%s mode, inner ECN %u: outer TOS 0x%02x, want 0x%02x",
				      normal ? "normal" : "compatibility", ecn,
				      o1.data[1], want);
			ck_assert_msg(vpe_ip_csum(o1.data, 20) == 0,
				      "outer checksum");
			data1(c, DEC, 0, 2, o1.data, o1.out_len, 400, &o2);
			ck_assert_msg(o2.status == 0 && o2.data[1] == in[1],
				      "inner TOS changed by the round trip: 0x%02x",
				      o2.data[1]);
		}
		vpe_core_free(c);
	}
}
END_TEST

static void encap1(struct vpe_core *c, uint32_t len)
{
	uint8_t in[1500];

	make_ipv4(in, len, 0, 0, len);
	data1(c, ENC, 0, 1, in, len, 1500, &o1);
	ck_assert_msg(o1.status == 0, "encap status %u", o1.status);
}

START_TEST(test_tamper_badmsg)
{
	struct vpe_core *c = pair(64, 0);
	uint32_t at;

	encap1(c, 200);
	for (at = 36; at < o1.out_len; at += 37) {
		memcpy(o2.data, o1.data, o1.out_len);
		o2.data[at] ^= 0x10;
		data1(c, DEC, 0, 2, o2.data, o1.out_len, 1500, &o2);
		ck_assert_msg(o2.status == VIRTIO_IPSEC_BADMSG,
			      "bit flip at %u gave %u, want BADMSG", at,
			      o2.status);
		ck_assert_msg(o2.data[0] == 0,
			      "unauthenticated plaintext left in the output");
	}
	/* The window did not move: the genuine packet still passes. */
	data1(c, DEC, 0, 2, o1.data, o1.out_len, 1500, &o2);
	ck_assert_msg(o2.status == 0, "genuine packet after forgeries: %u",
		      o2.status);
	vpe_core_free(c);
}
END_TEST

START_TEST(test_replay_and_late)
{
	struct vpe_core *c = pair(64, 0);
	static struct pkt_out first;
	int i;

	encap1(c, 100);
	first = o1;
	data1(c, DEC, 0, 2, first.data, first.out_len, 1500, &o2);
	ck_assert_msg(o2.status == 0, "first decap: %u", o2.status);
	data1(c, DEC, 0, 2, first.data, first.out_len, 1500, &o2);
	ck_assert_msg(o2.status == VIRTIO_IPSEC_REPLAY,
		      "duplicate gave %u, want REPLAY", o2.status);
	ck_assert_msg(o2.seq == 1, "replayed seq reported %lu",
		      (unsigned long)o2.seq);
	for (i = 0; i < 64; i++)
		encap1(c, 100);		/* seq 65 */
	data1(c, DEC, 0, 2, o1.data, o1.out_len, 1500, &o2);
	ck_assert_msg(o2.status == 0, "seq 65: %u", o2.status);
	data1(c, DEC, 0, 2, first.data, first.out_len, 1500, &o2);
	ck_assert_msg(o2.status == VIRTIO_IPSEC_LATE,
		      "seq 1 with top 65, window 64: %u, want LATE", o2.status);
	vpe_core_free(c);
}
END_TEST

START_TEST(test_replay_window_4096)
{
	struct vpe_replay *r = vpe_replay_new(4096);
	uint64_t s;

	ck_assert_msg(r != NULL, "window 4096 refused");
	for (s = 1; s <= 10000; s += 2)
		vpe_replay_update(r, s);
	ck_assert_msg(vpe_replay_check(r, 9999) == VIRTIO_IPSEC_REPLAY,
		      "seen seq not REPLAY");
	ck_assert_msg(vpe_replay_check(r, 9998) == VIRTIO_IPSEC_OK,
		      "unseen seq in window refused");
	ck_assert_msg(vpe_replay_check(r, 9999 - 4094) ==
		      VIRTIO_IPSEC_REPLAY, "seen seq near the left edge not REPLAY");
	ck_assert_msg(vpe_replay_check(r, 9999 - 4095) == VIRTIO_IPSEC_OK,
		      "unseen left edge of the window refused");
	ck_assert_msg(vpe_replay_check(r, 9999 - 4096) == VIRTIO_IPSEC_LATE,
		      "just left of the window not LATE");
	vpe_replay_update(r, 1000000);	/* big jump clears all */
	ck_assert_msg(vpe_replay_check(r, 999999) == VIRTIO_IPSEC_OK &&
		      vpe_replay_check(r, 1000000) == VIRTIO_IPSEC_REPLAY,
		      "window wrong after a jump");
	ck_assert_msg(vpe_replay_check(r, 996001) == VIRTIO_IPSEC_OK,
		      "stale bit survived a jump");
	vpe_replay_free(r);
}
END_TEST

/* Re-encrypts a payload with a bad trailer using the outbound SA. */
static uint32_t forge(struct vpe_core *c, const uint8_t *pt, uint32_t len,
		      uint32_t seq, uint8_t *out)
{
	struct vpe_sa *sa = vpe_sa_lookup(vpe_core_sadb(c), 0, 1);
	uint8_t iv[8] = { 0, 0, 0, 0, 0, 0, 0, (uint8_t)seq };
	uint32_t tot = 20 + 16 + len + 16;

	vpe_esp_seal(vpe_core_crypto(c), sa, seq, iv, pt, len, out + 20);
	vpe_ipv4_write_outer(out, sa->tmpl, 0, (uint16_t)tot, 1, 0);
	return tot;
}

START_TEST(test_bad_trailer)
{
	struct vpe_core *c = pair(64, 0);
	uint8_t pt[64], pkt[200];
	uint32_t n;

	make_ipv4(pt, 58, 0, 0, 1);
	pt[58] = 0;
	pt[59] = 4;
	n = forge(c, pt, 60, 1, pkt);
	data1(c, DEC, 0, 2, pkt, n, 200, &o2);
	ck_assert_msg(o2.status == 0, "valid forged packet refused: %u",
		      o2.status);

	make_ipv4(pt, 54, 0, 0, 1);
	memcpy(pt + 54, "\x01\x03\x02\x04", 4);	/* pad 1,3: wrong */
	n = forge(c, pt, 58, 2, pkt);
	data1(c, DEC, 0, 2, pkt, n, 200, &o2);
	ck_assert_msg(o2.status == VIRTIO_IPSEC_BADPKT,
		      "bad padding gave %u, want BADPKT", o2.status);

	make_ipv4(pt, 54, 0, 0, 1);
	memcpy(pt + 54, "\x01\x02\x02\x11", 4);	/* next header UDP */
	n = forge(c, pt, 58, 3, pkt);
	data1(c, DEC, 0, 2, pkt, n, 200, &o2);
	ck_assert_msg(o2.status == VIRTIO_IPSEC_BADPKT,
		      "next header 17 gave %u, want BADPKT", o2.status);

	memcpy(pt + 54, "\x01\x02\x40\x04", 4);	/* pad length > payload */
	n = forge(c, pt, 58, 4, pkt);
	data1(c, DEC, 0, 2, pkt, n, 200, &o2);
	ck_assert_msg(o2.status == VIRTIO_IPSEC_BADPKT,
		      "pad length 64 gave %u, want BADPKT", o2.status);
	vpe_core_free(c);
}
END_TEST

START_TEST(test_spi_and_syntax)
{
	struct vpe_core *c = pair(64, 0);
	uint8_t pkt[1500];
	uint32_t len;

	encap1(c, 100);
	memcpy(pkt, o1.data, o1.out_len);
	pkt[23] ^= 1;				/* SPI */
	data1(c, DEC, 0, 2, pkt, o1.out_len, 1500, &o2);
	ck_assert_msg(o2.status == VIRTIO_IPSEC_BADPROTO,
		      "wrong SPI gave %u, want BADPROTO", o2.status);

	memcpy(pkt, o1.data, o1.out_len);
	pkt[9] = 17;				/* not ESP */
	data1(c, DEC, 0, 2, pkt, o1.out_len, 1500, &o2);
	ck_assert_msg(o2.status == VIRTIO_IPSEC_BADPROTO,
		      "protocol 17 gave %u, want BADPROTO", o2.status);

	for (len = 0; len < o1.out_len; len += 7) {
		data1(c, DEC, 0, 2, o1.data, len, 1500, &o2);
		ck_assert_msg(o2.status == VIRTIO_IPSEC_BADPKT,
			      "truncated to %u gave %u, want BADPKT", len,
			      o2.status);
	}
	memcpy(pkt, o1.data, o1.out_len);
	pkt[0] = 0x65;				/* version 6 */
	data1(c, DEC, 0, 2, pkt, o1.out_len, 1500, &o2);
	ck_assert_msg(o2.status == VIRTIO_IPSEC_BADPKT, "version 6: %u",
		      o2.status);

	make_ipv4(pkt, 100, 0, 0, 1);
	pkt[3] = 99;				/* inner length mismatch */
	data1(c, ENC, 0, 1, pkt, 100, 1500, &o2);
	ck_assert_msg(o2.status == VIRTIO_IPSEC_BADPKT,
		      "encap of a malformed inner packet: %u", o2.status);
	data1(c, DEC, 0, 1, o1.data, o1.out_len, 1500, &o2);
	ck_assert_msg(o2.status == VIRTIO_IPSEC_INVAL,
		      "decap with an outbound SA: %u", o2.status);
	vpe_core_free(c);
}
END_TEST

START_TEST(test_dst_too_small)
{
	struct vpe_core *c = pair(64, 0);
	uint8_t in[200];
	uint32_t need;

	make_ipv4(in, 101, 0, 0, 1);
	need = 20 + 16 + 101 + 1 + 2 + 16;
	data1(c, ENC, 0, 1, in, 101, need - 1, &o1);
	ck_assert_msg(o1.status == VIRTIO_IPSEC_DST_TOO_SMALL &&
		      o1.out_len == need,
		      "encap into %u: status %u needed %u, want 11/%u",
		      need - 1, o1.status, o1.out_len, need);
	data1(c, ENC, 0, 1, in, 101, need, &o1);
	ck_assert_msg(o1.status == 0 && o1.seq == 1,
		      "exact-size encap: %u seq %lu (a refused packet must not "
		      "use a sequence number)", o1.status,
		      (unsigned long)o1.seq);
	data1(c, DEC, 0, 2, o1.data, o1.out_len, 101, &o2);
	ck_assert_msg(o2.status == VIRTIO_IPSEC_DST_TOO_SMALL &&
		      o2.out_len == 104,
		      "decap into 101: %u needed %u, want 11/104", o2.status,
		      o2.out_len);
	data1(c, DEC, 0, 2, o1.data, o1.out_len, 104, &o2);
	ck_assert_msg(o2.status == 0 && o2.out_len == 101,
		      "decap into the needed size: %u", o2.status);
	vpe_core_free(c);
}
END_TEST

START_TEST(test_seq_overflow)
{
	struct vpe_core *c = pair(0, 0xfffffffeULL);

	encap1(c, 60);
	ck_assert_msg(o1.seq == 0xffffffffULL, "last seq %lx",
		      (unsigned long)o1.seq);
	make_ipv4(o1.data, 60, 0, 0, 1);
	data1(c, ENC, 0, 1, o1.data, 60, 1500, &o2);
	ck_assert_msg(o2.status == VIRTIO_IPSEC_SEQ_OVERFLOW,
		      "seq past 2^32-1 gave %u, want SEQ_OVERFLOW", o2.status);
	make_ipv4(o1.data, 60, 0, 0, 1);
	data1(c, ENC, 0, 1, o1.data, 60, 1500, &o2);
	ck_assert_msg(o2.status == VIRTIO_IPSEC_SEQ_OVERFLOW,
		      "SA did not stay stopped: %u", o2.status);
	vpe_core_free(c);
}
END_TEST

START_TEST(test_invsa)
{
	struct vpe_core *c = pair(64, 0);
	uint8_t in[100];

	make_ipv4(in, 100, 0, 0, 1);
	data1(c, ENC, 0, 7, in, 100, 300, &o1);
	ck_assert_msg(o1.status == VIRTIO_IPSEC_INVSA, "unknown id: %u",
		      o1.status);
	data1(c, ENC, 0, 1000, in, 100, 300, &o1);
	ck_assert_msg(o1.status == VIRTIO_IPSEC_INVSA, "id > max_sas: %u",
		      o1.status);
	data1(c, ENC, 3, 1, in, 100, 300, &o1);
	ck_assert_msg(o1.status == VIRTIO_IPSEC_INVGROUP,
		      "uncreated group: %u", o1.status);
	ck_assert(ctrl(c, VIRTIO_IPSEC_OP_SA_DEL, 0, 1, NULL, 0) == 0);
	data1(c, ENC, 0, 1, in, 100, 300, &o1);
	ck_assert_msg(o1.status == VIRTIO_IPSEC_INVSA, "deleted id: %u",
		      o1.status);
	vpe_core_free(c);
}
END_TEST

/*
 * The contract the g-API's -EMSGSIZE rests on (virtio_ipsec_dev.h,
 * VIPSEC_IOC_XFORM): out_cap is at most max_packet_len (9000 in
 * test_core), so a result larger than that is DST_TOO_SMALL with the
 * size needed, above max_packet_len, at any allowed capacity; an input or
 * capacity above max_packet_len makes the whole request INVAL.
 */
START_TEST(test_result_over_max_packet_len)
{
	struct vpe_core *c = pair(64, 0);
	static uint8_t in[9100];
	uint32_t need = 20 + 16 + 8990 + 2 + 16; /* pad 0: 8992 % 4 == 0 */

	make_ipv4(in, 8990, 0, 0, 1);
	data1(c, ENC, 0, 1, in, 8990, 9000, &o1);
	ck_assert_msg(o1.footer_status == VIRTIO_IPSEC_OK &&
		      o1.status == VIRTIO_IPSEC_DST_TOO_SMALL &&
		      o1.out_len == need && need > 9000,
		      "result of %u bytes, max 9000: footer %u status %u "
		      "out_len %u", need, o1.footer_status, o1.status,
		      o1.out_len);
	data1(c, ENC, 0, 1, in, 8990, 9001, &o1);
	ck_assert_msg(o1.footer_status == VIRTIO_IPSEC_INVAL,
		      "out_cap above max_packet_len: footer %u, want INVAL",
		      o1.footer_status);
	make_ipv4(in, 9001, 0, 0, 2);
	data1(c, ENC, 0, 1, in, 9001, 9000, &o1);
	ck_assert_msg(o1.footer_status == VIRTIO_IPSEC_INVAL,
		      "in_len above max_packet_len: footer %u, want INVAL",
		      o1.footer_status);
	make_ipv4(in, 8900, 0, 0, 3);
	data1(c, ENC, 0, 1, in, 8900, 9000, &o1);
	ck_assert_msg(o1.status == VIRTIO_IPSEC_OK && o1.seq == 1,
		      "a fitting packet after the refusals: %u seq %lu "
		      "(refused packets use no sequence number)",
		      o1.status, (unsigned long)o1.seq);
	vpe_core_free(c);
}
END_TEST

Suite *esp_suite(void)
{
	Suite *s = suite_create("esp");
	TCase *tc = tcase_create("tunnel4");

	tcase_add_test(tc, test_round_trip_sizes);
	tcase_add_test(tc, test_outer_header);
	tcase_add_test(tc, test_outer_ecn_modes);
	tcase_add_test(tc, test_tamper_badmsg);
	tcase_add_test(tc, test_replay_and_late);
	tcase_add_test(tc, test_replay_window_4096);
	tcase_add_test(tc, test_bad_trailer);
	tcase_add_test(tc, test_spi_and_syntax);
	tcase_add_test(tc, test_dst_too_small);
	tcase_add_test(tc, test_seq_overflow);
	tcase_add_test(tc, test_invsa);
	tcase_add_test(tc, test_result_over_max_packet_len);
	suite_add_tcase(s, tc);
	return s;
}
