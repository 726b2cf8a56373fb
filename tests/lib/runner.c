// SPDX-License-Identifier: BSD-3-Clause
/* One runner for the host suites of libg_ipsec_la. Exit 0 pass, 1 fail. */
#include <stdlib.h>

#include "tests.h"

int main(void)
{
	SRunner *sr = srunner_create(suite_header());
	int failed;

	srunner_add_suite(sr, suite_sa_wire());
	srunner_add_suite(sr, suite_api());
	srunner_run_all(sr, CK_NORMAL);	/* prints "NN%: Checks: ..." */
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
