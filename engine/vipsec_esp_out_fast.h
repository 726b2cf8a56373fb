/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vipsec_esp_out_fast: the outbound fast path for the common case
 * (tunnel mode, outer IPv4, AES-GCM, no UDP encapsulation, no TFC
 * padding) and the pieces of vipsec_esp_out.c it shares. Engine-private.
 */
#ifndef VPE_ESP_OUT_FAST_H
#define VPE_ESP_OUT_FAST_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "vipsec_esp.h"
#include "vipsec_ipv4.h"
#include "vipsec_ipv6.h"
#include "vipsec_sa.h"

/* IPv4 template: where its constant words' sum is kept (vpe_esp_tmpl_init). */
#define VPE_TMPL4_SUM VPE_IPV4_HLEN
_Static_assert(VPE_IPV4_HLEN + sizeof(uint32_t) <= VPE_IPV6_HLEN,
	       "the IPv4 template's sum fits the template");

/*
 * The outer IPv4 header from the SA's template: a fixed-size copy, the
 * per-packet fields, and the checksum as the template's precomputed sum
 * plus those fields (RFC 1071), inline. The same bytes as
 * vpe_ipv4_write_outer_proto(), without its call and its sum over the
 * addresses on every packet. Both outbound paths write it (vipsec_esp_out.c,
 * vipsec_esp_out_fast.c).
 */
static inline void vpe_esp_write_outer4(uint8_t *out, const struct vpe_sa *sa,
					uint8_t tos, uint16_t tot_len,
					uint16_t id, bool df, uint8_t proto)
{
	uint16_t frag = df ? VPE_IP_DF : 0;
	uint32_t sum;

	memcpy(&sum, sa->tmpl + VPE_TMPL4_SUM, sizeof(sum));
	sum += tos + tot_len + id + frag + proto;

	memcpy(out, sa->tmpl, VPE_IPV4_HLEN);
	out[1] = tos;
	vpe_put_be16(out + 2, tot_len);
	vpe_put_be16(out + 4, id);
	vpe_put_be16(out + 6, frag);
	out[9] = proto;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	vpe_put_be16(out + 10, (uint16_t)~sum);
}

/*
 * vipsec_esp_out.c: reserves up to k consecutive outbound sequence
 * numbers of sa for a run of its packets; returns how many it got, the
 * first in *first, and stops the SA when it got fewer than k.
 */
uint64_t vpe_esp_reserve(struct vpe_sa *sa, uint64_t k, uint64_t *first);

/*
 * True when the fast path takes sa's packets: decided once per run of
 * packets of one SA from the SA and its key alone, never from a packet.
 */
bool vpe_esp_out_fast_ok(const struct vpe_crypto *c, const struct vpe_sa *sa);

/*
 * Encapsulates the head of p[0..n-1] that is made of whole runs whose
 * SAs vpe_esp_out_fast_ok() takes: returns how many packets that was
 * (0 when the first run is not one), each with exactly the result,
 * bytes and SA side effects vpe_esp_encap_burst()'s general path gives.
 */
unsigned int vpe_esp_out_fast(struct vpe_crypto *c, const struct vpe_esp_pkt *p,
			      unsigned int n, struct vpe_esp_res *res);

#endif /* VPE_ESP_OUT_FAST_H */
