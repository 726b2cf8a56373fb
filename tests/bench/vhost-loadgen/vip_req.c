// SPDX-License-Identifier: BSD-3-Clause
/* virtio-ipsec request layouts and result checks (device ABI section 5). */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vip_req.h"

static const uint8_t tun_src[4] = { 10, 0, 0, 1 }, tun_dst[4] = { 10, 0, 0, 2 };

void vip_sa_gcm128(struct virtio_ipsec_sa_params *p, uint8_t dir, uint32_t spi)
{
	memset(p, 0, sizeof(*p));
	p->spi = htole32(spi);
	p->direction = dir;
	p->mode = VIRTIO_IPSEC_MODE_TUNNEL;
	p->protocol = VIRTIO_IPSEC_PROTO_ESP;
	p->ip_version = VIRTIO_IPSEC_IPV4;
	p->cipher_alg = VIRTIO_IPSEC_CIPHER_AES_GCM;
	p->auth_alg = VIRTIO_IPSEC_AUTH_NONE;
	p->icv_len = 16;
	p->cipher_key_len = 16;
	p->salt_len = 4;
	memset(p->cipher_key, 0x11, 16);
	memset(p->salt, 0x33, 4);
	memcpy(p->tun_src, tun_src, 4);
	memcpy(p->tun_dst, tun_dst, 4);
	/*
	 * Inbound: no replay window, so the round-trip check can decapsulate
	 * sampled packets in any order.
	 */
}

int vip_dev_open(struct vip_dev *d, const char *path, uint64_t want,
		 uint64_t mem_size, unsigned int ndata, uint16_t ring_num)
{
	struct vu_front *f = &d->f;
	unsigned int q;
	int ret;

	memset(d, 0, sizeof(*d));
	ret = vu_front_connect(f, path, 5000);
	if (!ret)
		ret = vu_front_handshake(f, want);
	if (!ret)
		ret = vu_front_set_mem(f, mem_size);
	if (ret)
		return ret;
	if (ndata > f->ndata) {
		snprintf(f->err, sizeof(f->err),
			 "%u data queues asked, the "
			 "device has %u",
			 ndata, f->ndata);
		return -ERANGE;
	}
	d->ctrl_rd = vu_mem_alloc(&f->mem, VIP_CTRL_BUF, 64);
	d->ctrl_wr = vu_mem_alloc(&f->mem, VIP_CTRL_BUF, 64);
	if (!d->ctrl_rd || !d->ctrl_wr) {
		snprintf(f->err, sizeof(f->err),
			 "control buffers: shared "
			 "memory full");
		return -ENOMEM;
	}
	ret = vu_front_setup_ring(f, vu_front_ctrlq(f), ring_num);
	for (q = 0; !ret && q < ndata; q++)
		ret = vu_front_setup_ring(f, q, ring_num);
	d->ndata = q;
	return ret;
}

int vip_ctrl(struct vip_dev *d, uint16_t opcode, uint32_t sa_id,
	     const void *body, uint32_t body_len, uint8_t *status,
	     int timeout_ms)
{
	struct vu_front *f = &d->f;
	struct vu_ring *r = &f->ring[vu_front_ctrlq(f)];
	struct virtio_ipsec_ctrl_hdr h = {
		.opcode = htole16(opcode),
		.sa_id = htole32(sa_id),
	};
	uint8_t *rd = d->ctrl_rd, *wr = d->ctrl_wr;
	struct vu_buf out, in;
	void *tok;
	uint32_t len;
	int ret, waited = 0;

	if (sizeof(h) + body_len > VIP_CTRL_BUF)
		return -EINVAL;
	memcpy(rd, &h, sizeof(h));
	if (body_len)
		memcpy(rd + sizeof(h), body, body_len);
	memset(wr, 0xff, VIP_FOOTER);
	out = (struct vu_buf){ vu_mem_gpa(&f->mem, rd),
			       (uint32_t)sizeof(h) + body_len };
	in = (struct vu_buf){ vu_mem_gpa(&f->mem, wr), VIP_FOOTER };
	ret = vu_ring_add(r, &out, 1, &in, 1, rd);
	if (ret < 0)
		return ret;
	vu_ring_publish(r);
	vu_ring_kick(r);
	for (;;) {
		ret = vu_ring_get_used(r, &tok, &len);
		if (ret == 1 && tok == rd)
			break;
		if (ret == 1)
			ret = -EPROTO; /* only one control request is out */
		if (ret < 0) {
			snprintf(f->err, sizeof(f->err),
				 "control queue: "
				 "device returned a bad used entry");
			return ret;
		}
		if (waited >= timeout_ms) {
			snprintf(f->err, sizeof(f->err),
				 "control request "
				 "%#x: no answer in %d ms",
				 opcode, timeout_ms);
			return -ETIMEDOUT;
		}
		ret = vu_ring_wait(r, f->sock, 100);
		if (ret == -EIO || ret == -ECONNRESET) {
			snprintf(f->err, sizeof(f->err), "control queue: %s",
				 ret == -EIO ?
					 "device signalled a ring error" :
					 "back end closed the connection");
			return ret;
		}
		waited += 100;
	}
	*status = wr[0];
	return 0;
}

uint32_t vip_batch_rd_len(uint32_t npkts, uint32_t in_len)
{
	return (uint32_t)(sizeof(struct virtio_ipsec_data_hdr) +
			  npkts * (sizeof(struct virtio_ipsec_pkt_req) +
				   in_len));
}

uint32_t vip_batch_wr_len(uint32_t npkts, uint32_t out_cap)
{
	return (uint32_t)(npkts * (sizeof(struct virtio_ipsec_pkt_result) +
				   out_cap) +
			  VIP_FOOTER);
}

int vip_batch_init(struct vu_front *f, struct vip_batch *b, uint16_t opcode,
		   uint32_t sa_id, uint32_t npkts, uint32_t in_len,
		   uint32_t out_cap)
{
	struct virtio_ipsec_data_hdr *h;
	struct virtio_ipsec_pkt_req *pr;
	uint32_t i;

	b->opcode = opcode;
	b->npkts = npkts;
	b->in_len = in_len;
	b->out_cap = out_cap;
	b->rd_len = vip_batch_rd_len(npkts, in_len);
	b->wr_len = vip_batch_wr_len(npkts, out_cap);
	b->rd = vu_mem_alloc(&f->mem, b->rd_len, 64);
	b->wr = vu_mem_alloc(&f->mem, b->wr_len, 64);
	if (!b->rd || !b->wr)
		return -ENOMEM;
	h = (struct virtio_ipsec_data_hdr *)b->rd;
	h->opcode = htole16(opcode);
	h->num_pkts = htole32(npkts);
	pr = (struct virtio_ipsec_pkt_req *)(h + 1);
	for (i = 0; i < npkts; i++) {
		pr[i].sa_id = htole32(sa_id);
		pr[i].in_len = htole32(in_len);
		pr[i].out_cap = htole32(out_cap);
	}
	return 0;
}

uint8_t *vip_batch_in(const struct vip_batch *b, uint32_t i)
{
	return b->rd + sizeof(struct virtio_ipsec_data_hdr) +
	       b->npkts * sizeof(struct virtio_ipsec_pkt_req) +
	       (size_t)i * b->in_len;
}

struct virtio_ipsec_pkt_result *vip_batch_res(const struct vip_batch *b,
					      uint32_t i)
{
	return (struct virtio_ipsec_pkt_result *)b->wr + i;
}

uint8_t *vip_batch_out(const struct vip_batch *b, uint32_t i)
{
	return b->wr + b->npkts * sizeof(struct virtio_ipsec_pkt_result) +
	       (size_t)i * b->out_cap;
}

struct virtio_ipsec_resp_footer *vip_batch_footer(const struct vip_batch *b)
{
	return (struct virtio_ipsec_resp_footer *)(b->wr + b->wr_len -
						   VIP_FOOTER);
}

int vip_batch_add(const struct vu_front *f, struct vu_ring *r,
		  struct vip_batch *b)
{
	struct vu_buf out = { vu_mem_gpa(&f->mem, b->rd), b->rd_len };
	struct vu_buf in = { vu_mem_gpa(&f->mem, b->wr), b->wr_len };

	return vu_ring_add(r, &out, 1, &in, 1, b);
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static uint16_t ip_csum(const uint8_t *p, unsigned int len)
{
	uint32_t s = 0;
	unsigned int i;

	for (i = 0; i + 1 < len; i += 2)
		s += be16(p + i);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

void vip_inner_packet(uint8_t *p, uint32_t len, uint32_t seed)
{
	uint32_t i;

	for (i = 20; i < len; i++)
		p[i] = (uint8_t)(seed * 131 + i * 7);
	memset(p, 0, 20);
	p[0] = 0x45;
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	p[8] = 64;
	p[9] = 17;
	memcpy(p + 12, (uint8_t[]){ 192, 168, 1, 1 }, 4);
	memcpy(p + 16, (uint8_t[]){ 192, 168, 2, 1 }, 4);
	p[10] = 0;
	p[11] = 0;
	i = ip_csum(p, 20);
	p[10] = (uint8_t)(i >> 8);
	p[11] = (uint8_t)i;
}

uint32_t vip_esp_len(uint32_t inner_len)
{
	/* outer IPv4, SPI + seq, 8-byte IV, payload+pad+2 to 4, ICV 16 */
	return 20 + 8 + 8 + ((inner_len + 2 + 3) & ~3u) + 16;
}

const char *vip_check_esp(const struct virtio_ipsec_pkt_result *res,
			  const uint8_t *out, uint32_t inner_len, uint32_t spi)
{
	static __thread char msg[160];
	uint32_t want = vip_esp_len(inner_len), seq = le32toh(res->seq_lo);
	uint32_t len = le32toh(res->out_len);
	uint64_t iv = 0;
	int i;

	if (res->status != VIRTIO_IPSEC_OK)
		snprintf(msg, sizeof(msg), "packet status %u", res->status);
	else if (len != want)
		snprintf(msg, sizeof(msg), "ESP length %u, expected %u", len,
			 want);
	else if (out[0] != 0x45 || out[9] != 50 || be16(out + 2) != len ||
		 memcmp(out + 12, tun_src, 4) || memcmp(out + 16, tun_dst, 4) ||
		 ip_csum(out, 20) != 0)
		snprintf(msg, sizeof(msg), "bad outer IPv4 header");
	else if (be32(out + 20) != spi)
		snprintf(msg, sizeof(msg), "SPI %#x, expected %#x",
			 be32(out + 20), spi);
	else if (!seq || be32(out + 24) != seq || res->seq_hi)
		snprintf(msg, sizeof(msg), "ESP sequence %u, result says %u/%u",
			 be32(out + 24), le32toh(res->seq_hi), seq);
	else {
		for (i = 0; i < 8; i++)
			iv = iv << 8 | out[28 + i];
		if (iv != seq)
			snprintf(msg, sizeof(msg),
				 "GCM IV %llu is not the "
				 "sequence number %u",
				 (unsigned long long)iv, seq);
		else
			return NULL;
	}
	return msg;
}
