// SPDX-License-Identifier: BSD-3-Clause
/* Helpers of the packet-format suites. */
#include <endian.h>
#include <string.h>

#include "test_formats.h"
#include "vipsec_cksum.h"
#include "vipsec_ipv6.h"

static const uint8_t fkey[16] = "formats-key-0123";
static const uint8_t fsalt[4] = { 9, 8, 7, 6 };

static const uint8_t v6_a[16] = {
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
};
static const uint8_t v6_b[16] = {
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2
};

void fmt_params(uint8_t p[PARAMS_SIZE], uint8_t dir, const struct fmt_sa *f)
{
	struct virtio_ipsec_sa_params *s = (void *)p;
	uint32_t w = dir == VIRTIO_IPSEC_DIR_INBOUND ? f->window : 0;
	uint32_t o = f->options;

	test_params(p, dir, 0x2000, fkey, 16, fsalt, w);
	s->mode = f->mode;
	s->ip_version = f->ipv;
	if (f->ipv == 6) {
		memcpy(s->tun_src, v6_a, 16);
		memcpy(s->tun_dst, v6_b, 16);
	}
	if (dir == VIRTIO_IPSEC_DIR_OUTBOUND) {
		o &= ~(uint32_t)(VIRTIO_IPSEC_SA_OPT_ECN |
				 VIRTIO_IPSEC_SA_OPT_DEC_TTL |
				 VIRTIO_IPSEC_SA_OPT_SELECTOR);
		s->initial_seq = htole64(f->initial_seq);
	}
	if (o & VIRTIO_IPSEC_SA_OPT_UDP_ENCAP) {
		s->udp_src_port = htole16(4500);
		s->udp_dst_port = htole16(4501);
	}
	s->options = htole32(le32toh(s->options) | o);
}

struct vpe_core *fmt_pair(const struct fmt_sa *f)
{
	struct vpe_core *c = test_core();
	uint8_t p[PARAMS_SIZE];
	uint8_t st;

	fmt_params(p, VIRTIO_IPSEC_DIR_OUTBOUND, f);
	st = sa_add(c, 0, 1, p);
	ck_assert_msg(st == VIRTIO_IPSEC_OK, "outbound SA_ADD: status %u", st);
	fmt_params(p, VIRTIO_IPSEC_DIR_INBOUND, f);
	st = sa_add(c, 0, 2, p);
	ck_assert_msg(st == VIRTIO_IPSEC_OK, "inbound SA_ADD: status %u", st);
	return c;
}

void make_ipv6(uint8_t *p, uint32_t len, uint8_t tclass, uint32_t salt)
{
	uint32_t i;

	memset(p, 0, 40);
	p[0] = 0x60;
	vpe_ipv6_set_tclass(p, tclass);
	p[2] = 0x12;
	p[3] = 0x34;
	vpe_put_be16(p + 4, (uint16_t)(len - 40));
	p[6] = 17;
	p[7] = 63;
	p[8] = 0xfd;
	p[23] = 0x11;
	p[24] = 0xfd;
	p[39] = 0x22;
	for (i = 40; i < len; i++)
		p[i] = (uint8_t)(i * 5 + salt);
	if (len >= 48)
		set_udp(p, len, 40);
}

static uint32_t pseudo(const uint8_t *p, uint32_t l4len, uint8_t proto)
{
	uint32_t sum;

	if ((p[0] >> 4) == 4)
		sum = vpe_csum_add(0, p + 12, 8);
	else
		sum = vpe_csum_add(0, p + 8, 32);
	return sum + (l4len >> 16) + (l4len & 0xffff) + proto;
}

void set_udp(uint8_t *p, uint32_t len, uint32_t l4)
{
	uint8_t *u = p + l4;
	uint16_t sum;

	vpe_put_be16(u, 1234);
	vpe_put_be16(u + 2, 5678);
	vpe_put_be16(u + 4, (uint16_t)(len - l4));
	vpe_put_be16(u + 6, 0);
	sum = vpe_csum_fold(vpe_csum_add(pseudo(p, len - l4, 17), u,
					 len - l4));
	vpe_put_be16(u + 6, sum ? sum : 0xffff);
}

int l4_csum_ok(const uint8_t *p, uint32_t l4, uint32_t len, uint8_t proto)
{
	return vpe_csum_fold(vpe_csum_add(pseudo(p, len - l4, proto),
					  p + l4, len - l4)) == 0;
}
