// SPDX-License-Identifier: BSD-3-Clause
/*
 * vipsec_xfrm_test: interop of the accelerator (g-API, real
 * /dev/virtio-ipsec0) with the guest kernel's own ESP (XFRM, esp4) over a
 * veth pair into a network namespace:
 *  (a) the accelerator encapsulates, a raw socket sends the ESP packet to
 *      the kernel side, and the kernel must deliver the inner UDP datagram
 *      to a socket;
 *  (b) the kernel encapsulates a UDP datagram (outbound policy), an
 *      AF_PACKET socket captures the ESP packet and the accelerator must
 *      decapsulate it to the datagram the kernel was given.
 * Exit 0 pass, 1 fail, 77 skip (no device, no iproute2).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <glob.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <check.h>

#include "xfrm_test.h"

static struct g_ipsec_la_handle h;
static int cap_fd = -1;

static void hex(char *o, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(o + 2 * i, "%02x", p[i]);
	o[2 * n] = 0;
}

static void keymat(const struct xt_case *c, int i, uint8_t *ck, uint8_t *ak)
{
	for (int j = 0; j < c->klen + c->salt; j++)
		ck[j] = (uint8_t)(i * 13 + j * 7 + 1);
	for (int j = 0; j < c->aklen; j++)
		ak[j] = (uint8_t)(i * 17 + j * 5 + 3);
}

static void fill_sa(struct g_ipsec_la_sa *sa, const struct xt_case *c,
		    uint32_t spi, const char *src, const char *dst,
		    const uint8_t *ck, const uint8_t *ak)
{
	memset(sa, 0, sizeof(*sa));
	sa->spi = spi;
	sa->proto = G_IPSEC_LA_PROTO_ESP;
	if (c->comb) {
		sa->crypto_params.comb_algo = c->comb;
		sa->crypto_params.comb_key = ck;
		sa->crypto_params.comb_key_len_bits = (c->klen + c->salt) * 8;
		sa->crypto_params.icv_len_bits = c->icv_bits;
	} else {
		sa->crypto_params.cipher_algo = c->cipher;
		sa->crypto_params.cipher_key = ck;
		sa->crypto_params.cipher_key_len_bits = (c->klen + c->salt) * 8;
		sa->crypto_params.auth_algo = c->auth;
		sa->crypto_params.auth_key = ak;
		sa->crypto_params.auth_key_len_bits = c->aklen * 8;
	}
	if (c->esn)
		sa->cmn_flags |= G_IPSEC_LA_SA_USE_ESN;
	if (c->transport)
		sa->cmn_flags |= G_IPSEC_LA_SA_ENCAP_TRANSPORT_MODE;
	if (c->udp) {
		sa->cmn_flags |= G_IPSEC_LA_SA_DO_UDP_ENCAP_FOR_NAT_TRAVERSAL;
		sa->nat_info.src_port = 4500;
		sa->nat_info.dest_port = 4500;
	}
	sa->te_addr.src_ip.version = c->ipv6 ? 6 : 4;
	sa->te_addr.dest_ip.version = c->ipv6 ? 6 : 4;
	if (c->ipv6) {
		inet_pton(AF_INET6, "2001:db8::1", sa->te_addr.src_ip.addr.ipv6);
		inet_pton(AF_INET6, "2001:db8::2", sa->te_addr.dest_ip.addr.ipv6);
	} else {
		inet_pton(AF_INET, src, sa->te_addr.src_ip.addr.ipv4);
		inet_pton(AF_INET, dst, sa->te_addr.dest_ip.addr.ipv4);
	}
}

static int add_sa(enum g_ipsec_la_sa_direction dir, struct g_ipsec_la_sa *sa,
		  struct g_ipsec_la_sa_handle *sh)
{
	struct g_ipsec_la_sa_add_inargs in = { .dir = dir, .num_sas = 1,
					       .sa_params = sa };
	struct g_ipsec_la_sa_add_outargs out = { .handles = sh };

	if (dir == G_IPSEC_LA_IPSEC_INBOUND) {
		sa->cmn_flags |= G_IPSEC_LA_SA_DO_ANTI_REPLAY_CHECK;
		sa->u.inb.anti_replay_window_size = 64;
	}
	return g_ipsec_la_sa_add(&h, &in, G_IPSEC_LA_CTRL_FLAG_SYNC, &out, NULL);
}

static void del_sa(enum g_ipsec_la_sa_direction dir,
		   struct g_ipsec_la_sa_handle *sh)
{
	struct g_ipsec_la_sa_del_inargs in = { .dir = dir, .handle = sh };
	struct g_ipsec_la_sa_del_outargs out;

	g_ipsec_la_sa_del(&h, &in, G_IPSEC_LA_CTRL_FLAG_SYNC, &out, NULL);
}

/* "aead NAME 0xKEY ICV" or "enc NAME 0xKEY auth-trunc NAME 0xKEY ICV" */
static void xfrm_alg(char *o, size_t n, const struct xt_case *c,
		     const uint8_t *ck, const uint8_t *ak)
{
	char kh[200], ah[200];

	hex(kh, ck, c->klen + c->salt);
	hex(ah, ak, c->aklen);
	if (c->aead)
		snprintf(o, n, "aead '%s' 0x%s %u", c->aead, kh, c->icv_bits);
	else
		snprintf(o, n, "enc '%s' %s%s auth-trunc '%s' 0x%s %u", c->enc,
			 c->klen ? "0x" : "\"\"", kh, c->authx, ah, c->icv_bits);
}

static int kernel_sas(const struct xt_case *c, const char *alg, uint32_t spi_in,
		      uint32_t spi_out)
{
	const char *esn = c->esn ? "flag esn replay-window 64" : "replay-window 64";
	const char *udp = c->udp ? "encap espinudp 4500 4500 0.0.0.0" : "";
	const char *ns = "/sbin/ip netns exec " XT_NS " /sbin/ip xfrm";

	return xt_sh("%s state add src " XT_OUT_A " dst " XT_OUT_K
		     " proto esp spi %#x mode tunnel %s %s %s", ns, spi_in, alg,
		     esn, udp) ||
	       xt_sh("%s state add src " XT_OUT_K " dst " XT_OUT_A
		     " proto esp spi %#x mode tunnel %s %s %s", ns, spi_out, alg,
		     c->esn ? "flag esn" : "", udp) ||
	       xt_sh("%s policy add src " XT_IN_A "/32 dst " XT_IN_K "/32 dir in"
		     " tmpl src " XT_OUT_A " dst " XT_OUT_K
		     " proto esp mode tunnel", ns) ||
	       xt_sh("%s policy add src " XT_IN_K "/32 dst " XT_IN_A "/32 dir out"
		     " tmpl src " XT_OUT_K " dst " XT_OUT_A
		     " proto esp mode tunnel", ns);
}

static uint16_t ip_csum(const uint8_t *p)
{
	uint32_t s = 0;

	for (int i = 0; i < 20; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* IPv4/UDP XT_IN_A:4000 -> XT_IN_K:5000, UDP checksum 0 (allowed). */
static size_t inner_packet(uint8_t *p, const char *payload)
{
	size_t pl = strlen(payload), len = 28 + pl;
	uint16_t c;

	memset(p, 0, 28);
	p[0] = 0x45;
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	p[8] = 64;
	p[9] = 17;
	inet_pton(AF_INET, XT_IN_A, p + 12);
	inet_pton(AF_INET, XT_IN_K, p + 16);
	c = ip_csum(p);
	p[10] = (uint8_t)(c >> 8);
	p[11] = (uint8_t)c;
	p[20] = 4000 >> 8; p[21] = 4000 & 255;
	p[22] = 5000 >> 8; p[23] = 5000 & 255;
	p[24] = (uint8_t)((8 + pl) >> 8);
	p[25] = (uint8_t)(8 + pl);
	memcpy(p + 28, payload, pl);
	return len;
}

static int udp_socket(const char *addr, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	inet_pton(AF_INET, addr, &a.sin_addr);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a))) {
		close(fd);
		return -1;
	}
	return fd;
}

static void run_case(const struct xt_case *c, int i)
{
	uint8_t ck[64], ak[64], pkt[2048], esp[2048], back[2048];
	struct g_ipsec_la_sa sa;
	struct g_ipsec_la_sa_handle so, si;
	uint32_t spi_in = 0x7000 + i, spi_out = 0x7800 + i;
	char alg[512], payload[96], got[256];
	struct g_ipsec_la_data din, dout;
	struct pollfd pf;
	size_t len;
	int ret, rx, tx, n;

	keymat(c, i, ck, ak);
	fill_sa(&sa, c, spi_in, XT_OUT_A, XT_OUT_K, ck, ak);
	ret = add_sa(G_IPSEC_LA_IPSEC_OUTBOUND, &sa, &so);
	if (c->expect_notsupp) {
		if (ret == 0)
			del_sa(G_IPSEC_LA_IPSEC_OUTBOUND, &so);
		ck_assert_msg(ret == -EOPNOTSUPP,
			      "%s: expected -EOPNOTSUPP (listed unsupported in "
			      "xfrm_cases.c), sa_add returned %d%s", c->name, ret,
			      ret == 0 ? ": the device supports it now, update "
			      "the list (transport/IPv6: extend this test)" : "");
		return;
	}
	ck_assert_msg(ret == 0, "%s: outbound sa_add: %d (%s)", c->name, ret,
		      strerror(-ret));
	fill_sa(&sa, c, spi_out, XT_OUT_K, XT_OUT_A, ck, ak);
	ret = add_sa(G_IPSEC_LA_IPSEC_INBOUND, &sa, &si);
	ck_assert_msg(ret == 0, "%s: inbound sa_add: %d (%s)", c->name, ret,
		      strerror(-ret));
	xfrm_alg(alg, sizeof(alg), c, ck, ak);
	ck_assert_msg(!kernel_sas(c, alg, spi_in, spi_out),
		      "%s: the guest kernel refused the XFRM state/policy "
		      "(algorithm %s%s%s; its crypto module missing?), see above",
		      c->name, c->aead ? c->aead : c->enc, c->aead ? "" : " + ",
		      c->aead ? "" : c->authx);

	/* (a) accelerator -> kernel */
	ck_assert(!xt_ns_enter());
	rx = udp_socket(XT_IN_K, 5000);
	ck_assert(!xt_ns_leave());
	ck_assert_msg(rx >= 0, "receiver socket in the namespace");
	snprintf(payload, sizeof(payload), "accelerator->kernel %s", c->name);
	len = inner_packet(pkt, payload);
	din = (struct g_ipsec_la_data){ pkt, (uint32_t)len };
	dout = (struct g_ipsec_la_data){ esp, sizeof(esp) };
	ret = g_ipsec_la_packet_encap(&h, 0, &so, 1, &din, &dout, NULL);
	ck_assert_msg(ret == 0, "%s: encap: %d", c->name, ret);
	ck_assert_msg(!xt_raw_send(esp, dout.length), "%s: raw send", c->name);
	pf = (struct pollfd){ .fd = rx, .events = POLLIN };
	ck_assert_msg(poll(&pf, 1, 3000) == 1,
		      "%s: the kernel did not deliver the datagram the "
		      "accelerator encapsulated (ip -s xfrm state shows why)",
		      c->name);
	n = (int)recv(rx, got, sizeof(got), 0);
	ck_assert_msg(n == (int)strlen(payload) && !memcmp(got, payload, n),
		      "%s: kernel delivered %d bytes, not the payload", c->name, n);
	close(rx);

	/* (b) kernel -> accelerator */
	ck_assert(!xt_ns_enter());
	tx = udp_socket(XT_IN_K, 6001);
	ck_assert(!xt_ns_leave());
	ck_assert_msg(tx >= 0, "sender socket in the namespace");
	snprintf(payload, sizeof(payload), "kernel->accelerator %s", c->name);
	{
		struct sockaddr_in to = { .sin_family = AF_INET,
					  .sin_port = htons(6000) };

		inet_pton(AF_INET, XT_IN_A, &to.sin_addr);
		ck_assert_msg(sendto(tx, payload, strlen(payload), 0,
				     (struct sockaddr *)&to, sizeof(to)) > 0,
			      "%s: kernel-side send: %s", c->name, strerror(errno));
	}
	n = xt_capture_esp(cap_fd, spi_out, esp, sizeof(esp), 3000);
	close(tx);
	ck_assert_msg(n > 0, "%s: no ESP packet with SPI %#x from the kernel",
		      c->name, spi_out);
	din = (struct g_ipsec_la_data){ esp, (uint32_t)n };
	dout = (struct g_ipsec_la_data){ back, sizeof(back) };
	ret = g_ipsec_la_packet_decap(&h, 0, &si, 1, &din, &dout, NULL);
	ck_assert_msg(ret == 0, "%s: decap of the kernel's ESP packet: %d (%s)",
		      c->name, ret, strerror(-ret));
	len = strlen(payload);
	ck_assert_msg(dout.length == 28 + len && back[0] == 0x45 && back[9] == 17 &&
		      !memcmp(back + 12, "\x0a\x02\x00\x01\x0a\x01\x00\x01", 8) &&
		      back[20] == 6001 >> 8 && back[21] == (6001 & 255) &&
		      back[22] == 6000 >> 8 && back[23] == (6000 & 255) &&
		      !memcmp(back + 28, payload, len),
		      "%s: decapsulated packet (%u bytes) is not the kernel's "
		      "datagram", c->name, dout.length);
	ck_assert_msg(ip_csum(back) == 0, "%s: inner IPv4 checksum", c->name);

	del_sa(G_IPSEC_LA_IPSEC_OUTBOUND, &so);
	del_sa(G_IPSEC_LA_IPSEC_INBOUND, &si);
	xt_sh("/sbin/ip netns exec " XT_NS " /sbin/ip xfrm state flush");
	xt_sh("/sbin/ip netns exec " XT_NS " /sbin/ip xfrm policy flush");
}

START_TEST(xfrm_interop)
{
	run_case(&xt_cases[_i], _i);
	/* A failed case leaves state behind: clear it for the next one. */
}
END_TEST

static void teardown_case(void)
{
	int r = system("/sbin/ip netns exec " XT_NS " /sbin/ip xfrm state flush;"
		       "/sbin/ip netns exec " XT_NS " /sbin/ip xfrm policy flush");

	(void)r;	/* best effort: the namespace may be gone */
}

int main(void)
{
	struct g_ipsec_la_open_inargs oi = { .app_identity = "vipsec_xfrm_test" };
	struct g_ipsec_la_open_outargs oo;
	char why[128];
	glob_t g;
	Suite *s;
	TCase *tc;
	SRunner *sr;
	int nf, ret;

	if (glob("/dev/virtio-ipsec[0-9]*", 0, NULL, &g)) {
		printf("SKIP: no /dev/virtio-ipsec* device\n");
		return 77;
	}
	globfree(&g);
	if (xt_topology_up(why, sizeof(why))) {
		printf("SKIP: %s\n", why);
		xt_topology_down();
		return 77;
	}
	cap_fd = xt_capture_open();
	ret = g_ipsec_la_open(G_IPSEC_LA_INSTANCE_SHARED, &oi, &oo);
	if (cap_fd < 0 || ret) {
		printf("xfrm-test: setup failed (capture %d, open %d)\n", cap_fd, ret);
		xt_topology_down();
		return 1;
	}
	h = oo.handle;
	s = suite_create("xfrm-interop");
	tc = tcase_create("kernel-esp");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, NULL, teardown_case);
	tcase_add_loop_test(tc, xfrm_interop, 0, (int)xt_ncases);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_VERBOSE);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	g_ipsec_la_close(&h);
	close(cap_fd);
	xt_topology_down();
	return nf ? 1 : 0;
}
