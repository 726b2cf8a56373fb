// SPDX-License-Identifier: BSD-3-Clause
/* vipsec_esp_in: inbound ESP, tunnel mode, IPv4 outer header. */
#include <string.h>

#include "vipsec_esp.h"

uint8_t vipsec_esp_open(struct vipsec_crypto *c, const struct vipsec_sa *sa,
			uint64_t seq, const uint8_t *esp, uint32_t esp_len,
			uint8_t *pt)
{
	uint32_t min = VIPSEC_ESP_HLEN + sa->iv_len + (uint32_t)sa->icv_len;
	struct vipsec_esp_op op = {
		.key = sa->key,
		.esp = (uint8_t *)esp,	/* read-only when decrypting */
		.pt = pt,
		.seq_hi = (uint32_t)(seq >> 32),
	};

	if (esp_len < min)
		return VIRTIO_IPSEC_BADPKT;
	/*
	 * The backend authenticates the sequence number as it is on the
	 * wire; the low half is in the header, the high half (ESN) is
	 * passed alongside.
	 */
	op.len = esp_len - min;
	c->ops->decrypt(c, &op, 1);
	if (op.status) {
		memset(pt, 0, op.len);	/* never hand out unauthenticated data */
		return VIRTIO_IPSEC_BADMSG;
	}
	return VIRTIO_IPSEC_OK;
}

int32_t vipsec_esp_trailer(const uint8_t *pt, uint32_t len, uint8_t *nh)
{
	uint32_t pad, i;

	if (len < 2)
		return -1;
	pad = pt[len - 2];
	*nh = pt[len - 1];
	if (pad + 2 > len)
		return -1;
	for (i = 0; i < pad; i++)
		if (pt[len - 2 - pad + i] != (uint8_t)(i + 1))
			return -1;
	return (int32_t)(len - 2 - pad);
}

/* Outer IPv4 header: returns the ESP part or NULL with a status. */
static const uint8_t *outer_ipv4(const uint8_t *in, uint32_t in_len,
				 uint32_t *esp_len, uint8_t *status)
{
	uint32_t ihl, tot;

	*status = VIRTIO_IPSEC_BADPKT;
	if (in_len < VIPSEC_IPV4_HLEN || (in[0] >> 4) != 4)
		return NULL;
	ihl = (in[0] & 0xf) * 4u;
	tot = vipsec_get_be16(in + 2);
	if (ihl < VIPSEC_IPV4_HLEN || tot < ihl || tot > in_len)
		return NULL;
	if (vipsec_get_be16(in + 6) & (VIPSEC_IP_MF | VIPSEC_IP_OFFMASK))
		return NULL;		/* fragments are reassembled elsewhere */
	if (in[9] != VIPSEC_IPPROTO_ESP) {
		*status = VIRTIO_IPSEC_BADPROTO;
		return NULL;
	}
	*esp_len = tot - ihl;
	*status = VIRTIO_IPSEC_OK;
	return in + ihl;
}

static int inner_ok(const uint8_t *p, int32_t len, uint8_t nh)
{
	if (nh == VIPSEC_IPPROTO_IPIP)
		return !vipsec_ipv4_inner_ok(p, (uint32_t)len);
	if (nh == VIPSEC_IPPROTO_IPV6)
		return !vipsec_ipv6_inner_ok(p, (uint32_t)len);
	return 0;	/* incl. 59, dummy packets (TFC): dropped */
}

void vipsec_esp_decap(struct vipsec_crypto *c, struct vipsec_sa *sa,
		      const uint8_t *in, uint32_t in_len,
		      uint8_t *out, uint32_t out_cap,
		      struct vipsec_esp_res *res)
{
	uint32_t esp_len, ct_len;
	const uint8_t *esp;
	int32_t inner;
	uint8_t nh;

	res->out_len = 0;
	res->seq = 0;
	if (sa->direction != VIRTIO_IPSEC_DIR_INBOUND) {
		res->status = VIRTIO_IPSEC_INVAL;
		return;
	}
	esp = outer_ipv4(in, in_len, &esp_len, &res->status);
	if (!esp)
		return;
	/* Minimum: header, IV, 4 bytes of padded payload, ICV. */
	if (esp_len < VIPSEC_ESP_HLEN + sa->iv_len + 4u + sa->icv_len) {
		res->status = VIRTIO_IPSEC_BADPKT;
		return;
	}
	if (vipsec_get_be32(esp) != sa->spi) {
		res->status = VIRTIO_IPSEC_BADPROTO;
		return;
	}
	ct_len = esp_len - VIPSEC_ESP_HLEN - sa->iv_len - sa->icv_len;
	if (ct_len % sa->block_len) {
		res->status = VIRTIO_IPSEC_BADPKT;
		return;
	}
	res->seq = vipsec_get_be32(esp + 4);
	if (sa->replay) {
		res->status = vipsec_replay_check(sa->replay, res->seq);
		if (res->status != VIRTIO_IPSEC_OK)
			return;
	}
	if (ct_len > out_cap) {
		res->status = VIRTIO_IPSEC_DST_TOO_SMALL;
		res->out_len = ct_len;
		return;
	}
	res->status = vipsec_esp_open(c, sa, res->seq, esp, esp_len, out);
	if (res->status != VIRTIO_IPSEC_OK)
		return;
	/* Authenticated: only now may the window move (RFC 4303 3.4.3). */
	if (sa->replay)
		vipsec_replay_update(sa->replay, res->seq);
	inner = vipsec_esp_trailer(out, ct_len, &nh);
	if (inner < 0 || !inner_ok(out, inner, nh)) {
		res->status = VIRTIO_IPSEC_BADPKT;
		return;
	}
	sa->packets++;
	sa->bytes += (uint32_t)inner;
	res->out_len = (uint32_t)inner;
}
