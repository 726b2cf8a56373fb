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
 * The 64-byte aligned per-SA key object. What every packet reads comes
 * first: the shape in line 0, then the GCM schedule and hash keys (lines
 * 1-6 on AVX2), so that the engine's prefetch of the key's first lines
 * (vpe_esp_prefetch) covers all a GCM packet touches, with many SAs far
 * from cache.
 */
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
	struct gcm_key_data gcm __attribute__((aligned(64))); /* GCM, GMAC */
	uint32_t enc[60] __attribute__((aligned(16))); /* AES, CCM, ChaCha20 */
	uint32_t dec[60] __attribute__((aligned(16)));
	uint64_t des_ks[3][16]; /* DES: [0]; 3DES: all */
	const void *des_ptrs[3];
	uint8_t ipad[64], opad[64]; /* HMAC inner/outer states */
	uint32_t xcbc_k1[44] __attribute__((aligned(16)));
	uint8_t xcbc_k2[16] __attribute__((aligned(16)));
	uint8_t xcbc_k3[16] __attribute__((aligned(16)));
	uint32_t iv_key[44] __attribute__((aligned(16))); /* CBC IVs */
};

static inline struct vpe_ipsecmb *to_mb(struct vpe_crypto *c)
{
	return (struct vpe_ipsecmb *)c;
}

/* keys: validates p against the RFC lengths and expands everything. */
int vpe_mb_keys_setup(IMB_MGR *mgr, const struct vpe_xfrm_params *p,
		      struct vpe_mb_key *k);

/*
 * gcm: the GCM ops at the head of ops[0..n-1], each synchronous, until
 * the first of another kind; returns how many it ran. ctx is scratch the
 * caller zeroes when its batch is done.
 */
unsigned int vpe_mb_gcm_run(IMB_MGR *mgr, struct gcm_context_data *ctx,
			    struct vpe_esp_op *ops, unsigned int n,
			    bool encrypt);

/* jobs: n operations on non-GCM keys through the job API. */
void vpe_mb_jobs_run(struct vpe_ipsecmb *mb, struct vpe_esp_op **ops,
		     unsigned int n, bool encrypt);

#endif /* VPE_IPSECMB_H */
