// SPDX-License-Identifier: BSD-3-Clause
/*
 * Engine throughput, one core: AES-128-GCM, tunnel IPv4, outbound and
 * inbound, 64/512/1420-byte inner packets. Prints figures only; nothing
 * here passes or fails on speed.
 */
#include <endian.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "vipsec_core.h"
#include "vipsec_esp.h"
#include "vipsec_sa.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void params(uint8_t *p, uint8_t dir, uint32_t window)
{
	struct virtio_ipsec_sa_params s;

	memset(&s, 0, sizeof(s));
	s.spi = htole32(0x100);
	s.direction = dir;
	s.protocol = VIRTIO_IPSEC_PROTO_ESP;
	s.ip_version = VIRTIO_IPSEC_IPV4;
	if (window) {
		s.options = htole32(VIRTIO_IPSEC_SA_OPT_ANTI_REPLAY);
		s.replay_window = htole32(window);
	}
	s.cipher_alg = VIRTIO_IPSEC_CIPHER_AES_GCM;
	s.auth_alg = VIRTIO_IPSEC_AUTH_NONE;
	s.icv_len = 16;
	s.cipher_key_len = 16;
	s.salt_len = 4;
	memcpy(s.tun_src, "\x0a\0\0\x01", 4);
	memcpy(s.tun_dst, "\x0a\0\0\x02", 4);
	memcpy(p, &s, sizeof(s));
}

static int add(struct vipsec_core *c, uint32_t id, uint8_t dir, uint32_t w)
{
	uint8_t req[16 + sizeof(struct virtio_ipsec_sa_params)], resp[8];
	struct virtio_ipsec_ctrl_hdr h = {
		.opcode = htole16(VIRTIO_IPSEC_OP_SA_ADD),
		.sa_id = htole32(id),
	};

	memcpy(req, &h, 16);
	params(req + 16, dir, w);
	vipsec_core_handle_ctrl(c, req, sizeof(req), resp, 8);
	return resp[0];
}

int main(void)
{
	struct vipsec_core_config cfg = {
		.max_sas = 16, .max_groups = 1, .max_packet_len = 2048,
		.max_batch = 64, .max_replay_window = 4096,
	};
	static const uint32_t sizes[] = { 64, 512, 1420 };
	static uint8_t in[2048], enc[2048], dec[2048];
	char err[128];
	struct vipsec_core *c = vipsec_core_new(&cfg, err, sizeof(err));
	struct vipsec_crypto *cr;
	unsigned int s;

	if (!c || add(c, 1, VIRTIO_IPSEC_DIR_OUTBOUND, 0)) {
		fprintf(stderr, "bench: setup failed: %s\n", c ? "SA" : err);
		return 1;
	}
	cr = vipsec_core_crypto(c);
	printf("engine: AES-128-GCM tunnel IPv4, one core, ipsec-mb\n");
	for (s = 0; s < 3; s++) {
		uint32_t len = sizes[s], n = 2000000 / (len / 64 + 1), i;
		struct vipsec_sa *out = vipsec_sa_lookup(vipsec_core_sadb(c), 0, 1);
		struct vipsec_sa *inb;
		struct vipsec_esp_res r;
		double t0, t;

		vipsec_core_reset(c);
		add(c, 1, VIRTIO_IPSEC_DIR_OUTBOUND, 0);
		add(c, 2, VIRTIO_IPSEC_DIR_INBOUND, 4096);
		out = vipsec_sa_lookup(vipsec_core_sadb(c), 0, 1);
		inb = vipsec_sa_lookup(vipsec_core_sadb(c), 0, 2);
		memset(in, 0, len);
		in[0] = 0x45;
		in[2] = (uint8_t)(len >> 8);
		in[3] = (uint8_t)len;
		t0 = now();
		for (i = 0; i < n; i++)
			vipsec_esp_encap(cr, out, in, len, enc, sizeof(enc), &r);
		t = now() - t0;
		printf("  outbound %4u B: %6.2f Mpps %7.2f Gbps\n", len,
		       n / t / 1e6, n * (double)len * 8 / t / 1e9);
		/* inbound: decap the same packet with rising sequence numbers */
		t0 = now();
		for (i = 0; i < n; i++) {
			vipsec_esp_encap(cr, out, in, len, enc, sizeof(enc), &r);
			vipsec_esp_decap(cr, inb, enc, r.out_len, dec,
					 sizeof(dec), &r);
		}
		t = now() - t0;
		printf("  encap+decap %4u B: %6.2f Mpps (%s)\n", len,
		       n / t / 1e6, r.status ? "DECAP FAILED" : "ok");
	}
	vipsec_core_free(c);
	return 0;
}
