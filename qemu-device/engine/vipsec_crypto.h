/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vipsec_crypto: the crypto backend interface of the ESP engine.
 *
 * A backend expands keys once (at SA add) into an opaque per-SA key object
 * and runs AEAD operations in batches: the ESP code prepares an array of
 * operations and hands it over in one call, so a backend can feed a
 * multi-buffer job/burst interface or an asynchronous kernel API. The
 * intel-ipsec-mb backend (vipsec_ipsecmb.c) processes them in order.
 *
 * A backend instance belongs to one core (one thread at a time).
 */
#ifndef VIPSEC_CRYPTO_H
#define VIPSEC_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

struct vipsec_crypto;

/* One AEAD operation. src and dst may be equal (in place). */
struct vipsec_aead_op {
	const void *key;	/* from key_new() */
	const uint8_t *iv;	/* 12-byte nonce: salt || explicit IV */
	const uint8_t *aad;
	uint32_t aad_len;
	uint32_t len;		/* bytes of src/dst */
	const uint8_t *src;
	uint8_t *dst;
	uint8_t *tag;		/* encrypt: out; decrypt: expected tag, in */
	uint8_t tag_len;
	int status;		/* out: 0, or -EBADMSG when the tag mismatches */
};

struct vipsec_crypto_ops {
	const char *name;
	/* Bit N set when VIRTIO_IPSEC_CIPHER_N / _AUTH_N is usable. */
	uint64_t cipher_mask;
	uint64_t auth_mask;
	/* Expands a key; returns 0 or -EINVAL (bad length) / -ENOMEM. */
	int (*key_new)(struct vipsec_crypto *c, uint8_t cipher_alg,
		       const uint8_t *key, size_t key_len, void **out);
	/* Zeroes and frees a key object. NULL is a no-op. */
	void (*key_free)(struct vipsec_crypto *c, void *key);
	/* Run n operations; each op gets its own status. */
	void (*aead_encrypt)(struct vipsec_crypto *c,
			     struct vipsec_aead_op *ops, unsigned int n);
	void (*aead_decrypt)(struct vipsec_crypto *c,
			     struct vipsec_aead_op *ops, unsigned int n);
	void (*destroy)(struct vipsec_crypto *c);
};

/* Every backend embeds this as its first member. */
struct vipsec_crypto {
	const struct vipsec_crypto_ops *ops;
};

/*
 * Creates a backend by name ("ipsec-mb", "auto" or NULL). Returns NULL
 * with a message in err when the name is unknown or setup fails.
 */
struct vipsec_crypto *vipsec_crypto_new(const char *name, char *err,
					size_t err_len);
void vipsec_crypto_free(struct vipsec_crypto *c);

struct vipsec_crypto *vipsec_crypto_ipsecmb_new(char *err, size_t err_len);

/* Constant-time comparison: 0 when equal. */
int vipsec_memneq(const uint8_t *a, const uint8_t *b, size_t n);

#endif /* VIPSEC_CRYPTO_H */
