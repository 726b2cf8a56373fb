// SPDX-License-Identifier: BSD-3-Clause
/* One runner for the host suites of libg_ipsec_la. Exit 0 pass, 1 fail. */
#include <stdio.h>
#include <stdlib.h>

#include "tests.h"
#include "gapi.h"
#include "g_ipsec_la_sw.h"

/* The conformance suites run over the in-process software accelerator. */
const char *ga_accl = G_IPSEC_LA_SOFTWARE_NAME;

int main(void)
{
	SRunner *sr;
	int failed;

	if (g_ipsec_la_software_register()) {
		fprintf(stderr, "lib_test: cannot register the software accelerator\n");
		return EXIT_FAILURE;
	}
	ga_skip_init();
	sr = srunner_create(suite_header());

	srunner_add_suite(sr, suite_sa_wire());
	srunner_add_suite(sr, suite_api());
	srunner_add_suite(sr, suite_gapi_mgmt());
	srunner_add_suite(sr, suite_gapi_sa());
	srunner_add_suite(sr, suite_gapi_data());
	srunner_add_suite(sr, suite_gapi_async());
	srunner_add_suite(sr, suite_gapi_state());
	srunner_add_suite(sr, suite_gapi_errors());
	srunner_add_suite(sr, suite_gapi_params());
	srunner_add_suite(sr, suite_gapi_flow());
	srunner_add_suite(sr, suite_gapi_ctrl_async());
	srunner_run_all(sr, CK_NORMAL);	/* prints "NN%: Checks: ..." */
	ga_skip_report();
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
