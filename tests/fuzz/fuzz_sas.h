/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fixed SA set the fuzz targets run against, and the request helpers
 * they share with the seed generator. Inbound SA i and outbound SA
 * i + FUZZ_NSAS use the same keys, so the generator's encapsulated
 * packets are valid input for the inbound SAs.
 *
 * SAs the engine refuses today (unsupported algorithm or option) are
 * simply absent: when an engine feature lands, its SA appears and the
 * fuzzers cover it without a change here.
 */
#ifndef FUZZ_SAS_H
#define FUZZ_SAS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "vipsec_core.h"

#define FUZZ_NSAS	14		/* inbound ids 1..N, outbound N+1..2N */
#define FUZZ_MAX_PKT	4096

struct vpe_core *fuzz_core_new(void);
/* Adds the SA set; returns a bit mask of the inbound ids (bit i-1) added. */
uint32_t fuzz_add_sas(struct vpe_core *core);
/* Adds inbound SA id i + 1 alone; false when the engine refuses it. */
int fuzz_add_inbound(struct vpe_core *core, int i);
/* One-packet data request; returns the packet status (or 0x100 + footer
 * status when the request itself was refused), output (OK and SOFT_EXPIRY)
 * in out/out_len. */
int fuzz_xform(struct vpe_core *core, uint16_t op, uint32_t sa_id,
	       const uint8_t *in, size_t in_len, uint8_t *out,
	       size_t *out_len);
/* A plausible inner IPv4 (version 4) or IPv6 (6) UDP packet of n bytes. */
size_t fuzz_inner_packet(int version, size_t n, uint8_t *buf);

#endif
