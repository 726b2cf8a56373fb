// SPDX-License-Identifier: BSD-3-Clause
/* In-guest driver tests: exit 0 pass, 1 fail, 77 no device. */
#include <stdio.h>
#include <stdlib.h>

#include "dt.h"

int main(void)
{
	SRunner *sr;
	int nfail;

	if (!dt_dev_path()) {
		printf("vipsec_driver_test: no /dev/virtio-ipsec<N>: skip\n");
		return 77;
	}
	sr = srunner_create(suite_sa());
	srunner_add_suite(sr, suite_async());
	srunner_add_suite(sr, suite_harden());
	srunner_add_suite(sr, suite_tenant());
	srunner_add_suite(sr, suite_zc());
	srunner_add_suite(sr, suite_pm());	/* last: unplugs the device */
	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail ? EXIT_FAILURE : EXIT_SUCCESS;
}
