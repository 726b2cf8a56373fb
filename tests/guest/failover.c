// SPDX-License-Identifier: BSD-3-Clause
/*
 * vipsec_failover: the g-API failover round trip between two virtio-ipsec
 * devices of one guest (tests/lib/gapi_state.c ga_failover()): an SA pair
 * with traffic on virtio-ipsec0 is read back with its state and rebuilt
 * on virtio-ipsec1, which must send the next sequence number and keep
 * refusing replays of what the first device received. Run by
 * scripts/run-tests.sh (vm-failover) in a VM with a second device; it is
 * not in build/tests/guest, so the one-device run never sees it.
 * The same boot has a third device, virtio-ipsec2, started with
 * x-sa-caps=off: a device from before VIRTIO_IPSEC_F_SA_CAPS, whose config
 * space has no sa_options, hdr_fields or cipher_key_sizes (they read as
 * zero). The driver must assume the ABI 0 defaults for it (the options of
 * its feature bits, DSCP and DF, the RFC key sizes) rather than refuse
 * every SA option, and still refuse what such a device never had.
 * Exit 0 pass, 1 fail, 77 skip (fewer than two devices: the harness fails
 * a run where every program skipped).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

START_TEST(abi0_device_defaults)
{
	struct g_ipsec_cap_get_outargs caps;
	const struct g_ipsec_la_capabilities *c = &caps.caps;
	struct g_ipsec_la_handle h, save = ga_h;
	struct g_ipsec_la_sa_handle o, i;
	struct g_ipsec_la_sa sa;
	uint8_t p[200], e[400], back[400];
	uint32_t len, blen;
	int ret;

	ga_accl = "virtio-ipsec2";
	ck_assert_int_eq(ga_open(G_IPSEC_LA_INSTANCE_EXCLUSIVE, "abi0", &h), 0);
	ck_assert_int_eq(g_ipsec_la_capabilities_get(&h, 0, &caps, NULL), 0);
	ck_assert_msg(c->esn && c->udp_encap && c->anti_replay_check,
		      "the feature bits' options: esn %u udp %u replay %u",
		      c->esn, c->udp_encap, c->anti_replay_check);
	ck_assert_msg(c->df && !c->tfc && !c->ecn && !c->outer_ttl &&
			      !c->ttl_decrement && !c->inner_src_selector &&
			      !c->flow_label,
		      "ABI 0 header fields are DSCP and DF only: df %u tfc %u "
		      "ecn %u ttl %u dec %u sel %u fl %u", c->df, c->tfc, c->ecn,
		      c->outer_ttl, c->ttl_decrement, c->inner_src_selector,
		      c->flow_label);
	ck_assert_msg(c->comb_key_sizes[G_IPSEC_LA_COMB_AES_GCM] ==
			      (G_IPSEC_LA_KEY_SIZE_BIT(128) |
			       G_IPSEC_LA_KEY_SIZE_BIT(192) |
			       G_IPSEC_LA_KEY_SIZE_BIT(256)),
		      "AES-GCM key sizes 0x%x, want the RFC's 128/192/256",
		      c->comb_key_sizes[G_IPSEC_LA_COMB_AES_GCM]);

	/* ESN and UDP encapsulation: SAs that such a device runs. */
	ga_h = h;
	ga_sa(&sa, 0x7e01);
	sa.cmn_flags = G_IPSEC_LA_SA_USE_ESN;
	ck_assert_int_eq(ga_add(&h, G_IPSEC_LA_IPSEC_OUTBOUND, &sa, &o), 0);
	ga_sa(&sa, 0x7e01);
	sa.cmn_flags = G_IPSEC_LA_SA_USE_ESN |
		       G_IPSEC_LA_SA_DO_ANTI_REPLAY_CHECK;
	ck_assert_int_eq(ga_add(&h, G_IPSEC_LA_IPSEC_INBOUND, &sa, &i), 0);
	ga_packet(p, sizeof(p), 0x5a);
	len = sizeof(e);
	ck_assert_int_eq(ga_xf(&h, 1, &o, p, sizeof(p), e, &len), 0);
	blen = sizeof(back);
	ck_assert_int_eq(ga_xf(&h, 0, &i, e, len, back, &blen), 0);
	ck_assert_msg(blen == sizeof(p) && !memcmp(back, p, sizeof(p)),
		      "round trip on the ABI 0 device changed the packet");

	/* What it never had is refused before the device sees it. */
	ga_sa(&sa, 0x7e02);
	sa.u.outb.tfc_pad_to = 300;
	ret = ga_add(&h, G_IPSEC_LA_IPSEC_OUTBOUND, &sa, &o);
	ck_assert_msg(ret == -EOPNOTSUPP, "TFC on an ABI 0 device: %d (%s)",
		      ret, strerror(-ret));
	ga_sa(&sa, 0x7e03);
	sa.u.outb.ttl = 9;
	ret = ga_add(&h, G_IPSEC_LA_IPSEC_OUTBOUND, &sa, &o);
	ck_assert_msg(ret == -EOPNOTSUPP, "outer TTL on an ABI 0 device: %d (%s)",
		      ret, strerror(-ret));
	ga_h = save;
	ck_assert_int_eq(g_ipsec_la_close(&h), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("failover");
	TCase *t = tcase_create("two-devices");
	SRunner *sr;
	int failed;

	if (access("/dev/virtio-ipsec0", F_OK) ||
	    access("/dev/virtio-ipsec1", F_OK) ||
	    access("/dev/virtio-ipsec2", F_OK)) {
		printf("vipsec_failover: SKIP: needs /dev/virtio-ipsec0..2 "
		       "(QEMU with -device virtio-ipsec-pci and "
		       "-device virtio-ipsec-pci,x-sa-caps=off)\n");
		return 77;
	}
	tcase_add_test(t, failover_two_devices);
	tcase_add_test(t, abi0_device_defaults);
	suite_add_tcase(s, t);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_VERBOSE);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	printf("vipsec_failover: %s\n", failed ? "FAIL" : "PASS");
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
