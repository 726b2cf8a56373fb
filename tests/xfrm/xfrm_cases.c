// SPDX-License-Identifier: BSD-3-Clause
/*
 * The XFRM interop matrix. expect_notsupp marks what the device does not
 * implement yet: such a case must be refused by sa_add with -EOPNOTSUPP,
 * and the test fails when the device starts accepting it, so this list is
 * updated when the engine gains a feature (no silent skips).
 * Transport mode and IPv6 are not wired up in this program yet: when the
 * device accepts them the cases fail with "extend the test".
 */
#include "xfrm_test.h"

#define GCM	G_IPSEC_LA_COMB_AES_GCM
#define CCM	G_IPSEC_LA_COMB_AES_CCM
#define GMAC	G_IPSEC_LA_COMB_AES_GMAC
#define A_CBC	G_IPSEC_LA_ALG_AES_CBC
#define A_CTR	G_IPSEC_LA_ALG_AES_CTR
#define TDES	G_IPSEC_LA_ALG_3DES_CBC
#define NUL	G_IPSEC_LA_CIPHER_ALGO_NULL
#define SHA1	G_IPSEC_LA_AUTH_ALG_SHA1_HMAC
#define SHA256	G_IPSEC_LA_AUTH_ALG_SHA2_256_HMAC
#define SHA384	G_IPSEC_LA_AUTH_ALG_SHA2_384_HMAC
#define SHA512	G_IPSEC_LA_AUTH_ALG_SHA2_512_HMAC
#define XCBC	G_IPSEC_LA_AUTH_AESXCBC

#define R4106	"rfc4106(gcm(aes))"

const struct xt_case xt_cases[] = {
	/* name            comb cip auth klen salt aklen icv esn udp tr v6 aead enc auth  notsupp */
	{ "aes-gcm-128",    GCM, 0, 0, 16, 4, 0, 128, 0, 0, 0, 0, R4106, 0, 0, 0 },
	{ "aes-gcm-192",    GCM, 0, 0, 24, 4, 0, 128, 0, 0, 0, 0, R4106, 0, 0, 0 },
	{ "aes-gcm-256",    GCM, 0, 0, 32, 4, 0, 128, 0, 0, 0, 0, R4106, 0, 0, 0 },
	{ "aes-gcm-128/icv8",  GCM, 0, 0, 16, 4, 0, 64, 0, 0, 0, 0, R4106, 0, 0, 0 },
	{ "aes-gcm-128/icv12", GCM, 0, 0, 16, 4, 0, 96, 0, 0, 0, 0, R4106, 0, 0, 0 },
	{ "aes-ccm-128",    CCM, 0, 0, 16, 3, 0, 128, 0, 0, 0, 0, "rfc4309(ccm(aes))", 0, 0, 1 },
	{ "aes-gmac-128",   GMAC, 0, 0, 16, 4, 0, 128, 0, 0, 0, 0, "rfc4543(gcm(aes))", 0, 0, 1 },
	{ "aes-cbc-128/sha1", 0, A_CBC, SHA1, 16, 0, 20, 96, 0, 0, 0, 0, 0, "cbc(aes)", "hmac(sha1)", 1 },
	{ "aes-cbc-256/sha256", 0, A_CBC, SHA256, 32, 0, 32, 128, 0, 0, 0, 0, 0, "cbc(aes)", "hmac(sha256)", 1 },
	{ "aes-cbc-192/sha384", 0, A_CBC, SHA384, 24, 0, 48, 192, 0, 0, 0, 0, 0, "cbc(aes)", "hmac(sha384)", 1 },
	{ "aes-cbc-128/sha512", 0, A_CBC, SHA512, 16, 0, 64, 256, 0, 0, 0, 0, 0, "cbc(aes)", "hmac(sha512)", 1 },
	{ "aes-cbc-128/xcbc", 0, A_CBC, XCBC, 16, 0, 16, 96, 0, 0, 0, 0, 0, "cbc(aes)", "xcbc(aes)", 1 },
	{ "aes-ctr-128/sha256", 0, A_CTR, SHA256, 16, 4, 32, 128, 0, 0, 0, 0, 0, "rfc3686(ctr(aes))", "hmac(sha256)", 1 },
	{ "3des/sha1",      0, TDES, SHA1, 24, 0, 20, 96, 0, 0, 0, 0, 0, "cbc(des3_ede)", "hmac(sha1)", 1 },
	{ "null/sha256",    0, NUL, SHA256, 0, 0, 32, 128, 0, 0, 0, 0, 0, "ecb(cipher_null)", "hmac(sha256)", 1 },
	{ "aes-gcm-128 esn", GCM, 0, 0, 16, 4, 0, 128, 1, 0, 0, 0, R4106, 0, 0, 1 },
	{ "aes-gcm-128 udp-encap", GCM, 0, 0, 16, 4, 0, 128, 0, 1, 0, 0, R4106, 0, 0, 1 },
	{ "aes-cbc-128/sha256 esn", 0, A_CBC, SHA256, 16, 0, 32, 128, 1, 0, 0, 0, 0, "cbc(aes)", "hmac(sha256)", 1 },
	{ "aes-gcm-128 transport", GCM, 0, 0, 16, 4, 0, 128, 0, 0, 1, 0, R4106, 0, 0, 1 },
	{ "aes-gcm-128 ipv6", GCM, 0, 0, 16, 4, 0, 128, 0, 0, 0, 1, R4106, 0, 0, 1 },
};
const size_t xt_ncases = sizeof(xt_cases) / sizeof(xt_cases[0]);
