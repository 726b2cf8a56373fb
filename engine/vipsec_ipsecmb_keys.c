// SPDX-License-Identifier: BSD-3-Clause
/*
 * vipsec_ipsecmb_keys: the lengths each RFC allows per algorithm, and the
 * one-time expansion of every key schedule an SA needs (AES rounds keys,
 * GCM hash keys, DES schedules, HMAC inner/outer states, XCBC subkeys),
 * so that the per-packet path only points jobs at them.
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include <linux/virtio_ipsec.h>

#include "vipsec_ipsecmb.h"

/* Integrity transforms: key length, ICV length, HMAC block size. */
struct mac_info {
	uint8_t alg, key_len, icv_len, block;
	IMB_HASH_ALG hash;
};

static const struct mac_info macs[] = {
	{ VIRTIO_IPSEC_AUTH_HMAC_MD5_96, 16, 12, 64, IMB_AUTH_MD5 },
	{ VIRTIO_IPSEC_AUTH_HMAC_SHA1_96, 20, 12, 64, IMB_AUTH_HMAC_SHA_1 },
	{ VIRTIO_IPSEC_AUTH_AES_XCBC_96, 16, 12, 0, IMB_AUTH_AES_XCBC },
	{ VIRTIO_IPSEC_AUTH_HMAC_SHA256, 32, 16, 64, IMB_AUTH_HMAC_SHA_256 },
	{ VIRTIO_IPSEC_AUTH_HMAC_SHA384, 48, 24, 128, IMB_AUTH_HMAC_SHA_384 },
	{ VIRTIO_IPSEC_AUTH_HMAC_SHA512, 64, 32, 128, IMB_AUTH_HMAC_SHA_512 },
};

static bool aes_len(uint8_t n)
{
	return n == 16 || n == 24 || n == 32;
}

static void aes_expand(IMB_MGR *mgr, const uint8_t *key, uint8_t len,
		       struct vpe_mb_key *k)
{
	if (len == 16)
		IMB_AES_KEYEXP_128(mgr, key, k->enc, k->dec);
	else if (len == 24)
		IMB_AES_KEYEXP_192(mgr, key, k->enc, k->dec);
	else
		IMB_AES_KEYEXP_256(mgr, key, k->enc, k->dec);
}

/* HMAC: the states after one block of key ^ ipad and key ^ opad. */
static void hmac_pre(IMB_MGR *mgr, const struct mac_info *m,
		     const uint8_t *key, struct vpe_mb_key *k)
{
	uint8_t buf[128];
	unsigned int i;

	for (int pass = 0; pass < 2; pass++) {
		uint8_t pad = pass ? 0x5c : 0x36;
		uint8_t *out = pass ? k->opad : k->ipad;

		memset(buf, 0, sizeof(buf));
		memcpy(buf, key, m->key_len);
		for (i = 0; i < m->block; i++)
			buf[i] ^= pad;
		switch (m->hash) {
		case IMB_AUTH_MD5:
			IMB_MD5_ONE_BLOCK(mgr, buf, out);
			break;
		case IMB_AUTH_HMAC_SHA_1:
			IMB_SHA1_ONE_BLOCK(mgr, buf, out);
			break;
		case IMB_AUTH_HMAC_SHA_256:
			IMB_SHA256_ONE_BLOCK(mgr, buf, out);
			break;
		case IMB_AUTH_HMAC_SHA_384:
			IMB_SHA384_ONE_BLOCK(mgr, buf, out);
			break;
		default:
			IMB_SHA512_ONE_BLOCK(mgr, buf, out);
			break;
		}
	}
	explicit_bzero(buf, sizeof(buf));
}

static int mac_setup(IMB_MGR *mgr, const struct vpe_xfrm_params *p,
		     struct vpe_mb_key *k)
{
	const struct mac_info *m = NULL;
	unsigned int i;

	if (p->auth_alg == VIRTIO_IPSEC_AUTH_NONE) {
		if (p->auth_key_len || p->icv_len || p->esn)
			return -EINVAL;
		k->hash = IMB_AUTH_NULL;
		return 0;
	}
	for (i = 0; i < sizeof(macs) / sizeof(macs[0]); i++)
		if (macs[i].alg == p->auth_alg)
			m = &macs[i];
	if (!m)
		return -EOPNOTSUPP;
	if (p->auth_key_len != m->key_len || p->icv_len != m->icv_len)
		return -EINVAL;
	k->hash = m->hash;
	k->icv_len = m->icv_len;
	if (m->hash == IMB_AUTH_AES_XCBC)
		IMB_AES_XCBC_KEYEXP(mgr, p->auth_key, k->xcbc_k1, k->xcbc_k2,
				    k->xcbc_k3);
	else
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
	uint32_t dec[44] __attribute__((aligned(16)));
	uint8_t rnd[16];

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return -EIO;
	IMB_AES_KEYEXP_128(mgr, rnd, k->iv_key, dec);
	explicit_bzero(rnd, sizeof(rnd));
	explicit_bzero(dec, sizeof(dec));
	k->cbc_iv = true;
	return 0;
}

static int cipher_setup(IMB_MGR *mgr, const struct vpe_xfrm_params *p,
			struct vpe_mb_key *k)
{
	uint8_t n = p->cipher_key_len;
	int i;

	k->key_len = n;
	switch (p->cipher_alg) {
	case VIRTIO_IPSEC_CIPHER_NULL:
		if (n || p->salt_len || p->auth_alg == VIRTIO_IPSEC_AUTH_NONE)
			return -EINVAL;
		k->cipher = IMB_CIPHER_NULL;
		k->iv_len = 0;
		k->block_len = 4;
		return 0;
	case VIRTIO_IPSEC_CIPHER_AES_CBC:
		if (!aes_len(n) || p->salt_len)
			return -EINVAL;
		k->cipher = IMB_CIPHER_CBC;
		k->iv_len = 16;
		k->block_len = 16;
		aes_expand(mgr, p->cipher_key, n, k);
		return cbc_iv_setup(mgr, k);
	case VIRTIO_IPSEC_CIPHER_AES_CTR:
		if (!aes_len(n) || p->salt_len != 4)
			return -EINVAL;
		k->cipher = IMB_CIPHER_CNTR;
		k->iv_len = 8;
		k->block_len = 4;
		memcpy(k->salt, p->salt, 4);
		aes_expand(mgr, p->cipher_key, n, k);
		return 0;
	case VIRTIO_IPSEC_CIPHER_DES_CBC:
	case VIRTIO_IPSEC_CIPHER_3DES_CBC:
		if (p->salt_len ||
		    n != (p->cipher_alg == VIRTIO_IPSEC_CIPHER_DES_CBC ? 8 : 24))
			return -EINVAL;
		k->cipher = n == 8 ? IMB_CIPHER_DES : IMB_CIPHER_DES3;
		k->iv_len = 8;
		k->block_len = 8;
		for (i = 0; i < n / 8; i++) {
			IMB_DES_KEYSCHED(mgr, k->des_ks[i], p->cipher_key + 8 * i);
			k->des_ptrs[i] = k->des_ks[i];
		}
		return cbc_iv_setup(mgr, k);
	default:
		return -EOPNOTSUPP;
	}
}

static int aead_setup(IMB_MGR *mgr, const struct vpe_xfrm_params *p,
		      struct vpe_mb_key *k)
{
	uint8_t n = p->cipher_key_len;
	bool ccm = p->cipher_alg == VIRTIO_IPSEC_CIPHER_AES_CCM;

	if (p->auth_alg != VIRTIO_IPSEC_AUTH_NONE || p->auth_key_len ||
	    !aes_len(n) || p->salt_len != (ccm ? 3 : 4))
		return -EINVAL;
	if (p->cipher_alg == VIRTIO_IPSEC_CIPHER_AES_GMAC ? p->icv_len != 16 :
	    p->icv_len != 8 && p->icv_len != 12 && p->icv_len != 16)
		return -EINVAL;
	/* intel-ipsec-mb's CCM has 128- and 256-bit keys only. */
	if (ccm && n == 24)
		return -EOPNOTSUPP;
	k->key_len = n;
	k->icv_len = p->icv_len;
	k->iv_len = 8;
	k->block_len = 4;	/* stream modes: ESP's 4-byte rule */
	memcpy(k->salt, p->salt, p->salt_len);
	if (ccm) {
		k->kind = VPE_MB_CCM;
		k->cipher = IMB_CIPHER_CCM;
		k->hash = IMB_AUTH_AES_CCM;
		aes_expand(mgr, p->cipher_key, n, k);
		return 0;
	}
	k->kind = p->cipher_alg == VIRTIO_IPSEC_CIPHER_AES_GCM ? VPE_MB_GCM :
								VPE_MB_GMAC;
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
	int ret;

	k->cipher_alg = p->cipher_alg;
	k->auth_alg = p->auth_alg;
	k->esn = p->esn;
	switch (p->cipher_alg) {
	case VIRTIO_IPSEC_CIPHER_AES_GCM:
	case VIRTIO_IPSEC_CIPHER_AES_CCM:
	case VIRTIO_IPSEC_CIPHER_AES_GMAC:
		return aead_setup(mgr, p, k);
	}
	k->kind = VPE_MB_CHAIN;
	ret = mac_setup(mgr, p, k);
	if (ret)
		return ret;
	return cipher_setup(mgr, p, k);
}
