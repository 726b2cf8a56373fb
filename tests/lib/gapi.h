/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * g-API conformance suites: every g-API function's success and error
 * paths. Built twice: on the host over the software accelerator
 * (tests/lib, ga_accl = "software") and in the guest over the real driver
 * and device (tests/guest, ga_accl = NULL: the first virtio-ipsec<N>).
 * A test that cannot run says so with GA_SKIP(reason): the skip is
 * counted as a skip, never as a pass, and fails the test unless it is one
 * of the expected skips listed in tests/lib/gapi_skip.c.
 */
#ifndef GA_GAPI_H
#define GA_GAPI_H

#include <check.h>
#include <stdint.h>

#include "g_ipsec_la.h"

extern const char *ga_accl;		/* accelerator under test */
extern struct g_ipsec_la_handle ga_h;	/* fixture: shared open */
extern struct g_ipsec_cap_get_outargs ga_caps;

void ga_setup(void);			/* open shared into ga_h, caps */
void ga_teardown(void);			/* close ga_h */
int ga_open(enum g_ipsec_la_mode mode, const char *app,
	    struct g_ipsec_la_handle *h);
int ga_has_feature(int bit);		/* VIRTIO_IPSEC_F_* negotiated */
/* gapi_skip.c: skip accounting; each runner calls ga_skip_init() before
 * srunner_run_all() and ga_skip_report() after it. */
void ga_skip_init(void);
void ga_skip(const char *test, const char *why);
unsigned int ga_skip_report(void);	/* prints "skipped: N of the ..." */
#define GA_SKIP(why) do { \
	ga_skip(__func__, why); \
	return; \
} while (0)

void ga_packet(uint8_t *p, uint16_t len, uint8_t fill);	/* IPv4 UDP */
void ga_sa(struct g_ipsec_la_sa *sa, uint32_t spi);		/* AES-GCM */
int ga_add(struct g_ipsec_la_handle *h, enum g_ipsec_la_sa_direction dir,
	   const struct g_ipsec_la_sa *sa, struct g_ipsec_la_sa_handle *sh);
int ga_pair(struct g_ipsec_la_handle *h, uint32_t spi,
	    struct g_ipsec_la_sa_handle *o, struct g_ipsec_la_sa_handle *i);
int ga_xf(struct g_ipsec_la_handle *h, int enc,
	  const struct g_ipsec_la_sa_handle *sh, const uint8_t *in,
	  uint32_t len, uint8_t *out, uint32_t *out_len);
int ga_count_sas(struct g_ipsec_la_handle *h,
		 enum g_ipsec_la_sa_direction dir);	/* via sa_get */

Suite *suite_gapi_mgmt(void);
Suite *suite_gapi_sa(void);
Suite *suite_gapi_data(void);
Suite *suite_gapi_async(void);
Suite *suite_gapi_state(void);
/* gapi_state.c: the failover round trip from @a to @b (fails the test) */
void ga_failover(struct g_ipsec_la_handle *a, struct g_ipsec_la_handle *b);
Suite *suite_gapi_errors(void);
Suite *suite_gapi_params(void);
Suite *suite_gapi_flow(void);
Suite *suite_gapi_ctrl_async(void);

#endif
