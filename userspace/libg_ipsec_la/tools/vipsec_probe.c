// SPDX-License-Identifier: BSD-3-Clause
/*
 * vipsec sa probe: an AES-128-GCM tunnel SA pair on one accelerator, N
 * packets encapsulated and decapsulated through it, then both SAs printed
 * from g_ipsec_la_sa_get() (parameters and statistics). Keys are random
 * and never printed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "vipsec.h"

static void probe_sa(struct g_ipsec_la_sa *sa, uint32_t spi, uint8_t *key)
{
	memset(sa, 0, sizeof(*sa));
	sa->spi = spi;
	sa->proto = G_IPSEC_LA_PROTO_ESP;
	sa->crypto_params.comb_algo = G_IPSEC_LA_COMB_AES_GCM;
	sa->crypto_params.comb_key = key;
	sa->crypto_params.comb_key_len_bits = 160;
	sa->crypto_params.icv_len_bits = 128;
	sa->te_addr.src_ip.version = 4;
	memcpy(sa->te_addr.src_ip.addr.ipv4, (uint8_t[]){ 192, 0, 2, 1 }, 4);
	sa->te_addr.dest_ip.version = 4;
	memcpy(sa->te_addr.dest_ip.addr.ipv4, (uint8_t[]){ 192, 0, 2, 2 }, 4);
}

static void probe_packet(uint8_t *p, uint16_t len, unsigned int i)
{
	memset(p, 0, len);
	p[0] = 0x45;
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	p[8] = 64;
	p[9] = 17;
	memcpy(p + 12, (uint8_t[]){ 10, 0, 0, 1, 10, 0, 0, 2 }, 8);
	memset(p + 20, (int)i, len - 20);
}

static int probe_show(struct g_ipsec_la_handle *h, uint32_t dir)
{
	struct g_ipsec_la_sa_handle hs[4];
	struct g_ipsec_la_sa sas[4];
	struct g_ipsec_la_sa_stats st[4];
	struct g_ipsec_la_sa_get_inargs in = {
		.dir = dir,
		.operation = G_IPSEC_LA_SA_GET_FIRST_N,
		.num_sas = 4,
		.flags = G_IPSEC_LA_SA_GET_PARAMS | G_IPSEC_LA_SA_GET_STATS,
	};
	struct g_ipsec_la_sa_get_outargs out = {
		.sa_params = sas,
		.stats = st,
		.handles = hs,
	};
	uint32_t i;
	int ret = g_ipsec_la_sa_get(h, &in, 0, &out, NULL);

	if (ret) {
		fprintf(stderr, "vipsec: sa_get: %s\n", strerror(-ret));
		return 1;
	}
	for (i = 0; i < out.num_sas; i++) {
		vipsec_print_sa(&sas[i], dir, &hs[i]);
		vipsec_print_stats(&st[i]);
	}
	return 0;
}

static int probe_run(struct g_ipsec_la_handle *h, unsigned int packets)
{
	struct g_ipsec_la_sa_handle so, si;
	struct g_ipsec_la_sa sa;
	struct g_ipsec_la_sa_add_outargs out;
	struct g_ipsec_la_sa_add_inargs in = { .num_sas = 1, .sa_params = &sa };
	uint8_t key[20], pkt[256], esp[512], back[512];
	unsigned int i, ok = 0;
	int ret;

	if (getrandom(key, sizeof(key), 0) != sizeof(key))
		return -EIO;
	probe_sa(&sa, 0x1000 + (key[0] | 1u << 8), key);
	in.dir = G_IPSEC_LA_IPSEC_OUTBOUND;
	out.handles = &so;
	ret = g_ipsec_la_sa_add(h, &in, 0, &out, NULL);
	in.dir = G_IPSEC_LA_IPSEC_INBOUND;
	out.handles = &si;
	if (!ret)
		ret = g_ipsec_la_sa_add(h, &in, 0, &out, NULL);
	memset(key, 0, sizeof(key));
	if (ret)
		return ret;
	for (i = 0; i < packets; i++) {
		struct g_ipsec_la_data d_in = { pkt, 100 },
				       d_out = { esp, sizeof(esp) };
		struct g_ipsec_la_data e_in, e_out = { back, sizeof(back) };

		probe_packet(pkt, 100, i);
		ret = g_ipsec_la_packet_encap(h, 0, &so, 1, &d_in, &d_out,
					      NULL);
		if (ret == -ENODEV)
			break; /* the accelerator is gone: stop counting */
		if (ret)
			continue;
		e_in = d_out;
		if (!g_ipsec_la_packet_decap(h, 0, &si, 1, &e_in, &e_out,
					     NULL) &&
		    e_out.length == 100 && !memcmp(back, pkt, 100))
			ok++;
	}
	printf("# probe: %u of %u packets round-tripped\n", ok, packets);
	return probe_show(h, G_IPSEC_LA_IPSEC_OUTBOUND) |
			       probe_show(h, G_IPSEC_LA_IPSEC_INBOUND) ?
		       -EIO :
	       ok == packets ? 0 :
			       -EIO;
}

int vipsec_probe(const char *accel, unsigned int packets)
{
	struct g_ipsec_la_open_inargs oi = { .accl_name = accel,
					     .app_identity = "vipsec" };
	struct g_ipsec_la_open_outargs oo;
	int ret = g_ipsec_la_open(G_IPSEC_LA_INSTANCE_SHARED, &oi, &oo);

	if (ret) {
		fprintf(stderr, "vipsec: open %s: %s\n",
			accel ? accel : "(first)", strerror(-ret));
		return 1;
	}
	ret = probe_run(&oo.handle, packets);
	g_ipsec_la_close(&oo.handle); /* flushes the probe SAs */
	if (ret)
		fprintf(stderr, "vipsec: probe: %s\n", strerror(-ret));
	return ret ? 1 : 0;
}
