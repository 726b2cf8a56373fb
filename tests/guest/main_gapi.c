// SPDX-License-Identifier: BSD-3-Clause
/*
 * vipsec_gapi_test: the g-API conformance suites (tests/lib/gapi_*.c) in
 * the guest, over the real driver and device; the same files run on the
 * host over the software accelerator (tests/lib, lib_test). A program of
 * its own so that the VM result shows the g-API's verdict apart from the
 * driver-level suites of vipsec_guest_test. Exit codes: runner.c.
 */
#include "guest.h"
#include "../lib/gapi.h"

/* The conformance suites run over the first virtio-ipsec<N>. */
const char *ga_accl;

int main(void)
{
	static Suite *(*const suites[])(void) = {
		suite_gapi_mgmt,   suite_gapi_sa,     suite_gapi_data,
		suite_gapi_async,  suite_gapi_errors, suite_gapi_state,
		suite_gapi_params, suite_gapi_flow,   suite_gapi_ctrl_async,
	};

	return gt_run_suites("vipsec_gapi_test", suites,
			     sizeof(suites) / sizeof(suites[0]));
}
