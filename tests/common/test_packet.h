/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The inner packet every test suite feeds the accelerator: IPv4
 * 10.1.0.1 -> 10.2.0.1, UDP 5000 -> 6000 from 28 bytes on (below that,
 * protocol 253, "experimental", so 20..27-byte packets are still valid
 * IPv4), a correct header checksum, UDP checksum 0, and a payload that
 * depends on @fill so packets of one run differ.
 *
 * Header-only so that every test tree (host and guest, each with its own
 * Makefile) includes it by relative path without linking anything.
 */
#ifndef VIPSEC_TEST_PACKET_H
#define VIPSEC_TEST_PACKET_H

#include <stdint.h>
#include <string.h>

static inline uint16_t vt_ip_csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* len >= 20 bytes. */
static inline void vt_build_packet(uint8_t *p, uint16_t len, uint8_t fill)
{
	uint16_t c, i;

	memset(p, 0, 20);
	p[0] = 0x45;
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	p[4] = fill;
	p[8] = 64;
	p[9] = len >= 28 ? 17 : 253;
	memcpy(p + 12, "\x0a\x01\x00\x01\x0a\x02\x00\x01", 8);
	c = vt_ip_csum(p, 20);
	p[10] = (uint8_t)(c >> 8);
	p[11] = (uint8_t)c;
	for (i = 20; i < len; i++)
		p[i] = (uint8_t)(fill * 7 + i);
	if (len >= 28) {
		memcpy(p + 20, "\x13\x88\x17\x70", 4);	/* 5000 -> 6000 */
		p[24] = (uint8_t)((len - 20) >> 8);
		p[25] = (uint8_t)(len - 20);
		p[26] = p[27] = 0;
	}
}

#endif /* VIPSEC_TEST_PACKET_H */
