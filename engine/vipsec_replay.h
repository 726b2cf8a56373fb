/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vpe_replay: inbound anti-replay window (RFC 4303 Appendix A) as a
 * ring of 64-bit words (RFC 6479): a check is one bit test, an advance
 * clears whole words, never shifts the bitmap.
 *
 * The bitmap holds a power-of-two number of words, at least one word more
 * than the window, so the bits of sequence numbers that left the window
 * are cleared before their word is reused.
 */
#ifndef VPE_REPLAY_H
#define VPE_REPLAY_H

#include <stdint.h>

struct vpe_replay {
	uint64_t top;	    /* highest authenticated sequence number */
	uint32_t window;    /* packets accepted left of and incl. top */
	uint32_t word_mask; /* number of words - 1 */
	uint64_t bits[];
};

/*
 * The word that in-order traffic sets next (the one holding top + 1):
 * what a prefetch ahead of a burst loads, with the head, so that the
 * update after the ICV check does not miss (many SAs far from cache).
 */
static inline const uint64_t *vpe_replay_next_word(const struct vpe_replay *r)
{
	return &r->bits[((__atomic_load_n(&r->top, __ATOMIC_RELAXED) + 1) >> 6) &
			r->word_mask];
}

/* window 1 .. 1 << 20. Returns NULL on bad size or no memory. */
struct vpe_replay *vpe_replay_new(uint32_t window);
void vpe_replay_free(struct vpe_replay *r);

/*
 * Before the ICV check: VIRTIO_IPSEC_OK when seq may be new,
 * VIRTIO_IPSEC_REPLAY when already seen, VIRTIO_IPSEC_LATE when left of
 * the window (sequence number 0 is never valid and is LATE too).
 */
uint8_t vpe_replay_check(const struct vpe_replay *r, uint64_t seq);

/* After the ICV check succeeded: records seq, advancing the window. */
void vpe_replay_update(struct vpe_replay *r, uint64_t seq);

/*
 * ESN (RFC 4303 Appendix A2.2): the full sequence number of a packet
 * carrying seq_lo, given the highest authenticated number top and the
 * window size w (>= 1). When the window lies within one 2^32 block, a
 * seq_lo below its bottom belongs to the next block; when it straddles a
 * block boundary, a seq_lo at or above its bottom belongs to the previous
 * block. The result is only a guess until the ICV, which covers the high
 * half, has been verified.
 */
uint64_t vpe_replay_esn_infer(uint64_t top, uint32_t w, uint32_t seq_lo);

/*
 * Window state for SA_MOD and SA_GET, in the wire layout of struct
 * virtio_ipsec_sa_mod: bit i of word i / 64 set when sequence number
 * (top - i) was received, for i < window.
 *
 * vpe_replay_export: writes words (host order) words, which must cover
 * the window ((window + 63) / 64 at least); bits past the window are 0.
 * vpe_replay_import: a new window of the given size with this state;
 * bits at or past the window, or naming sequence number 0 or below, must
 * be clear. NULL on a bad size, stray bits, or no memory.
 */
void vpe_replay_export(const struct vpe_replay *r, uint64_t *bitmap,
		       uint32_t words);
struct vpe_replay *vpe_replay_import(uint32_t window, uint64_t top,
				     const uint64_t *bitmap, uint32_t words);

#endif /* VPE_REPLAY_H */
