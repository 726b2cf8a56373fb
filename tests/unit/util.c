// SPDX-License-Identifier: BSD-3-Clause
#include <ctype.h>
#include <endian.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"
#include "vipsec_ipv4.h"

size_t hex2bin(const char *hex, uint8_t *buf, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (; *hex; hex++) {
		int v;

		if (isspace((unsigned char)*hex))
			continue;
		v = isdigit((unsigned char)*hex) ? *hex - '0' :
		    tolower((unsigned char)*hex) - 'a' + 10;
		ck_assert_msg(v >= 0 && v < 16, "bad hex digit '%c'", *hex);
		if (hi < 0) {
			hi = v;
		} else {
			ck_assert_msg(n < cap, "hex string longer than %zu", cap);
			buf[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	ck_assert_msg(hi < 0, "odd number of hex digits");
	return n;
}

/* A build for the guest presets "kernel": the harness passes no env. */
#ifndef VIPSEC_TEST_BACKEND_DEFAULT
#define VIPSEC_TEST_BACKEND_DEFAULT "ipsec-mb"
#endif

const char *test_backend(void)
{
	const char *be = getenv("VIPSEC_TEST_BACKEND");

	return be && *be ? be : VIPSEC_TEST_BACKEND_DEFAULT;
}

struct vpe_core *test_core(void)
{
	struct vpe_core_config cfg = {
		.max_sas = 64, .max_groups = 4, .max_packet_len = 9000,
		.max_batch = 32, .max_replay_window = 4096,
		.crypto_backend = test_backend(),
	};
	char err[128] = "";
	struct vpe_core *c = vpe_core_new(&cfg, err, sizeof(err));

	ck_assert_msg(c != NULL, "vpe_core_new failed: %s", err);
	return c;
}

void test_params(uint8_t p[PARAMS_SIZE], uint8_t dir, uint32_t spi,
		 const uint8_t *key, uint8_t key_len, const uint8_t salt[4],
		 uint32_t window)
{
	struct virtio_ipsec_sa_params s;

	memset(&s, 0, sizeof(s));
	s.spi = htole32(spi);
	s.direction = dir;
	s.mode = VIRTIO_IPSEC_MODE_TUNNEL;
	s.protocol = VIRTIO_IPSEC_PROTO_ESP;
	s.ip_version = VIRTIO_IPSEC_IPV4;
	if (window) {
		s.options = htole32(VIRTIO_IPSEC_SA_OPT_ANTI_REPLAY);
		s.replay_window = htole32(window);
	}
	s.cipher_alg = VIRTIO_IPSEC_CIPHER_AES_GCM;
	s.auth_alg = VIRTIO_IPSEC_AUTH_NONE;
	s.icv_len = 16;
	s.cipher_key_len = key_len;
	memcpy(s.cipher_key, key, key_len);
	s.salt_len = 4;
	memcpy(s.salt, salt, 4);
	memcpy(s.tun_src, "\x0a\x00\x00\x01", 4);
	memcpy(s.tun_dst, "\x0a\x00\x00\x02", 4);
	memcpy(p, &s, sizeof(s));
}

uint8_t ctrl(struct vpe_core *c, uint16_t op, uint32_t gid, uint32_t id,
	     const void *body, size_t body_len)
{
	uint8_t req[1024], resp[64];
	struct virtio_ipsec_ctrl_hdr h = {
		.opcode = htole16(op), .group_id = htole32(gid),
		.sa_id = htole32(id),
	};
	ssize_t n;

	ck_assert(sizeof(h) + body_len <= sizeof(req));
	memcpy(req, &h, sizeof(h));
	if (body_len)
		memcpy(req + sizeof(h), body, body_len);
	memset(resp, 0xaa, sizeof(resp));
	n = vpe_core_handle_ctrl(c, req, sizeof(h) + body_len, resp,
				 sizeof(resp));
	ck_assert_msg(n == (ssize_t)sizeof(resp),
		      "ctrl used length %zd, want %zu", n, sizeof(resp));
	for (size_t i = 0; i < sizeof(resp) - 8; i++)
		ck_assert_msg(resp[i] == 0, "ctrl body byte %zu not zeroed", i);
	return resp[sizeof(resp) - 8];
}

uint8_t sa_add(struct vpe_core *c, uint32_t gid, uint32_t id,
	       const uint8_t *params)
{
	return ctrl(c, VIRTIO_IPSEC_OP_SA_ADD, gid, id, params, PARAMS_SIZE);
}

void make_ipv4(uint8_t *p, uint32_t len, uint8_t tos, int df, uint32_t salt)
{
	uint32_t i;

	memset(p, 0, 20);
	p[0] = 0x45;
	p[1] = tos;
	vpe_put_be16(p + 2, (uint16_t)len);
	vpe_put_be16(p + 4, (uint16_t)salt);
	vpe_put_be16(p + 6, df ? VPE_IP_DF : 0);
	p[8] = 63;
	p[9] = 17;
	memcpy(p + 12, "\xc0\xa8\x01\x01", 4);
	memcpy(p + 16, "\xc0\xa8\x02\x02", 4);
	vpe_put_be16(p + 10, vpe_ip_csum(p, 20));
	for (i = 20; i < len; i++)
		p[i] = (uint8_t)(i * 7 + salt);
}

void data1(struct vpe_core *c, uint16_t op, uint32_t gid, uint32_t id,
	   const uint8_t *in, uint32_t in_len, uint32_t out_cap,
	   struct pkt_out *o)
{
	size_t req_len = 32 + in_len, resp_cap = 16 + out_cap + 8;
	uint8_t *req = malloc(req_len), *resp = malloc(resp_cap);
	struct virtio_ipsec_data_hdr h = {
		.opcode = htole16(op), .num_pkts = htole32(1),
	};
	struct virtio_ipsec_pkt_req pr = {
		.group_id = htole32(gid), .sa_id = htole32(id),
		.in_len = htole32(in_len), .out_cap = htole32(out_cap),
	};
	struct virtio_ipsec_pkt_result r;
	uint32_t fl;
	ssize_t n;

	ck_assert(req && resp && out_cap <= sizeof(o->data));
	memcpy(req, &h, 16);
	memcpy(req + 16, &pr, 16);
	memcpy(req + 32, in, in_len);
	memset(resp, 0xaa, resp_cap);
	n = vpe_core_handle_data(c, req, req_len, resp, resp_cap);
	ck_assert_msg(n == (ssize_t)resp_cap, "data used length %zd, want %zu",
		      n, resp_cap);
	o->footer_status = resp[resp_cap - 8];
	memcpy(&fl, resp + resp_cap - 4, 4);
	if (o->footer_status == VIRTIO_IPSEC_OK)
		ck_assert_msg(le32toh(fl) == 16 + out_cap,
			      "footer out_len %u, want %u", le32toh(fl),
			      16 + out_cap);
	memcpy(&r, resp, sizeof(r));
	o->status = r.status;
	o->out_len = le32toh(r.out_len);
	o->seq = (uint64_t)le32toh(r.seq_hi) << 32 | le32toh(r.seq_lo);
	memcpy(o->data, resp + 16, out_cap);
	if (o->status == VIRTIO_IPSEC_OK) {
		for (uint32_t i = o->out_len; i < out_cap; i++)
			ck_assert_msg(o->data[i] == 0,
				      "output slack byte %u not zeroed", i);
	}
	free(req);
	free(resp);
}
