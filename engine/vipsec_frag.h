/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vipsec_frag: fragment-before-IPsec for an outbound SA's path MTU
 * (vipsec_frag.c).
 */
#ifndef VPE_FRAG_H
#define VPE_FRAG_H

#include <stdbool.h>
#include <stdint.h>

#include "vipsec_crypto.h"
#include "vipsec_esp.h"
#include "vipsec_sa.h"

/*
 * true when the SA fragments this inner packet before encapsulating it:
 * FRAG_BEFORE, tunnel mode, IPv4 with DF clear, and its ESP packet would
 * exceed the path MTU.
 */
bool vpe_frag_wanted(const struct vpe_sa *sa, const uint8_t *in,
		     uint32_t in_len);

/*
 * Fragments the inner packet so that each ESP packet fits the path MTU
 * and encapsulates each, back to back into out. res as vpe_esp_encap's
 * (out_len: all packets; MTU when even the smallest fragment cannot fit;
 * DST_TOO_SMALL with the bytes needed). Returns
 * VIRTIO_IPSEC_WARN_FRAGMENTED on success, else 0.
 */
uint16_t vpe_frag_encap(struct vpe_crypto *c, struct vpe_sa *sa,
			const uint8_t *in, uint32_t in_len, uint8_t *out,
			uint32_t out_cap, struct vpe_esp_res *res);

#endif /* VPE_FRAG_H */
