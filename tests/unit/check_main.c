// SPDX-License-Identifier: BSD-3-Clause
/* One Check runner for all engine suites. Exit 0 pass, 1 fail. */
#include <stdlib.h>

#include "tests.h"

int main(void)
{
	SRunner *sr = srunner_create(uapi_suite());
	int failed;

	srunner_add_suite(sr, vectors_suite());
	srunner_add_suite(sr, esp_suite());
	srunner_add_suite(sr, sa_suite());
	srunner_add_suite(sr, decoder_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
