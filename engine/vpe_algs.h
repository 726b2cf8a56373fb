/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vpe_algs: the one algorithm table of virtio-ipsec (model: Linux
 * net/xfrm/xfrm_algo.c). One row per VIRTIO_IPSEC_CIPHER_* / _AUTH_* id:
 * what the RFCs allow (key, salt, IV, padding block and ICV lengths), the
 * weak flag, the Linux crypto API name and the intel-ipsec-mb mode. The
 * engine's parameter checks, both crypto backends, the weak-algorithm mask
 * and the capability masks read it, and so do the g-API library (g-API
 * enum <-> device id, capability bits) and the vipsec CLI (names).
 *
 * Why a header-only X-macro list and not a const array in the engine:
 * the library must use it without linking the engine (the software
 * accelerator goes into an archive of its own, and a VNF that never uses
 * it must not pull in the engine), and each layer needs different
 * columns: the ipsec-mb backend expands its IMB_* tokens, the library its
 * G_IPSEC_LA_* enum values and capability fields, which other layers never
 * compile because an X macro that ignores a column discards its tokens.
 * The generic columns are also available as a plain array
 * (vpe_alg_find()) for code that only looks rows up.
 *
 * Adding an algorithm: the id in include/uapi/linux/virtio_ipsec.h, a row
 * here, the g-API enum value (and capability bit) in
 * userspace/libg_ipsec_la/include/g_ipsec_la.h; code only where the
 * algorithm needs a construction the backends do not have yet.
 *
 * Row macros (a user defines all three, then expands VPE_ALGS):
 *   VPE_CIPHER(id, key_min, key_max, salt, iv, block, weak, iv_gen,
 *              afalg, mb_cipher, gapi, caps)
 *   VPE_AEAD(id, key_min, key_max, salt, iv, block, icv_mask, iv_gen,
 *            afalg_kind, afalg, mb_kind, gapi, caps)
 *   VPE_AUTH(id, key, icv, weak, afalg, mb_hash, mb_hmac_block, gapi, caps)
 * id        VIRTIO_IPSEC_CIPHER_* (CIPHER, AEAD) or VIRTIO_IPSEC_AUTH_*
 * key_*     key bytes; AES keys go from key_min to key_max in steps of 8
 * salt      bytes of salt (RFC 3686 nonce, RFC 4106/4309/4543 salt)
 * iv, block explicit IV bytes, ESP padding block (4: stream modes)
 * icv_mask  allowed ICV byte counts n as bits VPE_ICV(n)
 * icv       the ICV bytes of an integrity transform (RFC truncation)
 * weak      refused unless the device allows weak algorithms
 * iv_gen    SEQ: the IV is the sequence number (unique per key);
 *           RANDOM: unpredictable (CBC, RFC 3602)
 * afalg     Linux crypto API name (AEAD template, or authenc()'s cipher
 *           or hash); afalg_kind the AF_ALG backend's request layout
 * mb_*      intel-ipsec-mb: cipher mode, AEAD kind, hash, HMAC block size
 * gapi      the g-API enum value; caps its g_ipsec_la_capabilities bit
 */
#ifndef VPE_ALGS_H
#define VPE_ALGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/virtio_ipsec.h>

/* The table reads as rows: aligned by hand. */
/* clang-format off */
#define VPE_ICV(n)	(1u << ((n) / 4))

#define VPE_ALGS							\
	VPE_CIPHER(VIRTIO_IPSEC_CIPHER_NULL, 0, 0, 0, 0, 4, false,	\
		   SEQ, "ecb(cipher_null)", IMB_CIPHER_NULL,		\
		   G_IPSEC_LA_CIPHER_ALGO_NULL, cipher_algo_caps.null)	\
	VPE_CIPHER(VIRTIO_IPSEC_CIPHER_DES_CBC, 8, 8, 0, 8, 8, true,	\
		   RANDOM, "cbc(des)", IMB_CIPHER_DES,			\
		   G_IPSEC_LA_ALG_DES_CBC, cipher_algo_caps.des)	\
	VPE_CIPHER(VIRTIO_IPSEC_CIPHER_3DES_CBC, 24, 24, 0, 8, 8, false, \
		   RANDOM, "cbc(des3_ede)", IMB_CIPHER_DES3,		\
		   G_IPSEC_LA_ALG_3DES_CBC, cipher_algo_caps.des_c)	\
	VPE_CIPHER(VIRTIO_IPSEC_CIPHER_AES_CBC, 16, 32, 0, 16, 16, false, \
		   RANDOM, "cbc(aes)", IMB_CIPHER_CBC,			\
		   G_IPSEC_LA_ALG_AES_CBC, cipher_algo_caps.aes)	\
	VPE_CIPHER(VIRTIO_IPSEC_CIPHER_AES_CTR, 16, 32, 4, 8, 4, false,	\
		   SEQ, "rfc3686(ctr(aes))", IMB_CIPHER_CNTR,		\
		   G_IPSEC_LA_ALG_AES_CTR, cipher_algo_caps.aes_ctr)	\
	VPE_AEAD(VIRTIO_IPSEC_CIPHER_AES_GCM, 16, 32, 4, 8, 4,		\
		 VPE_ICV(8) | VPE_ICV(12) | VPE_ICV(16), SEQ,		\
		 AFALG_RFC4106, "rfc4106(gcm(aes))", VPE_MB_GCM,	\
		 G_IPSEC_LA_COMB_AES_GCM, comb_algo_caps.aes_gcm)	\
	VPE_AEAD(VIRTIO_IPSEC_CIPHER_AES_CCM, 16, 32, 3, 8, 4,		\
		 VPE_ICV(8) | VPE_ICV(12) | VPE_ICV(16), SEQ,		\
		 AFALG_RFC4309, "rfc4309(ccm(aes))", VPE_MB_CCM,	\
		 G_IPSEC_LA_COMB_AES_CCM, comb_algo_caps.aes_ccm)	\
	VPE_AEAD(VIRTIO_IPSEC_CIPHER_AES_GMAC, 16, 32, 4, 8, 4,		\
		 VPE_ICV(16), SEQ,					\
		 AFALG_RFC4543, "rfc4543(gcm(aes))", VPE_MB_GMAC,	\
		 G_IPSEC_LA_COMB_AES_GMAC, comb_algo_caps.aes_gmac)	\
	VPE_AEAD(VIRTIO_IPSEC_CIPHER_CHACHA20_POLY1305, 32, 32, 4, 8, 4, \
		 VPE_ICV(16), SEQ,					\
		 AFALG_RFC4106, "rfc7539esp(chacha20,poly1305)",	\
		 VPE_MB_CHACHA, G_IPSEC_LA_COMB_CHACHA20_POLY1305,	\
		 comb_algo_caps.chacha20_poly1305)			\
	VPE_AUTH(VIRTIO_IPSEC_AUTH_NONE, 0, 0, false, "digest_null",	\
		 IMB_AUTH_NULL, 0,					\
		 G_IPSEC_LA_AUTH_ALG_NONE, auth_algo_caps.none)		\
	VPE_AUTH(VIRTIO_IPSEC_AUTH_HMAC_MD5_96, 16, 12, true, "hmac(md5)", \
		 IMB_AUTH_MD5, 64,					\
		 G_IPSEC_LA_AUTH_ALG_MD5_HMAC, auth_algo_caps.md5)	\
	VPE_AUTH(VIRTIO_IPSEC_AUTH_HMAC_SHA1_96, 20, 12, false,		\
		 "hmac(sha1)", IMB_AUTH_HMAC_SHA_1, 64,			\
		 G_IPSEC_LA_AUTH_ALG_SHA1_HMAC, auth_algo_caps.sha1)	\
	VPE_AUTH(VIRTIO_IPSEC_AUTH_AES_XCBC_96, 16, 12, false,		\
		 "xcbc(aes)", IMB_AUTH_AES_XCBC, 0,			\
		 G_IPSEC_LA_AUTH_AESXCBC, auth_algo_caps.aes_xcbc)	\
	VPE_AUTH(VIRTIO_IPSEC_AUTH_HMAC_SHA256, 32, 16, false,		\
		 "hmac(sha256)", IMB_AUTH_HMAC_SHA_256, 64,		\
		 G_IPSEC_LA_AUTH_ALG_SHA2_256_HMAC, auth_algo_caps.sha2) \
	VPE_AUTH(VIRTIO_IPSEC_AUTH_HMAC_SHA384, 48, 24, false,		\
		 "hmac(sha384)", IMB_AUTH_HMAC_SHA_384, 128,		\
		 G_IPSEC_LA_AUTH_ALG_SHA2_384_HMAC, auth_algo_caps.sha2) \
	VPE_AUTH(VIRTIO_IPSEC_AUTH_HMAC_SHA512, 64, 32, false,		\
		 "hmac(sha512)", IMB_AUTH_HMAC_SHA_512, 128,		\
		 G_IPSEC_LA_AUTH_ALG_SHA2_512_HMAC, auth_algo_caps.sha2)
/* clang-format on */

/* ---- The generic columns as a plain array ------------------------- */

enum vpe_alg_kind { VPE_ALG_CIPHER, VPE_ALG_AEAD, VPE_ALG_AUTH };
enum vpe_iv_gen { VPE_IV_SEQ, VPE_IV_RANDOM };

struct vpe_alg {
	uint8_t kind;		  /* enum vpe_alg_kind */
	uint8_t id;		  /* VIRTIO_IPSEC_CIPHER_* or _AUTH_* */
	uint8_t key_min, key_max; /* bytes, steps of 8 in between */
	uint8_t salt_len, iv_len, block_len;
	uint8_t iv_gen;	   /* enum vpe_iv_gen */
	uint32_t icv_mask; /* VPE_ICV(n) for each allowed n */
	bool weak;
	const char *name; /* Linux crypto API / XFRM name */
};

#define VPE_CIPHER(id, kmin, kmax, salt, iv, blk, weak, ivg, afalg, ...) \
	{ VPE_ALG_CIPHER, id, kmin, kmax, salt, iv, blk,                 \
	  VPE_IV_##ivg,	  0,  weak, afalg },
#define VPE_AEAD(id, kmin, kmax, salt, iv, blk, icv, ivg, afk, afalg, ...) \
	{ VPE_ALG_AEAD, id,	      kmin, kmax,  salt, iv,               \
	  blk,		VPE_IV_##ivg, icv,  false, afalg },
#define VPE_AUTH(id, key, icv, weak, afalg, ...)           \
	{ VPE_ALG_AUTH, id,	      key,  key,  0, 0, 0, \
	  VPE_IV_SEQ,	VPE_ICV(icv), weak, afalg },
static const struct vpe_alg vpe_alg_table[] = { VPE_ALGS };
#undef VPE_CIPHER
#undef VPE_AEAD
#undef VPE_AUTH

#define VPE_ALG_COUNT (sizeof(vpe_alg_table) / sizeof(vpe_alg_table[0]))

/*
 * The row of a cipher (also AEAD) id when auth is false, of an integrity
 * id when true; NULL when the id is not in the table.
 */
static inline const struct vpe_alg *vpe_alg_find(uint8_t id, bool auth)
{
	for (size_t i = 0; i < VPE_ALG_COUNT; i++)
		if (vpe_alg_table[i].id == id &&
		    (vpe_alg_table[i].kind == VPE_ALG_AUTH) == auth)
			return &vpe_alg_table[i];
	return NULL;
}

/* A key length the row allows (AES: key_min..key_max in steps of 8). */
static inline bool vpe_alg_key_ok(const struct vpe_alg *a, unsigned int n)
{
	return n >= a->key_min && n <= a->key_max && (n - a->key_min) % 8 == 0;
}

/* An ICV length the row allows; 0 only for AUTH_NONE. */
static inline bool vpe_alg_icv_ok(const struct vpe_alg *a, unsigned int n)
{
	if (n == 0)
		return a->icv_mask == VPE_ICV(0);
	return n % 4 == 0 && n <= 64 && (a->icv_mask & VPE_ICV(n));
}

/* Largest allowed ICV (the default when a user gives none). */
static inline unsigned int vpe_alg_icv_max(const struct vpe_alg *a)
{
	unsigned int n = 0;

	for (unsigned int b = 0; b < 32; b++)
		if (a->icv_mask & (1u << b))
			n = 4 * b;
	return n;
}

/* Bit per id of every row of one kind family (cipher+AEAD, or auth). */
static inline uint64_t vpe_alg_mask(bool auth, bool with_weak)
{
	uint64_t m = 0;

	for (size_t i = 0; i < VPE_ALG_COUNT; i++)
		if ((vpe_alg_table[i].kind == VPE_ALG_AUTH) == auth &&
		    (with_weak || !vpe_alg_table[i].weak))
			m |= 1ULL << vpe_alg_table[i].id;
	return m;
}

#endif /* VPE_ALGS_H */
