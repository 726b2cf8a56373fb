// SPDX-License-Identifier: BSD-3-Clause
/*
 * g-API calls that need no device: version, argument checks, handle
 * checks, unsupported control flags, open() with no accelerator.
 */
#include <errno.h>
#include <glob.h>
#include <string.h>

#include "tests.h"
#include "g_ipsec_la.h"

static struct g_ipsec_la_open_inargs oin;
static struct g_ipsec_la_open_outargs oout;
static struct g_ipsec_la_handle bogus;

static void setup(void)
{
	memset(&oin, 0, sizeof(oin));
	oin.app_identity = "host-test";
	memset(&oout, 0, sizeof(oout));
	memset(&bogus, 0, sizeof(bogus));
	bogus.handle[0] = 0x474c4131u;	/* right magic, never opened */
	bogus.handle[1] = 3;
}

static int accelerator_present(void)
{
	glob_t g;
	int n;

	if (glob("/dev/virtio-ipsec*", 0, NULL, &g))
		return 0;
	n = (int)g.gl_pathc;
	globfree(&g);
	return n > 0;
}

START_TEST(api_version)
{
	char v[G_IPSEC_LA_API_VERSION_LEN];

	ck_assert_int_eq(g_ipsec_la_get_api_version(v), 0);
	ck_assert_str_eq(v, G_IPSEC_LA_API_VERSION);
	ck_assert_int_eq(g_ipsec_la_get_api_version(NULL), -EINVAL);
}
END_TEST

START_TEST(open_without_accelerator)
{
	if (accelerator_present())
		return;	/* only meaningful on a host without the device */
	ck_assert_msg(g_ipsec_la_open(G_IPSEC_LA_INSTANCE_SHARED, &oin, &oout) == -ENODEV,
		      "open() with no accelerator present must return -ENODEV");
	oin.accl_name = "virtio-ipsec7";
	ck_assert_int_eq(g_ipsec_la_open(G_IPSEC_LA_INSTANCE_EXCLUSIVE, &oin, &oout),
			 -ENODEV);
	oin.accl_name = "../null";
	ck_assert_msg(g_ipsec_la_open(G_IPSEC_LA_INSTANCE_SHARED, &oin, &oout) == -ENODEV,
		      "a path in accl_name must not open another device");
}
END_TEST

START_TEST(open_bad_arguments)
{
	char longid[80];

	ck_assert_int_eq(g_ipsec_la_open((enum g_ipsec_la_mode)0, &oin, &oout), -EINVAL);
	ck_assert_int_eq(g_ipsec_la_open((enum g_ipsec_la_mode)3, &oin, &oout), -EINVAL);
	ck_assert_int_eq(g_ipsec_la_open(G_IPSEC_LA_INSTANCE_SHARED, NULL, &oout), -EINVAL);
	ck_assert_int_eq(g_ipsec_la_open(G_IPSEC_LA_INSTANCE_SHARED, &oin, NULL), -EINVAL);
	memset(longid, 'a', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = 0;
	oin.app_identity = longid;
	ck_assert_int_eq(g_ipsec_la_open(G_IPSEC_LA_INSTANCE_SHARED, &oin, &oout), -EINVAL);
	oin.app_identity = NULL;
	ck_assert_int_eq(g_ipsec_la_open(G_IPSEC_LA_INSTANCE_SHARED, &oin, &oout), -EINVAL);
	oin.app_identity = "x";
	oin.pci_vendor_id = 0x8086;
	ck_assert_int_eq(g_ipsec_la_open(G_IPSEC_LA_INSTANCE_SHARED, &oin, &oout), -ENODEV);
	oin.pci_vendor_id = 0;
	oin.reserved[7] = 1;
	ck_assert_msg(g_ipsec_la_open(G_IPSEC_LA_INSTANCE_SHARED, &oin, &oout) == -EINVAL,
		      "open_inargs with non-zero reserved space must be -EINVAL "
		      "(it is room for later fields)");
	oin.reserved[7] = 0;
}
END_TEST

START_TEST(bad_handles_refused)
{
	struct g_ipsec_cap_get_outargs caps;
	struct g_ipsec_la_create_group_inargs gin = { "g" };
	struct g_ipsec_la_create_group_outargs gout;
	struct g_ipsec_la_sa_handle sh;
	struct g_ipsec_la_sa_del_inargs din = { G_IPSEC_LA_IPSEC_INBOUND, &sh };
	uint8_t buf[64];
	struct g_ipsec_la_data d = { buf, sizeof(buf) }, o = { buf, sizeof(buf) };

	memset(&sh, 0, sizeof(sh));
	ck_assert_int_eq(g_ipsec_la_close(NULL), -EINVAL);
	ck_assert_int_eq(g_ipsec_la_close(&bogus), -EINVAL);
	ck_assert_int_eq(g_ipsec_la_capabilities_get(&bogus, 0, &caps, NULL), -EINVAL);
	ck_assert_int_eq(g_ipsec_la_capabilities_get(NULL, 0, &caps, NULL), -EINVAL);
	ck_assert_int_eq(g_ipsec_la_create_group(&bogus, &gin, 0, &gout, NULL), -EINVAL);
	ck_assert_int_eq(g_ipsec_la_delete_group(&bogus), -EINVAL);
	ck_assert_int_eq(g_ipsec_la_sa_del(&bogus, &din, 0, NULL, NULL), -EINVAL);
	ck_assert_int_eq(g_ipsec_la_packet_encap(&bogus, 0, &sh, 1, &d, &o, NULL), -EINVAL);
	ck_assert_int_eq(g_ipsec_la_packet_decap(&bogus, 0, &sh, 1, &d, &o, NULL), -EINVAL);
	ck_assert_int_eq(g_ipsec_la_packet_encap(&bogus, 0, NULL, 1, &d, &o, NULL), -EINVAL);
	ck_assert_int_eq(g_ipsec_la_packet_encap(&bogus, 0, &sh, 0, &d, &o, NULL), -EINVAL);
}
END_TEST

static void never_called(void *a, int32_t l, void *o)
{
	(void)a;
	(void)l;
	(void)o;
	ck_abort_msg("a refused call must not call back");
}

START_TEST(async_flags_checked)
{
	struct g_ipsec_cap_get_outargs caps;
	struct g_ipsec_la_sa_handle sh;
	uint8_t buf[64];
	struct g_ipsec_la_data d = { buf, sizeof(buf) }, o = { buf, sizeof(buf) };
	char big[G_IPSEC_LA_MAX_CB_ARG_LEN + 1];
	struct g_ipsec_la_resp_args ra = { NULL, big, sizeof(big) };

	memset(&sh, 0, sizeof(sh));
	ck_assert_msg(g_ipsec_la_capabilities_get(&bogus, G_IPSEC_LA_CTRL_FLAG_ASYNC,
						  &caps, NULL) == -EINVAL,
		      "ASYNC without a response callback must give -EINVAL");
	ck_assert_int_eq(g_ipsec_la_sa_add(&bogus, NULL, G_IPSEC_LA_CTRL_FLAG_ASYNC,
					   NULL, NULL), -EINVAL);
	ra.cbfn = never_called;
	ck_assert_msg(g_ipsec_la_packet_encap(&bogus, G_IPSEC_LA_CTRL_FLAG_ASYNC,
					      &sh, 1, &d, &o, &ra) == -EINVAL,
		      "cb_arg longer than G_IPSEC_LA_MAX_CB_ARG_LEN");
	ck_assert_msg(g_ipsec_la_capabilities_get(&bogus, 1u << 7, &caps, NULL) == -EINVAL,
		      "unknown control flag bits must give -EINVAL");
}
END_TEST

Suite *suite_api(void)
{
	Suite *s = suite_create("api");
	TCase *tc = tcase_create("no-device");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, api_version);
	tcase_add_test(tc, open_without_accelerator);
	tcase_add_test(tc, open_bad_arguments);
	tcase_add_test(tc, bad_handles_refused);
	tcase_add_test(tc, async_flags_checked);
	suite_add_tcase(s, tc);
	return s;
}
