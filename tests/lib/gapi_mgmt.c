// SPDX-License-Identifier: BSD-3-Clause
/*
 * Management: open modes and their arbitration, open errors, groups,
 * capabilities, accelerator lists, close flushing, hook registration.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gapi.h"

START_TEST(open_exclusive_and_shared)
{
	struct g_ipsec_la_handle a, b, c;

	ck_assert_int_eq(ga_open(G_IPSEC_LA_INSTANCE_EXCLUSIVE, "excl", &a), 0);
	ck_assert_msg(ga_open(G_IPSEC_LA_INSTANCE_SHARED, "sh", &b) == -EBUSY,
		      "shared open must fail while someone holds it exclusively");
	ck_assert_msg(ga_open(G_IPSEC_LA_INSTANCE_EXCLUSIVE, "ex2", &b) == -EBUSY,
		      "second exclusive open must fail");
	ck_assert_int_eq(g_ipsec_la_close(&a), 0);
	ck_assert_int_eq(ga_open(G_IPSEC_LA_INSTANCE_SHARED, "sh1", &a), 0);
	ck_assert_int_eq(ga_open(G_IPSEC_LA_INSTANCE_SHARED, "sh2", &b), 0);
	ck_assert_msg(ga_open(G_IPSEC_LA_INSTANCE_EXCLUSIVE, "ex", &c) == -EBUSY,
		      "exclusive open must fail while others share it");
	ck_assert_int_eq(g_ipsec_la_close(&a), 0);
	ck_assert_int_eq(g_ipsec_la_close(&b), 0);
	ck_assert_msg(ga_open(G_IPSEC_LA_INSTANCE_EXCLUSIVE, "ex", &c) == 0,
		      "arbitration must reset when the last holder goes");
	ck_assert_int_eq(g_ipsec_la_close(&c), 0);
	ck_assert_msg(g_ipsec_la_close(&c) == -EINVAL, "double close");
}
END_TEST

START_TEST(open_errors)
{
	struct g_ipsec_la_open_inargs in = { .accl_name = ga_accl,
					     .app_identity = "x" };
	struct g_ipsec_la_open_outargs out;
	char big[G_IPSEC_LA_MAX_CB_ARG_LEN + 1] = { 0 };

	ck_assert_int_eq(g_ipsec_la_open(0, &in, &out), -EINVAL);
	ck_assert_int_eq(g_ipsec_la_open(G_IPSEC_LA_INSTANCE_SHARED, NULL, &out),
			 -EINVAL);
	in.app_identity = NULL;
	ck_assert_int_eq(g_ipsec_la_open(G_IPSEC_LA_INSTANCE_SHARED, &in, &out),
			 -EINVAL);
	in.app_identity = "x";
	in.pci_vendor_id = 0x8086;
	ck_assert_int_eq(g_ipsec_la_open(G_IPSEC_LA_INSTANCE_SHARED, &in, &out),
			 -ENODEV);
	in.pci_vendor_id = 0;
	in.cb_arg = big;
	in.cb_arg_len = sizeof(big);
	ck_assert_msg(g_ipsec_la_open(G_IPSEC_LA_INSTANCE_SHARED, &in, &out) ==
		      -EINVAL, "cb_arg longer than the documented maximum");
}
END_TEST

START_TEST(groups)
{
	struct g_ipsec_la_create_group_inargs gi = { .group_identity = "grp-a" };
	struct g_ipsec_la_create_group_outargs go;
	struct g_ipsec_la_handle gh = ga_h;
	struct g_ipsec_la_sa_handle o, i;
	struct g_ipsec_la_sa_del_inargs d = { G_IPSEC_LA_IPSEC_OUTBOUND, &o };

	ck_assert_int_eq(g_ipsec_la_create_group(&ga_h, &gi, 0, &go, NULL), 0);
	memcpy(gh.group_handle, go.group_handle, sizeof(gh.group_handle));
	ck_assert_int_eq(ga_pair(&gh, 0x3001, &o, &i), 0);
	ck_assert_msg(g_ipsec_la_delete_group(&gh) == -EBUSY,
		      "deleting a group with live SAs must be refused");
	ck_assert_int_eq(g_ipsec_la_sa_del(&gh, &d, 0, NULL, NULL), 0);
	d.dir = G_IPSEC_LA_IPSEC_INBOUND;
	d.handle = &i;
	ck_assert_int_eq(g_ipsec_la_sa_del(&gh, &d, 0, NULL, NULL), 0);
	ck_assert_int_eq(g_ipsec_la_delete_group(&gh), 0);
	ck_assert_msg(g_ipsec_la_delete_group(&gh) == -ENOENT,
		      "deleting a deleted group");
	ck_assert_msg(g_ipsec_la_delete_group(&ga_h) == -EINVAL,
		      "the default group cannot be deleted");
	gi.group_identity = "";
	ck_assert_int_eq(g_ipsec_la_create_group(&ga_h, &gi, 0, &go, NULL), -EINVAL);
	gi.group_identity = "0123456789012345678901234567890123";
	ck_assert_int_eq(g_ipsec_la_create_group(&ga_h, &gi, 0, &go, NULL), -EINVAL);
	gh.group_handle[1] ^= 1;	/* forged */
	ck_assert_int_eq(g_ipsec_la_delete_group(&gh), -EINVAL);
}
END_TEST

START_TEST(capabilities)
{
	struct g_ipsec_cap_get_outargs c;

	ck_assert_int_eq(g_ipsec_la_capabilities_get(&ga_h, 0, &c, NULL), 0);
	ck_assert_msg(c.caps.esp_protocol && c.caps.comb_algo_caps.aes_gcm,
		      "ESP with AES-GCM must be offered");
	ck_assert_msg(!c.caps.ah_protocol && !c.caps.ipcomp_protocol,
		      "AH/IPComp are not implemented and must not be claimed");
	ck_assert_msg(c.caps.max_sas > 0 && c.caps.max_batch > 0 &&
		      c.caps.max_packet_len >= 1500, "limits reported");
	ck_assert_int_eq(g_ipsec_la_capabilities_get(&ga_h, 0, NULL, NULL), -EINVAL);
	ck_assert_int_eq(g_ipsec_la_capabilities_get(&ga_h, 1u << 7, &c, NULL),
			 -EINVAL);
	ck_assert_msg(g_ipsec_la_capabilities_get(&ga_h, G_IPSEC_LA_CTRL_FLAG_ASYNC,
						  &c, NULL) == -EINVAL,
		      "ASYNC without a callback");
	ck_assert_int_eq(g_ipsec_la_capabilities_get(NULL, 0, &c, NULL), -EINVAL);
}
END_TEST

START_TEST(lists)
{
	struct g_ipsec_la_accl_info av[8];
	static struct g_ipsec_la_active_accl_info ac[8];
	uint32_t n, i, k;
	int found = 0, mine = 0;

	ck_assert_int_eq(g_ipsec_la_available_list_get(NULL, 8, &n), -EINVAL);
	ck_assert_int_eq(g_ipsec_la_available_list_get(av, 8, &n), 0);
	for (i = 0; i < n; i++)
		if (ga_accl ? !strcmp(av[i].name, ga_accl) :
			      !strncmp(av[i].name, "virtio-ipsec", 12))
			found = 1;
	ck_assert_msg(found, "the accelerator under test is in the available list");
	ck_assert_msg(av[n - 1].software &&
		      !strcmp(av[n - 1].name, G_IPSEC_LA_SOFTWARE_NAME),
		      "the software accelerator is listed as such");
	k = n;
	ck_assert_msg(g_ipsec_la_available_list_get(av, 1, &n) ==
		      (k > 1 ? -ENOSPC : 0) && n == 1, "a short list says so");

	ck_assert_int_eq(g_ipsec_la_active_list_get(ac, 8, &n), 0);
	for (i = 0; i < n; i++)
		for (k = 0; k < ac[i].num_owners; k++)
			if (!strcmp(ac[i].owners[k].app_identity, "gapi-test") &&
			    ac[i].mode == G_IPSEC_LA_INSTANCE_SHARED)
				mine = 1;
	ck_assert_msg(mine, "our open (app gapi-test, shared) is in the active list");
}
END_TEST

START_TEST(close_flushes)
{
	struct g_ipsec_la_handle a;
	struct g_ipsec_la_sa_handle o, i;
	uint8_t p[100], e[200];
	uint32_t len = sizeof(e);

	ck_assert_int_eq(ga_open(G_IPSEC_LA_INSTANCE_SHARED, "flush", &a), 0);
	ck_assert_int_eq(ga_pair(&a, 0x3101, &o, &i), 0);
	ck_assert_int_eq(g_ipsec_la_close(&a), 0);
	ga_packet(p, sizeof(p), 1);
	ck_assert_msg(ga_xf(&a, 1, &o, p, sizeof(p), e, &len) == -EINVAL,
		      "a closed handle is refused");
	/* the ids are gone: the same SPI can be added again */
	ck_assert_int_eq(ga_pair(&ga_h, 0x3101, &o, &i), 0);
}
END_TEST

START_TEST(hooks_register_errors)
{
	struct g_ipsec_la_notification_hooks hk = { 0 };
	int ret = g_ipsec_la_notification_hooks_register(&ga_h, &hk);

	ck_assert_int_eq(g_ipsec_la_notification_hooks_register(&ga_h, NULL),
			 -EINVAL);
	ck_assert_int_eq(g_ipsec_la_notification_hooks_register(NULL, &hk),
			 -EINVAL);
	ck_assert_msg(ret == 0 || ret == -EOPNOTSUPP, "register: %d", ret);
	ck_assert_int_eq(g_ipsec_la_notification_hooks_deregister(&ga_h), 0);
	ck_assert_int_eq(g_ipsec_la_notifications_hook_deregister(&ga_h), 0);
	ck_assert_int_eq(g_ipsec_la_notification_hooks_deregister(NULL), -EINVAL);
}
END_TEST

Suite *suite_gapi_mgmt(void)
{
	Suite *s = suite_create("gapi_mgmt");
	TCase *t = tcase_create("alone");
	TCase *f = tcase_create("fixture");

	tcase_add_test(t, open_exclusive_and_shared);
	tcase_add_test(t, open_errors);
	suite_add_tcase(s, t);
	tcase_add_checked_fixture(f, ga_setup, ga_teardown);
	tcase_add_test(f, groups);
	tcase_add_test(f, capabilities);
	tcase_add_test(f, lists);
	tcase_add_test(f, close_flushes);
	tcase_add_test(f, hooks_register_errors);
	suite_add_tcase(s, f);
	return s;
}
