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

#include "vipsec_esp.h"

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
