// SPDX-License-Identifier: BSD-3-Clause
/*
 * Sequence numbers and inner-header rules: ESN across the 2^32 boundary
 * (outbound counter, inbound inference per RFC 4303 Appendix A, a late
 * packet from the previous block), replay windows of 32 and 4096, the
 * RFC 6040 ECN table, TTL decrement, TFC padding, the inner selector.
 */
#include <endian.h>
#include <string.h>

#include "test_formats.h"
#include "vipsec_inner.h"
#include "vipsec_ipv6.h"
#include "vipsec_replay.h"

static struct pkt_out o1, o2;

#define E32 (1ULL << 32)

START_TEST(test_esn_infer)
{
	/* top, window, seq_lo -> expected full number */
	static const struct { uint64_t top; uint32_t w, lo; uint64_t want; } v[] = {
		{ 100, 64, 101, 101 },			/* case B, th 0 */
		{ 100, 64, 50, 50 },
		{ 5 * E32 + 1000, 64, 999, 5 * E32 + 999 },	/* case A */
		{ 5 * E32 + 1000, 64, 900, 6 * E32 + 900 },	/* below: next block */
		{ 5 * E32 + 1000, 64, 2000, 5 * E32 + 2000 },
		{ 5 * E32 + 0xfffffff0, 64, 3, 6 * E32 + 3 },	/* wrap ahead */
		{ 6 * E32 + 3, 64, 0xfffffff0, 5 * E32 + 0xfffffff0 }, /* late, prev block */
		{ 6 * E32 + 3, 64, 10, 6 * E32 + 10 },		/* case B, same block */
		{ 6 * E32 + 3, 64, 0x80000000, 6 * E32 + 0x80000000 },
		{ 6 * E32 + 3, 4096, 0xfffff100, 5 * E32 + 0xfffff100 },
		{ 0xffffffffULL << 32 | 500, 64, 10, 0xffffffffULL << 32 | 10 },
	};

	for (unsigned int i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint64_t got = vpe_replay_esn_infer(v[i].top, v[i].w, v[i].lo);

		ck_assert_msg(got == v[i].want,
			      "case %u: top %#lx w %u lo %#x -> %#lx, want %#lx",
			      i, (unsigned long)v[i].top, v[i].w, v[i].lo,
			      (unsigned long)got, (unsigned long)v[i].want);
	}
}
END_TEST

/* ESN across 2^32 through the decoder, both directions. */
START_TEST(test_esn_wrap)
{
	struct fmt_sa f = { .ipv = 4, .options = VIRTIO_IPSEC_SA_OPT_ESN,
			    .window = 64, .initial_seq = E32 - 3 };
	struct vpe_core *c = fmt_pair(&f);
	static uint8_t pkts[5][400];
	uint32_t lens[5];
	uint8_t in[200];
	unsigned int i;

	make_ipv4(in, 200, 0, 1, 1);
	for (i = 0; i < 5; i++) {
		data1(c, ENC, 0, 1, in, 200, 400, &o1);
		ck_assert_msg(o1.status == 0, "encap %u", o1.status);
		ck_assert_msg(o1.seq == E32 - 2 + i, "seq %#lx, want %#lx",
			      (unsigned long)o1.seq,
			      (unsigned long)(E32 - 2 + i));
		ck_assert_msg(vpe_get_be32(o1.data + 24) == (uint32_t)o1.seq,
			      "wire seq_lo %#x", vpe_get_be32(o1.data + 24));
		memcpy(pkts[i], o1.data, o1.out_len);
		lens[i] = o1.out_len;
	}
	/* 2^32-2, then 2^32+2 (the new block), then the late 2^32-1. */
	data1(c, DEC, 0, 2, pkts[0], lens[0], 400, &o2);
	ck_assert_msg(o2.status == 0 && o2.seq == E32 - 2, "first: %u %#lx",
		      o2.status, (unsigned long)o2.seq);
	data1(c, DEC, 0, 2, pkts[4], lens[4], 400, &o2);
	ck_assert_msg(o2.status == 0 && o2.seq == E32 + 2,
		      "across the wrap: status %u seq %#lx", o2.status,
		      (unsigned long)o2.seq);
	data1(c, DEC, 0, 2, pkts[1], lens[1], 400, &o2);
	ck_assert_msg(o2.status == 0 && o2.seq == E32 - 1,
		      "late packet of the previous block: %u %#lx", o2.status,
		      (unsigned long)o2.seq);
	ck_assert_msg(o2.out_len == 200 && !memcmp(o2.data, in, 200),
		      "late packet content");
	data1(c, DEC, 0, 2, pkts[1], lens[1], 400, &o2);
	ck_assert_msg(o2.status == VIRTIO_IPSEC_REPLAY, "replay: %u",
		      o2.status);
	data1(c, DEC, 0, 2, pkts[2], lens[2], 400, &o2);
	ck_assert_msg(o2.status == 0 && o2.seq == E32, "2^32: %u", o2.status);
	data1(c, DEC, 0, 2, pkts[3], lens[3], 400, &o2);
	ck_assert_msg(o2.status == 0 && o2.seq == E32 + 1, "2^32+1: %u",
		      o2.status);
	vpe_core_free(c);
}
END_TEST

/*
 * The high half is authenticated: a receiver that assumes another block
 * (no ESN, or an SA that has moved on) fails the ICV, and a failed packet
 * does not move the window.
 */
START_TEST(test_esn_icv)
{
	struct fmt_sa f = { .ipv = 4, .options = VIRTIO_IPSEC_SA_OPT_ESN,
			    .window = 32, .initial_seq = 3 * E32 + 5 };
	struct vpe_core *c = fmt_pair(&f);
	uint8_t in[100];

	make_ipv4(in, 100, 0, 1, 1);
	data1(c, ENC, 0, 1, in, 100, 400, &o1);
	ck_assert_msg(o1.seq == 3 * E32 + 6, "seq");
	/* The receiver starts in block 0: it infers seq_hi 0. */
	data1(c, DEC, 0, 2, o1.data, o1.out_len, 400, &o2);
	ck_assert_msg(o2.status == VIRTIO_IPSEC_BADMSG,
		      "wrong block accepted: %u", o2.status);
	vpe_core_free(c);

	/* ESN sender, non-ESN receiver with the same key. */
	f.initial_seq = E32;
	c = fmt_pair(&f);
	{
		uint8_t p[PARAMS_SIZE];
		struct fmt_sa g = f;

		g.options = 0;
		fmt_params(p, VIRTIO_IPSEC_DIR_INBOUND, &g);
		/* Same SPI: another destination keeps it unique. */
		((struct virtio_ipsec_sa_params *)p)->tun_dst[3] = 3;
		ck_assert(sa_add(c, 0, 3, p) == 0);
	}
	data1(c, ENC, 0, 1, in, 100, 400, &o1);
	data1(c, DEC, 0, 3, o1.data, o1.out_len, 400, &o2);
	ck_assert_msg(o2.status == VIRTIO_IPSEC_BADMSG,
		      "seq_hi not in the ICV: %u", o2.status);
	vpe_core_free(c);
}
END_TEST

/* ESN without a replay window still infers the block; seq 0 refused. */
START_TEST(test_esn_no_window)
{
	struct fmt_sa f = { .ipv = 6, .options = VIRTIO_IPSEC_SA_OPT_ESN,
			    .initial_seq = E32 - 2 };
	struct vpe_core *c = fmt_pair(&f);
	uint8_t in[100];

	make_ipv6(in, 100, 0, 1);
	for (int i = 0; i < 4; i++) {
		data1(c, ENC, 0, 1, in, 100, 400, &o1);
		data1(c, DEC, 0, 2, o1.data, o1.out_len, 400, &o2);
		ck_assert_msg(o2.status == 0 && o2.seq == o1.seq,
			      "packet %d: status %u seq %#lx", i, o2.status,
			      (unsigned long)o2.seq);
	}
	vpe_core_free(c);
}
END_TEST

/* Outbound ESN: the counter stops at 2^64 - 1, never wraps. */
START_TEST(test_esn_overflow)
{
	struct fmt_sa f = { .ipv = 4, .options = VIRTIO_IPSEC_SA_OPT_ESN,
			    .initial_seq = UINT64_MAX - 1 };
	struct vpe_core *c = fmt_pair(&f);
	uint8_t in[100];

	make_ipv4(in, 100, 0, 1, 1);
	data1(c, ENC, 0, 1, in, 100, 400, &o1);
	ck_assert_msg(o1.status == 0 && o1.seq == UINT64_MAX, "last number");
	data1(c, ENC, 0, 1, in, 100, 400, &o1);
	ck_assert_msg(o1.status == VIRTIO_IPSEC_SEQ_OVERFLOW, "overflow: %u",
		      o1.status);
	vpe_core_free(c);
}
END_TEST

/* Windows of 32 and 4096: edges, replays, a jump, in bitmap words. */
START_TEST(test_windows)
{
	static const uint32_t ws[] = { 32, 4096 };
	uint32_t w = ws[_i];
	struct vpe_replay *r = vpe_replay_new(w);
	uint64_t top = 3 * E32 + 10000, s;

	ck_assert(r);
	ck_assert_msg(vpe_replay_check(r, 0) == VIRTIO_IPSEC_LATE,
		      "seq 0 accepted");
	vpe_replay_update(r, top);
	ck_assert(vpe_replay_check(r, top) == VIRTIO_IPSEC_REPLAY);
	ck_assert_msg(vpe_replay_check(r, top - w + 1) == VIRTIO_IPSEC_OK,
		      "w %u: oldest in-window number refused", w);
	ck_assert_msg(vpe_replay_check(r, top - w) == VIRTIO_IPSEC_LATE,
		      "w %u: number left of the window accepted", w);
	for (s = top - w + 1; s < top; s += 3)
		vpe_replay_update(r, s);
	for (s = top - w + 1; s < top; s++)
		ck_assert_msg(vpe_replay_check(r, s) ==
			      ((s - (top - w + 1)) % 3 ? VIRTIO_IPSEC_OK :
							 VIRTIO_IPSEC_REPLAY),
			      "w %u: seq top-%lu wrong", w,
			      (unsigned long)(top - s));
	/* Move by half a window: the older half leaves, the rest stays. */
	vpe_replay_update(r, top + w / 2);
	ck_assert(vpe_replay_check(r, top) == VIRTIO_IPSEC_REPLAY);
	ck_assert(vpe_replay_check(r, top + 1) == VIRTIO_IPSEC_OK);
	ck_assert(vpe_replay_check(r, top + w / 2 - w) ==
		  VIRTIO_IPSEC_LATE);
	/* A jump far ahead clears everything. */
	vpe_replay_update(r, top + 10 * (uint64_t)w);
	for (s = top + 9 * (uint64_t)w + 1; s < top + 10 * (uint64_t)w; s++)
		ck_assert_msg(vpe_replay_check(r, s) == VIRTIO_IPSEC_OK,
			      "w %u: stale bit after a jump", w);
	vpe_replay_free(r);
}
END_TEST

/* RFC 6040 section 4.2, Figure 4, in full. */
START_TEST(test_ecn_table)
{
	/* [inner][outer]: Not-ECT 0, ECT(1) 1, ECT(0) 2, CE 3; -1 drop */
	static const int tbl[4][4] = {
		{ 0, 0, 0, -1 },	/* Not-ECT */
		{ 1, 1, 1, 3 },		/* ECT(1) */
		{ 2, 1, 2, 3 },		/* ECT(0) */
		{ 3, 3, 3, 3 },		/* CE */
	};

	for (int in = 0; in < 4; in++)
		for (int out = 0; out < 4; out++)
			ck_assert_msg(vpe_ecn_decap((uint8_t)in,
						    (uint8_t)out) ==
				      tbl[in][out],
				      "inner %d outer %d: %d, want %d", in,
				      out, vpe_ecn_decap((uint8_t)in,
							 (uint8_t)out),
				      tbl[in][out]);
}
END_TEST

/* ECN and DEC_TTL through the decoder, IPv4 and IPv6 inner and outer. */
START_TEST(test_ecn_ttl_decap)
{
	for (int outer = 4; outer <= 6; outer += 2) {
		struct fmt_sa f = { .ipv = (uint8_t)outer,
				    .options = VIRTIO_IPSEC_SA_OPT_ECN |
					       VIRTIO_IPSEC_SA_OPT_DEC_TTL };
		struct vpe_core *c = fmt_pair(&f);
		uint8_t in[100], *e = o1.data, *i2 = o2.data;

		/* Outer CE over ECT(0) inner: inner becomes CE, TTL - 1. */
		make_ipv4(in, 100, 0xb8 | 2, 1, 1);
		data1(c, ENC, 0, 1, in, 100, 400, &o1);
		if (outer == 4) {
			e[1] |= 3;
			vpe_put_be16(e + 10, 0);
			vpe_put_be16(e + 10, vpe_ip_csum(e, 20));
		} else {
			vpe_ipv6_set_tclass(e, vpe_ipv6_tclass(e) | 3);
		}
		data1(c, DEC, 0, 2, o1.data, o1.out_len, 400, &o2);
		ck_assert_msg(o2.status == 0, "v%d CE decap %u", outer,
			      o2.status);
		ck_assert_msg(i2[1] == (0xb8 | 3), "inner TOS 0x%02x, want CE",
			      i2[1]);
		ck_assert_msg(i2[8] == 62, "inner TTL %u, want 62", i2[8]);
		ck_assert_msg(vpe_ip_csum(i2, 20) == 0, "inner checksum");
		ck_assert_msg(!memcmp(i2 + 12, in + 12, 88), "rest changed");

		/* Outer CE over Not-ECT: dropped. */
		make_ipv4(in, 100, 0xb8, 1, 1);
		data1(c, ENC, 0, 1, in, 100, 400, &o1);
		if (outer == 4)
			e[1] |= 3;
		else
			vpe_ipv6_set_tclass(e, vpe_ipv6_tclass(e) | 3);
		data1(c, DEC, 0, 2, o1.data, o1.out_len, 400, &o2);
		ck_assert_msg(o2.status == VIRTIO_IPSEC_BADPKT,
			      "CE over Not-ECT: %u", o2.status);

		/* IPv6 inner: ECT(1) outer over ECT(0), hop limit. */
		make_ipv6(in, 100, 0x02, 1);
		data1(c, ENC, 0, 1, in, 100, 400, &o1);
		if (outer == 4)
			e[1] = (uint8_t)((e[1] & 0xfc) | 1);
		else
			vpe_ipv6_set_tclass(e, (vpe_ipv6_tclass(e) &
						0xfc) | 1);
		data1(c, DEC, 0, 2, o1.data, o1.out_len, 400, &o2);
		ck_assert_msg(o2.status == 0 && vpe_ipv6_tclass(i2) == 1 &&
			      i2[7] == 62, "v6 inner: status %u tc %u hop %u",
			      o2.status, vpe_ipv6_tclass(i2), i2[7]);

		/* TTL 1 cannot be forwarded. */
		make_ipv4(in, 100, 0, 1, 1);
		in[8] = 1;
		vpe_put_be16(in + 10, 0);
		vpe_put_be16(in + 10, vpe_ip_csum(in, 20));
		data1(c, ENC, 0, 1, in, 100, 400, &o1);
		data1(c, DEC, 0, 2, o1.data, o1.out_len, 400, &o2);
		ck_assert_msg(o2.status == VIRTIO_IPSEC_BADPKT,
			      "TTL 1 forwarded: %u", o2.status);
		vpe_core_free(c);
	}
	/* Without the options the inner header is untouched. */
	{
		struct fmt_sa f = { .ipv = 4 };
		struct vpe_core *c = fmt_pair(&f);
		uint8_t in[100];

		make_ipv4(in, 100, 0xb8, 1, 1);
		data1(c, ENC, 0, 1, in, 100, 400, &o1);
		o1.data[1] |= 3;
		data1(c, DEC, 0, 2, o1.data, o1.out_len, 400, &o2);
		ck_assert_msg(o2.status == 0 && !memcmp(o2.data, in, 100),
			      "inner changed without ECN/DEC_TTL");
		vpe_core_free(c);
	}
}
END_TEST

/* TFC: the payload is padded to tfc_pad_to; the receiver strips it. */
START_TEST(test_tfc)
{
	for (int outer = 4; outer <= 6; outer += 2) {
		struct fmt_sa f = { .ipv = (uint8_t)outer,
				    .options = VIRTIO_IPSEC_SA_OPT_TFC_PAD };
		struct vpe_core *c = test_core();
		struct virtio_ipsec_sa_params *s;
		uint32_t hl = outer == 6 ? 40 : 20, lens[] = { 60, 300, 700 };
		uint8_t p[PARAMS_SIZE], in[800];

		fmt_params(p, VIRTIO_IPSEC_DIR_OUTBOUND, &f);
		s = (void *)p;
		s->tfc_pad_to = htole32(500);
		ck_assert_msg(sa_add(c, 0, 1, p) == 0, "outbound TFC SA");
		f.options = 0;	/* receivers strip TFC padding anyway */
		fmt_params(p, VIRTIO_IPSEC_DIR_INBOUND, &f);
		ck_assert_msg(sa_add(c, 0, 2, p) == 0, "inbound SA");
		for (unsigned int i = 0; i < 3; i++) {
			uint32_t len = lens[i], data = len < 500 ? 500 : len;

			if (i == 1)
				make_ipv6(in, len, 0, 3);
			else
				make_ipv4(in, len, 0, 1, 3);
			data1(c, ENC, 0, 1, in, len, 1200, &o1);
			ck_assert_msg(o1.status == 0, "encap");
			ck_assert_msg(o1.out_len == hl + 8 + 8 + data + 2 +
				      (4 - (data + 2) % 4) % 4 + 16,
				      "v%d len %u: %u bytes, not padded to 500",
				      outer, len, o1.out_len);
			data1(c, DEC, 0, 2, o1.data, o1.out_len, 1200, &o2);
			ck_assert_msg(o2.status == 0 && o2.out_len == len &&
				      !memcmp(o2.data, in, len),
				      "v%d len %u: TFC padding not stripped",
				      outer, len);
		}
		vpe_core_free(c);
	}
}
END_TEST

/* SELECTOR: the inner source must lie in the SA's prefix. */
START_TEST(test_selector)
{
	struct fmt_sa f = { .ipv = 4 };
	struct vpe_core *c = test_core();
	struct virtio_ipsec_sa_params *s;
	uint8_t p[PARAMS_SIZE], in[100];

	fmt_params(p, VIRTIO_IPSEC_DIR_OUTBOUND, &f);
	ck_assert(sa_add(c, 0, 1, p) == 0);
	f.options = VIRTIO_IPSEC_SA_OPT_SELECTOR;
	fmt_params(p, VIRTIO_IPSEC_DIR_INBOUND, &f);
	s = (void *)p;
	memcpy(s->sel_src, "\xc0\xa8\x00\x00", 4);	/* 192.168.0.0/23 */
	s->sel_prefix_len = 23;
	ck_assert(sa_add(c, 0, 2, p) == 0);

	make_ipv4(in, 100, 0, 1, 1);			/* from 192.168.1.1 */
	data1(c, ENC, 0, 1, in, 100, 400, &o1);
	data1(c, DEC, 0, 2, o1.data, o1.out_len, 400, &o2);
	ck_assert_msg(o2.status == 0, "inside /23: %u", o2.status);
	vpe_core_free(c);

	c = test_core();
	f.options = 0;
	fmt_params(p, VIRTIO_IPSEC_DIR_OUTBOUND, &f);
	ck_assert(sa_add(c, 0, 1, p) == 0);
	f.options = VIRTIO_IPSEC_SA_OPT_SELECTOR;
	fmt_params(p, VIRTIO_IPSEC_DIR_INBOUND, &f);
	memcpy(s->sel_src, "\xc0\xa8\x02\x00", 4);
	s->sel_prefix_len = 24;
	ck_assert(sa_add(c, 0, 2, p) == 0);
	data1(c, ENC, 0, 1, in, 100, 400, &o1);
	data1(c, DEC, 0, 2, o1.data, o1.out_len, 400, &o2);
	ck_assert_msg(o2.status == VIRTIO_IPSEC_SELECTOR && o2.out_len == 0,
		      "outside /24: status %u", o2.status);
	vpe_core_free(c);

	/* An IPv6 SA has an IPv6 selector, whatever the inner packet. */
	c = test_core();
	f.options = 0;
	f.ipv = 6;
	fmt_params(p, VIRTIO_IPSEC_DIR_OUTBOUND, &f);
	ck_assert(sa_add(c, 0, 1, p) == 0);
	f.options = VIRTIO_IPSEC_SA_OPT_SELECTOR;
	fmt_params(p, VIRTIO_IPSEC_DIR_INBOUND, &f);
	memset(s->sel_src, 0, 16);
	s->sel_src[0] = 0xfd;
	s->sel_prefix_len = 8;				/* fd00::/8 */
	ck_assert(sa_add(c, 0, 2, p) == 0);
	data1(c, ENC, 0, 1, in, 100, 400, &o1);
	data1(c, DEC, 0, 2, o1.data, o1.out_len, 400, &o2);
	ck_assert_msg(o2.status == VIRTIO_IPSEC_SELECTOR,
		      "IPv4 inner against an IPv6 selector: %u", o2.status);
	make_ipv6(in, 100, 0, 1);			/* from fd00::11 */
	data1(c, ENC, 0, 1, in, 100, 400, &o1);
	data1(c, DEC, 0, 2, o1.data, o1.out_len, 400, &o2);
	ck_assert_msg(o2.status == 0, "inside fd00::/8: %u", o2.status);
	vpe_core_free(c);
}
END_TEST

Suite *formats_seq_suite(void)
{
	Suite *s = suite_create("formats-seq");
	TCase *t = tcase_create("esn");

	tcase_add_test(t, test_esn_infer);
	tcase_add_test(t, test_esn_wrap);
	tcase_add_test(t, test_esn_icv);
	tcase_add_test(t, test_esn_no_window);
	tcase_add_test(t, test_esn_overflow);
	tcase_add_loop_test(t, test_windows, 0, 2);
	suite_add_tcase(s, t);
	t = tcase_create("inner");
	tcase_add_test(t, test_ecn_table);
	tcase_add_test(t, test_ecn_ttl_decap);
	tcase_add_test(t, test_tfc);
	tcase_add_test(t, test_selector);
	suite_add_tcase(s, t);
	return s;
}
