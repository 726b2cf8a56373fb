// SPDX-License-Identifier: BSD-3-Clause
/*
 * Issue 11 item 7: ASYNC control calls with an output - sa_add, create
 * group, sa_get - return once queued and deliver their output (the SA
 * handles, the group handle, the SA state) through g_ipsec_la_poll(),
 * like the data calls. Success and error paths, the VIPSEC_MAX_ASYNC
 * bound, close with completions never read.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gapi.h"

#define CA_MAX 80

/* One record per callback, in the order they ran. */
static struct ca_seen {
	int tag;
	int32_t result;
	uint32_t failed_index, num_sas;
	const void *handles;	/* outargs->handles: the caller's array? */
	uint32_t group_handle[G_IPSEC_LA_GROUP_HANDLE_SIZE];
} seen[CA_MAX];
static int nseen;

static void add_cb(void *arg, int32_t len, void *outargs)
{
	const struct g_ipsec_la_sa_add_outargs *o = outargs;

	ck_assert_int_eq(len, (int32_t)sizeof(int));
	if (nseen >= CA_MAX)
		return;
	seen[nseen].tag = *(int *)arg;
	seen[nseen].result = o->result;
	seen[nseen].failed_index = o->failed_index;
	seen[nseen].handles = o->handles;
	nseen++;
}

static void get_cb(void *arg, int32_t len, void *outargs)
{
	const struct g_ipsec_la_sa_get_outargs *o = outargs;

	(void)len;
	if (nseen >= CA_MAX)
		return;
	seen[nseen].tag = *(int *)arg;
	seen[nseen].result = o->result;
	seen[nseen].num_sas = o->num_sas;
	seen[nseen].handles = o->handles;
	nseen++;
}

static void group_cb(void *arg, int32_t len, void *outargs)
{
	const struct g_ipsec_la_create_group_cb_outargs *o = outargs;

	(void)len;
	if (nseen >= CA_MAX)
		return;
	seen[nseen].tag = *(int *)arg;
	seen[nseen].result = o->result;
	memcpy(seen[nseen].group_handle, o->group_handle,
	       sizeof(o->group_handle));
	nseen++;
}

static void poll_for(struct g_ipsec_la_handle *h, int want)
{
	int i;

	for (i = 0; i < 500 && nseen < want; i++)
		ck_assert(g_ipsec_la_poll(h, 20) >= 0);
	ck_assert_msg(nseen == want, "%d callbacks of %d", nseen, want);
}

static int is_zero(const void *p, size_t len)
{
	const uint8_t *b = p;

	while (len--)
		if (*b++)
			return 0;
	return 1;
}

/*
 * sa_add returns once queued: nothing is written to the caller's handles
 * until g_ipsec_la_poll() reads the completion (the call did not wait
 * for it; the old form, a blocking ioctl and a deferred callback, had
 * the handles at return). Then the SAs carry packets both ways.
 */
START_TEST(async_sa_add_then_use)
{
	int tags[2] = { 0, 1 };
	struct g_ipsec_la_resp_args ro = { add_cb, &tags[0], sizeof(int) };
	struct g_ipsec_la_resp_args ri = { add_cb, &tags[1], sizeof(int) };
	struct g_ipsec_la_sa so, si;
	struct g_ipsec_la_sa_handle o, i;
	struct g_ipsec_la_sa_add_inargs ino = { G_IPSEC_LA_IPSEC_OUTBOUND, 1,
						&so };
	struct g_ipsec_la_sa_add_inargs ini = { G_IPSEC_LA_IPSEC_INBOUND, 1,
						&si };
	struct g_ipsec_la_sa_add_outargs outo = { .result = 77, .handles = &o };
	struct g_ipsec_la_sa_add_outargs outi = { .result = 77, .handles = &i };
	uint8_t p[200], e[300], d[300];
	uint32_t el = sizeof(e), dl = sizeof(d);

	nseen = 0;
	memset(&o, 0, sizeof(o));
	memset(&i, 0, sizeof(i));
	ga_sa(&so, 0x7a01);
	si = so;
	si.cmn_flags = G_IPSEC_LA_SA_DO_ANTI_REPLAY_CHECK;
	si.u.inb.anti_replay_window_size = 64;
	ck_assert_int_eq(g_ipsec_la_sa_add(&ga_h, &ino, G_IPSEC_LA_CTRL_FLAG_ASYNC,
					   &outo, &ro), 0);
	ck_assert_int_eq(g_ipsec_la_sa_add(&ga_h, &ini, G_IPSEC_LA_CTRL_FLAG_ASYNC,
					   &outi, &ri), 0);
	ck_assert_msg(nseen == 0, "no callback before poll");
	ck_assert_msg(is_zero(&o, sizeof(o)) && is_zero(&i, sizeof(i)),
		      "handles written before the completion was read");
	ck_assert_msg(outo.result == 77 && outi.result == 77,
		      "ASYNC: out is not written (result %d, %d)", outo.result,
		      outi.result);
	poll_for(&ga_h, 2);
	ck_assert_msg(seen[0].tag == 0 && seen[1].tag == 1,
		      "completions in submission order");
	ck_assert_msg(seen[0].result == 0 && seen[1].result == 0,
		      "results %d %d", seen[0].result, seen[1].result);
	ck_assert_msg(seen[0].handles == &o && seen[1].handles == &i,
		      "the callback's outargs point at the caller's handles");
	ck_assert_msg(!is_zero(&o, sizeof(o)) && !is_zero(&i, sizeof(i)),
		      "handles delivered");
	ga_packet(p, sizeof(p), 3);
	ck_assert_int_eq(ga_xf(&ga_h, 1, &o, p, sizeof(p), e, &el), 0);
	ck_assert_int_eq(ga_xf(&ga_h, 0, &i, e, el, d, &dl), 0);
	ck_assert_msg(dl == sizeof(p) && !memcmp(d, p, sizeof(p)),
		      "decap of the encap gives the packet back");
	ck_assert_int_eq(g_ipsec_la_poll(&ga_h, 0), 0);
}
END_TEST

/*
 * Errors: what the library sees is returned at once without callback;
 * what the driver or the device refuses comes to the callback, with
 * failed_index, and nothing is added (all or nothing).
 */
START_TEST(async_sa_add_errors)
{
	int tag = 5;
	struct g_ipsec_la_resp_args ra = { add_cb, &tag, sizeof(int) };
	struct g_ipsec_la_sa sa[2];
	struct g_ipsec_la_sa_handle h[2], i;
	struct g_ipsec_la_sa_add_inargs in = { G_IPSEC_LA_IPSEC_INBOUND, 2, sa };
	struct g_ipsec_la_sa_add_outargs out = { .handles = h };
	int before;

	nseen = 0;
	memset(h, 0, sizeof(h));
	ga_sa(&sa[0], 0x7b01);
	sa[0].spi = 255; /* below 256: the library refuses it */
	in.num_sas = 1;
	ck_assert_int_eq(g_ipsec_la_sa_add(&ga_h, &in, G_IPSEC_LA_CTRL_FLAG_ASYNC,
					   &out, &ra), -EINVAL);
	ck_assert_int_eq(g_ipsec_la_poll(&ga_h, 20), 0);
	ck_assert_msg(nseen == 0, "no callback for an error returned at once");
	ck_assert_int_eq(g_ipsec_la_sa_add(&ga_h, &in, G_IPSEC_LA_CTRL_FLAG_ASYNC,
					   &out, NULL), -EINVAL);

	/* an inbound SPI already in the group: only the device knows */
	before = ga_count_sas(&ga_h, G_IPSEC_LA_IPSEC_INBOUND);
	ga_sa(&sa[0], 0x7b02);
	ck_assert_int_eq(ga_add(&ga_h, G_IPSEC_LA_IPSEC_INBOUND, &sa[0], &i), 0);
	ga_sa(&sa[0], 0x7b03);
	ga_sa(&sa[1], 0x7b02);
	in.num_sas = 2;
	ck_assert_int_eq(g_ipsec_la_sa_add(&ga_h, &in, G_IPSEC_LA_CTRL_FLAG_ASYNC,
					   &out, &ra), 0);
	poll_for(&ga_h, 1);
	ck_assert_msg(seen[0].result == -EEXIST && seen[0].failed_index == 1,
		      "duplicate SPI: result %d (want -EEXIST), failed_index %u",
		      seen[0].result, seen[0].failed_index);
	ck_assert_msg(is_zero(h, sizeof(h)), "no handle for a failed add");
	ck_assert_msg(ga_count_sas(&ga_h, G_IPSEC_LA_IPSEC_INBOUND) == before + 1,
		      "all or nothing: the first SA of the batch was not kept");
}
END_TEST

/* Compares the parts of two states that cannot move in between. */
static void state_eq(const struct g_ipsec_la_sa_state *a,
		     const struct g_ipsec_la_sa_state *b)
{
	ck_assert_msg(a->seq == b->seq, "seq %llu vs %llu",
		      (unsigned long long)a->seq, (unsigned long long)b->seq);
	ck_assert_int_eq(a->flags, b->flags);
	ck_assert_int_eq(a->anti_replay_window_size, b->anti_replay_window_size);
	ck_assert_msg(!memcmp(a->anti_replay_window_bit_map,
			      b->anti_replay_window_bit_map,
			      sizeof(a->anti_replay_window_bit_map)),
		      "replay bitmaps differ");
	ck_assert_msg(a->used.bytes == b->used.bytes &&
			      a->used.packets == b->used.packets,
		      "used lifetime differs");
}

/* The same SA state, replay bitmap included, as the synchronous call. */
START_TEST(async_sa_get_matches_sync)
{
	int tag = 9;
	struct g_ipsec_la_resp_args ra = { get_cb, &tag, sizeof(int) };
	struct g_ipsec_la_sa_handle o, i, hs, ha, gone;
	struct g_ipsec_la_sa ps, pa;
	struct g_ipsec_la_sa_stats ss, sa_;
	struct g_ipsec_la_sa_state ts, ta;
	struct g_ipsec_la_sa_get_inargs in = {
		.dir = G_IPSEC_LA_IPSEC_INBOUND,
		.operation = G_IPSEC_LA_SA_GET_EXACT,
		.num_sas = 1,
		.flags = G_IPSEC_LA_SA_GET_PARAMS | G_IPSEC_LA_SA_GET_STATS |
			 G_IPSEC_LA_SA_GET_STATE,
	};
	struct g_ipsec_la_sa_get_outargs os = { .sa_params = &ps, .stats = &ss,
						.handles = &hs, .state = &ts };
	struct g_ipsec_la_sa_get_outargs oa = { .sa_params = &pa, .stats = &sa_,
						.handles = &ha, .state = &ta,
						.result = 77 };
	struct g_ipsec_la_sa_del_inargs d = { G_IPSEC_LA_IPSEC_OUTBOUND, &gone };
	static uint8_t p[6][120], e[6][200];
	uint8_t dec[200];
	uint32_t el, dl, k;
	int ret;

	nseen = 0;
	ck_assert_int_eq(ga_pair(&ga_h, 0x7c01, &o, &i), 0);
	for (k = 0; k < 6; k++) {
		ga_packet(p[k], sizeof(p[k]), (uint8_t)k);
		el = sizeof(e[k]);
		ck_assert_int_eq(ga_xf(&ga_h, 1, &o, p[k], sizeof(p[k]), e[k],
				       &el), 0);
	}
	/* holes in the replay window: packets 1, 3, 6 only */
	for (k = 0; k < 6; k += 2) {
		dl = sizeof(dec);
		ck_assert_int_eq(ga_xf(&ga_h, 0, &i, e[k], el, dec, &dl), 0);
	}
	dl = sizeof(dec);
	ck_assert_int_eq(ga_xf(&ga_h, 0, &i, e[5], el, dec, &dl), 0);
	in.handle = &i;
	ret = g_ipsec_la_sa_get(&ga_h, &in, 0, &os, NULL);
	if (ret == -EOPNOTSUPP) {
		/* no SA_STATE: params and stats still must match */
		in.flags &= ~G_IPSEC_LA_SA_GET_STATE;
		ret = g_ipsec_la_sa_get(&ga_h, &in, 0, &os, NULL);
	}
	ck_assert_int_eq(ret, 0);
	ck_assert_int_eq(os.num_sas, 1);
	memset(&ha, 0, sizeof(ha));
	memset(&ta, 0xa5, sizeof(ta));
	ck_assert_int_eq(g_ipsec_la_sa_get(&ga_h, &in, G_IPSEC_LA_CTRL_FLAG_ASYNC,
					   &oa, &ra), 0);
	ck_assert_msg(nseen == 0 && is_zero(&ha, sizeof(ha)) && oa.result == 77,
		      "nothing delivered before poll");
	poll_for(&ga_h, 1);
	ck_assert_msg(seen[0].result == 0 && seen[0].num_sas == 1 &&
			      seen[0].handles == &ha,
		      "async sa_get: result %d, %u SAs", seen[0].result,
		      seen[0].num_sas);
	ck_assert_msg(!memcmp(&ha, &hs, sizeof(hs)), "same handle");
	ck_assert_msg(!memcmp(&ha, &i, sizeof(i)), "the SA asked for");
	ck_assert_msg(!memcmp(&pa, &ps, sizeof(ps)), "same parameters");
	ck_assert_msg(!memcmp(&sa_, &ss, sizeof(ss)), "same statistics");
	if (in.flags & G_IPSEC_LA_SA_GET_STATE) {
		state_eq(&ta, &ts);
		ck_assert_msg(ta.seq == 6 && (ta.anti_replay_window_bit_map[0] &
					      0x3f) == 0x2b,
			      "state read: seq %llu bitmap %llx",
			      (unsigned long long)ta.seq,
			      (unsigned long long)ta.anti_replay_window_bit_map[0]);
	}

	/* an SA deleted meanwhile: the driver's -ENOENT reaches the callback */
	gone = o;
	ck_assert_int_eq(g_ipsec_la_sa_del(&ga_h, &d, 0, NULL, NULL), 0);
	in.dir = G_IPSEC_LA_IPSEC_OUTBOUND;
	in.handle = &gone;
	ck_assert_int_eq(g_ipsec_la_sa_get(&ga_h, &in, G_IPSEC_LA_CTRL_FLAG_ASYNC,
					   &oa, &ra), 0);
	poll_for(&ga_h, 2);
	ck_assert_msg(seen[1].result == -ENOENT && seen[1].num_sas == 0,
		      "deleted SA: result %d", seen[1].result);
	/* errors the library sees: at once */
	in.num_sas = 2;
	ck_assert_int_eq(g_ipsec_la_sa_get(&ga_h, &in, G_IPSEC_LA_CTRL_FLAG_ASYNC,
					   &oa, &ra), -EINVAL);
	ck_assert_int_eq(g_ipsec_la_poll(&ga_h, 0), 0);
}
END_TEST

/* create_group ASYNC: the handle comes to the callback and works. */
START_TEST(async_create_group)
{
	int tag = 3;
	struct g_ipsec_la_resp_args ra = { group_cb, &tag, sizeof(int) };
	struct g_ipsec_la_create_group_inargs gi = { .group_identity = "ca-grp" };
	struct g_ipsec_la_create_group_outargs go;
	struct g_ipsec_la_handle h, gh;
	struct g_ipsec_la_sa_handle o, i;
	int n, ret = 0, err;

	nseen = 0;
	ck_assert_int_eq(ga_open(G_IPSEC_LA_INSTANCE_SHARED, "ctrl-async-grp",
				 &h), 0);
	memset(&go, 0x5a, sizeof(go));
	ck_assert_int_eq(g_ipsec_la_create_group(&h, &gi,
						 G_IPSEC_LA_CTRL_FLAG_ASYNC,
						 &go, &ra), 0);
	ck_assert_msg(nseen == 0, "no callback before poll");
	poll_for(&h, 1);
	ck_assert_msg(seen[0].result == 0 && !is_zero(seen[0].group_handle,
						      sizeof(go.group_handle)),
		      "group created: result %d", seen[0].result);
	gh = h;
	memcpy(gh.group_handle, seen[0].group_handle, sizeof(gh.group_handle));
	ck_assert_int_eq(ga_pair(&gh, 0x7d01, &o, &i), 0);
	ck_assert_int_eq(ga_count_sas(&gh, G_IPSEC_LA_IPSEC_INBOUND), 1);
	ck_assert_msg(g_ipsec_la_delete_group(&gh) == -EBUSY,
		      "the group holds the SAs");
	/* invalid arguments: at once, no callback */
	gi.group_identity = "";
	ck_assert_int_eq(g_ipsec_la_create_group(&h, &gi,
						 G_IPSEC_LA_CTRL_FLAG_ASYNC,
						 &go, &ra), -EINVAL);
	/* a full group table (or quota) comes to the callback */
	for (n = 0; n < 4096; n++) {
		char name[32];

		snprintf(name, sizeof(name), "ca-fill-%d", n);
		gi.group_identity = name;
		ret = g_ipsec_la_create_group(&h, &gi, 0, &go, NULL);
		if (ret)
			break;
	}
	err = ret;
	ck_assert_msg(err == -ENOSPC || err == -EDQUOT,
		      "filling the groups ended with %d", err);
	gi.group_identity = "ca-one-more";
	ck_assert_int_eq(g_ipsec_la_create_group(&h, &gi,
						 G_IPSEC_LA_CTRL_FLAG_ASYNC,
						 &go, &ra), 0);
	poll_for(&h, 2);
	ck_assert_msg(seen[1].result == err &&
			      is_zero(seen[1].group_handle,
				      sizeof(go.group_handle)),
		      "async create on a full table: %d (sync said %d)",
		      seen[1].result, err);
	ck_assert_int_eq(g_ipsec_la_close(&h), 0);	/* frees them all */
}
END_TEST

/*
 * VIPSEC_MAX_ASYNC (64) calls whose output was not read yet: the next is
 * -EAGAIN; all complete once polled, and the slot frees again.
 */
START_TEST(async_many_then_eagain)
{
	static struct g_ipsec_la_sa sa[CA_MAX];
	static struct g_ipsec_la_sa_handle hs[CA_MAX];
	static struct g_ipsec_la_sa_add_inargs in[CA_MAX];
	static struct g_ipsec_la_sa_add_outargs out[CA_MAX];
	static int tags[CA_MAX];
	struct g_ipsec_la_resp_args ra;
	struct g_ipsec_la_handle h;
	int k, j, ret = 0;

	nseen = 0;
	ck_assert_int_eq(ga_open(G_IPSEC_LA_INSTANCE_SHARED, "ctrl-async-many",
				 &h), 0);
	memset(hs, 0, sizeof(hs));
	for (k = 0; k < CA_MAX; k++) {
		ga_sa(&sa[k], 0x7e00 + (uint32_t)k);
		in[k] = (struct g_ipsec_la_sa_add_inargs){
			G_IPSEC_LA_IPSEC_OUTBOUND, 1, &sa[k]
		};
		out[k] = (struct g_ipsec_la_sa_add_outargs){ .handles = &hs[k] };
		tags[k] = k;
		ra = (struct g_ipsec_la_resp_args){ add_cb, &tags[k], sizeof(int) };
		ret = g_ipsec_la_sa_add(&h, &in[k], G_IPSEC_LA_CTRL_FLAG_ASYNC,
					&out[k], &ra);
		if (ret)
			break;
	}
	ck_assert_msg(k == 64 && ret == -EAGAIN,
		      "call %d got %d (want -EAGAIN at 64)", k, ret);
	poll_for(&h, 64);
	for (j = 0; j < 64; j++) {
		ck_assert_msg(seen[j].tag == j && seen[j].result == 0,
			      "completion %d: tag %d result %d", j, seen[j].tag,
			      seen[j].result);
		ck_assert_msg(!is_zero(&hs[j], sizeof(hs[j])), "handle %d", j);
		for (k = 0; k < j; k++)
			ck_assert_msg(memcmp(&hs[j], &hs[k], sizeof(hs[j])),
				      "handles %d and %d are the same", j, k);
	}
	ck_assert_int_eq(ga_count_sas(&h, G_IPSEC_LA_IPSEC_OUTBOUND), 64);
	ra = (struct g_ipsec_la_resp_args){ add_cb, &tags[64], sizeof(int) };
	ck_assert_int_eq(g_ipsec_la_sa_add(&h, &in[64],
					   G_IPSEC_LA_CTRL_FLAG_ASYNC, &out[64],
					   &ra), 0);
	poll_for(&h, 65);
	ck_assert_int_eq(seen[64].result, 0);
	ck_assert_int_eq(g_ipsec_la_close(&h), 0);
}
END_TEST

/*
 * close() with completions never read, outputs held by the driver: no
 * callback afterwards, nothing left (the debug kernel run checks leaks),
 * and the SAs the calls added go with the handle like any of its SAs.
 */
START_TEST(async_close_unread)
{
	int tag = 1;
	struct g_ipsec_la_resp_args ra = { add_cb, &tag, sizeof(int) };
	struct g_ipsec_la_resp_args rg = { get_cb, &tag, sizeof(int) };
	struct g_ipsec_la_create_group_inargs gi = { .group_identity = "ca-cl" };
	struct g_ipsec_la_create_group_outargs go;
	struct g_ipsec_la_sa sa[4];
	struct g_ipsec_la_sa_handle hs[4], gh[G_IPSEC_LA_MAX_SA_GET];
	struct g_ipsec_la_sa_add_inargs in = { G_IPSEC_LA_IPSEC_INBOUND, 4, sa };
	struct g_ipsec_la_sa_handle again;
	struct g_ipsec_la_sa_del_inargs d = { G_IPSEC_LA_IPSEC_INBOUND, &again };
	struct g_ipsec_la_sa_add_outargs out = { .handles = hs };
	struct g_ipsec_la_sa_get_inargs gin = {
		.dir = G_IPSEC_LA_IPSEC_INBOUND,
		.operation = G_IPSEC_LA_SA_GET_FIRST_N,
		.num_sas = G_IPSEC_LA_MAX_SA_GET,
	};
	struct g_ipsec_la_sa_get_outargs gout = { .handles = gh };
	struct g_ipsec_la_handle h;
	int k, before;

	nseen = 0;
	before = ga_count_sas(&ga_h, G_IPSEC_LA_IPSEC_INBOUND);
	ck_assert_int_eq(ga_open(G_IPSEC_LA_INSTANCE_SHARED, "ctrl-async-close",
				 &h), 0);
	for (k = 0; k < 4; k++)
		ga_sa(&sa[k], 0x7f01 + (uint32_t)k);
	ck_assert_int_eq(g_ipsec_la_sa_add(&h, &in, G_IPSEC_LA_CTRL_FLAG_ASYNC,
					   &out, &ra), 0);
	ck_assert_int_eq(g_ipsec_la_sa_get(&h, &gin, G_IPSEC_LA_CTRL_FLAG_ASYNC,
					   &gout, &rg), 0);
	ck_assert_int_eq(g_ipsec_la_create_group(&h, &gi,
						 G_IPSEC_LA_CTRL_FLAG_ASYNC,
						 &go, &ra), 0);
	ck_assert_int_eq(g_ipsec_la_close(&h), 0);
	ck_assert_msg(nseen == 0, "no callback of a closed handle");
	ck_assert_int_eq(g_ipsec_la_poll(&ga_h, 50), 0);
	ck_assert_int_eq(nseen, 0);
	ck_assert_int_eq(ga_count_sas(&ga_h, G_IPSEC_LA_IPSEC_INBOUND), before);
	/*
	 * Whether the add ran before the close or was dropped, none of its
	 * SAs is left: their inbound SPIs (the default group is shared by
	 * every handle) add again instead of -EEXIST.
	 */
	for (k = 0; k < 4; k++) {
		ck_assert_msg(ga_add(&ga_h, G_IPSEC_LA_IPSEC_INBOUND, &sa[k],
				     &again) == 0,
			      "SPI %x of the closed handle still in use",
			      sa[k].spi);
		ck_assert_int_eq(g_ipsec_la_sa_del(&ga_h, &d, 0, NULL, NULL), 0);
	}
}
END_TEST

Suite *suite_gapi_ctrl_async(void)
{
	Suite *s = suite_create("gapi-ctrl-async");
	TCase *t = tcase_create("ctrl-async");

	tcase_add_checked_fixture(t, ga_setup, ga_teardown);
	tcase_set_timeout(t, 60);
	tcase_add_test(t, async_sa_add_then_use);
	tcase_add_test(t, async_sa_add_errors);
	tcase_add_test(t, async_sa_get_matches_sync);
	tcase_add_test(t, async_create_group);
	tcase_add_test(t, async_many_then_eagain);
	tcase_add_test(t, async_close_unread);
	suite_add_tcase(s, t);
	return s;
}
