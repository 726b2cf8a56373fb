// SPDX-License-Identifier: BSD-3-Clause
/*
 * vipsec_lookup: which inbound SA a received ESP packet belongs to, for a
 * DECAP packet that names no SA (pkt_req.sa_id 0; seed 004's SPI lookup).
 * RFC 4301 4.1: an inbound SA is identified by SPI, destination address
 * and protocol; the search stays inside the request's group (one
 * tenant's SPI space, vipsec_sadb.c), through the (SPI, destination)
 * index SA_ADD already keeps, so a lookup costs one hash probe or two.
 */
#include <string.h>

#include "vipsec_ipv4.h"
#include "vipsec_ipv6.h"
#include "vipsec_sa.h"
#include "vipsec_udp_encap.h"

/* SPI and destination of an outer IPv4/IPv6 packet; -1 when not ESP. */
static int esp_ident(const uint8_t *in, uint32_t in_len, uint32_t *spi,
		     uint8_t dst[16])
{
	uint32_t off, tot;
	uint8_t proto;

	memset(dst, 0, 16);
	if (in_len >= VPE_IPV6_HLEN && (in[0] >> 4) == 6) {
		uint32_t nh_off;
		int32_t o;

		tot = VPE_IPV6_HLEN + (uint32_t)vpe_get_be16(in + 4);
		if (tot > in_len)
			return -1;
		o = vpe_ipv6_esp_offset(in, tot, 1, &nh_off);
		if (o < 0)
			return -1;
		off = (uint32_t)o;
		proto = in[nh_off];
		memcpy(dst, in + 24, 16);
	} else if (in_len >= VPE_IPV4_HLEN && (in[0] >> 4) == 4) {
		off = (in[0] & 0xf) * 4u;
		tot = vpe_get_be16(in + 2);
		if (off < VPE_IPV4_HLEN || tot < off || tot > in_len ||
		    (vpe_get_be16(in + 6) & (VPE_IP_MF | VPE_IP_OFFMASK)))
			return -1;
		proto = in[9];
		memcpy(dst, in + 16, 4);
	} else {
		return -1;
	}
	if (proto == VPE_IPPROTO_UDP) {
		if (vpe_udp_encap_check(in + off, tot - off) != VIRTIO_IPSEC_OK)
			return -1; /* IKE, keepalive or truncated */
		off += VPE_UDP_HLEN;
	} else if (proto != VPE_IPPROTO_ESP) {
		return -1;
	}
	if (tot - off < 4)
		return -1;
	*spi = vpe_get_be32(in + off);
	return 0;
}

struct vpe_sa *vpe_sadb_lookup_packet(const struct vpe_sadb *db, uint32_t gid,
				      const uint8_t *in, uint32_t in_len)
{
	static const uint8_t any[16];
	uint8_t dst[16];
	struct vpe_sa *sa;
	uint32_t spi;

	if (esp_ident(in, in_len, &spi, dst))
		return NULL;
	sa = vpe_sadb_find_inbound(db, gid, spi, dst);
	/* A transport SA may be added without addresses: SPI alone. */
	if (!sa)
		sa = vpe_sadb_find_inbound(db, gid, spi, any);
	return sa;
}
