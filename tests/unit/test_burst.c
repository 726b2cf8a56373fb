// SPDX-License-Identifier: BSD-3-Clause
/*
 * vpe_esp_encap_burst / vpe_esp_decap_burst give, packet by packet,
 * what the one-packet functions give in order: same bytes (AES-GCM's IV is
 * the sequence number, so outputs are deterministic), same statuses, same
 * sequence numbers, a replay inside one burst caught, a forged packet
 * refused with its output zeroed, bursts longer than VPE_ESP_BURST.
 */
#include <stdlib.h>
#include <string.h>

#include "tests.h"
#include "vipsec_esp.h"
#include "vipsec_sa.h"

#define NB	150	/* > 2 x VPE_ESP_BURST: crosses chunk borders */
#define BSZ	1600

static const uint8_t key[16] = "burst-key-012345";
static const uint8_t salt[4] = { 9, 8, 7, 6 };

static uint8_t in[NB][BSZ], o1[NB][BSZ], o2[NB][BSZ], d1[NB][BSZ],
	d2[NB][BSZ];
static uint32_t in_len[NB];

/* SAs 1, 3 outbound (SPI 0x10, 0x30); 2, 4 inbound (window 256). */
static struct vpe_core *burst_core(int cbc)
{
	struct vpe_core *c = test_core();
	uint8_t p[PARAMS_SIZE];
	struct virtio_ipsec_sa_params *sp = (void *)p;
	uint32_t k;

	for (k = 0; k < 2; k++) {
		uint8_t dir;

		for (dir = 0; dir < 2; dir++) {
			test_params(p, dir ? VIRTIO_IPSEC_DIR_INBOUND :
					     VIRTIO_IPSEC_DIR_OUTBOUND,
				    0x10 + 0x20 * k, key, 16, salt,
				    dir ? 256 : 0);
			if (cbc) {
				sp->cipher_alg = VIRTIO_IPSEC_CIPHER_AES_CBC;
				sp->auth_alg = VIRTIO_IPSEC_AUTH_HMAC_SHA256;
				sp->salt_len = 0;
				memset(sp->salt, 0, sizeof(sp->salt));
				sp->auth_key_len = 32;
				memset(sp->auth_key, 0x5a, 32);
			}
			ck_assert_int_eq(sa_add(c, 0, 1 + 2 * k + dir, p),
					 VIRTIO_IPSEC_OK);
		}
	}
	return c;
}

static struct vpe_sa *sa(struct vpe_core *c, uint32_t id)
{
	return vpe_sa_lookup(vpe_core_sadb(c), 0, id);
}

/* Packet i: SA by a pattern, varying sizes, one malformed, one too big. */
static void fill(void)
{
	uint32_t i;

	for (i = 0; i < NB; i++) {
		in_len[i] = 20 + (i * 37) % 1400;
		make_ipv4(in[i], in_len[i], (uint8_t)(i << 2), i & 1, i);
	}
	in[17][0] = 0x35;	/* not IPv4/IPv6: BADPKT */
}

static uint32_t sa_out(uint32_t i)
{
	return (i % 3) ? 1 : 3;
}

START_TEST(test_encap_burst_equals_single)
{
	struct vpe_core *a = burst_core(0), *b = burst_core(0);
	struct vpe_esp_pkt p[NB];
	struct vpe_esp_res r1[NB], r2[NB];
	uint32_t i;

	fill();
	for (i = 0; i < NB; i++) {
		uint32_t cap = i == 40 ? 30 : BSZ;	/* 40: DST_TOO_SMALL */

		vpe_esp_encap(vpe_core_crypto(a), sa(a, sa_out(i)), in[i],
			      in_len[i], o1[i], cap, &r1[i]);
		p[i] = (struct vpe_esp_pkt){ sa(b, sa_out(i)), in[i],
						in_len[i], o2[i], cap };
	}
	vpe_esp_encap_burst(vpe_core_crypto(b), p, NB, r2);
	ck_assert_int_eq(r1[17].status, VIRTIO_IPSEC_BADPKT);
	ck_assert_int_eq(r1[40].status, VIRTIO_IPSEC_DST_TOO_SMALL);
	for (i = 0; i < NB; i++) {
		ck_assert_msg(r1[i].status == r2[i].status &&
			      r1[i].out_len == r2[i].out_len &&
			      r1[i].seq == r2[i].seq,
			      "packet %u: single %u/%u/%lu, burst %u/%u/%lu", i,
			      r1[i].status, r1[i].out_len,
			      (unsigned long)r1[i].seq, r2[i].status,
			      r2[i].out_len, (unsigned long)r2[i].seq);
		ck_assert_msg(!memcmp(o1[i], o2[i], r1[i].out_len),
			      "packet %u: bytes differ", i);
	}
	ck_assert_uint_eq(sa(a, 1)->seq, sa(b, 1)->seq);
	ck_assert_uint_eq(vpe_sa_packets(sa(a, 1)), vpe_sa_packets(sa(b, 1)));
	ck_assert_uint_eq(sa(a, 3)->bytes, sa(b, 3)->bytes);
	vpe_core_free(a);
	vpe_core_free(b);
}
END_TEST

/*
 * In place, both forms (vipsec_esp.h): the inner packet after headroom of
 * vpe_esp_encap_hdr_len() bytes, or at the start of the output buffer.
 * Same statuses, lengths and sequence numbers as out of place; AES-GCM
 * (IV = sequence number) gives the same bytes; AES-CBC (random IVs) is
 * checked by decapsulating. The input is overwritten, so each packet is
 * copied into its own buffer first.
 */
static void in_place_case(int cbc)
{
	struct vpe_core *a = burst_core(cbc), *b = burst_core(cbc);
	struct vpe_esp_pkt p[NB];
	struct vpe_esp_res r1[NB], r2[NB];
	uint32_t i;

	fill();
	for (i = 0; i < NB; i++) {
		uint32_t cap = i == 40 ? 30 : BSZ; /* 40: DST_TOO_SMALL */
		struct vpe_sa *s = sa(b, sa_out(i));
		uint32_t head = (i & 1) ? 0 : vpe_esp_encap_hdr_len(s);

		ck_assert_uint_eq(vpe_esp_encap_hdr_len(s), cbc ? 44 : 36);
		p[i] = (struct vpe_esp_pkt){ sa(a, sa_out(i)), in[i],
						in_len[i], o1[i], cap };
		memcpy(o2[i] + head, in[i], in_len[i]);
		vpe_esp_encap_burst(vpe_core_crypto(a), &p[i], 1, &r1[i]);
		p[i] = (struct vpe_esp_pkt){ s, o2[i] + head, in_len[i], o2[i],
						cap };
	}
	vpe_esp_encap_burst(vpe_core_crypto(b), p, NB, r2);
	ck_assert_int_eq(r2[17].status, VIRTIO_IPSEC_BADPKT);
	ck_assert_int_eq(r2[40].status, VIRTIO_IPSEC_DST_TOO_SMALL);
	for (i = 0; i < NB; i++) {
		ck_assert_msg(r1[i].status == r2[i].status &&
			      r1[i].out_len == r2[i].out_len &&
			      r1[i].seq == r2[i].seq,
			      "packet %u: out of place %u/%u/%lu, in place %u/%u/%lu",
			      i, r1[i].status, r1[i].out_len,
			      (unsigned long)r1[i].seq, r2[i].status,
			      r2[i].out_len, (unsigned long)r2[i].seq);
		if (r2[i].status != VIRTIO_IPSEC_OK)
			continue;
		if (!cbc)
			ck_assert_msg(!memcmp(o1[i], o2[i], r1[i].out_len),
				      "packet %u (%s): bytes differ", i,
				      (i & 1) ? "same buffer" : "headroom");
		p[i] = (struct vpe_esp_pkt){ sa(b, sa_out(i) + 1), o2[i],
						r2[i].out_len, d1[i], BSZ };
		vpe_esp_decap_burst(vpe_core_crypto(b), &p[i], 1, &r1[i]);
		ck_assert_msg(r1[i].status == VIRTIO_IPSEC_OK &&
			      r1[i].out_len == in_len[i] &&
			      !memcmp(d1[i], in[i], in_len[i]),
			      "packet %u (%s): decap status %u len %u", i,
			      (i & 1) ? "same buffer" : "headroom",
			      r1[i].status, r1[i].out_len);
	}
	vpe_core_free(a);
	vpe_core_free(b);
}

START_TEST(test_encap_in_place_gcm)
{
	in_place_case(0);
}
END_TEST

START_TEST(test_encap_in_place_cbc_sha256)
{
	in_place_case(1);
}
END_TEST

/* Decap bursts: a replay inside the burst, a forgery, the rest intact. */
static void decap_case(int cbc)
{
	struct vpe_core *c = burst_core(cbc);
	struct vpe_crypto *cr = vpe_core_crypto(c);
	struct vpe_esp_pkt p[NB];
	struct vpe_esp_res r[NB];
	uint32_t i, len[NB];

	fill();
	in[17][0] = 0x45;
	for (i = 0; i < NB; i++)
		p[i] = (struct vpe_esp_pkt){ sa(c, sa_out(i)), in[i],
						in_len[i], o1[i], BSZ };
	vpe_esp_encap_burst(cr, p, NB, r);
	for (i = 0; i < NB; i++) {
		ck_assert_msg(r[i].status == VIRTIO_IPSEC_OK,
			      "encap %u: status %u", i, r[i].status);
		len[i] = r[i].out_len;
	}
	/* 61 repeats 59 (same SA, same number); 100 has a flipped ICV bit */
	memcpy(o1[61], o1[59], len[59]);
	len[61] = len[59];
	o1[100][len[100] - 1] ^= 1;
	for (i = 0; i < NB; i++)
		p[i] = (struct vpe_esp_pkt){ sa(c, sa_out(i) + 1), o1[i],
						len[i], d1[i], BSZ };
	vpe_esp_decap_burst(cr, p, NB, r);
	for (i = 0; i < NB; i++) {
		if (i == 61) {
			ck_assert_msg(r[i].status == VIRTIO_IPSEC_REPLAY,
				      "replay in burst: status %u", r[i].status);
			continue;
		}
		if (i == 100) {
			uint8_t zero[BSZ] = { 0 };

			ck_assert_int_eq(r[i].status, VIRTIO_IPSEC_BADMSG);
			ck_assert_msg(!memcmp(d1[i], zero, in_len[i]),
				      "forged packet's plaintext handed out");
			continue;
		}
		ck_assert_msg(r[i].status == VIRTIO_IPSEC_OK &&
			      r[i].out_len == in_len[i] &&
			      !memcmp(d1[i], in[i], in_len[i]),
			      "decap %u: status %u len %u", i, r[i].status,
			      r[i].out_len);
	}
	/* The whole burst again: every packet is now a replay. */
	vpe_esp_decap_burst(cr, p, NB, r);
	for (i = 0; i < NB; i++)
		ck_assert_msg(r[i].status == VIRTIO_IPSEC_REPLAY ||
			      (i == 100 && r[i].status == VIRTIO_IPSEC_BADMSG),
			      "second pass %u: status %u", i, r[i].status);
	(void)d2;
	vpe_core_free(c);
}

START_TEST(test_decap_burst_gcm)
{
	decap_case(0);
}
END_TEST

START_TEST(test_decap_burst_cbc_sha256)
{
	decap_case(1);
}
END_TEST

/*
 * One data request of 12 packets through the decoder, alternating an SA
 * with soft/hard packet limits (3/5) and one without: the limited SA's
 * packets are admitted and accounted in request order exactly as one
 * request per packet would be (OK, OK, SOFT x3, HARD x1), the other SA's
 * all pass, sequence numbers are consecutive per SA.
 */
START_TEST(test_request_lifetimes_in_order)
{
	struct vpe_core *c = test_core();
	uint8_t p[PARAMS_SIZE];
	struct virtio_ipsec_sa_params *sp = (void *)p;
	enum { N = 12, LEN = 100, CAP = 200 };
	size_t req_len = 16 + N * (16 + LEN), resp_cap = N * (16 + CAP) + 8;
	uint8_t *req = calloc(1, req_len), *resp = calloc(1, resp_cap);
	struct virtio_ipsec_data_hdr h = {
		.opcode = htole16(VIRTIO_IPSEC_OP_ENCAP),
		.num_pkts = htole32(N),
	};
	uint32_t i, seq[3] = { 0 };
	ssize_t used;

	test_params(p, VIRTIO_IPSEC_DIR_OUTBOUND, 0x100, key, 16, salt, 0);
	sp->soft_packets = htole64(3);
	sp->hard_packets = htole64(5);
	ck_assert_int_eq(sa_add(c, 0, 1, p), VIRTIO_IPSEC_OK);
	test_params(p, VIRTIO_IPSEC_DIR_OUTBOUND, 0x200, key, 16, salt, 0);
	ck_assert_int_eq(sa_add(c, 0, 2, p), VIRTIO_IPSEC_OK);
	ck_assert(req && resp);
	memcpy(req, &h, sizeof(h));
	for (i = 0; i < N; i++) {
		struct virtio_ipsec_pkt_req pr = {
			.sa_id = htole32(i % 2 ? 2 : 1),
			.in_len = htole32(LEN), .out_cap = htole32(CAP),
		};

		memcpy(req + 16 + i * 16, &pr, sizeof(pr));
		make_ipv4(req + 16 + N * 16 + i * LEN, LEN, 0, 0, i);
	}
	used = vpe_core_handle_data(c, req, req_len, resp, resp_cap);
	ck_assert_int_eq(used, (ssize_t)resp_cap);
	ck_assert_int_eq(resp[resp_cap - 8], VIRTIO_IPSEC_OK);
	for (i = 0; i < N; i++) {
		struct virtio_ipsec_pkt_result r;
		uint32_t sa_id = i % 2 ? 2 : 1, k = i / 2 + 1;
		uint8_t want = sa_id == 2 ? VIRTIO_IPSEC_OK :
			       k < 3 ? VIRTIO_IPSEC_OK :
			       k <= 5 ? VIRTIO_IPSEC_SOFT_EXPIRY :
					VIRTIO_IPSEC_HARD_EXPIRED;

		memcpy(&r, resp + i * 16, sizeof(r));
		ck_assert_msg(r.status == want, "packet %u (SA %u, #%u): status %u, want %u",
			      i, sa_id, k, r.status, want);
		if (want != VIRTIO_IPSEC_HARD_EXPIRED) {
			ck_assert_msg(le32toh(r.seq_lo) == ++seq[sa_id],
				      "packet %u: seq %u, want %u", i,
				      le32toh(r.seq_lo), seq[sa_id]);
			ck_assert(le32toh(r.out_len) > LEN);
		} else {
			ck_assert_uint_eq(le32toh(r.out_len), 0);
		}
	}
	free(req);
	free(resp);
	vpe_core_free(c);
}
END_TEST

/* ESN: one burst of one SA across 2^32, every packet's high bits right. */
START_TEST(test_decap_burst_esn_wrap)
{
	struct vpe_core *c = test_core();
	struct vpe_crypto *cr = vpe_core_crypto(c);
	uint8_t p[PARAMS_SIZE];
	struct virtio_ipsec_sa_params *sp = (void *)p;
	struct vpe_esp_pkt b[40];
	struct vpe_esp_res r[40];
	uint32_t i;

	test_params(p, VIRTIO_IPSEC_DIR_OUTBOUND, 0x77, key, 16, salt, 0);
	sp->options = htole32(VIRTIO_IPSEC_SA_OPT_ESN);
	sp->initial_seq = htole64((1ull << 32) - 20);
	ck_assert_int_eq(sa_add(c, 0, 1, p), VIRTIO_IPSEC_OK);
	test_params(p, VIRTIO_IPSEC_DIR_INBOUND, 0x77, key, 16, salt, 64);
	sp->options |= htole32(VIRTIO_IPSEC_SA_OPT_ESN);
	ck_assert_int_eq(sa_add(c, 0, 2, p), VIRTIO_IPSEC_OK);
	fill();
	in[17][0] = 0x45;
	for (i = 0; i < 40; i++)
		b[i] = (struct vpe_esp_pkt){ sa(c, 1), in[i], in_len[i],
						o1[i], BSZ };
	vpe_esp_encap_burst(cr, b, 40, r);
	for (i = 0; i < 40; i++) {
		ck_assert_int_eq(r[i].status, VIRTIO_IPSEC_OK);
		ck_assert_uint_eq(r[i].seq, (1ull << 32) - 19 + i);
		b[i] = (struct vpe_esp_pkt){ sa(c, 2), o1[i], r[i].out_len,
						d1[i], BSZ };
	}
	vpe_esp_decap_burst(cr, b, 40, r);
	for (i = 0; i < 40; i++) {
		ck_assert_msg(r[i].status == VIRTIO_IPSEC_OK &&
			      r[i].seq == (1ull << 32) - 19 + i &&
			      !memcmp(d1[i], in[i], in_len[i]),
			      "ESN packet %u: status %u seq %llx", i,
			      r[i].status, (unsigned long long)r[i].seq);
	}
	vpe_core_free(c);
}
END_TEST

Suite *burst_suite(void)
{
	Suite *s = suite_create("burst");
	TCase *tc = tcase_create("burst");

	tcase_add_test(tc, test_encap_burst_equals_single);
	tcase_add_test(tc, test_decap_burst_gcm);
	tcase_add_test(tc, test_decap_burst_cbc_sha256);
	tcase_add_test(tc, test_request_lifetimes_in_order);
	tcase_add_test(tc, test_decap_burst_esn_wrap);
	tcase_add_test(tc, test_encap_in_place_gcm);
	tcase_add_test(tc, test_encap_in_place_cbc_sha256);
	suite_add_tcase(s, tc);
	return s;
}
