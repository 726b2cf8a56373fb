// SPDX-License-Identifier: BSD-3-Clause
/*
 * SA state read-back and restore (SA_GET_F_STATE, SA_MOD LIFETIME), the
 * failover round trip between two cores, per-packet warnings naming the
 * limit, the delete request, and rate-limited per-packet error events
 * (EVENT_LIMIT), through the request decoder.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "tests.h"
#include "vipsec_core_priv.h"
#include "vipsec_migrate.h"

static const uint8_t key[16] = "fedcba9876543210";
static const uint8_t salt[4] = { 1, 2, 3, 4 };

#define ENC	  VIRTIO_IPSEC_OP_ENCAP
#define DEC	  VIRTIO_IPSEC_OP_DECAP
#define S(p)	  ((struct virtio_ipsec_sa_params *)(p))
#define ENTRY_LEN sizeof(struct virtio_ipsec_sa_entry)
#define STATE_LEN sizeof(struct virtio_ipsec_sa_state)
#define GET_HLEN  sizeof(struct virtio_ipsec_sa_get_resp)

static struct pkt_out o, o2;
static uint8_t pkt[2000];
static uint8_t saved[12][200];
static uint32_t saved_len[12];

/* Outbound SA 1 and inbound SA 2 (window w); mut changes both. */
static struct vpe_core *pair_on(struct vpe_core *c, uint32_t w,
				void (*mut)(uint8_t *p))
{
	uint8_t p[PARAMS_SIZE];

	test_params(p, VIRTIO_IPSEC_DIR_OUTBOUND, 0x3000, key, 16, salt, 0);
	if (mut)
		mut(p);
	ck_assert_msg(sa_add(c, 0, 1, p) == 0, "outbound SA_ADD");
	test_params(p, VIRTIO_IPSEC_DIR_INBOUND, 0x3000, key, 16, salt, w);
	if (mut)
		mut(p);
	ck_assert_msg(sa_add(c, 0, 2, p) == 0, "inbound SA_ADD");
	return c;
}

static void encap(struct vpe_core *c, uint32_t id, uint32_t len)
{
	make_ipv4(pkt, len, 0, 0, len);
	data1(c, ENC, 0, id, pkt, len, 2000, &o);
}

static uint8_t decap(struct vpe_core *c, uint32_t id, const uint8_t *in,
		     uint32_t len)
{
	data1(c, DEC, 0, id, in, len, 2000, &o2);
	return o2.status;
}

/* SA_GET EXACT with F_STATE: the entry and the state. */
static uint8_t get_state(struct vpe_core *c, uint32_t id,
			 struct virtio_ipsec_sa_entry *e,
			 struct virtio_ipsec_sa_state *st)
{
	struct virtio_ipsec_sa_get g = {
		.op = htole32(VIRTIO_IPSEC_SA_GET_EXACT),
		.max_sas = htole32(1),
		.flags = htole32(VIRTIO_IPSEC_SA_GET_F_STATE),
	};
	uint8_t req[sizeof(struct virtio_ipsec_ctrl_hdr) + sizeof(g)];
	static uint8_t resp[GET_HLEN + ENTRY_LEN + STATE_LEN + 8];
	struct virtio_ipsec_ctrl_hdr h = {
		.opcode = htole16(VIRTIO_IPSEC_OP_SA_GET),
		.sa_id = htole32(id),
	};
	uint32_t ol;

	memcpy(req, &h, sizeof(h));
	memcpy(req + sizeof(h), &g, sizeof(g));
	ck_assert(vpe_core_handle_ctrl(c, req, sizeof(req), resp,
				       sizeof(resp)) == sizeof(resp));
	memcpy(&ol, resp + sizeof(resp) - 4, 4);
	if (resp[sizeof(resp) - 8] != VIRTIO_IPSEC_OK)
		return resp[sizeof(resp) - 8];
	ck_assert_msg(le32toh(ol) == GET_HLEN + ENTRY_LEN + STATE_LEN,
		      "SA_GET F_STATE out_len %u", le32toh(ol));
	memcpy(e, resp + GET_HLEN, sizeof(*e));
	memcpy(st, resp + GET_HLEN + ENTRY_LEN, sizeof(*st));
	return VIRTIO_IPSEC_OK;
}

START_TEST(test_state_readback)
{
	struct vpe_core *c = test_core();
	struct virtio_ipsec_sa_entry e;
	struct virtio_ipsec_sa_state st;
	int i;

	vpe_core_tick(c, 100);
	pair_on(c, 64, NULL);
	for (i = 1; i <= 5; i++) {
		encap(c, 1, 60);
		ck_assert(o.status == 0 && o.seq == (uint64_t)i);
		memcpy(saved[i], o.data, o.out_len);
		saved_len[i] = o.out_len;
	}
	ck_assert(decap(c, 2, saved[2], saved_len[2]) == 0);
	ck_assert(decap(c, 2, saved[5], saved_len[5]) == 0);
	ck_assert(decap(c, 2, saved[4], saved_len[4]) == 0);
	vpe_core_tick(c, 107);

	ck_assert(get_state(c, 1, &e, &st) == VIRTIO_IPSEC_OK);
	ck_assert_msg(le64toh(e.seq) == 5, "outbound seq %lu",
		      (unsigned long)le64toh(e.seq));
	ck_assert_msg(le64toh(st.life_packets) == 5 &&
			      le64toh(st.life_bytes) == 300 &&
			      le64toh(st.life_seconds) == 7 &&
			      st.replay_window == 0 && st.flags == 0,
		      "outbound state: %lu packets %lu bytes %lu s",
		      (unsigned long)le64toh(st.life_packets),
		      (unsigned long)le64toh(st.life_bytes),
		      (unsigned long)le64toh(st.life_seconds));
	ck_assert(get_state(c, 2, &e, &st) == VIRTIO_IPSEC_OK);
	ck_assert_msg(le64toh(e.seq) == 5, "inbound top");
	ck_assert_msg(le32toh(st.replay_window) == 64, "window");
	/* 5, 4 and 2 received: bits 0, 1, 3 */
	ck_assert_msg(le64toh(st.bitmap[0]) == 0xb, "bitmap %#lx",
		      (unsigned long)le64toh(st.bitmap[0]));
	for (i = 1; i < VIRTIO_IPSEC_MAX_BITMAP_WORDS; i++)
		ck_assert(st.bitmap[i] == 0);
	ck_assert(le64toh(st.life_packets) == 3);
	vpe_core_free(c);
}
END_TEST

START_TEST(test_state_errors)
{
	struct vpe_core *c = pair_on(test_core(), 64, NULL);
	struct virtio_ipsec_sa_entry e;
	struct virtio_ipsec_sa_state st;
	struct virtio_ipsec_sa_get g = {
		.op = htole32(VIRTIO_IPSEC_SA_GET_FIRST),
		.max_sas = htole32(1),
		.flags = htole32(VIRTIO_IPSEC_SA_GET_F_STATE),
	};
	uint8_t req[sizeof(struct virtio_ipsec_ctrl_hdr) + sizeof(g)];
	uint8_t resp[GET_HLEN + ENTRY_LEN + 8]; /* no room for the state */
	struct virtio_ipsec_ctrl_hdr h = {
		.opcode = htole16(VIRTIO_IPSEC_OP_SA_GET),
	};

	memcpy(req, &h, sizeof(h));
	memcpy(req + sizeof(h), &g, sizeof(g));
	vpe_core_handle_ctrl(c, req, sizeof(req), resp, sizeof(resp));
	ck_assert_msg(resp[sizeof(resp) - 8] == VIRTIO_IPSEC_INVAL,
		      "room for an entry but not its state: %u",
		      resp[sizeof(resp) - 8]);
	vpe_core_set_features(c, vpe_core_features(c) &
				       ~(1ULL << VIRTIO_IPSEC_F_SA_STATE));
	ck_assert_msg(get_state(c, 1, &e, &st) == VIRTIO_IPSEC_NOTSUPP,
		      "F_STATE without the feature");
	vpe_core_free(c);
}
END_TEST

static uint8_t sa_mod(struct vpe_core *c, uint32_t id,
		      const struct virtio_ipsec_sa_mod *m)
{
	return ctrl(c, VIRTIO_IPSEC_OP_SA_MOD, 0, id, m, sizeof(*m));
}

static void lifetimes(uint8_t *p)
{
	S(p)->soft_packets = htole64(20);
	S(p)->hard_packets = htole64(30);
	S(p)->soft_seconds = htole64(1000);
	S(p)->hard_seconds = htole64(2000);
}

/*
 * Failover: core A's state moved to core B continues the SA exactly:
 * outbound with the next number, inbound still refusing what A saw.
 */
START_TEST(test_failover_roundtrip)
{
	struct vpe_core *a = pair_on(test_core(), 64, lifetimes);
	struct vpe_core *b = test_core();
	struct virtio_ipsec_sa_entry e;
	struct virtio_ipsec_sa_state st;
	struct virtio_ipsec_sa_mod m;
	int i;

	vpe_core_tick(a, 500);
	vpe_core_tick(b, 10); /* B's clock is younger than the SA */
	for (i = 1; i <= 10; i++) {
		encap(a, 1, 60);
		memcpy(saved[i], o.data, o.out_len);
		saved_len[i] = o.out_len;
	}
	for (i = 1; i <= 7; i++)
		if (i != 5)
			ck_assert(decap(a, 2, saved[i], saved_len[i]) == 0);
	vpe_core_tick(a, 600);
	pair_on(b, 64, lifetimes);

	/* outbound */
	ck_assert(get_state(a, 1, &e, &st) == 0);
	memset(&m, 0, sizeof(m));
	m.flags = htole32(VIRTIO_IPSEC_SA_MOD_SEQ |
			  VIRTIO_IPSEC_SA_MOD_LIFETIME);
	m.seq = e.seq;
	m.life_bytes = st.life_bytes;
	m.life_packets = st.life_packets;
	m.life_seconds = htole32((uint32_t)le64toh(st.life_seconds));
	ck_assert_msg(sa_mod(b, 1, &m) == 0, "outbound restore refused");
	/* inbound */
	ck_assert(get_state(a, 2, &e, &st) == 0);
	memset(&m, 0, sizeof(m));
	m.flags = htole32(VIRTIO_IPSEC_SA_MOD_SEQ | VIRTIO_IPSEC_SA_MOD_WINDOW |
			  VIRTIO_IPSEC_SA_MOD_LIFETIME);
	m.seq = e.seq;
	m.replay_window = st.replay_window;
	memcpy(m.bitmap, st.bitmap, sizeof(m.bitmap));
	m.life_bytes = st.life_bytes;
	m.life_packets = st.life_packets;
	m.life_seconds = htole32((uint32_t)le64toh(st.life_seconds));
	ck_assert_msg(sa_mod(b, 2, &m) == 0, "inbound restore refused");

	encap(b, 1, 60);
	ck_assert_msg(o.status == 0 && o.seq == 11, "B continues at %lu",
		      (unsigned long)o.seq);
	ck_assert_msg(decap(b, 2, o.data, o.out_len) == 0,
		      "B's packet 11 refused by B");
	for (i = 1; i <= 7; i++) {
		uint8_t want = i == 5 ? VIRTIO_IPSEC_OK : VIRTIO_IPSEC_REPLAY;

		ck_assert_msg(decap(b, 2, saved[i], saved_len[i]) == want,
			      "packet %d on B: %u, want %u", i, o2.status,
			      want);
	}
	ck_assert_msg(decap(b, 2, saved[9], saved_len[9]) == 0,
		      "packet 9, never seen, refused by B");
	ck_assert(get_state(b, 1, &e, &st) == 0);
	ck_assert_msg(le64toh(st.life_packets) == 11 &&
			      le64toh(st.life_seconds) == 600,
		      "B's outbound lifetime: %lu packets, %lu s",
		      (unsigned long)le64toh(st.life_packets),
		      (unsigned long)le64toh(st.life_seconds));
	/* The SA ages on B from the restored age, past B's own clock. */
	vpe_core_tick(b, 10 + 399);
	ck_assert_msg(!vpe_core_event_pending(b), "soft seconds at age 999");
	vpe_core_tick(b, 10 + 400);
	ck_assert(vpe_core_event_pending(b));
	{
		struct virtio_ipsec_event ev;

		ck_assert(vpe_core_next_event(b, &ev));
		ck_assert_msg(le16toh(ev.type) == VIRTIO_IPSEC_EVT_SOFT_EXPIRY &&
				      le16toh(ev.limit) ==
					      VIRTIO_IPSEC_LIMIT_SECONDS,
			      "soft seconds at age 1000 on B: type %u",
			      le16toh(ev.type));
	}
	vpe_core_free(a);
	vpe_core_free(b);
}
END_TEST

START_TEST(test_mod_lifetime_rules)
{
	struct vpe_core *c = pair_on(test_core(), 64, lifetimes);
	struct virtio_ipsec_sa_entry e;
	struct virtio_ipsec_sa_state st;
	struct virtio_ipsec_sa_mod m;
	struct virtio_ipsec_event ev;
	int i;

	vpe_core_tick(c, 50);
	for (i = 0; i < 3; i++)
		encap(c, 1, 60);
	memset(&m, 0, sizeof(m));
	m.flags = htole32(VIRTIO_IPSEC_SA_MOD_LIFETIME);
	m.life_packets = htole64(2);
	m.life_bytes = htole64(180);
	ck_assert_msg(sa_mod(c, 1, &m) == VIRTIO_IPSEC_INVAL,
		      "packets moved back");
	m.life_packets = htole64(3);
	m.life_bytes = htole64(179);
	ck_assert_msg(sa_mod(c, 1, &m) == VIRTIO_IPSEC_INVAL,
		      "bytes moved back");
	/* Everything refused above changed nothing. */
	ck_assert(get_state(c, 1, &e, &st) == 0);
	ck_assert(le64toh(st.life_packets) == 3 &&
		  le64toh(st.life_bytes) == 180);

	m.life_bytes = htole64(180);
	m.life_packets = htole64(3);
	m.life_seconds = htole32(48);
	ck_assert_msg(sa_mod(c, 1, &m) == VIRTIO_IPSEC_INVAL,
		      "age moved back");
	/*
	 * A second below its own age is the clocks' phase, not a step
	 * back (vipsec_sa_ctl.c): taken, and the SA keeps its own age.
	 */
	m.life_seconds = htole32(49);
	ck_assert_msg(sa_mod(c, 1, &m) == 0, "age a second behind refused");
	ck_assert(get_state(c, 1, &e, &st) == 0);
	ck_assert_msg(le64toh(st.life_seconds) == 50,
		      "age %lu after an age a second behind, want 50",
		      (unsigned long)le64toh(st.life_seconds));
	m.life_seconds = htole32(50);
	/* Past the soft limit: notified on the first device, not again. */
	m.life_bytes = htole64(180);
	m.life_packets = htole64(25);
	ck_assert(sa_mod(c, 1, &m) == 0);
	ck_assert_msg(!vpe_core_event_pending(c), "soft event raised again");
	ck_assert(get_state(c, 1, &e, &st) == 0);
	ck_assert(le32toh(st.flags) == VIRTIO_IPSEC_SA_STATE_SOFT);
	encap(c, 1, 60);
	ck_assert_msg(o.status == VIRTIO_IPSEC_SOFT_EXPIRY, "status %u",
		      o.status);
	ck_assert_msg(!vpe_core_event_pending(c), "soft event after restore");
	/* Past the hard limit: refuses at once. */
	m.life_packets = htole64(30);
	m.life_bytes = htole64(240);
	ck_assert(sa_mod(c, 1, &m) == 0);
	encap(c, 1, 60);
	ck_assert_msg(o.status == VIRTIO_IPSEC_HARD_EXPIRED, "status %u",
		      o.status);
	ck_assert(get_state(c, 1, &e, &st) == 0);
	ck_assert(le32toh(st.flags) ==
		  (VIRTIO_IPSEC_SA_STATE_SOFT | VIRTIO_IPSEC_SA_STATE_HARD));
	ck_assert(!vpe_core_next_event(c, &ev));

	/* Without the feature */
	vpe_core_set_features(c, vpe_core_features(c) &
				       ~(1ULL << VIRTIO_IPSEC_F_SA_STATE));
	m.life_packets = htole64(40);
	ck_assert_msg(sa_mod(c, 1, &m) == VIRTIO_IPSEC_NOTSUPP,
		      "LIFETIME without F_SA_STATE");
	vpe_core_free(c);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Warnings: which limit                                               */

static uint16_t encap_warn(struct vpe_core *c, uint32_t id, uint32_t len,
			   uint8_t *st)
{
	struct {
		struct virtio_ipsec_data_hdr h;
		struct virtio_ipsec_pkt_req r;
	} __attribute__((packed)) q = {
		.h = { .opcode = htole16(ENC), .num_pkts = htole32(1) },
		.r = { .sa_id = htole32(id), .in_len = htole32(len),
		       .out_cap = htole32(2000) },
	};
	static uint8_t req[sizeof(q) + 2000];
	static uint8_t resp[sizeof(struct virtio_ipsec_pkt_result) + 2000 + 8];
	uint16_t w;

	memcpy(req, &q, sizeof(q));
	make_ipv4(req + sizeof(q), len, 0, 0, 9);
	ck_assert(vpe_core_handle_data(c, req, sizeof(q) + len, resp,
				       sizeof(resp)) == sizeof(resp));
	*st = resp[0];
	memcpy(&w, resp + 2, 2);
	return le16toh(w);
}

static void soft_bytes(uint8_t *p)
{
	S(p)->soft_bytes = htole64(100);
}

static void soft_secs(uint8_t *p)
{
	S(p)->soft_seconds = htole64(5);
}

#define SEQ_LAST   0xffffffffULL
#define SEQ_THRESH (SEQ_LAST >> VIRTIO_IPSEC_SEQ_NEAR_SHIFT)
static void near_end(uint8_t *p)
{
	if (S(p)->direction == VIRTIO_IPSEC_DIR_OUTBOUND)
		S(p)->initial_seq = htole64(SEQ_LAST - SEQ_THRESH - 2);
}

START_TEST(test_warn_which_limit)
{
	struct vpe_core *c = pair_on(test_core(), 64, soft_bytes);
	uint8_t st;
	uint16_t w;

	w = encap_warn(c, 1, 60, &st);
	ck_assert_msg(st == 0 && w == 0, "below soft bytes: %#x", w);
	w = encap_warn(c, 1, 60, &st);
	ck_assert_msg(st == VIRTIO_IPSEC_SOFT_EXPIRY &&
			      w == (VIRTIO_IPSEC_WARN_SOFT_EXPIRY |
				    VIRTIO_IPSEC_WARN_SOFT_BYTES),
		      "soft bytes: %u/%#x", st, w);
	vpe_core_free(c);

	c = test_core();
	vpe_core_tick(c, 10);
	pair_on(c, 64, soft_secs);
	w = encap_warn(c, 1, 60, &st);
	ck_assert_msg(w == 0, "young SA: %#x", w);
	vpe_core_tick(c, 15);
	w = encap_warn(c, 1, 60, &st);
	ck_assert_msg(w == (VIRTIO_IPSEC_WARN_SOFT_EXPIRY |
			    VIRTIO_IPSEC_WARN_SOFT_SECONDS),
		      "soft seconds: %#x", w);
	vpe_core_free(c);

	c = pair_on(test_core(), 64, near_end);
	w = encap_warn(c, 1, 60, &st);
	ck_assert_msg(st == 0 && w == 0, "one before the last eighth: %#x", w);
	w = encap_warn(c, 1, 60, &st);
	ck_assert_msg(st == 0 && w == VIRTIO_IPSEC_WARN_SEQ_NEAR_OVERFLOW,
		      "last eighth of the sequence space: %#x", w);
	/* inbound SAs never warn about sequence space */
	vpe_core_free(c);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Error events                                                        */

static uint8_t elim(struct vpe_core *c, uint32_t events, uint8_t scope,
		    uint8_t type, uint32_t value)
{
	struct virtio_ipsec_event_limit l = {
		.events = htole32(events), .scope = scope, .type = type,
		.value = htole32(value),
	};

	return ctrl(c, VIRTIO_IPSEC_OP_EVENT_LIMIT, 0, 0, &l, sizeof(l));
}

#define EV(x) (1u << VIRTIO_IPSEC_EVT_##x)

/* Encapsulates n packets and decapsulates them with the ICV broken. */
static void bad_icv(struct vpe_core *c, uint32_t out_id, uint32_t in_id,
		    int n)
{
	int i;

	for (i = 0; i < n; i++) {
		encap(c, out_id, 60);
		o.data[o.out_len - 1] ^= 1;
		ck_assert(decap(c, in_id, o.data, o.out_len) ==
			  VIRTIO_IPSEC_BADMSG);
	}
}

/* Pops the events: how many of type, the sum of their packets. */
static uint32_t drain(struct vpe_core *c, uint16_t type, uint64_t *sum,
		      uint32_t *last_sa, uint64_t *last_seq)
{
	struct virtio_ipsec_event ev;
	uint32_t n = 0;

	*sum = 0;
	while (vpe_core_next_event(c, &ev)) {
		ck_assert_msg(le16toh(ev.type) == type, "event type %u, want %u",
			      le16toh(ev.type), type);
		n++;
		*sum += le64toh(ev.packets);
		if (last_sa)
			*last_sa = le32toh(ev.sa_id);
		if (last_seq)
			*last_seq = le64toh(ev.seq);
	}
	return n;
}

START_TEST(test_err_events_time_per_sa)
{
	struct vpe_core *c = pair_on(test_core(), 64, NULL);
	uint64_t sum, seq;
	uint32_t sa;

	vpe_core_tick(c, 100);
	bad_icv(c, 1, 2, 5);
	ck_assert_msg(!vpe_core_event_pending(c), "error events by default");
	ck_assert(elim(c, EV(AUTH_FAIL) | EV(REPLAY), VIRTIO_IPSEC_ELIM_PER_SA,
		       VIRTIO_IPSEC_ELIM_TIME, 3) == 0);
	bad_icv(c, 1, 2, 20);
	ck_assert_msg(drain(c, VIRTIO_IPSEC_EVT_AUTH_FAIL, &sum, &sa, &seq) ==
			      3 &&
			      sum == 3 && sa == 2 && seq == 3 + 5,
		      "20 bad packets in one second: events %lu packets", sum);
	vpe_core_tick(c, 101);
	ck_assert_msg(drain(c, VIRTIO_IPSEC_EVT_AUTH_FAIL, &sum, &sa, &seq) ==
				      1 &&
			      sum == 17 && seq == 25,
		      "held back: %lu packets, last seq %lu",
		      (unsigned long)sum, (unsigned long)seq);
	vpe_core_tick(c, 105);
	ck_assert_msg(!vpe_core_event_pending(c), "nothing more held back");
	vpe_core_free(c);
}
END_TEST

static void second_inbound(struct vpe_core *c)
{
	uint8_t p[PARAMS_SIZE];

	test_params(p, VIRTIO_IPSEC_DIR_OUTBOUND, 0x3001, key, 16, salt, 0);
	ck_assert(sa_add(c, 0, 3, p) == 0);
	test_params(p, VIRTIO_IPSEC_DIR_INBOUND, 0x3001, key, 16, salt, 64);
	ck_assert(sa_add(c, 0, 4, p) == 0);
}

START_TEST(test_err_events_time_per_device)
{
	struct vpe_core *c = pair_on(test_core(), 64, NULL);
	uint64_t sum;
	uint32_t sa;

	second_inbound(c);
	vpe_core_tick(c, 100);
	ck_assert(elim(c, EV(AUTH_FAIL), VIRTIO_IPSEC_ELIM_PER_DEVICE,
		       VIRTIO_IPSEC_ELIM_TIME, 2) == 0);
	bad_icv(c, 1, 2, 10);
	bad_icv(c, 3, 4, 10);
	ck_assert_msg(drain(c, VIRTIO_IPSEC_EVT_AUTH_FAIL, &sum, &sa, NULL) ==
				      2 &&
			      sum == 2 && sa == 2,
		      "device scope: both events from the first SA");
	vpe_core_tick(c, 101);
	ck_assert_msg(drain(c, VIRTIO_IPSEC_EVT_AUTH_FAIL, &sum, &sa, NULL) ==
				      1 &&
			      sum == 18 && sa == 4,
		      "held back for the device: %lu, named SA %u",
		      (unsigned long)sum, sa);
	/* Per SA: each SA has its own two. */
	ck_assert(elim(c, EV(AUTH_FAIL), VIRTIO_IPSEC_ELIM_PER_SA,
		       VIRTIO_IPSEC_ELIM_TIME, 2) == 0);
	bad_icv(c, 1, 2, 10);
	bad_icv(c, 3, 4, 10);
	ck_assert(drain(c, VIRTIO_IPSEC_EVT_AUTH_FAIL, &sum, NULL, NULL) == 4 &&
		  sum == 4);
	/* A deleted SA's count is dropped with it (its id may be reused). */
	ck_assert(ctrl(c, VIRTIO_IPSEC_OP_SA_DEL, 0, 4, NULL, 0) == 0);
	vpe_core_tick(c, 102);
	ck_assert(drain(c, VIRTIO_IPSEC_EVT_AUTH_FAIL, &sum, &sa, NULL) == 1 &&
		  sum == 8 && sa == 2);
	vpe_core_free(c);
}
END_TEST

START_TEST(test_err_events_count)
{
	struct vpe_core *c = pair_on(test_core(), 64, NULL);
	uint64_t sum;
	int i;

	ck_assert(elim(c, EV(REPLAY), VIRTIO_IPSEC_ELIM_PER_SA,
		       VIRTIO_IPSEC_ELIM_COUNT, 4) == 0);
	encap(c, 1, 60);
	ck_assert(decap(c, 2, o.data, o.out_len) == 0);
	memcpy(saved[0], o.data, o.out_len);
	saved_len[0] = o.out_len;
	for (i = 0; i < 10; i++)
		ck_assert(decap(c, 2, saved[0], saved_len[0]) ==
			  VIRTIO_IPSEC_REPLAY);
	ck_assert_msg(drain(c, VIRTIO_IPSEC_EVT_REPLAY, &sum, NULL, NULL) ==
				      2 &&
			      sum == 8,
		      "one event per 4 replays: %lu packets",
		      (unsigned long)sum);
	vpe_core_tick(c, 50);
	ck_assert_msg(!vpe_core_event_pending(c), "COUNT has no clock");
	/* auth failures are not enabled */
	bad_icv(c, 1, 2, 5);
	ck_assert(!vpe_core_event_pending(c));
	vpe_core_free(c);
}
END_TEST

/* Every kind from its failure counter (as test_stats_mapping does). */
START_TEST(test_err_event_kinds)
{
	static const struct {
		uint8_t st;
		uint64_t seq;
		uint16_t evt;
	} m[] = {
		{ VIRTIO_IPSEC_BADMSG, 3, VIRTIO_IPSEC_EVT_AUTH_FAIL },
		{ VIRTIO_IPSEC_REPLAY, 4, VIRTIO_IPSEC_EVT_REPLAY },
		{ VIRTIO_IPSEC_LATE, 5, VIRTIO_IPSEC_EVT_REPLAY },
		{ VIRTIO_IPSEC_BADPROTO, 6, VIRTIO_IPSEC_EVT_WRONG_SPI },
		{ VPE_STATUS_BADPAD, 7, VIRTIO_IPSEC_EVT_BAD_PAD },
		{ VIRTIO_IPSEC_BADPKT, 8, 0 },
		{ VIRTIO_IPSEC_DST_TOO_SMALL, 9, 0 },
	};
	struct vpe_core *c = pair_on(test_core(), 64, NULL);
	struct vpe_sa *sa = vpe_sa_lookup(vpe_core_sadb(c), 0, 2);
	struct virtio_ipsec_event ev;
	size_t i;

	ck_assert(elim(c, VIRTIO_IPSEC_ELIM_EVENTS, VIRTIO_IPSEC_ELIM_PER_SA,
		       VIRTIO_IPSEC_ELIM_TIME, 100) == 0);
	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		struct vpe_esp_res r = { .status = m[i].st, .seq = m[i].seq };

		vpe_life_account(c, sa, 60, false, &r);
		if (!m[i].evt) {
			ck_assert_msg(!vpe_core_event_pending(c),
				      "status %u raised an event", m[i].st);
			continue;
		}
		ck_assert(vpe_core_next_event(c, &ev));
		ck_assert_msg(le16toh(ev.type) == m[i].evt &&
				      le64toh(ev.seq) == m[i].seq &&
				      le64toh(ev.packets) == 1 &&
				      le32toh(ev.spi) == 0x3000 &&
				      le32toh(ev.sa_id) == 2,
			      "status %u: event %u", m[i].st,
			      le16toh(ev.type));
	}
	vpe_core_free(c);
}
END_TEST

START_TEST(test_event_limit_refused)
{
	struct vpe_core *c = test_core();
	struct virtio_ipsec_event_limit l = {
		.events = htole32(EV(REPLAY)), .type = VIRTIO_IPSEC_ELIM_TIME,
		.value = htole32(1),
	};
#define BAD(ev, sc, ty, v, what)                                          \
	ck_assert_msg(elim(c, ev, sc, ty, v) == VIRTIO_IPSEC_INVAL, "%s", \
		      what)
	BAD(EV(SEQ_NOTIFY), 0, 1, 1, "not an error event");
	BAD(1u << 11, 0, 1, 1, "unknown event");
	BAD(EV(REPLAY), 2, 1, 1, "unknown scope");
	BAD(EV(REPLAY), 0, 3, 1, "unknown type");
	BAD(EV(REPLAY), 0, 0, 1, "no type");
	BAD(EV(REPLAY), 0, VIRTIO_IPSEC_ELIM_TIME, 0, "rate 0");
	BAD(EV(REPLAY), 0, VIRTIO_IPSEC_ELIM_TIME,
	    VIRTIO_IPSEC_ELIM_MAX_RATE + 1, "rate too high");
	BAD(EV(REPLAY), 0, VIRTIO_IPSEC_ELIM_COUNT, 0, "count 0");
	BAD(EV(REPLAY), 0, VIRTIO_IPSEC_ELIM_COUNT,
	    VIRTIO_IPSEC_ELIM_MAX_COUNT + 1, "count too high");
	BAD(0, 0, VIRTIO_IPSEC_ELIM_TIME, 1, "off with a type");
#undef BAD
	ck_assert(elim(c, EV(REPLAY), 0, VIRTIO_IPSEC_ELIM_COUNT,
		       VIRTIO_IPSEC_ELIM_MAX_COUNT) == 0);
	ck_assert(elim(c, 0, 0, 0, 0) == 0);
	l.reserved[4] = htole32(1);
	ck_assert_msg(ctrl(c, VIRTIO_IPSEC_OP_EVENT_LIMIT, 0, 0, &l,
			   sizeof(l)) == VIRTIO_IPSEC_INVAL,
		      "reserved");
	l.reserved[4] = 0;
	l.reserved0[1] = 1;
	ck_assert(ctrl(c, VIRTIO_IPSEC_OP_EVENT_LIMIT, 0, 0, &l, sizeof(l)) ==
		  VIRTIO_IPSEC_INVAL);
	l.reserved0[1] = 0;
	ck_assert_msg(ctrl(c, VIRTIO_IPSEC_OP_EVENT_LIMIT, 1, 0, &l,
			   sizeof(l)) == VIRTIO_IPSEC_INVAL,
		      "a group");
	ck_assert_msg(ctrl(c, VIRTIO_IPSEC_OP_EVENT_LIMIT, 0, 1, &l,
			   sizeof(l)) == VIRTIO_IPSEC_INVAL,
		      "an SA");
	ck_assert_msg(ctrl(c, VIRTIO_IPSEC_OP_EVENT_LIMIT, 0, 0, &l,
			   sizeof(l) - 1) == VIRTIO_IPSEC_INVAL,
		      "short body");
	vpe_core_set_features(c, vpe_core_features(c) &
				       ~(1ULL << VIRTIO_IPSEC_F_ERR_EVENTS));
	ck_assert_msg(ctrl(c, VIRTIO_IPSEC_OP_EVENT_LIMIT, 0, 0, &l,
			   sizeof(l)) == VIRTIO_IPSEC_NOTSUPP,
		      "without F_ERR_EVENTS");
	vpe_core_free(c);
}
END_TEST

/* The limit and an SA older than the destination's clock migrate. */
START_TEST(test_state_migrates)
{
	struct vpe_core *a = test_core(), *b = test_core();
	struct virtio_ipsec_sa_entry e;
	struct virtio_ipsec_sa_state st;
	struct virtio_ipsec_sa_mod m;
	char err[200] = "";
	uint8_t *s;
	size_t l;

	vpe_core_tick(a, 5);
	pair_on(a, 64, NULL);
	ck_assert(elim(a, EV(AUTH_FAIL), VIRTIO_IPSEC_ELIM_PER_DEVICE,
		       VIRTIO_IPSEC_ELIM_COUNT, 7) == 0);
	memset(&m, 0, sizeof(m));
	m.flags = htole32(VIRTIO_IPSEC_SA_MOD_LIFETIME);
	m.life_seconds = htole32(1000);
	ck_assert(sa_mod(a, 1, &m) == 0);
	s = vpe_mig_export_alloc(a, &l);
	ck_assert(s);
	vpe_core_tick(b, 5);
	ck_assert_msg(vpe_mig_import(b, s, l, err, sizeof(err)) == 0,
		      "import: %s", err);
	ck_assert(get_state(b, 1, &e, &st) == 0);
	ck_assert_msg(le64toh(st.life_seconds) == 1000, "age %lu",
		      (unsigned long)le64toh(st.life_seconds));
	ck_assert_msg(b->errlim.events == EV(AUTH_FAIL) &&
			      b->errlim.scope == VIRTIO_IPSEC_ELIM_PER_DEVICE &&
			      b->errlim.type == VIRTIO_IPSEC_ELIM_COUNT &&
			      b->errlim.value == 7,
		      "event limit not carried");
	vpe_mig_free(s, l);
	vpe_core_free(a);
	vpe_core_free(b);
}
END_TEST

Suite *sa_state_suite(void)
{
	Suite *s = suite_create("sa-state");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_state_readback);
	tcase_add_test(tc, test_state_errors);
	tcase_add_test(tc, test_failover_roundtrip);
	tcase_add_test(tc, test_mod_lifetime_rules);
	tcase_add_test(tc, test_warn_which_limit);
	tcase_add_test(tc, test_err_events_time_per_sa);
	tcase_add_test(tc, test_err_events_time_per_device);
	tcase_add_test(tc, test_err_events_count);
	tcase_add_test(tc, test_err_event_kinds);
	tcase_add_test(tc, test_event_limit_refused);
	tcase_add_test(tc, test_state_migrates);
	suite_add_tcase(s, tc);
	return s;
}
