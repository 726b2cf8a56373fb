/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vipsec_ipv6: IPv6 header helpers for the ESP engine: the outer header
 * template, the extension-header walk of transport mode (RFC 4303 3.1.1:
 * ESP goes after hop-by-hop, routing and fragment headers, and after
 * destination options that precede a routing header) and the pseudo-header
 * checksum UDP needs over IPv6.
 */
#ifndef VPE_IPV6_H
#define VPE_IPV6_H

#include <stdint.h>

#include "vipsec_ipv4.h"

#define VPE_IPPROTO_HOPOPTS  0
#define VPE_IPPROTO_ROUTING  43
#define VPE_IPPROTO_FRAGMENT 44
#define VPE_IPPROTO_DSTOPTS  60
#define VPE_IPV6_FLOW_MASK   0xfffffu

/*
 * Outer header template: version, flow label, hop limit, addresses. The
 * traffic class, payload length and next header are written per packet.
 */
void vpe_ipv6_tmpl_init(uint8_t tmpl[VPE_IPV6_HLEN], uint8_t hop, uint32_t flow,
			const uint8_t src[16], const uint8_t dst[16]);

/* Writes the outer header from the template. */
void vpe_ipv6_write_outer(uint8_t *hdr, const uint8_t tmpl[VPE_IPV6_HLEN],
			  uint8_t tclass, uint16_t payload_len, uint8_t nh);

static inline uint8_t vpe_ipv6_tclass(const uint8_t *h)
{
	return (uint8_t)((h[0] & 0xf) << 4 | h[1] >> 4);
}

static inline void vpe_ipv6_set_tclass(uint8_t *h, uint8_t tc)
{
	h[0] = (uint8_t)(0x60 | tc >> 4);
	h[1] = (uint8_t)((tc & 0xf) << 4 | (h[1] & 0xf));
}

/*
 * Walks the extension headers of an IPv6 packet of len bytes (payload
 * length already checked against len). For encap (want_esp == 0): stops
 * where ESP is to be inserted. For decap (want_esp != 0): stops at the
 * first header that is not hop-by-hop, routing or destination options,
 * which must be the ESP (or UDP) header.
 * Returns the offset of that point and in *nh_off the offset of the
 * next-header byte that names it (6 = the fixed header's); -1 when the
 * chain is truncated or holds a fragment header (ESP is applied to, and
 * removed from, whole packets only).
 */
int32_t vpe_ipv6_esp_offset(const uint8_t *pkt, uint32_t len, int want_esp,
			    uint32_t *nh_off);

/* Internet checksum of the IPv6 pseudo-header plus len bytes at p. */
uint16_t vpe_ipv6_l4_csum(const uint8_t *ip6, uint8_t proto, const uint8_t *p,
			  uint32_t len);

/*
 * 1 for a usable unicast IPv6 tunnel endpoint: not unspecified,
 * multicast, v4-mapped, or with a zero interface identifier.
 */
int vpe_ipv6_addr_unicast(const uint8_t a[16]);

#endif /* VPE_IPV6_H */
