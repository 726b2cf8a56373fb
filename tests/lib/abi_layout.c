// SPDX-License-Identifier: BSD-3-Clause
/*
 * The layout of the public structs of G_IPSEC_LA_1.0 (LP64), fixed at
 * compile time: a change that moves or resizes a field an application
 * compiled against 1.0 passes in fails this file's build. Structs that
 * may grow end in reserved space (must be 0 for inputs, written as 0 for
 * outputs); the asserts below also keep that space last, so a new field
 * is carved out of it and the size stays. Other structs grow only with a
 * new symbol version (libg_ipsec_la.map).
 */
#include <stddef.h>

#include "g_ipsec_la.h"
#include "tests.h"

#if defined(__x86_64__) || defined(__aarch64__)
#define GLA_ABI_SIZE(t, n) \
	_Static_assert(sizeof(struct t) == (n), "ABI: struct " #t " changed size")
/* only alignment padding may follow the reserved space */
#define GLA_ABI_TAIL(t) \
	_Static_assert(sizeof(struct t) - offsetof(struct t, reserved) - \
		       sizeof(((struct t *)0)->reserved) < _Alignof(struct t), \
		       "ABI: struct " #t ": reserved space must stay last")

GLA_ABI_SIZE(g_ipsec_la_handle, 64);
GLA_ABI_SIZE(g_ipsec_la_sa_handle, 32);
GLA_ABI_SIZE(g_ipsec_la_resp_args, 24);
GLA_ABI_SIZE(g_ipsec_la_open_inargs, 80);
GLA_ABI_SIZE(g_ipsec_la_open_outargs, 64);
GLA_ABI_SIZE(g_ipsec_la_create_group_inargs, 8);
GLA_ABI_SIZE(g_ipsec_la_create_group_outargs, 32);
/* an ASYNC create_group's callback outargs: the seed's, then result */
GLA_ABI_SIZE(g_ipsec_la_create_group_cb_outargs, 36);
_Static_assert(offsetof(struct g_ipsec_la_create_group_cb_outargs, result) ==
		       sizeof(struct g_ipsec_la_create_group_outargs),
	       "ABI: create_group_cb_outargs begins as create_group_outargs");
GLA_ABI_SIZE(g_ipsec_la_capabilities, 80);
GLA_ABI_SIZE(g_ip_addr, 20);
GLA_ABI_SIZE(g_ipsec_la_sa_crypto_params, 56);
GLA_ABI_SIZE(g_ipsec_la_sa, 256);
GLA_ABI_SIZE(g_ipsec_la_sa_add_inargs, 16);
GLA_ABI_SIZE(g_ipsec_la_sa_add_outargs, 16);
GLA_ABI_SIZE(g_ipsec_la_sa_del_inargs, 16);
GLA_ABI_SIZE(g_ipsec_la_data, 16);
GLA_ABI_SIZE(g_ipsec_la_packet, 16);
GLA_ABI_SIZE(g_ipsec_la_pkt_result, 20);
GLA_ABI_SIZE(g_ipsec_la_packet_outargs, 16);
GLA_ABI_SIZE(g_ipsec_la_sa_mod_inargs, 48);
GLA_ABI_SIZE(g_ipsec_la_sa_stats, 88);
GLA_ABI_SIZE(g_ipsec_la_sa_get_inargs, 32);
/* 1.0's 40 bytes, then state (1.1), read only with SA_GET_STATE */
GLA_ABI_SIZE(g_ipsec_la_sa_get_outargs, 48);
_Static_assert(offsetof(struct g_ipsec_la_sa_get_outargs, state) == 40,
	       "ABI: sa_get_outargs keeps 1.0's layout before state");
GLA_ABI_SIZE(g_ipsec_la_notification_hooks, 24);
GLA_ABI_SIZE(g_ipsec_la_lifetime_in_bytes_notification, 56);
GLA_ABI_SIZE(g_ipsec_la_accl_info, 40);
GLA_ABI_SIZE(g_ipsec_la_active_accl_info, 3184);

/* G_IPSEC_LA_1.1: SA state, event hooks, error event limits */
GLA_ABI_SIZE(g_ipsec_la_lifetime, 24);
GLA_ABI_SIZE(g_ipsec_la_sa_state, 640);
GLA_ABI_SIZE(g_ipsec_la_sa_event_notification, 72);
GLA_ABI_SIZE(g_ipsec_la_event_hooks, 40);
GLA_ABI_SIZE(g_ipsec_la_error_events_cfg, 32);
GLA_ABI_TAIL(g_ipsec_la_sa_state);
GLA_ABI_TAIL(g_ipsec_la_sa_event_notification);
GLA_ABI_TAIL(g_ipsec_la_error_events_cfg);

GLA_ABI_TAIL(g_ipsec_la_open_inargs);
GLA_ABI_TAIL(g_ipsec_la_sa);
GLA_ABI_TAIL(g_ipsec_la_capabilities);
GLA_ABI_TAIL(g_ipsec_la_sa_stats);
_Static_assert(sizeof(((struct g_ipsec_la_open_inargs *)0)->reserved) >= 32,
	       "ABI: open_inargs keeps room for 8 words");
_Static_assert(sizeof(((struct g_ipsec_la_sa *)0)->reserved) >= 28,
	       "ABI: g_ipsec_la_sa keeps room for 7 words");

/* G_IPSEC_LA_1.1 */
GLA_ABI_SIZE(g_ipsec_la_error_info, 88);
GLA_ABI_TAIL(g_ipsec_la_error_info);
#endif
