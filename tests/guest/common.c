// SPDX-License-Identifier: BSD-3-Clause
/* Helpers shared by the in-guest suites: fixtures, packets, SAs, kmsg. */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../common/test_packet.h"
#include "guest.h"
#include "../lib/gapi.h"

const uint8_t gt_gcm_keymat[20] = {	/* AES-128 key || 4-byte salt */
	0xfe, 0xff, 0xe9, 0x92, 0x86, 0x65, 0x73, 0x1c,
	0x6d, 0x6a, 0x8f, 0x94, 0x67, 0x30, 0x83, 0x08,
	0xca, 0xfe, 0xba, 0xbe,
};

struct g_ipsec_la_handle gt_h;
static int kmsg_fd = -1;

const char *gt_dev_path(void)
{
	static char path[64];
	glob_t g;

	if (glob("/dev/virtio-ipsec[0-9]*", 0, NULL, &g))
		return NULL;
	snprintf(path, sizeof(path), "%s", g.gl_pathv[0]);
	globfree(&g);
	return path;
}

void gt_kmsg_mark(void)
{
	if (ga_accl)
		return;	/* on the host (vipsec_ioctl_host): no guest kernel */
	if (kmsg_fd < 0)
		kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg_fd >= 0)
		lseek(kmsg_fd, 0, SEEK_END);
}

void gt_kmsg_check(void)
{
	static const char *const bad[] = {
		"WARNING:", "BUG:", "Oops", "possible circular locking",
		"possible recursive locking", "suspicious RCU usage",
		"rcu_sched self-detected", "INFO: task", "general protection",
	};
	char rec[2048];
	ssize_t n;
	unsigned int i;

	if (kmsg_fd < 0)
		return;
	for (;;) {
		n = read(kmsg_fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* records overwritten; keep reading */
		if (n <= 0)
			break;
		rec[n] = 0;
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			ck_assert_msg(!strstr(rec, bad[i]),
				      "kernel log splat during this test: %s", rec);
	}
}

void gt_open(void)
{
	struct g_ipsec_la_open_inargs in;
	struct g_ipsec_la_open_outargs out;
	int ret;

	gt_kmsg_mark();
	memset(&in, 0, sizeof(in));
	in.app_identity = "vipsec_guest_test";
	ret = g_ipsec_la_open(G_IPSEC_LA_INSTANCE_SHARED, &in, &out);
	ck_assert_msg(ret == 0, "g_ipsec_la_open(SHARED) failed: %d (%s)",
		      ret, strerror(-ret));
	gt_h = out.handle;
}

void gt_close(void)
{
	ck_assert_msg(g_ipsec_la_close(&gt_h) == 0, "g_ipsec_la_close failed");
	gt_kmsg_check();
}

/* See tests/common/test_packet.h. */
void gt_build_packet(uint8_t *p, uint16_t len, uint8_t fill)
{
	vt_build_packet(p, len, fill);
}

void gt_fill_sa(struct g_ipsec_la_sa *sa, uint32_t spi)
{
	memset(sa, 0, sizeof(*sa));
	sa->spi = spi;
	sa->proto = G_IPSEC_LA_PROTO_ESP;
	sa->crypto_params.comb_algo = G_IPSEC_LA_COMB_AES_GCM;
	sa->crypto_params.comb_key = gt_gcm_keymat;
	sa->crypto_params.comb_key_len_bits = sizeof(gt_gcm_keymat) * 8;
	sa->crypto_params.icv_len_bits = 128;
	sa->te_addr.src_ip.version = 4;
	memcpy(sa->te_addr.src_ip.addr.ipv4, "\xc0\x00\x02\x01", 4);
	sa->te_addr.dest_ip.version = 4;
	memcpy(sa->te_addr.dest_ip.addr.ipv4, "\xc6\x33\x64\x01", 4);
}

int gt_add_sa(struct g_ipsec_la_handle *h, enum g_ipsec_la_sa_direction dir,
	      const struct g_ipsec_la_sa *sa, struct g_ipsec_la_sa_handle *sh)
{
	struct g_ipsec_la_sa_add_inargs in;
	struct g_ipsec_la_sa_add_outargs out;

	in.dir = dir;
	in.num_sas = 1;
	in.sa_params = sa;
	memset(&out, 0, sizeof(out));
	out.handles = sh;
	return g_ipsec_la_sa_add(h, &in, G_IPSEC_LA_CTRL_FLAG_SYNC, &out, NULL);
}

/* Outbound and inbound SA with the same keys and SPI (a loop-back pair). */
int gt_add_pair(struct g_ipsec_la_handle *h, uint32_t spi,
		struct g_ipsec_la_sa_handle *out, struct g_ipsec_la_sa_handle *in)
{
	struct g_ipsec_la_sa sa;
	int ret;

	gt_fill_sa(&sa, spi);
	ret = gt_add_sa(h, G_IPSEC_LA_IPSEC_OUTBOUND, &sa, out);
	if (ret)
		return ret;
	sa.cmn_flags = G_IPSEC_LA_SA_DO_ANTI_REPLAY_CHECK;
	sa.u.inb.anti_replay_window_size = 64;
	return gt_add_sa(h, G_IPSEC_LA_IPSEC_INBOUND, &sa, in);
}

static int xform(int enc, const struct g_ipsec_la_sa_handle *sh, const uint8_t *in,
		 uint32_t len, uint8_t *out, uint32_t *out_len)
{
	struct g_ipsec_la_data i = { (uint8_t *)in, len }, o = { out, *out_len };
	int ret;

	ret = enc ? g_ipsec_la_packet_encap(&gt_h, 0, sh, 1, &i, &o, NULL) :
		    g_ipsec_la_packet_decap(&gt_h, 0, sh, 1, &i, &o, NULL);
	*out_len = o.length;
	return ret;
}

int gt_encap(const struct g_ipsec_la_sa_handle *sh, const uint8_t *in,
	     uint32_t len, uint8_t *out, uint32_t *out_len)
{
	return xform(1, sh, in, len, out, out_len);
}

int gt_decap(const struct g_ipsec_la_sa_handle *sh, const uint8_t *in,
	     uint32_t len, uint8_t *out, uint32_t *out_len)
{
	return xform(0, sh, in, len, out, out_len);
}
