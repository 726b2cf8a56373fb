// SPDX-License-Identifier: BSD-3-Clause
/*
 * vipsec_ipsecmb: crypto backend on intel-ipsec-mb.
 *
 * One IMB_MGR per backend instance (one per core), initialised for the
 * best instruction set the CPU has. Keys are expanded once at key_new
 * (vipsec_ipsecmb_keys.c). AES-GCM runs on the direct GCM API, one packet
 * at a time (vipsec_ipsecmb_gcm.c); every other transform goes to the job
 * API a batch at a time (vipsec_ipsecmb_jobs.c).
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_ipsec.h>

#include "vipsec_arena.h"
#include "vipsec_ipsecmb.h"
#include "vpe_algs.h"

#define BATCH 64

static int mb_key_new(struct vpe_crypto *c, const struct vpe_xfrm_params *p,
		      void **out, struct vpe_xfrm_shape *shape)
{
	struct vpe_mb_key tmp = { 0 }, *k;
	int ret;

	/*
	 * Built at the largest size, then kept at the size its transform
	 * needs, next to its SA (vipsec_arena.h), 64-byte aligned.
	 */
	ret = vpe_mb_keys_setup(to_mb(c)->mgr, p, &tmp);
	k = ret ? NULL : vpe_arena_alloc(tmp.size);
	if (k) {
		memcpy(k, &tmp, tmp.size);
		vpe_mb_key_moved(k);
	}
	explicit_bzero(&tmp, sizeof(tmp));
	if (ret)
		return ret;
	if (!k)
		return -ENOMEM;
	shape->iv_len = k->iv_len;
	shape->block_len = k->block_len;
	shape->icv_len = k->icv_len;
	*out = k;
	return 0;
}

static void mb_key_free(struct vpe_crypto *c, void *key)
{
	(void)c;
	if (!key)
		return;
	/* Zeroes it: all the size it was allocated at. */
	vpe_arena_free(key, ((struct vpe_mb_key *)key)->size);
}

/*
 * The lines a packet of this direction reads past the first 8 (which the
 * engine has prefetched already): CBC+HMAC inbound's decryption schedule.
 */
static void mb_key_prefetch(const void *key, bool encrypt)
{
	const struct vpe_mb_key *k = key;
	uint32_t m = k->hot[encrypt] & ~0xffu;

	while (m) {
		__builtin_prefetch((const char *)key + 64 * __builtin_ctz(m));
		m &= m - 1;
	}
}

/*
 * IVs for first .. first + VPE_MB_IVC - 1 in one ECB job; false when the
 * job fails (the caller then draws one IV alone). No other job is in
 * the manager here: every backend call flushes it before returning.
 */
static bool mb_ivc_fill(IMB_MGR *mgr, struct vpe_mb_ivc *v,
			const struct vpe_mb_key *k, uint64_t first)
{
	IMB_JOB *job = IMB_GET_NEXT_JOB(mgr);
	unsigned int i;

	for (i = 0; i < VPE_MB_IVC; i++) {
		memset(v->blk[i], 0, 8);
		vpe_iv_from_seq(first + i, v->blk[i] + 8);
	}
	job->cipher_mode = IMB_CIPHER_ECB;
	job->cipher_direction = IMB_DIR_ENCRYPT;
	job->chain_order = IMB_ORDER_CIPHER_HASH;
	job->hash_alg = IMB_AUTH_NULL;
	job->enc_keys = vpe_mb_at(k, k->iv_key);
	job->dec_keys = job->enc_keys; /* not read when encrypting */
	job->key_len_in_bytes = 16;
	job->src = &v->blk[0][0];
	job->dst = &v->iv[0][0];
	job->cipher_start_src_offset_in_bytes = 0;
	job->msg_len_to_cipher_in_bytes = sizeof(v->blk);
	job->iv = NULL;
	job->iv_len_in_bytes = 0;
	job->msg_len_to_hash_in_bytes = 0;
	job->auth_tag_output = NULL;
	job->auth_tag_output_len_in_bytes = 0;
	job->user_data = v;
	job = IMB_SUBMIT_JOB(mgr);
	if (!job)
		job = IMB_FLUSH_JOB(mgr);
	v->key_id = 0;
	if (!job || job->user_data != v || job->status != IMB_STATUS_COMPLETED)
		return false;
	v->key_id = k->iv_key_id;
	v->first = first;
	v->n = VPE_MB_IVC;
	return true;
}

/*
 * CBC (RFC 3602): unpredictable, IV = AES(iv_key, 0^64 || seq). From the
 * backend's IVs drawn ahead when it holds this one; a number that
 * continues the last one of the same key draws the next VPE_MB_IVC at
 * once (the rest of a run of one SA); any other, one alone, so that
 * packets of many SAs, one each, pay no more than before.
 */
static __attribute__((noinline)) void mb_iv_cbc(struct vpe_crypto *c,
						const struct vpe_mb_key *k,
						uint64_t seq, uint8_t *iv)
{
	struct vpe_ipsecmb *mb = to_mb(c);
	struct vpe_mb_ivc *v = &mb->ivc;
	uint8_t in[16] = { 0 }, zero[16] = { 0 }, out[16];
	const uint8_t *src = out;

	if (v->key_id == k->iv_key_id && seq - v->first < v->n) {
		src = v->iv[seq - v->first];
	} else if (v->key_id == k->iv_key_id && seq == v->first + v->n &&
		   mb_ivc_fill(mb->mgr, v, k, seq)) {
		src = v->iv[0];
	} else {
		/* out = zero ^ AES(iv_key, 0^64 || seq): one block of ECB. */
		vpe_iv_from_seq(seq, in + 8);
		IMB_AES128_CFB_ONE(mb->mgr, out, zero, in,
				   vpe_mb_at(k, k->iv_key), 16);
		/* The next number of this key draws ahead. */
		v->key_id = k->iv_key_id;
		v->first = seq + 1;
		v->n = 0;
	}
	if (k->iv_len == 16)
		memcpy(iv, src, 16); /* AES-CBC: two moves, not a call */
	else
		memcpy(iv, src, k->iv_len);
}

static void mb_iv_gen(struct vpe_crypto *c, const void *key, uint64_t seq,
		      uint8_t *iv)
{
	const struct vpe_mb_key *k = key;

	/*
	 * Counter modes, every packet: the number itself, big-endian, one
	 * store (unique per key); CBC's block cipher call out of line.
	 */
	if (!k->cbc_iv) {
		if (k->iv_len) {
			uint64_t be = htobe64(seq);

			memcpy(iv, &be, 8);
		}
		return;
	}
	mb_iv_cbc(c, k, seq, iv);
}

static void mb_run(struct vpe_crypto *c, struct vpe_esp_op *ops, unsigned int n,
		   bool encrypt)
{
	struct vpe_ipsecmb *mb = to_mb(c);
	struct vpe_esp_op *batch[BATCH];
	unsigned int i, m = 0, gcm = 0;

	for (i = 0; i < n; i++) {
		const struct vpe_mb_key *k = ops[i].key;

		if (k->kind == VPE_MB_GCM) {
			/* The whole run of GCM ops from here at once. */
			gcm = vpe_mb_gcm_run(mb->mgr, &mb->gcm_ctx, ops + i,
					     n - i, encrypt);
			i += gcm - 1;
			continue;
		}
		if (encrypt)
			vpe_esp_op_gather(&ops[i]);
		batch[m++] = &ops[i];
		if (m == BATCH) {
			vpe_mb_jobs_run(mb, batch, m, encrypt);
			m = 0;
		}
	}
	if (m)
		vpe_mb_jobs_run(mb, batch, m, encrypt);
	/* Nothing key-derived stays behind the call (see gcm_ctx). */
	if (gcm)
		explicit_bzero(&mb->gcm_ctx, sizeof(mb->gcm_ctx));
}

static void mb_encrypt(struct vpe_crypto *c, struct vpe_esp_op *ops,
		       unsigned int n)
{
	mb_run(c, ops, n, true);
}

static void mb_decrypt(struct vpe_crypto *c, struct vpe_esp_op *ops,
		       unsigned int n)
{
	mb_run(c, ops, n, false);
}

static bool mb_gcm_key(const void *key)
{
	return ((const struct vpe_mb_key *)key)->kind == VPE_MB_GCM;
}

static unsigned int mb_gcm_seal(struct vpe_crypto *c, struct vpe_esp_op *ops,
				unsigned int n)
{
	struct vpe_ipsecmb *mb = to_mb(c);
	unsigned int bad = vpe_mb_gcm_seal(mb->mgr, &mb->gcm_ctx, ops, n);

	explicit_bzero(&mb->gcm_ctx, sizeof(mb->gcm_ctx)); /* as mb_run */
	return bad;
}

static void mb_destroy(struct vpe_crypto *c)
{
	struct vpe_ipsecmb *mb = to_mb(c);

	free_mb_mgr(mb->mgr);
	explicit_bzero(&mb->ivc, sizeof(mb->ivc)); /* IVs not yet sent */
	if (mb->scratch) {
		explicit_bzero(mb->scratch, mb->scratch_len);
		free(mb->scratch);
	}
	free(mb);
}

/* intel-ipsec-mb's CCM has 128- and 256-bit keys only (no AES-CCM-192). */
static bool mb_key_len_ok(uint8_t cipher_alg, unsigned int key_len)
{
	return !(cipher_alg == VIRTIO_IPSEC_CIPHER_AES_CCM && key_len == 24);
}

/* intel-ipsec-mb runs every row of vpe_algs.h. */
#define VPE_CIPHER(id, ...) | (1ULL << (id))
#define VPE_AEAD(id, ...)   | (1ULL << (id))
#define VPE_AUTH(...)

static const struct vpe_crypto_ops ipsecmb_ops = {
	.name = "ipsec-mb",
	.cipher_mask = 0 VPE_ALGS,
#undef VPE_CIPHER
#undef VPE_AEAD
#undef VPE_AUTH
#define VPE_CIPHER(...)
#define VPE_AEAD(...)
#define VPE_AUTH(id, ...) | (1ULL << (id))
	.auth_mask = 0 VPE_ALGS,
#undef VPE_CIPHER
#undef VPE_AEAD
#undef VPE_AUTH
	.key_new = mb_key_new,
	.key_free = mb_key_free,
	.key_prefetch = mb_key_prefetch,
	.iv_gen = mb_iv_gen,
	.encrypt = mb_encrypt,
	.decrypt = mb_decrypt,
	.destroy = mb_destroy,
	.key_len_ok = mb_key_len_ok,
	.gcm_key = mb_gcm_key,
	.gcm_seal = mb_gcm_seal,
};

struct vpe_crypto *vpe_crypto_ipsecmb_new(char *err, size_t err_len)
{
	struct vpe_ipsecmb *mb = calloc(1, sizeof(*mb));
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
