// SPDX-License-Identifier: BSD-3-Clause
/*
 * The body both in-guest Check programs share (vipsec_guest_test and
 * vipsec_gapi_test): find the device, register the software accelerator
 * (the lists and the cases that compare accelerators expect it), run the
 * suites, report skips apart from passes. Exit 0 pass, 1 fail, 77 skip (no
 * accelerator), which the VM harness reads.
 */
#include <stdio.h>
#include <stdlib.h>

#include "guest.h"
#include "../lib/gapi.h"
#include "g_ipsec_la_sw.h"

int gt_run_suites(const char *prog, Suite *(*const suites[])(void),
		  unsigned int n)
{
	SRunner *sr;
	unsigned int i;
	int failed;

	if (!gt_dev_path()) {
		printf("%s: SKIP: no /dev/virtio-ipsec<N> "
		       "(driver not loaded or no virtio-ipsec device)\n", prog);
		return 77;
	}
	printf("%s: using %s\n", prog, gt_dev_path());
	if (g_ipsec_la_software_register()) {
		printf("%s: cannot register the software accelerator\n", prog);
		return EXIT_FAILURE;
	}
	ga_skip_init();
	sr = srunner_create(suites[0]());
	for (i = 1; i < n; i++)
		srunner_add_suite(sr, suites[i]());
	/* without fork unless CK_FORK says otherwise: one process, one fd */
	if (!getenv("CK_FORK"))
		srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_VERBOSE);	/* ends with "NN%: Checks: ..." */
	ga_skip_report();
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	printf("%s: %s\n", prog, failed ? "FAIL" : "PASS");
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
