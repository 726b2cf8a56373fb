// SPDX-License-Identifier: BSD-3-Clause
/*
 * Packaging: the public header stands alone in C and C++, and the shared
 * library exports the g-API and nothing else.
 * GLA_HDR_DIR, GLA_SO, GLA_CC, GLA_CXX come from the Makefile.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"

static int run(const char *fmt, const char *compiler, const char *std)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), fmt, compiler, std, GLA_HDR_DIR);
	return system(cmd);
}

#define COMPILE "printf '#include <g_ipsec_la.h>\\nint x;\\n' | %s %s " \
	"-Wall -Wextra -Werror -pedantic -fsyntax-only -I%s -x %s - 2>&1"

START_TEST(header_alone_c)
{
	char fmt[512];

	snprintf(fmt, sizeof(fmt), COMPILE, "%s", "%s", "%s", "c");
	ck_assert_msg(run(fmt, GLA_CC, "-std=c99") == 0,
		      "g_ipsec_la.h does not compile alone as C99");
	ck_assert_msg(run(fmt, GLA_CC, "-std=gnu11") == 0,
		      "g_ipsec_la.h does not compile alone as gnu11");
}
END_TEST

START_TEST(header_alone_cxx)
{
	char fmt[512];

	snprintf(fmt, sizeof(fmt), COMPILE, "%s", "%s", "%s", "c++");
	ck_assert_msg(run(fmt, GLA_CXX, "-std=c++11") == 0,
		      "g_ipsec_la.h does not compile alone as C++11");
	ck_assert_msg(run(fmt, GLA_CXX, "-std=c++17") == 0,
		      "g_ipsec_la.h does not compile alone as C++17");
}
END_TEST

START_TEST(exports_only_g_api)
{
	static const char *const want[] = {
		"g_ipsec_la_get_api_version", "g_ipsec_la_open",
		"g_ipsec_la_create_group", "g_ipsec_la_delete_group",
		"g_ipsec_la_capabilities_get", "g_ipsec_la_sa_add",
		"g_ipsec_la_sa_del", "g_ipsec_la_packet_encap",
		"g_ipsec_la_packet_decap", "g_ipsec_la_close",
	};
	unsigned int found = 0, i, nsyms = 0;
	char line[512], type[8], name[256], addr[64], cmd[512];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "nm -D --defined-only %s", GLA_SO);
	f = popen(cmd, "r");
	ck_assert_msg(f != NULL, "cannot run nm");
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %7s %255s", addr, type, name) != 3)
			continue;
		if (!strcmp(type, "A"))	/* version node G_IPSEC_LA_1.0 */
			continue;
		nsyms++;
		*strchrnul(name, '@') = 0;
		ck_assert_msg(!strncmp(name, "g_ipsec_la_", 11),
			      "%s exports %s, which is not a g_ipsec_la_* symbol",
			      GLA_SO, name);
		for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
			if (!strcmp(name, want[i]))
				found |= 1u << i;
	}
	ck_assert_msg(pclose(f) == 0, "nm -D %s failed", GLA_SO);
	ck_assert_msg(nsyms > 0, "%s exports no symbol", GLA_SO);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_msg(found & (1u << i), "%s does not export %s", GLA_SO, want[i]);
}
END_TEST

Suite *suite_header(void)
{
	Suite *s = suite_create("packaging");
	TCase *tc = tcase_create("header-and-exports");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, header_alone_c);
	tcase_add_test(tc, header_alone_cxx);
	tcase_add_test(tc, exports_only_g_api);
	suite_add_tcase(s, tc);
	return s;
}
