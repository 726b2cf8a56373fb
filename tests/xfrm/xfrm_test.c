// SPDX-License-Identifier: BSD-3-Clause
/*
 * vipsec_xfrm_test: interop of the accelerator (g-API, real
 * /dev/virtio-ipsec0) with the guest kernel's own ESP (XFRM, esp4/esp6)
 * over a veth pair into a network namespace, for the cases of
 * xfrm_cases.c (algorithms, tunnel/transport, IPv4/IPv6 mixes, ESN, UDP
 * encapsulation with a UDP_ENCAP socket on the kernel side):
 *  (a) the accelerator encapsulates, an AF_PACKET socket sends the ESP
 *      packet to the kernel side, and the kernel must deliver the inner UDP
 *      datagram to a socket;
 *  (b) the kernel encapsulates a UDP datagram (outbound policy), an
 *      AF_PACKET socket captures the ESP packet and the accelerator must
 *      decapsulate it to the datagram the kernel was given (every header
 *      field, checksum and payload byte checked) and refuse its replay.
 * Exit 0 pass, 1 fail, 77 skip (no device, no iproute2).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <glob.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <check.h>

#include "xfrm_test.h"

static struct g_ipsec_la_handle h;
static int cap_fd = -1;
/* Per-case resources, released by teardown_case() too: with CK_NOFORK a
 * failed assertion leaves run_case() early, and a socket still bound or an
 * SA still in the device would break every following case. */
static int rx = -1, natt = -1;
static struct g_ipsec_la_sa_handle so, si;
static int have_so, have_si;

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

/* The addresses of one case: outer (tunnel endpoints or, in transport
 * mode, the packet's own) and inner, "a" = accelerator side, "k" = kernel. */
struct xt_addrs {
	int of, inf;				/* AF_INET or AF_INET6 */
	const char *oa, *ok, *ia, *ik;		/* text for ip xfrm */
	uint8_t boa[16], bok[16], bia[16], bik[16];
};

static void addrs(const struct xt_case *c, struct xt_addrs *x)
{
	x->of = c->outer == 6 ? AF_INET6 : AF_INET;
	x->inf = c->transport ? x->of : c->inner == 6 ? AF_INET6 : AF_INET;
	x->oa = c->outer == 6 ? XT_OUT_A6 : XT_OUT_A4;
	x->ok = c->outer == 6 ? XT_OUT_K6 : XT_OUT_K4;
	if (c->transport) {
		x->ia = x->oa;
		x->ik = x->ok;
	} else {
		x->ia = c->inner == 6 ? XT_IN_A6 : XT_IN_A4;
		x->ik = c->inner == 6 ? XT_IN_K6 : XT_IN_K4;
	}
	inet_pton(x->of, x->oa, x->boa);
	inet_pton(x->of, x->ok, x->bok);
	inet_pton(x->inf, x->ia, x->bia);
	inet_pton(x->inf, x->ik, x->bik);
}

static void fill_sa(struct g_ipsec_la_sa *sa, const struct xt_case *c,
		    uint32_t spi, const uint8_t *src, const uint8_t *dst,
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
		sa->nat_info.src_port = XT_NATT_PORT;
		sa->nat_info.dest_port = XT_NATT_PORT;
	}
	sa->te_addr.src_ip.version = (uint8_t)c->outer;
	sa->te_addr.dest_ip.version = (uint8_t)c->outer;
	memcpy(c->outer == 6 ? sa->te_addr.src_ip.addr.ipv6 :
	       sa->te_addr.src_ip.addr.ipv4, src, c->outer == 6 ? 16 : 4);
	memcpy(c->outer == 6 ? sa->te_addr.dest_ip.addr.ipv6 :
	       sa->te_addr.dest_ip.addr.ipv4, dst, c->outer == 6 ? 16 : 4);
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

/*
 * The kernel's SAs and policies in the namespace. Tunnel mode: a selector
 * of the inner family (so 4in6/6in4 states get the right inner mode) and
 * host policies between the inner addresses. Transport mode: policies for
 * exactly the test's UDP flows, so neighbour discovery and the NAT-T
 * socket's own traffic stay in the clear. "proto 17": the initramfs has
 * no /etc/protocols for iproute2 to look "udp" up in.
 */
static int kernel_sas(const struct xt_case *c, const struct xt_addrs *x,
		      const char *alg, uint32_t spi_in, uint32_t spi_out)
{
	const char *esn = c->esn ? "flag esn replay-window 64" : "replay-window 64";
	const char *mode = c->transport ? "transport" : "tunnel";
	const char *ns = "/sbin/ip netns exec " XT_NS " /sbin/ip xfrm";
	int il = x->inf == AF_INET6 ? 128 : 32;
	char udp[64] = "", sel_in[160] = "", sel_out[160] = "";

	if (c->udp)
		snprintf(udp, sizeof(udp), "encap espinudp %d %d 0.0.0.0",
			 XT_NATT_PORT, XT_NATT_PORT);
	if (!c->transport) {
		snprintf(sel_in, sizeof(sel_in), "sel src %s dst %s", x->ia, x->ik);
		snprintf(sel_out, sizeof(sel_out), "sel src %s dst %s", x->ik, x->ia);
	}
	return xt_sh("%s state add src %s dst %s proto esp spi %#x mode %s %s %s %s %s",
		     ns, x->oa, x->ok, spi_in, mode, alg, esn, udp, sel_in) ||
	       xt_sh("%s state add src %s dst %s proto esp spi %#x mode %s %s %s %s %s",
		     ns, x->ok, x->oa, spi_out, mode, alg, esn, udp, sel_out) ||
	       xt_sh("%s policy add src %s/%d dst %s/%d proto 17 dport 5000 dir in"
		     " tmpl src %s dst %s proto esp mode %s", ns, x->ia, il,
		     x->ik, il, x->oa, x->ok, mode) ||
	       xt_sh("%s policy add src %s/%d dst %s/%d proto 17 sport 6001 dir out"
		     " tmpl src %s dst %s proto esp mode %s", ns, x->ik, il,
		     x->ia, il, x->ok, x->oa, mode);
}

static uint16_t csum_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static uint32_t csum_add(uint32_t s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

/* The UDP checksum over the pseudo header of an IPv4 or IPv6 packet. */
static uint16_t udp_csum(const uint8_t *ip, size_t hl, const uint8_t *udp,
			 size_t ulen)
{
	uint32_t s = IPPROTO_UDP + (uint32_t)ulen;

	s = ip[0] >> 4 == 6 ? csum_add(s, ip + 8, 32) : csum_add(s, ip + 12, 8);
	(void)hl;
	return csum_fold(csum_add(s, udp, ulen));
}

/* IPv4 or IPv6 / UDP ia:4000 -> ik:5000 with valid checksums. */
static size_t inner_packet(uint8_t *p, const struct xt_addrs *x,
			   const char *payload)
{
	size_t pl = strlen(payload), hl = x->inf == AF_INET6 ? 40 : 20;
	size_t ulen = 8 + pl, len = hl + ulen;
	uint8_t *u = p + hl;
	uint16_t c;

	memset(p, 0, hl + 8);
	if (x->inf == AF_INET6) {
		p[0] = 0x60;
		p[4] = (uint8_t)(ulen >> 8);
		p[5] = (uint8_t)ulen;
		p[6] = IPPROTO_UDP;
		p[7] = 64;
		memcpy(p + 8, x->bia, 16);
		memcpy(p + 24, x->bik, 16);
	} else {
		p[0] = 0x45;
		p[2] = (uint8_t)(len >> 8);
		p[3] = (uint8_t)len;
		p[8] = 64;
		p[9] = IPPROTO_UDP;
		memcpy(p + 12, x->bia, 4);
		memcpy(p + 16, x->bik, 4);
		c = csum_fold(csum_add(0, p, 20));
		p[10] = (uint8_t)(c >> 8);
		p[11] = (uint8_t)c;
	}
	u[0] = 4000 >> 8; u[1] = 4000 & 255;
	u[2] = 5000 >> 8; u[3] = 5000 & 255;
	u[4] = (uint8_t)(ulen >> 8);
	u[5] = (uint8_t)ulen;
	memcpy(u + 8, payload, pl);
	c = udp_csum(p, hl, u, ulen);
	c = c ? c : 0xffff;
	u[6] = (uint8_t)(c >> 8);
	u[7] = (uint8_t)c;
	return len;
}

static int udp_socket(int fam, const char *addr, int port)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons(port) };
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(fam, SOCK_DGRAM, 0);
	int r;

	if (fd < 0)
		return -1;
	if (fam == AF_INET6) {
		inet_pton(AF_INET6, addr, &a6.sin6_addr);
		r = bind(fd, (struct sockaddr *)&a6, sizeof(a6));
	} else {
		inet_pton(AF_INET, addr, &a4.sin_addr);
		r = bind(fd, (struct sockaddr *)&a4, sizeof(a4));
	}
	if (r) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The kernel decapsulates ESP in UDP only for a socket that asks for it. */
static int natt_socket(int fam, const char *addr)
{
	int fd = udp_socket(fam, addr, XT_NATT_PORT);
	int type = UDP_ENCAP_ESPINUDP;

	if (fd >= 0 && setsockopt(fd, SOL_UDP, UDP_ENCAP, &type, sizeof(type))) {
		fprintf(stderr, "xfrm-test: UDP_ENCAP: %s\n", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* The packet the accelerator decapsulated must be the kernel's datagram
 * ik:6001 -> ia:6000 carrying payload, with valid checksums. */
static void check_inner(const struct xt_case *c, const struct xt_addrs *x,
			const uint8_t *b, size_t n, const char *payload)
{
	size_t pl = strlen(payload), hl = x->inf == AF_INET6 ? 40 : 20;
	int v6 = x->inf == AF_INET6;
	const uint8_t *u = b + hl;

	ck_assert_msg(n == hl + 8 + pl, "%s: decapsulated %zu bytes, want %zu",
		      c->name, n, hl + 8 + pl);
	ck_assert_msg(b[0] >> 4 == (v6 ? 6 : 4) &&
		      b[v6 ? 6 : 9] == IPPROTO_UDP,
		      "%s: decapsulated packet is not IPv%d/UDP", c->name,
		      v6 ? 6 : 4);
	if (v6)
		ck_assert_msg(!memcmp(b + 8, x->bik, 16) &&
			      !memcmp(b + 24, x->bia, 16) &&
			      (size_t)(b[4] << 8 | b[5]) == 8 + pl,
			      "%s: inner IPv6 addresses/length", c->name);
	else
		ck_assert_msg(b[0] == 0x45 && !memcmp(b + 12, x->bik, 4) &&
			      !memcmp(b + 16, x->bia, 4) &&
			      (size_t)(b[2] << 8 | b[3]) == n &&
			      csum_fold(csum_add(0, b, 20)) == 0,
			      "%s: inner IPv4 header (addresses, length, "
			      "checksum)", c->name);
	ck_assert_msg((u[0] << 8 | u[1]) == 6001 && (u[2] << 8 | u[3]) == 6000 &&
		      (size_t)(u[4] << 8 | u[5]) == 8 + pl && !memcmp(u + 8, payload, pl),
		      "%s: inner UDP ports/length/payload", c->name);
	ck_assert_msg((!v6 && !u[6] && !u[7]) || udp_csum(b, hl, u, 8 + pl) == 0,
		      "%s: inner UDP checksum %02x%02x", c->name, u[6], u[7]);
}

static void send_from_kernel(const struct xt_case *c, const struct xt_addrs *x,
			     const char *payload)
{
	struct sockaddr_in6 t6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons(6000) };
	struct sockaddr_in t4 = { .sin_family = AF_INET, .sin_port = htons(6000) };
	struct sockaddr *to = x->inf == AF_INET6 ? (struct sockaddr *)&t6 :
			      (struct sockaddr *)&t4;
	socklen_t tl = x->inf == AF_INET6 ? sizeof(t6) : sizeof(t4);
	int tx;
	ssize_t r;

	inet_pton(AF_INET6, x->ia, &t6.sin6_addr);
	inet_pton(AF_INET, x->ia, &t4.sin_addr);
	ck_assert(!xt_ns_enter());
	tx = udp_socket(x->inf, x->ik, 6001);
	ck_assert(!xt_ns_leave());
	ck_assert_msg(tx >= 0, "%s: sender socket in the namespace", c->name);
	r = sendto(tx, payload, strlen(payload), 0, to, tl);
	ck_assert_msg(r > 0, "%s: kernel-side send: %s", c->name, strerror(errno));
	close(tx);
}

/*
 * FRAG_BEFORE output: complete ESP packets back to back, each as long as
 * its outer header says; each must fit the MTU and go out on its own.
 */
static void send_fragments(const struct xt_case *c, const uint8_t *esp,
			   uint32_t len)
{
	uint32_t off = 0, n = 0, tot;

	while (off < len) {
		const uint8_t *p = esp + off;

		tot = p[0] >> 4 == 6 ? 40u + (uint32_t)(p[4] << 8 | p[5]) :
				       (uint32_t)(p[2] << 8 | p[3]);
		ck_assert_msg(tot >= 20 && off + tot <= len && tot <= c->frag_mtu,
			      "%s: ESP packet %u: %u bytes at %u of %u (MTU %u)",
			      c->name, n, tot, off, len, c->frag_mtu);
		ck_assert_msg(!xt_send(p, tot), "%s: send %u", c->name, n);
		off += tot;
		n++;
	}
	ck_assert_msg(n >= 2, "%s: %u ESP packet(s): not fragmented", c->name,
		      n);
	printf("xfrm-test: %s: %u ESP packets of at most %u bytes\n", c->name,
	       n, c->frag_mtu);
}

static void run_case(const struct xt_case *c, int i)
{
	uint8_t ck[64], ak[64], pkt[2048], esp[2048], back[2048];
	struct g_ipsec_la_sa sa;
	uint32_t spi_in = 0x7000 + i, spi_out = 0x7800 + i;
	char alg[512], payload[1500], got[1600];
	struct g_ipsec_la_data din, dout;
	struct xt_addrs x;
	struct pollfd pf;
	size_t len;
	int ret, n;

	addrs(c, &x);
	keymat(c, i, ck, ak);
	fill_sa(&sa, c, spi_in, x.boa, x.bok, ck, ak);
	if (c->frag_mtu) {
		sa.path_mtu = c->frag_mtu;
		sa.frag_mode = G_IPSEC_LA_FRAG_BEFORE;
	}
	ret = add_sa(G_IPSEC_LA_IPSEC_OUTBOUND, &sa, &so);
	if (c->expect_err) {
		if (ret == 0)
			del_sa(G_IPSEC_LA_IPSEC_OUTBOUND, &so);
		ck_assert_msg(ret == c->expect_err,
			      "%s: expected %d (%s: listed in xfrm_cases.c), "
			      "sa_add returned %d%s", c->name, c->expect_err,
			      c->why, ret, ret == 0 ? ": the device supports it "
			      "now, update the list" : "");
		printf("xfrm-test: %s refused as expected (%d: %s)\n", c->name,
		       ret, c->why);
		return;
	}
	ck_assert_msg(ret == 0, "%s: outbound sa_add: %d (%s)", c->name, ret,
		      strerror(-ret));
	have_so = 1;
	fill_sa(&sa, c, spi_out, x.bok, x.boa, ck, ak);
	ret = add_sa(G_IPSEC_LA_IPSEC_INBOUND, &sa, &si);
	ck_assert_msg(ret == 0, "%s: inbound sa_add: %d (%s)", c->name, ret,
		      strerror(-ret));
	have_si = 1;
	xfrm_alg(alg, sizeof(alg), c, ck, ak);
	ck_assert_msg(!kernel_sas(c, &x, alg, spi_in, spi_out),
		      "%s: the guest kernel refused the XFRM state/policy "
		      "(algorithm %s%s%s; its crypto module missing?), see above",
		      c->name, c->aead ? c->aead : c->enc, c->aead ? "" : " + ",
		      c->aead ? "" : c->authx);

	/* (a) accelerator -> kernel */
	ck_assert(!xt_ns_enter());
	rx = udp_socket(x.inf, x.ik, 5000);
	if (c->udp)
		natt = natt_socket(x.of, x.ok);
	ck_assert(!xt_ns_leave());
	ck_assert_msg(rx >= 0, "%s: receiver socket in the namespace", c->name);
	ck_assert_msg(!c->udp || natt >= 0, "%s: UDP_ENCAP socket", c->name);
	snprintf(payload, sizeof(payload), "accelerator->kernel %s", c->name);
	if (c->frag_mtu) { /* larger than the path MTU */
		len = strlen(payload);
		memset(payload + len, '.', 1400 - len);
		payload[1400] = 0;
	}
	len = inner_packet(pkt, &x, payload);
	din = (struct g_ipsec_la_data){ pkt, (uint32_t)len };
	dout = (struct g_ipsec_la_data){ esp, sizeof(esp) };
	ret = g_ipsec_la_packet_encap(&h, 0, &so, 1, &din, &dout, NULL);
	ck_assert_msg(ret == 0, "%s: encap: %d", c->name, ret);
	if (c->frag_mtu)
		send_fragments(c, esp, dout.length);
	else
		ck_assert_msg(!xt_send(esp, dout.length), "%s: send", c->name);
	pf = (struct pollfd){ .fd = rx, .events = POLLIN };
	if (poll(&pf, 1, 3000) != 1) {
		xt_sh("/sbin/ip netns exec " XT_NS " /sbin/ip -s xfrm state;"
		      "/sbin/ip netns exec " XT_NS " cat /proc/net/xfrm_stat | grep -v ' 0$'");
		ck_abort_msg("%s: the kernel did not deliver the datagram the "
			     "accelerator encapsulated (state/stats above)",
			     c->name);
	}
	n = (int)recv(rx, got, sizeof(got), 0);
	ck_assert_msg(n == (int)strlen(payload) && !memcmp(got, payload, n),
		      "%s: kernel delivered %d bytes, not the payload", c->name, n);
	close(rx);
	rx = -1;

	/* (b) kernel -> accelerator */
	snprintf(payload, sizeof(payload), "kernel->accelerator %s", c->name);
	send_from_kernel(c, &x, payload);
	n = xt_capture_esp(cap_fd, spi_out, esp, sizeof(esp), 3000);
	ck_assert_msg(n > 0, "%s: no ESP packet with SPI %#x from the kernel",
		      c->name, spi_out);
	ck_assert_msg(!!c->udp == ((esp[0] >> 4 == 6 ? esp[6] : esp[9]) ==
				  IPPROTO_UDP), "%s: kernel's packet %s UDP "
		      "encapsulation", c->name, c->udp ? "lacks" : "has");
	din = (struct g_ipsec_la_data){ esp, (uint32_t)n };
	dout = (struct g_ipsec_la_data){ back, sizeof(back) };
	ret = g_ipsec_la_packet_decap(&h, 0, &si, 1, &din, &dout, NULL);
	ck_assert_msg(ret == 0, "%s: decap of the kernel's ESP packet: %d (%s)",
		      c->name, ret, strerror(-ret));
	check_inner(c, &x, back, dout.length, payload);
	/* The same packet again: the accelerator's window refuses it. */
	dout = (struct g_ipsec_la_data){ back, sizeof(back) };
	ret = g_ipsec_la_packet_decap(&h, 0, &si, 1, &din, &dout, NULL);
	ck_assert_msg(ret != 0, "%s: replay of the kernel's packet accepted",
		      c->name);
	printf("xfrm-test: %s: both directions ok\n", c->name);
}

/* Set an IPv4 header's TOS byte and fix its checksum. */
static void set_tos(uint8_t *ip, uint8_t tos)
{
	uint16_t c;

	ip[1] = tos;
	ip[10] = ip[11] = 0;
	c = csum_fold(csum_add(0, ip, 20));
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
}

/* The TOS byte of the next datagram on fd (IP_RECVTOS), or -1. */
static int recv_tos(int fd, char *buf, size_t cap, int *n)
{
	char cb[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { buf, cap };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = cb, .msg_controllen = sizeof(cb) };
	struct pollfd pf = { .fd = fd, .events = POLLIN };
	struct cmsghdr *c;

	if (poll(&pf, 1, 3000) != 1 || (*n = (int)recvmsg(fd, &m, 0)) < 0)
		return -1;
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TOS)
			return *(uint8_t *)CMSG_DATA(c);
	return -1;
}

/*
 * Issue 11: the tunnel header fields against the kernel's XFRM (AES-GCM,
 * IPv4 in IPv4). Accelerator -> kernel: outer TTL 5, TFC padding to 400
 * bytes and RFC 6040 ECN; the kernel must deliver the datagram, with the
 * inner ECN it had, and our outer ECN must be what the kernel's own
 * encapsulation writes for the same inner ECN (both copy ECT(0)/ECT(1)).
 * Kernel -> accelerator: with ECN and TTL decrement on the inbound SA,
 * the kernel's packet decapsulates with TTL - 1, and with its outer ECN
 * turned CE on the way, to an inner CE (RFC 6040 4.2).
 */
START_TEST(xfrm_header_fields)
{
	const struct xt_case *c = &xt_cases[0];
	uint8_t ck[64], ak[64], pkt[2048], esp[2048], back[2048], kern_ecn[4];
	uint32_t spi_in = 0x7f00, spi_out = 0x7f80;
	struct g_ipsec_la_data din, dout;
	struct g_ipsec_la_sa sa;
	char alg[512], payload[64], got[256];
	struct xt_addrs x;
	int ret, n, tos, on = 1, t;
	size_t len;

	ck_assert_msg(c->comb == G_IPSEC_LA_COMB_AES_GCM && !c->transport &&
		      c->outer == 4 && c->inner == 4, "xt_cases[0] changed");
	addrs(c, &x);
	keymat(c, 99, ck, ak);
	fill_sa(&sa, c, spi_in, x.boa, x.bok, ck, ak);
	sa.cmn_flags |= G_IPSEC_LA_SA_USE_ECN;
	sa.u.outb.ttl = 5;
	sa.u.outb.tfc_pad_to = 400;
	ck_assert_int_eq(add_sa(G_IPSEC_LA_IPSEC_OUTBOUND, &sa, &so), 0);
	have_so = 1;
	fill_sa(&sa, c, spi_out, x.bok, x.boa, ck, ak);
	sa.u.inb.flags = G_IPSEC_LA_INB_SA_PROPAGATE_ECN |
			 G_IPSEC_LA_INB_SA_DECREMENT_TTL;
	ck_assert_int_eq(add_sa(G_IPSEC_LA_IPSEC_INBOUND, &sa, &si), 0);
	have_si = 1;
	xfrm_alg(alg, sizeof(alg), c, ck, ak);
	ck_assert(!kernel_sas(c, &x, alg, spi_in, spi_out));

	/* the kernel's outer ECN for inner ECT(0) and ECT(1), from (b) */
	for (t = 1; t <= 2; t++) {
		struct sockaddr_in to = { .sin_family = AF_INET,
					  .sin_port = htons(6000) };
		int tx;

		inet_pton(AF_INET, x.ia, &to.sin_addr);
		ck_assert(!xt_ns_enter());
		tx = udp_socket(AF_INET, x.ik, 6001);
		ck_assert(!xt_ns_leave());
		ck_assert(tx >= 0);
		tos = t;
		ck_assert(!setsockopt(tx, IPPROTO_IP, IP_TOS, &tos, sizeof(tos)));
		snprintf(payload, sizeof(payload), "kernel ecn %d", t);
		ck_assert(sendto(tx, payload, strlen(payload), 0,
				 (struct sockaddr *)&to, sizeof(to)) > 0);
		close(tx);
		n = xt_capture_esp(cap_fd, spi_out, esp, sizeof(esp), 3000);
		ck_assert_msg(n > 0, "no ESP from the kernel");
		kern_ecn[t] = esp[1] & 3;
		din = (struct g_ipsec_la_data){ esp, (uint32_t)n };
		dout = (struct g_ipsec_la_data){ back, sizeof(back) };
		if (t == 2)
			set_tos(esp, (uint8_t)((esp[1] & 0xfc) | 3)); /* CE */
		ret = g_ipsec_la_packet_decap(&h, 0, &si, 1, &din, &dout, NULL);
		ck_assert_msg(ret == 0, "decap of the kernel's packet: %d", ret);
		ck_assert_msg(back[8] == 63 && csum_fold(csum_add(0, back, 20)) == 0,
			      "inner TTL %u (kernel sent 64) or checksum", back[8]);
		ck_assert_msg((back[1] & 3) == (t == 2 ? 3 : t),
			      "inner ECN %u after outer %s, want %u",
			      back[1] & 3, t == 2 ? "CE" : "ECT(1)",
			      t == 2 ? 3 : t);
	}

	/* (a) ours to the kernel: TTL, TFC, ECN as the kernel does it */
	ck_assert(!xt_ns_enter());
	rx = udp_socket(AF_INET, x.ik, 5000);
	ck_assert(!xt_ns_leave());
	ck_assert(rx >= 0);
	ck_assert(!setsockopt(rx, IPPROTO_IP, IP_RECVTOS, &on, sizeof(on)));
	for (t = 1; t <= 2; t++) {
		snprintf(payload, sizeof(payload), "accelerator ecn %d", t);
		len = inner_packet(pkt, &x, payload);
		set_tos(pkt, (uint8_t)t);
		din = (struct g_ipsec_la_data){ pkt, (uint32_t)len };
		dout = (struct g_ipsec_la_data){ esp, sizeof(esp) };
		ret = g_ipsec_la_packet_encap(&h, 0, &so, 1, &din, &dout, NULL);
		ck_assert_msg(ret == 0, "encap: %d", ret);
		ck_assert_msg(esp[8] == 5, "outer TTL %u, want 5", esp[8]);
		ck_assert_msg((esp[1] & 3) == kern_ecn[t],
			      "outer ECN %u for inner %d; the kernel writes %u",
			      esp[1] & 3, t, kern_ecn[t]);
		ck_assert_msg(dout.length >= 20 + 8 + 8 + 400 + 2 + 16,
			      "ESP of %u bytes: no TFC padding", dout.length);
		ck_assert(!xt_send(esp, dout.length));
		tos = recv_tos(rx, got, sizeof(got), &n);
		ck_assert_msg(n == (int)strlen(payload) &&
			      !memcmp(got, payload, (size_t)n),
			      "the kernel did not deliver the TFC-padded datagram");
		ck_assert_msg(tos >= 0 && (tos & 3) == t,
			      "the kernel delivered inner ECN %d, want %d",
			      tos & 3, t);
	}
	printf("xfrm-test: header fields (TTL, TFC, RFC 6040 ECN, TTL "
	       "decrement) ok\n");
}
END_TEST

START_TEST(xfrm_interop)
{
	run_case(&xt_cases[_i], _i);
	/* A failed case leaves state behind: clear it for the next one. */
}
END_TEST

static void teardown_case(void)
{
	int r;

	if (rx >= 0)
		close(rx);
	if (natt >= 0)
		close(natt);
	rx = natt = -1;
	if (have_so)
		del_sa(G_IPSEC_LA_IPSEC_OUTBOUND, &so);
	if (have_si)
		del_sa(G_IPSEC_LA_IPSEC_INBOUND, &si);
	have_so = have_si = 0;
	r = system("/sbin/ip netns exec " XT_NS " /sbin/ip xfrm state flush;"
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
	tcase_add_test(tc, xfrm_header_fields);
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
