// SPDX-License-Identifier: BSD-3-Clause
/* Version, open/close, modes, capabilities, groups: through the library. */
#include <errno.h>
#include <string.h>

#include "guest.h"

START_TEST(api_version)
{
	char v[G_IPSEC_LA_API_VERSION_LEN];

	ck_assert_int_eq(g_ipsec_la_get_api_version(v), 0);
	ck_assert_msg(strcmp(v, G_IPSEC_LA_API_VERSION) == 0, "version %s", v);
}
END_TEST

START_TEST(open_close)
{
	struct g_ipsec_la_open_inargs in;
	struct g_ipsec_la_open_outargs a, b;
	struct g_ipsec_la_handle stale;
	int ret;

	gt_kmsg_mark();
	memset(&in, 0, sizeof(in));
	in.app_identity = "open-close";
	ck_assert_int_eq(g_ipsec_la_open(G_IPSEC_LA_INSTANCE_SHARED, &in, &a), 0);
	ck_assert_int_eq(g_ipsec_la_open(G_IPSEC_LA_INSTANCE_SHARED, &in, &b), 0);
	ret = g_ipsec_la_open(G_IPSEC_LA_INSTANCE_EXCLUSIVE, &in, &b);
	ck_assert_msg(ret == -EBUSY, "EXCLUSIVE while shared users exist: got %d, want -EBUSY", ret);
	ck_assert_int_eq(g_ipsec_la_close(&a.handle), 0);
	stale = a.handle;
	ck_assert_msg(g_ipsec_la_close(&stale) == -EINVAL, "double close must be -EINVAL");
	ck_assert_int_eq(g_ipsec_la_close(&b.handle), 0);

	/* last user gone: exclusive is free, and then shared is refused */
	ck_assert_int_eq(g_ipsec_la_open(G_IPSEC_LA_INSTANCE_EXCLUSIVE, &in, &a), 0);
	ret = g_ipsec_la_open(G_IPSEC_LA_INSTANCE_SHARED, &in, &b);
	ck_assert_msg(ret == -EBUSY, "SHARED while held EXCLUSIVE: got %d, want -EBUSY", ret);
	ck_assert_int_eq(g_ipsec_la_close(&a.handle), 0);

	ck_assert_int_eq(g_ipsec_la_open((enum g_ipsec_la_mode)9, &in, &a), -EINVAL);
	in.accl_name = "virtio-ipsec999";
	ck_assert_int_eq(g_ipsec_la_open(G_IPSEC_LA_INSTANCE_SHARED, &in, &a), -ENODEV);
	gt_kmsg_check();
}
END_TEST

START_TEST(capabilities)
{
	struct g_ipsec_cap_get_outargs c;

	memset(&c, 0xff, sizeof(c));
	ck_assert_int_eq(g_ipsec_la_capabilities_get(&gt_h, 0, &c, NULL), 0);
	ck_assert_msg(c.caps.esp_protocol && !c.caps.ah_protocol, "ESP only expected");
	ck_assert_msg(c.caps.comb_algo_caps.aes_gcm, "AES-GCM not offered");
	ck_assert_msg(c.caps.max_sas >= 2, "max_sas %u", c.caps.max_sas);
	ck_assert_msg(c.caps.max_packet_len >= 1500, "max_packet_len %u",
		      c.caps.max_packet_len);
	ck_assert_int_eq(g_ipsec_la_capabilities_get(&gt_h, 0, NULL, NULL), -EINVAL);
	ck_assert_msg(g_ipsec_la_capabilities_get(&gt_h, G_IPSEC_LA_CTRL_FLAG_ASYNC,
						  &c, NULL) == -EINVAL,
		      "ASYNC without a response callback");
}
END_TEST

START_TEST(groups)
{
	struct g_ipsec_la_create_group_inargs gin = { "vnf-group-1" };
	struct g_ipsec_la_create_group_outargs gout;
	struct g_ipsec_la_handle gh = gt_h;
	struct g_ipsec_la_sa_handle so, si;
	struct g_ipsec_la_sa_del_inargs din;
	uint8_t pkt[200], esp[400], back[400];
	uint32_t el = sizeof(esp), bl = sizeof(back);
	int ret;

	ck_assert_int_eq(g_ipsec_la_create_group(&gt_h, &gin, 0, &gout, NULL), 0);
	memcpy(gh.group_handle, gout.group_handle, sizeof(gh.group_handle));
	ck_assert_int_eq(gt_add_pair(&gh, SPI_B, &so, &si), 0);
	gt_build_packet(pkt, sizeof(pkt), 9);
	ck_assert_int_eq(g_ipsec_la_packet_encap(&gh, 0, &so, 1,
		&(struct g_ipsec_la_data){ pkt, sizeof(pkt) },
		&(struct g_ipsec_la_data){ esp, el }, NULL), 0);
	ret = gt_encap(&so, pkt, sizeof(pkt), esp, &el);	/* default-group handle */
	ck_assert_int_eq(ret, 0);
	ck_assert_int_eq(gt_decap(&si, esp, el, back, &bl), 0);
	ck_assert_msg(bl == sizeof(pkt) && !memcmp(back, pkt, bl), "group round trip differs");

	ret = g_ipsec_la_delete_group(&gh);
	ck_assert_msg(ret == -EBUSY, "deleting a group that has SAs: got %d, want -EBUSY", ret);
	din.dir = G_IPSEC_LA_IPSEC_OUTBOUND;
	din.handle = &so;
	ck_assert_int_eq(g_ipsec_la_sa_del(&gh, &din, 0, NULL, NULL), 0);
	din.dir = G_IPSEC_LA_IPSEC_INBOUND;
	din.handle = &si;
	ck_assert_int_eq(g_ipsec_la_sa_del(&gh, &din, 0, NULL, NULL), 0);
	ck_assert_int_eq(g_ipsec_la_delete_group(&gh), 0);
	ret = g_ipsec_la_delete_group(&gh);
	ck_assert_msg(ret == -ENOENT, "deleting a deleted group: got %d, want -ENOENT", ret);
	ck_assert_msg(g_ipsec_la_delete_group(&gt_h) == -EINVAL,
		      "the default group must not be deletable");
	gin.group_identity = "";
	ck_assert_int_eq(g_ipsec_la_create_group(&gt_h, &gin, 0, &gout, NULL), -EINVAL);
	gin.group_identity = NULL;
	ck_assert_int_eq(g_ipsec_la_create_group(&gt_h, &gin, 0, &gout, NULL), -EINVAL);
	gin.group_identity = "a-group-identity-far-longer-than-31";
	ck_assert_int_eq(g_ipsec_la_create_group(&gt_h, &gin, 0, &gout, NULL), -EINVAL);
}
END_TEST

Suite *suite_lifecycle(void)
{
	Suite *s = suite_create("lifecycle");
	TCase *t1 = tcase_create("open"), *t2 = tcase_create("handle");

	tcase_add_test(t1, api_version);
	tcase_add_test(t1, open_close);
	suite_add_tcase(s, t1);
	tcase_add_checked_fixture(t2, gt_open, gt_close);
	tcase_add_test(t2, capabilities);
	tcase_add_test(t2, groups);
	suite_add_tcase(s, t2);
	return s;
}
