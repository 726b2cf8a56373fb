/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The burst loop that vipsec_esp_out.c and vipsec_esp_in.c share: a
 * chunk of packets prepared, their crypto in one backend call, then all
 * finished. Each direction names its steps in a struct vpe_esp_dir.
 * Inlined always: the steps are constants at each call, so the compiler
 * calls them directly, as the loops written out did.
 */
#ifndef VIPSEC_ESP_BURST_H
#define VIPSEC_ESP_BURST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vipsec_esp.h"

struct vpe_esp_dir {
	/*
	 * NULL, or run over a chunk's m packets before any is prepared, for
	 * work cheaper done for many at once (encap: checks, then sequence
	 * numbers per run of one SA); it sets res[i] and fills the states
	 * st[i], which prepare and finish then get: with pre, a packet's
	 * state is at its index in the chunk, else at its slot among the
	 * packets prepared.
	 */
	void (*pre)(const struct vpe_esp_pkt *p, unsigned int m, void *st,
		    struct vpe_esp_res *res);
	/*
	 * Fills op and the direction's per-packet state st; VIRTIO_IPSEC_OK
	 * when op is ready, anything else is the packet's final status.
	 */
	uint8_t (*prepare)(struct vpe_crypto *c, const struct vpe_esp_pkt *p,
			   void *st, struct vpe_esp_op *op,
			   struct vpe_esp_res *res);
	/*
	 * NULL, or run after the backend, before finish, over the k packets
	 * prepared (p[idx[i]], op[i], their states as finish gets them),
	 * for work cheaper done for a run of one SA at once (decap: the
	 * replay window under its lock, once per run).
	 */
	void (*post)(const struct vpe_esp_pkt *p, const uint8_t *idx,
		     unsigned int k, const void *st,
		     const struct vpe_esp_op *ops, struct vpe_esp_res *res);
	/* NULL (post finishes), or run after the backend ran op. */
	void (*finish)(const struct vpe_esp_pkt *p, const void *st,
		       const struct vpe_esp_op *op, struct vpe_esp_res *res);
	/*
	 * NULL, or true when next must wait for the next backend call after
	 * the k packets p[idx[0..k-1]] already prepared in this one.
	 */
	bool (*must_wait)(const struct vpe_esp_pkt *p, const uint8_t *idx,
			  unsigned int k, const struct vpe_esp_pkt *next);
	size_t st_size; /* bytes of one packet's state */
	bool decrypt;	/* backend call: decrypt, else encrypt */
	bool count; /* add good packets to sa->in_packets, sa->bytes (output) */
};

/*
 * Adds the good packets of p[0..n-1] to their SA's packets and bytes:
 * one atomic add per run of packets of one SA, not two per packet, so
 * that a counter shared by many queues costs little on the fast path.
 */
static inline void vpe_esp_count(const struct vpe_esp_pkt *p, unsigned int n,
				 const struct vpe_esp_res *res)
{
	struct vpe_sa *sa = NULL;
	uint64_t pk = 0, by = 0;
	unsigned int i;

	for (i = 0; i <= n; i++) {
		if (i == n || p[i].sa != sa) {
			if (pk) {
				vpe_add(&sa->in_packets, pk);
				vpe_add(&sa->bytes, by);
			}
			if (i == n)
				break;
			sa = p[i].sa;
			pk = by = 0;
		}
		if (res[i].status == VIRTIO_IPSEC_OK) {
			pk++;
			by += res[i].out_len;
		}
	}
}

/* st: room for VPE_ESP_BURST states of d->st_size bytes. */
static inline __attribute__((always_inline)) void
vpe_esp_burst(const struct vpe_esp_dir *d, struct vpe_crypto *c,
	      const struct vpe_esp_pkt *p, unsigned int n,
	      struct vpe_esp_res *res, void *st)
{
	struct vpe_esp_op ops[VPE_ESP_BURST];
	uint8_t idx[VPE_ESP_BURST];
	unsigned int base, i, k, m;
	char *s = st;

	for (base = 0; base < n; base += m) {
		m = n - base < VPE_ESP_BURST ? n - base : VPE_ESP_BURST;
		vpe_esp_prefetch(c, p + base, m);
		/* No must_wait with pre: the chunk is m packets, as pre saw. */
		if (d->pre)
			d->pre(p + base, m, st, res + base);
		for (i = 0, k = 0; i < m; i++) {
			if (d->must_wait &&
			    d->must_wait(p + base, idx, k, &p[base + i])) {
				m = i;
				break;
			}
			if (d->prepare(c, &p[base + i],
				       s + (d->pre ? i : k) * d->st_size,
				       &ops[k],
				       &res[base + i]) == VIRTIO_IPSEC_OK)
				idx[k++] = (uint8_t)i;
		}
		if (k && d->decrypt)
			c->ops->decrypt(c, ops, k);
		else if (k)
			c->ops->encrypt(c, ops, k);
		if (k && d->post)
			d->post(p + base, idx, k, st, ops, res + base);
		for (i = 0; d->finish && i < k; i++)
			d->finish(&p[base + idx[i]],
				  s + (d->pre ? idx[i] : i) * d->st_size,
				  &ops[i], &res[base + idx[i]]);
		if (d->count)
			vpe_esp_count(p + base, m, res + base);
	}
}

#endif
