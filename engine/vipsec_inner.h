/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vipsec_inner: what tunnel mode does to the inner header on the way out
 * of the tunnel (RFC 6040 ECN, TTL decrement) and the inbound selector
 * check (RFC 4301 5.2: the inner source must match the SA).
 */
#ifndef VPE_INNER_H
#define VPE_INNER_H

#include <stdint.h>

#include "vipsec_sa.h"

/*
 * RFC 6040 section 4.2 decapsulation: the inner ECN field given the outer
 * one (both 0..3). Returns the new inner field, or -1 when the packet must
 * be dropped (outer CE over a Not-ECT inner packet).
 */
int vpe_ecn_decap(uint8_t inner, uint8_t outer);

/*
 * Tunnel decap of the inner IPv4/IPv6 packet at p: ECN (option ECN) with
 * the outer ECN field, TTL / hop limit decrement (option DEC_TTL); the
 * IPv4 header checksum is fixed. len: the packet's bytes (already
 * checked, but p may be guest memory that changes: what is read again is
 * bounded again). Returns VIRTIO_IPSEC_OK or BADPKT (ECN drop, TTL
 * exhausted, a header that no longer fits).
 */
uint8_t vpe_inner_decap(const struct vpe_sa *sa, uint8_t *p, uint32_t len,
			uint8_t outer_ecn);

/*
 * Option SELECTOR: 1 when the source address of the IP packet at p lies
 * in sa->sel_src / sel_prefix_len. The selector has the SA's address
 * family (ip_version: the outer one in tunnel mode), as the ABI has no
 * field of its own for it; a packet of the other family does not match.
 */
int vpe_selector_match(const struct vpe_sa *sa, const uint8_t *p);

#endif /* VPE_INNER_H */
