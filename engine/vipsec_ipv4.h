/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vipsec_ipv4: IPv4 header helpers for the ESP engine. Headers are byte
 * arrays in network order; nothing here assumes alignment.
 */
#ifndef VPE_IPV4_H
#define VPE_IPV4_H

#include <endian.h>
#include <stdint.h>
#include <string.h>

#define VPE_IPV4_HLEN	 20
#define VPE_IPV6_HLEN	 40
#define VPE_IP_DF	 0x4000
#define VPE_IP_MF	 0x2000
#define VPE_IP_OFFMASK	 0x1fff
#define VPE_IPPROTO_IPIP 4
#define VPE_IPPROTO_IPV6 41
#define VPE_IPPROTO_ESP	 50

/*
 * One unaligned load or store each, swapped to host order: the
 * byte-at-a-time form compiled to a chain of shifts and ORs per field
 * (30-odd instructions for two 32-bit fields of an ESP header), on
 * every packet.
 */
static inline uint16_t vpe_get_be16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return be16toh(v);
}

static inline uint32_t vpe_get_be32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return be32toh(v);
}

static inline void vpe_put_be16(uint8_t *p, uint16_t v)
{
	v = htobe16(v);
	memcpy(p, &v, 2);
}

static inline void vpe_put_be32(uint8_t *p, uint32_t v)
{
	v = htobe32(v);
	memcpy(p, &v, 4);
}

/* Internet checksum of len bytes (len even), as stored in the header. */
uint16_t vpe_ip_csum(const uint8_t *p, unsigned int len);

/*
 * Outer header template: everything but tos, total length, id, DF,
 * checksum. Filled once at SA add.
 */
void vpe_ipv4_tmpl_init(uint8_t tmpl[VPE_IPV4_HLEN], uint8_t ttl,
			const uint8_t src[4], const uint8_t dst[4]);

/*
 * Writes the outer header: template plus the per-packet fields, then the
 * checksum.
 */
void vpe_ipv4_write_outer(uint8_t *hdr, const uint8_t tmpl[VPE_IPV4_HLEN],
			  uint8_t tos, uint16_t tot_len, uint16_t id, int df);

/* Same with the protocol field (ESP, or UDP for RFC 3948). */
void vpe_ipv4_write_outer_proto(uint8_t *hdr, const uint8_t tmpl[VPE_IPV4_HLEN],
				uint8_t tos, uint16_t tot_len, uint16_t id,
				int df, uint8_t proto);

/*
 * Checks a full inner IPv4 packet: 0 when plausible, -1 otherwise.
 * Inline: every outbound and inbound tunnel packet runs it.
 */
static inline int vpe_ipv4_inner_ok(const uint8_t *pkt, uint32_t len)
{
	uint32_t ihl;

	if (len < VPE_IPV4_HLEN || (pkt[0] >> 4) != 4)
		return -1;
	ihl = (pkt[0] & 0xf) * 4u;
	if (ihl < VPE_IPV4_HLEN || ihl > len)
		return -1;
	return vpe_get_be16(pkt + 2) == len ? 0 : -1;
}

/* Same for an inner IPv6 packet. */
static inline int vpe_ipv6_inner_ok(const uint8_t *pkt, uint32_t len)
{
	if (len < VPE_IPV6_HLEN || (pkt[0] >> 4) != 6)
		return -1;
	return VPE_IPV6_HLEN + (uint32_t)vpe_get_be16(pkt + 4) == len ? 0 : -1;
}

/*
 * Length of the IP packet at the start of len bytes of decrypted tunnel
 * payload (version 4 or 6 as nh says), which may be followed by TFC
 * padding (RFC 4303 2.4): the packet's own length, or -1 when the header
 * is implausible or longer than len.
 */
int32_t vpe_ip_inner_len(const uint8_t *pkt, uint32_t len, uint8_t nh);

/* 1 for a usable unicast IPv4 tunnel endpoint (not 0/8, 224/4, 240/4). */
int vpe_ipv4_addr_unicast(const uint8_t a[4]);

#endif /* VPE_IPV4_H */
