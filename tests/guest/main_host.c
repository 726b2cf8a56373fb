// SPDX-License-Identifier: BSD-3-Clause
/*
 * vipsec_ioctl_host: the guest's char-device uAPI suite (suite_ioctl.c)
 * on the host, against the software accelerator through the same backend
 * ops, so that the accelerator follows the driver's rules. Exit 0 pass,
 * 1 fail.
 */
#include <stdio.h>
#include <stdlib.h>

#include "guest.h"
#include "../lib/gapi.h"
#include "g_ipsec_la_sw.h"

const char *ga_accl = G_IPSEC_LA_SOFTWARE_NAME;

int main(void)
{
	SRunner *sr;
	int failed;

	if (g_ipsec_la_software_register()) {
		printf("vipsec_ioctl_host: cannot register the software accelerator\n");
		return EXIT_FAILURE;
	}
	ga_skip_init();
	sr = srunner_create(suite_ioctl());
	srunner_run_all(sr, CK_VERBOSE);	/* ends with "NN%: Checks: ..." */
	ga_skip_report();
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
