// SPDX-License-Identifier: BSD-3-Clause
/*
 * Malformed requests: each gets the right footer status, no packet is
 * processed, and nothing is read or written out of bounds (requests and
 * responses are exact-size heap buffers, so the ASan build traps).
 */
#include <stdlib.h>
#include <string.h>

#include "tests.h"

static const uint8_t key[16] = "0123456789abcdef";
static const uint8_t salt[4] = { 1, 2, 3, 4 };

struct req {
	uint8_t buf[4096];
	size_t len;
};

/* A valid one-packet encap request for SA 1 with a 60-byte packet. */
static void good_req(struct req *r, uint32_t out_cap)
{
	struct virtio_ipsec_data_hdr h = {
		.opcode = htole16(VIRTIO_IPSEC_OP_ENCAP),
		.num_pkts = htole32(1),
	};
	struct virtio_ipsec_pkt_req p = {
		.sa_id = htole32(1), .in_len = htole32(60),
		.out_cap = htole32(out_cap),
	};

	memcpy(r->buf, &h, 16);
	memcpy(r->buf + 16, &p, 16);
	make_ipv4(r->buf + 32, 60, 0, 0, 1);
	r->len = 92;
}

static struct vpe_core *core1(void)
{
	struct vpe_core *c = test_core();
	uint8_t p[PARAMS_SIZE];

	test_params(p, VIRTIO_IPSEC_DIR_OUTBOUND, 0x10, key, 16, salt, 0);
	ck_assert(sa_add(c, 0, 1, p) == 0);
	return c;
}

/* Runs a request in exact-size buffers; returns the footer status. */
static uint8_t run(struct vpe_core *c, const struct req *r,
		   size_t resp_cap, ssize_t *used)
{
	uint8_t *req = malloc(r->len ? r->len : 1);
	uint8_t *resp = malloc(resp_cap ? resp_cap : 1);
	uint8_t st = 0xff;

	memcpy(req, r->buf, r->len);
	*used = vpe_core_handle_data(c, req, r->len, resp, resp_cap);
	if (*used > 0)
		st = resp[resp_cap - 8];
	free(req);
	free(resp);
	return st;
}

static uint64_t seq_of(struct vpe_core *c)
{
	return vpe_sa_lookup(vpe_core_sadb(c), 0, 1)->seq;
}

static void expect_refused(struct vpe_core *c, const struct req *r,
			   size_t resp_cap, uint8_t want, const char *what)
{
	uint64_t before = seq_of(c);
	ssize_t used;
	uint8_t st = run(c, r, resp_cap, &used);

	ck_assert_msg(used == (ssize_t)resp_cap, "%s: used %zd", what, used);
	ck_assert_msg(st == want, "%s: status %u, want %u", what, st, want);
	ck_assert_msg(seq_of(c) == before, "%s: a packet was processed", what);
}

#define HDR_FLAGS 2
#define HDR_NUM 4
#define HDR_RES 8
#define PKT0 16

static void put32(struct req *r, size_t off, uint32_t v)
{
	v = htole32(v);
	memcpy(r->buf + off, &v, 4);
}

START_TEST(test_good_request)
{
	struct vpe_core *c = core1();
	struct req r;
	ssize_t used;

	good_req(&r, 200);
	ck_assert_msg(run(c, &r, 16 + 200 + 8, &used) == 0 && seq_of(c) == 1,
		      "the valid base request is refused");
	vpe_core_free(c);
}
END_TEST

START_TEST(test_malformed)
{
	struct vpe_core *c = core1();
	const size_t cap = 16 + 200 + 8;
	struct req r;
	ssize_t used;
	size_t n;

	for (n = 0; n < 32; n++) {
		good_req(&r, 200);
		r.len = n;
		expect_refused(c, &r, cap, VIRTIO_IPSEC_INVAL,
			       "truncated header/packet table");
	}
	good_req(&r, 200);
	r.len = 91;
	expect_refused(c, &r, cap, VIRTIO_IPSEC_INVAL,
		       "in_len beyond the request");
	good_req(&r, 200);
	r.len = 93;
	expect_refused(c, &r, cap, VIRTIO_IPSEC_INVAL,
		       "readable part longer than the packet inputs");
	good_req(&r, 200);
	put32(&r, HDR_NUM, 0);
	expect_refused(c, &r, cap, VIRTIO_IPSEC_INVAL, "num_pkts 0");
	good_req(&r, 200);
	put32(&r, HDR_NUM, 33);
	expect_refused(c, &r, cap, VIRTIO_IPSEC_INVAL, "num_pkts > max_batch");
	good_req(&r, 200);
	put32(&r, HDR_NUM, 0xffffffff);
	expect_refused(c, &r, cap, VIRTIO_IPSEC_INVAL, "num_pkts 2^32-1");
	good_req(&r, 200);
	put32(&r, HDR_NUM, 2);
	expect_refused(c, &r, cap, VIRTIO_IPSEC_INVAL,
		       "num_pkts beyond the packet table");
	good_req(&r, 200);
	r.buf[HDR_FLAGS] = 1;
	expect_refused(c, &r, cap, VIRTIO_IPSEC_INVAL, "non-zero flags");
	good_req(&r, 200);
	r.buf[HDR_RES + 7] = 1;
	expect_refused(c, &r, cap, VIRTIO_IPSEC_INVAL, "non-zero reserved");
	good_req(&r, 200);
	r.buf[0] = 0x82;
	expect_refused(c, &r, cap, VIRTIO_IPSEC_NOTSUPP, "unknown opcode");
	good_req(&r, 200);
	r.buf[0] = VIRTIO_IPSEC_OP_SA_ADD;
	expect_refused(c, &r, cap, VIRTIO_IPSEC_NOTSUPP,
		       "control opcode on a data queue");
	good_req(&r, 200);
	put32(&r, PKT0 + 8, 9001);
	expect_refused(c, &r, cap, VIRTIO_IPSEC_INVAL, "in_len > max_packet_len");
	good_req(&r, 200);
	put32(&r, PKT0 + 8, 0xffffffff);
	expect_refused(c, &r, cap, VIRTIO_IPSEC_INVAL, "in_len 2^32-1");
	good_req(&r, 9001);
	expect_refused(c, &r, 16 + 9001 + 8, VIRTIO_IPSEC_INVAL,
		       "out_cap > max_packet_len");
	good_req(&r, 200);
	expect_refused(c, &r, cap - 1, VIRTIO_IPSEC_INVAL,
		       "results + outputs + footer > resp_cap");
	good_req(&r, 200);
	expect_refused(c, &r, 8, VIRTIO_IPSEC_INVAL, "footer-only response");
	good_req(&r, 200);
	ck_assert_msg(run(c, &r, 7, &used) == 0xff && used == -1,
		      "resp_cap < footer must return -1, got %zd", used);
	ck_assert_msg(vpe_core_handle_data(c, r.buf, r.len, NULL, 0) == -1,
		      "NULL response must return -1");
	ck_assert_msg(seq_of(c) == 0, "a malformed request was processed");
	vpe_core_free(c);
}
END_TEST

/* Sum of in_len overflowing 32 bits must not wrap around. */
START_TEST(test_in_len_sum)
{
	struct vpe_core *c = core1();
	struct req r;
	uint32_t i;

	memset(&r, 0, sizeof(r));
	r.buf[0] = VIRTIO_IPSEC_OP_ENCAP;
	put32(&r, HDR_NUM, 32);
	for (i = 0; i < 32; i++) {
		put32(&r, PKT0 + i * 16 + 4, 1);
		put32(&r, PKT0 + i * 16 + 8, 9000);
		put32(&r, PKT0 + i * 16 + 12, 0);
	}
	r.len = 16 + 32 * 16 + 100;
	expect_refused(c, &r, 32 * 16 + 8, VIRTIO_IPSEC_INVAL,
		       "sum of in_len > remaining request bytes");
	vpe_core_free(c);
}
END_TEST

/* Per-packet statuses in one batch: others still get processed. */
START_TEST(test_batch_mixed)
{
	struct vpe_core *c = core1();
	uint8_t req[16 + 3 * 16 + 3 * 60], *resp;
	size_t cap = 3 * 16 + 3 * 200 + 8;
	uint32_t ids[3] = { 1, 9, 1 }, i, v;

	memset(req, 0, sizeof(req));
	req[0] = VIRTIO_IPSEC_OP_ENCAP;
	req[4] = 3;
	for (i = 0; i < 3; i++) {
		v = htole32(ids[i]);
		memcpy(req + 16 + i * 16 + 4, &v, 4);
		v = htole32(60);
		memcpy(req + 16 + i * 16 + 8, &v, 4);
		v = htole32(200);
		memcpy(req + 16 + i * 16 + 12, &v, 4);
		make_ipv4(req + 64 + i * 60, 60, 0, 0, i);
	}
	resp = malloc(cap);
	ck_assert(vpe_core_handle_data(c, req, sizeof(req), resp, cap) ==
		  (ssize_t)cap);
	ck_assert_msg(resp[cap - 8] == 0, "footer %u", resp[cap - 8]);
	ck_assert_msg(resp[0] == 0 && resp[16] == VIRTIO_IPSEC_INVSA &&
		      resp[32] == 0,
		      "batch statuses %u %u %u, want 0 INVSA 0", resp[0],
		      resp[16], resp[32]);
	ck_assert_msg(resp[48 + 400] == 0x45 && resp[48 + 200] == 0,
		      "third output not at its offset / failed one not zero");
	ck_assert_msg(resp[40] == 2, "third packet seq_lo %u, want 2",
		      resp[40]);
	free(resp);
	vpe_core_free(c);
}
END_TEST

START_TEST(test_ctrl_malformed)
{
	struct vpe_core *c = test_core();
	uint8_t req[16] = { VIRTIO_IPSEC_OP_GROUP_DESTROY, 0, 0, 0, 1 };
	uint8_t resp[8];
	size_t n;

	for (n = 0; n < 16; n++) {
		ck_assert(vpe_core_handle_ctrl(c, req, n, resp, 8) == 8);
		ck_assert_msg(resp[0] == VIRTIO_IPSEC_INVAL,
			      "ctrl header of %zu bytes: %u", n, resp[0]);
	}
	ck_assert_msg(vpe_core_handle_ctrl(c, req, 16, resp, 7) == -1,
		      "ctrl resp_cap < footer must return -1");
	req[2] = 1;
	vpe_core_handle_ctrl(c, req, 16, resp, 8);
	ck_assert_msg(resp[0] == VIRTIO_IPSEC_INVAL, "ctrl flags: %u", resp[0]);
	req[2] = 0;
	req[12] = 1;
	vpe_core_handle_ctrl(c, req, 16, resp, 8);
	ck_assert_msg(resp[0] == VIRTIO_IPSEC_INVAL, "ctrl reserved: %u",
		      resp[0]);
	ck_assert_msg(ctrl(c, 0x7f, 0, 0, NULL, 0) == VIRTIO_IPSEC_NOTSUPP,
		      "unknown control opcode");
	ck_assert_msg(ctrl(c, VIRTIO_IPSEC_OP_SA_MOD, 0, 1, NULL, 0) ==
		      VIRTIO_IPSEC_INVAL, "SA_MOD without a body");
	ck_assert_msg(ctrl(c, VIRTIO_IPSEC_OP_SA_GET, 0, 1, NULL, 0) ==
		      VIRTIO_IPSEC_INVAL, "SA_GET without a body");
	ck_assert_msg(ctrl(c, VIRTIO_IPSEC_OP_EVENT_LIMIT, 0, 0, NULL, 0) ==
		      VIRTIO_IPSEC_INVAL, "EVENT_LIMIT without a body");
	ck_assert_msg(ctrl(c, 0x16, 0, 0, NULL, 0) == VIRTIO_IPSEC_NOTSUPP,
		      "opcode after EVENT_LIMIT");
	ck_assert_msg(ctrl(c, VIRTIO_IPSEC_OP_SA_ADD, 0, 1, key, 16) ==
		      VIRTIO_IPSEC_INVAL, "truncated SA_ADD body");
	ck_assert_msg(ctrl(c, VIRTIO_IPSEC_OP_SA_DEL, 9, 1, NULL, 0) ==
		      VIRTIO_IPSEC_INVGROUP, "SA_DEL group out of range");
	ck_assert_msg(ctrl(c, VIRTIO_IPSEC_OP_SA_DEL, 0, 0xffffffff, NULL, 0) ==
		      VIRTIO_IPSEC_INVSA, "SA_DEL id out of range");
	vpe_core_free(c);
}
END_TEST

/* Random garbage must never crash or touch memory out of bounds. */
START_TEST(test_garbage)
{
	struct vpe_core *c = core1();
	struct req r;
	unsigned int seed = 12345, i;
	ssize_t used;

	for (i = 0; i < 2000; i++) {
		size_t j, cap = (size_t)(rand_r(&seed) % 600);

		r.len = (size_t)(rand_r(&seed) % 300);
		for (j = 0; j < r.len; j++)
			r.buf[j] = (uint8_t)rand_r(&seed);
		if (r.len >= 8) {
			r.buf[0] = 0x80 | (i & 1);
			r.buf[1] = r.buf[2] = r.buf[3] = 0;
			r.buf[4] = (uint8_t)(i % 4);
			r.buf[5] = r.buf[6] = r.buf[7] = 0;
		}
		run(c, &r, cap, &used);
		ck_assert_msg(used == (cap < 8 ? -1 : (ssize_t)cap),
			      "garbage request %u: used %zd cap %zu", i, used,
			      cap);
	}
	vpe_core_free(c);
}
END_TEST

Suite *decoder_suite(void)
{
	Suite *s = suite_create("decoder");
	TCase *tc = tcase_create("requests");

	tcase_add_test(tc, test_good_request);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_in_len_sum);
	tcase_add_test(tc, test_batch_mixed);
	tcase_add_test(tc, test_ctrl_malformed);
	tcase_add_test(tc, test_garbage);
	suite_add_tcase(s, tc);
	return s;
}
