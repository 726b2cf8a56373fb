// SPDX-License-Identifier: BSD-3-Clause
/*
 * vipsec_guest_test: the g-API library over the real driver and device,
 * run inside the VM. Exit 0 pass, 1 fail, 77 skip (no accelerator).
 * Check runs without fork (CK_FORK=no) unless CK_FORK says otherwise.
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
		printf("vipsec_guest_test: SKIP: no /dev/virtio-ipsec<N> "
		       "(driver not loaded or no virtio-ipsec device)\n");
		return 77;
	}
	printf("vipsec_guest_test: using %s\n", gt_dev_path());
	/* the lists and the mixed-accelerator cases expect it registered */
	if (g_ipsec_la_software_register()) {
		printf("vipsec_guest_test: cannot register the software accelerator\n");
		return EXIT_FAILURE;
	}
	sr = srunner_create(suite_lifecycle());
	srunner_add_suite(sr, suite_packets());
	srunner_add_suite(sr, suite_ioctl());
	srunner_add_suite(sr, suite_gapi_mgmt());
	srunner_add_suite(sr, suite_gapi_sa());
	srunner_add_suite(sr, suite_gapi_data());
	srunner_add_suite(sr, suite_gapi_async());
	srunner_add_suite(sr, suite_gapi_flow());
	srunner_add_suite(sr, suite_proc());
	srunner_add_suite(sr, suite_unplug());	/* last: removes the device */
	if (!getenv("CK_FORK"))
		srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_VERBOSE);	/* ends with "NN%: Checks: ..." */
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	printf("vipsec_guest_test: %s\n", failed ? "FAIL" : "PASS");
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
