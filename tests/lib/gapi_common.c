// SPDX-License-Identifier: BSD-3-Clause
/* Helpers of the g-API conformance suites (gapi.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../common/test_packet.h"
#include "gapi.h"

struct g_ipsec_la_handle ga_h;
struct g_ipsec_cap_get_outargs ga_caps;
static uint64_t ga_features;

static const uint8_t ga_keymat[20] = {	/* AES-128 key || 4-byte salt */
	0xfe, 0xff, 0xe9, 0x92, 0x86, 0x65, 0x73, 0x1c,
	0x6d, 0x6a, 0x8f, 0x94, 0x67, 0x30, 0x83, 0x08,
	0xca, 0xfe, 0xba, 0xbe,
};

int ga_open(enum g_ipsec_la_mode mode, const char *app,
	    struct g_ipsec_la_handle *h)
{
	struct g_ipsec_la_open_inargs in = { .accl_name = ga_accl,
					     .app_identity = app };
	struct g_ipsec_la_open_outargs out;
	int ret = g_ipsec_la_open(mode, &in, &out);

	if (!ret)
		*h = out.handle;
	return ret;
}

void ga_setup(void)
{
	int ret = ga_open(G_IPSEC_LA_INSTANCE_SHARED, "gapi-test", &ga_h);

	ck_assert_msg(ret == 0, "open(SHARED) of %s failed: %d (%s)",
		      ga_accl ? ga_accl : "the first accelerator", ret,
		      strerror(-ret));
	ret = g_ipsec_la_capabilities_get(&ga_h, 0, &ga_caps, NULL);
	ck_assert_msg(ret == 0, "capabilities_get failed: %d", ret);
	/* Features as bits again, for the SKIP decisions. */
	ga_features = 0;
	if (ga_caps.caps.esn)
		ga_features |= 1u << 0;
	if (ga_caps.caps.udp_encap)
		ga_features |= 1u << 1;
	if (ga_caps.caps.ipv6_support)
		ga_features |= 1u << 2;
	if (ga_caps.caps.anti_replay_check)
		ga_features |= 1u << 4;
	if (ga_caps.caps.seqnum_periodic_notify)
		ga_features |= 1u << 5;
	if (ga_caps.caps.soft_lifetime_bytes_notify)
		ga_features |= 1u << 7;
}

void ga_teardown(void)
{
	ck_assert_msg(g_ipsec_la_close(&ga_h) == 0, "close failed");
}

/* Bits as in VIRTIO_IPSEC_F_*; SA_MOD/SA_GET probed by calling. */
int ga_has_feature(int bit)
{
	return !!(ga_features & (1ull << bit));
}

/* See tests/common/test_packet.h. */
void ga_packet(uint8_t *p, uint16_t len, uint8_t fill)
{
	vt_build_packet(p, len, fill);
}

void ga_sa(struct g_ipsec_la_sa *sa, uint32_t spi)
{
	memset(sa, 0, sizeof(*sa));
	sa->spi = spi;
	sa->proto = G_IPSEC_LA_PROTO_ESP;
	sa->crypto_params.comb_algo = G_IPSEC_LA_COMB_AES_GCM;
	sa->crypto_params.comb_key = ga_keymat;
	sa->crypto_params.comb_key_len_bits = sizeof(ga_keymat) * 8;
	sa->crypto_params.icv_len_bits = 128;
	sa->te_addr.src_ip.version = 4;
	memcpy(sa->te_addr.src_ip.addr.ipv4, "\xc0\x00\x02\x01", 4);
	sa->te_addr.dest_ip.version = 4;
	memcpy(sa->te_addr.dest_ip.addr.ipv4, "\xc6\x33\x64\x01", 4);
}

int ga_add(struct g_ipsec_la_handle *h, enum g_ipsec_la_sa_direction dir,
	   const struct g_ipsec_la_sa *sa, struct g_ipsec_la_sa_handle *sh)
{
	struct g_ipsec_la_sa_add_inargs in = { .dir = dir, .num_sas = 1,
					       .sa_params = sa };
	struct g_ipsec_la_sa_add_outargs out = { .handles = sh };

	return g_ipsec_la_sa_add(h, &in, 0, &out, NULL);
}

int ga_pair(struct g_ipsec_la_handle *h, uint32_t spi,
	    struct g_ipsec_la_sa_handle *o, struct g_ipsec_la_sa_handle *i)
{
	struct g_ipsec_la_sa sa;
	int ret;

	ga_sa(&sa, spi);
	ret = ga_add(h, G_IPSEC_LA_IPSEC_OUTBOUND, &sa, o);
	if (ret)
		return ret;
	sa.cmn_flags = G_IPSEC_LA_SA_DO_ANTI_REPLAY_CHECK;
	sa.u.inb.anti_replay_window_size = 64;
	return ga_add(h, G_IPSEC_LA_IPSEC_INBOUND, &sa, i);
}

int ga_xf(struct g_ipsec_la_handle *h, int enc,
	  const struct g_ipsec_la_sa_handle *sh, const uint8_t *in,
	  uint32_t len, uint8_t *out, uint32_t *out_len)
{
	struct g_ipsec_la_data i = { (uint8_t *)in, len }, o = { out, *out_len };
	int ret = enc ? g_ipsec_la_packet_encap(h, 0, sh, 1, &i, &o, NULL) :
			g_ipsec_la_packet_decap(h, 0, sh, 1, &i, &o, NULL);

	*out_len = o.length;
	return ret;
}

int ga_count_sas(struct g_ipsec_la_handle *h, enum g_ipsec_la_sa_direction dir)
{
	struct g_ipsec_la_sa_handle hs[G_IPSEC_LA_MAX_SA_GET];
	struct g_ipsec_la_sa_get_inargs in = {
		.dir = dir, .operation = G_IPSEC_LA_SA_GET_FIRST_N,
		.num_sas = G_IPSEC_LA_MAX_SA_GET,
	};
	struct g_ipsec_la_sa_get_outargs out = { .handles = hs };
	int ret = g_ipsec_la_sa_get(h, &in, 0, &out, NULL);

	return ret ? ret : (int)out.num_sas;
}
