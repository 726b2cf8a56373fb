// SPDX-License-Identifier: BSD-3-Clause
/*
 * Data path: packet_encap/decap with scatter-gather and every per-packet
 * error; multi_packet_encap/decap as one batch with per-packet results
 * (256 packets, good and tampered mixed).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gapi.h"

START_TEST(scatter_gather_round_trip)
{
	struct g_ipsec_la_sa_handle o, i;
	/* back: the decap segments below declare 500 bytes of capacity,
	 * which an accelerator may write whole (zero-copy: the device
	 * zeroes what the result leaves of it) */
	uint8_t p[300], e[400], back[500], *q;
	struct g_ipsec_la_data in[3], out[3];
	uint32_t k, total;

	ck_assert_int_eq(ga_pair(&ga_h, 0x5001, &o, &i), 0);
	ga_packet(p, sizeof(p), 5);
	in[0] = (struct g_ipsec_la_data){ p, 33 };
	in[1] = (struct g_ipsec_la_data){ p + 33, 0 };	/* skipped */
	in[2] = (struct g_ipsec_la_data){ p + 33, 267 };
	out[0] = (struct g_ipsec_la_data){ e, 50 };
	out[1] = (struct g_ipsec_la_data){ e + 50, 100 };
	out[2] = (struct g_ipsec_la_data){ e + 150, 250 };
	ck_assert_int_eq(g_ipsec_la_packet_encap(&ga_h, 0, &o, 3, in, out, NULL), 0);
	total = out[0].length + out[1].length + out[2].length;
	ck_assert_msg(out[0].length == 50 && out[1].length == 100 && total > 300,
		      "output lengths per segment, in order");
	in[0] = (struct g_ipsec_la_data){ e, 20 };
	in[1] = (struct g_ipsec_la_data){ e + 20, 100 };
	in[2] = (struct g_ipsec_la_data){ e + 120, total - 120 };
	q = back;
	/* decap needs room for the ciphertext (an upper bound), not just
	 * the inner packet */
	for (k = 0; k < 3; k++)
		out[k] = (struct g_ipsec_la_data){ q + 100 * k, k < 2 ? 100 : 300 };
	ck_assert_int_eq(g_ipsec_la_packet_decap(&ga_h, 0, &i, 3, in, out, NULL), 0);
	ck_assert_msg(out[0].length + out[1].length + out[2].length == 300 &&
		      !memcmp(back, p, 300), "decap gives back the packet");
}
END_TEST

START_TEST(packet_errors)
{
	struct g_ipsec_la_sa_handle o, i;
	uint8_t p[200], e[300], e2[300], b[300];
	uint32_t len = sizeof(e), blen, need;
	struct g_ipsec_la_data din = { p, 200 }, dout = { e, 10 };

	ck_assert_int_eq(ga_pair(&ga_h, 0x5101, &o, &i), 0);
	ga_packet(p, sizeof(p), 6);
	ck_assert_int_eq(g_ipsec_la_packet_encap(&ga_h, 0, &o, 1, &din, &dout, NULL),
			 -ENOSPC);
	need = dout.length;
	ck_assert_msg(need > 200 && need <= 300, "-ENOSPC reports the size needed");
	ck_assert_int_eq(ga_xf(&ga_h, 1, &o, p, sizeof(p), e, &len), 0);
	ck_assert_msg(len <= need, "needed size was enough");
	memcpy(e2, e, len);
	e2[len - 3] ^= 0x40;
	blen = sizeof(b);
	ck_assert_msg(ga_xf(&ga_h, 0, &i, e2, len, b, &blen) == -EBADMSG,
		      "tampered ICV");
	blen = sizeof(b);
	ck_assert_int_eq(ga_xf(&ga_h, 0, &i, e, len, b, &blen), 0);
	blen = sizeof(b);
	ck_assert_msg(ga_xf(&ga_h, 0, &i, e, len, b, &blen) == -EALREADY,
		      "replayed packet");
	blen = sizeof(b);
	ck_assert_msg(ga_xf(&ga_h, 0, &i, e, 30, b, &blen) == -EPROTO,
		      "truncated packet refused as malformed");
	blen = sizeof(b);
	ck_assert_msg(ga_xf(&ga_h, 1, &i, p, sizeof(p), b, &blen) == -EINVAL,
		      "encap with an inbound SA");
	ck_assert_int_eq(g_ipsec_la_packet_encap(&ga_h, 0, &o, 0, &din, &dout, NULL),
			 -EINVAL);
	ck_assert_int_eq(g_ipsec_la_packet_encap(&ga_h, 0, &o,
						 G_IPSEC_LA_MAX_SG_ELEM + 1,
						 &din, &dout, NULL), -EINVAL);
	ck_assert_int_eq(g_ipsec_la_packet_encap(&ga_h, 0, NULL, 1, &din, &dout,
						 NULL), -EINVAL);
}
END_TEST

#define NB 256

/*
 * ODP style: a call consumes up to the device's max_batch packets in one
 * request and returns how many; the caller submits the rest. With a device
 * of max-batch >= 256 the 256 packets go in one call each way.
 */
static uint32_t submit_all(int enc, const struct g_ipsec_la_sa_handle *sa,
			   const struct g_ipsec_la_packet *pin,
			   struct g_ipsec_la_packet *pout,
			   struct g_ipsec_la_pkt_result *r, uint32_t lim)
{
	uint32_t off = 0, calls = 0;
	int n;

	while (off < NB) {
		n = enc ? g_ipsec_la_multi_packet_encap(&ga_h, 0, sa, NB - off,
							pin + off, pout + off,
							r + off, NULL) :
			  g_ipsec_la_multi_packet_decap(&ga_h, 0, sa, NB - off,
							pin + off, pout + off,
							r + off, NULL);
		ck_assert_msg(n > 0 && (uint32_t)n == (NB - off < lim ? NB - off : lim),
			      "packets consumed: %d (offered %u, max_batch %u)",
			      n, NB - off, lim);
		off += (uint32_t)n;
		calls++;
	}
	return calls;
}

START_TEST(multi_256_mixed)
{
	static uint8_t p[NB][120], e[NB][200], b[NB][200];
	static struct g_ipsec_la_data di[NB], dout[NB];
	static struct g_ipsec_la_packet pin[NB], pout[NB];
	static struct g_ipsec_la_pkt_result r[NB];
	struct g_ipsec_la_sa_handle o, i;
	uint32_t k, lim, calls, bad = 0;

	ck_assert_int_eq(ga_pair(&ga_h, 0x5201, &o, &i), 0);
	lim = ga_caps.caps.max_batch < NB ? ga_caps.caps.max_batch : NB;
	for (k = 0; k < NB; k++) {
		ga_packet(p[k], 120, (uint8_t)k);
		di[k] = (struct g_ipsec_la_data){ p[k], 120 };
		dout[k] = (struct g_ipsec_la_data){ e[k], 200 };
		pin[k] = (struct g_ipsec_la_packet){ 1, &di[k] };
		pout[k] = (struct g_ipsec_la_packet){ 1, &dout[k] };
	}
	calls = submit_all(1, &o, pin, pout, r, lim);
	printf("multi_256_mixed: 256 packets in %u call(s) each way "
	       "(max_batch %u)\n", calls, ga_caps.caps.max_batch);
	for (k = 0; k < NB; k++) {
		ck_assert_msg(r[k].result == 0 && r[k].seq_num == k + 1,
			      "packet %u: %d seq %u", k, r[k].result, r[k].seq_num);
		di[k] = (struct g_ipsec_la_data){ e[k], dout[k].length };
		dout[k] = (struct g_ipsec_la_data){ b[k], 200 };
		if (k % 3 == 1) {		/* tamper every third */
			e[k][40] ^= 1;
			bad++;
		}
	}
	submit_all(0, &i, pin, pout, r, lim);
	for (k = 0; k < NB; k++) {
		if (k % 3 == 1) {
			ck_assert_msg(r[k].result == -EBADMSG,
				      "tampered packet %u: %d", k, r[k].result);
			continue;
		}
		ck_assert_msg(r[k].result == 0 && dout[k].length == 120 &&
			      !memcmp(b[k], p[k], 120), "good packet %u: %d", k,
			      r[k].result);
	}
	ck_assert_msg(bad == 85, "85 of 256 tampered");
	ck_assert_int_eq(g_ipsec_la_multi_packet_decap(&ga_h, 0, &i, 1, pin,
						       pout, NULL, NULL), -EINVAL);
	ck_assert_int_eq(g_ipsec_la_multi_packet_decap(&ga_h, 0, &o, 1, pin, pout,
						       r, NULL), -EINVAL);
}
END_TEST

START_TEST(one_process_cannot_use_another_handles_sa)
{
	struct g_ipsec_la_handle other;
	struct g_ipsec_la_sa_handle o, i;
	uint8_t p[100], e[200];
	uint32_t len = sizeof(e);

	ck_assert_int_eq(ga_pair(&ga_h, 0x5301, &o, &i), 0);
	ck_assert_int_eq(ga_open(G_IPSEC_LA_INSTANCE_SHARED, "thief", &other), 0);
	ga_packet(p, sizeof(p), 7);
	ck_assert_msg(ga_xf(&other, 1, &o, p, sizeof(p), e, &len) == -EINVAL,
		      "another handle's SA handle is refused");
	ck_assert_int_eq(g_ipsec_la_close(&other), 0);
}
END_TEST

Suite *suite_gapi_data(void)
{
	Suite *s = suite_create("gapi_data");
	TCase *t = tcase_create("data");

	tcase_add_checked_fixture(t, ga_setup, ga_teardown);
	tcase_set_timeout(t, 60);
	tcase_add_test(t, scatter_gather_round_trip);
	tcase_add_test(t, packet_errors);
	tcase_add_test(t, multi_256_mixed);
	tcase_add_test(t, one_process_cannot_use_another_handles_sa);
	suite_add_tcase(s, t);
	return s;
}
