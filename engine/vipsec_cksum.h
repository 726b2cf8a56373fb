/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vipsec_cksum: Internet checksum pieces (RFC 1071) for the ESP engine:
 * partial sums over any length, folding, and the incremental update of
 * RFC 1624 used to rewrite addresses under a TCP/UDP checksum.
 */
#ifndef VPE_CKSUM_H
#define VPE_CKSUM_H

#include <stdint.h>

/* Adds len bytes (any length; an odd tail is padded with zero). */
static inline uint32_t vpe_csum_add(uint32_t sum, const uint8_t *p,
				    uint32_t len)
{
	uint64_t s = sum;
	uint32_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

/* Folds a partial sum and complements it: the value stored in a header. */
static inline uint16_t vpe_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * RFC 1624 eqn. 3: the stored checksum csum after the len bytes old (even
 * length) became new: HC' = ~(~HC + ~m + m').
 */
static inline uint16_t vpe_csum_replace(uint16_t csum, const uint8_t *old,
					const uint8_t *new, uint32_t len)
{
	uint32_t sum = (uint16_t)~csum, i;

	for (i = 0; i + 1 < len; i += 2) {
		sum += (uint16_t) ~(old[i] << 8 | old[i + 1]);
		sum += (uint32_t)(new[i] << 8 | new[i + 1]);
	}
	return vpe_csum_fold(sum);
}

#endif /* VPE_CKSUM_H */
