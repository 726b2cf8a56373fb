// SPDX-License-Identifier: BSD-3-Clause
/*
 * SA lifecycle: sa_add (batches, all or nothing), sa_del, sa_flush,
 * sa_get (first N, next N, exact; parameters and statistics), sa_mod
 * (peer gateway, sequence number, replay window).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gapi.h"

static int ga_sa_get_supported(void)
{
	return ga_count_sas(&ga_h, G_IPSEC_LA_IPSEC_OUTBOUND) != -EOPNOTSUPP;
}

START_TEST(sa_add_batch_all_or_nothing)
{
	struct g_ipsec_la_sa sas[4];
	struct g_ipsec_la_sa_handle hs[4];
	struct g_ipsec_la_sa_add_inargs in = { G_IPSEC_LA_IPSEC_OUTBOUND, 4, sas };
	struct g_ipsec_la_sa_add_outargs out = { .handles = hs };
	int i, ret;

	for (i = 0; i < 4; i++)
		ga_sa(&sas[i], 0x4000 + (uint32_t)i);
	sas[2].crypto_params.comb_key_len_bits = 100;	/* invalid */
	ck_assert_int_eq(g_ipsec_la_sa_add(&ga_h, &in, 0, &out, NULL), -EINVAL);
	ck_assert_msg(out.failed_index == 2 && out.result == -EINVAL,
		      "failed_index names the bad SA (got %u)", out.failed_index);
	if (ga_sa_get_supported())
		ck_assert_msg(ga_count_sas(&ga_h, G_IPSEC_LA_IPSEC_OUTBOUND) == 0,
			      "nothing may be left of a refused batch");
	ga_sa(&sas[2], 0x4002);
	ck_assert_int_eq(g_ipsec_la_sa_add(&ga_h, &in, 0, &out, NULL), 0);
	ck_assert_int_eq(out.result, 0);
	if (ga_sa_get_supported())
		ck_assert_int_eq(ga_count_sas(&ga_h, G_IPSEC_LA_IPSEC_OUTBOUND), 4);

	/* a device refusal in the middle of a batch: duplicate inbound SPI */
	in.dir = G_IPSEC_LA_IPSEC_INBOUND;
	in.num_sas = 2;
	ga_sa(&sas[0], 0x4100);
	ga_sa(&sas[1], 0x4100);
	ret = g_ipsec_la_sa_add(&ga_h, &in, 0, &out, NULL);
	if (ret == 0)
		GA_SKIP("accelerator accepts a duplicate inbound SPI+destination "
			"(engine duplicate-SPI check not present)");
	ck_assert_msg(ret == -EEXIST, "duplicate SPI: %d", ret);
	ck_assert_msg(out.failed_index == 1, "failed_index %u", out.failed_index);
	if (ga_sa_get_supported())
		ck_assert_msg(ga_count_sas(&ga_h, G_IPSEC_LA_IPSEC_INBOUND) == 0,
			      "all or nothing: the first SA of the batch was removed");
	in.num_sas = 0;
	ck_assert_int_eq(g_ipsec_la_sa_add(&ga_h, &in, 0, &out, NULL), -EINVAL);
	in.num_sas = G_IPSEC_LA_MAX_SA_BATCH + 1;
	ck_assert_int_eq(g_ipsec_la_sa_add(&ga_h, &in, 0, &out, NULL), -EINVAL);
}
END_TEST

START_TEST(sa_del_errors)
{
	struct g_ipsec_la_sa_handle o, i, forged;
	struct g_ipsec_la_sa_del_inargs d = { G_IPSEC_LA_IPSEC_INBOUND, &o };
	struct g_ipsec_la_sa_del_outargs out;
	struct g_ipsec_la_handle other;

	ck_assert_int_eq(ga_pair(&ga_h, 0x4201, &o, &i), 0);
	ck_assert_msg(g_ipsec_la_sa_del(&ga_h, &d, 0, &out, NULL) == -EINVAL,
		      "direction must match the SA");
	ck_assert_int_eq(out.result, -EINVAL);
	ck_assert_int_eq(ga_open(G_IPSEC_LA_INSTANCE_SHARED, "other", &other), 0);
	d.dir = G_IPSEC_LA_IPSEC_OUTBOUND;
	ck_assert_msg(g_ipsec_la_sa_del(&other, &d, 0, NULL, NULL) == -EINVAL,
		      "an SA handle of another accelerator handle is refused");
	ck_assert_int_eq(g_ipsec_la_close(&other), 0);
	ck_assert_int_eq(g_ipsec_la_sa_del(&ga_h, &d, 0, &out, NULL), 0);
	ck_assert_int_eq(out.result, 0);
	ck_assert_msg(g_ipsec_la_sa_del(&ga_h, &d, 0, NULL, NULL) == -ENOENT,
		      "deleting a deleted SA");
	forged = i;
	forged.ipsec_sa_handle[4] += 7;	/* an id nobody gave us */
	d.dir = G_IPSEC_LA_IPSEC_INBOUND;
	d.handle = &forged;
	ck_assert_int_eq(g_ipsec_la_sa_del(&ga_h, &d, 0, NULL, NULL), -ENOENT);
	d.handle = NULL;
	ck_assert_int_eq(g_ipsec_la_sa_del(&ga_h, &d, 0, NULL, NULL), -EINVAL);
}
END_TEST

START_TEST(sa_flush_group)
{
	struct g_ipsec_la_create_group_inargs gi = { .group_identity = "flushme" };
	struct g_ipsec_la_create_group_outargs go;
	struct g_ipsec_la_handle gh = ga_h;
	struct g_ipsec_la_sa_handle o[3], i[3], keep_o, keep_i;
	uint8_t p[100], e[200];
	uint32_t len = sizeof(e), k;

	ck_assert_int_eq(g_ipsec_la_create_group(&ga_h, &gi, 0, &go, NULL), 0);
	memcpy(gh.group_handle, go.group_handle, sizeof(gh.group_handle));
	for (k = 0; k < 3; k++)
		ck_assert_int_eq(ga_pair(&gh, 0x4300 + k, &o[k], &i[k]), 0);
	ck_assert_int_eq(ga_pair(&ga_h, 0x4310, &keep_o, &keep_i), 0);
	ck_assert_int_eq(g_ipsec_la_sa_flush(&gh, 0, NULL), 0);
	ga_packet(p, sizeof(p), 2);
	ck_assert_msg(ga_xf(&gh, 1, &o[1], p, sizeof(p), e, &len) == -ENOENT,
		      "a flushed SA is gone");
	len = sizeof(e);
	ck_assert_msg(ga_xf(&ga_h, 1, &keep_o, p, sizeof(p), e, &len) == 0,
		      "flush of one group keeps the other group's SAs");
	ck_assert_int_eq(g_ipsec_la_delete_group(&gh), 0);
	ck_assert_msg(g_ipsec_la_sa_flush(&gh, 0, NULL) == -ENOENT,
		      "flush of a deleted group");
	ck_assert_int_eq(g_ipsec_la_sa_flush(&ga_h, 1u << 9, NULL), -EINVAL);
}
END_TEST

START_TEST(sa_get_first_next_exact)
{
	struct g_ipsec_la_sa_handle ho[5], hi[2], hs[8];
	struct g_ipsec_la_sa sas[8];
	struct g_ipsec_la_sa_stats st[8];
	struct g_ipsec_la_sa sa;
	struct g_ipsec_la_sa_get_inargs in = {
		.dir = G_IPSEC_LA_IPSEC_OUTBOUND,
		.operation = G_IPSEC_LA_SA_GET_FIRST_N, .num_sas = 3,
		.flags = G_IPSEC_LA_SA_GET_PARAMS | G_IPSEC_LA_SA_GET_STATS,
	};
	struct g_ipsec_la_sa_get_outargs out = { .sa_params = sas,
						 .stats = st, .handles = hs };
	uint8_t p[100], e[200];
	uint32_t len, k;
	int ret;

	for (k = 0; k < 5; k++) {
		ga_sa(&sa, 0x4400 + k);
		ck_assert_int_eq(ga_add(&ga_h, G_IPSEC_LA_IPSEC_OUTBOUND, &sa, &ho[k]), 0);
	}
	for (k = 0; k < 2; k++) {
		ga_sa(&sa, 0x4500 + k);
		ck_assert_int_eq(ga_add(&ga_h, G_IPSEC_LA_IPSEC_INBOUND, &sa, &hi[k]), 0);
	}
	ga_packet(p, sizeof(p), 3);
	for (k = 0; k < 4; k++) {
		len = sizeof(e);
		ck_assert_int_eq(ga_xf(&ga_h, 1, &ho[0], p, sizeof(p), e, &len), 0);
	}
	ret = g_ipsec_la_sa_get(&ga_h, &in, 0, &out, NULL);
	if (ret == -EOPNOTSUPP)
		GA_SKIP("accelerator did not negotiate SA_GET");
	ck_assert_int_eq(ret, 0);
	ck_assert_msg(out.num_sas == 3 && out.more == 1,
		      "FIRST_N 3 of 5 outbound: got %u more %u", out.num_sas, out.more);
	ck_assert_msg(sas[0].spi == 0x4400 && sas[0].crypto_params.comb_algo ==
		      G_IPSEC_LA_COMB_AES_GCM && !sas[0].crypto_params.comb_key,
		      "parameters come back without keys");
	ck_assert_msg(st[0].packets_processed == 4 && st[0].bytes_processed == 400,
		      "statistics of the SA used: %llu packets %llu bytes",
		      (unsigned long long)st[0].packets_processed,
		      (unsigned long long)st[0].bytes_processed);
	ck_assert_int_eq(st[1].packets_processed, 0);
	in.operation = G_IPSEC_LA_SA_GET_NEXT_N;
	in.handle = &hs[2];
	in.num_sas = 8;
	ck_assert_int_eq(g_ipsec_la_sa_get(&ga_h, &in, 0, &out, NULL), 0);
	ck_assert_msg(out.num_sas == 2 && !out.more && sas[0].spi == 0x4403 &&
		      sas[1].spi == 0x4404, "NEXT_N returns the rest in order");
	in.operation = G_IPSEC_LA_SA_GET_EXACT;
	in.num_sas = 1;
	in.handle = &ho[1];
	ck_assert_int_eq(g_ipsec_la_sa_get(&ga_h, &in, 0, &out, NULL), 0);
	ck_assert_msg(out.num_sas == 1 && sas[0].spi == 0x4401, "EXACT");
	in.dir = G_IPSEC_LA_IPSEC_INBOUND;
	ck_assert_msg(g_ipsec_la_sa_get(&ga_h, &in, 0, &out, NULL) == -EINVAL,
		      "EXACT with the wrong direction");
	in.operation = G_IPSEC_LA_SA_GET_FIRST_N;
	in.num_sas = 8;
	ck_assert_int_eq(g_ipsec_la_sa_get(&ga_h, &in, 0, &out, NULL), 0);
	ck_assert_msg(out.num_sas == 2 && sas[0].spi == 0x4500, "inbound only");
	out.stats = NULL;
	ck_assert_int_eq(g_ipsec_la_sa_get(&ga_h, &in, 0, &out, NULL), -EINVAL);
	in.num_sas = 0;
	ck_assert_int_eq(g_ipsec_la_sa_get(&ga_h, &in, 0, &out, NULL), -EINVAL);
}
END_TEST

/* IPv4 outer destination of an ESP packet produced by encap. */
static int outer_dst_is(const uint8_t *e, const char *four)
{
	return !memcmp(e + 16, four, 4);
}

START_TEST(sa_mod_peer_and_seq)
{
	struct g_ipsec_la_sa_handle o, i;
	struct g_ipsec_la_sa_mod_inargs m = {
		.dir = G_IPSEC_LA_IPSEC_OUTBOUND, .handle = &o,
		.flags = G_IPSEC_LA_SA_MODIFY_PEER_GW_INFO,
	};
	struct g_ipsec_la_sa_modify_outargs mo;
	struct g_ipsec_la_data din, dout;
	struct g_ipsec_la_pkt_result r;
	struct g_ipsec_la_packet pin = { 1, &din }, pout = { 1, &dout };
	uint8_t p[100], e[200], b[200];
	uint32_t len = sizeof(e), blen = sizeof(b);
	int ret;

	ck_assert_int_eq(ga_pair(&ga_h, 0x4601, &o, &i), 0);
	ga_packet(p, sizeof(p), 4);
	m.u.addr_info.addr.version = 4;
	memcpy(m.u.addr_info.addr.addr.ipv4, "\xc6\x33\x64\x63", 4);
	ret = g_ipsec_la_sa_mod(&ga_h, &m, 0, &mo, NULL);
	if (ret == -EOPNOTSUPP)
		GA_SKIP("accelerator did not negotiate SA_MOD");
	ck_assert_msg(ret == 0 && mo.result == 0, "sa_mod peer: %d", ret);
	ck_assert_int_eq(ga_xf(&ga_h, 1, &o, p, sizeof(p), e, &len), 0);
	ck_assert_msg(outer_dst_is(e, "\xc6\x33\x64\x63"),
		      "the outer destination follows the new peer address");
	ck_assert_msg(ga_xf(&ga_h, 0, &i, e, len, b, &blen) == 0 && blen == 100 &&
		      !memcmp(b, p, 100), "keys kept: the peer still decrypts");

	/* outbound sequence number jumps, inbound window follows */
	m.flags = G_IPSEC_LA_SA_MODIFY_REPLAY_INFO;
	memset(&m.u, 0, sizeof(m.u));
	m.u.replay_info.flags = G_IPSEC_LA_SA_MODIFY_SEQ_NUM;
	m.u.replay_info.seq_num = 1000;
	ck_assert_int_eq(g_ipsec_la_sa_mod(&ga_h, &m, 0, NULL, NULL), 0);
	din = (struct g_ipsec_la_data){ p, sizeof(p) };
	dout = (struct g_ipsec_la_data){ e, sizeof(e) };
	ck_assert_int_eq(g_ipsec_la_multi_packet_encap(&ga_h, 0, &o, 1, &pin,
						       &pout, &r, NULL), 1);
	ck_assert_msg(r.result == 0 && r.seq_num == 1001,
		      "next sequence number after SEQ=1000: %u", r.seq_num);
	m.dir = G_IPSEC_LA_IPSEC_INBOUND;
	m.handle = &i;
	m.u.replay_info.flags = G_IPSEC_LA_SA_MODIFY_SEQ_NUM |
				G_IPSEC_LA_SA_MODIFY_ANTI_REPLAY_WINDOW;
	m.u.replay_info.seq_num = 5000;
	m.u.replay_info.anti_replay_window_size = 128;
	ck_assert_int_eq(g_ipsec_la_sa_mod(&ga_h, &m, 0, NULL, NULL), 0);
	blen = sizeof(b);
	ck_assert_msg(ga_xf(&ga_h, 0, &i, e, dout.length, b, &blen) == -ERANGE,
		      "seq 1001 is left of a 128-window at 5000: late");
	m.u.replay_info.anti_replay_window_size =
		ga_caps.caps.max_replay_window + 1;
	ck_assert_int_eq(g_ipsec_la_sa_mod(&ga_h, &m, 0, NULL, NULL), -EINVAL);
	m.flags = 99; /* no such kind */
	ck_assert_int_eq(g_ipsec_la_sa_mod(&ga_h, &m, 0, NULL, NULL), -EINVAL);
	m.flags = G_IPSEC_LA_SA_MODIFY_PEER_GW_INFO;
	m.dir = G_IPSEC_LA_IPSEC_OUTBOUND;	/* wrong for i */
	ck_assert_int_eq(g_ipsec_la_sa_mod(&ga_h, &m, 0, NULL, NULL), -EINVAL);
}
END_TEST

Suite *suite_gapi_sa(void)
{
	Suite *s = suite_create("gapi_sa");
	TCase *t = tcase_create("sa");

	tcase_add_checked_fixture(t, ga_setup, ga_teardown);
	tcase_add_test(t, sa_add_batch_all_or_nothing);
	tcase_add_test(t, sa_del_errors);
	tcase_add_test(t, sa_flush_group);
	tcase_add_test(t, sa_get_first_next_exact);
	tcase_add_test(t, sa_mod_peer_and_seq);
	suite_add_tcase(s, t);
	return s;
}
