// SPDX-License-Identifier: BSD-3-Clause
/*
 * In-guest tests of the driver against a hostile device (suite_faults.c):
 * exit 0 pass, 1 fail, 77 no device or no host agent to set the faults.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dt.h"

int main(void)
{
	const char *spec;
	SRunner *sr;
	int nfail;

	if (!dt_dev_path()) {
		printf("vipsec_fault_test: SKIP: no /dev/virtio-ipsec<N>\n");
		return 77;
	}
	spec = getenv("VIPSEC_DEVICE_SPEC");
	if (spec && !strncmp(spec, "vhost-user-", 11)) {
		/* qemu-device/vhost is tested by make test's vhost-hostile */
		printf("vipsec_fault_test: SKIP: the device is %s: the x-fault knobs are the in-QEMU device's only\n",
		       spec);
		return 77;
	}
	if (!getenv("VIPSEC_QMP")) {
		printf("vipsec_fault_test: SKIP: no host QMP agent (tests/vm/run.sh --qmp) to set the device's x-fault knobs\n");
		return 77;
	}
	sr = srunner_create(suite_faults());
	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail ? EXIT_FAILURE : EXIT_SUCCESS;
}
