// SPDX-License-Identifier: BSD-3-Clause
/* One runner for the host suites of libg_ipsec_la. Exit 0 pass, 1 fail. */
#include <stdlib.h>

#include "tests.h"
#include "gapi.h"

/* The conformance suites run over the in-process software accelerator. */
const char *ga_accl = G_IPSEC_LA_SOFTWARE_NAME;

int main(void)
{
	SRunner *sr = srunner_create(suite_header());
	int failed;

	srunner_add_suite(sr, suite_sa_wire());
	srunner_add_suite(sr, suite_api());
	srunner_add_suite(sr, suite_gapi_mgmt());
	srunner_add_suite(sr, suite_gapi_sa());
	srunner_add_suite(sr, suite_gapi_data());
	srunner_add_suite(sr, suite_gapi_async());
	srunner_run_all(sr, CK_NORMAL);	/* prints "NN%: Checks: ..." */
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
