/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vpe_test: hooks into a core for the engine's own unit tests, fuzzers
 * and benchmark (tests/unit, tests/fuzz, engine/bench), which then drive
 * the SA database and the ESP engine directly (vipsec_sa.h,
 * vipsec_esp.h). Not part of the public interface (vipsec_core.h): the
 * QEMU device and the library's software accelerator do not include it.
 */
#ifndef VPE_TEST_H
#define VPE_TEST_H

#include <stdbool.h>

#include "vipsec_core.h"

struct vpe_sadb;
struct vpe_crypto;

struct vpe_sadb *vpe_core_sadb(struct vpe_core *core);
struct vpe_crypto *vpe_core_crypto(struct vpe_core *core);

/*
 * false: vpe_esp_encap_burst() takes its general path for every packet,
 * never the outbound fast path (vipsec_esp_out_fast.c), so that tests
 * can run the same packets both ways and compare; true (the default):
 * the fast path where it applies. For the whole process.
 */
void vpe_esp_out_fast_set(bool on);

#endif /* VPE_TEST_H */
