// SPDX-License-Identifier: BSD-3-Clause
/*
 * vipsec_ipsecmb_keys: the lengths each RFC allows per algorithm, and the
 * one-time expansion of every key schedule an SA needs (AES rounds keys,
 * GCM hash keys, DES schedules, HMAC inner/outer states, XCBC subkeys),
 * so that the per-packet path only points jobs at them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <linux/virtio_ipsec.h>

#include "vipsec_ipsecmb.h"
#include "vpe_algs.h"

/* Integrity transforms: the backend's columns of vpe_algs.h. */
struct mac_info {
	uint8_t alg, key_len, icv_len, block;
	IMB_HASH_ALG hash;
};

#define VPE_CIPHER(...)
#define VPE_AEAD(...)
#define VPE_AUTH(id, key, icv, weak, afalg, hash, block, ...) \
	{ id, key, icv, block, hash },
static const struct mac_info macs[] = { VPE_ALGS };
#undef VPE_CIPHER
#undef VPE_AEAD
#undef VPE_AUTH

/* Cipher and AEAD ids: the intel-ipsec-mb mode, or the AEAD kind. */
struct enc_info {
	uint8_t alg;
	uint8_t kind;		/* enum vpe_mb_kind */
	IMB_CIPHER_MODE cipher; /* VPE_MB_CHAIN */
};

#define VPE_CIPHER(id, kmin, kmax, salt, iv, blk, weak, ivg, afalg, mode, ...) \
	{ id, VPE_MB_CHAIN, mode },
#define VPE_AEAD(id, kmin, kmax, salt, iv, blk, icv, ivg, afk, afalg, kind, \
		 ...)                                                       \
	{ id, kind, IMB_CIPHER_NULL },
#define VPE_AUTH(...)
static const struct enc_info encs[] = { VPE_ALGS };
#undef VPE_CIPHER
#undef VPE_AEAD
#undef VPE_AUTH

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const struct enc_info *find_enc(uint8_t alg)
{
	for (size_t i = 0; i < ARRAY_LEN(encs); i++)
		if (encs[i].alg == alg)
			return &encs[i];
	return NULL;
}

/*
 * Room for len bytes in k's area, 16-byte aligned, after what is placed
 * already (k->size so far); its offset. Every family's largest set fits
 * (AES-256-CBC with HMAC-SHA-512 and a CBC IV key: 848 bytes of area).
 */
static uint16_t place(struct vpe_mb_key *k, size_t len)
{
	size_t off = ((size_t)k->size + 15) & ~(size_t)15;

	if (off + len > sizeof(*k))
		abort(); /* a new algorithm outgrew VPE_MB_AREA */
	k->size = (uint16_t)(off + len);
	return (uint16_t)off;
}

/* The lines of [off, off + len) are read by packets of these directions. */
static void hot(struct vpe_mb_key *k, uint16_t off, size_t len, bool enc,
		bool dec)
{
	for (size_t l = off / 64; l <= (off + len - 1) / 64; l++) {
		if (enc)
			k->hot[1] |= 1u << l;
		if (dec)
			k->hot[0] |= 1u << l;
	}
}

/* AES round keys: (rounds + 1) blocks. */
static size_t aes_sched_len(uint8_t len)
{
	return ((size_t)len / 4 + 7) * 16;
}

/*
 * The encryption schedule at k->enc, the decryption one at k->dec, or
 * (dec 0: CTR, CCM) nowhere kept.
 */
static void aes_expand(IMB_MGR *mgr, const uint8_t *key, uint8_t len,
		       struct vpe_mb_key *k)
{
	uint32_t tmp[60] __attribute__((aligned(16)));
	void *enc = vpe_mb_at(k, k->enc);
	void *dec = k->dec ? vpe_mb_at(k, k->dec) : tmp;

	if (len == 16)
		IMB_AES_KEYEXP_128(mgr, key, enc, dec);
	else if (len == 24)
		IMB_AES_KEYEXP_192(mgr, key, enc, dec);
	else
		IMB_AES_KEYEXP_256(mgr, key, enc, dec);
	explicit_bzero(tmp, sizeof(tmp));
}

/* HMAC: the states after one block of key ^ ipad and key ^ opad. */
static void hmac_pre(IMB_MGR *mgr, const struct mac_info *m, const uint8_t *key,
		     struct vpe_mb_key *k)
{
	uint8_t buf[128];
	unsigned int i;

	for (int pass = 0; pass < 2; pass++) {
		uint8_t pad = pass ? 0x5c : 0x36;
		uint8_t *out = vpe_mb_at(k, pass ? k->opad : k->ipad);

		memset(buf, 0, sizeof(buf));
		memcpy(buf, key, m->key_len);
		for (i = 0; i < m->block; i++)
			buf[i] ^= pad;
		switch (m->hash) {
		case IMB_AUTH_MD5: IMB_MD5_ONE_BLOCK(mgr, buf, out); break;
		case IMB_AUTH_HMAC_SHA_1:
			IMB_SHA1_ONE_BLOCK(mgr, buf, out);
			break;
		case IMB_AUTH_HMAC_SHA_256:
			IMB_SHA256_ONE_BLOCK(mgr, buf, out);
			break;
		case IMB_AUTH_HMAC_SHA_384:
			IMB_SHA384_ONE_BLOCK(mgr, buf, out);
			break;
		default: IMB_SHA512_ONE_BLOCK(mgr, buf, out); break;
		}
	}
	explicit_bzero(buf, sizeof(buf));
}

static int mac_setup(IMB_MGR *mgr, const struct vpe_xfrm_params *p,
		     struct vpe_mb_key *k)
{
	const struct mac_info *m = NULL;
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(macs); i++)
		if (macs[i].alg == p->auth_alg)
			m = &macs[i];
	if (!m)
		return -EOPNOTSUPP;
	if (p->auth_key_len != m->key_len || p->icv_len != m->icv_len)
		return -EINVAL;
	if (m->hash == IMB_AUTH_NULL) {
		if (p->esn)
			return -EINVAL;
		k->hash = IMB_AUTH_NULL;
		return 0;
	}
	k->hash = m->hash;
	k->icv_len = m->icv_len;
	if (m->hash == IMB_AUTH_AES_XCBC) {
		k->xcbc_k1 = place(k, 176);
		k->xcbc_k2 = place(k, 16);
		k->xcbc_k3 = place(k, 16);
		hot(k, k->xcbc_k1, k->size - k->xcbc_k1, true, true);
		IMB_AES_XCBC_KEYEXP(mgr, p->auth_key, vpe_mb_at(k, k->xcbc_k1),
				    vpe_mb_at(k, k->xcbc_k2),
				    vpe_mb_at(k, k->xcbc_k3));
		return 0;
	}
	/*
	 * The two states next to each other, each as long as the digest
	 * state (64 bytes for SHA-384/512, at most 32 for the others), so
	 * that HMAC-SHA-256's take one line.
	 */
	size_t st = m->hash == IMB_AUTH_HMAC_SHA_384 ||
				    m->hash == IMB_AUTH_HMAC_SHA_512 ?
			    64 :
			    32;

	k->ipad = place(k, 2 * st);
	k->opad = (uint16_t)(k->ipad + st);
	hot(k, k->ipad, 2 * st, true, true);
	hmac_pre(mgr, m, p->auth_key, k);
	return 0;
}

/*
 * CBC IVs (RFC 3602: unpredictable) are AES-128 of the sequence number
 * under a random per-SA key that never leaves the key object: distinct
 * inputs give distinct outputs that look random without the key, and no
 * randomness is needed per packet.
 */
static int cbc_iv_setup(IMB_MGR *mgr, struct vpe_mb_key *k)
{
	/* Read by outbound packets only (iv_gen). */
	k->iv_key = place(k, 176);
	hot(k, k->iv_key, 176, true, false);
	uint32_t dec[44] __attribute__((aligned(16)));
	uint8_t rnd[16];

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return -EIO;
	static uint64_t ids; /* 0 is no key's: an empty cache matches none */

	IMB_AES_KEYEXP_128(mgr, rnd, vpe_mb_at(k, k->iv_key), dec);
	explicit_bzero(rnd, sizeof(rnd));
	explicit_bzero(dec, sizeof(dec));
	k->cbc_iv = true;
	k->iv_key_id = __atomic_add_fetch(&ids, 1, __ATOMIC_RELAXED);
	return 0;
}

/* Lengths from the generic row, the construction from the mode. */
static int cipher_setup(IMB_MGR *mgr, const struct vpe_xfrm_params *p,
			const struct enc_info *e, struct vpe_mb_key *k)
{
	const struct vpe_alg *row = vpe_alg_find(p->cipher_alg, false);
	uint8_t n = p->cipher_key_len;
	int i, ret;

	if (!row || !vpe_alg_key_ok(row, n) || p->salt_len != row->salt_len)
		return -EINVAL;
	k->key_len = n;
	k->cipher = e->cipher;
	k->iv_len = row->iv_len;
	k->block_len = row->block_len;
	memcpy(k->salt, p->salt, p->salt_len);
	switch (e->cipher) {
	case IMB_CIPHER_NULL:
		if (p->auth_alg == VIRTIO_IPSEC_AUTH_NONE)
			return -EINVAL;
		break;
	case IMB_CIPHER_CBC:
		/* Outbound reads enc and iv_key, inbound dec: in that order. */
		k->enc = place(k, aes_sched_len(n));
		hot(k, k->enc, aes_sched_len(n), true, false);
		if (row->iv_gen == VPE_IV_RANDOM) {
			ret = cbc_iv_setup(mgr, k);
			if (ret)
				return ret;
		}
		k->dec = place(k, aes_sched_len(n));
		hot(k, k->dec, aes_sched_len(n), false, true);
		aes_expand(mgr, p->cipher_key, n, k);
		return 0;
	case IMB_CIPHER_CNTR:
		k->enc = place(k, aes_sched_len(n));
		hot(k, k->enc, aes_sched_len(n), true, true);
		aes_expand(mgr, p->cipher_key, n, k);
		break;
	case IMB_CIPHER_DES:
	case IMB_CIPHER_DES3:
		k->des_ks = place(k, (size_t)n / 8 * 16 * 8);
		k->des_ptrs = place(k, 3 * sizeof(void *));
		hot(k, k->des_ks, k->size - k->des_ks, true, true);
		for (i = 0; i < n / 8; i++)
			IMB_DES_KEYSCHED(mgr,
					 (uint64_t *)vpe_mb_at(k, k->des_ks) +
						 16 * i,
					 p->cipher_key + 8 * i);
		vpe_mb_key_moved(k);
		break;
	default: return -EOPNOTSUPP;
	}
	return row->iv_gen == VPE_IV_RANDOM ? cbc_iv_setup(mgr, k) : 0;
}

static int aead_setup(IMB_MGR *mgr, const struct vpe_xfrm_params *p,
		      const struct enc_info *e, struct vpe_mb_key *k)
{
	const struct vpe_alg *row = vpe_alg_find(p->cipher_alg, false);
	uint8_t n = p->cipher_key_len;

	if (!row || p->auth_alg != VIRTIO_IPSEC_AUTH_NONE || p->auth_key_len ||
	    !vpe_alg_key_ok(row, n) || p->salt_len != row->salt_len ||
	    !vpe_alg_icv_ok(row, p->icv_len))
		return -EINVAL;
	/* intel-ipsec-mb's CCM has 128- and 256-bit keys only. */
	if (e->kind == VPE_MB_CCM && n == 24)
		return -EOPNOTSUPP;
	k->kind = e->kind;
	k->key_len = n;
	k->icv_len = p->icv_len;
	k->iv_len = row->iv_len;
	k->block_len = row->block_len;
	memcpy(k->salt, p->salt, p->salt_len);
	if (e->kind == VPE_MB_CHACHA) {
		k->cipher = IMB_CIPHER_CHACHA20_POLY1305;
		k->hash = IMB_AUTH_CHACHA20_POLY1305;
		k->enc = place(k, n);
		hot(k, k->enc, n, true, true);
		memcpy(vpe_mb_at(k, k->enc), p->cipher_key,
		       n); /* no schedule */
		return 0;
	}
	if (e->kind == VPE_MB_CCM) {
		k->cipher = IMB_CIPHER_CCM;
		k->hash = IMB_AUTH_AES_CCM;
		k->enc = place(k, aes_sched_len(n));
		hot(k, k->enc, aes_sched_len(n), true, true);
		aes_expand(mgr, p->cipher_key, n, k);
		return 0;
	}
	/*
	 * The library's GCM key: its round keys and hash keys are what a
	 * packet reads (lines 1-6 on AVX2); lines 0-7, as the engine
	 * prefetched for every key before hot[].
	 */
	k->size = (uint16_t)(offsetof(struct vpe_mb_key, gcm) + sizeof(k->gcm));
	k->hot[0] = k->hot[1] = 0xff;
	if (n == 16) {
		IMB_AES128_GCM_PRE(mgr, p->cipher_key, &k->gcm);
		k->hash = IMB_AUTH_AES_GMAC_128;
	} else if (n == 24) {
		IMB_AES192_GCM_PRE(mgr, p->cipher_key, &k->gcm);
		k->hash = IMB_AUTH_AES_GMAC_192;
	} else {
		IMB_AES256_GCM_PRE(mgr, p->cipher_key, &k->gcm);
		k->hash = IMB_AUTH_AES_GMAC_256;
	}
	k->cipher = IMB_CIPHER_NULL;
	return 0;
}

int vpe_mb_keys_setup(IMB_MGR *mgr, const struct vpe_xfrm_params *p,
		      struct vpe_mb_key *k)
{
	const struct enc_info *e = find_enc(p->cipher_alg);
	int ret;

	if (!e)
		return -EOPNOTSUPP;
	k->size = offsetof(struct vpe_mb_key, area);
	k->hot[0] = k->hot[1] = 1; /* line 0: the shape */
	k->cipher_alg = p->cipher_alg;
	k->auth_alg = p->auth_alg;
	k->esn = p->esn;
	if (e->kind != VPE_MB_CHAIN)
		return aead_setup(mgr, p, e, k);
	k->kind = VPE_MB_CHAIN;
	ret = mac_setup(mgr, p, k);
	if (ret)
		return ret;
	return cipher_setup(mgr, p, e, k);
}

void vpe_mb_key_moved(struct vpe_mb_key *k)
{
	const void **ptrs = vpe_mb_at(k, k->des_ptrs);

	if (!k->des_ks)
		return;
	for (int i = 0; i < k->key_len / 8; i++)
		ptrs[i] = (const uint64_t *)vpe_mb_at(k, k->des_ks) + 16 * i;
}
