// SPDX-License-Identifier: BSD-3-Clause
/*
 * Skips of the Check suites (GA_SKIP, gapi.h): counted as skips, never as
 * passes, and a skip nobody expected fails its test.
 *
 * Check has no skip verdict: a test that returns early is a pass in its
 * summary line ("Checks: N, Failures: F, Errors: E"). So each skip is
 * counted here, in memory shared with the forked test processes, and the
 * runner prints "skipped: N of the checks above" after the summary;
 * scripts/run-tests.sh moves those N from passed to skipped.
 *
 * Every skip must be listed in ga_allowed_skips[] with the reason it is
 * legitimate; any other skip is a failure of its test, with the test's
 * reason in the message. Both accelerators (the software one on the host,
 * the device in the guest) negotiate every feature these suites probe, so
 * the list is empty: a skip there means a feature went missing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "gapi.h"

struct ga_allowed_skip {
	const char *test; /* the test function's name */
	const char *why;  /* a substring of the reason it gives */
	const char *ok;	  /* why that skip is legitimate */
};

static const struct ga_allowed_skip ga_allowed_skips[] = {
	{ NULL, NULL, NULL } /* none today; see above */
};

struct ga_skips {
	unsigned int allowed;
	unsigned int unexpected;
};

static struct ga_skips ga_skips_local;
static struct ga_skips *ga_skips = &ga_skips_local;

void ga_skip_init(void)
{
	void *m = mmap(NULL, sizeof(*ga_skips), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	/* without shared memory a forked test's skip would be lost; called
	 * before any test runs, so no ck_assert here */
	if (m == MAP_FAILED) {
		perror("ga_skip_init: mmap");
		exit(EXIT_FAILURE);
	}
	ga_skips = m;
	memset(ga_skips, 0, sizeof(*ga_skips));
}

static const struct ga_allowed_skip *ga_skip_find(const char *test,
						  const char *why)
{
	const struct ga_allowed_skip *a;

	for (a = ga_allowed_skips; a->test; a++)
		if (!strcmp(a->test, test) && strstr(why, a->why))
			return a;
	return NULL;
}

/* @fn: __func__ of the test: Check's START_TEST(name) defines name_fn */
void ga_skip(const char *fn, const char *why)
{
	const struct ga_allowed_skip *a;
	char test[128];
	size_t n = strlen(fn);

	if (n > 3 && !strcmp(fn + n - 3, "_fn"))
		n -= 3;
	snprintf(test, sizeof(test), "%.*s", (int)n, fn);
	a = ga_skip_find(test, why);

	if (!a) {
		__atomic_add_fetch(&ga_skips->unexpected, 1, __ATOMIC_SEQ_CST);
		ck_abort_msg("unexpected skip (not in ga_allowed_skips[], "
			     "tests/lib/gapi_skip.c): %s: %s",
			     test, why);
	}
	__atomic_add_fetch(&ga_skips->allowed, 1, __ATOMIC_SEQ_CST);
	printf("SKIP: %s: %s (allowed: %s)\n", test, why, a->ok);
	fflush(stdout);
}

unsigned int ga_skip_report(void)
{
	printf("skipped: %u of the checks above", ga_skips->allowed);
	if (ga_skips->unexpected)
		printf(" (and %u unexpected skip(s), counted as failures)",
		       ga_skips->unexpected);
	printf("\n");
	fflush(stdout);
	return ga_skips->allowed;
}
