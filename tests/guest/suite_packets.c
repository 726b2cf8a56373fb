// SPDX-License-Identifier: BSD-3-Clause
/*
 * SAs and packets through the library, the driver and the device: round
 * trips, the per-packet errors a VNF must see, argument validation.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "guest.h"

static struct g_ipsec_la_sa_handle so, si;
static uint8_t pkt[1500], esp[1700], back[1700];

static void setup(void)
{
	int ret;

	gt_open();
	ret = gt_add_pair(&gt_h, SPI_A, &so, &si);
	ck_assert_msg(ret == 0, "adding the AES-GCM SA pair failed: %d (%s)",
		      ret, strerror(-ret));
}

/* >= 100 packets, 20..1400 bytes; scatter-gather on every third one */
START_TEST(round_trip_many_sizes)
{
	unsigned int i, n = 0;
	uint16_t len;
	int ret;

	for (i = 0; i <= 106; i++) {
		struct g_ipsec_la_data in[2], out[2];
		uint32_t el, bl = sizeof(back), sg = i % 3 == 0 ? 2 : 1;
		uint32_t seq;

		len = i == 106 ? 1400 : (uint16_t)(20 + i * 13);
		gt_build_packet(pkt, len, (uint8_t)i);
		in[0].buffer = pkt;
		in[0].length = sg == 2 ? len / 2u : len;
		in[1].buffer = pkt + in[0].length;
		in[1].length = len - in[0].length;
		out[0].buffer = esp;
		out[0].length = sg == 2 ? 40 : sizeof(esp);
		out[1].buffer = esp + 40;
		out[1].length = sizeof(esp) - 40;
		ret = g_ipsec_la_packet_encap(&gt_h, 0, &so, sg, in, out, NULL);
		ck_assert_msg(ret == 0, "encap of %u bytes (packet %u): %d (%s)", len, i,
			      ret, strerror(-ret));
		el = out[0].length + (sg == 2 ? out[1].length : 0);
		ck_assert_msg(el >= (uint32_t)len + 20 + 8 + 8 + 2 + 16,
			      "ESP packet of %u bytes too short for %u inner bytes", el, len);
		ck_assert_msg(esp[0] == 0x45 && esp[9] == 50, "outer header is not IPv4/ESP");
		ck_assert_msg(!memcmp(esp + 20, "\x00\x00\xa0\x01", 4), "SPI on the wire wrong");
		seq = (uint32_t)esp[24] << 24 | esp[25] << 16 | esp[26] << 8 | esp[27];
		ck_assert_msg(seq == i + 1, "sequence number %u, want %u", seq, i + 1);
		ret = gt_decap(&si, esp, el, back, &bl);
		ck_assert_msg(ret == 0, "decap of packet %u (%u bytes): %d (%s)", i, el,
			      ret, strerror(-ret));
		ck_assert_msg(bl == len && !memcmp(back, pkt, len),
			      "packet %u: decap gave %u bytes, not the original %u", i, bl, len);
		n++;
	}
	ck_assert_uint_ge(n, 100);
}
END_TEST

START_TEST(icv_failure_then_replay_then_late)
{
	uint32_t el = sizeof(esp), bl = sizeof(back), ol;
	static uint8_t old[1700];
	unsigned int i;
	int ret;

	gt_build_packet(pkt, 300, 1);
	ck_assert_int_eq(gt_encap(&so, pkt, 300, esp, &el), 0);
	esp[20 + 8 + 8 + 5] ^= 0x10;	/* a ciphertext bit after SPI, seq, IV */
	ret = gt_decap(&si, esp, el, back, &bl);
	ck_assert_msg(ret == -EBADMSG, "flipped ciphertext bit: got %d, want -EBADMSG", ret);
	esp[20 + 8 + 8 + 5] ^= 0x10;
	bl = sizeof(back);
	ret = gt_decap(&si, esp, el, back, &bl);
	ck_assert_msg(ret == 0, "the intact packet after an ICV failure: %d", ret);
	bl = sizeof(back);
	ret = gt_decap(&si, esp, el, back, &bl);
	ck_assert_msg(ret == -EALREADY, "replayed packet: got %d, want -EALREADY", ret);

	/* keep seq 2, move the window 100 packets on, then send seq 2 late */
	ol = sizeof(old);
	ck_assert_int_eq(gt_encap(&so, pkt, 300, old, &ol), 0);
	for (i = 0; i < 100; i++) {
		el = sizeof(esp);
		ck_assert_int_eq(gt_encap(&so, pkt, 300, esp, &el), 0);
	}
	bl = sizeof(back);
	ck_assert_int_eq(gt_decap(&si, esp, el, back, &bl), 0);
	bl = sizeof(back);
	ret = gt_decap(&si, old, ol, back, &bl);
	ck_assert_msg(ret == -ERANGE, "packet left of the 64-packet window: got %d, want -ERANGE",
		      ret);
}
END_TEST

START_TEST(output_too_small)
{
	uint32_t el = 64;
	int ret;

	gt_build_packet(pkt, 500, 2);
	ret = gt_encap(&so, pkt, 500, esp, &el);
	ck_assert_msg(ret == -ENOSPC, "64-byte output for a 500-byte packet: got %d", ret);
	ck_assert_msg(el >= 500 + 20 + 8 + 8 + 16,
		      "-ENOSPC must report the needed size, got %u", el);
	ret = gt_encap(&so, pkt, 500, esp, &el);	/* exactly what was asked */
	ck_assert_msg(ret == 0, "encap with the reported size failed: %d", ret);
}
END_TEST

START_TEST(unknown_and_deleted_sa)
{
	struct g_ipsec_la_sa_handle forged = so;
	struct g_ipsec_la_sa_del_inargs din = { G_IPSEC_LA_IPSEC_OUTBOUND, &so };
	struct g_ipsec_la_sa_del_outargs dout;
	uint32_t el = sizeof(esp);
	int ret;

	gt_build_packet(pkt, 100, 3);
	forged.ipsec_sa_handle[4] = 0x7fff0000;	/* SA id word */
	ret = gt_encap(&forged, pkt, 100, esp, &el);
	ck_assert_msg(ret == -ENOENT, "unknown SA id: got %d (%s), want -ENOENT", ret,
		      strerror(-ret));
	ck_assert_int_eq(g_ipsec_la_sa_del(&gt_h, &din, 0, &dout, NULL), 0);
	ck_assert_int_eq(dout.result, 0);
	el = sizeof(esp);
	ret = gt_encap(&so, pkt, 100, esp, &el);
	ck_assert_msg(ret == -ENOENT, "deleted SA: got %d (%s), want -ENOENT", ret,
		      strerror(-ret));
	ret = g_ipsec_la_sa_del(&gt_h, &din, 0, &dout, NULL);
	ck_assert_msg(ret == -ENOENT && dout.result == ret,
		      "deleting a deleted SA: got %d, want -ENOENT", ret);
	din.dir = G_IPSEC_LA_IPSEC_OUTBOUND;
	din.handle = &si;
	ck_assert_msg(g_ipsec_la_sa_del(&gt_h, &din, 0, NULL, NULL) == -EINVAL,
		      "direction not matching the SA must be -EINVAL");
}
END_TEST

START_TEST(wrong_direction_and_bad_args)
{
	struct g_ipsec_la_data in = { pkt, 100 }, out = { esp, sizeof(esp) };
	struct g_ipsec_la_data nul = { NULL, 100 };
	struct g_ipsec_la_sa_add_inargs ain;
	struct g_ipsec_la_sa_add_outargs aout;
	struct g_ipsec_la_sa_handle sh;
	struct g_ipsec_la_sa sa;

	gt_build_packet(pkt, 100, 4);
	ck_assert_int_eq(g_ipsec_la_packet_encap(&gt_h, 0, &si, 1, &in, &out, NULL), -EINVAL);
	ck_assert_int_eq(g_ipsec_la_packet_decap(&gt_h, 0, &so, 1, &in, &out, NULL), -EINVAL);
	ck_assert_int_eq(g_ipsec_la_packet_encap(&gt_h, 0, &so, 1, NULL, &out, NULL), -EINVAL);
	ck_assert_int_eq(g_ipsec_la_packet_encap(&gt_h, 0, &so, 1, &in, NULL, NULL), -EINVAL);
	ck_assert_int_eq(g_ipsec_la_packet_encap(&gt_h, 0, &so, 1, &nul, &out, NULL), -EINVAL);
	ck_assert_int_eq(g_ipsec_la_packet_encap(&gt_h, 0, &so, 17, &in, &out, NULL), -EINVAL);
	ck_assert_int_eq(g_ipsec_la_packet_encap(NULL, 0, &so, 1, &in, &out, NULL), -EINVAL);
	ck_assert_msg(g_ipsec_la_packet_encap(&gt_h, G_IPSEC_LA_CTRL_FLAG_ASYNC, &so, 1,
					      &in, &out, NULL) == -EINVAL,
		      "ASYNC without a response callback");

	gt_fill_sa(&sa, SPI_B);
	sa.crypto_params.comb_key_len_bits = 17 * 8;	/* bad key length */
	ck_assert_msg(gt_add_sa(&gt_h, G_IPSEC_LA_IPSEC_OUTBOUND, &sa, &sh) == -EINVAL,
		      "a 17-byte GCM key must be -EINVAL");
	gt_fill_sa(&sa, SPI_B);
	ain.dir = G_IPSEC_LA_IPSEC_OUTBOUND;
	ain.num_sas = 0;
	ain.sa_params = &sa;
	memset(&aout, 0, sizeof(aout));
	aout.handles = &sh;
	ck_assert_int_eq(g_ipsec_la_sa_add(&gt_h, &ain, 0, &aout, NULL), -EINVAL);
	ain.num_sas = 1;
	ck_assert_int_eq(g_ipsec_la_sa_add(&gt_h, NULL, 0, &aout, NULL), -EINVAL);
	ck_assert_int_eq(g_ipsec_la_sa_add(&gt_h, &ain, 0, NULL, NULL), -EINVAL);
	aout.handles = NULL;
	ck_assert_int_eq(g_ipsec_la_sa_add(&gt_h, &ain, 0, &aout, NULL), -EINVAL);
	aout.handles = &sh;
	ain.dir = (enum g_ipsec_la_sa_direction)5;
	ck_assert_int_eq(g_ipsec_la_sa_add(&gt_h, &ain, 0, &aout, NULL), -EINVAL);
	ain.dir = G_IPSEC_LA_IPSEC_OUTBOUND;
	ck_assert_int_eq(g_ipsec_la_sa_add(&gt_h, &ain, 0, &aout, NULL), 0);
	ck_assert_int_eq(aout.result, 0);
}
END_TEST

START_TEST(batch_of_sas)
{
	struct g_ipsec_la_sa sas[8];
	struct g_ipsec_la_sa_handle hs[8];
	struct g_ipsec_la_sa_add_inargs ain = { G_IPSEC_LA_IPSEC_OUTBOUND, 8, sas };
	struct g_ipsec_la_sa_add_outargs aout;
	unsigned int i;
	int ret;

	for (i = 0; i < 8; i++)
		gt_fill_sa(&sas[i], 0x100000 + i);
	memset(&aout, 0, sizeof(aout));
	aout.handles = hs;
	ret = g_ipsec_la_sa_add(&gt_h, &ain, 0, &aout, NULL);
	ck_assert_msg(ret == 0, "adding 8 SAs at once: %d", ret);
	for (i = 0; i < 8; i++) {
		uint32_t el = sizeof(esp);

		gt_build_packet(pkt, 60, (uint8_t)i);
		ck_assert_int_eq(gt_encap(&hs[i], pkt, 60, esp, &el), 0);
		ck_assert_msg(esp[23] == i && esp[21] == 0x10, "SA %u: wrong SPI on the wire", i);
	}
	sas[5].crypto_params.comb_key_len_bits = 8;
	for (i = 0; i < 8; i++)
		sas[i].spi += 0x1000;
	ret = g_ipsec_la_sa_add(&gt_h, &ain, 0, &aout, NULL);
	ck_assert_msg(ret == -EINVAL && aout.failed_index == 5,
		      "bad SA 5 of 8: got %d, index %u", ret, aout.failed_index);
}
END_TEST

Suite *suite_packets(void)
{
	Suite *s = suite_create("packets");
	TCase *tc = tcase_create("gcm-tunnel");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, gt_close);
	tcase_add_test(tc, round_trip_many_sizes);
	tcase_add_test(tc, icv_failure_then_replay_then_late);
	tcase_add_test(tc, output_too_small);
	tcase_add_test(tc, unknown_and_deleted_sa);
	tcase_add_test(tc, wrong_direction_and_bad_args);
	tcase_add_test(tc, batch_of_sas);
	suite_add_tcase(s, tc);
	return s;
}
