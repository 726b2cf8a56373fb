// SPDX-License-Identifier: BSD-3-Clause
/*
 * Asynchronous calls and notifications: ASYNC packet batches completed
 * through the fd and g_ipsec_la_poll(), cb_arg copied, NO_RESP_EXPECTED,
 * deferred control callbacks, and the notification hooks (soft lifetime,
 * periodic sequence announcements, sequence overflow).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "gapi.h"

struct cb_seen {
	int calls;
	char tag[16];
	int32_t len;
	int32_t result;
	uint32_t n;
	int32_t first, second;
};
static struct cb_seen seen;

static void resp_cb(void *arg, int32_t len, void *outargs)
{
	const struct g_ipsec_la_packet_outargs *o = outargs;

	seen.calls++;
	seen.len = len;
	memcpy(seen.tag, arg, len < 16 ? (size_t)len : 16);
	seen.result = o->result;
	seen.n = o->num_packets;
	seen.first = o->results ? o->results[0].result : 1;
	seen.second = o->results && o->num_packets > 1 ? o->results[1].result : 1;
}

static int poll_until(int *counter, int want)
{
	int i;

	for (i = 0; i < 500 && *counter < want; i++)
		if (g_ipsec_la_poll(&ga_h, 20) < 0)
			return -1;
	return *counter;
}

START_TEST(async_batch_through_fd)
{
	static uint8_t p[16][100], e[16][200];
	struct g_ipsec_la_data di[16], dout[16];
	struct g_ipsec_la_packet pin[16], pout[16];
	struct g_ipsec_la_pkt_result r[16];
	struct g_ipsec_la_sa_handle o, i;
	char tag[16] = "async-tag";
	struct g_ipsec_la_resp_args ra = { resp_cb, tag, sizeof(tag) };
	struct pollfd pfd = { .events = POLLIN };
	uint32_t k;
	int n;

	memset(&seen, 0, sizeof(seen));
	ck_assert_int_eq(ga_pair(&ga_h, 0x6001, &o, &i), 0);
	for (k = 0; k < 16; k++) {
		ga_packet(p[k], 100, (uint8_t)k);
		di[k] = (struct g_ipsec_la_data){ p[k], 100 };
		dout[k] = (struct g_ipsec_la_data){ e[k], 200 };
		pin[k] = (struct g_ipsec_la_packet){ 1, &di[k] };
		pout[k] = (struct g_ipsec_la_packet){ 1, &dout[k] };
	}
	dout[1].length = 10;	/* one packet fails on its own */
	n = g_ipsec_la_multi_packet_encap(&ga_h, G_IPSEC_LA_CTRL_FLAG_ASYNC, &o,
					  16, pin, pout, r, &ra);
	ck_assert_int_eq(n, 16);
	memset(tag, 'X', sizeof(tag));	/* cb_arg was copied */
	ck_assert_int_eq(g_ipsec_la_fd_get(&ga_h, &pfd.fd), 0);
	ck_assert_msg(poll(&pfd, 1, 10000) == 1 && (pfd.revents & POLLIN),
		      "the fd becomes readable when the batch completes");
	ck_assert_int_eq(poll_until(&seen.calls, 1), 1);
	ck_assert_msg(!strcmp(seen.tag, "async-tag") && seen.len == 16,
		      "callback got the copied cb_arg");
	ck_assert_msg(seen.result == 0 && seen.n == 16 && seen.first == 0 &&
		      seen.second == -ENOSPC, "per-packet results in the callback");
	ck_assert_msg(r[0].result == 0 && dout[0].length > 100 &&
		      r[1].result == -ENOSPC, "results written into the caller's array");
	ck_assert_int_eq(g_ipsec_la_poll(&ga_h, 0), 0);

	/* single-packet ASYNC, then NO_RESP_EXPECTED (no callback) */
	dout[0] = (struct g_ipsec_la_data){ e[0], 200 };
	ck_assert_int_eq(g_ipsec_la_packet_encap(&ga_h, G_IPSEC_LA_CTRL_FLAG_ASYNC,
						 &o, 1, &di[0], &dout[0], &ra), 0);
	ck_assert_int_eq(poll_until(&seen.calls, 2), 2);
	ck_assert_msg(seen.first == 0 && dout[0].length > 100, "single async");
	ck_assert_int_eq(g_ipsec_la_packet_encap(&ga_h,
						 G_IPSEC_LA_CTRL_FLAG_NO_RESP_EXPECTED,
						 &o, 1, &di[0], &dout[0], NULL), 0);
	ck_assert_int_eq(g_ipsec_la_poll(&ga_h, 50), 0);
	ck_assert_int_eq(seen.calls, 2);
	ck_assert_msg(g_ipsec_la_packet_encap(&ga_h, G_IPSEC_LA_CTRL_FLAG_ASYNC, &o,
					      1, &di[0], &dout[0], NULL) == -EINVAL,
		      "ASYNC without a callback");
	ck_assert_int_eq(g_ipsec_la_fd_get(&ga_h, NULL), -EINVAL);
	ck_assert_int_eq(g_ipsec_la_poll(NULL, 0), -EINVAL);
}
END_TEST

static int ctrl_calls;
static int32_t ctrl_result;
static void ctrl_cb(void *arg, int32_t len, void *outargs)
{
	(void)arg;
	(void)len;
	ctrl_calls++;
	ctrl_result = *(int32_t *)outargs;	/* every outargs starts so */
}

START_TEST(async_control_calls)
{
	struct g_ipsec_la_resp_args ra = { ctrl_cb, NULL, 0 };
	struct g_ipsec_la_sa sa;
	struct g_ipsec_la_sa_handle h;
	struct g_ipsec_la_sa_add_inargs in = { G_IPSEC_LA_IPSEC_OUTBOUND, 1, &sa };
	struct g_ipsec_la_sa_add_outargs out = { .handles = &h };
	struct g_ipsec_la_sa_del_inargs d = { G_IPSEC_LA_IPSEC_OUTBOUND, &h };
	struct g_ipsec_cap_get_outargs caps;
	uint8_t p[100], e[200];
	uint32_t len = sizeof(e);

	ctrl_calls = 0;
	memset(&h, 0, sizeof(h));
	ga_sa(&sa, 0x6101);
	ck_assert_int_eq(g_ipsec_la_sa_add(&ga_h, &in, G_IPSEC_LA_CTRL_FLAG_ASYNC,
					   &out, &ra), 0);
	ck_assert_msg(ctrl_calls == 0, "no callback before poll (no hidden thread)");
	/* item 7: sa_add returns once queued; the handle comes with the
	 * completion (gapi_ctrl_async.c tests it in depth) */
	ck_assert_msg(h.ipsec_sa_handle[0] == 0, "handle written before completion");
	ck_assert_int_eq(poll_until(&ctrl_calls, 1), 1);
	ck_assert_msg(ctrl_result == 0, "sa_add callback result %d", ctrl_result);
	ga_packet(p, sizeof(p), 8);
	ck_assert_msg(ga_xf(&ga_h, 1, &h, p, sizeof(p), e, &len) == 0,
		      "the SA exists once its callback ran");
	ck_assert_int_eq(g_ipsec_la_capabilities_get(&ga_h, G_IPSEC_LA_CTRL_FLAG_ASYNC,
						     &caps, &ra), 0);
	ck_assert_int_eq(g_ipsec_la_sa_del(&ga_h, &d, G_IPSEC_LA_CTRL_FLAG_ASYNC,
					   NULL, &ra), 0);
	ck_assert_int_eq(g_ipsec_la_sa_flush(&ga_h, G_IPSEC_LA_CTRL_FLAG_ASYNC, &ra), 0);
	/* sa_del and flush complete asynchronously (the device's worker) */
	ck_assert_int_eq(poll_until(&ctrl_calls, 4), 4);
	ck_assert_int_eq(g_ipsec_la_poll(&ga_h, 0), 0);
	ck_assert_msg(ctrl_calls == 4 && ctrl_result == 0, "4 deferred callbacks");
	ck_assert_msg(g_ipsec_la_sa_del(&ga_h, &d, G_IPSEC_LA_CTRL_FLAG_ASYNC, NULL,
					&ra) == -ENOENT, "errors are returned at once");
	ck_assert_int_eq(g_ipsec_la_poll(&ga_h, 0), 0);
	ck_assert_int_eq(g_ipsec_la_sa_flush(&ga_h,
					     G_IPSEC_LA_CTRL_FLAG_NO_RESP_EXPECTED,
					     NULL), 0);
	ck_assert_int_eq(g_ipsec_la_poll(&ga_h, 0), 0);
}
END_TEST

static int n_soft, n_seq, n_ovf;
static uint32_t last_seq, soft_limit;
static uint64_t soft_packets;
static struct g_ipsec_la_sa_handle hook_sa;

static void soft_fn(struct g_ipsec_la_handle h,
		    struct g_ipsec_la_lifetime_in_bytes_notification *n)
{
	(void)h;
	n_soft++;
	soft_limit = n->limit;
	soft_packets = n->packets;
	hook_sa = n->sa_handle;
}

static void seq_fn(struct g_ipsec_la_handle h,
		   struct g_ipsec_seq_number_notification *n)
{
	(void)h;
	n_seq++;
	last_seq = n->seq_num;
	hook_sa = *n->sa_handle;
}

static void ovf_fn(struct g_ipsec_la_handle h,
		   struct g_ipsec_seq_number_notification *n)
{
	(void)h;
	(void)n;
	n_ovf++;
}

static const struct g_ipsec_la_notification_hooks hooks = {
	.seq_num_overflow_fn = ovf_fn,
	.seq_num_periodic_update_fn = seq_fn,
	.soft_lifetimeout_expiry_fn = soft_fn,
};

static void encap_n(const struct g_ipsec_la_sa_handle *o, int n, int want)
{
	uint8_t p[100], e[200];
	uint32_t len;
	int k;

	ga_packet(p, sizeof(p), 9);
	for (k = 0; k < n; k++) {
		len = sizeof(e);
		ck_assert_int_eq(ga_xf(&ga_h, 1, o, p, sizeof(p), e, &len), want);
	}
}

START_TEST(soft_lifetime_notification)
{
	struct g_ipsec_la_sa sa;
	struct g_ipsec_la_sa_handle o;

	if (!ga_has_feature(7))
		GA_SKIP("accelerator offers no lifetimes + event queue "
			"(soft_lifetime_bytes_notify = 0)");
	n_soft = 0;
	ck_assert_int_eq(g_ipsec_la_notification_hooks_register(&ga_h, &hooks), 0);
	ga_sa(&sa, 0x6201);
	sa.soft_packets_limit = 3;
	sa.hard_packets_limit = 100;
	ck_assert_int_eq(ga_add(&ga_h, G_IPSEC_LA_IPSEC_OUTBOUND, &sa, &o), 0);
	encap_n(&o, 5, 0);	/* soft expiry is a warning, not an error */
	poll_until(&n_soft, 1);
	ck_assert_msg(n_soft == 1, "soft-lifetime hook called once (got %d)", n_soft);
	ck_assert_msg(!memcmp(&hook_sa, &o, sizeof(o)),
		      "the hook names our SA handle");
	ck_assert_msg(soft_limit == G_IPSEC_LA_LIMIT_PACKETS && soft_packets == 3,
		      "the packet limit was reached at 3 (limit %u, packets %llu)",
		      soft_limit, (unsigned long long)soft_packets);
	ck_assert_int_eq(g_ipsec_la_notification_hooks_deregister(&ga_h), 0);
}
END_TEST

START_TEST(seq_notify_and_overflow)
{
	struct g_ipsec_la_sa sa;
	struct g_ipsec_la_sa_handle o;
	struct g_ipsec_la_sa_mod_inargs m = {
		.dir = G_IPSEC_LA_IPSEC_OUTBOUND, .handle = &o,
		.flags = G_IPSEC_LA_SA_MODIFY_REPLAY_INFO,
	};
	int ret;

	if (!ga_has_feature(5))
		GA_SKIP("accelerator has no event queue (no notifications)");
	n_seq = n_ovf = 0;
	ck_assert_int_eq(g_ipsec_la_notification_hooks_register(&ga_h, &hooks), 0);
	ga_sa(&sa, 0x6301);
	sa.seq_notify_interval = 4;
	ck_assert_int_eq(ga_add(&ga_h, G_IPSEC_LA_IPSEC_OUTBOUND, &sa, &o), 0);
	encap_n(&o, 9, 0);
	poll_until(&n_seq, 2);
	ck_assert_msg(n_seq == 2 && last_seq == 8,
		      "periodic announcements at 4 and 8 (got %d, last %u)",
		      n_seq, last_seq);
	m.u.replay_info.flags = G_IPSEC_LA_SA_MODIFY_SEQ_NUM;
	m.u.replay_info.seq_num = 0xffffffffu;
	ret = g_ipsec_la_sa_mod(&ga_h, &m, 0, NULL, NULL);
	if (ret == -EOPNOTSUPP)
		GA_SKIP("seq overflow part: accelerator did not negotiate SA_MOD");
	ck_assert_int_eq(ret, 0);
	encap_n(&o, 1, -EOVERFLOW);
	poll_until(&n_ovf, 1);
	ck_assert_msg(n_ovf == 1, "sequence overflow hook (got %d)", n_ovf);
	ck_assert_int_eq(g_ipsec_la_notification_hooks_deregister(&ga_h), 0);
	encap_n(&o, 1, -EOVERFLOW);
	g_ipsec_la_poll(&ga_h, 50);
	ck_assert_msg(n_ovf == 1, "no hook after deregister");
}
END_TEST

Suite *suite_gapi_async(void)
{
	Suite *s = suite_create("gapi_async");
	TCase *t = tcase_create("async");

	tcase_add_checked_fixture(t, ga_setup, ga_teardown);
	tcase_set_timeout(t, 60);
	tcase_add_test(t, async_batch_through_fd);
	tcase_add_test(t, async_control_calls);
	tcase_add_test(t, soft_lifetime_notification);
	tcase_add_test(t, seq_notify_and_overflow);
	suite_add_tcase(s, t);
	return s;
}
