// SPDX-License-Identifier: BSD-3-Clause
/*
 * vipsec_ipsecmb: crypto backend on intel-ipsec-mb's direct AES-GCM API.
 * (GCM decrypts into pt before the tag is checked; vipsec_esp_open
 * zeroes pt on a mismatch so unauthenticated bytes never leave.)
 *
 * One IMB_MGR per backend instance (one per core), initialised for the
 * best instruction set the CPU has. Keys are expanded once with
 * IMB_AESxxx_GCM_PRE. Batches are processed in order; a later version
 * feeds them to the job/burst API instead.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <intel-ipsec-mb.h>
#include <linux/virtio_ipsec.h>

#include "vipsec_crypto.h"

struct ipsecmb {
	struct vipsec_crypto base;
	IMB_MGR *mgr;
};

struct ipsecmb_key {
	struct gcm_key_data gcm;	/* first: 64-byte aligned allocation */
	uint32_t key_len;
	uint8_t salt[4];
	uint8_t icv_len;
	bool esn;
};

static struct ipsecmb *to_mb(struct vipsec_crypto *c)
{
	return (struct ipsecmb *)c;
}

static int mb_key_new(struct vipsec_crypto *c, const struct vipsec_xfrm_params *p,
		      void **out, struct vipsec_xfrm_shape *shape)
{
	IMB_MGR *mgr = to_mb(c)->mgr;
	struct ipsecmb_key *k;

	if (p->cipher_alg != VIRTIO_IPSEC_CIPHER_AES_GCM ||
	    p->auth_alg != VIRTIO_IPSEC_AUTH_NONE)
		return -EOPNOTSUPP;
	if ((p->cipher_key_len != 16 && p->cipher_key_len != 24 &&
	     p->cipher_key_len != 32) || p->salt_len != 4 ||
	    (p->icv_len != 8 && p->icv_len != 12 && p->icv_len != 16))
		return -EINVAL;
	if (posix_memalign((void **)&k, 64, sizeof(*k)))
		return -ENOMEM;
	memset(k, 0, sizeof(*k));
	k->key_len = p->cipher_key_len;
	memcpy(k->salt, p->salt, 4);
	k->icv_len = p->icv_len;
	k->esn = p->esn;
	if (k->key_len == 16)
		IMB_AES128_GCM_PRE(mgr, p->cipher_key, &k->gcm);
	else if (k->key_len == 24)
		IMB_AES192_GCM_PRE(mgr, p->cipher_key, &k->gcm);
	else
		IMB_AES256_GCM_PRE(mgr, p->cipher_key, &k->gcm);
	shape->iv_len = 8;
	shape->block_len = 4;	/* GCM is a stream mode: ESP's 4-byte rule */
	shape->icv_len = p->icv_len;
	*out = k;
	return 0;
}

static void mb_key_free(struct vipsec_crypto *c, void *key)
{
	(void)c;
	if (!key)
		return;
	explicit_bzero(key, sizeof(struct ipsecmb_key));
	free(key);
}

static void mb_iv_gen(struct vipsec_crypto *c, const void *key, uint64_t seq,
		      uint8_t *iv)
{
	(void)c;
	(void)key;
	vipsec_iv_from_seq(seq, iv);	/* GCM: unique per key suffices */
}

/*
 * RFC 4106: nonce = salt || explicit IV; AAD = SPI || seq, or with ESN
 * SPI || seq_hi || seq_lo (section 5).
 */
static uint32_t gcm_nonce_aad(const struct ipsecmb_key *k,
			      const struct vipsec_esp_op *op, uint8_t nonce[12],
			      uint8_t aad[12])
{
	memcpy(nonce, k->salt, 4);
	memcpy(nonce + 4, op->esp + 8, 8);
	memcpy(aad, op->esp, 4);
	if (!k->esn) {
		memcpy(aad + 4, op->esp + 4, 4);
		return 8;
	}
	aad[4] = (uint8_t)(op->seq_hi >> 24);
	aad[5] = (uint8_t)(op->seq_hi >> 16);
	aad[6] = (uint8_t)(op->seq_hi >> 8);
	aad[7] = (uint8_t)op->seq_hi;
	memcpy(aad + 8, op->esp + 4, 4);
	return 12;
}

static void gcm_enc(IMB_MGR *mgr, const struct ipsecmb_key *k,
		    struct gcm_context_data *ctx, uint8_t *dst,
		    const uint8_t *src, uint32_t len, const uint8_t *nonce,
		    const uint8_t *aad, uint32_t aad_len, uint8_t *tag,
		    uint32_t tag_len)
{
	if (k->key_len == 16)
		IMB_AES128_GCM_ENC(mgr, &k->gcm, ctx, dst, src, len, nonce,
				   aad, aad_len, tag, tag_len);
	else if (k->key_len == 24)
		IMB_AES192_GCM_ENC(mgr, &k->gcm, ctx, dst, src, len, nonce,
				   aad, aad_len, tag, tag_len);
	else
		IMB_AES256_GCM_ENC(mgr, &k->gcm, ctx, dst, src, len, nonce,
				   aad, aad_len, tag, tag_len);
}

static void gcm_dec(IMB_MGR *mgr, const struct ipsecmb_key *k,
		    struct gcm_context_data *ctx, uint8_t *dst,
		    const uint8_t *src, uint32_t len, const uint8_t *nonce,
		    const uint8_t *aad, uint32_t aad_len, uint8_t *tag,
		    uint32_t tag_len)
{
	if (k->key_len == 16)
		IMB_AES128_GCM_DEC(mgr, &k->gcm, ctx, dst, src, len, nonce,
				   aad, aad_len, tag, tag_len);
	else if (k->key_len == 24)
		IMB_AES192_GCM_DEC(mgr, &k->gcm, ctx, dst, src, len, nonce,
				   aad, aad_len, tag, tag_len);
	else
		IMB_AES256_GCM_DEC(mgr, &k->gcm, ctx, dst, src, len, nonce,
				   aad, aad_len, tag, tag_len);
}

static void mb_encrypt(struct vipsec_crypto *c, struct vipsec_esp_op *ops,
		       unsigned int n)
{
	IMB_MGR *mgr = to_mb(c)->mgr;
	struct gcm_context_data ctx;
	uint8_t nonce[12], aad[12];
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct vipsec_esp_op *op = &ops[i];
		const struct ipsecmb_key *k = op->key;
		uint8_t *ct = op->esp + 16;
		uint32_t aad_len = gcm_nonce_aad(k, op, nonce, aad);

		gcm_enc(mgr, k, &ctx, ct, op->pt, op->len, nonce, aad, aad_len,
			ct + op->len, k->icv_len);
		op->status = 0;
	}
	explicit_bzero(&ctx, sizeof(ctx));
}

static void mb_decrypt(struct vipsec_crypto *c, struct vipsec_esp_op *ops,
		       unsigned int n)
{
	IMB_MGR *mgr = to_mb(c)->mgr;
	struct gcm_context_data ctx;
	uint8_t nonce[12], aad[12], tag[16];
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct vipsec_esp_op *op = &ops[i];
		const struct ipsecmb_key *k = op->key;
		const uint8_t *ct = op->esp + 16;
		uint32_t aad_len = gcm_nonce_aad(k, op, nonce, aad);

		gcm_dec(mgr, k, &ctx, op->pt, ct, op->len, nonce, aad, aad_len,
			tag, k->icv_len);
		op->status = vipsec_memneq(tag, ct + op->len, k->icv_len) ?
			     -EBADMSG : 0;
	}
	explicit_bzero(&ctx, sizeof(ctx));
}

static void mb_destroy(struct vipsec_crypto *c)
{
	struct ipsecmb *mb = to_mb(c);

	free_mb_mgr(mb->mgr);
	free(mb);
}

static const struct vipsec_crypto_ops ipsecmb_ops = {
	.name = "ipsec-mb",
	.cipher_mask = 1ULL << VIRTIO_IPSEC_CIPHER_AES_GCM,
	.auth_mask = 1ULL << VIRTIO_IPSEC_AUTH_NONE,
	.key_new = mb_key_new,
	.key_free = mb_key_free,
	.iv_gen = mb_iv_gen,
	.encrypt = mb_encrypt,
	.decrypt = mb_decrypt,
	.destroy = mb_destroy,
};

struct vipsec_crypto *vipsec_crypto_ipsecmb_new(char *err, size_t err_len)
{
	struct ipsecmb *mb = calloc(1, sizeof(*mb));
	IMB_ARCH arch = IMB_ARCH_NONE;

	if (!mb)
		goto fail;
	mb->mgr = alloc_mb_mgr(0);
	if (!mb->mgr) {
		free(mb);
		goto fail;
	}
	init_mb_mgr_auto(mb->mgr, &arch);
	if (arch == IMB_ARCH_NONE || imb_get_errno(mb->mgr)) {
		if (err && err_len)
			snprintf(err, err_len,
				 "intel-ipsec-mb: no usable architecture");
		free_mb_mgr(mb->mgr);
		free(mb);
		return NULL;
	}
	mb->base.ops = &ipsecmb_ops;
	return &mb->base;
fail:
	if (err && err_len)
		snprintf(err, err_len, "intel-ipsec-mb: out of memory");
	return NULL;
}
