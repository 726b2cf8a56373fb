// SPDX-License-Identifier: BSD-3-Clause
/*
 * Engine state export/import (vipsec_migrate.c): a round trip is exact
 * and the destination continues where the source stopped (sequence
 * numbers, replay window with ESN, lifetimes, statistics, events);
 * truncated, corrupted, oversized and mismatched streams are refused with
 * a message and leave the destination empty; a mutation loop with the
 * CRC fixed up exercises the structural checks (run it under
 * make check-asan for memory errors).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "tests.h"
#include "vipsec_core_priv.h"
#include "vipsec_migrate.h"

static const uint8_t key[16] = "0123456789abcdef";
static const uint8_t salt[4] = { 0xc0, 0xff, 0xee, 0x42 };
static const uint8_t cbc_key[16] = "fedcba9876543210";
static const uint8_t hmac_key[32] = "0123456789abcdef0123456789abcdef";

#define ENC VIRTIO_IPSEC_OP_ENCAP
#define DEC VIRTIO_IPSEC_OP_DECAP
#define S(p) ((struct virtio_ipsec_sa_params *)(p))

static struct pkt_out o, o2;
static uint8_t pkt[1500];
static uint8_t early[2000];	/* a packet decapsulated before migration */
static uint32_t early_len;

static struct vpe_core *core_cfg(uint32_t max_sas, uint32_t window,
				 bool weak)
{
	struct vpe_core_config cfg = {
		.max_sas = max_sas, .max_groups = 4, .max_packet_len = 9000,
		.max_batch = 32, .max_replay_window = window,
		.crypto_backend = test_backend(), .allow_weak_algos = weak,
	};
	char err[128] = "";
	struct vpe_core *c = vpe_core_new(&cfg, err, sizeof(err));

	ck_assert_msg(c != NULL, "vpe_core_new failed: %s", err);
	return c;
}

static void cbc_params(uint8_t p[PARAMS_SIZE], uint8_t dir, uint32_t spi)
{
	test_params(p, dir, spi, key, 16, salt, 0);
	S(p)->cipher_alg = VIRTIO_IPSEC_CIPHER_AES_CBC;
	S(p)->auth_alg = VIRTIO_IPSEC_AUTH_HMAC_SHA256;
	S(p)->icv_len = 16;
	S(p)->cipher_key_len = 16;
	memcpy(S(p)->cipher_key, cbc_key, 16);
	S(p)->auth_key_len = 32;
	memcpy(S(p)->auth_key, hmac_key, 32);
	S(p)->salt_len = 0;
	memset(S(p)->salt, 0, 4);
}

/*
 * Source state: group 1; GCM out (1) / in with a 128 window and ESN (2);
 * CBC+HMAC out (3) / in with a window (4), lifetimes on 3; traffic
 * through all of it; an event pending.
 */
static struct vpe_core *source(void)
{
	struct vpe_core *c = core_cfg(64, 4096, false);
	uint8_t p[PARAMS_SIZE], name[VIRTIO_IPSEC_NAME_LEN] = "tenant-a";
	int i;

	vpe_core_tick(c, 100);
	ck_assert_int_eq(ctrl(c, VIRTIO_IPSEC_OP_GROUP_CREATE, 1, 0, name,
			      sizeof(name)), VIRTIO_IPSEC_OK);
	test_params(p, VIRTIO_IPSEC_DIR_OUTBOUND, 0x1000, key, 16, salt, 0);
	S(p)->options = htole32(VIRTIO_IPSEC_SA_OPT_ESN);
	ck_assert_int_eq(sa_add(c, 1, 1, p), VIRTIO_IPSEC_OK);
	test_params(p, VIRTIO_IPSEC_DIR_INBOUND, 0x1000, key, 16, salt, 128);
	S(p)->options |= htole32(VIRTIO_IPSEC_SA_OPT_ESN);
	ck_assert_int_eq(sa_add(c, 1, 2, p), VIRTIO_IPSEC_OK);
	cbc_params(p, VIRTIO_IPSEC_DIR_OUTBOUND, 0x2000);
	S(p)->soft_packets = htole64(5);
	S(p)->hard_seconds = htole64(1000);
	S(p)->seq_notify_interval = htole32(3);
	ck_assert_int_eq(sa_add(c, 0, 3, p), VIRTIO_IPSEC_OK);
	cbc_params(p, VIRTIO_IPSEC_DIR_INBOUND, 0x2000);
	S(p)->options = htole32(VIRTIO_IPSEC_SA_OPT_ANTI_REPLAY);
	S(p)->replay_window = htole32(64);
	ck_assert_int_eq(sa_add(c, 0, 4, p), VIRTIO_IPSEC_OK);
	explicit_bzero(p, sizeof(p));

	vpe_core_tick(c, 150);
	for (i = 0; i < 7; i++) {
		make_ipv4(pkt, 100 + i, 0, 0, i);
		data1(c, ENC, 1, 1, pkt, 100 + i, 2000, &o);
		ck_assert_int_eq(o.status, VIRTIO_IPSEC_OK);
		/* out of order: every other packet left for later */
		if (i % 2 == 0 || i == 5) {
			data1(c, DEC, 1, 2, o.data, o.out_len, 2000, &o2);
			ck_assert_int_eq(o2.status, VIRTIO_IPSEC_OK);
			if (i == 0) {
				memcpy(early, o.data, o.out_len);
				early_len = o.out_len;
			}
		}
		data1(c, ENC, 0, 3, pkt, 100 + i, 2000, &o);
		ck_assert(o.status == VIRTIO_IPSEC_OK ||
			  o.status == VIRTIO_IPSEC_SOFT_EXPIRY);
		data1(c, DEC, 0, 4, o.data, o.out_len, 2000, &o2);
		ck_assert(o2.status == VIRTIO_IPSEC_OK);
	}
	ck_assert(vpe_core_event_pending(c));
	return c;
}

static bool empty(struct vpe_core *c)
{
	struct vpe_core *fresh = core_cfg(c->cfg.max_sas,
					  c->cfg.max_replay_window,
					  c->cfg.allow_weak_algos);
	bool e = vpe_mig_size(c) == vpe_mig_size(fresh) &&
		 !vpe_core_event_pending(c) &&
		 !vpe_sadb_next_id(&c->db, 1);

	vpe_core_free(fresh);
	return e;
}

static uint32_t crc32_ref(const uint8_t *p, size_t n)
{
	uint32_t crc = 0xffffffffu;

	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}

static void fix_crc(uint8_t *buf, size_t len)
{
	uint32_t c = htole32(crc32_ref(buf + 24, len - 24));

	memcpy(buf + 16, &c, 4);
}

START_TEST(round_trip_exact)
{
	struct vpe_core *a = source(), *b = core_cfg(64, 4096, false);
	size_t la, lb;
	uint8_t *sa_ = vpe_mig_export_alloc(a, &la), *sb;
	char err[200];

	ck_assert(sa_ && la > 24);
	ck_assert_msg(vpe_mig_import(b, sa_, la, err, sizeof(err)) == 0,
		      "import: %s", err);
	sb = vpe_mig_export_alloc(b, &lb);
	ck_assert(sb);
	ck_assert_uint_eq(la, lb);
	ck_assert_msg(memcmp(sa_, sb, la) == 0, "re-export differs");
	/* the keys are in the stream, but never in SA_GET's copy */
	ck_assert(memmem(sa_, la, cbc_key, 16) != NULL);
	ck_assert(b->db.sas[3] &&
		  !memmem(b->db.sas[3]->st.params, PARAMS_SIZE, cbc_key, 16));
	vpe_mig_free(sa_, la);
	vpe_mig_free(sb, lb);
	vpe_core_free(a);
	vpe_core_free(b);
}
END_TEST

/* The destination continues exactly where the source stopped. */
START_TEST(continues)
{
	struct vpe_core *a = source(), *b = core_cfg(128, 4096, false);
	struct virtio_ipsec_event ea, eb;
	uint64_t seq_a1, seq_a3;
	uint8_t *s;
	size_t l;
	char err[200];
	int i;

	seq_a1 = a->db.sas[1]->seq;
	seq_a3 = a->db.sas[3]->seq;
	s = vpe_mig_export_alloc(a, &l);
	ck_assert_msg(vpe_mig_import(b, s, l, err, sizeof(err)) == 0,
		      "import: %s", err);
	vpe_mig_free(s, l);
	ck_assert_uint_eq(b->now, 150);
	ck_assert_uint_eq(b->lim.features, a->lim.features);

	/* outbound: the next number, no reuse, no gap */
	make_ipv4(pkt, 200, 0, 0, 9);
	data1(b, ENC, 1, 1, pkt, 200, 2000, &o);
	ck_assert_int_eq(o.status, VIRTIO_IPSEC_OK);
	ck_assert_uint_eq(o.seq, seq_a1 + 1);
	/* ... and the source's own next packet would be the same bytes */
	data1(a, ENC, 1, 1, pkt, 200, 2000, &o2);
	ck_assert_uint_eq(o2.seq, seq_a1 + 1);
	ck_assert_uint_eq(o.out_len, o2.out_len);
	ck_assert_msg(memcmp(o.data, o2.data, o.out_len) == 0,
		      "GCM output differs: the keys did not travel");
	/* inbound: replay of a packet seen before the migration */
	data1(b, DEC, 1, 2, early, early_len, 2000, &o2);
	ck_assert_int_eq(o2.status, VIRTIO_IPSEC_REPLAY);
	/* the new packet, and the one skipped before migration (seq 2) */
	data1(b, DEC, 1, 2, o.data, o.out_len, 2000, &o2);
	ck_assert_int_eq(o2.status, VIRTIO_IPSEC_OK);
	ck_assert_uint_eq(b->db.sas[2]->replay->top, seq_a1 + 1);
	ck_assert_uint_eq(b->db.sas[2]->st.stats[VPE_STAT_REPLAY], 1);

	/* CBC+HMAC: sequence continues, statistics continue */
	data1(b, ENC, 0, 3, pkt, 200, 2000, &o);
	ck_assert_int_eq(o.status, VIRTIO_IPSEC_SOFT_EXPIRY);
	ck_assert_uint_eq(o.seq, seq_a3 + 1);
	ck_assert_uint_eq(b->db.sas[3]->st.stats[VPE_STAT_PACKETS], 8);
	data1(b, DEC, 0, 4, o.data, o.out_len, 2000, &o2);
	ck_assert_int_eq(o2.status, VIRTIO_IPSEC_OK);
	ck_assert_uint_eq(b->db.sas[4]->st.stats[VPE_STAT_PACKETS], 8);

	/* pending events travel, in order */
	for (i = 0; vpe_core_next_event(a, &ea); i++) {
		ck_assert(vpe_core_next_event(b, &eb));
		ck_assert(memcmp(&ea, &eb, sizeof(ea)) == 0);
	}
	ck_assert_int_gt(i, 1);
	/* a new SEQ_NOTIFY (packet 9 of SA 3 is not a multiple of 3: none) */
	ck_assert(!vpe_core_next_event(b, &eb));

	/* seconds lifetimes keep counting from SA_ADD on the core clock */
	vpe_core_tick(b, 100 + 999);
	ck_assert(!(b->db.sas[3]->st.flags & VPE_ST_HARD));
	vpe_core_tick(b, 100 + 1000);
	ck_assert(b->db.sas[3]->st.flags & VPE_ST_HARD);
	data1(b, ENC, 0, 3, pkt, 200, 2000, &o);
	ck_assert_int_eq(o.status, VIRTIO_IPSEC_HARD_EXPIRED);
	vpe_core_free(a);
	vpe_core_free(b);
}
END_TEST

/*
 * The outer IPv4 id and the ESP packet count follow the sequence number
 * (vipsec_sa.h: no counter of their own): after SA_MOD moves the number
 * and after a migration they go on from where they stood, one per packet.
 */
static void enc_expect(struct vpe_core *c, uint32_t len, uint64_t seq,
		       uint16_t id, uint64_t packets, uint64_t bytes)
{
	struct vpe_sa *sa = c->db.sas[1];

	make_ipv4(pkt, len, 0, 0, 1);
	data1(c, ENC, 0, 1, pkt, len, 2000, &o);
	ck_assert_int_eq(o.status, VIRTIO_IPSEC_OK);
	ck_assert_uint_eq(o.seq, seq);
	ck_assert_uint_eq(vpe_get_be16(o.data + 4), id);
	ck_assert_uint_eq(vpe_ip_csum(o.data, VPE_IPV4_HLEN), 0);
	ck_assert_uint_eq(vpe_sa_packets(sa), packets);
	ck_assert_uint_eq(sa->bytes, bytes);
	ck_assert_uint_eq(vpe_sa_next_ip_id(sa), (uint16_t)(id + 1));
}

START_TEST(ip_id_follows_seq)
{
	struct vpe_core *a = core_cfg(8, 4096, false);
	struct vpe_core *b = core_cfg(8, 4096, false);
	struct virtio_ipsec_sa_mod m;
	uint8_t p[PARAMS_SIZE];
	char err[200];
	uint8_t *s;
	size_t l;

	test_params(p, VIRTIO_IPSEC_DIR_OUTBOUND, 0x3000, key, 16, salt, 0);
	S(p)->initial_seq = htole64(41);
	ck_assert_int_eq(sa_add(a, 0, 1, p), VIRTIO_IPSEC_OK);
	explicit_bzero(p, sizeof(p));
	/* SA_ADD: the first packet gets id 0 whatever the first number */
	enc_expect(a, 100, 42, 0, 1, 100);
	enc_expect(a, 101, 43, 1, 2, 201);
	/* SA_MOD SEQ jumps the numbers, not the ids or the count */
	memset(&m, 0, sizeof(m));
	m.flags = htole32(VIRTIO_IPSEC_SA_MOD_SEQ);
	m.seq = htole64(70000);
	ck_assert_int_eq(ctrl(a, VIRTIO_IPSEC_OP_SA_MOD, 0, 1, &m, sizeof(m)),
			 VIRTIO_IPSEC_OK);
	enc_expect(a, 102, 70001, 2, 3, 303);
	/* a migration carries the next id and the count */
	s = vpe_mig_export_alloc(a, &l);
	ck_assert_msg(vpe_mig_import(b, s, l, err, sizeof(err)) == 0,
		      "import: %s", err);
	vpe_mig_free(s, l);
	enc_expect(b, 103, 70002, 3, 4, 406);
	o2 = o;
	/* ... as the source's own next packet, byte for byte */
	enc_expect(a, 103, 70002, 3, 4, 406);
	ck_assert_uint_eq(o.out_len, o2.out_len);
	ck_assert(memcmp(o.data, o2.data, o.out_len) == 0);
	vpe_core_free(a);
	vpe_core_free(b);
}
END_TEST

START_TEST(truncated_refused)
{
	struct vpe_core *a = source(), *b = core_cfg(64, 4096, false);
	size_t l, n;
	uint8_t *s = vpe_mig_export_alloc(a, &l), *t;
	char err[200];

	for (n = 0; n < l; n++) {
		t = malloc(n + 1);
		memcpy(t, s, n);
		err[0] = 0;
		ck_assert_msg(vpe_mig_import(b, t, n, err, sizeof(err)) < 0,
			      "truncated to %zu accepted", n);
		ck_assert_msg(err[0], "no message at %zu", n);
		/* with a header that agrees (CRC fixed), the records decide */
		if (n >= 24) {
			uint32_t bl = htole32((uint32_t)(n - 24));

			memcpy(t + 12, &bl, 4);
			fix_crc(t, n);
			ck_assert_msg(vpe_mig_import(b, t, n, err,
						     sizeof(err)) < 0,
				      "consistent truncation to %zu accepted",
				      n);
		}
		free(t);
		ck_assert(empty(b));
	}
	vpe_mig_import(b, s, l - 1, err, sizeof(err));
	ck_assert_msg(strstr(err, "length"), "message: %s", err);
	vpe_mig_free(s, l);
	vpe_core_free(a);
	vpe_core_free(b);
}
END_TEST

START_TEST(corrupted_refused)
{
	struct vpe_core *a = source(), *b = core_cfg(64, 4096, false);
	size_t l, i;
	uint8_t *s = vpe_mig_export_alloc(a, &l);
	char err[200];

	for (i = 0; i < l; i++) {
		s[i] ^= 0x10;
		ck_assert_msg(vpe_mig_import(b, s, l, err, sizeof(err)) < 0,
			      "flip at %zu accepted", i);
		s[i] ^= 0x10;
		ck_assert(empty(b));
	}
	s[100] ^= 1;
	vpe_mig_import(b, s, l, err, sizeof(err));
	ck_assert_msg(strstr(err, "CRC"), "message: %s", err);
	s[100] ^= 1;
	/* newer version */
	s[8] = VPE_MIG_VERSION + 1;
	vpe_mig_import(b, s, l, err, sizeof(err));
	ck_assert_msg(strstr(err, "version 3"), "message: %s", err);
	s[8] = VPE_MIG_VERSION;
	/* longer than the header says */
	s = realloc(s, l + 8);
	memset(s + l, 0, 8);
	ck_assert(vpe_mig_import(b, s, l + 8, err, sizeof(err)) < 0);
	ck_assert(vpe_mig_import(b, s, l, err, sizeof(err)) == 0);
	/* a core that already holds state refuses, unchanged */
	ck_assert(vpe_mig_import(b, s, l, err, sizeof(err)) < 0);
	ck_assert_msg(strstr(err, "already"), "message: %s", err);
	ck_assert(b->db.sas[1] && b->db.sas[4]);
	vpe_mig_free(s, l + 8);
	vpe_core_free(a);
	vpe_core_free(b);
}
END_TEST

/* Offsets in the stream: header 24, CORE record header 8, CORE payload */
#define CORE_AT		(24 + 8)

START_TEST(oversized_refused)
{
	struct vpe_core *a = source(), *b = core_cfg(64, 4096, false);
	size_t l;
	uint8_t *s = vpe_mig_export_alloc(a, &l), *t = malloc(l);
	uint32_t v;
	char err[200];

	ck_assert(l <= vpe_mig_max_size(b));
	/* absurd counts announced in CORE */
	memcpy(t, s, l);
	v = htole32(1u << 30);
	memcpy(t + CORE_AT + 8 + 8 + 6 * 4 + 4, &v, 4);	/* nsas */
	fix_crc(t, l);
	ck_assert(vpe_mig_import(b, t, l, err, sizeof(err)) < 0);
	ck_assert_msg(strstr(err, "SAs in use"), "message: %s", err);
	/* a record longer than what is left */
	memcpy(t, s, l);
	v = htole32(0xfffffff0u);
	memcpy(t + 24 + 4, &v, 4);
	fix_crc(t, l);
	ck_assert(vpe_mig_import(b, t, l, err, sizeof(err)) < 0);
	ck_assert_msg(strstr(err, "left"), "message: %s", err);
	ck_assert(empty(b));
	free(t);
	vpe_mig_free(s, l);
	vpe_core_free(a);
	vpe_core_free(b);
}
END_TEST

START_TEST(mismatch_refused)
{
	struct vpe_core *a = source(), *b;
	uint8_t p[PARAMS_SIZE], *s;
	size_t l;
	char err[200];

	s = vpe_mig_export_alloc(a, &l);
	b = core_cfg(16, 4096, false);
	ck_assert(vpe_mig_import(b, s, l, err, sizeof(err)) < 0);
	ck_assert_msg(strstr(err, "max-sas: source 64, destination 16"),
		      "message: %s", err);
	ck_assert(empty(b));
	vpe_core_free(b);
	b = core_cfg(64, 1024, false);
	ck_assert(vpe_mig_import(b, s, l, err, sizeof(err)) < 0);
	ck_assert_msg(strstr(err, "max-replay-window"), "message: %s", err);
	vpe_core_free(b);
	vpe_mig_free(s, l);
	vpe_core_free(a);

	/* weak algorithm in use, destination does not allow them */
	a = core_cfg(64, 4096, true);
	cbc_params(p, VIRTIO_IPSEC_DIR_OUTBOUND, 0x3000);
	S(p)->cipher_alg = VIRTIO_IPSEC_CIPHER_DES_CBC;
	S(p)->cipher_key_len = 8;
	ck_assert_int_eq(sa_add(a, 0, 7, p), VIRTIO_IPSEC_OK);
	s = vpe_mig_export_alloc(a, &l);
	b = core_cfg(64, 4096, false);
	ck_assert(vpe_mig_import(b, s, l, err, sizeof(err)) < 0);
	ck_assert_msg(strstr(err, "SA 7") && strstr(err, "allow-weak-algos"),
		      "message: %s", err);
	ck_assert(empty(b));
	vpe_core_free(b);
	b = core_cfg(64, 4096, true);
	ck_assert_msg(vpe_mig_import(b, s, l, err, sizeof(err)) == 0,
		      "import: %s", err);
	vpe_core_free(b);
	vpe_mig_free(s, l);
	vpe_core_free(a);
}
END_TEST

static uint64_t rnd_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/*
 * Mutations with the CRC fixed up: whatever import accepts must be a
 * usable core (it re-exports), whatever it refuses leaves it empty.
 */
START_TEST(mutation_loop)
{
	struct vpe_core *a = source(), *b = core_cfg(64, 4096, false);
	size_t l, lt, n;
	uint8_t *s = vpe_mig_export_alloc(a, &l), *t = malloc(l + 64), *r;
	char err[200];
	int it, k, accepted = 0;

	for (it = 0; it < 3000; it++) {
		memcpy(t, s, l);
		lt = l;
		for (k = 0; k < 1 + (int)(rnd() % 4); k++) {
			size_t at = 24 + rnd() % (l - 24);

			switch (rnd() % 4) {
			case 0:
				t[at] ^= (uint8_t)(1u << (rnd() % 8));
				break;
			case 1:
				t[at] = (uint8_t)rnd();
				break;
			case 2:	/* a length or count field */
				if (at + 4 <= lt) {
					uint32_t v = htole32((uint32_t)rnd() %
							     70000);

					memcpy(t + at, &v, 4);
				}
				break;
			default:
				lt = 24 + rnd() % (l - 24);
				break;
			}
		}
		{
			uint32_t bl = htole32((uint32_t)(lt - 24));

			memcpy(t + 12, &bl, 4);
		}
		fix_crc(t, lt);
		if (vpe_mig_import(b, t, lt, err, sizeof(err)) == 0) {
			accepted++;
			r = vpe_mig_export_alloc(b, &n);
			ck_assert(r);
			vpe_mig_free(r, n);
			vpe_core_reset(b);
		} else {
			ck_assert_msg(err[0], "refused without a message");
			ck_assert(empty(b));
		}
	}
	/* mutations of counters and names are legal: some must pass */
	ck_assert_int_gt(accepted, 0);
	free(t);
	vpe_mig_free(s, l);
	vpe_core_free(a);
	vpe_core_free(b);
}
END_TEST

Suite *migrate_suite(void)
{
	Suite *s = suite_create("migrate");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, round_trip_exact);
	tcase_add_test(tc, continues);
	tcase_add_test(tc, ip_id_follows_seq);
	tcase_add_test(tc, truncated_refused);
	tcase_add_test(tc, corrupted_refused);
	tcase_add_test(tc, oversized_refused);
	tcase_add_test(tc, mismatch_refused);
	tcase_add_test(tc, mutation_loop);
	suite_add_tcase(s, tc);
	return s;
}
