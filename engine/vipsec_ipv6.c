// SPDX-License-Identifier: BSD-3-Clause
#include <string.h>

#include "vipsec_cksum.h"
#include "vipsec_ipv6.h"

void vpe_ipv6_tmpl_init(uint8_t tmpl[VPE_IPV6_HLEN], uint8_t hop, uint32_t flow,
			const uint8_t src[16], const uint8_t dst[16])
{
	memset(tmpl, 0, VPE_IPV6_HLEN);
	flow &= VPE_IPV6_FLOW_MASK;
	tmpl[0] = 0x60;
	tmpl[1] = (uint8_t)(flow >> 16);
	tmpl[2] = (uint8_t)(flow >> 8);
	tmpl[3] = (uint8_t)flow;
	tmpl[6] = VPE_IPPROTO_ESP;
	tmpl[7] = hop ? hop : 64;
	memcpy(tmpl + 8, src, 16);
	memcpy(tmpl + 24, dst, 16);
}

void vpe_ipv6_write_outer(uint8_t *hdr, const uint8_t tmpl[VPE_IPV6_HLEN],
			  uint8_t tclass, uint16_t payload_len, uint8_t nh)
{
	memcpy(hdr, tmpl, VPE_IPV6_HLEN);
	vpe_ipv6_set_tclass(hdr, tclass);
	vpe_put_be16(hdr + 4, payload_len);
	hdr[6] = nh;
}

int32_t vpe_ipv6_esp_offset(const uint8_t *pkt, uint32_t len, int want_esp,
			    uint32_t *nh_off)
{
	uint32_t off = VPE_IPV6_HLEN, nhp = 6, hlen;
	int seen_routing = 0;
	uint8_t nh = pkt[6];

	for (;;) {
		switch (nh) {
		case VPE_IPPROTO_FRAGMENT: return -1;
		case VPE_IPPROTO_ROUTING: seen_routing = 1; break;
		case VPE_IPPROTO_HOPOPTS:
			/* Only right after the fixed header (RFC 8200 4.1). */
			if (off != VPE_IPV6_HLEN)
				return -1;
			break;
		case VPE_IPPROTO_DSTOPTS:
			/* After a routing header: end-to-end, behind ESP. */
			if (!want_esp && seen_routing)
				goto done;
			break;
		default: goto done;
		}
		if (off + 8 > len)
			return -1;
		hlen = (pkt[off + 1] + 1u) * 8;
		if (off + hlen > len)
			return -1;
		nhp = off;
		nh = pkt[off];
		off += hlen;
	}
done:
	*nh_off = nhp;
	return (int32_t)off;
}

uint16_t vpe_ipv6_l4_csum(const uint8_t *ip6, uint8_t proto, const uint8_t *p,
			  uint32_t len)
{
	uint32_t sum;

	sum = vpe_csum_add(0, ip6 + 8, 32);
	sum += len >> 16;
	sum += len & 0xffff;
	sum += proto;
	sum = vpe_csum_add(sum, p, len);
	return vpe_csum_fold(sum);
}

int vpe_ipv6_addr_unicast(const uint8_t a[16])
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0,    0,
					    0, 0, 0, 0, 0xff, 0xff };
	static const uint8_t zero[16];

	/*
	 * Unspecified, multicast, or a subnet-router anycast address (the
	 * interface identifier zero, RFC 4291 2.6.1), which is also what an
	 * IPv4 address left in an IPv6 SA looks like.
	 */
	if (!memcmp(a, zero, 16) || a[0] == 0xff || !memcmp(a + 8, zero, 8))
		return 0;
	return memcmp(a, mapped, 12) != 0; /* v4-mapped: wrong family */
}
