/* SPDX-License-Identifier: BSD-3-Clause */
/* Guest interop with the kernel's XFRM ESP: shared declarations. */
#ifndef XFRM_TEST_H
#define XFRM_TEST_H

#include <stddef.h>
#include <stdint.h>

#include <g_ipsec_la.h>

/* The topology: root namespace (accelerator side) -- veth -- "vxk"
 * (kernel XFRM side). Outer addresses on the veth, inner on loopbacks. */
#define XT_NS		"vxk"
#define XT_OUT_A	"192.0.2.1"	/* root side, veth vxa */
#define XT_OUT_K	"192.0.2.2"	/* kernel side, veth vxb */
#define XT_IN_A		"10.1.0.1"	/* inner address "behind" the accelerator */
#define XT_IN_K		"10.2.0.1"	/* inner address in the kernel namespace */

struct xt_case {
	const char *name;
	/* g-API side */
	int comb;			/* enum g_ipsec_la_comb_alg or 0 */
	int cipher, auth;		/* enums or 0 */
	uint8_t klen, salt, aklen;
	uint16_t icv_bits;
	int esn, udp, transport, ipv6;
	/* ip xfrm side: kernel algorithm names ("aead"/"enc"/"auth-trunc") */
	const char *aead, *enc, *authx;
	/* 1 when the device is expected to refuse the SA today (NOTSUPP) */
	int expect_notsupp;
};

extern const struct xt_case xt_cases[];
extern const size_t xt_ncases;

/* xfrm_net.c */
int xt_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int xt_topology_up(char *why, size_t len);
void xt_topology_down(void);
int xt_ns_enter(void);		/* returns 0; switches to XT_NS */
int xt_ns_leave(void);		/* back to the root namespace */
int xt_raw_send(const uint8_t *pkt, size_t len);
int xt_capture_open(void);
/* Waits up to ms for an IPv4 ESP (or UDP 4500) packet with spi; copies
 * the IP packet. Returns its length or -1. */
int xt_capture_esp(int fd, uint32_t spi, uint8_t *buf, size_t cap, int ms);

#endif
