// SPDX-License-Identifier: BSD-3-Clause
/*
 * Engine throughput on one core, the workloads of `make bench`: tunnel IPv4
 * ESP, AES-128-GCM, AES-256-GCM and AES-128-CBC+HMAC-SHA256-128, inner
 * packets of 64/512/1420 bytes, outbound and inbound timed separately,
 * in bursts of 32 (vpe_esp_encap_burst / _decap_burst, one backend
 * call per burst), with 1 SA and with many SAs (default 1,000,000; packets spread over them
 * so that SA state is not in cache). Then raw intel-ipsec-mb AES-GCM on the
 * same sizes: the crypto library's own speed, the limit for the engine.
 *
 * Outbound also in place (mode burst32-inplace: the inner packet after
 * headroom in the buffer the ESP packet is written to, as DPDK's mbufs),
 * and both directions through the device's request decoder (mode
 * request32: requests of 32 packets naming their SAs by id, the SA
 * lookup, admission and statistics included).
 * Inbound decapsulates packets that outbound SAs sealed (re-sealed each
 * pass, outside the timing) with a 4096-packet replay window, so every
 * packet passes every check once.
 *
 * Usage: vipsec_bench [SECONDS_PER_FIGURE [NUM_SAS [ALG [SIZE [MODE]]]]]
 * (ALG, e.g. aes128gcm, runs that algorithm alone, "raw" the raw
 * intel-ipsec-mb figures alone; SIZE that inner packet size alone; MODE
 * "out", "inplace", "in" or "request" (the request path, both
 * directions) that figure alone: for profiling, so that a
 * profile holds one path and not the others' set-up)
 * Prints one CSV line per figure (peer,mode,alg,dir,size,sas,mpps,gbps),
 * the same columns as tests/bench/dpdk/rte_ipsec_peer.c, for
 * tests/bench/compare.sh. Figures only: nothing passes or fails on speed.
 */
#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <intel-ipsec-mb.h>

#include "vipsec_core.h"
#include "vpe_test.h"
#include "vipsec_esp.h"
#include "vipsec_sa.h"

#define NPKT  2048 /* packets per timed pass (as the DPDK peer) */
#define BUFSZ 2048
#define BURST 32 /* as the DPDK peer's bursts */

struct bench_alg {
	const char *name;
	uint8_t cipher, auth, key_len, auth_key_len, salt_len;
};

static const struct bench_alg algs[] = {
	{ "aes128gcm", VIRTIO_IPSEC_CIPHER_AES_GCM, VIRTIO_IPSEC_AUTH_NONE, 16,
	  0, 4 },
	{ "aes256gcm", VIRTIO_IPSEC_CIPHER_AES_GCM, VIRTIO_IPSEC_AUTH_NONE, 32,
	  0, 4 },
	{ "aes128cbc-sha256", VIRTIO_IPSEC_CIPHER_AES_CBC,
	  VIRTIO_IPSEC_AUTH_HMAC_SHA256, 16, 32, 0 },
};

static const uint32_t sizes[] = { 64, 512, 1420 };
static uint32_t only_size;    /* 0: every size */
static const char *only_mode; /* NULL: every mode */

static int want(const char *mode)
{
	return !only_mode || !strcmp(only_mode, mode);
}

/*
 * This thread's CPU time, not wall time: on a shared host the time other
 * processes hold the core would otherwise count as ours. The DPDK peer
 * measures the same way, so the ratios compare like with like.
 */
static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint8_t add(struct vpe_core *c, const struct bench_alg *a, uint32_t id,
		   uint32_t spi, uint8_t dir)
{
	uint8_t req[16 + sizeof(struct virtio_ipsec_sa_params)], resp[8];
	struct virtio_ipsec_ctrl_hdr h = {
		.opcode = htole16(VIRTIO_IPSEC_OP_SA_ADD),
		.sa_id = htole32(id),
	};
	struct virtio_ipsec_sa_params s;

	memset(&s, 0, sizeof(s));
	s.spi = htole32(spi);
	s.direction = dir;
	s.protocol = VIRTIO_IPSEC_PROTO_ESP;
	s.ip_version = VIRTIO_IPSEC_IPV4;
	if (dir == VIRTIO_IPSEC_DIR_INBOUND) {
		s.options = htole32(VIRTIO_IPSEC_SA_OPT_ANTI_REPLAY);
		s.replay_window = htole32(4096);
	}
	s.cipher_alg = a->cipher;
	s.auth_alg = a->auth;
	s.icv_len = 16;
	s.cipher_key_len = a->key_len;
	s.auth_key_len = a->auth_key_len;
	s.salt_len = a->salt_len;
	memset(s.cipher_key, 0x11, a->key_len);
	memset(s.auth_key, 0x22, a->auth_key_len);
	memset(s.salt, 0x33, a->salt_len);
	memcpy(s.tun_src, "\x0a\0\0\x01", 4);
	memcpy(s.tun_dst, "\x0a\0\0\x02", 4);
	memset(req, 0, sizeof(req));
	memcpy(req, &h, sizeof(h));
	memcpy(req + 16, &s, sizeof(s));
	vpe_core_handle_ctrl(c, req, sizeof(req), resp, sizeof(resp));
	return resp[0];
}

static void print(const char *peer, const char *mode, const char *alg,
		  const char *dir, uint32_t len, uint32_t sas, unsigned long n,
		  double t)
{
	printf("%s,%s,%s,%s,%u,%u,%.3f,%.3f\n", peer, mode, alg, dir, len, sas,
	       n / t / 1e6, n * (double)len * 8 / t / 1e9);
	fflush(stdout);
}

/*
 * The SA of packet i: a stride that spreads a pass's NPKT packets over all
 * the SAs, a different SA for every packet of a burst. Each pass uses the
 * same NPKT SAs (of 1,000,000): a hot set of a few MB spread over GBs of
 * SA memory, so the figure shows TLB reach and the misses a burst has to
 * overlap, and the cost of a different SA per packet; not a gateway whose
 * every packet finds its SA cold in DRAM, which costs far more.
 */
static uint32_t sa_of(uint32_t i, uint32_t nsas)
{
	return (uint32_t)(((uint64_t)i * 7919u) % nsas);
}

static uint8_t (*in)[BUFSZ], (*enc)[BUFSZ], (*dec)[BUFSZ];
static struct vpe_esp_pkt pk[NPKT];
static struct vpe_esp_res res[NPKT];

static void inner(uint8_t *p, uint32_t len)
{
	memset(p, 0xab, len);
	memset(p, 0, 20);
	p[0] = 0x45;
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	p[8] = 64;
	p[9] = 17;
}

/*
 * The device's own path: requests of BURST packets through the request
 * decoder (vpe_core_handle_data), each packet naming its SA by id, as a
 * guest's driver sends them: the SA table lookup, the admission and the
 * statistics that vpe_esp_*_burst alone leaves out. The request and
 * response are flat buffers, as QEMU copies a request that is not
 * zero-copy. Outbound encapsulates the inner packets; inbound decapsulates
 * packets sealed afresh by the outbound SAs before each pass, outside the
 * timing. Returns 0, or 1 when a packet fails.
 */
#define NREQ   (NPKT / BURST)
#define REQ_SZ (DHDR + BURST * (PREQ + BUFSZ))
#define RSP_SZ (BURST * (PRES + BUFSZ) + FOOT)
#define DHDR   sizeof(struct virtio_ipsec_data_hdr)
#define PREQ   sizeof(struct virtio_ipsec_pkt_req)
#define PRES   sizeof(struct virtio_ipsec_pkt_result)
#define FOOT   sizeof(struct virtio_ipsec_resp_footer)

static uint8_t *reqs, *rsps; /* [NREQ][REQ_SZ], [NREQ][RSP_SZ] */
static size_t req_len[NREQ], rsp_len[NREQ];

/* Request r, packet j: packet i = r * BURST + j, its SA sa_of(i). */
static void req_build(struct vpe_crypto *cr, struct vpe_sa **out, uint32_t nsas,
		      uint32_t len, int decap)
{
	struct virtio_ipsec_data_hdr h = {
		.opcode = htole16(decap ? VIRTIO_IPSEC_OP_DECAP :
					  VIRTIO_IPSEC_OP_ENCAP),
		.num_pkts = htole32(BURST),
	};
	uint32_t r, j;

	for (r = 0; r < NREQ; r++) {
		uint8_t *q = reqs + (size_t)r * REQ_SZ;
		uint8_t *data = q + DHDR + BURST * PREQ;
		size_t cap_total = 0;

		memcpy(q, &h, sizeof(h));
		for (j = 0; j < BURST; j++) {
			uint32_t i = r * BURST + j, k = sa_of(i, nsas);
			struct virtio_ipsec_pkt_req pr = { 0 };
			struct vpe_esp_res e;
			uint32_t in_len = len, cap = len + 128;

			if (decap) {
				/* fresh sequence numbers, as inbound above */
				inner(in[i], len);
				vpe_esp_encap(cr, out[k], in[i], len, data,
					      BUFSZ, &e);
				in_len = cap = e.out_len;
			} else {
				inner(data, len);
			}
			pr.sa_id = htole32(decap ? nsas + k + 1 : k + 1);
			pr.in_len = htole32(in_len);
			pr.out_cap = htole32(cap);
			memcpy(q + DHDR + j * PREQ, &pr, sizeof(pr));
			data += in_len;
			cap_total += cap;
		}
		req_len[r] = (size_t)(data - q);
		rsp_len[r] = BURST * PRES + cap_total + FOOT;
	}
}

static int bench_requests(struct vpe_core *c, const struct bench_alg *a,
			  struct vpe_sa **out, uint32_t nsas, uint32_t len,
			  int decap, double secs)
{
	struct vpe_crypto *cr = vpe_core_crypto(c);
	unsigned long n = 0;
	double t = 0, t0;
	uint32_t r, j;

	while (t < secs) {
		req_build(cr, out, nsas, len, decap);
		t0 = now();
		for (r = 0; r < NREQ; r++)
			vpe_core_handle_data(c, reqs + (size_t)r * REQ_SZ,
					     req_len[r],
					     rsps + (size_t)r * RSP_SZ,
					     rsp_len[r]);
		t += now() - t0;
		n += NPKT;
		for (r = 0; r < NREQ; r++) {
			const uint8_t *p = rsps + (size_t)r * RSP_SZ;

			for (j = 0; j < BURST; j++)
				if (p[j * PRES] != VIRTIO_IPSEC_OK ||
				    p[rsp_len[r] - FOOT] != VIRTIO_IPSEC_OK) {
					fprintf(stderr,
						"vipsec_bench: request %s "
						"status %u/%u\n",
						decap ? "decap" : "encap",
						p[rsp_len[r] - FOOT],
						p[j * PRES]);
					return 1;
				}
		}
	}
	print("engine", "request32", a->name, decap ? "inbound" : "outbound",
	      len, nsas, n, t);
	return 0;
}

static int bench_engine(const struct bench_alg *a, uint32_t nsas, double secs)
{
	struct vpe_core_config cfg = {
		.max_sas = 2 * nsas,
		.max_groups = 1,
		.max_packet_len = BUFSZ,
		.max_batch = 64,
		.max_replay_window = 4096,
	};
	struct vpe_sa **out, **inb;
	struct vpe_crypto *cr;
	struct vpe_esp_res r;
	struct vpe_core *c;
	unsigned int s;
	char err[128];
	uint32_t k;
	int ret = 0;

	c = vpe_core_new(&cfg, err, sizeof(err));
	out = calloc(nsas, sizeof(*out));
	inb = calloc(nsas, sizeof(*inb));
	if (!c || !out || !inb) {
		fprintf(stderr, "vipsec_bench: setup: %s\n",
			c ? "memory" : err);
		return 1;
	}
	cr = vpe_core_crypto(c);
	/* outbound SA k: id k + 1; inbound: id nsas + k + 1, SPI 0x1000 + k */
	for (k = 0; k < nsas; k++) {
		if (add(c, a, k + 1, 0x1000 + k, VIRTIO_IPSEC_DIR_OUTBOUND) ||
		    add(c, a, nsas + k + 1, 0x1000 + k,
			VIRTIO_IPSEC_DIR_INBOUND)) {
			printf("# engine: %s not supported by this backend\n",
			       a->name);
			goto out;
		}
		out[k] = vpe_sa_lookup(vpe_core_sadb(c), 0, k + 1);
		inb[k] = vpe_sa_lookup(vpe_core_sadb(c), 0, nsas + k + 1);
	}
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		uint32_t len = sizes[s], i;
		unsigned long n = 0;
		double t = 0, t0;

		if (only_size && len != only_size)
			continue;
		for (i = 0; i < NPKT; i++)
			pk[i] = (struct vpe_esp_pkt){ out[sa_of(i, nsas)],
						      in[i], len, enc[i],
						      BUFSZ };
		while (want("out") && t < secs) {
			/*
			 * The packets written afresh before each pass, outside
			 * the timing, as the DPDK peer refills its mbufs: both
			 * start a pass with the input where writing it left it
			 * in the caches.
			 */
			for (i = 0; i < NPKT; i++)
				inner(in[i], len);
			t0 = now();
			for (i = 0; i < NPKT; i += BURST)
				vpe_esp_encap_burst(cr, pk + i, BURST, res + i);
			t += now() - t0;
			n += NPKT;
			if (res[NPKT - 1].status) {
				fprintf(stderr,
					"vipsec_bench: encap status %u\n",
					res[NPKT - 1].status);
				ret = 1;
				goto out;
			}
		}
		if (want("out"))
			print("engine", "burst32", a->name, "outbound", len,
			      nsas, n, t);

		/*
		 * In place, as DPDK works on mbufs: each inner packet written
		 * after headroom for the headers of its own buffer, sealed
		 * where it lies (vpe_esp_pkt). Rewritten before each pass,
		 * outside the timing, as the peer refills its mbufs.
		 */
		n = 0;
		t = 0;
		while (want("inplace") && t < secs) {
			for (i = 0; i < NPKT; i++) {
				struct vpe_sa *sa = out[sa_of(i, nsas)];
				uint32_t head = vpe_esp_encap_hdr_len(sa);

				inner(enc[i] + head, len);
				pk[i] = (struct vpe_esp_pkt){ sa, enc[i] + head,
							      len, enc[i],
							      BUFSZ };
			}
			t0 = now();
			for (i = 0; i < NPKT; i += BURST)
				vpe_esp_encap_burst(cr, pk + i, BURST, res + i);
			t += now() - t0;
			n += NPKT;
			if (res[NPKT - 1].status) {
				fprintf(stderr,
					"vipsec_bench: in-place encap status %u\n",
					res[NPKT - 1].status);
				ret = 1;
				goto out;
			}
		}
		if (want("inplace"))
			print("engine", "burst32-inplace", a->name, "outbound",
			      len, nsas, n, t);

		n = 0;
		t = 0;
		/* The plaintext to seal, when the outbound figure did not. */
		for (i = 0; want("in") && i < NPKT; i++)
			inner(in[i], len);
		while (want("in") && t < secs) {
			for (i = 0; i < NPKT;
			     i++) { /* fresh sequence numbers */
				vpe_esp_encap(cr, out[sa_of(i, nsas)], in[i],
					      len, enc[i], BUFSZ, &r);
				pk[i] = (struct vpe_esp_pkt){
					inb[sa_of(i, nsas)], enc[i], r.out_len,
					dec[i], BUFSZ
				};
			}
			t0 = now();
			for (i = 0; i < NPKT; i += BURST)
				vpe_esp_decap_burst(cr, pk + i, BURST, res + i);
			t += now() - t0;
			n += NPKT;
			r = res[NPKT - 1];
			if (r.status || r.out_len != len ||
			    memcmp(dec[NPKT - 1], in[NPKT - 1], len)) {
				fprintf(stderr,
					"vipsec_bench: decap status %u len %u\n",
					r.status, r.out_len);
				ret = 1;
				goto out;
			}
		}
		if (want("in"))
			print("engine", "burst32", a->name, "inbound", len,
			      nsas, n, t);
		if (want("request") &&
		    (bench_requests(c, a, out, nsas, len, 0, secs) ||
		     bench_requests(c, a, out, nsas, len, 1, secs))) {
			ret = 1;
			goto out;
		}
	}
out:
	free(out);
	free(inb);
	vpe_core_free(c);
	return ret;
}

/*
 * intel-ipsec-mb's AES-GCM alone, no ESP around it: the limit. Over the
 * same NPKT buffers as the engine (in[i] -> enc[i]), so that both pay the
 * same memory traffic and the difference is the ESP work.
 */
static void bench_raw_gcm(IMB_MGR *mgr, const char *name, int k256,
			  uint32_t len, double secs)
{
	static struct gcm_key_data kd __attribute__((aligned(64)));
	static const uint8_t key[32] = { 3 }, iv[12] = { 4 }, aad[8];
	static uint8_t tag[16];
	struct gcm_context_data ctx;
	unsigned long n = 0;
	double t0, t = 0;
	uint32_t i;

	if (k256)
		IMB_AES256_GCM_PRE(mgr, key, &kd);
	else
		IMB_AES128_GCM_PRE(mgr, key, &kd);
	while (t < secs) {
		for (i = 0; i < NPKT; i++) /* as the engine's passes */
			inner(in[i], len);
		t0 = now();
		for (i = 0; i < NPKT; i++) {
			if (k256)
				IMB_AES256_GCM_ENC(mgr, &kd, &ctx, enc[i],
						   in[i], len, iv, aad, 8, tag,
						   16);
			else
				IMB_AES128_GCM_ENC(mgr, &kd, &ctx, enc[i],
						   in[i], len, iv, aad, 8, tag,
						   16);
		}
		n += NPKT;
		t += now() - t0;
	}
	print("ipsec-mb-raw", "aead", name, "outbound", len, 1, n, t);
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 1.0;
	uint32_t many = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 0) :
				   1000000;
	const char *only = argc > 3 ? argv[3] : NULL;
	IMB_MGR *mgr;
	unsigned int a, s;
	int ret = 0;

	only_size = argc > 4 ? (uint32_t)strtoul(argv[4], NULL, 0) : 0;
	only_mode = argc > 5 ? argv[5] : NULL;
	in = calloc(NPKT, BUFSZ);
	enc = calloc(NPKT, BUFSZ);
	dec = calloc(NPKT, BUFSZ);
	reqs = calloc(NREQ, REQ_SZ);
	rsps = calloc(NREQ, RSP_SZ);
	if (!in || !enc || !dec || !reqs || !rsps || secs <= 0) {
		fprintf(stderr, "usage: vipsec_bench [SECONDS [NUM_SAS]]\n");
		return 1;
	}
	printf("peer,mode,alg,dir,size,sas,mpps,gbps\n");
	for (a = 0; a < sizeof(algs) / sizeof(algs[0]); a++) {
		if (only && strcmp(only, algs[a].name))
			continue;
		ret |= bench_engine(&algs[a], 1, secs);
		if (many > 1)
			ret |= bench_engine(&algs[a], many, secs);
	}
	mgr = only && strcmp(only, "raw") ? NULL : alloc_mb_mgr(0);
	if (mgr) {
		init_mb_mgr_auto(mgr, NULL);
		for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			if (only_size && sizes[s] != only_size)
				continue;
			bench_raw_gcm(mgr, "aes128gcm", 0, sizes[s], secs);
			bench_raw_gcm(mgr, "aes256gcm", 1, sizes[s], secs);
		}
		free_mb_mgr(mgr);
	}
	free(in);
	free(enc);
	free(dec);
	free(reqs);
	free(rsps);
	return ret;
}
