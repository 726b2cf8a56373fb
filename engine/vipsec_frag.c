// SPDX-License-Identifier: BSD-3-Clause
/*
 * vipsec_frag: an outbound SA's path MTU with fragment-before-IPsec (ODP's
 * ODP_IPSEC_FRAG_BEFORE, seed 004). A tunnel-mode SA whose ESP packet
 * would exceed sa->path_mtu fragments an inner IPv4 packet with DF clear
 * (RFC 791 3.2) and encapsulates each fragment with its own sequence
 * number; the ESP packets go back to back into the one output area. Any
 * other packet that does not fit gets status MTU from the ESP code
 * (vipsec_esp_out.c). Fragmenting inside the tunnel, not the ESP packet
 * after it, means the peer's IPsec needs no reassembly: each ESP packet
 * decapsulates alone and the inner destination reassembles (RFC 4459 3).
 */
#include <stdlib.h>
#include <string.h>

#include "vipsec_esp.h"
#include "vipsec_frag.h"
#include "vipsec_ipv4.h"

#define IPV4_MAX_HLEN 60

bool vpe_frag_wanted(const struct vpe_sa *sa, const uint8_t *in,
		     uint32_t in_len)
{
	return sa->path_mtu && sa->frag_mode == VIRTIO_IPSEC_FRAG_BEFORE &&
	       sa->mode == VIRTIO_IPSEC_MODE_TUNNEL &&
	       in_len >= VPE_IPV4_HLEN && (in[0] >> 4) == 4 &&
	       !(vpe_get_be16(in + 6) & VPE_IP_DF) &&
	       vpe_esp_encap_len(sa, in_len) > sa->path_mtu;
}

/*
 * The header of the second and later fragments: the fixed header and
 * the options whose copied flag is set (RFC 791 3.1), padded with
 * end-of-options to a multiple of 4. Returns its length, or 0 when the
 * options are malformed.
 */
static uint32_t later_header(const uint8_t *in, uint32_t hlen, uint8_t *h)
{
	uint32_t i = VPE_IPV4_HLEN, n = VPE_IPV4_HLEN, olen;

	memcpy(h, in, VPE_IPV4_HLEN);
	while (i < hlen && in[i] != 0) {
		if (in[i] == 1) { /* no-operation: not copied */
			i++;
			continue;
		}
		if (i + 1 >= hlen)
			return 0;
		olen = in[i + 1];
		if (olen < 2 || i + olen > hlen)
			return 0;
		if (in[i] & 0x80) {
			memcpy(h + n, in + i, olen);
			n += olen;
		}
		i += olen;
	}
	while (n % 4)
		h[n++] = 0;
	h[0] = (uint8_t)(0x40 | n / 4);
	return n;
}

/* Largest fragment data (a multiple of 8) whose ESP packet fits, or 0. */
static uint32_t frag_room(const struct vpe_sa *sa, uint32_t hlen)
{
	uint32_t l = sa->path_mtu > hlen ? (sa->path_mtu - hlen) & ~7u : 0;

	while (l >= 8 && vpe_esp_encap_len(sa, hlen + l) > sa->path_mtu)
		l -= 8;
	return l < 8 ? 0 : l;
}

/* Fragment k's header: length, MF, offset and checksum. */
static void frag_header(uint8_t *f, uint32_t hlen, uint32_t len, uint32_t off8,
			int mf)
{
	vpe_put_be16(f + 2, (uint16_t)(hlen + len));
	vpe_put_be16(f + 6, (uint16_t)((mf ? VPE_IP_MF : 0) | off8));
	vpe_put_be16(f + 10, 0);
	vpe_put_be16(f + 10, vpe_ip_csum(f, hlen));
}

uint16_t vpe_frag_encap(struct vpe_crypto *c, struct vpe_sa *sa,
			const uint8_t *in, uint32_t in_len, uint8_t *out,
			uint32_t out_cap, struct vpe_esp_res *res)
{
	uint8_t h2[IPV4_MAX_HLEN], *f;
	uint32_t hlen = (in[0] & 0xf) * 4u, h2len, room1, room2;
	uint32_t data, pos, n = 0, total = 0, o = 0, len;
	uint16_t frag = vpe_get_be16(in + 6);
	struct vpe_esp_res r = { 0 };
	uint64_t seq;

	*res = (struct vpe_esp_res){ .status = VIRTIO_IPSEC_BADPKT };
	if (vpe_ipv4_inner_ok(in, in_len) || hlen > in_len)
		return 0;
	h2len = later_header(in, hlen, h2);
	if (!h2len)
		return 0;
	data = in_len - hlen;
	room1 = frag_room(sa, hlen);
	room2 = frag_room(sa, h2len);
	if (!room1 || !room2 || (frag & VPE_IP_OFFMASK) * 8u + data > 0xffff) {
		res->status = VIRTIO_IPSEC_MTU;
		res->out_len = sa->path_mtu;
		return 0;
	}
	/* Sizes first: nothing is spent on a packet that cannot go out. */
	for (pos = 0; pos < data; pos += len, n++) {
		uint32_t room = n ? room2 : room1;

		len = data - pos < room ? data - pos : room;
		total += vpe_esp_encap_len(sa, (n ? h2len : hlen) + len);
	}
	/* A first look: another queue may still take numbers meanwhile. */
	seq = vpe_ld(&sa->seq);
	if (vpe_ld(&sa->stopped) || seq >= sa->seq_max ||
	    sa->seq_max - seq < n) {
		res->status = VIRTIO_IPSEC_SEQ_OVERFLOW;
		return 0;
	}
	if (total > out_cap) {
		res->status = VIRTIO_IPSEC_DST_TOO_SMALL;
		res->out_len = total;
		return 0;
	}
	f = malloc(sa->path_mtu);
	if (!f) {
		res->status = VIRTIO_IPSEC_ERR;
		return 0;
	}
	for (pos = 0, n = 0; pos < data; pos += len, n++) {
		uint32_t fh = n ? h2len : hlen, room = n ? room2 : room1;

		len = data - pos < room ? data - pos : room;
		memcpy(f, n ? h2 : in, fh);
		memcpy(f + fh, in + hlen + pos, len);
		frag_header(f, fh, len, (frag & VPE_IP_OFFMASK) + pos / 8,
			    pos + len < data || (frag & VPE_IP_MF));
		vpe_esp_encap(c, sa, f, fh + len, out + o, out_cap - o, &r);
		if (r.status != VIRTIO_IPSEC_OK)
			break;
		o += r.out_len;
	}
	free(f);
	if (r.status != VIRTIO_IPSEC_OK) {
		/* Only a backend failure gets here; no half output leaves. */
		memset(out, 0, o);
		*res = r;
		res->out_len = 0;
		return 0;
	}
	res->status = VIRTIO_IPSEC_OK;
	res->out_len = o;
	res->seq = r.seq; /* the last number used */
	return VIRTIO_IPSEC_WARN_FRAGMENTED;
}
