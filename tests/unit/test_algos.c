// SPDX-License-Identifier: BSD-3-Clause
/*
 * Every algorithm x key size x ICV length the ipsec-mb backend offers,
 * through the real path: SA_ADD (decoder, check_algorithms, key_new),
 * ENCAP on the outbound SA, DECAP on the inbound one, inner packet back
 * byte for byte; a flipped ciphertext bit gives BADMSG for every
 * transform with integrity. Then each validation error of
 * check_algorithms.
 */
#define _GNU_SOURCE
#include <endian.h>
#include <string.h>

#include "tests.h"

#define C(x) VIRTIO_IPSEC_CIPHER_##x
#define A(x) VIRTIO_IPSEC_AUTH_##x

struct alg {
	uint8_t cipher, auth, ckey, akey, salt, icv;
};

static struct vpe_core *weak_core(bool weak)
{
	struct vpe_core_config cfg = {
		.max_sas = 64, .max_groups = 4, .max_packet_len = 9000,
		.max_batch = 32, .max_replay_window = 4096,
		.crypto_backend = "ipsec-mb", .allow_weak_algos = weak,
	};
	char err[128] = "";
	struct vpe_core *c = vpe_core_new(&cfg, err, sizeof(err));

	ck_assert_msg(c != NULL, "vpe_core_new: %s", err);
	return c;
}

static void alg_params(uint8_t p[PARAMS_SIZE], uint8_t dir, uint32_t spi,
		       const struct alg *a)
{
	struct virtio_ipsec_sa_params s;
	static const uint8_t zero[4];

	test_params(p, dir, spi, (const uint8_t *)"", 0, zero, 0);
	memcpy(&s, p, sizeof(s));
	s.cipher_alg = a->cipher;
	s.auth_alg = a->auth;
	s.cipher_key_len = a->ckey;
	s.auth_key_len = a->akey;
	s.salt_len = a->salt;
	s.icv_len = a->icv;
	for (unsigned int i = 0; i < sizeof(s.cipher_key); i++)
		s.cipher_key[i] = (uint8_t)(0x11 * i + a->cipher);
	for (unsigned int i = 0; i < sizeof(s.auth_key); i++)
		s.auth_key[i] = (uint8_t)(0x07 * i + a->auth);
	memcpy(s.salt, "\xa5\x5a\x3c\xc3", 4);
	memset(s.salt + a->salt, 0, sizeof(s.salt) - a->salt);
	memcpy(p, &s, sizeof(s));
}

/* Fills the table of every supported combination; returns its size. */
static unsigned int all_algs(struct alg *t)
{
	static const uint8_t aes[] = { 16, 24, 32 }, icvs[] = { 8, 12, 16 };
	static const struct { uint8_t alg, key, icv; } macs[] = {
		{ A(NONE), 0, 0 }, { A(HMAC_MD5_96), 16, 12 },
		{ A(HMAC_SHA1_96), 20, 12 }, { A(AES_XCBC_96), 16, 12 },
		{ A(HMAC_SHA256), 32, 16 }, { A(HMAC_SHA384), 48, 24 },
		{ A(HMAC_SHA512), 64, 32 },
	};
	static const struct { uint8_t alg, key, salt; } ciphers[] = {
		{ C(NULL), 0, 0 }, { C(DES_CBC), 8, 0 }, { C(3DES_CBC), 24, 0 },
		{ C(AES_CBC), 16, 0 }, { C(AES_CBC), 24, 0 },
		{ C(AES_CBC), 32, 0 }, { C(AES_CTR), 16, 4 },
		{ C(AES_CTR), 24, 4 }, { C(AES_CTR), 32, 4 },
	};
	unsigned int n = 0, i, j;

	for (i = 0; i < 3; i++) {
		for (j = 0; j < 3; j++) {
			t[n++] = (struct alg){ C(AES_GCM), A(NONE), aes[i], 0, 4,
					       icvs[j] };
			if (aes[i] != 24)	/* see test_ccm192 */
				t[n++] = (struct alg){ C(AES_CCM), A(NONE),
						       aes[i], 0, 3, icvs[j] };
		}
		t[n++] = (struct alg){ C(AES_GMAC), A(NONE), aes[i], 0, 4, 16 };
	}
	t[n++] = (struct alg){ C(CHACHA20_POLY1305), A(NONE), 32, 0, 4, 16 };
	for (i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++)
		for (j = 0; j < sizeof(macs) / sizeof(macs[0]); j++) {
			if (ciphers[i].alg == C(NULL) && macs[j].alg == A(NONE))
				continue;
			t[n++] = (struct alg){ ciphers[i].alg, macs[j].alg,
					       ciphers[i].key, macs[j].key,
					       ciphers[i].salt, macs[j].icv };
		}
	return n;
}

START_TEST(test_round_trip_all)
{
	struct alg t[128];
	unsigned int n = all_algs(t), i, k;
	struct vpe_core *c = weak_core(true);
	static struct pkt_out o1, o2, o3;
	uint8_t p[PARAMS_SIZE], in[300];
	static const uint32_t lens[] = { 20, 61, 256 };

	for (i = 0; i < n; i++) {
		const struct alg *a = &t[i];
		bool integrity = a->auth != A(NONE) || a->cipher >= C(AES_GCM);
		uint8_t st;

		alg_params(p, VIRTIO_IPSEC_DIR_OUTBOUND, 0x100 + i, a);
		st = sa_add(c, 0, 1, p);
		ck_assert_msg(st == VIRTIO_IPSEC_OK,
			      "alg %u/%u key %u icv %u: outbound SA_ADD %u",
			      a->cipher, a->auth, a->ckey, a->icv, st);
		alg_params(p, VIRTIO_IPSEC_DIR_INBOUND, 0x100 + i, a);
		ck_assert(sa_add(c, 0, 2, p) == VIRTIO_IPSEC_OK);
		for (k = 0; k < 3; k++) {
			make_ipv4(in, lens[k], 0, 0, i * 3 + k);
			data1(c, VIRTIO_IPSEC_OP_ENCAP, 0, 1, in, lens[k], 1500,
			      &o1);
			ck_assert_msg(o1.status == VIRTIO_IPSEC_OK,
				      "alg %u/%u key %u: encap %u", a->cipher,
				      a->auth, a->ckey, o1.status);
			ck_assert_msg(memmem(o1.data, o1.out_len, in + 20,
					     lens[k] - 20) == NULL ||
				      a->cipher == C(NULL) ||
				      a->cipher == C(AES_GMAC) || lens[k] == 20,
				      "alg %u: payload left in clear", a->cipher);
			data1(c, VIRTIO_IPSEC_OP_DECAP, 0, 2, o1.data,
			      o1.out_len, 1500, &o2);
			ck_assert_msg(o2.status == VIRTIO_IPSEC_OK &&
				      o2.out_len == lens[k] &&
				      !memcmp(o2.data, in, lens[k]),
				      "alg %u/%u key %u icv %u len %u: decap %u",
				      a->cipher, a->auth, a->ckey, a->icv,
				      lens[k], o2.status);
			if (!integrity)
				continue;
			/* Last payload byte before the ICV. */
			o1.data[o1.out_len - a->icv - 1] ^= 0x80;
			data1(c, VIRTIO_IPSEC_OP_DECAP, 0, 2, o1.data,
			      o1.out_len, 1500, &o3);
			ck_assert_msg(o3.status == VIRTIO_IPSEC_BADMSG,
				      "alg %u/%u key %u icv %u: tamper gave %u",
				      a->cipher, a->auth, a->ckey, a->icv,
				      o3.status);
		}
		ck_assert(ctrl(c, VIRTIO_IPSEC_OP_SA_DEL, 0, 1, NULL, 0) ==
			  VIRTIO_IPSEC_OK);
		ck_assert(ctrl(c, VIRTIO_IPSEC_OP_SA_DEL, 0, 2, NULL, 0) ==
			  VIRTIO_IPSEC_OK);
	}
	vpe_core_free(c);
}
END_TEST

/* The device reports exactly the algorithms that round-trip above. */
START_TEST(test_masks)
{
	struct vpe_crypto *b;
	char err[64];

	b = vpe_crypto_new("ipsec-mb", err, sizeof(err));
	ck_assert(b != NULL);
	ck_assert_uint_eq(b->ops->cipher_mask, 0x3feULL);
	ck_assert_uint_eq(b->ops->auth_mask, 0xfeULL);
	vpe_crypto_free(b);
}
END_TEST

/* intel-ipsec-mb 1.3 has no AES-192 CCM: refused at key_new. */
START_TEST(test_ccm192)
{
	struct vpe_core *c = weak_core(false);
	struct alg a = { C(AES_CCM), A(NONE), 24, 0, 3, 16 };
	uint8_t p[PARAMS_SIZE];

	alg_params(p, VIRTIO_IPSEC_DIR_OUTBOUND, 0x42, &a);
	ck_assert_uint_eq(sa_add(c, 0, 1, p), VIRTIO_IPSEC_KEY_REJECT);
	vpe_core_free(c);
}
END_TEST

struct bad {
	const char *what;
	struct alg a;
	uint8_t want;
	bool weak;
};

static const struct bad bads[] = {
	{ "GCM key 20", { C(AES_GCM), A(NONE), 20, 0, 4, 16 },
	  VIRTIO_IPSEC_KEY_REJECT, 0 },
	{ "GCM salt 3", { C(AES_GCM), A(NONE), 16, 0, 3, 16 },
	  VIRTIO_IPSEC_INVAL, 0 },
	{ "GCM ICV 4", { C(AES_GCM), A(NONE), 16, 0, 4, 4 },
	  VIRTIO_IPSEC_INVAL, 0 },
	{ "GCM with SHA1", { C(AES_GCM), A(HMAC_SHA1_96), 16, 20, 4, 16 },
	  VIRTIO_IPSEC_INVAL, 0 },
	{ "CCM salt 4", { C(AES_CCM), A(NONE), 16, 0, 4, 16 },
	  VIRTIO_IPSEC_INVAL, 0 },
	{ "CCM ICV 10", { C(AES_CCM), A(NONE), 16, 0, 3, 10 },
	  VIRTIO_IPSEC_INVAL, 0 },
	{ "GMAC ICV 12", { C(AES_GMAC), A(NONE), 16, 0, 4, 12 },
	  VIRTIO_IPSEC_INVAL, 0 },
	{ "GMAC auth key", { C(AES_GMAC), A(NONE), 16, 16, 4, 16 },
	  VIRTIO_IPSEC_KEY_REJECT, 0 },
	{ "CBC key 8", { C(AES_CBC), A(HMAC_SHA1_96), 8, 20, 0, 12 },
	  VIRTIO_IPSEC_KEY_REJECT, 0 },
	{ "CBC with salt", { C(AES_CBC), A(HMAC_SHA1_96), 16, 20, 4, 12 },
	  VIRTIO_IPSEC_INVAL, 0 },
	{ "CTR no nonce", { C(AES_CTR), A(HMAC_SHA1_96), 16, 20, 0, 12 },
	  VIRTIO_IPSEC_INVAL, 0 },
	{ "3DES key 16", { C(3DES_CBC), A(HMAC_SHA1_96), 16, 20, 0, 12 },
	  VIRTIO_IPSEC_KEY_REJECT, 0 },
	{ "DES key 24 (weak ok)", { C(DES_CBC), A(HMAC_SHA1_96), 24, 20, 0, 12 },
	  VIRTIO_IPSEC_KEY_REJECT, 1 },
	{ "NULL with key", { C(NULL), A(HMAC_SHA1_96), 16, 20, 0, 12 },
	  VIRTIO_IPSEC_KEY_REJECT, 0 },
	{ "NULL + NONE", { C(NULL), A(NONE), 0, 0, 0, 0 },
	  VIRTIO_IPSEC_INVAL, 0 },
	{ "SHA1 key 16", { C(AES_CBC), A(HMAC_SHA1_96), 16, 16, 0, 12 },
	  VIRTIO_IPSEC_KEY_REJECT, 0 },
	{ "SHA1 ICV 20", { C(AES_CBC), A(HMAC_SHA1_96), 16, 20, 0, 20 },
	  VIRTIO_IPSEC_INVAL, 0 },
	{ "SHA256 key 20", { C(AES_CBC), A(HMAC_SHA256), 16, 20, 0, 16 },
	  VIRTIO_IPSEC_KEY_REJECT, 0 },
	{ "SHA256 ICV 12", { C(AES_CBC), A(HMAC_SHA256), 16, 32, 0, 12 },
	  VIRTIO_IPSEC_INVAL, 0 },
	{ "SHA384 ICV 16", { C(AES_CBC), A(HMAC_SHA384), 16, 48, 0, 16 },
	  VIRTIO_IPSEC_INVAL, 0 },
	{ "SHA512 key 32", { C(AES_CBC), A(HMAC_SHA512), 16, 32, 0, 32 },
	  VIRTIO_IPSEC_KEY_REJECT, 0 },
	{ "XCBC key 20", { C(AES_CBC), A(AES_XCBC_96), 16, 20, 0, 12 },
	  VIRTIO_IPSEC_KEY_REJECT, 0 },
	{ "NONE with ICV", { C(AES_CBC), A(NONE), 16, 0, 0, 12 },
	  VIRTIO_IPSEC_INVAL, 0 },
	{ "DES not allowed", { C(DES_CBC), A(HMAC_SHA1_96), 8, 20, 0, 12 },
	  VIRTIO_IPSEC_NOTSUPP, 0 },
	{ "MD5 not allowed", { C(AES_CBC), A(HMAC_MD5_96), 16, 16, 0, 12 },
	  VIRTIO_IPSEC_NOTSUPP, 0 },
	{ "ChaCha20 key 16", { C(CHACHA20_POLY1305), A(NONE), 16, 0, 4, 16 },
	  VIRTIO_IPSEC_KEY_REJECT, 0 },
	{ "ChaCha20 ICV 12", { C(CHACHA20_POLY1305), A(NONE), 32, 0, 4, 12 },
	  VIRTIO_IPSEC_INVAL, 0 },
	{ "ChaCha20 salt 3", { C(CHACHA20_POLY1305), A(NONE), 32, 0, 3, 16 },
	  VIRTIO_IPSEC_INVAL, 0 },
	{ "ChaCha20 with SHA256", { C(CHACHA20_POLY1305), A(HMAC_SHA256), 32,
	  32, 4, 16 }, VIRTIO_IPSEC_INVAL, 0 },
	{ "cipher 10", { 10, A(NONE), 16, 0, 4, 16 }, VIRTIO_IPSEC_INVAL, 0 },
	{ "auth 8", { C(AES_CBC), 8, 16, 16, 0, 12 }, VIRTIO_IPSEC_INVAL, 0 },
};

START_TEST(test_bad_params)
{
	const struct bad *b = &bads[_i];
	struct vpe_core *c = weak_core(b->weak);
	uint8_t p[PARAMS_SIZE];
	uint8_t st;

	alg_params(p, VIRTIO_IPSEC_DIR_OUTBOUND, 0x77, &b->a);
	st = sa_add(c, 0, 1, p);
	ck_assert_msg(st == b->want, "%s: status %u, want %u", b->what, st,
		      b->want);
	vpe_core_free(c);
}
END_TEST

Suite *algos_suite(void)
{
	Suite *s = suite_create("algos");
	TCase *tc = tcase_create("esp-path");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_round_trip_all);
	tcase_add_test(tc, test_masks);
	tcase_add_test(tc, test_ccm192);
	tcase_add_loop_test(tc, test_bad_params, 0,
			    (int)(sizeof(bads) / sizeof(bads[0])));
	suite_add_tcase(s, tc);
	return s;
}
