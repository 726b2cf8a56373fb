/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vipsec_ipsecmb: private parts of the intel-ipsec-mb backend, shared by
 * its files: the backend instance, the per-SA key object (every schedule
 * expanded once at key_new) and the per-concern entry points.
 *   vipsec_ipsecmb.c       the backend: ops table, dispatch, IVs
 *   vipsec_ipsecmb_keys.c  per-algorithm lengths and key expansion
 *   vipsec_ipsecmb_gcm.c   AES-GCM (RFC 4106) on the direct GCM API
 *   vipsec_ipsecmb_jobs.c  everything else on the multi-buffer job API
 */
#ifndef VPE_IPSECMB_H
#define VPE_IPSECMB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <intel-ipsec-mb.h>

#include "vipsec_crypto.h"

/*
 * CBC IVs (AES(iv_key, 0^64 || seq)) drawn ahead for one key: a run of
 * packets of one SA takes consecutive numbers, and one ECB job over a
 * run's blocks costs a few ns a block where a call per IV costs ~25
 * (mb_iv_gen). Keyed by the key's iv_key_id, unique for the process,
 * so that a key freed and another allocated at its address never
 * matches.
 */
#define VPE_MB_IVC 32
struct vpe_mb_ivc {
	uint8_t blk[VPE_MB_IVC][16] __attribute__((aligned(16)));
	uint8_t iv[VPE_MB_IVC][16] __attribute__((aligned(16)));
	uint64_t key_id; /* 0: empty */
	uint64_t first;	 /* iv[i] is for first + i */
	uint32_t n;	 /* IVs held */
};

struct vpe_ipsecmb {
	struct vpe_crypto base;
	IMB_MGR *mgr;
	uint8_t *scratch; /* ESN copies for the job API, grows */
	size_t scratch_len;
	/*
	 * The direct GCM API's per-call state (hash subkey products of the
	 * AAD, a keystream block): one for all packets of a backend call,
	 * zeroed once at its end (mb_run) rather than after each packet.
	 */
	struct gcm_context_data gcm_ctx;
	struct vpe_mb_ivc ivc;
};

enum vpe_mb_kind {
	VPE_MB_GCM,    /* RFC 4106, direct API */
	VPE_MB_GMAC,   /* RFC 4543, job API: NULL cipher + GMAC */
	VPE_MB_CCM,    /* RFC 4309, job API */
	VPE_MB_CHAIN,  /* cipher (or NULL) then MAC (or none), job API */
	VPE_MB_CHACHA, /* RFC 7634 ChaCha20-Poly1305, job API */
};

/*
 * The 64-byte aligned per-SA key object, allocated at the size its
 * transform needs (size). Line 0 is the shape; then one area per
 * algorithm family: GCM and GMAC the library's gcm_key_data (lines 1-6
 * on AVX2), everything else the schedules it uses, packed in the order
 * a packet reads them (MAC states, encryption schedule, CBC IV key,
 * decryption schedule, ...) at offsets from the object's start. With
 * many SAs far from cache, hot[] names the lines a packet reads, so
 * that the engine's prefetch (the key_prefetch op) loads exactly those.
 */
#define VPE_MB_AREA 1536
struct vpe_mb_key {
	IMB_CIPHER_MODE cipher;
	IMB_HASH_ALG hash;
	uint8_t kind; /* enum vpe_mb_kind */
	uint8_t cipher_alg, auth_alg;
	uint8_t key_len; /* cipher key bytes */
	uint8_t iv_len, block_len, icv_len;
	uint8_t salt[4];
	bool esn;
	bool cbc_iv;	    /* IV from iv_key, else from seq */
	uint64_t iv_key_id; /* cbc_iv: this iv_key's (vpe_mb_ivc) */
	uint32_t hot[2];    /* [encrypt]: bit l set when line l is read */
	uint16_t size;	    /* bytes allocated (and zeroed when freed) */
	/* Offsets from the object's start into area (0: none). */
	uint16_t enc, dec;   /* AES (CCM, CTR: enc only), ChaCha key */
	uint16_t iv_key;     /* CBC IVs: AES-128 encryption schedule */
	uint16_t ipad, opad; /* HMAC inner/outer states */
	uint16_t xcbc_k1, xcbc_k2, xcbc_k3;
	uint16_t des_ks, des_ptrs; /* DES: 1 schedule, 3DES: 3, and pointers */
	union {
		struct gcm_key_data gcm; /* GCM, GMAC */
		uint8_t area[VPE_MB_AREA];
	} __attribute__((aligned(64)));
};

_Static_assert(offsetof(struct vpe_mb_key, gcm) == 64, "key area at line 1");
_Static_assert(sizeof(struct vpe_mb_key) <= 32 * 64, "hot[] covers the key");

/* The part of k at offset off (one of the offsets above). */
static inline void *vpe_mb_at(const struct vpe_mb_key *k, uint16_t off)
{
	return (char *)(uintptr_t)k + off;
}

static inline struct vpe_ipsecmb *to_mb(struct vpe_crypto *c)
{
	return (struct vpe_ipsecmb *)c;
}

/* keys: validates p against the RFC lengths and expands everything. */
int vpe_mb_keys_setup(IMB_MGR *mgr, const struct vpe_xfrm_params *p,
		      struct vpe_mb_key *k);
/* After k was copied (size bytes) to where it stays: its own pointers. */
void vpe_mb_key_moved(struct vpe_mb_key *k);

/*
 * gcm: the GCM ops at the head of ops[0..n-1], each synchronous, until
 * the first of another kind; returns how many it ran. ctx is scratch the
 * caller zeroes when its batch is done.
 */
unsigned int vpe_mb_gcm_run(IMB_MGR *mgr, struct gcm_context_data *ctx,
			    struct vpe_esp_op *ops, unsigned int n,
			    bool encrypt);

/*
 * gcm: n encrypt ops, all of GCM keys (the outbound fast path's
 * gcm_seal); ctx as above. Returns how many failed (status set).
 */
unsigned int vpe_mb_gcm_seal(IMB_MGR *mgr, struct gcm_context_data *ctx,
			     struct vpe_esp_op *ops, unsigned int n);

/* jobs: n operations on non-GCM keys through the job API. */
void vpe_mb_jobs_run(struct vpe_ipsecmb *mb, struct vpe_esp_op **ops,
		     unsigned int n, bool encrypt);

#endif /* VPE_IPSECMB_H */
