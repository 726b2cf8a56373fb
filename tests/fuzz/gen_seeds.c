// SPDX-License-Identifier: BSD-3-Clause
/*
 * Writes the fuzzers' seed corpora: valid ESP packets for every inbound SA
 * of fuzz_sas.c the engine accepts (encapsulated by the matching outbound
 * SA), and well-formed control and data requests.
 * and descriptors for the structure-aware target (fuzz_seal.h).
 *   gen_seeds DIR   -> DIR/esp_in/..., DIR/request/..., DIR/esp_seal/...
 */
#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_sas.h"
#include "fuzz_seal.h"

static const char *dir;

static void put(const char *sub, const char *name, const uint8_t *p,
		size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f)) {
		perror(path);
		exit(1);
	}
}

/* A record of fuzz_request's input format. */
static size_t rec(uint8_t *o, int q, const void *req, size_t len, size_t cap)
{
	o[0] = q;
	o[1] = len;
	o[2] = len >> 8;
	o[3] = cap;
	o[4] = cap >> 8;
	memcpy(o + 5, req, len);
	return 5 + len;
}

static size_t data_req(uint8_t *o, uint16_t op, uint32_t sa,
		       const uint8_t *pkt, size_t n)
{
	struct virtio_ipsec_data_hdr h = { .opcode = htole16(op),
					   .num_pkts = htole32(1) };
	struct virtio_ipsec_pkt_req r = { .sa_id = htole32(sa),
					  .in_len = htole32(n),
					  .out_cap = htole32(n + 128) };

	memcpy(o, &h, sizeof(h));
	memcpy(o + sizeof(h), &r, sizeof(r));
	memcpy(o + sizeof(h) + sizeof(r), pkt, n);
	return sizeof(h) + sizeof(r) + n;
}

static void request_seeds(const uint8_t *esp, size_t esp_len)
{
	static uint8_t buf[3 * FUZZ_MAX_PKT], req[2 * FUZZ_MAX_PKT];
	struct virtio_ipsec_ctrl_hdr c = { 0 };
	struct virtio_ipsec_sa_get g = { .max_sas = htole32(4) };
	struct virtio_ipsec_sa_params sa = {
		.spi = htole32(0x77), .direction = 1, .mode = 0,
		.protocol = 50, .ip_version = 4,
		.cipher_alg = VIRTIO_IPSEC_CIPHER_AES_GCM,
		.auth_alg = VIRTIO_IPSEC_AUTH_NONE, .icv_len = 16,
		.cipher_key_len = 16, .salt_len = 4,
	};
	uint8_t pkt[256];
	size_t n = 0, len, plen = fuzz_inner_packet(4, 100, pkt);
	const size_t F = sizeof(struct virtio_ipsec_resp_footer);

	c.opcode = htole16(VIRTIO_IPSEC_OP_SA_ADD);
	c.sa_id = htole32(2 * FUZZ_NSAS);
	memcpy(req, &c, sizeof(c));
	memcpy(req + sizeof(c), &sa, sizeof(sa));
	len = rec(buf, 0, req, sizeof(c) + sizeof(sa), F);
	put("request", "sa_add", buf, len);
	n = len;
	len = data_req(req, VIRTIO_IPSEC_OP_ENCAP, 2 * FUZZ_NSAS, pkt, plen);
	n += rec(buf + n, 1, req, len, 24 + plen + 128 + F);
	put("request", "sa_add_encap", buf, n);
	len = data_req(req, VIRTIO_IPSEC_OP_DECAP, 1, esp, esp_len);
	n = rec(buf, 1, req, len, 24 + esp_len + 128 + F);
	put("request", "decap", buf, n);

	c.opcode = htole16(VIRTIO_IPSEC_OP_SA_GET);
	c.sa_id = 0;
	memcpy(req, &c, sizeof(c));
	memcpy(req + sizeof(c), &g, sizeof(g));
	n = rec(buf, 0, req, sizeof(c) + sizeof(g), 4096);
	put("request", "sa_get", buf, n);

	c.opcode = htole16(VIRTIO_IPSEC_OP_SA_DEL);
	c.sa_id = htole32(1);
	n = rec(buf, 0, &c, sizeof(c), F);
	len = data_req(req, VIRTIO_IPSEC_OP_DECAP, 1, esp, esp_len);
	n += rec(buf + n, 1, req, len, 24 + esp_len + 128 + F);
	put("request", "sa_del_decap", buf, n);

	c.opcode = htole16(VIRTIO_IPSEC_OP_GROUP_CREATE);
	c.sa_id = 0;
	c.group_id = htole32(1);
	memset(req, 0, sizeof(c) + 32);
	memcpy(req, &c, sizeof(c));
	memcpy(req + sizeof(c), "fuzz", 4);
	n = rec(buf, 0, req, sizeof(c) + 32, F);
	put("request", "group_create", buf, n);
}

/*
 * fuzz_esp_seal: every algorithm row with a spread of options, an inner
 * IPv4/IPv6 packet (tunnel) or UDP datagram (transport), sequence 1 on.
 */
static int seal_seeds(void)
{
	static const uint8_t sa_flags[] = {
		0, SEAL_IPV6, SEAL_TRANSPORT, SEAL_TRANSPORT | SEAL_IPV6,
		SEAL_REPLAY | SEAL_ESN, SEAL_UDP | SEAL_TRANSPORT,
		SEAL_UDP | SEAL_IPV6, SEAL_ECN | SEAL_SELECTOR | SEAL_REPLAY,
		SEAL_TFC | SEAL_IPV6 | SEAL_ECN,
	};
	static const uint8_t pkt_flags[] = {
		SEAL_FIX_INNER,
		SEAL_FIX_INNER | SEAL_DEC_TTL | SEAL_LIFETIME |
			3 << SEAL_NPKTS_SHIFT,
	};
	static uint8_t buf[sizeof(struct seal_desc) + 512];
	struct seal_desc d;
	char name[64];
	int n = 0;

	for (unsigned int a = 0; a < 12; a++) {
		for (size_t f = 0; f < sizeof(sa_flags); f++) {
			for (size_t g = 0; g < sizeof(pkt_flags); g++) {
				int v = sa_flags[f] & SEAL_IPV6 ? 6 : 4;
				size_t len = fuzz_inner_packet(v, 40 + a,
					buf + sizeof(d));

				memset(&d, 0, sizeof(d));
				d.alg = (uint8_t)a;
				d.sa_flags = sa_flags[f];
				d.pkt_flags = pkt_flags[g];
				d.window[0] = 63;
				d.sel_prefix = 8;
				d.sel_src[0] = v == 4 ? 10 : 0xfd;
				d.tfc_pad_to[0] = 200;
				d.udp_sport[0] = d.udp_dport[0] = 0x94;
				d.udp_sport[1] = d.udp_dport[1] = 0x11;
				d.nat_oa[0] = 192;
				d.nat_oa[3] = 7;
				d.life[0] = 2;		/* soft packets */
				d.life[1] = 10;		/* hard packets */
				d.life[3] = 255;	/* hard bytes / 64 */
				d.life[4] = 1;		/* soft seconds */
				d.dscp_ttl = 0x02;	/* outer ECT(0) */
				d.next_hdr = 17;
				d.tfc_len = (uint8_t)(a * 3);
				d.seq[0] = 1;
				d.seq_delta[0][0] = 1;
				d.seq_delta[1][0] = 0xff;	/* -1: a replay */
				d.seq_delta[1][1] = 0xff;
				d.seq_delta[2][0] = 100;
				if (sa_flags[f] & SEAL_TRANSPORT) {
					/* Upper layer only: drop the IP header. */
					size_t h = v == 4 ? 20 : 40;

					memmove(buf + sizeof(d),
						buf + sizeof(d) + h, len - h);
					len -= h;
				}
				memcpy(buf, &d, sizeof(d));
				snprintf(name, sizeof(name), "a%u_f%zu_p%zu",
					 a, f, g);
				put("esp_seal", name, buf, sizeof(d) + len);
				n++;
			}
		}
	}
	return n;
}

int main(int argc, char **argv)
{
	static const size_t sizes[] = { 0, 17, 200 };
	static uint8_t pkt[FUZZ_MAX_PKT], esp[FUZZ_MAX_PKT + 1];
	static uint8_t first[FUZZ_MAX_PKT];
	size_t first_len = 0;
	struct vpe_core *core;
	uint32_t mask;
	char path[512], name[64];
	int seeds = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: gen_seeds DIR\n");
		return 2;
	}
	dir = argv[1];
	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/esp_in", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/request", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/esp_seal", dir);
	mkdir(path, 0755);

	core = fuzz_core_new();
	mask = fuzz_add_sas(core);
	for (int i = 0; i < FUZZ_NSAS; i++) {
		if (!(mask & (1u << i)))
			continue;
		for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
			for (int v = 4; v <= 6; v += 2) {
				size_t n = fuzz_inner_packet(v, sizes[k], pkt);
				size_t out_len = 0;

				if (fuzz_xform(core, VIRTIO_IPSEC_OP_ENCAP,
					       i + 1 + FUZZ_NSAS, pkt, n,
					       esp + 1, &out_len))
					continue;
				esp[0] = i;
				snprintf(name, sizeof(name), "sa%d_v%d_%zu", i,
					 v, sizes[k]);
				put("esp_in", name, esp, out_len + 1);
				if (!first_len) {
					memcpy(first, esp + 1, out_len);
					first_len = out_len;
				}
				seeds++;
			}
		}
	}
	if (!seeds) {
		fprintf(stderr, "gen_seeds: the engine accepted no SA\n");
		return 1;
	}
	request_seeds(first, first_len);
	printf("gen_seeds: %d ESP seeds for %d inbound SAs, %d seal seeds\n",
	       seeds, __builtin_popcount(mask), seal_seeds());
	vpe_core_free(core);
	return 0;
}
