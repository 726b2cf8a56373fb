/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers shared by the packet-format suites (test_formats*.c). */
#ifndef VIPSEC_TEST_FORMATS_H
#define VIPSEC_TEST_FORMATS_H

#include "tests.h"

#define ENC VIRTIO_IPSEC_OP_ENCAP
#define DEC VIRTIO_IPSEC_OP_DECAP

/* What an SA pair of the format tests looks like. */
struct fmt_sa {
	uint8_t mode;		/* VIRTIO_IPSEC_MODE_* */
	uint8_t ipv;		/* outer (tunnel) / packet (transport): 4, 6 */
	uint32_t options;	/* VIRTIO_IPSEC_SA_OPT_* besides anti-replay */
	uint32_t window;	/* inbound anti-replay window, 0 = none */
	uint64_t initial_seq;
};

/* Wire params for one direction of f (AES-GCM-128, fixed key). */
void fmt_params(uint8_t p[PARAMS_SIZE], uint8_t dir, const struct fmt_sa *f);

/* A core with SA 1 outbound and SA 2 inbound as f describes. */
struct vpe_core *fmt_pair(const struct fmt_sa *f);

/* A complete IPv6 packet of len bytes, UDP payload, given traffic class. */
void make_ipv6(uint8_t *p, uint32_t len, uint8_t tclass, uint32_t salt);

/* Sets a valid UDP header with checksum at p + l4 of an IPv4/IPv6 packet. */
void set_udp(uint8_t *p, uint32_t len, uint32_t l4);

/* 1 when the TCP/UDP checksum of the packet's upper layer checks out. */
int l4_csum_ok(const uint8_t *p, uint32_t l4, uint32_t len, uint8_t proto);

#endif /* VIPSEC_TEST_FORMATS_H */
