// SPDX-License-Identifier: BSD-3-Clause
#include <string.h>

#include "vipsec_cksum.h"
#include "vipsec_ipv6.h"
#include "vipsec_le.h"
#include "vipsec_udp_encap.h"

void vpe_udp_encap_write(const struct vpe_sa *sa, uint8_t *udp, uint32_t len,
			 const uint8_t *ip6)
{
	uint16_t sum;

	vpe_put_be16(udp, sa->udp_sport);
	vpe_put_be16(udp + 2, sa->udp_dport);
	vpe_put_be16(udp + 4, (uint16_t)len);
	vpe_put_be16(udp + 6, 0);
	if (!ip6)
		return;
	sum = vpe_ipv6_l4_csum(ip6, VPE_IPPROTO_UDP, udp, len);
	vpe_put_be16(udp + 6, sum ? sum : 0xffff);
}

uint8_t vpe_udp_encap_check(const uint8_t *udp, uint32_t len)
{
	uint32_t ulen;

	if (len < VPE_UDP_HLEN)
		return VIRTIO_IPSEC_BADPKT;
	ulen = vpe_get_be16(udp + 4);
	if (ulen != len)
		return VIRTIO_IPSEC_BADPKT;
	if (len == VPE_UDP_HLEN + 1 && udp[VPE_UDP_HLEN] == 0xff)
		return VIRTIO_IPSEC_BADPROTO; /* NAT keepalive */
	if (len >= VPE_UDP_HLEN + 4 && vpe_all_zero(udp + VPE_UDP_HLEN, 4))
		return VIRTIO_IPSEC_BADPROTO; /* non-ESP marker: IKE */
	return VIRTIO_IPSEC_OK;
}

void vpe_udp_encap_natoa_fixup(const struct vpe_sa *sa, uint8_t proto,
			       const uint8_t *src, uint32_t alen, uint8_t *l4,
			       uint32_t len)
{
	uint32_t off;
	uint16_t sum;

	if (vpe_all_zero(sa->nat_oa, alen) || !memcmp(sa->nat_oa, src, alen))
		return;
	if (proto == VPE_IPPROTO_TCP && len >= 20)
		off = 16;
	else if (proto == VPE_IPPROTO_UDP && len >= VPE_UDP_HLEN)
		off = 6;
	else
		return;
	sum = vpe_get_be16(l4 + off);
	if (proto == VPE_IPPROTO_UDP && sum == 0 && alen == 4)
		return; /* no UDP checksum over IPv4 */
	sum = vpe_csum_replace(sum, sa->nat_oa, src, alen);
	if (proto == VPE_IPPROTO_UDP && sum == 0)
		sum = 0xffff;
	vpe_put_be16(l4 + off, sum);
}
