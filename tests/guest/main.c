// SPDX-License-Identifier: BSD-3-Clause
/*
 * vipsec_guest_test: the g-API library over the real driver and device,
 * run inside the VM: the driver-level suites (the g-API conformance
 * suites are vipsec_gapi_test, main_gapi.c). Exit codes: runner.c.
 */
#include "guest.h"
#include "../lib/gapi.h"

/* The conformance suites run over the first virtio-ipsec<N>. */
const char *ga_accl;

int main(void)
{
	static Suite *(*const suites[])(void) = {
		suite_lifecycle,
		suite_packets,
		suite_ioctl,
		suite_proc,
		suite_unplug,	/* last: removes the device */
	};

	return gt_run_suites("vipsec_guest_test", suites,
			     sizeof(suites) / sizeof(suites[0]));
}
