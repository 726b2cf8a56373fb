/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vipsec_udp_encap: RFC 3948 UDP encapsulation of ESP and the transport
 * mode checksum fix-up behind a NAT (RFC 3948 3.1.2).
 */
#ifndef VPE_UDP_ENCAP_H
#define VPE_UDP_ENCAP_H

#include <stdint.h>

#include "vipsec_sa.h"

#define VPE_UDP_HLEN	8
#define VPE_IPPROTO_TCP 6
#define VPE_IPPROTO_UDP 17

/*
 * Writes the UDP header at udp (len = UDP header + ESP packet). The
 * checksum is zero over IPv4 (RFC 3948 2.1) and computed over IPv6, where
 * a zero checksum is not allowed (RFC 8200 8.1); for that the ESP packet
 * must already be sealed and ip6 point at the finished IPv6 header.
 */
void vpe_udp_encap_write(const struct vpe_sa *sa, uint8_t *udp, uint32_t len,
			 const uint8_t *ip6);

/*
 * Checks the UDP header of a received packet (len bytes from udp on).
 * Returns VIRTIO_IPSEC_OK, BADPKT (truncated, length mismatch) or
 * BADPROTO for what is not ESP: an IKE packet behind the non-ESP marker
 * (SPI 0) or a NAT keepalive (one 0xff byte). Ports are not checked: a
 * NAT may rebind the peer's port, the ICV protects what matters, and the
 * IKE daemon moves the SA's ports with SA_MOD.
 */
uint8_t vpe_udp_encap_check(const uint8_t *udp, uint32_t len);

/*
 * Transport mode over UDP_ENCAP: the peer computed the inner TCP/UDP
 * checksum over its original source address (sa->nat_oa); rewrites it for
 * the address the packet arrived from (src, alen 4 or 16 bytes) so the
 * restored packet checks out. l4 is the upper-layer header (len bytes).
 * No-op without a NAT-OA, for other protocols, and for a zero UDP
 * checksum over IPv4.
 */
void vpe_udp_encap_natoa_fixup(const struct vpe_sa *sa, uint8_t proto,
			       const uint8_t *src, uint32_t alen, uint8_t *l4,
			       uint32_t len);

#endif /* VPE_UDP_ENCAP_H */
