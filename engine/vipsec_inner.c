// SPDX-License-Identifier: BSD-3-Clause
#include "vipsec_inner.h"
#include "vipsec_ipv6.h"
#include "vipsec_le.h"

#define ECN_NOT_ECT 0
#define ECN_ECT1    1
#define ECN_ECT0    2
#define ECN_CE	    3

int vpe_ecn_decap(uint8_t inner, uint8_t outer)
{
	if (outer == ECN_CE)
		return inner == ECN_NOT_ECT ? -1 : ECN_CE;
	/* ECT(1) outer marks an ECT(0) inner as ECT(1); else keep inner. */
	if (outer == ECN_ECT1 && inner == ECN_ECT0)
		return ECN_ECT1;
	return inner;
}

uint8_t vpe_inner_decap(const struct vpe_sa *sa, uint8_t *p, uint32_t len,
			uint8_t outer_ecn)
{
	/* Read once: the checksum's length comes from it. */
	uint8_t vihl = p[0];
	int v4 = (vihl >> 4) == 4, ecn;
	uint32_t ihl = (vihl & 0xf) * 4u;
	uint8_t tc = v4 ? p[1] : vpe_ipv6_tclass(p);
	uint8_t *ttl = v4 ? &p[8] : &p[7];

	if (!(sa->options &
	      (VIRTIO_IPSEC_SA_OPT_ECN | VIRTIO_IPSEC_SA_OPT_DEC_TTL)))
		return VIRTIO_IPSEC_OK;
	if (sa->options & VIRTIO_IPSEC_SA_OPT_ECN) {
		ecn = vpe_ecn_decap(tc & 3, outer_ecn & 3);
		if (ecn < 0)
			return VIRTIO_IPSEC_BADPKT;
		tc = (uint8_t)((tc & 0xfc) | ecn);
	}
	if (sa->options & VIRTIO_IPSEC_SA_OPT_DEC_TTL) {
		/* A router would send ICMP time exceeded; we only refuse. */
		if (*ttl <= 1)
			return VIRTIO_IPSEC_BADPKT;
		(*ttl)--;
	}
	if (v4) {
		if (ihl < VPE_IPV4_HLEN || ihl > len)
			return VIRTIO_IPSEC_BADPKT;
		p[1] = tc;
		vpe_put_be16(p + 10, 0);
		vpe_put_be16(p + 10, vpe_ip_csum(p, ihl));
	} else {
		vpe_ipv6_set_tclass(p, tc);
	}
	return VIRTIO_IPSEC_OK;
}

static int prefix_eq(const uint8_t *a, const uint8_t *b, unsigned int bits)
{
	unsigned int i;

	for (i = 0; i < bits / 8; i++)
		if (a[i] != b[i])
			return 0;
	if (bits % 8) {
		uint8_t m = (uint8_t)(0xff << (8 - bits % 8));

		return (a[i] & m) == (b[i] & m);
	}
	return 1;
}

int vpe_selector_match(const struct vpe_sa *sa, const uint8_t *p)
{
	int fam = sa->ip_version == VIRTIO_IPSEC_IPV6 ? 6 : 4;

	if ((p[0] >> 4) != fam)
		return 0;
	return prefix_eq(fam == 4 ? p + 12 : p + 8, sa->sel_src,
			 sa->sel_prefix_len);
}
