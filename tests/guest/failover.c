// SPDX-License-Identifier: BSD-3-Clause
/*
 * vipsec_failover: the g-API failover round trip between two virtio-ipsec
 * devices of one guest (tests/lib/gapi_state.c ga_failover()): an SA pair
 * with traffic on virtio-ipsec0 is read back with its state and rebuilt
 * on virtio-ipsec1, which must send the next sequence number and keep
 * refusing replays of what the first device received. Run by
 * scripts/run-tests.sh (vm-failover) in a VM with a second device; it is
 * not in build/tests/guest, so the one-device run never sees it.
 * Exit 0 pass, 1 fail, 77 skip (fewer than two devices: the harness fails
 * a run where every program skipped).
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../lib/gapi.h"

const char *ga_accl = "virtio-ipsec0";

START_TEST(failover_two_devices)
{
	struct g_ipsec_la_handle a, b;

	ga_accl = "virtio-ipsec0";
	ck_assert_int_eq(ga_open(G_IPSEC_LA_INSTANCE_EXCLUSIVE, "primary", &a),
			 0);
	ga_accl = "virtio-ipsec1";
	ck_assert_int_eq(ga_open(G_IPSEC_LA_INSTANCE_EXCLUSIVE, "standby", &b),
			 0);
	ga_failover(&a, &b);
	ck_assert_int_eq(g_ipsec_la_close(&a), 0);
	ck_assert_int_eq(g_ipsec_la_close(&b), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("failover");
	TCase *t = tcase_create("two-devices");
	SRunner *sr;
	int failed;

	if (access("/dev/virtio-ipsec0", F_OK) ||
	    access("/dev/virtio-ipsec1", F_OK)) {
		printf("vipsec_failover: SKIP: needs /dev/virtio-ipsec0 and "
		       "/dev/virtio-ipsec1 (QEMU with a second "
		       "-device virtio-ipsec-pci)\n");
		return 77;
	}
	tcase_add_test(t, failover_two_devices);
	suite_add_tcase(s, t);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_VERBOSE);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	printf("vipsec_failover: %s\n", failed ? "FAIL" : "PASS");
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
