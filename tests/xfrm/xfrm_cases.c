// SPDX-License-Identifier: BSD-3-Clause
/*
 * The XFRM interop matrix: every algorithm both the guest kernel and the
 * device implement (tunnel, IPv4 in IPv4), then modes, IP version mixes,
 * ESN and UDP encapsulation against an AEAD and cipher+HMAC pairs.
 *
 * expect_err marks what the device refuses today; such a case must be
 * refused by sa_add with exactly that error, and the test fails when the
 * device starts accepting it (no silent skips). What remains:
 *  - DES and HMAC-MD5: the device's allow-weak-algos property is off by
 *    default (the VM harness does not set it): NOTSUPP.
 *  - AES-CCM with a 192-bit key: intel-ipsec-mb 1.3, the QEMU device's
 *    default backend, has CCM-128/256 only: KEY_REJECT.
 */
#include <errno.h>

#include "xfrm_test.h"

#define GCM	G_IPSEC_LA_COMB_AES_GCM
#define CCM	G_IPSEC_LA_COMB_AES_CCM
#define GMAC	G_IPSEC_LA_COMB_AES_GMAC
#define CHACHA	G_IPSEC_LA_COMB_CHACHA20_POLY1305
#define A_CBC	G_IPSEC_LA_ALG_AES_CBC
#define A_CTR	G_IPSEC_LA_ALG_AES_CTR
#define TDES	G_IPSEC_LA_ALG_3DES_CBC
#define DES	G_IPSEC_LA_ALG_DES_CBC
#define NUL	G_IPSEC_LA_CIPHER_ALGO_NULL
#define MD5	G_IPSEC_LA_AUTH_ALG_MD5_HMAC
#define SHA1	G_IPSEC_LA_AUTH_ALG_SHA1_HMAC
#define SHA256	G_IPSEC_LA_AUTH_ALG_SHA2_256_HMAC
#define SHA384	G_IPSEC_LA_AUTH_ALG_SHA2_384_HMAC
#define SHA512	G_IPSEC_LA_AUTH_ALG_SHA2_512_HMAC
#define XCBC	G_IPSEC_LA_AUTH_AESXCBC

#define R4106	"rfc4106(gcm(aes))"
#define R4309	"rfc4309(ccm(aes))"
#define R4543	"rfc4543(gcm(aes))"
#define R7634	"rfc7539esp(chacha20,poly1305)"
#define CBC	"cbc(aes)"
#define CTR	"rfc3686(ctr(aes))"

/* AEAD: name, comb, key bytes, salt bytes, ICV bits, kernel name */
#define AEAD(n, c, k, s, i, kn) n, c, 0, 0, k, s, 0, i, kn, 0, 0
/* cipher + HMAC: name, cipher, auth, key, salt, auth key, ICV, names */
#define ENCA(n, c, a, k, s, ak, i, e, an) n, 0, c, a, k, s, ak, i, 0, e, an
/* tunnel/transport, outer, inner, esn, udp */
#define T44	0, 4, 4, 0, 0
#define SHAPE(tr, o, in, esn, udp)	tr, o, in, esn, udp

#define WEAK	-EOPNOTSUPP, "DES/HMAC-MD5 need the device's allow-weak-algos=on (off by default)", 0
#define SUP	0, NULL, 0
/* supported, with a path MTU and FRAG_BEFORE */
#define FRAG(mtu)	0, NULL, mtu
#define NOCCM192 -EKEYREJECTED, "intel-ipsec-mb 1.3 has no AES-CCM-192", 0

const struct xt_case xt_cases[] = {
	/* every algorithm, tunnel IPv4 in IPv4 */
	{ AEAD("aes-gcm-128", GCM, 16, 4, 128, R4106), T44, SUP },
	{ AEAD("aes-gcm-192", GCM, 24, 4, 128, R4106), T44, SUP },
	{ AEAD("aes-gcm-256", GCM, 32, 4, 128, R4106), T44, SUP },
	{ AEAD("aes-gcm-128/icv8", GCM, 16, 4, 64, R4106), T44, SUP },
	{ AEAD("aes-gcm-256/icv12", GCM, 32, 4, 96, R4106), T44, SUP },
	{ AEAD("aes-ccm-128", CCM, 16, 3, 128, R4309), T44, SUP },
	{ AEAD("aes-ccm-256/icv8", CCM, 32, 3, 64, R4309), T44, SUP },
	{ AEAD("aes-ccm-128/icv12", CCM, 16, 3, 96, R4309), T44, SUP },
	{ AEAD("aes-ccm-192", CCM, 24, 3, 128, R4309), T44, NOCCM192 },
	{ AEAD("aes-gmac-128", GMAC, 16, 4, 128, R4543), T44, SUP },
	{ AEAD("aes-gmac-256", GMAC, 32, 4, 128, R4543), T44, SUP },
	{ AEAD("chacha20-poly1305", CHACHA, 32, 4, 128, R7634), T44, SUP },
	{ ENCA("aes-cbc-128/sha1", A_CBC, SHA1, 16, 0, 20, 96, CBC, "hmac(sha1)"), T44, SUP },
	{ ENCA("aes-cbc-256/sha256", A_CBC, SHA256, 32, 0, 32, 128, CBC, "hmac(sha256)"), T44, SUP },
	{ ENCA("aes-cbc-192/sha384", A_CBC, SHA384, 24, 0, 48, 192, CBC, "hmac(sha384)"), T44, SUP },
	{ ENCA("aes-cbc-128/sha512", A_CBC, SHA512, 16, 0, 64, 256, CBC, "hmac(sha512)"), T44, SUP },
	{ ENCA("aes-cbc-128/xcbc", A_CBC, XCBC, 16, 0, 16, 96, CBC, "xcbc(aes)"), T44, SUP },
	{ ENCA("aes-ctr-128/sha256", A_CTR, SHA256, 16, 4, 32, 128, CTR, "hmac(sha256)"), T44, SUP },
	{ ENCA("aes-ctr-256/xcbc", A_CTR, XCBC, 32, 4, 16, 96, CTR, "xcbc(aes)"), T44, SUP },
	{ ENCA("3des/sha1", TDES, SHA1, 24, 0, 20, 96, "cbc(des3_ede)", "hmac(sha1)"), T44, SUP },
	{ ENCA("null/sha256", NUL, SHA256, 0, 0, 32, 128, "ecb(cipher_null)", "hmac(sha256)"), T44, SUP },
	{ ENCA("null/xcbc", NUL, XCBC, 0, 0, 16, 96, "ecb(cipher_null)", "xcbc(aes)"), T44, SUP },
	{ ENCA("des/sha1", DES, SHA1, 8, 0, 20, 96, "cbc(des)", "hmac(sha1)"), T44, WEAK },
	{ ENCA("aes-cbc-128/md5", A_CBC, MD5, 16, 0, 16, 96, CBC, "hmac(md5)"), T44, WEAK },

	/* modes and IP version mixes */
	{ AEAD("aes-gcm-128", GCM, 16, 4, 128, R4106), SHAPE(0, 4, 6, 0, 0), SUP },
	{ AEAD("aes-gcm-128", GCM, 16, 4, 128, R4106), SHAPE(0, 6, 4, 0, 0), SUP },
	{ AEAD("aes-gcm-128", GCM, 16, 4, 128, R4106), SHAPE(0, 6, 6, 0, 0), SUP },
	{ AEAD("aes-gcm-128", GCM, 16, 4, 128, R4106), SHAPE(1, 4, 4, 0, 0), SUP },
	{ AEAD("aes-gcm-128", GCM, 16, 4, 128, R4106), SHAPE(1, 6, 6, 0, 0), SUP },
	{ AEAD("aes-ccm-128", CCM, 16, 3, 128, R4309), SHAPE(0, 6, 6, 0, 0), SUP },
	{ AEAD("aes-gmac-128", GMAC, 16, 4, 128, R4543), SHAPE(1, 6, 6, 0, 0), SUP },
	{ ENCA("aes-cbc-128/sha256", A_CBC, SHA256, 16, 0, 32, 128, CBC, "hmac(sha256)"), SHAPE(0, 4, 6, 0, 0), SUP },
	{ ENCA("aes-cbc-128/sha256", A_CBC, SHA256, 16, 0, 32, 128, CBC, "hmac(sha256)"), SHAPE(0, 6, 4, 0, 0), SUP },
	{ ENCA("aes-cbc-128/sha256", A_CBC, SHA256, 16, 0, 32, 128, CBC, "hmac(sha256)"), SHAPE(0, 6, 6, 0, 0), SUP },
	{ ENCA("aes-cbc-128/sha256", A_CBC, SHA256, 16, 0, 32, 128, CBC, "hmac(sha256)"), SHAPE(1, 4, 4, 0, 0), SUP },
	{ ENCA("aes-ctr-128/sha1", A_CTR, SHA1, 16, 4, 20, 96, CTR, "hmac(sha1)"), SHAPE(1, 6, 6, 0, 0), SUP },
	{ ENCA("3des/xcbc", TDES, XCBC, 24, 0, 16, 96, "cbc(des3_ede)", "xcbc(aes)"), SHAPE(0, 6, 6, 0, 0), SUP },

	/* ESN (authencesn / AEAD with the high bits) */
	{ AEAD("aes-gcm-128", GCM, 16, 4, 128, R4106), SHAPE(0, 4, 4, 1, 0), SUP },
	{ AEAD("aes-ccm-128", CCM, 16, 3, 128, R4309), SHAPE(1, 6, 6, 1, 0), SUP },
	{ AEAD("aes-gmac-128", GMAC, 16, 4, 128, R4543), SHAPE(0, 6, 4, 1, 0), SUP },
	{ AEAD("chacha20-poly1305", CHACHA, 32, 4, 128, R7634), SHAPE(1, 4, 4, 1, 0), SUP },
	{ ENCA("aes-cbc-128/sha256", A_CBC, SHA256, 16, 0, 32, 128, CBC, "hmac(sha256)"), SHAPE(0, 4, 4, 1, 0), SUP },
	{ ENCA("aes-cbc-128/sha1", A_CBC, SHA1, 16, 0, 20, 96, CBC, "hmac(sha1)"), SHAPE(1, 4, 4, 1, 0), SUP },
	{ ENCA("aes-ctr-128/sha512", A_CTR, SHA512, 16, 4, 64, 256, CTR, "hmac(sha512)"), SHAPE(0, 6, 6, 1, 0), SUP },

	/* UDP encapsulation (RFC 3948), with and without ESN */
	{ AEAD("aes-gcm-128", GCM, 16, 4, 128, R4106), SHAPE(0, 4, 4, 0, 1), SUP },
	{ AEAD("aes-gcm-128", GCM, 16, 4, 128, R4106), SHAPE(1, 4, 4, 0, 1), SUP },
	{ AEAD("aes-gcm-128", GCM, 16, 4, 128, R4106), SHAPE(0, 6, 6, 0, 1), SUP },
	{ AEAD("aes-gcm-128", GCM, 16, 4, 128, R4106), SHAPE(1, 6, 6, 0, 1), SUP },
	{ ENCA("aes-cbc-128/sha256", A_CBC, SHA256, 16, 0, 32, 128, CBC, "hmac(sha256)"), SHAPE(0, 4, 6, 1, 1), SUP },
	{ ENCA("aes-cbc-128/sha1", A_CBC, SHA1, 16, 0, 20, 96, CBC, "hmac(sha1)"), SHAPE(1, 4, 4, 1, 1), SUP },
	{ AEAD("aes-ccm-128", CCM, 16, 3, 128, R4309), SHAPE(0, 6, 4, 1, 1), SUP },

	/* Path MTU, fragment before IPsec (inner IPv4, DF clear) */
	{ AEAD("aes-gcm-128/frag-600", GCM, 16, 4, 128, R4106), T44, FRAG(600) },
	{ ENCA("aes-cbc-128/sha256/frag-1280", A_CBC, SHA256, 16, 0, 32, 128, CBC, "hmac(sha256)"), SHAPE(0, 6, 4, 0, 1), FRAG(1280) },
};
const size_t xt_ncases = sizeof(xt_cases) / sizeof(xt_cases[0]);
