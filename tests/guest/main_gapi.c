// SPDX-License-Identifier: BSD-3-Clause
/*
 * vipsec_gapi_test: the g-API conformance suites (tests/lib/gapi_*.c) in
 * the guest, over the real driver and device; the same files run on the
 * host over the software accelerator (tests/lib, lib_test). A program of
 * its own so that the VM result shows the g-API's verdict apart from the
 * driver-level suites of vipsec_guest_test. Exit 0 pass, 1 fail, 77 skip
 * (no accelerator).
 */
#include <stdio.h>
#include <stdlib.h>

#include "guest.h"
#include "../lib/gapi.h"
#include "g_ipsec_la_sw.h"

/* The conformance suites run over the first virtio-ipsec<N>. */
const char *ga_accl;

int main(void)
{
	SRunner *sr;
	int failed;

	if (!gt_dev_path()) {
		printf("vipsec_gapi_test: SKIP: no /dev/virtio-ipsec<N> "
		       "(driver not loaded or no virtio-ipsec device)\n");
		return 77;
	}
	printf("vipsec_gapi_test: using %s\n", gt_dev_path());
	/* the lists and the cases comparing both accelerators expect it */
	if (g_ipsec_la_software_register()) {
		printf("vipsec_gapi_test: cannot register the software accelerator\n");
		return EXIT_FAILURE;
	}
	ga_skip_init();
	sr = srunner_create(suite_gapi_mgmt());
	srunner_add_suite(sr, suite_gapi_sa());
	srunner_add_suite(sr, suite_gapi_data());
	srunner_add_suite(sr, suite_gapi_async());
	srunner_add_suite(sr, suite_gapi_errors());
	srunner_add_suite(sr, suite_gapi_state());
	srunner_add_suite(sr, suite_gapi_params());
	srunner_add_suite(sr, suite_gapi_flow());
	srunner_add_suite(sr, suite_gapi_ctrl_async());
	if (!getenv("CK_FORK"))
		srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_VERBOSE);	/* ends with "NN%: Checks: ..." */
	ga_skip_report();
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	printf("vipsec_gapi_test: %s\n", failed ? "FAIL" : "PASS");
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
