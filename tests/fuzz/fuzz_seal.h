/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Input format of fuzz_esp_seal (the structure-aware inbound target),
 * shared with the seed generator:
 *   struct seal_desc | payload bytes
 * The descriptor picks an algorithm row, the SA's options and parameters,
 * the ESP trailer and up to four sequence numbers; the payload is the
 * inner packet (tunnel) or upper-layer data (transport). The target turns
 * the parameters into a valid SA_ADD (ranges are folded into what the
 * ABI accepts, so the fuzzer's effort goes into the packet), seals the
 * payload with the SA's own key and sends it through DECAP, so that the
 * code after the ICV check (padding, next header, inner header, ECN,
 * TTL, selector, NAT-OA, replay, lifetimes) sees fuzzer-chosen plaintext.
 * Every field is a byte array: the layout has no padding.
 */
#ifndef FUZZ_SEAL_H
#define FUZZ_SEAL_H

#include <stdint.h>

/* seal_desc.sa_flags */
#define SEAL_TRANSPORT	(1u << 0)
#define SEAL_IPV6	(1u << 1)
#define SEAL_ESN	(1u << 2)
#define SEAL_REPLAY	(1u << 3)
#define SEAL_UDP	(1u << 4)
#define SEAL_ECN	(1u << 5)
#define SEAL_TFC	(1u << 6)
#define SEAL_SELECTOR	(1u << 7)
/* seal_desc.pkt_flags */
#define SEAL_DEC_TTL	(1u << 0)
#define SEAL_LIFETIME	(1u << 1)
#define SEAL_FIX_INNER	(1u << 2)	/* set the inner length fields */
#define SEAL_RAW_PADLEN	(1u << 3)	/* trailer pad length = pad_len */
#define SEAL_RAW_NH	(1u << 4)	/* trailer next header = next_hdr */
#define SEAL_BAD_PAD	(1u << 5)	/* xor one padding byte */
#define SEAL_NPKTS_SHIFT 6		/* bits 6-7: packets - 1 */
/* seal_desc.outer_extra */
#define SEAL_V6_HBH	(1u << 0)	/* IPv6 hop-by-hop header before ESP */
#define SEAL_V4_OPTS	(1u << 1)	/* IPv4 header with 4 option bytes */

struct seal_desc {
	uint8_t alg;			/* row of the target's table */
	uint8_t sa_flags, pkt_flags;
	uint8_t window[2];		/* le16: replay window - 1 */
	uint8_t sel_prefix;
	uint8_t sel_src[16];
	uint8_t nat_oa[16];
	uint8_t tfc_pad_to[2];		/* le16 */
	uint8_t udp_sport[2], udp_dport[2];	/* le16 */
	uint8_t life[6];		/* soft/hard packets, bytes/64, seconds */
	uint8_t tick;			/* seconds the clock moves after pkt 1 */
	uint8_t dscp_ttl;		/* outer TOS byte (ECN in bits 0-1) */
	uint8_t outer_extra;
	uint8_t pad_len, next_hdr, pad_xor, tfc_len;
	uint8_t seq[8];			/* le64: first sequence number */
	uint8_t seq_delta[3][2];	/* le16, signed: later packets */
};

#endif
