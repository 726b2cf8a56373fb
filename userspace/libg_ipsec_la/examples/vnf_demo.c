// SPDX-License-Identifier: BSD-3-Clause
/*
 * vnf_demo: what a VNF does with the g-API. Opens the first virtio-ipsec
 * accelerator, adds an outbound and an inbound AES-GCM-128 tunnel SA
 * (192.0.2.1 -> 198.51.100.1; just bytes, nothing goes on a network),
 * encapsulates a few inner IPv4/UDP packets, decapsulates them again and
 * checks that every packet comes back byte for byte.
 * Exit: 0 all verified, 1 failure, 77 no accelerator present.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "g_ipsec_la.h"

#define SPI_OUT 0x1000a001u
#define SPI_IN	0x1000a001u /* the peer's view of the same SA */

/* AES-128 key followed by the 4-byte salt (RFC 4106 KEYMAT). */
static const uint8_t gcm_keymat[20] = {
	0x4c, 0x80, 0xcd, 0xef, 0xbb, 0x5d, 0x10, 0xda, 0x90, 0x6a,
	0xc7, 0x3c, 0x36, 0x13, 0xa6, 0x34, 0x2e, 0x44, 0x3b, 0x68,
};

static uint16_t ip_csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Inner IPv4/UDP packet 10.1.0.1:5000 -> 10.2.0.1:6000 of @len bytes. */
static void build_packet(uint8_t *p, uint16_t len, uint8_t fill)
{
	uint16_t c, i;

	memset(p, 0, 28);
	p[0] = 0x45;
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	p[4] = fill; /* id */
	p[8] = 64;   /* TTL */
	p[9] = 17;   /* UDP */
	p[12] = 10;
	p[13] = 1;
	p[14] = 0;
	p[15] = 1;
	p[16] = 10;
	p[17] = 2;
	p[18] = 0;
	p[19] = 1;
	c = ip_csum(p, 20);
	p[10] = (uint8_t)(c >> 8);
	p[11] = (uint8_t)c;
	p[20] = 5000 >> 8;
	p[21] = 5000 & 0xff;
	p[22] = 6000 >> 8;
	p[23] = 6000 & 0xff;
	p[24] = (uint8_t)((len - 20) >> 8);
	p[25] = (uint8_t)(len - 20);
	for (i = 28; i < len; i++)
		p[i] = (uint8_t)(fill + i);
}

static void fill_sa(struct g_ipsec_la_sa *sa, uint32_t spi)
{
	memset(sa, 0, sizeof(*sa));
	sa->spi = spi;
	sa->proto = G_IPSEC_LA_PROTO_ESP;
	sa->crypto_params.comb_algo = G_IPSEC_LA_COMB_AES_GCM;
	sa->crypto_params.comb_key = gcm_keymat;
	sa->crypto_params.comb_key_len_bits = sizeof(gcm_keymat) * 8;
	sa->crypto_params.icv_len_bits = 128;
	sa->te_addr.src_ip.version = 4;
	memcpy(sa->te_addr.src_ip.addr.ipv4, "\xc0\x00\x02\x01",
	       4); /* 192.0.2.1 */
	sa->te_addr.dest_ip.version = 4;
	memcpy(sa->te_addr.dest_ip.addr.ipv4, "\xc6\x33\x64\x01",
	       4); /* 198.51.100.1 */
}

static int add_sa(struct g_ipsec_la_handle *h, enum g_ipsec_la_sa_direction dir,
		  const struct g_ipsec_la_sa *sa,
		  struct g_ipsec_la_sa_handle *sh)
{
	struct g_ipsec_la_sa_add_inargs in = { dir, 1, sa };
	struct g_ipsec_la_sa_add_outargs out;
	int ret;

	memset(&out, 0, sizeof(out));
	out.handles = sh;
	ret = g_ipsec_la_sa_add(h, &in, G_IPSEC_LA_CTRL_FLAG_SYNC, &out, NULL);
	if (ret)
		fprintf(stderr, "vnf_demo: sa_add(%s) failed: %s\n",
			dir == G_IPSEC_LA_IPSEC_OUTBOUND ? "out" : "in",
			strerror(-ret));
	return ret;
}

int main(void)
{
	static const uint16_t sizes[] = { 28, 64, 200, 576, 1000, 1400 };
	const unsigned int n = sizeof(sizes) / sizeof(sizes[0]);
	struct g_ipsec_la_open_inargs oin;
	struct g_ipsec_la_open_outargs oout;
	struct g_ipsec_cap_get_outargs caps;
	struct g_ipsec_la_sa_handle sa_out, sa_in;
	struct g_ipsec_la_sa sa;
	char ver[G_IPSEC_LA_API_VERSION_LEN];
	uint8_t pkt[1500], esp[1600], back[1600];
	unsigned int i, j, ok = 0;
	int ret;

	g_ipsec_la_get_api_version(ver);
	printf("vnf_demo: g-API version %s\n", ver);

	memset(&oin, 0, sizeof(oin));
	oin.app_identity = "vnf_demo";
	ret = g_ipsec_la_open(G_IPSEC_LA_INSTANCE_SHARED, &oin, &oout);
	if (ret == -ENODEV) {
		printf("vnf_demo: SKIP: no virtio-ipsec accelerator present\n");
		return 77;
	}
	if (ret) {
		fprintf(stderr, "vnf_demo: open failed: %s\n", strerror(-ret));
		return 1;
	}
	if (!g_ipsec_la_capabilities_get(&oout.handle, 0, &caps, NULL))
		printf("vnf_demo: accelerator: AES-GCM %s, max SAs %u, max packet %u, "
		       "max replay window %u\n",
		       caps.caps.comb_algo_caps.aes_gcm ? "yes" : "no",
		       caps.caps.max_sas, caps.caps.max_packet_len,
		       caps.caps.max_replay_window);

	fill_sa(&sa, SPI_OUT);
	if (add_sa(&oout.handle, G_IPSEC_LA_IPSEC_OUTBOUND, &sa, &sa_out))
		goto out_close;
	fill_sa(&sa, SPI_IN);
	sa.cmn_flags = G_IPSEC_LA_SA_DO_ANTI_REPLAY_CHECK;
	sa.u.inb.anti_replay_window_size = 64;
	if (add_sa(&oout.handle, G_IPSEC_LA_IPSEC_INBOUND, &sa, &sa_in))
		goto out_close;
	printf("vnf_demo: SAs added: outbound SPI 0x%08x, inbound SPI 0x%08x, "
	       "AES-GCM-128, tunnel 192.0.2.1 -> 198.51.100.1\n",
	       SPI_OUT, SPI_IN);

	for (i = 0; i < n; i++) {
		struct g_ipsec_la_data in = { pkt, sizes[i] };
		struct g_ipsec_la_data out = { esp, sizeof(esp) };
		struct g_ipsec_la_data din, dout = { back, sizeof(back) };
		uint32_t spi, seq;

		build_packet(pkt, sizes[i], (uint8_t)(0x30 + i));
		ret = g_ipsec_la_packet_encap(&oout.handle, 0, &sa_out, 1, &in,
					      &out, NULL);
		if (ret) {
			printf("packet %u: encap failed: %s\n", i,
			       strerror(-ret));
			continue;
		}
		spi = (uint32_t)esp[20] << 24 | esp[21] << 16 | esp[22] << 8 |
		      esp[23];
		seq = (uint32_t)esp[24] << 24 | esp[25] << 16 | esp[26] << 8 |
		      esp[27];
		printf("packet %u: encap SPI 0x%08x seq %u in %u -> out %u bytes, ESP:",
		       i, spi, seq, sizes[i], out.length);
		for (j = 20; j < 36 && j < out.length; j++)
			printf(" %02x", esp[j]);
		printf("\n");

		din.buffer = esp;
		din.length = out.length;
		ret = g_ipsec_la_packet_decap(&oout.handle, 0, &sa_in, 1, &din,
					      &dout, NULL);
		if (ret) {
			printf("packet %u: decap failed: %s\n", i,
			       strerror(-ret));
			continue;
		}
		if (dout.length != sizes[i] || memcmp(back, pkt, sizes[i])) {
			printf("packet %u: decap gave %u bytes that differ from the original\n",
			       i, dout.length);
			continue;
		}
		printf("packet %u: decap %u -> %u bytes, identical to the original\n",
		       i, out.length, dout.length);
		ok++;
	}
	printf("vnf_demo: %u of %u packets encapsulated, decapsulated and verified\n",
	       ok, n);

out_close:
	g_ipsec_la_close(&oout.handle);
	if (ok == n) {
		printf("vnf_demo: PASS\n");
		return 0;
	}
	printf("vnf_demo: FAIL\n");
	return 1;
}
