// SPDX-License-Identifier: BSD-3-Clause
/*
 * vipsec_ipsecmb_jobs: every non-GCM transform on intel-ipsec-mb's job
 * API, so a batch of packets runs as one multi-buffer batch (the manager
 * interleaves up to 8/16 lanes of AES-CBC, HMAC, ...):
 *
 *   cipher then MAC (RFC 4303 3.3.2): ICV = MAC(SPI || seq || IV ||
 *     ciphertext [|| seq_hi with ESN, RFC 4303 2.2.1, not transmitted]).
 *     One chained job: encrypt-then-hash out, hash-then-decrypt in.
 *   AES-CCM (RFC 4309): nonce = salt(3) || IV(8), AAD = SPI || seq or
 *     SPI || seq_hi || seq_lo.
 *   ChaCha20-Poly1305 (RFC 7634): nonce = salt(4) || IV(8), AAD as CCM.
 *   AES-GMAC (RFC 4543): NULL cipher; GMAC with nonce salt(4) || IV(8)
 *     over SPI || seq [|| ...] || IV || payload (the AAD of GCM with an
 *     empty plaintext), ICV 16.
 *
 * Where ESN makes the authenticated bytes non-contiguous on a read-only
 * input (inbound cipher+MAC, GMAC), they are copied to a scratch buffer;
 * outbound cipher+MAC writes seq_hi where the ICV will go and overwrites
 * it with the tag afterwards.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vipsec_ipsecmb.h"

#define MB_CHUNK 64 /* ops in flight per submit/flush round */

struct job_ctx {
	struct vpe_esp_op *op;
	uint8_t tag[32];
	uint8_t iv[16];	    /* CTR, GMAC, CCM nonces */
	uint8_t aad[12];    /* CCM */
	const uint8_t *src; /* authenticated bytes (esp or a copy) */
};

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Scratch bytes an op needs for its ESN copy (0: none). */
static size_t scratch_need(const struct vpe_esp_op *op, bool encrypt)
{
	const struct vpe_mb_key *k = op->key;

	if (!k->esn)
		return 0;
	if (k->kind == VPE_MB_GMAC)
		return 20 + (size_t)op->len;
	if (k->kind == VPE_MB_CHAIN && !encrypt)
		return 12 + (size_t)k->iv_len + op->len;
	return 0;
}

static int scratch_grow(struct vpe_ipsecmb *mb, size_t need)
{
	uint8_t *p;

	if (need <= mb->scratch_len)
		return 0;
	p = realloc(mb->scratch, need);
	if (!p)
		return -ENOMEM;
	mb->scratch = p;
	mb->scratch_len = need;
	return 0;
}

/*
 * Puts the plaintext where the ESP payload goes (outbound) and builds the
 * authenticated byte string; returns its length.
 */
static uint64_t auth_bytes(struct job_ctx *x, const struct vpe_mb_key *k,
			   bool encrypt, uint8_t *copy)
{
	struct vpe_esp_op *op = x->op;
	uint32_t hdr = 8 + k->iv_len;
	uint8_t *payload = op->esp + hdr;

	if (encrypt && op->pt != payload)
		memmove(payload, op->pt, op->len);
	x->src = op->esp;
	if (!k->esn)
		return hdr + op->len;
	if (k->kind == VPE_MB_GMAC) {
		/* SPI || seq_hi || seq_lo || IV || payload */
		memcpy(copy, op->esp, 4);
		put_be32(copy + 4, op->seq_hi);
		memcpy(copy + 8, op->esp + 4, 12 + (size_t)op->len);
		x->src = copy;
		return 20 + (uint64_t)op->len;
	}
	if (encrypt) {
		/* Where the ICV goes: hashed, then overwritten by the tag. */
		put_be32(payload + op->len, op->seq_hi);
	} else {
		memcpy(copy, op->esp, hdr + (size_t)op->len);
		put_be32(copy + hdr + op->len, op->seq_hi);
		x->src = copy;
	}
	return hdr + op->len + 4;
}

static void fill_mac(IMB_JOB *job, const struct vpe_mb_key *k)
{
	job->hash_alg = k->hash;
	switch (k->hash) {
	case IMB_AUTH_NULL:
		job->msg_len_to_hash_in_bytes = 0;
		job->auth_tag_output_len_in_bytes = 0;
		return;
	case IMB_AUTH_AES_XCBC:
		job->u.XCBC._k1_expanded = vpe_mb_at(k, k->xcbc_k1);
		job->u.XCBC._k2 = vpe_mb_at(k, k->xcbc_k2);
		job->u.XCBC._k3 = vpe_mb_at(k, k->xcbc_k3);
		break;
	default:
		job->u.HMAC._hashed_auth_key_xor_ipad = vpe_mb_at(k, k->ipad);
		job->u.HMAC._hashed_auth_key_xor_opad = vpe_mb_at(k, k->opad);
		break;
	}
}

static void fill_chain(IMB_JOB *job, struct job_ctx *x,
		       const struct vpe_mb_key *k, bool encrypt, uint64_t alen)
{
	struct vpe_esp_op *op = x->op;
	uint32_t hdr = 8 + k->iv_len;

	job->cipher_mode = k->cipher;
	job->chain_order = encrypt ? IMB_ORDER_CIPHER_HASH :
				     IMB_ORDER_HASH_CIPHER;
	job->src = x->src;
	job->dst = encrypt ? op->esp + hdr : op->pt;
	job->cipher_start_src_offset_in_bytes = hdr;
	job->msg_len_to_cipher_in_bytes = op->len;
	job->hash_start_src_offset_in_bytes = 0;
	job->msg_len_to_hash_in_bytes = alen;
	job->key_len_in_bytes = k->key_len;
	switch (k->cipher) {
	case IMB_CIPHER_CBC:
		job->enc_keys = vpe_mb_at(k, k->enc);
		job->dec_keys = vpe_mb_at(k, k->dec);
		job->iv = op->esp + 8;
		job->iv_len_in_bytes = 16;
		break;
	case IMB_CIPHER_CNTR:
		/* RFC 3686: nonce || IV || 1; the library appends the 1. */
		memcpy(x->iv, k->salt, 4);
		memcpy(x->iv + 4, op->esp + 8, 8);
		job->enc_keys = job->dec_keys = vpe_mb_at(k, k->enc);
		job->iv = x->iv;
		job->iv_len_in_bytes = 12;
		break;
	case IMB_CIPHER_DES:
		job->enc_keys = job->dec_keys = vpe_mb_at(k, k->des_ks);
		job->iv = op->esp + 8;
		job->iv_len_in_bytes = 8;
		break;
	case IMB_CIPHER_DES3:
		job->enc_keys = job->dec_keys = vpe_mb_at(k, k->des_ptrs);
		job->iv = op->esp + 8;
		job->iv_len_in_bytes = 8;
		break;
	default: /* NULL: the payload is its own "ciphertext" */
		job->iv = NULL;
		job->iv_len_in_bytes = 0;
		job->key_len_in_bytes = 0;
		if (!encrypt)
			memcpy(op->pt, op->esp + hdr, op->len);
		break;
	}
	fill_mac(job, k);
}

/* RFC 4309 / RFC 7634 AAD: SPI || seq, or SPI || seq_hi || seq_lo. */
static uint64_t aead_aad(struct job_ctx *x, const struct vpe_mb_key *k)
{
	struct vpe_esp_op *op = x->op;

	memcpy(x->aad, op->esp, 4);
	if (k->esn) {
		put_be32(x->aad + 4, op->seq_hi);
		memcpy(x->aad + 8, op->esp + 4, 4);
		return 12;
	}
	memcpy(x->aad + 4, op->esp + 4, 4);
	return 8;
}

/* Poly1305 reads ciphertext, so decryption goes straight into pt. */
/*
 * The AEAD modes cipher and authenticate the whole payload from its start
 * with the one expanded key; only key and nonce lengths differ.
 */
static void fill_aead_span(IMB_JOB *job, const struct job_ctx *x,
			   const struct vpe_mb_key *k, uint64_t key_len,
			   uint64_t iv_len)
{
	const struct vpe_esp_op *op = x->op;

	job->enc_keys = job->dec_keys = vpe_mb_at(k, k->enc);
	job->key_len_in_bytes = key_len;
	job->cipher_start_src_offset_in_bytes = 0;
	job->msg_len_to_cipher_in_bytes = op->len;
	job->hash_start_src_offset_in_bytes = 0;
	job->msg_len_to_hash_in_bytes = op->len;
	job->iv = x->iv;
	job->iv_len_in_bytes = iv_len;
}

static void fill_chacha(IMB_JOB *job, struct job_ctx *x,
			const struct vpe_mb_key *k, bool encrypt)
{
	struct vpe_esp_op *op = x->op;

	memcpy(x->iv, k->salt, 4);
	memcpy(x->iv + 4, op->esp + 8, 8);
	job->u.CHACHA20_POLY1305.aad = x->aad;
	job->u.CHACHA20_POLY1305.aad_len_in_bytes = aead_aad(x, k);
	job->src = encrypt ? op->pt : op->esp + 16;
	job->dst = encrypt ? op->esp + 16 : op->pt;
	job->cipher_mode = IMB_CIPHER_CHACHA20_POLY1305;
	job->hash_alg = IMB_AUTH_CHACHA20_POLY1305;
	job->chain_order = encrypt ? IMB_ORDER_CIPHER_HASH :
				     IMB_ORDER_HASH_CIPHER;
	fill_aead_span(job, x, k, 32, 12);
}

static void fill_ccm(IMB_JOB *job, struct job_ctx *x,
		     const struct vpe_mb_key *k, bool encrypt)
{
	struct vpe_esp_op *op = x->op;

	memcpy(x->iv, k->salt, 3);
	memcpy(x->iv + 3, op->esp + 8, 8);
	job->u.CCM.aad_len_in_bytes = aead_aad(x, k);
	if (encrypt) {
		job->src = op->pt;
		job->dst = op->esp + 16;
	} else {
		/* In place in pt: the CBC-MAC then reads plaintext. */
		memcpy(op->pt, op->esp + 16, op->len);
		job->src = op->pt;
		job->dst = op->pt;
	}
	job->cipher_mode = IMB_CIPHER_CCM;
	job->hash_alg = IMB_AUTH_AES_CCM;
	job->chain_order = encrypt ? IMB_ORDER_HASH_CIPHER :
				     IMB_ORDER_CIPHER_HASH;
	fill_aead_span(job, x, k, k->key_len, 11);
	job->u.CCM.aad = x->aad;
}

static void fill_gmac(IMB_JOB *job, struct job_ctx *x,
		      const struct vpe_mb_key *k, bool encrypt, uint64_t alen)
{
	struct vpe_esp_op *op = x->op;

	memcpy(x->iv, k->salt, 4);
	memcpy(x->iv + 4, op->esp + 8, 8);
	if (!encrypt)
		memcpy(op->pt, op->esp + 16, op->len);
	job->cipher_mode = IMB_CIPHER_NULL;
	job->chain_order = IMB_ORDER_CIPHER_HASH;
	job->src = x->src;
	job->dst = op->esp + 16;
	job->cipher_start_src_offset_in_bytes = 0;
	job->msg_len_to_cipher_in_bytes = 0;
	job->key_len_in_bytes = 0;
	job->iv = NULL;
	job->iv_len_in_bytes = 0;
	job->hash_alg = k->hash;
	job->hash_start_src_offset_in_bytes = 0;
	job->msg_len_to_hash_in_bytes = alen;
	job->u.GMAC._key = &k->gcm;
	job->u.GMAC._iv = x->iv;
	job->u.GMAC.iv_len_in_bytes = 12;
}

static void job_done(IMB_JOB *job, bool encrypt)
{
	struct job_ctx *x = job->user_data;
	struct vpe_esp_op *op = x->op;
	const struct vpe_mb_key *k = op->key;
	uint8_t *icv = op->esp + 8 + k->iv_len + op->len;

	if (job->status != IMB_STATUS_COMPLETED) {
		op->status = -EIO;
		return;
	}
	op->status = 0;
	if (!k->icv_len)
		return;
	/* The usual 16 bytes as a fixed copy (two moves), not a call. */
	if (encrypt && k->icv_len == 16)
		memcpy(icv, x->tag, 16);
	else if (encrypt)
		memcpy(icv, x->tag, k->icv_len);
	else if (vpe_memneq(x->tag, icv, k->icv_len))
		op->status = -EBADMSG;
}

static void submit(IMB_MGR *mgr, struct job_ctx *x, bool encrypt, uint8_t *copy)
{
	const struct vpe_mb_key *k = x->op->key;
	IMB_JOB *job = IMB_GET_NEXT_JOB(mgr);
	uint64_t alen = k->kind == VPE_MB_CCM || k->kind == VPE_MB_CHACHA ?
				0 :
				auth_bytes(x, k, encrypt, copy);

	job->cipher_direction = encrypt ? IMB_DIR_ENCRYPT : IMB_DIR_DECRYPT;
	if (k->kind == VPE_MB_CCM)
		fill_ccm(job, x, k, encrypt);
	else if (k->kind == VPE_MB_CHACHA)
		fill_chacha(job, x, k, encrypt);
	else if (k->kind == VPE_MB_GMAC)
		fill_gmac(job, x, k, encrypt, alen);
	else
		fill_chain(job, x, k, encrypt, alen);
	if (k->icv_len) {
		job->auth_tag_output = x->tag;
		job->auth_tag_output_len_in_bytes = k->icv_len;
	} else {
		job->auth_tag_output = NULL;
	}
	job->user_data = x;
	job = IMB_SUBMIT_JOB(mgr);
	while (job) {
		job_done(job, encrypt);
		job = IMB_GET_COMPLETED_JOB(mgr);
	}
}

static void run_chunk(struct vpe_ipsecmb *mb, struct vpe_esp_op **ops,
		      unsigned int n, bool encrypt)
{
	struct job_ctx ctx[MB_CHUNK];
	size_t need = 0, off = 0;
	unsigned int i;
	IMB_JOB *job;

	for (i = 0; i < n; i++)
		need += scratch_need(ops[i], encrypt);
	if (scratch_grow(mb, need)) {
		for (i = 0; i < n; i++)
			ops[i]->status = -ENOMEM;
		return;
	}
	for (i = 0; i < n; i++) {
		size_t s = scratch_need(ops[i], encrypt);

		ctx[i].op = ops[i];
		ops[i]->status = -EIO; /* until its job completes */
		submit(mb->mgr, &ctx[i], encrypt, s ? mb->scratch + off : NULL);
		off += s;
	}
	while ((job = IMB_FLUSH_JOB(mb->mgr)))
		job_done(job, encrypt);
	/* The contexts used (tags, nonces), not all MB_CHUNK of them. */
	explicit_bzero(ctx, n * sizeof(ctx[0]));
}

void vpe_mb_jobs_run(struct vpe_ipsecmb *mb, struct vpe_esp_op **ops,
		     unsigned int n, bool encrypt)
{
	while (n) {
		unsigned int m = n < MB_CHUNK ? n : MB_CHUNK;

		run_chunk(mb, ops, m, encrypt);
		ops += m;
		n -= m;
	}
}
