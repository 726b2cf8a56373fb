// SPDX-License-Identifier: BSD-3-Clause
/*
 * Every SA field and flag of the seed honoured through the accelerator or
 * refused up front (issue 11 items 1 and 9): capabilities that match what
 * SA_ADD really takes (key sizes per algorithm, SHA-2 variants, TFC, ECN,
 * DF), the outer TTL, TFC padding, RFC 6040 ECN both ways, TTL decrement
 * and the inner-source selector on the packets, the family of a transport
 * SA, and NO_RESP_EXPECTED packet calls writing their output. Runs on the
 * host over the software accelerator and in the guest over the device.
 * (The bytes on the wire are checked against Scapy in tests/interop.)
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gapi.h"

static const uint8_t keymat[36] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66 };
static const uint8_t akey[32] = { 0x77 };

static uint16_t csum(const uint8_t *p, unsigned int n)
{
	uint32_t s = 0;

	for (unsigned int i = 0; i < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Inner IPv4 packet with the given TOS byte (checksum fixed). */
static void packet_tos(uint8_t *p, uint16_t len, uint8_t tos)
{
	ga_packet(p, len, 3);
	p[1] = tos;
	p[10] = p[11] = 0;
	p[10] = (uint8_t)(csum(p, 20) >> 8);
	p[11] = (uint8_t)csum(p, 20);
}

/* Set the ECN bits of an outer IPv4 header (not covered by the ICV). */
static void outer_ecn(uint8_t *p, uint8_t ecn)
{
	p[1] = (uint8_t)((p[1] & 0xfc) | ecn);
	p[10] = p[11] = 0;
	p[10] = (uint8_t)(csum(p, 20) >> 8);
	p[11] = (uint8_t)csum(p, 20);
}

static int add_del(struct g_ipsec_la_sa *sa)
{
	struct g_ipsec_la_sa_handle h;
	struct g_ipsec_la_sa_del_inargs d = { G_IPSEC_LA_IPSEC_OUTBOUND, &h };
	int ret = ga_add(&ga_h, G_IPSEC_LA_IPSEC_OUTBOUND, sa, &h);

	if (!ret)
		ck_assert_int_eq(g_ipsec_la_sa_del(&ga_h, &d, 0, NULL, NULL), 0);
	return ret;
}

/*
 * capabilities_get says which key sizes each algorithm takes: every size
 * it names is accepted by sa_add and every other size refused (the
 * intel-ipsec-mb backend has no AES-CCM-192, AF_ALG has), and the seed's
 * bits follow config space instead of being constants.
 */
START_TEST(caps_match_sa_add)
{
	static const struct {
		int comb, alg, salt;
	} algs[] = {
		{ 0, G_IPSEC_LA_CIPHER_ALGO_NULL, 0 },
		{ 0, G_IPSEC_LA_ALG_3DES_CBC, 0 },
		{ 0, G_IPSEC_LA_ALG_AES_CBC, 0 },
		{ 0, G_IPSEC_LA_ALG_AES_CTR, 4 },
		{ 1, G_IPSEC_LA_COMB_AES_GCM, 4 },
		{ 1, G_IPSEC_LA_COMB_AES_CCM, 3 },
		{ 1, G_IPSEC_LA_COMB_AES_GMAC, 4 },
		{ 1, G_IPSEC_LA_COMB_CHACHA20_POLY1305, 4 },
	};
	const struct g_ipsec_la_capabilities *c = &ga_caps.caps;
	struct g_ipsec_la_sa sa;
	unsigned int a, n, accepted = 0;

	ck_assert_msg(c->tfc && c->ecn && c->df && c->outer_ttl &&
		      c->ttl_decrement && c->inner_src_selector,
		      "the engine honours TFC, ECN, DF, TTL, TTL decrement and "
		      "the selector: tfc %u ecn %u df %u ttl %u dec %u sel %u",
		      c->tfc, c->ecn, c->df, c->outer_ttl, c->ttl_decrement,
		      c->inner_src_selector);
	ck_assert_msg(c->flow_label == c->ipv6_support,
		      "flow label with IPv6 only");
	ck_assert_msg(c->auth_algo_caps.sha2_256 && c->auth_algo_caps.sha2_384 &&
		      c->auth_algo_caps.sha2_512 && c->auth_algo_caps.sha2,
		      "every SHA-2 variant is reported");
	for (a = 0; a < sizeof(algs) / sizeof(algs[0]); a++) {
		uint8_t sizes = algs[a].comb ? c->comb_key_sizes[algs[a].alg] :
					       c->cipher_key_sizes[algs[a].alg];

		for (n = 0; n <= 4; n++) {
			uint32_t bits = n * 64 + (uint32_t)algs[a].salt * 8;
			int ret, want = !!(sizes & G_IPSEC_LA_KEY_SIZE_BIT(n * 64));

			ga_sa(&sa, 0x7100 + a * 8 + n);
			if (algs[a].comb) {
				sa.crypto_params.comb_algo =
					(enum g_ipsec_la_comb_alg)algs[a].alg;
				sa.crypto_params.comb_key = keymat;
				sa.crypto_params.comb_key_len_bits = bits;
				sa.crypto_params.icv_len_bits = 128;
			} else {
				sa.crypto_params.comb_algo = 0;
				sa.crypto_params.icv_len_bits = 0;
				sa.crypto_params.cipher_algo =
					(enum g_ipsec_la_cipher_alg)algs[a].alg;
				sa.crypto_params.cipher_key = keymat;
				sa.crypto_params.cipher_key_len_bits = bits;
				sa.crypto_params.auth_algo =
					G_IPSEC_LA_AUTH_ALG_SHA2_256_HMAC;
				sa.crypto_params.auth_key = akey;
				sa.crypto_params.auth_key_len_bits = 256;
			}
			ret = add_del(&sa);
			ck_assert_msg((ret == 0) == want,
				      "algorithm %u (comb %d) key %u bits: capabilities "
				      "say %d, sa_add %d", algs[a].alg, algs[a].comb,
				      n * 64, want, ret);
			accepted += !ret;
		}
	}
	ck_assert_msg(accepted >= 12, "only %u algorithm/key sizes usable",
		      accepted);
}
END_TEST

/* Outer TTL, TFC padding and RFC 6040 normal / compatibility mode. */
START_TEST(outbound_ttl_tfc_ecn)
{
	struct g_ipsec_la_sa sa;
	struct g_ipsec_la_sa_handle o, i, o2;
	uint8_t p[100], e[600], back[600];
	uint32_t len, blen;

	ga_sa(&sa, 0x7201);
	sa.u.outb.ttl = 17;
	sa.u.outb.tfc_pad_to = 300;
	sa.cmn_flags = G_IPSEC_LA_SA_USE_ECN;
	ck_assert_int_eq(ga_add(&ga_h, G_IPSEC_LA_IPSEC_OUTBOUND, &sa, &o), 0);
	ga_sa(&sa, 0x7201);
	ck_assert_int_eq(ga_add(&ga_h, G_IPSEC_LA_IPSEC_INBOUND, &sa, &i), 0);
	ga_sa(&sa, 0x7202);
	ck_assert_int_eq(ga_add(&ga_h, G_IPSEC_LA_IPSEC_OUTBOUND, &sa, &o2), 0);

	packet_tos(p, sizeof(p), 0xb9); /* DSCP 46, ECT(1) */
	len = sizeof(e);
	ck_assert_int_eq(ga_xf(&ga_h, 1, &o, p, sizeof(p), e, &len), 0);
	ck_assert_msg(e[8] == 17, "outer TTL %u, want 17", e[8]);
	ck_assert_msg(e[1] == 0xb9, "outer TOS 0x%02x: normal mode copies ECN",
		      e[1]);
	/* outer 20 + SPI/seq 8 + IV 8 + 300 padded + pad + 2 + ICV 16 */
	ck_assert_msg(len >= 20 + 8 + 8 + 300 + 2 + 16 &&
		      len <= 20 + 8 + 8 + 300 + 5 + 16,
		      "ESP of %u bytes: the inner packet was not padded to 300",
		      len);
	blen = sizeof(back);
	ck_assert_int_eq(ga_xf(&ga_h, 0, &i, e, len, back, &blen), 0);
	ck_assert_msg(blen == sizeof(p) && !memcmp(back, p, sizeof(p)),
		      "TFC padding not stripped on decap (%u bytes)", blen);

	len = sizeof(e);
	ck_assert_int_eq(ga_xf(&ga_h, 1, &o2, p, sizeof(p), e, &len), 0);
	ck_assert_msg(e[1] == 0xb8 && e[8] == 64,
		      "without USE_ECN: outer TOS 0x%02x (want Not-ECT 0xb8), TTL %u",
		      e[1], e[8]);
	ck_assert_msg(len < 200, "no TFC padding asked, %u bytes", len);
}
END_TEST

/* RFC 6040 decap: outer CE marks ECT inner CE, drops a Not-ECT one. */
START_TEST(inbound_ecn_combination)
{
	struct g_ipsec_la_sa sa;
	struct g_ipsec_la_sa_handle o, i, i2;
	uint8_t p[80], e[300], back[300];
	uint32_t len, blen;

	ga_sa(&sa, 0x7301);
	sa.cmn_flags = G_IPSEC_LA_SA_USE_ECN;
	ck_assert_int_eq(ga_add(&ga_h, G_IPSEC_LA_IPSEC_OUTBOUND, &sa, &o), 0);
	ga_sa(&sa, 0x7301);
	sa.u.inb.flags = G_IPSEC_LA_INB_SA_PROPAGATE_ECN;
	ck_assert_int_eq(ga_add(&ga_h, G_IPSEC_LA_IPSEC_INBOUND, &sa, &i), 0);

	packet_tos(p, sizeof(p), 0x02); /* ECT(0) */
	len = sizeof(e);
	ck_assert_int_eq(ga_xf(&ga_h, 1, &o, p, sizeof(p), e, &len), 0);
	outer_ecn(e, 3); /* congestion experienced on the path */
	blen = sizeof(back);
	ck_assert_int_eq(ga_xf(&ga_h, 0, &i, e, len, back, &blen), 0);
	ck_assert_msg(back[1] == 0x03 && csum(back, 20) == 0,
		      "inner TOS 0x%02x after outer CE, want CE", back[1]);

	packet_tos(p, sizeof(p), 0x00); /* Not-ECT */
	len = sizeof(e);
	ck_assert_int_eq(ga_xf(&ga_h, 1, &o, p, sizeof(p), e, &len), 0);
	ck_assert_msg((e[1] & 3) == 0, "outer ECN of a Not-ECT packet");
	outer_ecn(e, 3);
	blen = sizeof(back);
	ck_assert_msg(ga_xf(&ga_h, 0, &i, e, len, back, &blen) == -EPROTO,
		      "outer CE over a Not-ECT inner packet must be dropped");

	/* without the flag the inner header is left alone */
	ga_sa(&sa, 0x7301);
	sa.spi = 0x7302;
	ck_assert_int_eq(ga_add(&ga_h, G_IPSEC_LA_IPSEC_OUTBOUND, &sa, &o), 0);
	ga_sa(&sa, 0x7302);
	ck_assert_int_eq(ga_add(&ga_h, G_IPSEC_LA_IPSEC_INBOUND, &sa, &i2), 0);
	packet_tos(p, sizeof(p), 0x02);
	len = sizeof(e);
	ck_assert_int_eq(ga_xf(&ga_h, 1, &o, p, sizeof(p), e, &len), 0);
	outer_ecn(e, 3);
	blen = sizeof(back);
	ck_assert_int_eq(ga_xf(&ga_h, 0, &i2, e, len, back, &blen), 0);
	ck_assert_msg(back[1] == 0x02, "inner TOS 0x%02x changed without ECN",
		      back[1]);
}
END_TEST

/* TTL decrement and the inner-source selector (-EACCES). */
static void add_sel_pair(uint32_t spi, const char *prefix,
			 struct g_ipsec_la_sa_handle *o,
			 struct g_ipsec_la_sa_handle *i)
{
	struct g_ipsec_la_sa sa;

	ga_sa(&sa, spi);
	ck_assert_int_eq(ga_add(&ga_h, G_IPSEC_LA_IPSEC_OUTBOUND, &sa, o), 0);
	sa.u.inb.flags = G_IPSEC_LA_INB_SA_DECREMENT_TTL |
			 G_IPSEC_LA_INB_SA_CHECK_SELECTOR;
	sa.u.inb.sel_src.version = 4;
	memcpy(sa.u.inb.sel_src.addr.ipv4, prefix, 4);
	sa.u.inb.sel_prefix_len = 16;
	ck_assert_int_eq(ga_add(&ga_h, G_IPSEC_LA_IPSEC_INBOUND, &sa, i), 0);
}

START_TEST(inbound_ttl_selector)
{
	struct g_ipsec_la_sa_handle o, i, o2, i2;
	uint8_t p[80], e[300], back[300];
	uint32_t len, blen;

	/* ga_packet's inner source is 10.1.0.1 */
	add_sel_pair(0x7401, "\x0a\x01\x00\x00", &o, &i);
	add_sel_pair(0x7402, "\x0a\x02\x00\x00", &o2, &i2);

	ga_packet(p, sizeof(p), 4);
	len = sizeof(e);
	ck_assert_int_eq(ga_xf(&ga_h, 1, &o, p, sizeof(p), e, &len), 0);
	blen = sizeof(back);
	ck_assert_int_eq(ga_xf(&ga_h, 0, &i, e, len, back, &blen), 0);
	ck_assert_msg(blen == sizeof(p) && back[8] == p[8] - 1 &&
		      csum(back, 20) == 0,
		      "inner TTL %u (was %u) or checksum not updated", back[8],
		      p[8]);
	ck_assert_msg(!memcmp(back + 12, p + 12, sizeof(p) - 12),
		      "inner packet changed beyond TTL and checksum");

	len = sizeof(e);
	ck_assert_int_eq(ga_xf(&ga_h, 1, &o2, p, sizeof(p), e, &len), 0);
	blen = sizeof(back);
	ck_assert_msg(ga_xf(&ga_h, 0, &i2, e, len, back, &blen) == -EACCES,
		      "inner source outside the selector must be -EACCES");

	/* TTL 1 cannot be decremented: refused, never passed on with 0 */
	p[8] = 1;
	p[10] = p[11] = 0;
	p[10] = (uint8_t)(csum(p, 20) >> 8);
	p[11] = (uint8_t)csum(p, 20);
	len = sizeof(e);
	ck_assert_int_eq(ga_xf(&ga_h, 1, &o, p, sizeof(p), e, &len), 0);
	blen = sizeof(back);
	ck_assert_msg(ga_xf(&ga_h, 0, &i, e, len, back, &blen) == -EPROTO,
		      "inner TTL 1 with TTL decrement must be refused");
}
END_TEST

/* Refused up front, with the documented errno, through the accelerator. */
START_TEST(refused_up_front)
{
	struct g_ipsec_la_sa sa;
	struct g_ipsec_la_sa_handle h;

	ga_sa(&sa, 0x7501);
	sa.u.outb.flow_label = 0x12345;
	ck_assert_msg(ga_add(&ga_h, G_IPSEC_LA_IPSEC_OUTBOUND, &sa, &h) ==
		      -EINVAL, "flow label on an IPv4 tunnel");
	ga_sa(&sa, 0x7501);
	sa.cmn_flags = G_IPSEC_LA_SA_ENCAP_TRANSPORT_MODE;
	memset(&sa.te_addr, 0, sizeof(sa.te_addr));
	ck_assert_msg(ga_add(&ga_h, G_IPSEC_LA_IPSEC_OUTBOUND, &sa, &h) ==
		      -EAFNOSUPPORT, "transport SA without a family");
	sa.u.outb.ttl = 9;
	sa.te_addr.dest_ip.version = 4;
	ck_assert_msg(ga_add(&ga_h, G_IPSEC_LA_IPSEC_OUTBOUND, &sa, &h) ==
		      -EINVAL, "outer TTL on a transport SA");
	sa.u.outb.ttl = 0;
	sa.cmn_flags |= G_IPSEC_LA_SA_USE_ECN; /* transport: a no-op, fine */
	ck_assert_int_eq(ga_add(&ga_h, G_IPSEC_LA_IPSEC_OUTBOUND, &sa, &h), 0);
	ga_sa(&sa, 0x7502);
	sa.u.inb.flags = G_IPSEC_LA_INB_SA_CHECK_SELECTOR;
	sa.u.inb.sel_src.version = 4;
	sa.u.inb.sel_prefix_len = 40;
	ck_assert_msg(ga_add(&ga_h, G_IPSEC_LA_IPSEC_INBOUND, &sa, &h) ==
		      -EINVAL, "IPv4 selector prefix of 40 bits");
	ck_assert_int_eq(ga_count_sas(&ga_h, G_IPSEC_LA_IPSEC_INBOUND), 0);
}
END_TEST

/*
 * NO_RESP_EXPECTED means no callback, not no output: the packet is
 * processed and written, lengths set, before the call returns (also with
 * ASYNC, and for multi-packet calls without results[]).
 */
START_TEST(no_resp_writes_output)
{
	const uint32_t nr = G_IPSEC_LA_CTRL_FLAG_NO_RESP_EXPECTED;
	struct g_ipsec_la_sa_handle o, i;
	uint8_t p[120], e[2][300], back[300];
	struct g_ipsec_la_data di = { p, sizeof(p) }, de[2], db;
	struct g_ipsec_la_packet pin[2], pout[2];
	uint32_t blen;
	int k;

	ck_assert_int_eq(ga_pair(&ga_h, 0x7601, &o, &i), 0);
	ga_packet(p, sizeof(p), 6);
	memset(e, 0, sizeof(e));
	de[0] = (struct g_ipsec_la_data){ e[0], sizeof(e[0]) };
	ck_assert_int_eq(g_ipsec_la_packet_encap(&ga_h, nr, &o, 1, &di, &de[0],
						 NULL), 0);
	ck_assert_msg(de[0].length > sizeof(p) && de[0].length < sizeof(e[0]),
		      "output length %u not set", de[0].length);
	blen = sizeof(back);
	ck_assert_int_eq(ga_xf(&ga_h, 0, &i, e[0], de[0].length, back, &blen),
			 0);
	ck_assert_msg(blen == sizeof(p) && !memcmp(back, p, sizeof(p)),
		      "NO_RESP output is not the encapsulated packet");

	de[0] = (struct g_ipsec_la_data){ e[0], sizeof(e[0]) };
	db = (struct g_ipsec_la_data){ back, sizeof(back) };
	ck_assert_int_eq(g_ipsec_la_packet_encap(&ga_h,
						 nr | G_IPSEC_LA_CTRL_FLAG_ASYNC,
						 &o, 1, &di, &de[0], NULL), 0);
	ck_assert_int_eq(g_ipsec_la_packet_decap(&ga_h, nr, &i, 1, &de[0], &db,
						 NULL), 0);
	ck_assert_msg(db.length == sizeof(p) && !memcmp(back, p, sizeof(p)),
		      "ASYNC|NO_RESP: output not written by the time it returns");
	/* a per-packet failure is still returned */
	de[1] = (struct g_ipsec_la_data){ e[1], 10 };
	ck_assert_int_eq(g_ipsec_la_packet_encap(&ga_h, nr, &o, 1, &di, &de[1],
						 NULL), -ENOSPC);

	for (k = 0; k < 2; k++) {
		de[k] = (struct g_ipsec_la_data){ e[k], sizeof(e[k]) };
		pin[k] = (struct g_ipsec_la_packet){ 1, &di };
		pout[k] = (struct g_ipsec_la_packet){ 1, &de[k] };
	}
	memset(e, 0, sizeof(e));
	ck_assert_int_eq(g_ipsec_la_multi_packet_encap(&ga_h, nr, &o, 2, pin,
						       pout, NULL, NULL), 2);
	for (k = 0; k < 2; k++) {
		blen = sizeof(back);
		ck_assert_msg(de[k].length > sizeof(p) &&
			      ga_xf(&ga_h, 0, &i, e[k], de[k].length, back,
				    &blen) == 0 && blen == sizeof(p),
			      "multi NO_RESP packet %d: length %u", k,
			      de[k].length);
	}
	ck_assert_int_eq(g_ipsec_la_poll(&ga_h, 0), 0); /* no callback */
}
END_TEST

Suite *suite_gapi_params(void)
{
	Suite *s = suite_create("gapi_params");
	TCase *t = tcase_create("params");

	tcase_add_checked_fixture(t, ga_setup, ga_teardown);
	tcase_set_timeout(t, 60);
	tcase_add_test(t, caps_match_sa_add);
	tcase_add_test(t, outbound_ttl_tfc_ecn);
	tcase_add_test(t, inbound_ecn_combination);
	tcase_add_test(t, inbound_ttl_selector);
	tcase_add_test(t, refused_up_front);
	tcase_add_test(t, no_resp_writes_output);
	suite_add_tcase(s, t);
	return s;
}
