/* SPDX-License-Identifier: BSD-3-Clause */
/* vipsec: the operators' tool for virtio-ipsec accelerators. */
#ifndef VIPSEC_CLI_H
#define VIPSEC_CLI_H

#include "g_ipsec_la.h"

int vipsec_cmd_list(int argc, char **argv);
int vipsec_cmd_sa(int argc, char **argv);
int vipsec_cmd_monitor(int argc, char **argv);

/* Every SA of every accelerator over netlink; -1: unavailable (vipsec_sa_dump.c). */
int vipsec_sa_dump(void);

/* Print SAs in the spirit of `ip xfrm state` (vipsec_sa.c). */
void vipsec_print_sa(const struct g_ipsec_la_sa *sa, uint32_t dir,
		     const struct g_ipsec_la_sa_handle *h);
void vipsec_print_stats(const struct g_ipsec_la_sa_stats *st);

#endif
