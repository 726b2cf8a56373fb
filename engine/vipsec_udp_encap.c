// SPDX-License-Identifier: BSD-3-Clause
#include <string.h>

#include "vipsec_cksum.h"
#include "vipsec_ipv6.h"
#include "vipsec_le.h"
#include "vipsec_udp_encap.h"

void vipsec_udp_encap_write(const struct vipsec_sa *sa, uint8_t *udp,
			    uint32_t len, const uint8_t *ip6)
{
	uint16_t sum;

	vipsec_put_be16(udp, sa->udp_sport);
	vipsec_put_be16(udp + 2, sa->udp_dport);
	vipsec_put_be16(udp + 4, (uint16_t)len);
	vipsec_put_be16(udp + 6, 0);
	if (!ip6)
		return;
	sum = vipsec_ipv6_l4_csum(ip6, VIPSEC_IPPROTO_UDP, udp, len);
	vipsec_put_be16(udp + 6, sum ? sum : 0xffff);
}

uint8_t vipsec_udp_encap_check(const uint8_t *udp, uint32_t len)
{
	uint32_t ulen;

	if (len < VIPSEC_UDP_HLEN)
		return VIRTIO_IPSEC_BADPKT;
	ulen = vipsec_get_be16(udp + 4);
	if (ulen != len)
		return VIRTIO_IPSEC_BADPKT;
	if (len == VIPSEC_UDP_HLEN + 1 && udp[VIPSEC_UDP_HLEN] == 0xff)
		return VIRTIO_IPSEC_BADPROTO;		/* NAT keepalive */
	if (len >= VIPSEC_UDP_HLEN + 4 &&
	    vipsec_all_zero(udp + VIPSEC_UDP_HLEN, 4))
		return VIRTIO_IPSEC_BADPROTO;	/* non-ESP marker: IKE */
	return VIRTIO_IPSEC_OK;
}

void vipsec_udp_encap_natoa_fixup(const struct vipsec_sa *sa, uint8_t proto,
				  const uint8_t *src, uint32_t alen,
				  uint8_t *l4, uint32_t len)
{
	uint32_t off;
	uint16_t sum;

	if (vipsec_all_zero(sa->nat_oa, alen) || !memcmp(sa->nat_oa, src, alen))
		return;
	if (proto == VIPSEC_IPPROTO_TCP && len >= 20)
		off = 16;
	else if (proto == VIPSEC_IPPROTO_UDP && len >= VIPSEC_UDP_HLEN)
		off = 6;
	else
		return;
	sum = vipsec_get_be16(l4 + off);
	if (proto == VIPSEC_IPPROTO_UDP && sum == 0 && alen == 4)
		return;		/* no UDP checksum over IPv4 */
	sum = vipsec_csum_replace(sum, sa->nat_oa, src, alen);
	if (proto == VIPSEC_IPPROTO_UDP && sum == 0)
		sum = 0xffff;
	vipsec_put_be16(l4 + off, sum);
}
