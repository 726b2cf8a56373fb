/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vipsec_replay: inbound anti-replay window (RFC 4303 Appendix A) as a
 * ring of 64-bit words (RFC 6479): a check is one bit test, an advance
 * clears whole words, never shifts the bitmap.
 *
 * The bitmap holds a power-of-two number of words, at least one word more
 * than the window, so the bits of sequence numbers that left the window
 * are cleared before their word is reused.
 */
#ifndef VIPSEC_REPLAY_H
#define VIPSEC_REPLAY_H

#include <stdint.h>

struct vipsec_replay {
	uint64_t top;		/* highest authenticated sequence number */
	uint32_t window;	/* packets accepted left of and incl. top */
	uint32_t word_mask;	/* number of words - 1 */
	uint64_t bits[];
};

/* window 1 .. 1 << 20. Returns NULL on bad size or no memory. */
struct vipsec_replay *vipsec_replay_new(uint32_t window);
void vipsec_replay_free(struct vipsec_replay *r);

/*
 * Before the ICV check: VIRTIO_IPSEC_OK when seq may be new,
 * VIRTIO_IPSEC_REPLAY when already seen, VIRTIO_IPSEC_LATE when left of
 * the window (sequence number 0 is never valid and is LATE too).
 */
uint8_t vipsec_replay_check(const struct vipsec_replay *r, uint64_t seq);

/* After the ICV check succeeded: records seq, advancing the window. */
void vipsec_replay_update(struct vipsec_replay *r, uint64_t seq);

#endif /* VIPSEC_REPLAY_H */
