// SPDX-License-Identifier: BSD-3-Clause
/* vipsec_esp_out: outbound ESP, tunnel mode, IPv4 outer header. */
#include <string.h>

#include "vipsec_esp.h"

/* payload + pad + 2 is a multiple of the transform's block (>= 4). */
static uint32_t pad_len(const struct vipsec_sa *sa, uint32_t in_len)
{
	uint32_t b = sa->block_len;

	return (b - (in_len + 2) % b) % b;
}

/* Outer header, ESP header and explicit IV. */
static uint32_t hdr_len(const struct vipsec_sa *sa)
{
	return VIPSEC_IPV4_HLEN + VIPSEC_ESP_HLEN + sa->iv_len;
}

uint32_t vipsec_esp_encap_len(const struct vipsec_sa *sa, uint32_t in_len)
{
	return hdr_len(sa) + in_len + pad_len(sa, in_len) + 2 + sa->icv_len;
}

void vipsec_esp_seal(struct vipsec_crypto *c, const struct vipsec_sa *sa,
		     uint64_t seq, const uint8_t *iv,
		     const uint8_t *pt, uint32_t pt_len, uint8_t *esp)
{
	struct vipsec_esp_op op = {
		.key = sa->key,
		.esp = esp,
		.pt = (uint8_t *)pt,	/* read-only when encrypting */
		.len = pt_len,
		.seq_hi = (uint32_t)(seq >> 32),
	};

	vipsec_put_be32(esp, sa->spi);
	vipsec_put_be32(esp + 4, (uint32_t)seq);
	memmove(esp + VIPSEC_ESP_HLEN, iv, sa->iv_len);
	c->ops->encrypt(c, &op, 1);
}

static void outer_tos_df(const struct vipsec_sa *sa, const uint8_t *in,
			 uint8_t *tos, int *df)
{
	uint8_t inner_tos;
	int inner_df;

	if ((in[0] >> 4) == 4) {
		inner_tos = in[1];
		inner_df = !!(vipsec_get_be16(in + 6) & VIPSEC_IP_DF);
	} else {
		inner_tos = (uint8_t)((in[0] & 0xf) << 4 | in[1] >> 4);
		inner_df = 1;	/* IPv6 is never fragmented on the path */
	}
	/* ECN: RFC 6040 normal mode, the outer header copies the inner. */
	*tos = inner_tos & 0x03;
	if (sa->dscp_mode == VIRTIO_IPSEC_HDR_COPY)
		*tos |= inner_tos & 0xfc;
	else if (sa->dscp_mode == VIRTIO_IPSEC_HDR_SET)
		*tos |= (uint8_t)(sa->dscp << 2);
	if (sa->df_mode == VIRTIO_IPSEC_HDR_COPY)
		*df = inner_df;
	else
		*df = sa->df_mode == VIRTIO_IPSEC_HDR_SET;
}

void vipsec_esp_encap(struct vipsec_crypto *c, struct vipsec_sa *sa,
		      const uint8_t *in, uint32_t in_len,
		      uint8_t *out, uint32_t out_cap,
		      struct vipsec_esp_res *res)
{
	uint32_t pad = pad_len(sa, in_len), need, i, pt_len;
	uint8_t iv[VIPSEC_ESP_MAX_IVLEN], *pt, tos;
	uint64_t seq;
	int df;

	res->out_len = 0;
	res->seq = 0;
	if (sa->direction != VIRTIO_IPSEC_DIR_OUTBOUND) {
		res->status = VIRTIO_IPSEC_INVAL;
		return;
	}
	if (sa->stopped) {
		res->status = VIRTIO_IPSEC_SEQ_OVERFLOW;
		return;
	}
	if (vipsec_ipv4_inner_ok(in, in_len) &&
	    vipsec_ipv6_inner_ok(in, in_len)) {
		res->status = VIRTIO_IPSEC_BADPKT;
		return;
	}
	need = vipsec_esp_encap_len(sa, in_len);
	if (need > 0xffff) {
		res->status = VIRTIO_IPSEC_BADPKT;
		return;
	}
	if (need > out_cap) {
		res->status = VIRTIO_IPSEC_DST_TOO_SMALL;
		res->out_len = need;
		return;
	}
	if (sa->seq >= sa->seq_max) {
		/* No wrap without ESN: the SA stops for good (RFC 4303 3.3.3). */
		sa->stopped = true;
		res->status = VIRTIO_IPSEC_SEQ_OVERFLOW;
		return;
	}
	seq = ++sa->seq;

	/* Plaintext in place: inner packet, padding, trailer. */
	pt_len = in_len + pad + 2;
	pt = out + hdr_len(sa);
	memcpy(pt, in, in_len);
	for (i = 0; i < pad; i++)
		pt[in_len + i] = (uint8_t)(i + 1);
	pt[in_len + pad] = (uint8_t)pad;
	pt[in_len + pad + 1] = (in[0] >> 4) == 4 ? VIPSEC_IPPROTO_IPIP :
						    VIPSEC_IPPROTO_IPV6;

	c->ops->iv_gen(c, sa->key, seq, iv);
	vipsec_esp_seal(c, sa, seq, iv, pt, pt_len, out + VIPSEC_IPV4_HLEN);

	outer_tos_df(sa, in, &tos, &df);
	vipsec_ipv4_write_outer(out, sa->tmpl, tos, (uint16_t)need,
				sa->ip_id++, df);
	sa->packets++;
	sa->bytes += in_len;
	res->status = VIRTIO_IPSEC_OK;
	res->out_len = need;
	res->seq = seq;
}
