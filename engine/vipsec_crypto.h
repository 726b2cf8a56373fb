/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vpe_crypto: the crypto backend interface of the ESP engine.
 *
 * The interface is ESP-shaped rather than primitive-shaped: a backend gets
 * one operation per packet and does all of that packet's cryptography -
 * AEAD with the RFC 4106/4309 AAD, RFC 4543 GMAC, or cipher-then-MAC with
 * the ICV over SPI || seq || IV || ciphertext (|| seq_hi with ESN, RFC 4303
 * 2.2.1) - so the ESP framing code never knows which algorithm it runs, and
 * a backend can hand the whole job to a multi-buffer engine (intel-ipsec-mb
 * job API) or to a kernel template that does the same (AF_ALG
 * "rfc4106(gcm(aes))", "authencesn(hmac(sha256),cbc(aes))").
 *
 * Keys are expanded once, at SA add, into an opaque per-SA key object.
 * Operations come in batches so that a backend can pipeline them.
 *
 * A backend instance belongs to one core (one thread at a time).
 */
#ifndef VPE_CRYPTO_H
#define VPE_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct vpe_crypto;

/* Everything a backend needs to set up one SA's transform. */
struct vpe_xfrm_params {
	uint8_t cipher_alg; /* VIRTIO_IPSEC_CIPHER_* */
	uint8_t auth_alg;   /* VIRTIO_IPSEC_AUTH_* */
	uint8_t cipher_key_len;
	uint8_t auth_key_len;
	uint8_t salt_len; /* GCM/GMAC/CTR 4, CCM 3, else 0 */
	uint8_t icv_len;  /* bytes on the wire */
	bool esn;	  /* seq_hi is authenticated */
	const uint8_t *cipher_key;
	const uint8_t *auth_key;
	const uint8_t *salt;
};

/* How the transform shapes an ESP packet; filled in by key_new. */
struct vpe_xfrm_shape {
	uint8_t iv_len;	   /* explicit IV bytes: 0, 8 or 16 */
	uint8_t block_len; /* payload+pad+2 is a multiple of this (>= 4) */
	uint8_t icv_len;
};

/*
 * One packet. The ESP header is SPI (4) | seq_lo (4) | IV (iv_len), then
 * len bytes of payload (inner data, padding, pad length, next header),
 * then icv_len bytes of ICV.
 *
 * encrypt: esp points at the header, already holding SPI, seq_lo and the
 *   IV; the plaintext payload is at pt (which may be esp + 8 + iv_len, in
 *   place), or its first src_len bytes at src (see below). The backend
 *   writes the ciphertext after the IV and the ICV after the ciphertext.
 * decrypt: esp points at the received header (read-only); the backend
 *   verifies the ICV and writes the plaintext payload to pt (len bytes,
 *   not overlapping esp). On -EBADMSG pt may hold unauthenticated bytes:
 *   the caller zeroes it (a backend may decrypt and verify in one pass).
 */
struct vpe_esp_op {
	const void *key; /* from key_new() */
	uint8_t *esp;
	uint8_t *pt;
	uint32_t len;	 /* payload bytes, a multiple of block_len */
	uint32_t seq_hi; /* ESN: high half of the sequence number */
	int status;	 /* out: 0, -EBADMSG (ICV), -EINVAL, -EIO */
	/*
	 * Encrypt only: the first src_len payload bytes are read from src
	 * (the caller's input packet, which never overlaps pt) instead of
	 * pt; pt + src_len already holds the rest (TFC padding, padding,
	 * trailer). Reading the data where it lies saves a copy of every
	 * packet. A backend that needs the payload in one piece calls
	 * vpe_esp_op_gather() first.
	 */
	const uint8_t *src;
	uint32_t src_len;
};

/* Puts the whole payload at pt (for backends that read one segment). */
static inline void vpe_esp_op_gather(struct vpe_esp_op *op)
{
	if (op->src_len) {
		memcpy(op->pt, op->src, op->src_len);
		op->src_len = 0;
		op->src = NULL;
	}
}

struct vpe_crypto_ops {
	const char *name;
	/* Bit N set when VIRTIO_IPSEC_CIPHER_N / _AUTH_N is usable. */
	uint64_t cipher_mask;
	uint64_t auth_mask;
	/*
	 * Sets up one SA's transform. The caller has checked the algorithm
	 * masks, lengths and combinations; a backend still refuses what it
	 * cannot do with -EINVAL or -EOPNOTSUPP (never crashes). -ENOMEM;
	 * -EMFILE when the host has no room for another key object (AF_ALG:
	 * out of file descriptors), which SA_ADD reports as NOSPC.
	 */
	int (*key_new)(struct vpe_crypto *c, const struct vpe_xfrm_params *p,
		       void **key, struct vpe_xfrm_shape *shape);
	/* Zeroes and frees a key object. NULL is a no-op. */
	void (*key_free)(struct vpe_crypto *c, void *key);
	/*
	 * Optional: prefetches the lines of the key object past its first
	 * 8 that a packet of this direction reads. The engine prefetches
	 * the first 8 of every key (a backend puts what packets read
	 * there), then calls this once those are on their way
	 * (vpe_esp_prefetch).
	 */
	void (*key_prefetch)(const void *key, bool encrypt);
	/*
	 * Writes the explicit IV for outbound sequence number seq: unique
	 * per key for counter-based modes (GCM, CCM, GMAC, CTR: the sequence
	 * number itself), unpredictable for CBC (RFC 3602).
	 */
	void (*iv_gen)(struct vpe_crypto *c, const void *key, uint64_t seq,
		       uint8_t *iv);
	/* Runs n operations; each gets its own status. */
	void (*encrypt)(struct vpe_crypto *c, struct vpe_esp_op *ops,
			unsigned int n);
	void (*decrypt)(struct vpe_crypto *c, struct vpe_esp_op *ops,
			unsigned int n);
	void (*destroy)(struct vpe_crypto *c);
	/*
	 * Optional: false for a cipher key length (bytes, salt not counted)
	 * that vpe_algs.h allows but this backend cannot run, so that config
	 * space reports per-algorithm key sizes the device really takes.
	 * NULL: every length of the row.
	 */
	bool (*key_len_ok)(uint8_t cipher_alg, unsigned int key_len);
	/*
	 * Optional, both or neither, for the outbound fast path
	 * (vipsec_esp_out_fast.c). gcm_key: true when key is AES-GCM
	 * (RFC 4106, 8-byte explicit IV that iv_gen makes the sequence
	 * number) and gcm_seal takes it. gcm_seal: encrypt for n ops whose
	 * keys gcm_key took, in one call; returns how many failed (each
	 * with its status), so that the caller looks at none when 0.
	 */
	bool (*gcm_key)(const void *key);
	unsigned int (*gcm_seal)(struct vpe_crypto *c, struct vpe_esp_op *ops,
				 unsigned int n);
};

/* Every backend embeds this as its first member. */
struct vpe_crypto {
	const struct vpe_crypto_ops *ops;
};

/*
 * Creates a backend by name ("ipsec-mb", "kernel", "auto" or NULL).
 * Returns NULL with a message in err when the name is unknown or setup
 * fails.
 */
struct vpe_crypto *vpe_crypto_new(const char *name, char *err, size_t err_len);
void vpe_crypto_free(struct vpe_crypto *c);

struct vpe_crypto *vpe_crypto_ipsecmb_new(char *err, size_t err_len);

/* Constant-time comparison: 0 when equal. */
int vpe_memneq(const uint8_t *a, const uint8_t *b, size_t n);

/* IV for counter-based modes: the 64-bit sequence number, big-endian. */
void vpe_iv_from_seq(uint64_t seq, uint8_t iv[8]);

#endif /* VPE_CRYPTO_H */
