// SPDX-License-Identifier: BSD-3-Clause
#include <stdlib.h>

#include <linux/virtio_ipsec.h>

#include "vipsec_arena.h"
#include "vipsec_replay.h"
#include "vipsec_sync.h"

#define WORD_SHIFT 6
#define WORD_BITS  64

struct vpe_replay *vpe_replay_new(uint32_t window)
{
	uint32_t words = 1, need;
	struct vpe_replay *r;

	if (window == 0 || window > (1u << 20))
		return NULL;
	need = (window + WORD_BITS - 1) / WORD_BITS + 1;
	while (words < need)
		words <<= 1;
	/* Next to its SA (vipsec_arena.h), zeroed. */
	r = vpe_arena_alloc(sizeof(*r) + words * sizeof(uint64_t));
	if (!r)
		return NULL;
	r->window = window;
	r->word_mask = words - 1;
	return r;
}

void vpe_replay_free(struct vpe_replay *r)
{
	if (r)
		vpe_arena_free(r, sizeof(*r) + ((size_t)r->word_mask + 1) *
						       sizeof(uint64_t));
}

/*
 * Relaxed atomic accesses (plain moves on x86): the data path may run
 * this check without the SA's replay lock, as an early drop before the
 * crypto, while another queue updates the window under the lock; the
 * decision that counts is taken again under the lock after the ICV.
 */
uint8_t vpe_replay_check(const struct vpe_replay *r, uint64_t seq)
{
	uint64_t word, bit, top = vpe_ld(&r->top);

	if (seq == 0)
		return VIRTIO_IPSEC_LATE;
	if (seq > top)
		return VIRTIO_IPSEC_OK;
	if (top - seq >= r->window)
		return VIRTIO_IPSEC_LATE;
	word = (seq >> WORD_SHIFT) & r->word_mask;
	bit = 1ULL << (seq & (WORD_BITS - 1));
	return (vpe_ld(&r->bits[word]) & bit) ? VIRTIO_IPSEC_REPLAY :
						VIRTIO_IPSEC_OK;
}

/* Callers serialise updates (the SA's replay lock). */
void vpe_replay_update(struct vpe_replay *r, uint64_t seq)
{
	uint64_t top = r->top, cur = top >> WORD_SHIFT,
		 next = seq >> WORD_SHIFT, *w;

	if (seq > top) {
		uint64_t diff = next - cur, i;

		if (diff > r->word_mask + 1ULL)
			diff = r->word_mask + 1ULL;
		for (i = 1; i <= diff; i++)
			vpe_st(&r->bits[(cur + i) & r->word_mask], 0);
		vpe_st(&r->top, seq);
	}
	w = &r->bits[next & r->word_mask];
	vpe_st(w, *w | 1ULL << (seq & (WORD_BITS - 1)));
}

uint64_t vpe_replay_esn_infer(uint64_t top, uint32_t w, uint32_t seq_lo)
{
	uint32_t tl = (uint32_t)top, th = (uint32_t)(top >> 32);
	uint32_t bottom = tl - w + 1; /* mod 2^32 */

	if (tl >= w - 1) {
		/* Case A: window within the block th. */
		if (seq_lo >= bottom)
			return (uint64_t)th << 32 | seq_lo;
		/* No block after the last: the packet is left of the window. */
		if (th == UINT32_MAX)
			return (uint64_t)th << 32 | seq_lo;
		return (uint64_t)(th + 1) << 32 | seq_lo;
	}
	/* Case B: the window reaches back into block th - 1. */
	if (seq_lo >= bottom && th > 0)
		return (uint64_t)(th - 1) << 32 | seq_lo;
	return (uint64_t)th << 32 | seq_lo;
}

/* SA_MOD / SA_GET: the window as a bitmap relative to top. */
void vpe_replay_export(const struct vpe_replay *r, uint64_t *bitmap,
		       uint32_t words)
{
	uint64_t i, seq;

	for (i = 0; i < words; i++)
		bitmap[i] = 0;
	for (i = 0; i < r->window && i < r->top && i < (uint64_t)words * 64;
	     i++) {
		seq = r->top - i;
		if (r->bits[(seq >> WORD_SHIFT) & r->word_mask] &
		    (1ULL << (seq & (WORD_BITS - 1))))
			bitmap[i >> WORD_SHIFT] |= 1ULL
						   << (i & (WORD_BITS - 1));
	}
}

struct vpe_replay *vpe_replay_import(uint32_t window, uint64_t top,
				     const uint64_t *bitmap, uint32_t words)
{
	struct vpe_replay *r;
	uint64_t i, seq;

	for (i = 0; i < (uint64_t)words * 64; i++)
		if ((bitmap[i >> WORD_SHIFT] >> (i & (WORD_BITS - 1)) & 1) &&
		    (i >= window || i >= top))
			return NULL;
	r = vpe_replay_new(window);
	if (!r)
		return NULL;
	r->top = top;
	for (i = 0; i < window && i < top && i < (uint64_t)words * 64; i++) {
		if (!(bitmap[i >> WORD_SHIFT] >> (i & (WORD_BITS - 1)) & 1))
			continue;
		seq = top - i;
		r->bits[(seq >> WORD_SHIFT) & r->word_mask] |=
			1ULL << (seq & (WORD_BITS - 1));
	}
	return r;
}
