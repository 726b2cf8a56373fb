// SPDX-License-Identifier: BSD-3-Clause
/*
 * vipsec_afalg: crypto backend on the Linux kernel crypto API (AF_ALG).
 *
 * Every SA gets the AEAD the kernel's own ESP (net/ipv4/esp4.c) would
 * allocate for it, minus the IV generator wrapper (seqiv/echainiv: our
 * IVs come from iv_gen): rfc4106(gcm(aes)), rfc4309(ccm(aes)),
 * rfc4543(gcm(aes)), or authenc(AUTH,ENC) / authencesn(AUTH,ENC) for ESN,
 * with digest_null for encryption-only and ecb(cipher_null) for NULL
 * encryption. A host's crypto drivers register under these names, so
 * this is how they are reached.
 *
 * Request layout, as esp4 hands it to those templates (assoclen includes
 * the explicit IV, cryptlen is the payload alone):
 *   AAD = SPI || seq_lo || IV, or with ESN SPI || seq_hi || seq_lo || IV.
 * rfc4106/rfc4309 drop the trailing IV from the AAD and take it from the
 * request IV; rfc4543 authenticates all of it plus the payload; authenc
 * MACs AAD || ciphertext; authencesn moves seq_hi behind the ciphertext
 * before hashing (RFC 4303 2.2.1: ICV over SPI, seq_lo, IV, ciphertext,
 * seq_hi), so the same SPI || seq_hi || seq_lo order serves every
 * template.
 *
 * One file descriptor per SA: the bound tfm socket is keyed, an op
 * socket is accept()ed from it and the tfm socket is closed at once (the
 * op socket holds a reference to its parent, and so to the keyed
 * transform, until it is closed itself: crypto/af_alg.c af_alg_accept /
 * af_alg_release_parent). 1024 SAs are then 1024 descriptors, not 2048;
 * running out (EMFILE/ENFILE) refuses the SA with -EMFILE, which SA_ADD
 * reports as NOSPC. The op socket is reused for every packet:
 * sendmsg(AAD || input, with ALG_SET_OP/IV/AEAD_ASSOCLEN), then readv()
 * scatters AAD || output straight into the packet. A request that fails
 * halfway can leave data queued on the op socket, which then refuses
 * every later request; a fresh op socket needs a fresh tfm socket, so the
 * key object keeps the key blob (like ipsec-mb's expanded keys, zeroed
 * when the SA goes) to rebuild one. Batches run in a loop;
 * a pipelined version would give each in-flight packet its own op socket
 * and submit the reads with io_submit() (algif_aead completes AIO reads
 * asynchronously), reaping them with io_getevents().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/if_alg.h>
#include <linux/virtio_ipsec.h>

#include "vipsec_afalg.h"
#include "vpe_algs.h"

#ifndef AF_ALG
#define AF_ALG 38
#endif
#ifndef SOL_ALG
#define SOL_ALG 279
#endif

#define AFALG_HDR_MAX  12 /* SPI || seq_hi || seq_lo */
#define AFALG_IV_MAX   16
#define AFALG_AAD_MAX  (AFALG_HDR_MAX + AFALG_IV_MAX)
#define AFALG_POOL     256 /* random CBC IV bytes fetched at a time */
#define AFALG_NAME_MAX 64  /* sizeof(sockaddr_alg.salg_name) */
#define AFALG_BLOB_MAX                                                 \
	(8 + VIRTIO_IPSEC_MAX_AUTH_KEY + VIRTIO_IPSEC_MAX_CIPHER_KEY + \
	 VIRTIO_IPSEC_MAX_SALT)

enum afalg_kind { AFALG_RFC4106, AFALG_RFC4309, AFALG_RFC4543, AFALG_AUTHENC };

/*
 * The backend's columns of vpe_algs.h: the request layout and the crypto
 * API name. Lengths, salt and IV rules come from the generic row (row).
 */
struct afalg_cipher {
	uint8_t alg;	  /* VIRTIO_IPSEC_CIPHER_* */
	uint8_t kind;	  /* enum afalg_kind */
	const char *name; /* AEAD template, or authenc's cipher */
};

#define VPE_CIPHER(id, kmin, kmax, salt, iv, blk, weak, ivg, afalg, ...) \
	{ id, AFALG_AUTHENC, afalg },
#define VPE_AEAD(id, kmin, kmax, salt, iv, blk, icv, ivg, afk, afalg, ...) \
	{ id, afk, afalg },
#define VPE_AUTH(...)
static const struct afalg_cipher afalg_ciphers[] = { VPE_ALGS };
#undef VPE_CIPHER
#undef VPE_AEAD
#undef VPE_AUTH

struct afalg_auth {
	uint8_t alg;	  /* VIRTIO_IPSEC_AUTH_* */
	const char *name; /* authenc's hash */
};

#define VPE_CIPHER(...)
#define VPE_AEAD(...)
#define VPE_AUTH(id, key, icv, weak, afalg, ...) { id, afalg },
static const struct afalg_auth afalg_auths[] = { VPE_ALGS };
#undef VPE_CIPHER
#undef VPE_AEAD
#undef VPE_AUTH

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

struct afalg {
	struct vpe_crypto base;
	uint8_t pool[AFALG_POOL]; /* unused random IV bytes */
	unsigned int pool_off;
};

struct afalg_key {
	/*
	 * A request on the op socket is sendmsg + read: two syscalls that
	 * must not interleave with another core's packet for the same SA
	 * (ipsec-mb's keys are read-only and need no such thing).
	 */
	pthread_mutex_t lock;
	int op; /* accept()ed request socket, or -1 */
	uint8_t kind, iv_len, icv_len;
	bool esn, counter_iv;
	/* To rebuild op after a failed request (afalg_reset_op). */
	char name[AFALG_NAME_MAX];
	uint8_t blob[AFALG_BLOB_MAX];
	size_t blob_len;
};

static struct vpe_crypto_ops afalg_ops;

/* Which algorithms the running kernel accepts: probed once per process. */
static struct {
	pthread_once_t once;
	int sock_errno; /* socket(AF_ALG) failure, or 0 */
	uint64_t cipher_mask, auth_mask;
} afalg_probe_res = { .once = PTHREAD_ONCE_INIT };

static const struct afalg_cipher *afalg_find_cipher(uint8_t alg)
{
	for (size_t i = 0; i < ARRAY_LEN(afalg_ciphers); i++)
		if (afalg_ciphers[i].alg == alg)
			return &afalg_ciphers[i];
	return NULL;
}

static const struct afalg_auth *afalg_find_auth(uint8_t alg)
{
	for (size_t i = 0; i < ARRAY_LEN(afalg_auths); i++)
		if (afalg_auths[i].alg == alg)
			return &afalg_auths[i];
	return NULL;
}

/* The AEAD name esp4 would use (without its IV generator). */
static int afalg_name(const struct afalg_cipher *ci,
		      const struct afalg_auth *au, bool esn, char *buf,
		      size_t len)
{
	int n;

	if (ci->kind != AFALG_AUTHENC)
		n = snprintf(buf, len, "%s", ci->name);
	else
		n = snprintf(buf, len, "%s(%s,%s)",
			     esn ? "authencesn" : "authenc", au->name,
			     ci->name);
	return n > 0 && (size_t)n < len ? 0 : -ENAMETOOLONG;
}

/* Returns a bound tfm socket, or -errno (-ENOENT: unknown to the kernel). */
static int afalg_bind(const char *name)
{
	struct sockaddr_alg sa = { .salg_family = AF_ALG };
	int fd, err;

	memcpy(sa.salg_type, "aead", 5);
	if (strlen(name) >= sizeof(sa.salg_name))
		return -ENAMETOOLONG;
	strcpy((char *)sa.salg_name, name);
	fd = socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

static bool afalg_binds(const char *name)
{
	int fd = afalg_bind(name);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/*
 * Binding instantiates the template (loading modules on demand), so a
 * bit is set exactly when the kernel can build some SA with it.
 */
static void afalg_probe(void)
{
	char name[AFALG_NAME_MAX];
	int fd = socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		afalg_probe_res.sock_errno = errno;
		return;
	}
	close(fd);
	for (size_t i = 0; i < ARRAY_LEN(afalg_ciphers); i++) {
		const struct afalg_cipher *ci = &afalg_ciphers[i];

		if (ci->kind != AFALG_AUTHENC) {
			if (!afalg_binds(ci->name))
				continue;
			afalg_probe_res.cipher_mask |= 1ULL << ci->alg;
			afalg_probe_res.auth_mask |= 1ULL
						     << VIRTIO_IPSEC_AUTH_NONE;
			continue;
		}
		for (size_t j = 0; j < ARRAY_LEN(afalg_auths); j++) {
			const struct afalg_auth *au = &afalg_auths[j];

			if (ci->alg == VIRTIO_IPSEC_CIPHER_NULL &&
			    au->alg == VIRTIO_IPSEC_AUTH_NONE)
				continue; /* ESP forbids it */
			if (afalg_name(ci, au, false, name, sizeof(name)) ||
			    !afalg_binds(name))
				continue;
			afalg_probe_res.cipher_mask |= 1ULL << ci->alg;
			afalg_probe_res.auth_mask |= 1ULL << au->alg;
		}
	}
}

static void afalg_probe_and_publish(void)
{
	afalg_probe();
	afalg_ops.cipher_mask = afalg_probe_res.cipher_mask;
	afalg_ops.auth_mask = afalg_probe_res.auth_mask;
}

static void afalg_probe_once(void)
{
	pthread_once(&afalg_probe_res.once, afalg_probe_and_publish);
}

bool vpe_afalg_usable(void)
{
	afalg_probe_once();
	return afalg_probe_res.cipher_mask &
	       (1ULL << VIRTIO_IPSEC_CIPHER_AES_GCM);
}

/* Key lengths, salt and ICV as the RFCs allow them (vpe_algs.h). */
static int afalg_check(const struct vpe_alg *ci, const struct vpe_alg *au,
		       const struct vpe_xfrm_params *p)
{
	if (!vpe_alg_key_ok(ci, p->cipher_key_len) ||
	    !vpe_alg_key_ok(au, p->auth_key_len) || p->salt_len != ci->salt_len)
		return -EINVAL;
	return vpe_alg_icv_ok(ci->kind == VPE_ALG_AEAD ? ci : au, p->icv_len) ?
		       0 :
		       -EINVAL;
}

/*
 * Key blob for ALG_SET_KEY: AEAD templates take key || salt; authenc
 * takes the rtattr-framed format of crypto/authenc.c:
 * {rta_len, rta_type = CRYPTO_AUTHENC_KEYA_PARAM} {__be32 enckeylen}
 * authkey enckey (enckey = key || nonce for rfc3686).
 */
static size_t afalg_key_blob(const struct afalg_cipher *ci,
			     const struct vpe_xfrm_params *p, uint8_t *b)
{
	uint32_t enclen = p->cipher_key_len + p->salt_len;
	uint16_t rta_len = 8, rta_type = 1;
	size_t n = 0;

	if (ci->kind == AFALG_AUTHENC) {
		memcpy(b, &rta_len, 2);
		memcpy(b + 2, &rta_type, 2);
		b[4] = (uint8_t)(enclen >> 24);
		b[5] = (uint8_t)(enclen >> 16);
		b[6] = (uint8_t)(enclen >> 8);
		b[7] = (uint8_t)enclen;
		n = 8;
		if (p->auth_key_len)
			memcpy(b + n, p->auth_key, p->auth_key_len);
		n += p->auth_key_len;
	}
	if (p->cipher_key_len)
		memcpy(b + n, p->cipher_key, p->cipher_key_len);
	n += p->cipher_key_len;
	if (p->salt_len)
		memcpy(b + n, p->salt, p->salt_len);
	return n + p->salt_len;
}

/* Out of descriptors is -EMFILE, which SA_ADD reports as NOSPC. */
static int afalg_errno(int err)
{
	return err == EMFILE || err == ENFILE ? -EMFILE :
	       err == ENOMEM		      ? -ENOMEM :
						-EIO;
}

/*
 * A keyed op socket: bind, set the key and ICV size, accept, and close
 * the bound socket (the op socket keeps the transform). Returns the fd
 * or -errno: -EINVAL when the kernel refused the key, -EMFILE when out
 * of descriptors, -EOPNOTSUPP for a template the kernel does not have.
 */
static int afalg_open(const char *name, const uint8_t *blob, size_t blob_len,
		      uint8_t icv_len)
{
	int tfm = afalg_bind(name), op = -1, err = 0;

	if (tfm < 0) {
		if (tfm == -ENOENT)
			return -EOPNOTSUPP;
		return tfm == -ENAMETOOLONG ? tfm : afalg_errno(-tfm);
	}
	if (setsockopt(tfm, SOL_ALG, ALG_SET_KEY, blob, (socklen_t)blob_len) <
		    0 ||
	    setsockopt(tfm, SOL_ALG, ALG_SET_AEAD_AUTHSIZE, NULL, icv_len) < 0)
		err = -EINVAL; /* the kernel refused the key (length, weak) */
	if (!err) {
		op = accept4(tfm, NULL, NULL, SOCK_CLOEXEC);
		if (op < 0)
			err = afalg_errno(errno);
	}
	close(tfm);
	return err ? err : op;
}

static int afalg_key_new(struct vpe_crypto *c, const struct vpe_xfrm_params *p,
			 void **out, struct vpe_xfrm_shape *shape)
{
	const struct afalg_cipher *ci = afalg_find_cipher(p->cipher_alg);
	const struct afalg_auth *au = afalg_find_auth(p->auth_alg);
	const struct vpe_alg *row = vpe_alg_find(p->cipher_alg, false);
	const struct vpe_alg *arow = vpe_alg_find(p->auth_alg, true);
	struct afalg_key *k;
	int err;

	(void)c;
	if (!ci || !au || !row || !arow ||
	    (ci->kind != AFALG_AUTHENC && au->alg != VIRTIO_IPSEC_AUTH_NONE) ||
	    (ci->alg == VIRTIO_IPSEC_CIPHER_NULL &&
	     au->alg == VIRTIO_IPSEC_AUTH_NONE))
		return -EOPNOTSUPP;
	err = afalg_check(row, arow, p);
	if (err)
		return err;
	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	if (afalg_name(ci, au, p->esn, k->name, sizeof(k->name))) {
		free(k);
		return -EOPNOTSUPP;
	}
	k->blob_len = afalg_key_blob(ci, p, k->blob);
	k->op = afalg_open(k->name, k->blob, k->blob_len, p->icv_len);
	if (k->op < 0) {
		err = k->op;
		explicit_bzero(k, sizeof(*k));
		free(k);
		return err;
	}
	pthread_mutex_init(&k->lock, NULL);
	k->kind = ci->kind;
	k->iv_len = row->iv_len;
	k->icv_len = p->icv_len;
	k->esn = p->esn;
	k->counter_iv = row->iv_gen == VPE_IV_SEQ;
	shape->iv_len = row->iv_len;
	shape->block_len = row->block_len;
	shape->icv_len = p->icv_len;
	*out = k;
	return 0;
}

static void afalg_key_free(struct vpe_crypto *c, void *key)
{
	struct afalg_key *k = key;

	(void)c;
	if (!k)
		return;
	/* Closing the op socket frees the kernel's copy of the key. */
	if (k->op >= 0)
		close(k->op);
	pthread_mutex_destroy(&k->lock);
	explicit_bzero(k, sizeof(*k));
	free(k);
}

static void afalg_iv_gen(struct vpe_crypto *c, const void *key, uint64_t seq,
			 uint8_t *iv)
{
	struct afalg *a = (struct afalg *)c;
	const struct afalg_key *k = key;

	if (k->counter_iv) {
		if (k->iv_len)
			vpe_iv_from_seq(seq, iv);
		return;
	}
	/* CBC (RFC 3602 / RFC 2451): unpredictable, from the kernel CSPRNG. */
	if (a->pool_off + k->iv_len > AFALG_POOL) {
		/* <= 256 bytes: getrandom() neither blocks after boot nor
		 * returns short; anything else is a broken system. */
		while (getrandom(a->pool, AFALG_POOL, 0) != AFALG_POOL)
			if (errno != EINTR)
				abort();
		a->pool_off = 0;
	}
	memcpy(iv, a->pool + a->pool_off, k->iv_len);
	explicit_bzero(a->pool + a->pool_off, k->iv_len);
	a->pool_off += k->iv_len;
}

/*
 * After a failed request the socket may still hold part of it; a fresh
 * op socket with the same key is the clean way out. The old tfm socket
 * is gone, so it takes a new one, keyed from the blob (afalg_open).
 */
static void afalg_reset_op(struct afalg_key *k)
{
	if (k->op >= 0)
		close(k->op);
	k->op = afalg_open(k->name, k->blob, k->blob_len, k->icv_len);
	if (k->op < 0)
		k->op = -1; /* retried at the next packet */
}

static size_t afalg_aad(const struct afalg_key *k, const struct vpe_esp_op *op,
			uint8_t *aad)
{
	size_t hlen = k->esn ? 12 : 8;

	memcpy(aad, op->esp, 4);
	if (k->esn) {
		aad[4] = (uint8_t)(op->seq_hi >> 24);
		aad[5] = (uint8_t)(op->seq_hi >> 16);
		aad[6] = (uint8_t)(op->seq_hi >> 8);
		aad[7] = (uint8_t)op->seq_hi;
	}
	memcpy(aad + hlen - 4, op->esp + 4, 4);
	memcpy(aad + hlen, op->esp + 8, k->iv_len);
	return hlen + k->iv_len;
}

static int afalg_send(const struct afalg_key *k, bool enc,
		      const struct vpe_esp_op *op, const uint8_t *aad,
		      size_t alen, size_t in_len)
{
	union {
		char buf[CMSG_SPACE(4) + CMSG_SPACE(4 + AFALG_IV_MAX) +
			 CMSG_SPACE(4)];
		struct cmsghdr align;
	} cm;
	uint32_t v;
	struct iovec iov[2] = {
		{ (void *)aad, alen },
		{ enc ? op->pt : op->esp + 8 + k->iv_len, in_len },
	};
	struct msghdr msg = {
		.msg_iov = iov,
		.msg_iovlen = 2,
		.msg_control = cm.buf,
		.msg_controllen = CMSG_SPACE(4) + CMSG_SPACE(4) +
				  (k->iv_len ? CMSG_SPACE(4 + k->iv_len) : 0),
	};
	struct cmsghdr *h;
	ssize_t n;

	memset(&cm, 0, sizeof(cm));
	h = CMSG_FIRSTHDR(&msg);
	h->cmsg_level = SOL_ALG;
	h->cmsg_type = ALG_SET_OP;
	h->cmsg_len = CMSG_LEN(4);
	v = enc ? ALG_OP_ENCRYPT : ALG_OP_DECRYPT;
	memcpy(CMSG_DATA(h), &v, 4);
	h = CMSG_NXTHDR(&msg, h);
	h->cmsg_level = SOL_ALG;
	h->cmsg_type = ALG_SET_AEAD_ASSOCLEN;
	h->cmsg_len = CMSG_LEN(4);
	v = (uint32_t)alen;
	memcpy(CMSG_DATA(h), &v, 4);
	if (k->iv_len) {
		h = CMSG_NXTHDR(&msg, h);
		h->cmsg_level = SOL_ALG;
		h->cmsg_type = ALG_SET_IV;
		h->cmsg_len = CMSG_LEN(4 + k->iv_len);
		v = k->iv_len;
		memcpy(CMSG_DATA(h), &v, 4);
		memcpy(CMSG_DATA(h) + 4, op->esp + 8, k->iv_len);
	}
	n = sendmsg(k->op, &msg, 0);
	return n == (ssize_t)(alen + in_len) ? 0 : -EIO;
}

/*
 * One packet. Input: AAD || payload (encrypt) or AAD || ciphertext || ICV
 * (decrypt). Output: AAD (discarded) || ciphertext || ICV, written after
 * the IV, or AAD || plaintext, written to pt.
 */
static int afalg_run(struct afalg_key *k, bool enc, struct vpe_esp_op *op)
{
	uint8_t aad[AFALG_AAD_MAX], scratch[AFALG_AAD_MAX];
	size_t alen = afalg_aad(k, op, aad);
	size_t in_len = op->len + (enc ? 0 : k->icv_len);
	size_t out_len = op->len + (enc ? k->icv_len : 0);
	struct iovec riov[2] = {
		{ scratch, alen },
		{ enc ? op->esp + 8 + k->iv_len : op->pt, out_len },
	};
	ssize_t n;
	int err;

	if (k->op < 0)
		afalg_reset_op(k);
	if (k->op < 0)
		return -EIO;
	err = afalg_send(k, enc, op, aad, alen, in_len);
	if (!err) {
		n = readv(k->op, riov, 2);
		if (n == (ssize_t)(alen + out_len))
			return 0;
		/* ICV mismatch: the request was consumed, the socket is fine. */
		if (n < 0 && errno == EBADMSG)
			return -EBADMSG;
		err = n < 0 && errno == EINVAL ? -EINVAL : -EIO;
	}
	afalg_reset_op(k);
	return err;
}

static void afalg_batch(struct vpe_esp_op *ops, unsigned int n, bool enc)
{
	for (unsigned int i = 0; i < n; i++) {
		struct afalg_key *k = (struct afalg_key *)ops[i].key;

		pthread_mutex_lock(&k->lock);
		ops[i].status = afalg_run(k, enc, &ops[i]);
		pthread_mutex_unlock(&k->lock);
	}
}

static void afalg_encrypt(struct vpe_crypto *c, struct vpe_esp_op *ops,
			  unsigned int n)
{
	unsigned int i;

	(void)c;
	for (i = 0; i < n; i++)
		vpe_esp_op_gather(&ops[i]);
	afalg_batch(ops, n, true);
}

static void afalg_decrypt(struct vpe_crypto *c, struct vpe_esp_op *ops,
			  unsigned int n)
{
	(void)c;
	afalg_batch(ops, n, false);
}

static void afalg_destroy(struct vpe_crypto *c)
{
	explicit_bzero(c, sizeof(struct afalg));
	free(c);
}

/* The masks are filled in by the probe, before any backend exists. */
static struct vpe_crypto_ops afalg_ops = {
	.name = "kernel",
	.key_new = afalg_key_new,
	.key_free = afalg_key_free,
	.iv_gen = afalg_iv_gen,
	.encrypt = afalg_encrypt,
	.decrypt = afalg_decrypt,
	.destroy = afalg_destroy,
};

struct vpe_crypto *vpe_crypto_kernel_new(char *err, size_t err_len)
{
	struct afalg *a;

	afalg_probe_once();
	if (afalg_probe_res.sock_errno) {
		if (err && err_len)
			snprintf(err, err_len,
				 "kernel crypto backend: no AF_ALG (%s)",
				 strerror(afalg_probe_res.sock_errno));
		return NULL;
	}
	if (!afalg_probe_res.cipher_mask) {
		if (err && err_len)
			snprintf(err, err_len,
				 "kernel crypto backend: AF_ALG has no ESP "
				 "template (algif_aead, authenc, gcm loaded?)");
		return NULL;
	}
	a = calloc(1, sizeof(*a));
	if (!a) {
		if (err && err_len)
			snprintf(err, err_len,
				 "kernel crypto backend: out of memory");
		return NULL;
	}
	a->base.ops = &afalg_ops;
	a->pool_off = AFALG_POOL; /* empty: first CBC IV fills it */
	return &a->base;
}
