/* SPDX-License-Identifier: BSD-3-Clause */
/* Guest interop with the kernel's XFRM ESP: shared declarations. */
#ifndef XFRM_TEST_H
#define XFRM_TEST_H

#include <stddef.h>
#include <stdint.h>

#include <g_ipsec_la.h>

/* The topology: root namespace (accelerator side, veth vxa) -- veth --
 * "vxk" (kernel XFRM side, veth vxb). Outer addresses of both families on
 * the veths, inner ones behind them (the kernel's on its loopback). */
#define XT_NS		"vxk"
#define XT_OUT_A4	"192.0.2.1"	/* root side, veth vxa */
#define XT_OUT_K4	"192.0.2.2"	/* kernel side, veth vxb */
#define XT_IN_A4	"10.1.0.1"	/* inner address "behind" the accelerator */
#define XT_IN_K4	"10.2.0.1"	/* inner address in the kernel namespace */
#define XT_OUT_A6	"2001:db8::1"
#define XT_OUT_K6	"2001:db8::2"
#define XT_IN_A6	"fd00:1::1"
#define XT_IN_K6	"fd00:2::1"
#define XT_MAC_K	"02:00:00:00:00:0b"	/* vxb: where vxa sends frames */
#define XT_NATT_PORT	4500

struct xt_case {
	const char *name;
	/* g-API side */
	int comb;			/* enum g_ipsec_la_comb_alg or 0 */
	int cipher, auth;		/* enums or 0 */
	uint8_t klen, salt, aklen;
	uint16_t icv_bits;
	/* ip xfrm side: kernel algorithm names ("aead"/"enc"/"auth-trunc") */
	const char *aead, *enc, *authx;
	/* SA shape: transport or tunnel; outer and inner IP version (inner
	 * is the outer one in transport mode); ESN; RFC 3948 UDP */
	int transport, outer, inner, esn, udp;
	/* 0, or the errno sa_add must give (negative), with the reason */
	int expect_err;
	const char *why;
	/*
	 * 0, or the outbound SA's path MTU with G_IPSEC_LA_FRAG_BEFORE: (a)
	 * sends a datagram too large for it, the kernel must decapsulate
	 * every ESP packet and reassemble the inner fragments.
	 */
	uint16_t frag_mtu;
};

extern const struct xt_case xt_cases[];
extern const size_t xt_ncases;

/* xfrm_net.c */
int xt_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int xt_topology_up(char *why, size_t len);
void xt_topology_down(void);
int xt_ns_enter(void);		/* returns 0; switches to XT_NS */
int xt_ns_leave(void);		/* back to the root namespace */
/* Sends an IPv4 or IPv6 packet out of vxa to vxb's MAC (no routing). */
int xt_send(const uint8_t *pkt, size_t len);
int xt_capture_open(void);
/* Waits up to ms for a packet received on vxa carrying ESP (bare or in UDP
 * to XT_NATT_PORT) with spi; copies the IP packet. Returns its length or
 * -1. */
int xt_capture_esp(int fd, uint32_t spi, uint8_t *buf, size_t cap, int ms);

#endif
