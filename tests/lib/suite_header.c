// SPDX-License-Identifier: BSD-3-Clause
/*
 * Packaging: the public header stands alone in C and C++, and the shared
 * library exports exactly the versioned symbols of libg_ipsec_la.map.
 * GLA_HDR_DIR, GLA_SO, GLA_MAP, GLA_CC, GLA_CXX come from the Makefile.
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

#define MAX_SYMS	128

struct sym {
	char name[128];
	char node[32];
	int seen;
};

/* Every "name;" of the version script, with its node; 0 on a parse error. */
static int map_read(struct sym *m, int max)
{
	char line[256], node[32] = "", nword[32], word[128];
	FILE *f = fopen(GLA_MAP, "r");
	int n = 0, in_comment = 0;

	ck_assert_msg(f != NULL, "cannot open %s", GLA_MAP);
	while (fgets(line, sizeof(line), f)) {
		char *l = line + strspn(line, " \t");

		/* not "*l == '*'": the "*;" of local: is no comment */
		if (in_comment || !strncmp(l, "/*", 2)) {
			in_comment = !strstr(l, "*/");
			continue;
		}
		if (sscanf(l, "%31[A-Z0-9_.] {", nword) == 1 && strchr(l, '{')) {
			memcpy(node, nword, sizeof(node));
			continue;
		}
		if (sscanf(l, "%127[a-z0-9_];", word) == 1 && strchr(l, ';') &&
		    strcmp(word, "global") && strcmp(word, "local")) {
			ck_assert_msg(n < max && node[0], "%s: symbol %s outside "
				      "a version node", GLA_MAP, word);
			snprintf(m[n].name, sizeof(m[n].name), "%s", word);
			snprintf(m[n].node, sizeof(m[n].node), "%s", node);
			m[n++].seen = 0;
		}
	}
	fclose(f);
	return n;
}

static struct sym *map_find(struct sym *m, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(m[i].name, name))
			return &m[i];
	return NULL;
}

/*
 * The shared library exports exactly the symbols of libg_ipsec_la.map,
 * each in its node: no gla_* internal, no engine symbol, nothing missing.
 */
START_TEST(exports_exactly_the_map)
{
	char line[512], type[8], name[256], addr[64], cmd[512], *at;
	struct sym m[MAX_SYMS], *e;
	int n, i, nsyms = 0;
	FILE *f;

	n = map_read(m, MAX_SYMS);
	ck_assert_msg(n >= 10, "%s lists %d symbols", GLA_MAP, n);
	for (i = 0; i < n; i++)	/* the g-API only: no gla_*, no engine */
		ck_assert_msg(!strncmp(m[i].name, "g_ipsec_la_", 11),
			      "%s exports %s, which has not the library's "
			      "prefix g_ipsec_la_", GLA_MAP, m[i].name);
	snprintf(cmd, sizeof(cmd), "nm -D --defined-only %s", GLA_SO);
	f = popen(cmd, "r");
	ck_assert_msg(f != NULL, "cannot run nm");
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %7s %255s", addr, type, name) != 3)
			continue;
		if (!strcmp(type, "A"))	/* a version node itself */
			continue;
		nsyms++;
		at = strstr(name, "@@");
		ck_assert_msg(at != NULL, "%s exports %s without a version",
			      GLA_SO, name);
		*at = 0;
		e = map_find(m, n, name);
		ck_assert_msg(e != NULL, "%s exports %s, which %s does not list",
			      GLA_SO, name, GLA_MAP);
		ck_assert_msg(!strcmp(e->node, at + 2), "%s is in node %s of the "
			      "map but exported as %s", name, e->node, at + 2);
		e->seen = 1;
	}
	ck_assert_msg(pclose(f) == 0, "nm -D %s failed", GLA_SO);
	ck_assert_msg(nsyms > 0, "%s exports no symbol", GLA_SO);
	for (i = 0; i < n; i++)
		ck_assert_msg(m[i].seen, "%s lists %s, which %s does not export",
			      GLA_MAP, m[i].name, GLA_SO);
}
END_TEST

/* Every function g_ipsec_la.h declares is in the map (so in the .so). */
START_TEST(header_functions_in_the_map)
{
	char path[512], line[512], name[128];
	struct sym m[MAX_SYMS];
	int n, decls = 0;
	FILE *f;

	n = map_read(m, MAX_SYMS);
	snprintf(path, sizeof(path), "%s/g_ipsec_la.h", GLA_HDR_DIR);
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "int32_t %127[a-z0-9_](", name) != 1 ||
		    !strchr(line, '('))
			continue;
		decls++;
		ck_assert_msg(map_find(m, n, name) != NULL, "g_ipsec_la.h declares "
			      "%s, which %s does not export", name, GLA_MAP);
	}
	fclose(f);
	ck_assert_msg(decls >= 10, "found only %d declarations in %s", decls, path);
}
END_TEST

Suite *suite_header(void)
{
	Suite *s = suite_create("packaging");
	TCase *tc = tcase_create("header-and-exports");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, header_alone_c);
	tcase_add_test(tc, header_alone_cxx);
	tcase_add_test(tc, exports_exactly_the_map);
	tcase_add_test(tc, header_functions_in_the_map);
	suite_add_tcase(s, tc);
	return s;
}
