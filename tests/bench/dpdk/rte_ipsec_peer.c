// SPDX-License-Identifier: BSD-3-Clause
/*
 * The peer for `make bench`: DPDK's rte_ipsec on one core, the same
 * workloads as the engine's bench (tunnel IPv4 ESP, one SA, bursts of 32,
 * 64/512/1420-byte inner packets), in the two modes DPDK offers for
 * software crypto:
 *   lookaside-none  crypto ops enqueued to an ipsec-mb crypto PMD
 *                   (crypto_aesni_gcm for GCM, crypto_aesni_mb for
 *                   CBC+HMAC) and dequeued, as ipsec-secgw does;
 *   cpu-crypto      the PMD's synchronous CPU-crypto path
 *                   (rte_ipsec_pkt_cpu_prepare), no queues.
 * Outbound is timed alone; inbound decapsulates packets that the outbound
 * SA produced (fresh copies each pass, outside the timing) with a 4096
 * replay window, so every packet passes every check once.
 *
 * Built and run only by `make bench` (Debian's libdpdk-dev); never by
 * `make test`. Prints one CSV line per figure:
 *   peer,mode,alg,dir,size,sas,mpps,gbps
 * Nothing here passes or fails on speed; a setup failure exits non-zero.
 */
#define ALLOW_EXPERIMENTAL_API 1
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_common.h>
#include <rte_cryptodev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ip.h>
#include <rte_ipsec.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#define BURST		32
#define NPKT		2048	/* packets per pass (inbound: pre-sealed) */
#define IV_OFFSET	(sizeof(struct rte_crypto_op) + \
			 sizeof(struct rte_crypto_sym_op))

enum peer_mode { MODE_LOOKASIDE, MODE_CPU };
static const char *const mode_name[] = { "lookaside-none", "cpu-crypto" };

struct peer_alg {
	const char *name;	/* as in the engine's CSV */
	const char *pmd;	/* vdev driver */
	int aead;		/* AES-GCM */
	uint16_t key_len;
};

static const struct peer_alg algs[] = {
	{ "aes128gcm", "crypto_aesni_gcm", 1, 16 },
	{ "aes256gcm", "crypto_aesni_gcm", 1, 32 },
	{ "aes128cbc-sha256", "crypto_aesni_mb", 0, 16 },
};

static struct rte_mempool *mbuf_pool, *op_pool, *sess_pool;

/*
 * This thread's CPU time, not wall time: on a shared host the time other
 * processes hold the core would otherwise count as ours. The engine bench
 * measures the same way, so the ratios compare like with like.
 */
static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "rte_ipsec_peer: %s: %s\n", what,
		rte_strerror(rte_errno));
	exit(1);
}

/* One crypto device per PMD, one queue pair, started once. */
static int peer_dev(const char *pmd)
{
	struct rte_cryptodev_config conf = {
		.socket_id = (int)rte_socket_id(), .nb_queue_pairs = 1,
	};
	struct rte_cryptodev_qp_conf qp = {
		.nb_descriptors = 2048, .mp_session = sess_pool,
	};
	static uint8_t started[RTE_CRYPTO_MAX_DEVS];
	char name[64];
	int id;

	snprintf(name, sizeof(name), "%s0", pmd);
	id = rte_cryptodev_get_dev_id(name);
	if (id < 0) {
		fprintf(stderr, "rte_ipsec_peer: no crypto device %s\n", name);
		exit(1);
	}
	if (started[id])
		return id;
	if (rte_cryptodev_configure((uint8_t)id, &conf) ||
	    rte_cryptodev_queue_pair_setup((uint8_t)id, 0, &qp,
					   conf.socket_id) ||
	    rte_cryptodev_start((uint8_t)id))
		die("crypto device setup");
	started[id] = 1;
	return id;
}

struct peer_sa {
	struct rte_ipsec_session ss;
	struct rte_crypto_sym_xform xf[2];
	uint8_t ck[32], ak[32];
	struct rte_ipv4_hdr tun;
};

static void peer_sa_init(struct peer_sa *p, const struct peer_alg *a,
			 enum peer_mode m, int outbound, int dev)
{
	struct rte_ipsec_sa_prm prm;
	struct rte_ipsec_sa *sa;
	int sz;

	memset(p->ck, 0x11, sizeof(p->ck));
	memset(p->ak, 0x22, sizeof(p->ak));
	memset(p->xf, 0, sizeof(p->xf));
	if (a->aead) {
		p->xf[0].type = RTE_CRYPTO_SYM_XFORM_AEAD;
		p->xf[0].aead.op = outbound ? RTE_CRYPTO_AEAD_OP_ENCRYPT :
					      RTE_CRYPTO_AEAD_OP_DECRYPT;
		p->xf[0].aead.algo = RTE_CRYPTO_AEAD_AES_GCM;
		p->xf[0].aead.key.data = p->ck;
		p->xf[0].aead.key.length = a->key_len;
		p->xf[0].aead.iv.offset = IV_OFFSET;
		p->xf[0].aead.iv.length = 12;
		p->xf[0].aead.digest_length = 16;
		p->xf[0].aead.aad_length = 8;
	} else {
		struct rte_crypto_sym_xform *c = &p->xf[outbound ? 0 : 1];
		struct rte_crypto_sym_xform *h = &p->xf[outbound ? 1 : 0];

		c->type = RTE_CRYPTO_SYM_XFORM_CIPHER;
		c->cipher.op = outbound ? RTE_CRYPTO_CIPHER_OP_ENCRYPT :
					  RTE_CRYPTO_CIPHER_OP_DECRYPT;
		c->cipher.algo = RTE_CRYPTO_CIPHER_AES_CBC;
		c->cipher.key.data = p->ck;
		c->cipher.key.length = a->key_len;
		c->cipher.iv.offset = IV_OFFSET;
		c->cipher.iv.length = 16;
		h->type = RTE_CRYPTO_SYM_XFORM_AUTH;
		h->auth.op = outbound ? RTE_CRYPTO_AUTH_OP_GENERATE :
					RTE_CRYPTO_AUTH_OP_VERIFY;
		h->auth.algo = RTE_CRYPTO_AUTH_SHA256_HMAC;
		h->auth.key.data = p->ak;
		h->auth.key.length = 32;
		h->auth.digest_length = 16;
		p->xf[0].next = &p->xf[1];
	}

	memset(&p->tun, 0, sizeof(p->tun));
	p->tun.version_ihl = RTE_IPV4_VHL_DEF;
	p->tun.time_to_live = 64;
	p->tun.next_proto_id = IPPROTO_ESP;
	p->tun.src_addr = rte_cpu_to_be_32(RTE_IPV4(10, 0, 0, 1));
	p->tun.dst_addr = rte_cpu_to_be_32(RTE_IPV4(10, 0, 0, 2));

	memset(&prm, 0, sizeof(prm));
	prm.ipsec_xform.spi = 0x100;
	prm.ipsec_xform.salt = 0x33333333;
	prm.ipsec_xform.direction = outbound ?
		RTE_SECURITY_IPSEC_SA_DIR_EGRESS :
		RTE_SECURITY_IPSEC_SA_DIR_INGRESS;
	prm.ipsec_xform.proto = RTE_SECURITY_IPSEC_SA_PROTO_ESP;
	prm.ipsec_xform.mode = RTE_SECURITY_IPSEC_SA_MODE_TUNNEL;
	prm.ipsec_xform.tunnel.type = RTE_SECURITY_IPSEC_TUNNEL_IPV4;
	prm.ipsec_xform.replay_win_sz = outbound ? 0 : 4096;
	prm.crypto_xform = p->xf;
	prm.tun.hdr_len = sizeof(p->tun);
	prm.tun.hdr_l3_off = 0;
	prm.tun.next_proto = IPPROTO_IPIP;
	prm.tun.hdr = &p->tun;

	sz = rte_ipsec_sa_size(&prm);
	if (sz < 0) {
		rte_errno = -sz;
		die("rte_ipsec_sa_size");
	}
	sa = rte_zmalloc(NULL, (size_t)sz, RTE_CACHE_LINE_SIZE);
	if (!sa)
		die("SA memory");
	sz = rte_ipsec_sa_init(sa, &prm, (uint32_t)sz);
	if (sz < 0) {
		rte_errno = -sz;
		die("rte_ipsec_sa_init");
	}
	memset(&p->ss, 0, sizeof(p->ss));
	p->ss.sa = sa;
	p->ss.type = m == MODE_CPU ? RTE_SECURITY_ACTION_TYPE_CPU_CRYPTO :
				     RTE_SECURITY_ACTION_TYPE_NONE;
	p->ss.crypto.dev_id = (uint8_t)dev;
	p->ss.crypto.ses = rte_cryptodev_sym_session_create((uint8_t)dev,
							    p->xf, sess_pool);
	if (!p->ss.crypto.ses)
		die("rte_cryptodev_sym_session_create");
	if (rte_ipsec_session_prepare(&p->ss))
		die("rte_ipsec_session_prepare (mode not supported by the PMD?)");
}

static void peer_sa_free(struct peer_sa *p)
{
	rte_cryptodev_sym_session_free(p->ss.crypto.dev_id, p->ss.crypto.ses);
	rte_free(p->ss.sa);
}

/* One burst through the session; returns the packets that came out. */
static uint16_t peer_burst(struct peer_sa *p, enum peer_mode m,
			   struct rte_mbuf **mb, uint16_t n)
{
	struct rte_crypto_op *cop[BURST], *done[BURST];
	uint16_t k, e, d = 0, i;

	if (m == MODE_CPU) {
		k = rte_ipsec_pkt_cpu_prepare(&p->ss, mb, n);
		return rte_ipsec_pkt_process(&p->ss, mb, k);
	}
	if (rte_crypto_op_bulk_alloc(op_pool, RTE_CRYPTO_OP_TYPE_SYMMETRIC,
				     cop, n) != n)
		die("crypto op allocation");
	k = rte_ipsec_pkt_crypto_prepare(&p->ss, mb, cop, n);
	e = rte_cryptodev_enqueue_burst(p->ss.crypto.dev_id, 0, cop, k);
	while (d < e)
		d += rte_cryptodev_dequeue_burst(p->ss.crypto.dev_id, 0,
						 done + d, e - d);
	for (i = 0; i < d; i++) {
		/* the mbuf comes back in the op; mark what failed */
		mb[i] = done[i]->sym->m_src;
		if (done[i]->status != RTE_CRYPTO_OP_STATUS_SUCCESS)
			mb[i]->ol_flags |= RTE_MBUF_F_RX_SEC_OFFLOAD_FAILED;
	}
	rte_mempool_put_bulk(op_pool, (void **)cop + k, n - k);
	rte_mempool_put_bulk(op_pool, (void **)done, d);
	return rte_ipsec_pkt_process(&p->ss, mb, d);
}

/* An inner IPv4 packet of len bytes (len >= 20). */
static void peer_fill(struct rte_mbuf *m, uint16_t len)
{
	struct rte_ipv4_hdr *ip;
	char *b;

	rte_pktmbuf_reset(m);
	b = rte_pktmbuf_append(m, len);
	if (!b) {
		rte_errno = ENOSPC;
		die("mbuf too small");
	}
	memset(b, 0xab, len);
	ip = (struct rte_ipv4_hdr *)b;
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(len);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(RTE_IPV4(192, 168, 1, 1));
	ip->dst_addr = rte_cpu_to_be_32(RTE_IPV4(192, 168, 2, 1));
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	m->l2_len = 0;
	m->l3_len = sizeof(*ip);
}

static void peer_copy(struct rte_mbuf *dst, const struct rte_mbuf *src)
{
	uint16_t len = rte_pktmbuf_data_len(src);

	rte_pktmbuf_reset(dst);
	memcpy(rte_pktmbuf_append(dst, len),
	       rte_pktmbuf_mtod(src, const void *), len);
	dst->l2_len = 0;
	dst->l3_len = sizeof(struct rte_ipv4_hdr);
}

static void peer_print(enum peer_mode m, const struct peer_alg *a,
		       const char *dir, uint16_t len, unsigned long n,
		       double t)
{
	printf("dpdk-rte_ipsec,%s,%s,%s,%u,1,%.3f,%.3f\n", mode_name[m],
	       a->name, dir, len, n / t / 1e6, n * (double)len * 8 / t / 1e9);
	fflush(stdout);
}

static void peer_run(const struct peer_alg *a, enum peer_mode m, uint16_t len,
		     double secs)
{
	static struct rte_mbuf *pkt[NPKT], *sealed[NPKT];
	struct peer_sa out, in;
	unsigned long n = 0;
	double t0, t = 0;
	uint32_t i;
	int dev = peer_dev(a->pmd);

	peer_sa_init(&out, a, m, 1, dev);
	peer_sa_init(&in, a, m, 0, dev);
	if (rte_pktmbuf_alloc_bulk(mbuf_pool, pkt, NPKT) ||
	    rte_pktmbuf_alloc_bulk(mbuf_pool, sealed, NPKT))
		die("mbufs");

	/* outbound: bursts over NPKT packets, refilled outside the timing */
	while (t < secs) {
		for (i = 0; i < NPKT; i++)
			peer_fill(pkt[i], len);
		t0 = now();
		for (i = 0; i < NPKT; i += BURST)
			if (peer_burst(&out, m, pkt + i, BURST) != BURST)
				die("outbound burst lost packets");
		t += now() - t0;
		n += NPKT;
	}
	peer_print(m, a, "outbound", len, n, t);

	/* inbound: NPKT sealed packets with rising sequence numbers per pass,
	 * the inbound SA re-created each pass so its window starts afresh */
	n = 0;
	t = 0;
	while (t < secs) {
		for (i = 0; i < NPKT; i++)
			peer_fill(sealed[i], len);
		for (i = 0; i < NPKT; i += BURST)
			if (peer_burst(&out, m, sealed + i, BURST) != BURST)
				die("sealing lost packets");
		for (i = 0; i < NPKT; i++)
			peer_copy(pkt[i], sealed[i]);
		peer_sa_free(&in);
		peer_sa_init(&in, a, m, 0, dev);
		t0 = now();
		for (i = 0; i < NPKT; i += BURST)
			if (peer_burst(&in, m, pkt + i, BURST) != BURST)
				die("inbound burst failed (ICV/replay?)");
		t += now() - t0;
		n += NPKT;
		if (rte_pktmbuf_data_len(pkt[0]) != len)
			die("inbound result has the wrong length");
	}
	peer_print(m, a, "inbound", len, n, t);

	rte_pktmbuf_free_bulk(pkt, NPKT);
	rte_pktmbuf_free_bulk(sealed, NPKT);
	peer_sa_free(&out);
	peer_sa_free(&in);
}

int main(int argc, char **argv)
{
	static const uint16_t sizes[] = { 64, 512, 1420 };
	unsigned int a, s, sess_sz = 0;
	double secs = 1.0;
	uint8_t d;
	int m, ret;

	ret = rte_eal_init(argc, argv);
	if (ret < 0)
		die("rte_eal_init");
	argc -= ret;
	argv += ret;
	if (argc > 1)
		secs = atof(argv[1]);

	mbuf_pool = rte_pktmbuf_pool_create("vipsec_mbufs", 2 * NPKT + 1024,
					    256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					    (int)rte_socket_id());
	op_pool = rte_crypto_op_pool_create("vipsec_ops",
					    RTE_CRYPTO_OP_TYPE_SYMMETRIC, 4096,
					    128, 64, (int)rte_socket_id());
	/* 22.11: the element holds the largest PMD private session */
	for (d = 0; d < rte_cryptodev_count(); d++) {
		unsigned int sz = rte_cryptodev_sym_get_private_session_size(d);

		if (sz > sess_sz)
			sess_sz = sz;
	}
	sess_pool = rte_cryptodev_sym_session_pool_create("vipsec_sess", 64,
							  sess_sz, 0, 0,
							  (int)rte_socket_id());
	if (!mbuf_pool || !op_pool || !sess_pool)
		die("mempools");

	printf("peer,mode,alg,dir,size,sas,mpps,gbps\n");
	for (a = 0; a < RTE_DIM(algs); a++)
		for (m = MODE_LOOKASIDE; m <= MODE_CPU; m++)
			for (s = 0; s < RTE_DIM(sizes); s++)
				peer_run(&algs[a], (enum peer_mode)m, sizes[s],
					 secs);
	for (d = 0; d < rte_cryptodev_count(); d++)
		rte_cryptodev_stop(d);
	rte_eal_cleanup();
	return 0;
}
