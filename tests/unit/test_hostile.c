// SPDX-License-Identifier: BSD-3-Clause
/*
 * A hostile guest's control sequences against the decoder's state: ids
 * and groups reused after delete, flush and destroy, packets naming an SA
 * through the wrong group, and anti-replay at its smallest window. Each
 * case is what a guest could try to reach another SA (or a dead one).
 */
#include <check.h>
#include <endian.h>
#include <string.h>

#include "tests.h"

#define ENC VIRTIO_IPSEC_OP_ENCAP
#define DEC VIRTIO_IPSEC_OP_DECAP

static const uint8_t key_a[16] = "hostile-key-A...";
static const uint8_t key_b[16] = "hostile-key-B...";
static const uint8_t salt[4] = { 1, 2, 3, 4 };
static struct pkt_out o, o2;
static uint8_t pkt[256], wire[8][2000];
static uint32_t wire_len[8];

static uint8_t group_create(struct vpe_core *c, uint32_t gid)
{
	struct virtio_ipsec_group_create g;

	memset(&g, 0, sizeof(g));
	memcpy(g.name, "g", 1);
	return ctrl(c, VIRTIO_IPSEC_OP_GROUP_CREATE, gid, 0, &g, sizeof(g));
}

static void add(struct vpe_core *c, uint32_t gid, uint32_t id, uint8_t dir,
		const uint8_t *key, uint32_t window)
{
	uint8_t p[PARAMS_SIZE];

	test_params(p, dir, 0x3000 + id, key, 16, salt, window);
	ck_assert_msg(sa_add(c, gid, id, p) == VIRTIO_IPSEC_OK,
		      "SA_ADD group %u id %u", gid, id);
}

static void encap(struct vpe_core *c, uint32_t gid, uint32_t id,
		  struct pkt_out *out)
{
	make_ipv4(pkt, 60, 0, 0, 60);
	data1(c, ENC, gid, id, pkt, 60, 2000, out);
}

/* An id deleted and reused in another group answers only there. */
START_TEST(test_stale_id_other_group)
{
	struct vpe_core *c = test_core();

	ck_assert(group_create(c, 1) == VIRTIO_IPSEC_OK);
	add(c, 0, 5, VIRTIO_IPSEC_DIR_OUTBOUND, key_a, 0);
	encap(c, 0, 5, &o);
	ck_assert(o.status == VIRTIO_IPSEC_OK && o.seq == 1);
	ck_assert(ctrl(c, VIRTIO_IPSEC_OP_SA_DEL, 0, 5, NULL, 0) == 0);
	encap(c, 0, 5, &o);
	ck_assert_msg(o.status == VIRTIO_IPSEC_INVSA, "deleted SA used: %u",
		      o.status);
	add(c, 1, 5, VIRTIO_IPSEC_DIR_OUTBOUND, key_b, 0);
	encap(c, 0, 5, &o);
	ck_assert_msg(o.status == VIRTIO_IPSEC_INVSA,
		      "id 5 reached through its old group: %u", o.status);
	ck_assert_msg(ctrl(c, VIRTIO_IPSEC_OP_SA_DEL, 0, 5, NULL, 0) ==
		      VIRTIO_IPSEC_INVSA, "SA_DEL through the wrong group");
	encap(c, 1, 5, &o);
	ck_assert_msg(o.status == VIRTIO_IPSEC_OK && o.seq == 1,
		      "the new SA starts afresh: status %u seq %lu", o.status,
		      (unsigned long)o.seq);
	/* Group ids past max_groups and the unknown ones. */
	encap(c, 0xffffffff, 5, &o);
	ck_assert(o.status == VIRTIO_IPSEC_INVGROUP);
	encap(c, 2, 5, &o);
	ck_assert(o.status == VIRTIO_IPSEC_INVGROUP);
	vpe_core_free(c);
}
END_TEST

/*
 * SA_FLUSH empties one group only; a group with SAs cannot be destroyed;
 * a destroyed and re-created group has none of its old SAs.
 */
START_TEST(test_flush_destroy_recreate)
{
	struct vpe_core *c = test_core();

	ck_assert(group_create(c, 1) == VIRTIO_IPSEC_OK);
	ck_assert(group_create(c, 2) == VIRTIO_IPSEC_OK);
	add(c, 1, 1, VIRTIO_IPSEC_DIR_OUTBOUND, key_a, 0);
	add(c, 1, 2, VIRTIO_IPSEC_DIR_OUTBOUND, key_a, 0);
	add(c, 2, 3, VIRTIO_IPSEC_DIR_OUTBOUND, key_b, 0);
	ck_assert_msg(ctrl(c, VIRTIO_IPSEC_OP_GROUP_DESTROY, 1, 0, NULL, 0) ==
		      VIRTIO_IPSEC_BUSY, "group destroyed under its SAs");
	ck_assert(ctrl(c, VIRTIO_IPSEC_OP_SA_FLUSH, 1, 0, NULL, 0) == 0);
	encap(c, 1, 1, &o);
	ck_assert(o.status == VIRTIO_IPSEC_INVSA);
	encap(c, 2, 3, &o);
	ck_assert_msg(o.status == VIRTIO_IPSEC_OK,
		      "flush of group 1 reached group 2: %u", o.status);
	ck_assert(ctrl(c, VIRTIO_IPSEC_OP_GROUP_DESTROY, 1, 0, NULL, 0) == 0);
	encap(c, 1, 2, &o);
	ck_assert(o.status == VIRTIO_IPSEC_INVGROUP);
	ck_assert(group_create(c, 1) == VIRTIO_IPSEC_OK);
	encap(c, 1, 2, &o);
	ck_assert_msg(o.status == VIRTIO_IPSEC_INVSA,
		      "re-created group sees an old SA: %u", o.status);
	/* The ids are free again. */
	add(c, 1, 1, VIRTIO_IPSEC_DIR_OUTBOUND, key_b, 0);
	/* The new SA numbers from 1, whatever the old one had sent. */
	encap(c, 1, 1, &o);
	encap(c, 1, 1, &o2);
	ck_assert(o.status == VIRTIO_IPSEC_OK && o.seq == 1 && o2.seq == 2);
	vpe_core_free(c);
}
END_TEST

/* Window 1: only the newest number is acceptable, once. */
START_TEST(test_replay_window_one)
{
	struct vpe_core *c = test_core();
	uint8_t p[PARAMS_SIZE];
	int i;

	add(c, 0, 1, VIRTIO_IPSEC_DIR_OUTBOUND, key_a, 0);
	test_params(p, VIRTIO_IPSEC_DIR_INBOUND, 0x3001, key_a, 16, salt, 1);
	ck_assert(sa_add(c, 0, 2, p) == VIRTIO_IPSEC_OK);
	for (i = 0; i < 3; i++) {
		encap(c, 0, 1, &o);
		ck_assert(o.status == VIRTIO_IPSEC_OK);
		memcpy(wire[i], o.data, o.out_len);
		wire_len[i] = o.out_len;
	}
	data1(c, DEC, 0, 2, wire[1], wire_len[1], 2000, &o2);
	ck_assert_msg(o2.status == VIRTIO_IPSEC_OK, "seq 2: %u", o2.status);
	data1(c, DEC, 0, 2, wire[1], wire_len[1], 2000, &o2);
	ck_assert_msg(o2.status == VIRTIO_IPSEC_REPLAY, "seq 2 again: %u",
		      o2.status);
	data1(c, DEC, 0, 2, wire[0], wire_len[0], 2000, &o2);
	ck_assert_msg(o2.status == VIRTIO_IPSEC_LATE, "seq 1 behind a "
		      "window of 1: %u", o2.status);
	data1(c, DEC, 0, 2, wire[2], wire_len[2], 2000, &o2);
	ck_assert_msg(o2.status == VIRTIO_IPSEC_OK, "seq 3: %u", o2.status);
	/* A window of 0 with anti-replay is malformed. */
	test_params(p, VIRTIO_IPSEC_DIR_INBOUND, 0x3009, key_a, 16, salt, 0);
	p[offsetof(struct virtio_ipsec_sa_params, options)] =
		VIRTIO_IPSEC_SA_OPT_ANTI_REPLAY;
	ck_assert(sa_add(c, 0, 9, p) == VIRTIO_IPSEC_INVAL);
	vpe_core_free(c);
}
END_TEST

/* SA_GET: a max_sas of 2^32 - 1 is clamped to what the response holds. */
START_TEST(test_sa_get_huge_max)
{
	enum { HL = sizeof(struct virtio_ipsec_sa_get_resp),
	       EL = sizeof(struct virtio_ipsec_sa_entry) };
	static uint8_t req[sizeof(struct virtio_ipsec_ctrl_hdr) +
			   sizeof(struct virtio_ipsec_sa_get)];
	static uint8_t resp[HL + 2 * EL + 8 + 8];
	struct virtio_ipsec_ctrl_hdr h = {
		.opcode = htole16(VIRTIO_IPSEC_OP_SA_GET),
	};
	struct virtio_ipsec_sa_get g = {
		.op = htole32(VIRTIO_IPSEC_SA_GET_FIRST),
		.max_sas = htole32(0xffffffff),
	};
	struct virtio_ipsec_sa_get_resp *r = (void *)resp;
	struct virtio_ipsec_resp_footer *f;
	struct vpe_core *c = test_core();
	size_t cap = sizeof(resp) - 8;	/* 8 spare bytes past the end */
	uint32_t id;

	for (id = 1; id <= 3; id++)
		add(c, 0, id, VIRTIO_IPSEC_DIR_OUTBOUND, key_a, 0);
	memcpy(req, &h, sizeof(h));
	memcpy(req + sizeof(h), &g, sizeof(g));
	memset(resp, 0x5a, sizeof(resp));
	ck_assert(vpe_core_handle_ctrl(c, req, sizeof(req), resp, cap) ==
		  (ssize_t)cap);
	f = (void *)(resp + cap - sizeof(*f));
	ck_assert(f->status == VIRTIO_IPSEC_OK);
	ck_assert_msg(le32toh(r->count) == 2 && le32toh(r->more) == 1 &&
		      le32toh(f->out_len) == HL + 2 * EL,
		      "count %u more %u out_len %u", le32toh(r->count),
		      le32toh(r->more), le32toh(f->out_len));
	for (id = 0; id < 8; id++)
		ck_assert_msg(resp[cap + id] == 0x5a, "wrote past resp_cap");
	vpe_core_free(c);
}
END_TEST

Suite *hostile_suite(void)
{
	Suite *s = suite_create("hostile");
	TCase *tc = tcase_create("hostile");

	tcase_add_test(tc, test_stale_id_other_group);
	tcase_add_test(tc, test_flush_destroy_recreate);
	tcase_add_test(tc, test_replay_window_one);
	tcase_add_test(tc, test_sa_get_huge_max);
	suite_add_tcase(s, tc);
	return s;
}
