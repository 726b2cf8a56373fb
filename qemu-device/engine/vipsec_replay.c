// SPDX-License-Identifier: BSD-3-Clause
#include <stdlib.h>

#include <linux/virtio_ipsec.h>

#include "vipsec_replay.h"

#define WORD_SHIFT 6
#define WORD_BITS 64

struct vipsec_replay *vipsec_replay_new(uint32_t window)
{
	uint32_t words = 1, need;
	struct vipsec_replay *r;

	if (window == 0 || window > (1u << 20))
		return NULL;
	need = (window + WORD_BITS - 1) / WORD_BITS + 1;
	while (words < need)
		words <<= 1;
	r = calloc(1, sizeof(*r) + words * sizeof(uint64_t));
	if (!r)
		return NULL;
	r->window = window;
	r->word_mask = words - 1;
	return r;
}

void vipsec_replay_free(struct vipsec_replay *r)
{
	free(r);
}

uint8_t vipsec_replay_check(const struct vipsec_replay *r, uint64_t seq)
{
	uint64_t word, bit;

	if (seq == 0)
		return VIRTIO_IPSEC_LATE;
	if (seq > r->top)
		return VIRTIO_IPSEC_OK;
	if (r->top - seq >= r->window)
		return VIRTIO_IPSEC_LATE;
	word = (seq >> WORD_SHIFT) & r->word_mask;
	bit = 1ULL << (seq & (WORD_BITS - 1));
	return (r->bits[word] & bit) ? VIRTIO_IPSEC_REPLAY : VIRTIO_IPSEC_OK;
}

void vipsec_replay_update(struct vipsec_replay *r, uint64_t seq)
{
	uint64_t cur = r->top >> WORD_SHIFT, next = seq >> WORD_SHIFT;

	if (seq > r->top) {
		uint64_t diff = next - cur, i;

		if (diff > r->word_mask + 1ULL)
			diff = r->word_mask + 1ULL;
		for (i = 1; i <= diff; i++)
			r->bits[(cur + i) & r->word_mask] = 0;
		r->top = seq;
	}
	r->bits[next & r->word_mask] |= 1ULL << (seq & (WORD_BITS - 1));
}
