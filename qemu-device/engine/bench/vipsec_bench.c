// SPDX-License-Identifier: BSD-3-Clause
/*
 * Engine throughput, one core: AES-128-GCM, tunnel IPv4, outbound and
 * inbound, 64/512/1420-byte inner packets. Then, for comparison, the
 * backend alone on AES-128-CBC + HMAC-SHA256-128 (one op per call and
 * batches of 32 through the job API), and raw AES-128-GCM from
 * intel-ipsec-mb (the library's own speed: the physical limit here).
 * Prints figures only; nothing here passes or fails on speed.
 */
#include <endian.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <intel-ipsec-mb.h>

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

/* The backend alone: seal n packets of len bytes, batch ops per call. */
static void bench_cbc_sha256(struct vipsec_crypto *cr, uint32_t len,
			     unsigned int batch)
{
	static const uint8_t ck[16] = { 1 }, ak[32] = { 2 };
	static uint8_t bufs[32][2048];
	struct vipsec_xfrm_params p = {
		.cipher_alg = VIRTIO_IPSEC_CIPHER_AES_CBC,
		.auth_alg = VIRTIO_IPSEC_AUTH_HMAC_SHA256,
		.cipher_key_len = 16, .auth_key_len = 32, .icv_len = 16,
		.cipher_key = ck, .auth_key = ak,
	};
	struct vipsec_esp_op ops[32];
	struct vipsec_xfrm_shape sh;
	uint32_t n = 1000000 / (len / 64 + 1), i, j;
	void *key;
	double t0, t;

	if (cr->ops->key_new(cr, &p, &key, &sh)) {
		printf("  AES-128-CBC+HMAC-SHA256: not supported\n");
		return;
	}
	len = (len + 15) / 16 * 16;
	t0 = now();
	for (i = 0; i < n; i += batch) {
		for (j = 0; j < batch; j++) {
			ops[j] = (struct vipsec_esp_op){
				.key = key, .esp = bufs[j],
				.pt = bufs[j] + 8 + sh.iv_len, .len = len,
			};
			cr->ops->iv_gen(cr, key, i + j + 1, bufs[j] + 8);
		}
		cr->ops->encrypt(cr, ops, batch);
	}
	t = now() - t0;
	printf("  AES-128-CBC+HMAC-SHA256 seal %4u B, batch %2u: %6.2f Mpps "
	       "%7.2f Gbps\n", len, batch, n / t / 1e6,
	       n * (double)len * 8 / t / 1e9);
	cr->ops->key_free(cr, key);
}

/* intel-ipsec-mb's AES-128-GCM alone, no ESP around it. */
static void bench_raw_gcm(IMB_MGR *mgr, uint32_t len)
{
	static struct gcm_key_data kd __attribute__((aligned(64)));
	static const uint8_t key[16] = { 3 }, iv[12] = { 4 }, aad[8];
	static uint8_t buf[2048], tag[16];
	struct gcm_context_data ctx;
	uint32_t n = 2000000 / (len / 64 + 1), i;
	double t0, t;

	IMB_AES128_GCM_PRE(mgr, key, &kd);
	t0 = now();
	for (i = 0; i < n; i++)
		IMB_AES128_GCM_ENC(mgr, &kd, &ctx, buf, buf, len, iv, aad, 8,
				   tag, 16);
	t = now() - t0;
	printf("  raw ipsec-mb AES-128-GCM %4u B: %6.2f Mpps %7.2f Gbps\n",
	       len, n / t / 1e6, n * (double)len * 8 / t / 1e9);
}

static void bench_crypto(struct vipsec_crypto *cr)
{
	static const uint32_t sizes[] = { 64, 512, 1420 };
	IMB_MGR *mgr = alloc_mb_mgr(0);
	unsigned int s;

	printf("backend alone and crypto library, one core\n");
	for (s = 0; s < 3; s++) {
		bench_cbc_sha256(cr, sizes[s], 1);
		bench_cbc_sha256(cr, sizes[s], 32);
	}
	if (!mgr)
		return;
	init_mb_mgr_auto(mgr, NULL);
	for (s = 0; s < 3; s++)
		bench_raw_gcm(mgr, sizes[s]);
	free_mb_mgr(mgr);
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
	bench_crypto(cr);
	vipsec_core_free(c);
	return 0;
}
