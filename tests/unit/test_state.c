// SPDX-License-Identifier: BSD-3-Clause
/*
 * Device SA state beyond ESP, through the request decoder: per-SA
 * statistics, lifetimes (bytes, packets, seconds via vpe_core_tick),
 * the event FIFO with its LOST record, SA_MOD, SA_GET and SA_FLUSH.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "tests.h"
#include "vipsec_core_priv.h"

static const uint8_t key[16] = "0123456789abcdef";
static const uint8_t salt[4] = { 0xc0, 0xff, 0xee, 0x42 };

#define ENC VIRTIO_IPSEC_OP_ENCAP
#define DEC VIRTIO_IPSEC_OP_DECAP
#define S(p) ((struct virtio_ipsec_sa_params *)(p))
#define ENTRY_LEN sizeof(struct virtio_ipsec_sa_entry)
#define GET_HLEN sizeof(struct virtio_ipsec_sa_get_resp)

static struct pkt_out o, o2;
static uint8_t pkt[2000];

/* Sends a control request with a response body of body_cap bytes. */
static uint8_t ctrl_resp(struct vpe_core *c, uint16_t op, uint32_t gid,
			 uint32_t id, const void *body, size_t body_len,
			 uint8_t *out, size_t body_cap, uint32_t *out_len)
{
	struct virtio_ipsec_ctrl_hdr h = {
		.opcode = htole16(op), .group_id = htole32(gid),
		.sa_id = htole32(id),
	};
	size_t req_len = sizeof(h) + body_len, cap = body_cap + 8;
	uint8_t *req = malloc(req_len), *resp = malloc(cap);
	uint32_t ol;
	uint8_t st;

	ck_assert(req && resp);
	memcpy(req, &h, sizeof(h));
	if (body_len)
		memcpy(req + sizeof(h), body, body_len);
	memset(resp, 0xaa, cap);
	ck_assert_msg(vpe_core_handle_ctrl(c, req, req_len, resp, cap) ==
		      (ssize_t)cap, "ctrl used length");
	st = resp[cap - 8];
	memcpy(&ol, resp + cap - 4, 4);
	ol = le32toh(ol);
	ck_assert_msg(ol <= body_cap, "out_len %u beyond the body", ol);
	for (size_t i = ol; i < body_cap; i++)
		ck_assert_msg(resp[i] == 0, "response byte %zu not zeroed", i);
	if (out)
		memcpy(out, resp, body_cap);
	if (out_len)
		*out_len = ol;
	free(req);
	free(resp);
	return st;
}

static uint8_t sa_get(struct vpe_core *c, uint32_t gid, uint32_t id,
		      uint32_t op, uint32_t max, uint8_t *out, size_t cap,
		      uint32_t *out_len)
{
	struct virtio_ipsec_sa_get g = {
		.op = htole32(op), .max_sas = htole32(max),
	};

	return ctrl_resp(c, VIRTIO_IPSEC_OP_SA_GET, gid, id, &g, sizeof(g),
			 out, cap, out_len);
}

/* Entry of one SA through SA_GET EXACT. */
static void get_entry(struct vpe_core *c, uint32_t gid, uint32_t id,
		      struct virtio_ipsec_sa_entry *e)
{
	static uint8_t buf[GET_HLEN + ENTRY_LEN];
	uint32_t ol;

	ck_assert_msg(sa_get(c, gid, id, VIRTIO_IPSEC_SA_GET_EXACT, 1, buf,
			     sizeof(buf), &ol) == VIRTIO_IPSEC_OK,
		      "SA_GET EXACT of SA %u failed", id);
	ck_assert_msg(ol == sizeof(buf), "SA_GET EXACT out_len %u", ol);
	memcpy(e, buf + GET_HLEN, sizeof(*e));
}

static uint64_t stat_of(struct vpe_core *c, uint32_t id, size_t off)
{
	struct virtio_ipsec_sa_entry e;
	uint64_t v;

	get_entry(c, 0, id, &e);
	memcpy(&v, (uint8_t *)&e.stats + off, 8);
	return le64toh(v);
}

#define STAT(c, id, f) stat_of(c, id, offsetof(struct virtio_ipsec_sa_stats, f))

/* Outbound SA 1 and inbound SA 2 (window w), same key; p mutates both. */
static struct vpe_core *pair(uint32_t w, void (*mut)(uint8_t *p))
{
	struct vpe_core *c = test_core();
	uint8_t p[PARAMS_SIZE];

	test_params(p, VIRTIO_IPSEC_DIR_OUTBOUND, 0x2000, key, 16, salt, 0);
	if (mut)
		mut(p);
	ck_assert_msg(sa_add(c, 0, 1, p) == 0, "outbound SA_ADD");
	test_params(p, VIRTIO_IPSEC_DIR_INBOUND, 0x2000, key, 16, salt, w);
	if (mut)
		mut(p);
	ck_assert_msg(sa_add(c, 0, 2, p) == 0, "inbound SA_ADD");
	return c;
}

static void encap(struct vpe_core *c, uint32_t id, uint32_t len,
		  struct pkt_out *out)
{
	make_ipv4(pkt, len, 0, 0, len);
	data1(c, ENC, 0, id, pkt, len, 2000, out);
}

static struct virtio_ipsec_event next_ev(struct vpe_core *c)
{
	struct virtio_ipsec_event ev;

	ck_assert_msg(vpe_core_event_pending(c), "no event pending");
	ck_assert_msg(vpe_core_next_event(c, &ev), "no event popped");
	return ev;
}

static void expect_ev(struct vpe_core *c, uint16_t type, uint16_t limit,
		      uint32_t id, const char *what)
{
	struct virtio_ipsec_event ev = next_ev(c);

	ck_assert_msg(le16toh(ev.type) == type && le16toh(ev.limit) == limit &&
		      le32toh(ev.sa_id) == id,
		      "%s: event type %u limit %u sa %u, want %u %u %u", what,
		      le16toh(ev.type), le16toh(ev.limit), le32toh(ev.sa_id),
		      type, limit, id);
}

static void expect_no_ev(struct vpe_core *c, const char *what)
{
	struct virtio_ipsec_event ev;

	ck_assert_msg(!vpe_core_event_pending(c) &&
		      !vpe_core_next_event(c, &ev),
		      "%s: unexpected event type %u", what, le16toh(ev.type));
}

/* ------------------------------------------------------------------ */
/* Statistics: each status in exactly one counter.                    */

static uint64_t sum_fail(const struct vpe_sa *sa)
{
	uint64_t s = 0;
	int i;

	for (i = VPE_STAT_INVALID_PKT; i < VPE_STAT_N; i++)
		s += sa->st.stats[i];
	return s;
}

/* The mapping itself, for every status the ESP code can return. */
START_TEST(test_stats_mapping)
{
	static const struct {
		uint8_t st, wire;
		uint64_t seq;
		enum vpe_stat ctr;
	} m[] = {
#define W(x) VIRTIO_IPSEC_##x
#define C(x) VPE_STAT_##x
		{ W(BADPKT), W(BADPKT), 1, C(INVALID_PKT) },
		{ VPE_STATUS_BADPAD, W(BADPKT), 1, C(INVALID_PAD) },
		{ W(BADPROTO), W(BADPROTO), 1, C(INVALID_SPI) },
		{ VPE_STATUS_BADSEQ, W(LATE), 5, C(INVALID_SEQ) },
		{ W(LATE), W(LATE), 0, C(INVALID_SEQ) },
		{ W(REPLAY), W(REPLAY), 1, C(REPLAY) },
		{ W(LATE), W(LATE), 1, C(LATE) },
		{ W(BADMSG), W(BADMSG), 1, C(INVALID_ICV) },
		{ W(SEQ_OVERFLOW), W(SEQ_OVERFLOW), 0, C(SEQ_OVERFLOW) },
		{ W(ERR), W(ERR), 0, C(CRYPTO_FAILED) },
		{ W(DST_TOO_SMALL), W(DST_TOO_SMALL), 0, C(NO_ROOM) },
		{ W(HARD_EXPIRED), W(HARD_EXPIRED), 0, C(HARD_EXPIRED) },
		{ W(SELECTOR), W(SELECTOR), 1, C(SELECTOR) },
		{ W(INVAL), W(INVAL), 0, C(INVALID_PKT) },
#undef W
#undef C
	};
	struct vpe_core *c = pair(64, NULL);
	struct vpe_sa *sa = vpe_sa_lookup(vpe_core_sadb(c), 0, 2);
	size_t i;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		struct vpe_esp_res r = { .status = m[i].st, .seq = m[i].seq };
		uint64_t before = sa->st.stats[m[i].ctr], fails = sum_fail(sa);

		ck_assert_msg(vpe_life_account(c, sa, 100, false, &r) == 0,
			      "case %zu: warnings on a failure", i);
		ck_assert_msg(r.status == m[i].wire,
			      "case %zu: wire status %u, want %u", i, r.status,
			      m[i].wire);
		ck_assert_msg(sa->st.stats[m[i].ctr] == before + 1 &&
			      sum_fail(sa) == fails + 1,
			      "case %zu (status %u): not counted once in counter %d",
			      i, m[i].st, m[i].ctr);
	}
	ck_assert_msg(sa->st.stats[VPE_STAT_PACKETS] == 0 &&
		      sa->st.stats[VPE_STAT_BYTES] == 0,
		      "failures counted as packets");
	vpe_core_free(c);
}
END_TEST

/* End to end: real packets, counters read back through SA_GET. */
START_TEST(test_stats_packets)
{
	struct vpe_core *c = pair(32, NULL);
	uint8_t p[PARAMS_SIZE], first[2000];
	uint32_t first_len, i;

	test_params(p, VIRTIO_IPSEC_DIR_INBOUND, 0x3000, key, 16, salt, 32);
	ck_assert(sa_add(c, 0, 3, p) == 0);
	encap(c, 1, 100, &o);
	ck_assert(o.status == VIRTIO_IPSEC_OK);
	memcpy(first, o.data, o.out_len);
	first_len = o.out_len;
	data1(c, DEC, 0, 2, first, first_len, 2000, &o2);
	ck_assert_msg(o2.status == 0, "decap: %u", o2.status);
	ck_assert_msg(STAT(c, 2, packets) == 1 && STAT(c, 2, bytes) == first_len,
		      "inbound packets/bytes %lu/%lu",
		      (unsigned long)STAT(c, 2, packets),
		      (unsigned long)STAT(c, 2, bytes));
	ck_assert_msg(STAT(c, 1, packets) == 1 && STAT(c, 1, bytes) == 100,
		      "outbound packets/bytes");
	data1(c, DEC, 0, 2, first, first_len, 2000, &o2);
	ck_assert(o2.status == VIRTIO_IPSEC_REPLAY);
	ck_assert_msg(STAT(c, 2, replay) == 1, "replay counter");
	data1(c, DEC, 0, 3, first, first_len, 2000, &o2);
	ck_assert(o2.status == VIRTIO_IPSEC_BADPROTO);
	ck_assert_msg(STAT(c, 3, invalid_spi) == 1, "invalid_spi counter");
	data1(c, DEC, 0, 2, first, 30, 2000, &o2);
	ck_assert(o2.status == VIRTIO_IPSEC_BADPKT);
	ck_assert_msg(STAT(c, 2, invalid_pkt) == 1, "invalid_pkt counter");
	encap(c, 1, 100, &o);
	o.data[o.out_len - 1] ^= 1;
	data1(c, DEC, 0, 2, o.data, o.out_len, 2000, &o2);
	ck_assert(o2.status == VIRTIO_IPSEC_BADMSG);
	ck_assert_msg(STAT(c, 2, invalid_icv) == 1, "invalid_icv counter");
	encap(c, 1, 100, &o);
	data1(c, DEC, 0, 2, o.data, o.out_len, 10, &o2);
	ck_assert(o2.status == VIRTIO_IPSEC_DST_TOO_SMALL);
	ck_assert_msg(STAT(c, 2, no_room) == 1, "no_room counter");
	for (i = 0; i < 40; i++)
		encap(c, 1, 100, &o);
	data1(c, DEC, 0, 2, o.data, o.out_len, 2000, &o2);
	ck_assert(o2.status == 0);
	data1(c, DEC, 0, 2, first, first_len, 2000, &o2);
	ck_assert(o2.status == VIRTIO_IPSEC_LATE);
	ck_assert_msg(STAT(c, 2, late) == 1, "late counter");
	first[24] = first[25] = first[26] = first[27] = 0;	/* seq 0 */
	data1(c, DEC, 0, 2, first, first_len, 2000, &o2);
	ck_assert(o2.status == VIRTIO_IPSEC_LATE);
	ck_assert_msg(STAT(c, 2, invalid_seq) == 1, "invalid_seq counter");
	encap(c, 2, 100, &o);		/* inbound SA used for encap */
	ck_assert(o.status == VIRTIO_IPSEC_INVAL);
	ck_assert_msg(STAT(c, 2, invalid_pkt) == 2, "wrong direction counter");
	ck_assert_msg(STAT(c, 2, packets) == 2, "inbound good packets");
	vpe_core_free(c);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Lifetimes and events.                                               */

static void life_pk(uint8_t *p)
{
	S(p)->soft_packets = htole64(3);
	S(p)->hard_packets = htole64(5);
}

START_TEST(test_life_packets)
{
	struct vpe_core *c = pair(64, life_pk);
	struct pkt_out *e = &o;
	uint32_t i;

	for (i = 1; i <= 5; i++) {
		encap(c, 1, 80, e);
		ck_assert_msg(e->status == (i < 3 ? VIRTIO_IPSEC_OK :
					    VIRTIO_IPSEC_SOFT_EXPIRY),
			      "packet %u: status %u", i, e->status);
		ck_assert_msg(e->out_len > 80 && e->data[0] == 0x45,
			      "packet %u: no ESP output", i);
		if (i == 3)
			expect_ev(c, VIRTIO_IPSEC_EVT_SOFT_EXPIRY,
				  VIRTIO_IPSEC_LIMIT_PACKETS, 1, "soft");
		else if (i < 5)
			expect_no_ev(c, "between soft and hard");
	}
	expect_ev(c, VIRTIO_IPSEC_EVT_HARD_EXPIRY, VIRTIO_IPSEC_LIMIT_PACKETS,
		  1, "hard after the last packet");
	for (i = 0; i < 3; i++) {
		encap(c, 1, 80, e);
		ck_assert_msg(e->status == VIRTIO_IPSEC_HARD_EXPIRED,
			      "past hard: status %u", e->status);
	}
	expect_no_ev(c, "hard expiry is reported once");
	ck_assert_msg(STAT(c, 1, packets) == 5 && STAT(c, 1, hard_expired) == 3,
		      "counters after hard expiry");
	vpe_core_free(c);
}
END_TEST

/* The warning bit travels in the result; data1 does not return it. */
static uint16_t encap_warn(struct vpe_core *c, uint32_t id, uint8_t *st)
{
	uint8_t req[32 + 60], resp[16 + 200 + 8];
	struct virtio_ipsec_data_hdr h = {
		.opcode = htole16(ENC), .num_pkts = htole32(1),
	};
	struct virtio_ipsec_pkt_req pr = {
		.sa_id = htole32(id), .in_len = htole32(60),
		.out_cap = htole32(200),
	};
	uint16_t w;

	memcpy(req, &h, 16);
	memcpy(req + 16, &pr, 16);
	make_ipv4(req + 32, 60, 0, 0, 3);
	ck_assert(vpe_core_handle_data(c, req, sizeof(req), resp,
				       sizeof(resp)) == sizeof(resp));
	*st = resp[0];
	memcpy(&w, resp + 2, 2);
	return le16toh(w);
}

START_TEST(test_life_warnings)
{
	struct vpe_core *c = pair(64, life_pk);
	uint8_t st;
	uint16_t w;

	w = encap_warn(c, 1, &st);
	ck_assert_msg(st == 0 && w == 0, "first packet: %u/%#x", st, w);
	encap_warn(c, 1, &st);
	w = encap_warn(c, 1, &st);
	ck_assert_msg(st == VIRTIO_IPSEC_SOFT_EXPIRY &&
		      w == VIRTIO_IPSEC_WARN_SOFT_EXPIRY,
		      "soft packet: %u/%#x", st, w);
	vpe_core_free(c);
}
END_TEST

static void life_bytes(uint8_t *p)
{
	S(p)->soft_bytes = htole64(150);
	S(p)->hard_bytes = htole64(250);
}

START_TEST(test_life_bytes)
{
	struct vpe_core *c = pair(64, life_bytes);

	encap(c, 1, 100, &o);
	ck_assert_msg(o.status == 0, "100 bytes: %u", o.status);
	expect_no_ev(c, "below soft bytes");
	encap(c, 1, 100, &o);
	ck_assert_msg(o.status == VIRTIO_IPSEC_SOFT_EXPIRY, "200 bytes: %u",
		      o.status);
	expect_ev(c, VIRTIO_IPSEC_EVT_SOFT_EXPIRY, VIRTIO_IPSEC_LIMIT_BYTES, 1,
		  "soft bytes");
	encap(c, 1, 100, &o);	/* 200 < 250 when admitted: the last one */
	ck_assert_msg(o.status == VIRTIO_IPSEC_SOFT_EXPIRY, "300 bytes: %u",
		      o.status);
	expect_ev(c, VIRTIO_IPSEC_EVT_HARD_EXPIRY, VIRTIO_IPSEC_LIMIT_BYTES, 1,
		  "hard bytes");
	encap(c, 1, 20, &o);
	ck_assert_msg(o.status == VIRTIO_IPSEC_HARD_EXPIRED, "past hard: %u",
		      o.status);
	expect_no_ev(c, "hard bytes once");
	vpe_core_free(c);
}
END_TEST

static void life_secs(uint8_t *p)
{
	S(p)->soft_seconds = htole64(10);
	S(p)->hard_seconds = htole64(20);
}

START_TEST(test_life_seconds)
{
	struct vpe_core *c = test_core();
	struct virtio_ipsec_sa_entry e;
	uint8_t p[PARAMS_SIZE];

	vpe_core_tick(c, 1000);
	test_params(p, VIRTIO_IPSEC_DIR_OUTBOUND, 0x2000, key, 16, salt, 0);
	life_secs(p);
	ck_assert(sa_add(c, 0, 1, p) == 0);
	vpe_core_tick(c, 1009);
	expect_no_ev(c, "9 s");
	encap(c, 1, 60, &o);
	ck_assert_msg(o.status == 0, "at 9 s: %u", o.status);
	vpe_core_tick(c, 500);	/* backwards: ignored */
	get_entry(c, 0, 1, &e);
	ck_assert_msg(le64toh(e.age_seconds) == 9, "age %lu after a step back",
		      (unsigned long)le64toh(e.age_seconds));
	vpe_core_tick(c, 1010);
	expect_ev(c, VIRTIO_IPSEC_EVT_SOFT_EXPIRY, VIRTIO_IPSEC_LIMIT_SECONDS,
		  1, "soft seconds");
	vpe_core_tick(c, 1015);
	expect_no_ev(c, "soft seconds once");
	encap(c, 1, 60, &o);
	ck_assert_msg(o.status == VIRTIO_IPSEC_SOFT_EXPIRY, "at 15 s: %u",
		      o.status);
	vpe_core_tick(c, 1020);
	expect_ev(c, VIRTIO_IPSEC_EVT_HARD_EXPIRY, VIRTIO_IPSEC_LIMIT_SECONDS,
		  1, "hard seconds");
	encap(c, 1, 60, &o);
	ck_assert_msg(o.status == VIRTIO_IPSEC_HARD_EXPIRED, "at 20 s: %u",
		      o.status);
	vpe_core_tick(c, 2000);
	expect_no_ev(c, "hard seconds once");
	vpe_core_free(c);
}
END_TEST

static void notify2(uint8_t *p)
{
	S(p)->seq_notify_interval = htole32(2);
}

START_TEST(test_seq_notify)
{
	struct vpe_core *c = pair(64, notify2);
	struct virtio_ipsec_event ev;
	uint8_t st;
	uint16_t w;
	int i;

	for (i = 1; i <= 4; i++) {
		w = encap_warn(c, 1, &st);
		ck_assert_msg(st == 0, "packet %d: %u", i, st);
		ck_assert_msg(w == (i % 2 ? 0 : VIRTIO_IPSEC_WARN_SEQ_NOTIFY),
			      "packet %d: warnings %#x", i, w);
		if (i % 2 == 0) {
			ev = next_ev(c);
			ck_assert_msg(le16toh(ev.type) == VIRTIO_IPSEC_EVT_SEQ_NOTIFY &&
				      le64toh(ev.seq) == (uint64_t)i &&
				      le64toh(ev.packets) == (uint64_t)i &&
				      le32toh(ev.spi) == 0x2000,
				      "announce %d: type %u seq %lu", i,
				      le16toh(ev.type),
				      (unsigned long)le64toh(ev.seq));
		}
		expect_no_ev(c, "between announcements");
	}
	vpe_core_free(c);
}
END_TEST

static void near_wrap(uint8_t *p)
{
	if (S(p)->direction == VIRTIO_IPSEC_DIR_OUTBOUND)
		S(p)->initial_seq = htole64(0xfffffffeULL);
}

START_TEST(test_seq_overflow_event)
{
	struct vpe_core *c = pair(64, near_wrap);
	struct virtio_ipsec_event ev;

	encap(c, 1, 60, &o);
	ck_assert_msg(o.status == 0 && o.seq == 0xffffffffULL, "last number");
	expect_no_ev(c, "before overflow");
	encap(c, 1, 60, &o);
	ck_assert(o.status == VIRTIO_IPSEC_SEQ_OVERFLOW);
	ev = next_ev(c);
	ck_assert_msg(le16toh(ev.type) == VIRTIO_IPSEC_EVT_SEQ_OVERFLOW &&
		      le64toh(ev.seq) == 0xffffffffULL, "overflow event");
	encap(c, 1, 60, &o);
	ck_assert(o.status == VIRTIO_IPSEC_SEQ_OVERFLOW);
	expect_no_ev(c, "overflow reported once");
	ck_assert_msg(STAT(c, 1, seq_overflow) == 2, "seq_overflow counter");
	vpe_core_free(c);
}
END_TEST

static void notify1(uint8_t *p)
{
	S(p)->seq_notify_interval = htole32(1);
}

START_TEST(test_events_lost)
{
	struct vpe_core_config cfg = {
		.max_sas = 8, .max_groups = 2, .max_packet_len = 9000,
		.max_batch = 8, .max_replay_window = 64,
		.crypto_backend = "ipsec-mb", .max_events = 4,
	};
	struct vpe_core *c = vpe_core_new(&cfg, NULL, 0);
	struct virtio_ipsec_event ev;
	uint8_t p[PARAMS_SIZE];
	int i;

	ck_assert(c);
	test_params(p, VIRTIO_IPSEC_DIR_OUTBOUND, 0x2000, key, 16, salt, 0);
	notify1(p);
	ck_assert(sa_add(c, 0, 1, p) == 0);
	for (i = 0; i < 10; i++)
		encap(c, 1, 60, &o);
	ev = next_ev(c);
	ck_assert_msg(le16toh(ev.type) == VIRTIO_IPSEC_EVT_LOST &&
		      le64toh(ev.packets) == 6 && ev.sa_id == 0,
		      "LOST first, counting 6: type %u count %lu",
		      le16toh(ev.type), (unsigned long)le64toh(ev.packets));
	for (i = 7; i <= 10; i++) {
		ev = next_ev(c);
		ck_assert_msg(le16toh(ev.type) == VIRTIO_IPSEC_EVT_SEQ_NOTIFY &&
			      le64toh(ev.seq) == (uint64_t)i,
			      "kept event %d: seq %lu", i,
			      (unsigned long)le64toh(ev.seq));
	}
	expect_no_ev(c, "after draining");
	/* Reset drops whatever waits. */
	encap(c, 1, 60, &o);
	ck_assert(vpe_core_event_pending(c));
	vpe_core_reset(c);
	expect_no_ev(c, "after reset");
	vpe_core_free(c);
}
END_TEST

START_TEST(test_events_purged_with_sa)
{
	struct vpe_core *c = pair(64, notify1);

	encap(c, 1, 60, &o);
	ck_assert(vpe_core_event_pending(c));
	ck_assert(ctrl(c, VIRTIO_IPSEC_OP_SA_DEL, 0, 1, NULL, 0) == 0);
	expect_no_ev(c, "events of a deleted SA");
	vpe_core_free(c);
}
END_TEST

/* A driver that did not negotiate a feature cannot use it. */
START_TEST(test_feature_gating)
{
	struct vpe_core *c = test_core();
	uint64_t all = vpe_core_features(c);
	uint8_t p[PARAMS_SIZE], buf[GET_HLEN + ENTRY_LEN];
	struct virtio_ipsec_sa_mod m;

	ck_assert_msg((all & (1ULL << VIRTIO_IPSEC_F_EVENTQ)) &&
		      (all & (1ULL << VIRTIO_IPSEC_F_LIFETIME)) &&
		      (all & (1ULL << VIRTIO_IPSEC_F_SA_MOD)) &&
		      (all & (1ULL << VIRTIO_IPSEC_F_SA_GET)),
		      "features 0x%lx miss state features", (unsigned long)all);
	vpe_core_set_features(c, 1ULL << VIRTIO_IPSEC_F_ANTI_REPLAY);
	test_params(p, VIRTIO_IPSEC_DIR_OUTBOUND, 0x2000, key, 16, salt, 0);
	life_pk(p);
	ck_assert_msg(sa_add(c, 0, 1, p) == VIRTIO_IPSEC_NOTSUPP,
		      "lifetime without F_LIFETIME");
	test_params(p, VIRTIO_IPSEC_DIR_OUTBOUND, 0x2000, key, 16, salt, 0);
	notify2(p);
	ck_assert_msg(sa_add(c, 0, 1, p) == VIRTIO_IPSEC_NOTSUPP,
		      "seq notify without F_EVENTQ");
	test_params(p, VIRTIO_IPSEC_DIR_OUTBOUND, 0x2000, key, 16, salt, 0);
	ck_assert(sa_add(c, 0, 1, p) == 0);
	memset(&m, 0, sizeof(m));
	m.flags = htole32(VIRTIO_IPSEC_SA_MOD_SEQ);
	m.seq = htole64(5);
	ck_assert_msg(ctrl(c, VIRTIO_IPSEC_OP_SA_MOD, 0, 1, &m, sizeof(m)) ==
		      VIRTIO_IPSEC_NOTSUPP, "SA_MOD without F_SA_MOD");
	ck_assert_msg(sa_get(c, 0, 1, VIRTIO_IPSEC_SA_GET_EXACT, 1, buf,
			     sizeof(buf), NULL) == VIRTIO_IPSEC_NOTSUPP,
		      "SA_GET without F_SA_GET");
	/* Lifetimes without the event queue: statuses, but no events. */
	vpe_core_set_features(c, 1ULL << VIRTIO_IPSEC_F_LIFETIME);
	test_params(p, VIRTIO_IPSEC_DIR_OUTBOUND, 0x2001, key, 16, salt, 0);
	S(p)->soft_packets = htole64(1);
	ck_assert(sa_add(c, 0, 2, p) == 0);
	encap(c, 2, 60, &o);
	ck_assert(o.status == VIRTIO_IPSEC_SOFT_EXPIRY);
	expect_no_ev(c, "event without F_EVENTQ");
	/* Soft above hard can never fire. */
	vpe_core_set_features(c, all);
	test_params(p, VIRTIO_IPSEC_DIR_OUTBOUND, 0x2002, key, 16, salt, 0);
	S(p)->soft_bytes = htole64(10);
	S(p)->hard_bytes = htole64(5);
	ck_assert_msg(sa_add(c, 0, 3, p) == VIRTIO_IPSEC_INVAL,
		      "soft_bytes > hard_bytes");
	vpe_core_free(c);
}
END_TEST

/* ------------------------------------------------------------------ */
/* SA_MOD                                                              */

static uint8_t sa_mod(struct vpe_core *c, uint32_t id,
		      const struct virtio_ipsec_sa_mod *m)
{
	return ctrl(c, VIRTIO_IPSEC_OP_SA_MOD, 0, id, m, sizeof(*m));
}

/* The mobile-IPv6 home agent case, over IPv4 for now. */
START_TEST(test_sa_mod_endpoint)
{
	struct vpe_core *c = pair(64, NULL);
	struct virtio_ipsec_sa_mod m;
	struct virtio_ipsec_sa_entry e;
	uint8_t old2[2000];
	uint32_t old2_len = 0;
	int i;

	for (i = 1; i <= 3; i++) {
		encap(c, 1, 120, &o);
		if (i == 2) {
			memcpy(old2, o.data, o.out_len);
			old2_len = o.out_len;
		}
		data1(c, DEC, 0, 2, o.data, o.out_len, 2000, &o2);
		ck_assert(o2.status == 0);
	}
	memset(&m, 0, sizeof(m));
	m.flags = htole32(VIRTIO_IPSEC_SA_MOD_LOCAL | VIRTIO_IPSEC_SA_MOD_PEER);
	memcpy(m.local_addr, "\xc6\x33\x64\x01", 4);
	memcpy(m.peer_addr, "\xcb\x00\x71\x09", 4);
	ck_assert_msg(sa_mod(c, 1, &m) == 0, "SA_MOD of the outbound SA");
	m.flags = htole32(VIRTIO_IPSEC_SA_MOD_PEER);
	memset(m.local_addr, 0, 16);
	ck_assert_msg(sa_mod(c, 2, &m) == 0, "SA_MOD of the inbound SA");

	encap(c, 1, 120, &o);
	ck_assert_msg(o.status == 0 && o.seq == 4,
		      "sequence not kept: status %u seq %lu", o.status,
		      (unsigned long)o.seq);
	ck_assert_msg(!memcmp(o.data + 12, "\xc6\x33\x64\x01", 4) &&
		      !memcmp(o.data + 16, "\xcb\x00\x71\x09", 4),
		      "outer header still has the old endpoints");
	ck_assert_msg(vpe_ip_csum(o.data, 20) == 0,
		      "outer IPv4 checksum wrong after SA_MOD");
	data1(c, DEC, 0, 2, o.data, o.out_len, 2000, &o2);
	ck_assert_msg(o2.status == 0, "keys not kept: decap %u", o2.status);
	data1(c, DEC, 0, 2, old2, old2_len, 2000, &o2);
	ck_assert_msg(o2.status == VIRTIO_IPSEC_REPLAY,
		      "replay window not kept: %u", o2.status);
	get_entry(c, 0, 1, &e);
	ck_assert_msg(!memcmp(e.params.tun_dst, "\xcb\x00\x71\x09", 4) &&
		      !memcmp(e.params.tun_src, "\xc6\x33\x64\x01", 4),
		      "SA_GET does not show the new endpoints");
	ck_assert_msg(le64toh(e.seq) == 4, "SA_GET seq %lu",
		      (unsigned long)le64toh(e.seq));
	vpe_core_free(c);
}
END_TEST

/*
 * The mobile-IPv6 home agent proper: an IPv6 tunnel SA pair whose peer
 * (the care-of address) moves, with NAT-T ports moving too on IPv4.
 */
static const uint8_t coa1[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 1 };
static const uint8_t coa2[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 2, [15] = 2 };
static const uint8_t ha[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xff, [15] = 0xa };

static void v6(uint8_t *p)
{
	S(p)->ip_version = VIRTIO_IPSEC_IPV6;
	memcpy(S(p)->tun_src, ha, 16);
	memcpy(S(p)->tun_dst, coa1, 16);
}

START_TEST(test_sa_mod_mipv6)
{
	struct vpe_core *c = pair(64, v6);
	struct virtio_ipsec_sa_mod m;
	uint8_t old[2000];
	uint32_t old_len;

	encap(c, 1, 120, &o);
	ck_assert_msg(o.status == 0 && (o.data[0] >> 4) == 6 &&
		      !memcmp(o.data + 24, coa1, 16),
		      "IPv6 tunnel encap: status %u", o.status);
	memcpy(old, o.data, o.out_len);
	old_len = o.out_len;
	data1(c, DEC, 0, 2, old, old_len, 2000, &o2);
	ck_assert(o2.status == 0);
	memset(&m, 0, sizeof(m));
	m.flags = htole32(VIRTIO_IPSEC_SA_MOD_PEER);
	memcpy(m.peer_addr, coa2, 16);
	ck_assert_msg(sa_mod(c, 1, &m) == 0 && sa_mod(c, 2, &m) == 0,
		      "binding update (SA_MOD PEER) refused");
	encap(c, 1, 120, &o);
	ck_assert_msg(o.status == 0 && o.seq == 2 &&
		      !memcmp(o.data + 8, ha, 16) &&
		      !memcmp(o.data + 24, coa2, 16),
		      "after the binding update: status %u seq %lu, or the "
		      "outer IPv6 header kept the old care-of address",
		      o.status, (unsigned long)o.seq);
	data1(c, DEC, 0, 2, o.data, o.out_len, 2000, &o2);
	ck_assert_msg(o2.status == 0, "keys not kept over IPv6: %u", o2.status);
	data1(c, DEC, 0, 2, old, old_len, 2000, &o2);
	ck_assert_msg(o2.status == VIRTIO_IPSEC_REPLAY,
		      "replay window not kept over IPv6: %u", o2.status);
	memset(m.peer_addr, 0, 16);
	memcpy(m.peer_addr, "\x0a\x00\x00\x09", 4);
	/* 0a00:0009:: is a subnet-router anycast address: SA_ADD refuses it */
	ck_assert_msg(sa_mod(c, 1, &m) == VIRTIO_IPSEC_INVAL,
		      "an IPv4 address left in an IPv6 SA's endpoint accepted");
	vpe_core_free(c);
}
END_TEST

static void natt(uint8_t *p)
{
	S(p)->options |= htole32(VIRTIO_IPSEC_SA_OPT_UDP_ENCAP);
	S(p)->udp_src_port = htole16(4500);
	S(p)->udp_dst_port = htole16(4500);
}

START_TEST(test_sa_mod_natt_port)
{
	struct vpe_core *c = pair(64, natt);
	struct virtio_ipsec_sa_mod m;

	encap(c, 1, 100, &o);
	ck_assert_msg(o.status == 0 && o.data[9] == 17 &&
		      o.data[22] == 0x11 && o.data[23] == 0x94,
		      "UDP-encapsulated encap: status %u", o.status);
	memset(&m, 0, sizeof(m));
	m.flags = htole32(VIRTIO_IPSEC_SA_MOD_PEER);
	memcpy(m.peer_addr, "\x0a\x00\x00\x02", 4);
	m.peer_port = htole16(61000);
	ck_assert(sa_mod(c, 1, &m) == 0);
	encap(c, 1, 100, &o);
	ck_assert_msg(o.status == 0 && (o.data[22] << 8 | o.data[23]) == 61000,
		      "peer UDP port not moved: %u", o.data[22] << 8 | o.data[23]);
	vpe_core_free(c);
}
END_TEST

START_TEST(test_sa_mod_seq_window)
{
	struct vpe_core *c = pair(64, NULL);
	struct virtio_ipsec_sa_mod m;
	struct virtio_ipsec_sa_entry e;
	uint8_t p96[2000], p100[2000];
	uint32_t l96 = 0, l100;
	int i;

	/* Outbound: forward only. */
	memset(&m, 0, sizeof(m));
	m.flags = htole32(VIRTIO_IPSEC_SA_MOD_SEQ);
	m.seq = htole64(95);
	ck_assert(sa_mod(c, 1, &m) == 0);
	for (i = 96; i <= 100; i++) {
		encap(c, 1, 60, &o);
		ck_assert_msg(o.seq == (uint64_t)i, "seq %lu, want %d",
			      (unsigned long)o.seq, i);
		if (i == 96) {
			memcpy(p96, o.data, o.out_len);
			l96 = o.out_len;
		}
	}
	memcpy(p100, o.data, o.out_len);
	l100 = o.out_len;
	m.seq = htole64(50);
	ck_assert_msg(sa_mod(c, 1, &m) == VIRTIO_IPSEC_INVAL,
		      "outbound sequence moved back (nonce reuse)");
	m.seq = htole64(1ULL << 32);
	ck_assert_msg(sa_mod(c, 1, &m) == VIRTIO_IPSEC_INVAL,
		      "seq >= 2^32 without ESN");

	/* Inbound: window 64 at top 100 with 100 and 96 received. */
	memset(&m, 0, sizeof(m));
	m.flags = htole32(VIRTIO_IPSEC_SA_MOD_SEQ | VIRTIO_IPSEC_SA_MOD_WINDOW);
	m.seq = htole64(100);
	m.replay_window = htole32(64);
	m.bitmap[0] = htole64(1ULL << 0 | 1ULL << 4);
	ck_assert(sa_mod(c, 2, &m) == 0);
	data1(c, DEC, 0, 2, p100, l100, 2000, &o2);
	ck_assert_msg(o2.status == VIRTIO_IPSEC_REPLAY, "seq 100: %u", o2.status);
	data1(c, DEC, 0, 2, p96, l96, 2000, &o2);
	ck_assert_msg(o2.status == VIRTIO_IPSEC_REPLAY, "seq 96: %u", o2.status);
	get_entry(c, 0, 2, &e);
	ck_assert_msg(le64toh(e.seq) == 100 &&
		      le32toh(e.params.replay_window) == 64,
		      "SA_GET after WINDOW: seq %lu window %u",
		      (unsigned long)le64toh(e.seq),
		      le32toh(e.params.replay_window));

	/* SEQ alone keeps what was received, by sequence number. */
	memset(&m, 0, sizeof(m));
	m.flags = htole32(VIRTIO_IPSEC_SA_MOD_SEQ);
	m.seq = htole64(110);
	ck_assert(sa_mod(c, 2, &m) == 0);
	data1(c, DEC, 0, 2, p96, l96, 2000, &o2);
	ck_assert_msg(o2.status == VIRTIO_IPSEC_REPLAY,
		      "seq 96 forgotten after SEQ: %u", o2.status);

	/* Malformed windows. */
	memset(&m, 0, sizeof(m));
	m.flags = htole32(VIRTIO_IPSEC_SA_MOD_WINDOW);
	m.replay_window = htole32(64);
	m.bitmap[1] = htole64(1);
	ck_assert_msg(sa_mod(c, 2, &m) == VIRTIO_IPSEC_INVAL,
		      "bitmap word beyond the window");
	m.bitmap[1] = 0;
	m.replay_window = htole32(40);
	m.bitmap[0] = htole64(1ULL << 45);
	ck_assert_msg(sa_mod(c, 2, &m) == VIRTIO_IPSEC_INVAL,
		      "bitmap bit beyond the window");
	m.bitmap[0] = 0;
	m.replay_window = htole32(4097);
	ck_assert_msg(sa_mod(c, 2, &m) == VIRTIO_IPSEC_INVAL,
		      "window larger than the bitmap");
	m.replay_window = 0;
	ck_assert_msg(sa_mod(c, 2, &m) == VIRTIO_IPSEC_INVAL, "window 0");
	m.replay_window = htole32(64);
	ck_assert_msg(sa_mod(c, 1, &m) == VIRTIO_IPSEC_INVAL,
		      "window on an outbound SA");
	data1(c, DEC, 0, 2, p96, l96, 2000, &o2);
	ck_assert_msg(o2.status == VIRTIO_IPSEC_REPLAY,
		      "a refused SA_MOD changed the window: %u", o2.status);
	vpe_core_free(c);
}
END_TEST

START_TEST(test_sa_mod_malformed)
{
	struct vpe_core *c = pair(64, NULL);
	struct virtio_ipsec_sa_mod m;
	uint8_t *b = (uint8_t *)&m;
	size_t n;

	memset(&m, 0, sizeof(m));
	m.flags = htole32(VIRTIO_IPSEC_SA_MOD_PEER);
	memcpy(m.peer_addr, "\x0a\x00\x00\x09", 4);
	for (n = 0; n < sizeof(m); n += 37)
		ck_assert_msg(ctrl(c, VIRTIO_IPSEC_OP_SA_MOD, 0, 1, b, n) ==
			      VIRTIO_IPSEC_INVAL, "SA_MOD body of %zu bytes", n);
	ck_assert_msg(sa_mod(c, 9, &m) == VIRTIO_IPSEC_INVSA, "unknown SA");
	ck_assert_msg(ctrl(c, VIRTIO_IPSEC_OP_SA_MOD, 3, 1, &m, sizeof(m)) ==
		      VIRTIO_IPSEC_INVGROUP, "unknown group");
	m.peer_addr[7] = 1;
	ck_assert_msg(sa_mod(c, 1, &m) == VIRTIO_IPSEC_INVAL,
		      "IPv6-sized address on an IPv4 SA (family change)");
	m.peer_addr[7] = 0;
	m.peer_port = htole16(4500);
	ck_assert_msg(sa_mod(c, 1, &m) == VIRTIO_IPSEC_INVAL,
		      "port without UDP encapsulation");
	m.peer_port = 0;
	m.local_addr[0] = 1;
	ck_assert_msg(sa_mod(c, 1, &m) == VIRTIO_IPSEC_INVAL,
		      "local address without LOCAL");
	m.local_addr[0] = 0;
	m.seq = htole64(7);
	ck_assert_msg(sa_mod(c, 1, &m) == VIRTIO_IPSEC_INVAL,
		      "seq without SEQ");
	m.seq = 0;
	m.flags = 0;
	ck_assert_msg(sa_mod(c, 1, &m) == VIRTIO_IPSEC_INVAL, "flags 0");
	m.flags = htole32(1u << 4);
	ck_assert_msg(sa_mod(c, 1, &m) == VIRTIO_IPSEC_INVAL, "unknown flag");
	m.flags = htole32(VIRTIO_IPSEC_SA_MOD_PEER);
	m.reserved1[3] = 1;
	ck_assert_msg(sa_mod(c, 1, &m) == VIRTIO_IPSEC_INVAL, "reserved1");
	m.reserved1[3] = 0;
	ck_assert_msg(sa_mod(c, 1, &m) == 0, "the valid SA_MOD is refused");
	vpe_core_free(c);
}
END_TEST

/*
 * SA_MOD takes only what SA_ADD would: no unspecified, multicast,
 * broadcast/class-E or (IPv6) v4-mapped tunnel endpoint.
 */
START_TEST(test_sa_mod_bad_endpoints)
{
	static const struct {
		const char *what;
		int v6;
		uint8_t addr[16];
	} bad[] = {
		{ "0.0.0.0", 0, { 0 } },
		{ "0.1.2.3 (0/8)", 0, { 0, 1, 2, 3 } },
		{ "224.0.0.1 (multicast)", 0, { 224, 0, 0, 1 } },
		{ "255.255.255.255", 0, { 255, 255, 255, 255 } },
		{ "240.0.0.1 (class E)", 0, { 240, 0, 0, 1 } },
		{ "::", 1, { 0 } },
		{ "ff02::1 (multicast)", 1,
		  { 0xff, 0x02, [15] = 1 } },
		{ "::ffff:192.0.2.1 (v4-mapped)", 1,
		  { [10] = 0xff, 0xff, 192, 0, 2, 1 } },
	};
	struct virtio_ipsec_sa_mod m;
	struct virtio_ipsec_sa_entry before, after;
	size_t i;
	int fam, local;

	for (fam = 0; fam <= 1; fam++) {
		struct vpe_core *c = pair(64, fam ? v6 : NULL);

		get_entry(c, 0, 1, &before);

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			if (bad[i].v6 != fam)
				continue;
			for (local = 0; local <= 1; local++) {
				memset(&m, 0, sizeof(m));
				m.flags = htole32(local ? VIRTIO_IPSEC_SA_MOD_LOCAL :
						  VIRTIO_IPSEC_SA_MOD_PEER);
				memcpy(local ? m.local_addr : m.peer_addr,
				       bad[i].addr, 16);
				ck_assert_msg(sa_mod(c, 1, &m) == VIRTIO_IPSEC_INVAL,
					      "SA_MOD %s %s accepted",
					      local ? "LOCAL" : "PEER", bad[i].what);
			}
		}
		get_entry(c, 0, 1, &after);
		ck_assert_msg(!memcmp(before.params.tun_src, after.params.tun_src, 16) &&
			      !memcmp(before.params.tun_dst, after.params.tun_dst, 16),
			      "a refused SA_MOD changed the SA's endpoints");
		vpe_core_free(c);
	}
}
END_TEST

/* The inbound (SPI, destination) rule of SA_ADD holds after SA_MOD. */
START_TEST(test_sa_mod_clash)
{
	struct vpe_core *c = pair(64, NULL);
	struct virtio_ipsec_sa_mod m;
	uint8_t p[PARAMS_SIZE];

	test_params(p, VIRTIO_IPSEC_DIR_INBOUND, 0x2000, key, 16, salt, 64);
	S(p)->tun_dst[3] = 7;
	ck_assert(sa_add(c, 0, 3, p) == 0);
	memset(&m, 0, sizeof(m));
	m.flags = htole32(VIRTIO_IPSEC_SA_MOD_PEER);
	memcpy(m.peer_addr, "\x0a\x00\x00\x02", 4);
	ck_assert_msg(sa_mod(c, 3, &m) == VIRTIO_IPSEC_EXISTS,
		      "two inbound SAs with one SPI and destination");
	vpe_core_free(c);
}
END_TEST

/* The rule is per group: another group's SPIs neither clash nor show. */
START_TEST(test_sa_mod_clash_per_group)
{
	struct vpe_core *c = pair(64, NULL);
	uint8_t name[VIRTIO_IPSEC_NAME_LEN] = "g1";
	struct virtio_ipsec_sa_mod m;
	uint8_t p[PARAMS_SIZE];

	ck_assert(ctrl(c, VIRTIO_IPSEC_OP_GROUP_CREATE, 1, 0, name,
		       sizeof(name)) == 0);
	test_params(p, VIRTIO_IPSEC_DIR_INBOUND, 0x2000, key, 16, salt, 64);
	S(p)->tun_dst[3] = 7;
	ck_assert(ctrl(c, VIRTIO_IPSEC_OP_SA_ADD, 1, 3, p, PARAMS_SIZE) == 0);
	memset(&m, 0, sizeof(m));
	m.flags = htole32(VIRTIO_IPSEC_SA_MOD_PEER);
	memcpy(m.peer_addr, "\x0a\x00\x00\x02", 4);
	ck_assert_msg(ctrl(c, VIRTIO_IPSEC_OP_SA_MOD, 1, 3, &m, sizeof(m)) == 0,
		      "group 1's SA clashes with group 0's SPI");
	vpe_core_free(c);
}
END_TEST

/* ------------------------------------------------------------------ */
/* SA_GET and SA_FLUSH                                                 */

static struct vpe_core *populated(void)
{
	static const uint32_t ids1[] = { 3, 5, 7, 9, 11 };
	struct vpe_core *c = test_core();
	uint8_t p[PARAMS_SIZE], name[VIRTIO_IPSEC_NAME_LEN] = "g1";
	size_t i;

	ck_assert(ctrl(c, VIRTIO_IPSEC_OP_GROUP_CREATE, 1, 0, name,
		       sizeof(name)) == 0);
	for (i = 0; i < 5; i++) {
		test_params(p, VIRTIO_IPSEC_DIR_OUTBOUND, 0x100 + ids1[i], key,
			    16, salt, 0);
		ck_assert(sa_add(c, 1, ids1[i], p) == 0);
	}
	test_params(p, VIRTIO_IPSEC_DIR_INBOUND, 0x400, key, 16, salt, 64);
	ck_assert(sa_add(c, 0, 4, p) == 0);
	test_params(p, VIRTIO_IPSEC_DIR_OUTBOUND, 0x401, key, 16, salt, 0);
	ck_assert(sa_add(c, 0, 8, p) == 0);
	return c;
}

static uint32_t entry_id(const uint8_t *buf, uint32_t i)
{
	struct virtio_ipsec_sa_entry e;

	memcpy(&e, buf + GET_HLEN + i * ENTRY_LEN, sizeof(e));
	return le32toh(e.sa_id);
}

static void expect_page(const uint8_t *buf, uint32_t ol, uint32_t count,
			uint32_t more, const uint32_t *ids, const char *what)
{
	struct virtio_ipsec_sa_get_resp h;
	uint32_t i;

	memcpy(&h, buf, sizeof(h));
	ck_assert_msg(le32toh(h.count) == count && le32toh(h.more) == more &&
		      ol == GET_HLEN + count * ENTRY_LEN,
		      "%s: count %u more %u out_len %u", what,
		      le32toh(h.count), le32toh(h.more), ol);
	for (i = 0; i < count; i++)
		ck_assert_msg(entry_id(buf, i) == ids[i], "%s: entry %u is %u",
			      what, i, entry_id(buf, i));
}

START_TEST(test_sa_get_paging)
{
	struct vpe_core *c = populated();
	static uint8_t buf[GET_HLEN + 8 * ENTRY_LEN];
	static const uint32_t p1[] = { 3, 5 }, p2[] = { 7, 9 }, p3[] = { 11 },
		all[] = { 3, 5, 7, 9, 11 }, g0[] = { 4, 8 };
	uint32_t ol;

	ck_assert(sa_get(c, 1, 0, VIRTIO_IPSEC_SA_GET_FIRST, 2, buf,
			 sizeof(buf), &ol) == 0);
	expect_page(buf, ol, 2, 1, p1, "FIRST 2");
	ck_assert(sa_get(c, 1, 5, VIRTIO_IPSEC_SA_GET_NEXT, 2, buf,
			 sizeof(buf), &ol) == 0);
	expect_page(buf, ol, 2, 1, p2, "NEXT after 5");
	ck_assert(sa_get(c, 1, 9, VIRTIO_IPSEC_SA_GET_NEXT, 2, buf,
			 sizeof(buf), &ol) == 0);
	expect_page(buf, ol, 1, 0, p3, "NEXT after 9");
	ck_assert(sa_get(c, 1, 11, VIRTIO_IPSEC_SA_GET_NEXT, 2, buf,
			 sizeof(buf), &ol) == 0);
	expect_page(buf, ol, 0, 0, NULL, "NEXT after the last");
	ck_assert(sa_get(c, 1, 0, VIRTIO_IPSEC_SA_GET_FIRST, 8, buf,
			 sizeof(buf), &ol) == 0);
	expect_page(buf, ol, 5, 0, all, "FIRST 8");
	ck_assert(sa_get(c, 0, 0, VIRTIO_IPSEC_SA_GET_FIRST, 8, buf,
			 sizeof(buf), &ol) == 0);
	expect_page(buf, ol, 2, 0, g0, "default group");
	ck_assert(sa_get(c, 1, 7, VIRTIO_IPSEC_SA_GET_EXACT, 8, buf,
			 sizeof(buf), &ol) == 0);
	expect_page(buf, ol, 1, 1, p2, "EXACT 7");
	/* max_sas larger than the room: bounded by the room. */
	ck_assert(sa_get(c, 1, 0, VIRTIO_IPSEC_SA_GET_FIRST, 100, buf,
			 GET_HLEN + ENTRY_LEN + 100, &ol) == 0);
	expect_page(buf, ol, 1, 1, p1, "room for one entry");
	vpe_core_free(c);
}
END_TEST

START_TEST(test_sa_get_errors)
{
	struct vpe_core *c = populated();
	static uint8_t buf[GET_HLEN + 2 * ENTRY_LEN];
	struct virtio_ipsec_sa_get g = {
		.op = htole32(VIRTIO_IPSEC_SA_GET_FIRST), .max_sas = htole32(1),
	};
	size_t n;

	for (n = 0; n < sizeof(g); n++)
		ck_assert_msg(ctrl_resp(c, VIRTIO_IPSEC_OP_SA_GET, 1, 0, &g, n,
					buf, sizeof(buf), NULL) ==
			      VIRTIO_IPSEC_INVAL, "SA_GET body of %zu bytes", n);
	ck_assert_msg(sa_get(c, 1, 0, VIRTIO_IPSEC_SA_GET_FIRST, 0, buf,
			     sizeof(buf), NULL) == VIRTIO_IPSEC_INVAL,
		      "max_sas 0");
	ck_assert_msg(sa_get(c, 1, 0, VIRTIO_IPSEC_SA_GET_FIRST, 1, buf,
			     GET_HLEN + ENTRY_LEN - 1, NULL) ==
		      VIRTIO_IPSEC_INVAL, "no room for one entry");
	ck_assert_msg(sa_get(c, 1, 0, 3, 1, buf, sizeof(buf), NULL) ==
		      VIRTIO_IPSEC_INVAL, "bad op");
	ck_assert_msg(sa_get(c, 1, 3, VIRTIO_IPSEC_SA_GET_FIRST, 1, buf,
			     sizeof(buf), NULL) == VIRTIO_IPSEC_INVAL,
		      "FIRST with a cursor");
	ck_assert_msg(sa_get(c, 1, 4, VIRTIO_IPSEC_SA_GET_EXACT, 1, buf,
			     sizeof(buf), NULL) == VIRTIO_IPSEC_INVSA,
		      "EXACT of an SA in another group");
	ck_assert_msg(sa_get(c, 3, 0, VIRTIO_IPSEC_SA_GET_FIRST, 1, buf,
			     sizeof(buf), NULL) == VIRTIO_IPSEC_INVGROUP,
		      "unknown group");
	ck_assert_msg(sa_get(c, 1, 0xffffffff, VIRTIO_IPSEC_SA_GET_NEXT, 1, buf,
			     sizeof(buf), NULL) != VIRTIO_IPSEC_OK ||
		      ((struct virtio_ipsec_sa_get_resp *)buf)->count == 0,
		      "NEXT after the largest id");
	g.reserved[1] = htole32(1);
	ck_assert_msg(ctrl_resp(c, VIRTIO_IPSEC_OP_SA_GET, 1, 0, &g, sizeof(g),
				buf, sizeof(buf), NULL) == VIRTIO_IPSEC_INVAL,
		      "reserved");
	vpe_core_free(c);
}
END_TEST

/* No key material ever leaves the device; everything else does. */
START_TEST(test_sa_get_no_keys)
{
	struct vpe_core *c = populated();
	static uint8_t buf[GET_HLEN + 8 * ENTRY_LEN];
	struct virtio_ipsec_sa_entry e;
	uint32_t ol, i;

	vpe_core_tick(c, 30);
	ck_assert(sa_get(c, 1, 0, VIRTIO_IPSEC_SA_GET_FIRST, 8, buf,
			 sizeof(buf), &ol) == 0);
	ck_assert_msg(memmem(buf, sizeof(buf), key, 8) == NULL &&
		      memmem(buf, sizeof(buf), key + 8, 8) == NULL &&
		      memmem(buf, sizeof(buf), salt, 4) == NULL,
		      "key or salt bytes in the SA_GET response");
	for (i = 0; i < 5; i++) {
		memcpy(&e, buf + GET_HLEN + i * ENTRY_LEN, sizeof(e));
		ck_assert_msg(e.params.cipher_key_len == 16 &&
			      e.params.cipher_alg == VIRTIO_IPSEC_CIPHER_AES_GCM &&
			      le32toh(e.params.spi) == 0x100 + le32toh(e.sa_id) &&
			      le32toh(e.group_id) == 1 &&
			      le64toh(e.age_seconds) == 30,
			      "entry %u: parameters not as added", i);
	}
	vpe_core_free(c);
}
END_TEST

START_TEST(test_sa_flush)
{
	struct vpe_core *c = populated();
	static uint8_t buf[GET_HLEN + 8 * ENTRY_LEN];
	static const uint32_t g0[] = { 4, 8 };
	struct vpe_sadb *db = vpe_core_sadb(c);
	uint32_t ol;

	ck_assert_msg(ctrl(c, VIRTIO_IPSEC_OP_SA_FLUSH, 1, 3, NULL, 0) ==
		      VIRTIO_IPSEC_INVAL, "SA_FLUSH with an SA id");
	ck_assert_msg(ctrl(c, VIRTIO_IPSEC_OP_SA_FLUSH, 3, 0, NULL, 0) ==
		      VIRTIO_IPSEC_INVGROUP, "SA_FLUSH of an unknown group");
	ck_assert(ctrl(c, VIRTIO_IPSEC_OP_SA_FLUSH, 1, 0, NULL, 0) == 0);
	ck_assert(sa_get(c, 1, 0, VIRTIO_IPSEC_SA_GET_FIRST, 8, buf,
			 sizeof(buf), &ol) == 0);
	expect_page(buf, ol, 0, 0, NULL, "flushed group");
	ck_assert(sa_get(c, 0, 0, VIRTIO_IPSEC_SA_GET_FIRST, 8, buf,
			 sizeof(buf), &ol) == 0);
	expect_page(buf, ol, 2, 0, g0, "other group after flush");
	ck_assert_msg(db->groups[1].nsas == 0 && db->sas[3] == NULL,
		      "flushed SAs still in the table");
	ck_assert_msg(ctrl(c, VIRTIO_IPSEC_OP_GROUP_DESTROY, 1, 0, NULL, 0) == 0,
		      "flushed group cannot be destroyed");
	vpe_core_free(c);
}
END_TEST

/* Export and import of the replay window are inverses. */
START_TEST(test_replay_export_import)
{
	uint64_t in[64], out[64];
	unsigned int seed = 7, k;

	for (k = 0; k < 50; k++) {
		uint32_t w = 1 + rand_r(&seed) % 4096, i;
		uint64_t top = w + rand_r(&seed) % 100000;
		struct vpe_replay *r;

		memset(in, 0, sizeof(in));
		for (i = 0; i < w; i++)
			if (rand_r(&seed) & 1)
				in[i / 64] |= 1ULL << (i % 64);
		r = vpe_replay_import(w, top, in, 64);
		ck_assert_msg(r, "import of window %u refused", w);
		vpe_replay_export(r, out, 64);
		ck_assert_msg(!memcmp(in, out, sizeof(in)),
			      "window %u top %lu: round trip differs", w,
			      (unsigned long)top);
		for (i = 0; i < w; i++)
			ck_assert_msg(vpe_replay_check(r, top - i) ==
				      ((in[i / 64] >> (i % 64) & 1) ?
				       VIRTIO_IPSEC_REPLAY : VIRTIO_IPSEC_OK),
				      "window %u: seq top-%u misjudged", w, i);
		vpe_replay_free(r);
	}
	memset(in, 0, sizeof(in));
	in[0] = 1ULL << 10;
	ck_assert_msg(vpe_replay_import(64, 5, in, 64) == NULL,
		      "bit naming a sequence number below 1 accepted");
}
END_TEST

Suite *state_suite(void)
{
	Suite *s = suite_create("state");
	TCase *tc = tcase_create("stats");

	tcase_add_test(tc, test_stats_mapping);
	tcase_add_test(tc, test_stats_packets);
	suite_add_tcase(s, tc);
	tc = tcase_create("lifetimes-events");
	tcase_add_test(tc, test_life_packets);
	tcase_add_test(tc, test_life_warnings);
	tcase_add_test(tc, test_life_bytes);
	tcase_add_test(tc, test_life_seconds);
	tcase_add_test(tc, test_seq_notify);
	tcase_add_test(tc, test_seq_overflow_event);
	tcase_add_test(tc, test_events_lost);
	tcase_add_test(tc, test_events_purged_with_sa);
	tcase_add_test(tc, test_feature_gating);
	suite_add_tcase(s, tc);
	tc = tcase_create("sa-ops");
	tcase_add_test(tc, test_sa_mod_endpoint);
	tcase_add_test(tc, test_sa_mod_seq_window);
	tcase_add_test(tc, test_sa_mod_mipv6);
	tcase_add_test(tc, test_sa_mod_natt_port);
	tcase_add_test(tc, test_sa_mod_malformed);
	tcase_add_test(tc, test_sa_mod_clash);
	tcase_add_test(tc, test_sa_mod_bad_endpoints);
	tcase_add_test(tc, test_sa_mod_clash_per_group);
	tcase_add_test(tc, test_sa_get_paging);
	tcase_add_test(tc, test_sa_get_errors);
	tcase_add_test(tc, test_sa_get_no_keys);
	tcase_add_test(tc, test_sa_flush);
	tcase_add_test(tc, test_replay_export_import);
	suite_add_tcase(s, tc);
	return s;
}
