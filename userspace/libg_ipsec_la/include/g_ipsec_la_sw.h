/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * g_ipsec_la_sw.h - the software accelerator of libg_ipsec_la.
 *
 * An in-process accelerator over the same ESP engine as the virtio-ipsec
 * device, following the guest driver's rules, for developing a VNF where
 * no device is present. It is in its own static archive so that a VNF
 * that never uses it does not link the engine:
 *
 *   cc vnf.c -lg_ipsec_la_sw -l:libg_ipsec_la.a -lIPSec_MB -lpthread
 *   (the static libg_ipsec_la.a: the accelerator uses library internals
 *   that the shared library does not export)
 *   (pkg-config --static --libs g_ipsec_la_sw)
 *
 * and it is opt-in twice: the application registers it once, then opens it
 * by name (struct g_ipsec_la_open_inargs.accl_name = "software",
 * G_IPSEC_LA_SOFTWARE_NAME). Without the registration that name is
 * -ENODEV, and the lists do not show it.
 */
#ifndef G_IPSEC_LA_SW_H
#define G_IPSEC_LA_SW_H

#include <stdint.h>

#include "g_ipsec_la.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * g_ipsec_la_software_register() - make the software accelerator available.
 *
 * Thread-safe; a second call is a no-op.
 * Return: 0, or -ENOSPC when the library's backend table is full.
 */
int32_t g_ipsec_la_software_register(void);

#ifdef __cplusplus
}
#endif

#endif /* G_IPSEC_LA_SW_H */
