// SPDX-License-Identifier: BSD-3-Clause
/*
 * vipsec_ipsecmb: crypto backend on intel-ipsec-mb's direct AES-GCM API.
 *
 * One IMB_MGR per backend instance (one per core), initialised for the
 * best instruction set the CPU has. Keys are expanded once with
 * IMB_AESxxx_GCM_PRE. Batches are processed in order; a later version
 * feeds them to the job/burst API instead.
 */
#include <errno.h>
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
};

static struct ipsecmb *to_mb(struct vipsec_crypto *c)
{
	return (struct ipsecmb *)c;
}

static int mb_key_new(struct vipsec_crypto *c, uint8_t alg,
		      const uint8_t *key, size_t key_len, void **out)
{
	IMB_MGR *mgr = to_mb(c)->mgr;
	struct ipsecmb_key *k;

	if (alg != VIRTIO_IPSEC_CIPHER_AES_GCM)
		return -EINVAL;
	if (key_len != 16 && key_len != 24 && key_len != 32)
		return -EINVAL;
	if (posix_memalign((void **)&k, 64, sizeof(*k)))
		return -ENOMEM;
	memset(k, 0, sizeof(*k));
	k->key_len = (uint32_t)key_len;
	if (key_len == 16)
		IMB_AES128_GCM_PRE(mgr, key, &k->gcm);
	else if (key_len == 24)
		IMB_AES192_GCM_PRE(mgr, key, &k->gcm);
	else
		IMB_AES256_GCM_PRE(mgr, key, &k->gcm);
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

static void mb_encrypt(struct vipsec_crypto *c, struct vipsec_aead_op *ops,
		       unsigned int n)
{
	IMB_MGR *mgr = to_mb(c)->mgr;
	struct gcm_context_data ctx;
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct vipsec_aead_op *op = &ops[i];
		const struct ipsecmb_key *k = op->key;

		switch (k->key_len) {
		case 16:
			IMB_AES128_GCM_ENC(mgr, &k->gcm, &ctx, op->dst, op->src,
					   op->len, op->iv, op->aad,
					   op->aad_len, op->tag, op->tag_len);
			break;
		case 24:
			IMB_AES192_GCM_ENC(mgr, &k->gcm, &ctx, op->dst, op->src,
					   op->len, op->iv, op->aad,
					   op->aad_len, op->tag, op->tag_len);
			break;
		default:
			IMB_AES256_GCM_ENC(mgr, &k->gcm, &ctx, op->dst, op->src,
					   op->len, op->iv, op->aad,
					   op->aad_len, op->tag, op->tag_len);
			break;
		}
		op->status = 0;
	}
	explicit_bzero(&ctx, sizeof(ctx));
}

static void mb_decrypt(struct vipsec_crypto *c, struct vipsec_aead_op *ops,
		       unsigned int n)
{
	IMB_MGR *mgr = to_mb(c)->mgr;
	struct gcm_context_data ctx;
	uint8_t tag[16];
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct vipsec_aead_op *op = &ops[i];
		const struct ipsecmb_key *k = op->key;

		switch (k->key_len) {
		case 16:
			IMB_AES128_GCM_DEC(mgr, &k->gcm, &ctx, op->dst, op->src,
					   op->len, op->iv, op->aad,
					   op->aad_len, tag, op->tag_len);
			break;
		case 24:
			IMB_AES192_GCM_DEC(mgr, &k->gcm, &ctx, op->dst, op->src,
					   op->len, op->iv, op->aad,
					   op->aad_len, tag, op->tag_len);
			break;
		default:
			IMB_AES256_GCM_DEC(mgr, &k->gcm, &ctx, op->dst, op->src,
					   op->len, op->iv, op->aad,
					   op->aad_len, tag, op->tag_len);
			break;
		}
		op->status = vipsec_memneq(tag, op->tag, op->tag_len) ?
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
	.aead_encrypt = mb_encrypt,
	.aead_decrypt = mb_decrypt,
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
