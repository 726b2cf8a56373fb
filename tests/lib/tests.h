/* SPDX-License-Identifier: BSD-3-Clause */
/* Host tests of libg_ipsec_la (no device needed). */
#ifndef GLA_TESTS_H
#define GLA_TESTS_H

#include <check.h>

Suite *suite_header(void);
Suite *suite_sa_wire(void);
Suite *suite_api(void);

#endif
