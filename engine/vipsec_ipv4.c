// SPDX-License-Identifier: BSD-3-Clause
#include "vipsec_ipv4.h"

/*
 * RFC 1071: the one's complement sum does not depend on byte order (its
 * section 2 B), so the words are added as the host loads them, four bytes
 * at a time into a 64-bit sum, and the folded result is read back in
 * network order: a few adds per header instead of a loop over bytes, on
 * every outbound tunnel packet.
 */
uint16_t vpe_ip_csum(const uint8_t *p, unsigned int len)
{
	uint64_t sum = 0;
	unsigned int i;
	uint32_t w;
	uint16_t h;

	for (i = 0; i + 4 <= len; i += 4) {
		memcpy(&w, p + i, 4);
		sum += w;
	}
	if (i + 2 <= len) { /* an odd last byte is not summed, as before */
		memcpy(&h, p + i, 2);
		sum += h;
	}
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	h = (uint16_t)~sum;
	return vpe_get_be16((const uint8_t *)&h);
}

void vpe_ipv4_tmpl_init(uint8_t tmpl[VPE_IPV4_HLEN], uint8_t ttl,
			const uint8_t src[4], const uint8_t dst[4])
{
	memset(tmpl, 0, VPE_IPV4_HLEN);
	tmpl[0] = 0x45;
	tmpl[8] = ttl ? ttl : 64;
	tmpl[9] = VPE_IPPROTO_ESP;
	memcpy(tmpl + 12, src, 4);
	memcpy(tmpl + 16, dst, 4);
}

void vpe_ipv4_write_outer(uint8_t *hdr, const uint8_t tmpl[VPE_IPV4_HLEN],
			  uint8_t tos, uint16_t tot_len, uint16_t id, int df)
{
	vpe_ipv4_write_outer_proto(hdr, tmpl, tos, tot_len, id, df,
				   VPE_IPPROTO_ESP);
}

void vpe_ipv4_write_outer_proto(uint8_t *hdr, const uint8_t tmpl[VPE_IPV4_HLEN],
				uint8_t tos, uint16_t tot_len, uint16_t id,
				int df, uint8_t proto)
{
	uint16_t frag = df ? VPE_IP_DF : 0;
	uint32_t sum;
	int i;

	memcpy(hdr, tmpl, VPE_IPV4_HLEN);
	hdr[9] = proto;
	hdr[1] = tos;
	vpe_put_be16(hdr + 2, tot_len);
	vpe_put_be16(hdr + 4, id);
	vpe_put_be16(hdr + 6, frag);
	/*
	 * The checksum from the values and the template, not read back from
	 * hdr: loads of words just written in smaller pieces miss store
	 * forwarding and stall. The words of the header as written above,
	 * the checksum's own as zero.
	 */
	sum = (uint32_t)(tmpl[0] << 8 | tos) + tot_len + id + frag +
	      (uint32_t)(tmpl[8] << 8 | proto);
	for (i = 12; i < VPE_IPV4_HLEN; i += 2)
		sum += vpe_get_be16(tmpl + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	vpe_put_be16(hdr + 10, (uint16_t)~sum);
}

int32_t vpe_ip_inner_len(const uint8_t *pkt, uint32_t len, uint8_t nh)
{
	uint32_t n;

	if (nh == VPE_IPPROTO_IPIP) {
		if (len < VPE_IPV4_HLEN || (pkt[0] >> 4) != 4)
			return -1;
		n = vpe_get_be16(pkt + 2);
		if ((pkt[0] & 0xf) * 4u < VPE_IPV4_HLEN ||
		    n < (pkt[0] & 0xf) * 4u)
			return -1;
	} else if (nh == VPE_IPPROTO_IPV6) {
		if (len < VPE_IPV6_HLEN || (pkt[0] >> 4) != 6)
			return -1;
		n = VPE_IPV6_HLEN + (uint32_t)vpe_get_be16(pkt + 4);
	} else {
		return -1; /* incl. 59, dummy packets (TFC): dropped */
	}
	return n <= len ? (int32_t)n : -1;
}

int vpe_ipv4_addr_unicast(const uint8_t a[4])
{
	return a[0] != 0 && a[0] < 224;
}
