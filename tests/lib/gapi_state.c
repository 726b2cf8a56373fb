// SPDX-License-Identifier: BSD-3-Clause
/*
 * g-API conformance: SA state read-back (G_IPSEC_LA_SA_GET_STATE), its
 * restore (sa_mod REPLAY_INFO and LIFETIME_INFO) and the failover round
 * trip, the event hooks for hard expiry, delete requests and error events
 * with their rate limit, and per-packet warnings of single-packet calls.
 * Runs on the host over the software accelerator and in the guest over
 * the device; ga_failover() is also the two-device program's test
 * (tests/guest/failover.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gapi.h"

#define OUT G_IPSEC_LA_IPSEC_OUTBOUND
#define IN  G_IPSEC_LA_IPSEC_INBOUND

/* One SA's state, parameters and handle through sa_get EXACT. */
static int get_state(struct g_ipsec_la_handle *h,
		     enum g_ipsec_la_sa_direction dir,
		     const struct g_ipsec_la_sa_handle *sh,
		     struct g_ipsec_la_sa_state *st, struct g_ipsec_la_sa *prm)
{
	struct g_ipsec_la_sa_handle got;
	struct g_ipsec_la_sa_get_inargs in = {
		.dir = dir, .handle = sh, .operation = G_IPSEC_LA_SA_GET_EXACT,
		.num_sas = 1,
		.flags = G_IPSEC_LA_SA_GET_STATE |
			 (prm ? G_IPSEC_LA_SA_GET_PARAMS : 0),
	};
	struct g_ipsec_la_sa_get_outargs out = {
		.handles = &got, .state = st, .sa_params = prm,
	};
	int ret = g_ipsec_la_sa_get(h, &in, 0, &out, NULL);

	if (!ret && out.num_sas != 1)
		return -EIO;
	return ret;
}

static uint32_t wire_seq(const uint8_t *esp)
{
	/* outer IPv4 (20 bytes), SPI, sequence number (RFC 4303) */
	return (uint32_t)esp[24] << 24 | (uint32_t)esp[25] << 16 |
	       (uint32_t)esp[26] << 8 | esp[27];
}

static struct g_ipsec_la_handle open_excl(const char *app)
{
	struct g_ipsec_la_handle h;
	int ret = ga_open(G_IPSEC_LA_INSTANCE_EXCLUSIVE, app, &h);

	ck_assert_msg(ret == 0, "open EXCLUSIVE: %d", ret);
	return h;
}

START_TEST(state_readback)
{
	struct g_ipsec_la_handle h = open_excl("state");
	struct g_ipsec_la_sa_handle o, i;
	struct g_ipsec_la_sa_state st;
	struct g_ipsec_la_sa sa;
	static uint8_t p[100], e[6][200], d[200];
	uint32_t len[6], dl;
	int k;

	ga_sa(&sa, 0x7101);
	sa.soft_packets_limit = 10;
	sa.hard_packets_limit = 20;
	ck_assert_int_eq(ga_add(&h, OUT, &sa, &o), 0);
	sa.cmn_flags = G_IPSEC_LA_SA_DO_ANTI_REPLAY_CHECK;
	sa.u.inb.anti_replay_window_size = 64;
	ck_assert_int_eq(ga_add(&h, IN, &sa, &i), 0);
	ga_packet(p, sizeof(p), 1);
	for (k = 1; k <= 5; k++) {
		len[k] = sizeof(e[k]);
		ck_assert_int_eq(ga_xf(&h, 1, &o, p, sizeof(p), e[k], &len[k]),
				 0);
	}
	for (k = 2; k <= 5; k++) {
		if (k == 3)
			continue;
		dl = sizeof(d);
		ck_assert_int_eq(ga_xf(&h, 0, &i, e[k], len[k], d, &dl), 0);
	}
	ck_assert_int_eq(get_state(&h, OUT, &o, &st, NULL), 0);
	ck_assert_msg(st.seq == 5 && st.used.packets == 5 &&
			      st.used.bytes == 5 * sizeof(p) &&
			      st.anti_replay_window_size == 0 && st.flags == 0,
		      "outbound: seq %llu, %llu packets",
		      (unsigned long long)st.seq,
		      (unsigned long long)st.used.packets);
	ck_assert_msg(st.soft_left.packets == 5 && st.hard_left.packets == 15 &&
			      st.soft_left.bytes ==
				      G_IPSEC_LA_LIFETIME_UNLIMITED &&
			      st.hard_left.seconds ==
				      G_IPSEC_LA_LIFETIME_UNLIMITED,
		      "left: soft %llu, hard %llu packets",
		      (unsigned long long)st.soft_left.packets,
		      (unsigned long long)st.hard_left.packets);
	ck_assert_msg(st.age_seconds == st.used.seconds, "age is time used");
	ck_assert_int_eq(get_state(&h, IN, &i, &st, NULL), 0);
	/* 5, 4 and 2 received: bits 0, 1 and 3 */
	ck_assert_msg(st.seq == 5 && st.anti_replay_window_size == 64 &&
			      st.anti_replay_window_bit_map[0] == 0xb &&
			      st.anti_replay_window_bit_map[1] == 0 &&
			      st.used.packets == 3,
		      "inbound: top %llu, window %u, bitmap %#llx",
		      (unsigned long long)st.seq, st.anti_replay_window_size,
		      (unsigned long long)st.anti_replay_window_bit_map[0]);
	ck_assert_int_eq(g_ipsec_la_close(&h), 0);
}
END_TEST

START_TEST(state_errors)
{
	struct g_ipsec_la_handle h = open_excl("state-err");
	struct g_ipsec_la_sa_handle o, i, hs[2];
	struct g_ipsec_la_sa_get_inargs in = {
		.dir = OUT, .operation = G_IPSEC_LA_SA_GET_FIRST_N,
		.num_sas = 2, .flags = G_IPSEC_LA_SA_GET_STATE,
	};
	struct g_ipsec_la_sa_get_outargs out = { .handles = hs };
	struct g_ipsec_la_sa_mod_inargs m = {
		.dir = OUT, .handle = &o,
		.flags = G_IPSEC_LA_SA_MODIFY_LIFETIME_INFO,
	};
	struct g_ipsec_la_sa_state st;
	static uint8_t p[100], e[200];
	uint32_t len = sizeof(e);

	ck_assert_int_eq(ga_pair(&h, 0x7201, &o, &i), 0);
	ck_assert_msg(g_ipsec_la_sa_get(&h, &in, 0, &out, NULL) == -EINVAL,
		      "STATE without a state array");
	ga_packet(p, sizeof(p), 2);
	ck_assert_int_eq(ga_xf(&h, 1, &o, p, sizeof(p), e, &len), 0);
	/* lifetime: forward only */
	m.u.lifetime_info.packets = 0;
	m.u.lifetime_info.bytes = 1000;
	ck_assert_msg(g_ipsec_la_sa_mod(&h, &m, 0, NULL, NULL) == -EINVAL,
		      "packets moved back");
	m.u.lifetime_info.packets = 1;
	m.u.lifetime_info.bytes = sizeof(p) - 1;
	ck_assert_msg(g_ipsec_la_sa_mod(&h, &m, 0, NULL, NULL) == -EINVAL,
		      "bytes moved back");
	m.u.lifetime_info.bytes = sizeof(p);
	m.u.lifetime_info.seconds = 1ull << 32;
	ck_assert_msg(g_ipsec_la_sa_mod(&h, &m, 0, NULL, NULL) == -EINVAL,
		      "seconds beyond 32 bits");
	ck_assert_int_eq(get_state(&h, OUT, &o, &st, NULL), 0);
	ck_assert_msg(st.used.packets == 1 && st.used.bytes == sizeof(p),
		      "a refused sa_mod changed the SA");
	m.u.lifetime_info.seconds = st.used.seconds + 100;
	m.u.lifetime_info.packets = 7;
	ck_assert_int_eq(g_ipsec_la_sa_mod(&h, &m, 0, NULL, NULL), 0);
	ck_assert_int_eq(get_state(&h, OUT, &o, &st, NULL), 0);
	ck_assert_msg(st.used.packets == 7 && st.age_seconds >= 100,
		      "restored lifetime: %llu packets, age %llu",
		      (unsigned long long)st.used.packets,
		      (unsigned long long)st.age_seconds);
	m.dir = IN;
	ck_assert_msg(g_ipsec_la_sa_mod(&h, &m, 0, NULL, NULL) == -EINVAL,
		      "direction mismatch");
	ck_assert_int_eq(g_ipsec_la_close(&h), 0);
}
END_TEST

/*
 * Failover: the SA pair of @a (seen traffic) is read back and rebuilt on
 * @b from its parameters, the keys the application kept, and the state.
 * Returns 0 or fails the test. @b may be another accelerator or another
 * group of the same one.
 */
void ga_failover(struct g_ipsec_la_handle *a, struct g_ipsec_la_handle *b)
{
	struct g_ipsec_la_sa_handle oa, ia, ob, ib;
	struct g_ipsec_la_sa_state so, si, s2;
	struct g_ipsec_la_sa po, pi, base;
	struct g_ipsec_la_sa_mod_inargs m;
	static uint8_t p[100], e[12][200], d[200], n[200];
	uint32_t len[12], dl, nl;
	int k, want;

	ck_assert_int_eq(ga_pair(a, 0x7301, &oa, &ia), 0);
	ga_packet(p, sizeof(p), 3);
	for (k = 1; k <= 10; k++) {
		len[k] = sizeof(e[k]);
		ck_assert_int_eq(ga_xf(a, 1, &oa, p, sizeof(p), e[k], &len[k]),
				 0);
	}
	for (k = 1; k <= 7; k++) {
		if (k == 5)
			continue;
		dl = sizeof(d);
		ck_assert_int_eq(ga_xf(a, 0, &ia, e[k], len[k], d, &dl), 0);
	}
	/* checkpoint */
	ck_assert_int_eq(get_state(a, OUT, &oa, &so, &po), 0);
	ck_assert_int_eq(get_state(a, IN, &ia, &si, &pi), 0);
	ck_assert_msg(po.crypto_params.comb_key == NULL,
		      "keys never come back from sa_get");

	/* the standby: parameters as read, keys from the application */
	ga_sa(&base, 0x7301);
	po.crypto_params = base.crypto_params;
	pi.crypto_params = base.crypto_params;
	ck_assert_int_eq(ga_add(b, OUT, &po, &ob), 0);
	ck_assert_int_eq(ga_add(b, IN, &pi, &ib), 0);
	memset(&m, 0, sizeof(m));
	m.dir = OUT;
	m.handle = &ob;
	m.flags = G_IPSEC_LA_SA_MODIFY_REPLAY_INFO;
	m.u.replay_info.flags = G_IPSEC_LA_SA_MODIFY_SEQ_NUM;
	m.u.replay_info.seq_num = (uint32_t)so.seq;
	m.u.replay_info.hi_seq_num = (uint32_t)(so.seq >> 32);
	ck_assert_int_eq(g_ipsec_la_sa_mod(b, &m, 0, NULL, NULL), 0);
	m.flags = G_IPSEC_LA_SA_MODIFY_LIFETIME_INFO;
	m.u.lifetime_info = so.used;
	ck_assert_int_eq(g_ipsec_la_sa_mod(b, &m, 0, NULL, NULL), 0);
	memset(&m, 0, sizeof(m));
	m.dir = IN;
	m.handle = &ib;
	m.flags = G_IPSEC_LA_SA_MODIFY_REPLAY_INFO;
	m.u.replay_info.flags = G_IPSEC_LA_SA_MODIFY_SEQ_NUM |
				G_IPSEC_LA_SA_MODIFY_ANTI_REPLAY_WINDOW;
	m.u.replay_info.seq_num = (uint32_t)si.seq;
	m.u.replay_info.hi_seq_num = (uint32_t)(si.seq >> 32);
	m.u.replay_info.anti_replay_window_size = si.anti_replay_window_size;
	m.u.replay_info.anti_replay_window_bit_map =
		si.anti_replay_window_bit_map;
	ck_assert_int_eq(g_ipsec_la_sa_mod(b, &m, 0, NULL, NULL), 0);
	m.flags = G_IPSEC_LA_SA_MODIFY_LIFETIME_INFO;
	m.u.lifetime_info = si.used;
	ck_assert_int_eq(g_ipsec_la_sa_mod(b, &m, 0, NULL, NULL), 0);

	/* outbound continues with the next number, on the wire too */
	nl = sizeof(n);
	ck_assert_int_eq(ga_xf(b, 1, &ob, p, sizeof(p), n, &nl), 0);
	ck_assert_msg(wire_seq(n) == 11, "standby sent sequence number %u",
		      wire_seq(n));
	dl = sizeof(d);
	ck_assert_msg(ga_xf(a, 0, &ia, n, nl, d, &dl) == 0 && dl == sizeof(p) &&
			      !memcmp(d, p, sizeof(p)),
		      "the peer (A's inbound) refused the standby's packet");
	/* inbound keeps refusing what the first accelerator saw */
	for (k = 1; k <= 7; k++) {
		want = k == 5 ? 0 : -EALREADY;
		dl = sizeof(d);
		ck_assert_msg(ga_xf(b, 0, &ib, e[k], len[k], d, &dl) == want,
			      "packet %d on the standby: want %d", k, want);
	}
	dl = sizeof(d);
	ck_assert_msg(ga_xf(b, 0, &ib, e[9], len[9], d, &dl) == 0,
		      "packet 9, never received, refused by the standby");
	/* lifetimes continue */
	ck_assert_int_eq(get_state(b, OUT, &ob, &s2, NULL), 0);
	ck_assert_msg(s2.seq == 11 && s2.used.packets == 11 &&
			      s2.used.bytes == 11 * sizeof(p) &&
			      s2.used.seconds >= so.used.seconds,
		      "standby outbound: seq %llu, %llu packets",
		      (unsigned long long)s2.seq,
		      (unsigned long long)s2.used.packets);
	ck_assert_int_eq(get_state(b, IN, &ib, &s2, NULL), 0);
	ck_assert_msg(s2.used.packets == si.used.packets + 2,
		      "standby inbound: %llu packets",
		      (unsigned long long)s2.used.packets);
}

START_TEST(failover_between_groups)
{
	struct g_ipsec_la_handle a = open_excl("failover"), b;
	struct g_ipsec_la_create_group_inargs gi = { "standby" };
	struct g_ipsec_la_create_group_outargs go;

	/* One accelerator here: the standby is another group of it (an
	 * inbound SPI is unique per group); tests/guest/failover.c runs the
	 * same between two devices. */
	ck_assert_int_eq(g_ipsec_la_create_group(&a, &gi, 0, &go, NULL), 0);
	b = a;
	memcpy(b.group_handle, go.group_handle, sizeof(b.group_handle));
	ga_failover(&a, &b);
	ck_assert_int_eq(g_ipsec_la_close(&a), 0);
}
END_TEST

/* ---- events --------------------------------------------------------- */

static struct {
	int hard, del, lost, err;
	uint32_t limit, del_limit, err_event;
	uint64_t err_count, err_seq, hard_count;
	struct g_ipsec_la_sa_handle sa;
} ev;

static void ev_hard(struct g_ipsec_la_handle h,
		    struct g_ipsec_la_sa_event_notification *n)
{
	(void)h;
	ck_assert(n->event == G_IPSEC_LA_EVENT_HARD_EXPIRY);
	ev.hard++;
	ev.limit = n->limit;
	ev.hard_count = n->count;
	ev.sa = n->sa_handle;
}

static void ev_del(struct g_ipsec_la_handle h,
		   struct g_ipsec_la_sa_event_notification *n)
{
	(void)h;
	ck_assert(n->event == G_IPSEC_LA_EVENT_DELETE_REQUEST);
	ev.del++;
	ev.del_limit = n->limit;
	ev.sa = n->sa_handle;
}

static void ev_err(struct g_ipsec_la_handle h,
		   struct g_ipsec_la_sa_event_notification *n)
{
	(void)h;
	ev.err++;
	ev.err_event = n->event;
	ev.err_count += n->count;
	ev.err_seq = n->seq;
	ev.sa = n->sa_handle;
}

static void ev_lost(struct g_ipsec_la_handle h,
		    struct g_ipsec_la_sa_event_notification *n)
{
	struct g_ipsec_la_sa_handle zero;

	(void)h;
	memset(&zero, 0, sizeof(zero));
	ck_assert(n->event == G_IPSEC_LA_EVENT_LOST && n->count > 0 &&
		  !memcmp(&n->sa_handle, &zero, sizeof(zero)));
	ev.lost++;
}

static const struct g_ipsec_la_event_hooks hooks = {
	.size = sizeof(hooks),
	.hard_lifetime_expiry_fn = ev_hard,
	.sa_delete_request_fn = ev_del,
	.events_lost_fn = ev_lost,
	.packet_error_fn = ev_err,
};

static void poll_some(struct g_ipsec_la_handle *h, int *counter, int want)
{
	int i;

	for (i = 0; i < 100 && *counter < want; i++)
		ck_assert(g_ipsec_la_poll(h, 20) >= 0);
	/* and whatever else is due, so extra events would be counted */
	for (i = 0; i < 5; i++)
		ck_assert(g_ipsec_la_poll(h, 10) >= 0);
}

START_TEST(hard_expiry_and_delete_request)
{
	struct g_ipsec_la_handle h = open_excl("hard");
	struct g_ipsec_la_sa_handle o;
	struct g_ipsec_la_sa sa;
	static uint8_t p[100], e[200];
	uint32_t len;
	int k;

	memset(&ev, 0, sizeof(ev));
	ck_assert_int_eq(g_ipsec_la_event_hooks_register(&h, &hooks), 0);
	ga_sa(&sa, 0x7401);
	sa.hard_packets_limit = 3;
	ck_assert_int_eq(ga_add(&h, OUT, &sa, &o), 0);
	ga_packet(p, sizeof(p), 4);
	for (k = 0; k < 4; k++) {
		len = sizeof(e);
		ck_assert_int_eq(ga_xf(&h, 1, &o, p, sizeof(p), e, &len),
				 k < 3 ? 0 : -EKEYEXPIRED);
	}
	poll_some(&h, &ev.del, 1);
	ck_assert_msg(ev.hard == 1 && ev.limit == G_IPSEC_LA_LIMIT_PACKETS &&
			      ev.hard_count == 3,
		      "hard expiry hook: %d calls, limit %u", ev.hard,
		      ev.limit);
	ck_assert_msg(ev.del == 1 && ev.del_limit == G_IPSEC_LA_LIMIT_PACKETS &&
			      !memcmp(&ev.sa, &o, sizeof(o)),
		      "delete request hook: %d calls", ev.del);
	/* the delete request after a sequence overflow */
	{
		struct g_ipsec_la_sa_handle o2;
		struct g_ipsec_la_sa_mod_inargs m = {
			.dir = OUT, .handle = &o2,
			.flags = G_IPSEC_LA_SA_MODIFY_REPLAY_INFO,
		};

		ga_sa(&sa, 0x7402);
		ck_assert_int_eq(ga_add(&h, OUT, &sa, &o2), 0);
		m.u.replay_info.flags = G_IPSEC_LA_SA_MODIFY_SEQ_NUM;
		m.u.replay_info.seq_num = 0xffffffffu;
		ck_assert_int_eq(g_ipsec_la_sa_mod(&h, &m, 0, NULL, NULL), 0);
		len = sizeof(e);
		ck_assert_int_eq(ga_xf(&h, 1, &o2, p, sizeof(p), e, &len),
				 -EOVERFLOW);
		poll_some(&h, &ev.del, 2);
		ck_assert_msg(ev.del == 2 && ev.del_limit == 0 &&
				      !memcmp(&ev.sa, &o2, sizeof(o2)),
			      "delete request after overflow: %d", ev.del);
	}
	/* forgotten hooks are not called */
	ck_assert_int_eq(g_ipsec_la_event_hooks_register(&h, NULL), 0);
	ga_sa(&sa, 0x7403);
	sa.hard_packets_limit = 1;
	ck_assert_int_eq(ga_add(&h, OUT, &sa, &o), 0);
	len = sizeof(e);
	ck_assert_int_eq(ga_xf(&h, 1, &o, p, sizeof(p), e, &len), 0);
	len = sizeof(e);
	ck_assert_int_eq(ga_xf(&h, 1, &o, p, sizeof(p), e, &len),
			 -EKEYEXPIRED);
	poll_some(&h, &ev.del, 3);
	ck_assert_msg(ev.hard == 1 && ev.del == 2, "hooks after NULL");
	ck_assert_int_eq(g_ipsec_la_close(&h), 0);
}
END_TEST

START_TEST(event_hooks_errors)
{
	struct g_ipsec_la_handle h = open_excl("hooks-err");
	struct g_ipsec_la_event_hooks bad = hooks;

	bad.size = 8;
	ck_assert_msg(g_ipsec_la_event_hooks_register(&h, &bad) == -EINVAL,
		      "size too small");
	bad.size = sizeof(bad) + 8;
	ck_assert_msg(g_ipsec_la_event_hooks_register(&h, &bad) == -EINVAL,
		      "size larger than the library knows");
	bad = hooks;
	bad.reserved = 1;
	ck_assert_msg(g_ipsec_la_event_hooks_register(&h, &bad) == -EINVAL,
		      "reserved");
	ck_assert_int_eq(g_ipsec_la_event_hooks_register(NULL, &hooks),
			 -EINVAL);
	ck_assert_int_eq(g_ipsec_la_close(&h), 0);
}
END_TEST

/* n packets with a broken ICV through @i */
static void bad_packets(struct g_ipsec_la_handle *h,
			const struct g_ipsec_la_sa_handle *o,
			const struct g_ipsec_la_sa_handle *i, int n)
{
	static uint8_t p[100], e[200], d[200];
	uint32_t len, dl;
	int k;

	ga_packet(p, sizeof(p), 5);
	for (k = 0; k < n; k++) {
		len = sizeof(e);
		ck_assert_int_eq(ga_xf(h, 1, o, p, sizeof(p), e, &len), 0);
		e[len - 1] ^= 0x40;
		dl = sizeof(d);
		ck_assert_int_eq(ga_xf(h, 0, i, e, len, d, &dl), -EBADMSG);
	}
}

START_TEST(error_events_count_exact)
{
	struct g_ipsec_la_handle h = open_excl("errev");
	struct g_ipsec_la_sa_handle o, i;
	struct g_ipsec_la_error_events_cfg c = {
		.events = G_IPSEC_LA_ERR_EVENT_AUTH_FAIL,
		.limit_type = G_IPSEC_LA_EVENT_LIMIT_COUNT,
		.value = 8,
	};

	memset(&ev, 0, sizeof(ev));
	ck_assert_int_eq(g_ipsec_la_event_hooks_register(&h, &hooks), 0);
	ck_assert_int_eq(ga_pair(&h, 0x7501, &o, &i), 0);
	bad_packets(&h, &o, &i, 5);
	poll_some(&h, &ev.err, 1);
	ck_assert_msg(ev.err == 0, "error events are off by default");
	ck_assert_int_eq(g_ipsec_la_error_events_config(&h, &c), 0);
	/* 50 bad packets, one event per 8: 6 events for 48 packets */
	bad_packets(&h, &o, &i, 50);
	poll_some(&h, &ev.err, 6);
	ck_assert_msg(ev.err == 6 && ev.err_count == 48 &&
			      ev.err_event == G_IPSEC_LA_EVENT_AUTH_FAIL &&
			      !memcmp(&ev.sa, &i, sizeof(i)),
		      "50 bad packets: %d events for %llu packets", ev.err,
		      (unsigned long long)ev.err_count);
	/* replays are not enabled: none */
	ck_assert_int_eq(g_ipsec_la_close(&h), 0);
}
END_TEST

START_TEST(error_events_time_limit)
{
	struct g_ipsec_la_handle h = open_excl("errev-time");
	struct g_ipsec_la_sa_handle o, i;
	struct g_ipsec_la_error_events_cfg c = {
		.events = G_IPSEC_LA_ERR_EVENT_AUTH_FAIL |
			  G_IPSEC_LA_ERR_EVENT_REPLAY,
		.limit_type = G_IPSEC_LA_EVENT_LIMIT_TIME,
		.value = 3,
		.per_device = 1,
	};
	int i1;

	memset(&ev, 0, sizeof(ev));
	ck_assert_int_eq(g_ipsec_la_event_hooks_register(&h, &hooks), 0);
	ck_assert_int_eq(ga_pair(&h, 0x7601, &o, &i), 0);
	ck_assert_int_eq(g_ipsec_la_error_events_config(&h, &c), 0);
	bad_packets(&h, &o, &i, 40);
	/*
	 * At most 3 events a clock second, and the rest counted in the
	 * next: every packet is accounted for once the second is over,
	 * in at most 4 events per second the burst spans (it is short).
	 */
	for (i1 = 0; i1 < 150 && ev.err_count < 40; i1++)
		ck_assert(g_ipsec_la_poll(&h, 20) >= 0);
	ck_assert_msg(ev.err_count == 40,
		      "40 bad packets, %llu reported in %d events",
		      (unsigned long long)ev.err_count, ev.err);
	ck_assert_msg(ev.err >= 4 && ev.err <= 8,
		      "40 bad packets in a burst: %d events", ev.err);
	ck_assert_int_eq(g_ipsec_la_close(&h), 0);
}
END_TEST

/*
 * Without a limit (COUNT 1: every packet an event) and nobody reading,
 * a replay flood overflows the queues: the owner learns of it through
 * the lost-events hook instead of silently.
 */
START_TEST(lost_events_hook)
{
	struct g_ipsec_la_handle h = open_excl("lost");
	struct g_ipsec_la_sa_handle o, i;
	struct g_ipsec_la_error_events_cfg c = {
		.events = G_IPSEC_LA_ERR_EVENT_REPLAY,
		.limit_type = G_IPSEC_LA_EVENT_LIMIT_COUNT,
		.value = 1,
	};
	static uint8_t p[100], e[200], d[200];
	uint32_t len = sizeof(e), dl;
	int k;

	memset(&ev, 0, sizeof(ev));
	ck_assert_int_eq(g_ipsec_la_event_hooks_register(&h, &hooks), 0);
	ck_assert_int_eq(ga_pair(&h, 0x7801, &o, &i), 0);
	ck_assert_int_eq(g_ipsec_la_error_events_config(&h, &c), 0);
	ga_packet(p, sizeof(p), 8);
	ck_assert_int_eq(ga_xf(&h, 1, &o, p, sizeof(p), e, &len), 0);
	for (k = 0; k <= 1100; k++) {
		dl = sizeof(d);
		ck_assert_int_eq(ga_xf(&h, 0, &i, e, len, d, &dl),
				 k ? -EALREADY : 0);
	}
	poll_some(&h, &ev.lost, 1);
	for (k = 0; k < 50 && g_ipsec_la_poll(&h, 10) > 0; k++)
		;
	ck_assert_msg(ev.lost >= 1 && ev.err < 1100,
		      "1100 replays unread: %d lost records, %d events",
		      ev.lost, ev.err);
	ck_assert_int_eq(g_ipsec_la_close(&h), 0);
}
END_TEST

START_TEST(error_events_config_errors)
{
	struct g_ipsec_la_handle h, s;
	struct g_ipsec_la_error_events_cfg c = {
		.events = G_IPSEC_LA_ERR_EVENT_REPLAY,
		.limit_type = G_IPSEC_LA_EVENT_LIMIT_TIME,
		.value = 1,
	};
	struct g_ipsec_la_error_events_cfg b;

	ck_assert_int_eq(ga_open(G_IPSEC_LA_INSTANCE_SHARED, "sh", &s), 0);
	ck_assert_msg(g_ipsec_la_error_events_config(&s, &c) == -EPERM,
		      "a shared handle sets the accelerator's limit");
	ck_assert_int_eq(g_ipsec_la_close(&s), 0);
	h = open_excl("errcfg");
	ck_assert_int_eq(g_ipsec_la_error_events_config(&h, NULL), -EINVAL);
	b = c;
	b.events = 1u << 4;
	ck_assert_int_eq(g_ipsec_la_error_events_config(&h, &b), -EINVAL);
	b = c;
	b.value = 0;
	ck_assert_int_eq(g_ipsec_la_error_events_config(&h, &b), -EINVAL);
	b.value = G_IPSEC_LA_EVENT_LIMIT_MAX_RATE + 1;
	ck_assert_int_eq(g_ipsec_la_error_events_config(&h, &b), -EINVAL);
	b = c;
	b.limit_type = G_IPSEC_LA_EVENT_LIMIT_COUNT;
	b.value = G_IPSEC_LA_EVENT_LIMIT_MAX_COUNT + 1;
	ck_assert_int_eq(g_ipsec_la_error_events_config(&h, &b), -EINVAL);
	b = c;
	b.limit_type = 3;
	ck_assert_int_eq(g_ipsec_la_error_events_config(&h, &b), -EINVAL);
	b = c;
	b.per_device = 2;
	ck_assert_int_eq(g_ipsec_la_error_events_config(&h, &b), -EINVAL);
	b = c;
	b.reserved[3] = 1;
	ck_assert_int_eq(g_ipsec_la_error_events_config(&h, &b), -EINVAL);
	memset(&b, 0, sizeof(b));
	b.value = 1;
	ck_assert_msg(g_ipsec_la_error_events_config(&h, &b) == -EINVAL,
		      "off, with a value");
	b.value = 0;
	ck_assert_int_eq(g_ipsec_la_error_events_config(&h, &b), 0);
	ck_assert_int_eq(g_ipsec_la_error_events_config(&h, &c), 0);
	ck_assert_int_eq(g_ipsec_la_close(&h), 0);
}
END_TEST

/* ---- warnings -------------------------------------------------------- */

START_TEST(single_packet_warnings)
{
	struct g_ipsec_la_handle h = open_excl("warn");
	struct g_ipsec_la_sa_handle o, o2;
	struct g_ipsec_la_sa sa;
	struct g_ipsec_la_sa_mod_inargs m = {
		.dir = OUT, .handle = &o2,
		.flags = G_IPSEC_LA_SA_MODIFY_REPLAY_INFO,
	};
	static uint8_t p[100], e[200];
	uint32_t len, w = 99;
	int k;

	ck_assert_int_eq(g_ipsec_la_packet_warnings_get(NULL), -EINVAL);
	ga_sa(&sa, 0x7701);
	sa.soft_packets_limit = 2;
	sa.hard_packets_limit = 100;
	ck_assert_int_eq(ga_add(&h, OUT, &sa, &o), 0);
	ga_packet(p, sizeof(p), 6);
	for (k = 1; k <= 3; k++) {
		len = sizeof(e);
		ck_assert_int_eq(ga_xf(&h, 1, &o, p, sizeof(p), e, &len), 0);
		ck_assert_int_eq(g_ipsec_la_packet_warnings_get(&w), 0);
		ck_assert_msg(w == (k < 2 ? 0 :
				    (G_IPSEC_LA_WARN_SOFT_EXPIRY |
				     G_IPSEC_LA_WARN_SOFT_PACKETS)),
			      "packet %d: warnings %#x", k, w);
	}
	/* sequence space nearly spent */
	ga_sa(&sa, 0x7702);
	ck_assert_int_eq(ga_add(&h, OUT, &sa, &o2), 0);
	m.u.replay_info.flags = G_IPSEC_LA_SA_MODIFY_SEQ_NUM;
	m.u.replay_info.seq_num = 0xf0000000u;
	ck_assert_int_eq(g_ipsec_la_sa_mod(&h, &m, 0, NULL, NULL), 0);
	len = sizeof(e);
	ck_assert_int_eq(ga_xf(&h, 1, &o2, p, sizeof(p), e, &len), 0);
	ck_assert_int_eq(g_ipsec_la_packet_warnings_get(&w), 0);
	ck_assert_msg(w == G_IPSEC_LA_WARN_SEQ_NEAR_OVERFLOW,
		      "near overflow: %#x", w);
	/* a failed call has none */
	len = 10;
	ck_assert_int_eq(ga_xf(&h, 1, &o, p, sizeof(p), e, &len), -ENOSPC);
	ck_assert_int_eq(g_ipsec_la_packet_warnings_get(&w), 0);
	ck_assert_msg(w == 0, "warnings after a failed call: %#x", w);
	ck_assert_int_eq(g_ipsec_la_close(&h), 0);
}
END_TEST

Suite *suite_gapi_state(void)
{
	Suite *s = suite_create("gapi_state");
	TCase *t = tcase_create("state");

	tcase_set_timeout(t, 60);
	tcase_add_test(t, state_readback);
	tcase_add_test(t, state_errors);
	tcase_add_test(t, failover_between_groups);
	tcase_add_test(t, hard_expiry_and_delete_request);
	tcase_add_test(t, event_hooks_errors);
	tcase_add_test(t, error_events_count_exact);
	tcase_add_test(t, error_events_time_limit);
	tcase_add_test(t, error_events_config_errors);
	tcase_add_test(t, lost_events_hook);
	tcase_add_test(t, single_packet_warnings);
	suite_add_tcase(s, t);
	return s;
}
