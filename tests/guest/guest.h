/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * In-guest tests of libg_ipsec_la over the real driver and device.
 */
#ifndef VIPSEC_GUEST_H
#define VIPSEC_GUEST_H

#include <check.h>
#include <stdint.h>

#include "g_ipsec_la.h"

#define SPI_A	0x0000a001u
#define SPI_B	0x0000b002u

extern const uint8_t gt_gcm_keymat[20];

/* fixture state of the suites that go through the library */
extern struct g_ipsec_la_handle gt_h;

void gt_open(void);			/* setup: open shared into gt_h */
void gt_close(void);			/* teardown: close, scan kernel log */
void gt_kmsg_mark(void);		/* start watching the kernel log */
void gt_kmsg_check(void);		/* fail on WARNING:/BUG:/lockdep/RCU */
const char *gt_dev_path(void);		/* first /dev/virtio-ipsec<N> */

void gt_build_packet(uint8_t *p, uint16_t len, uint8_t fill);
void gt_fill_sa(struct g_ipsec_la_sa *sa, uint32_t spi);
int gt_add_sa(struct g_ipsec_la_handle *h, enum g_ipsec_la_sa_direction dir,
	      const struct g_ipsec_la_sa *sa, struct g_ipsec_la_sa_handle *sh);
int gt_add_pair(struct g_ipsec_la_handle *h, uint32_t spi,
		struct g_ipsec_la_sa_handle *out, struct g_ipsec_la_sa_handle *in);
int gt_encap(const struct g_ipsec_la_sa_handle *sh, const uint8_t *in,
	     uint32_t len, uint8_t *out, uint32_t *out_len);
int gt_decap(const struct g_ipsec_la_sa_handle *sh, const uint8_t *in,
	     uint32_t len, uint8_t *out, uint32_t *out_len);

/* runner.c: the body of the Check programs; returns main's exit code */
int gt_run_suites(const char *prog, Suite *(*const suites[])(void),
		  unsigned int n);

Suite *suite_lifecycle(void);
Suite *suite_packets(void);
Suite *suite_ioctl(void);
Suite *suite_proc(void);
Suite *suite_unplug(void);

#endif
