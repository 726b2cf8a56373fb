// SPDX-License-Identifier: BSD-3-Clause
/*
 * ESN state carried by SA_MOD/SA_GET for an inbound SA without a replay
 * window: the device infers a packet's high sequence half from the highest
 * number it authenticated (RFC 4303 Appendix A), so SA_MOD SEQ must move
 * that base and SA_GET must report it. This is what a driver relies on to
 * resume an SA (after a device reset) deep into the 64-bit space.
 */
#include <endian.h>
#include <string.h>

#include "tests.h"

static const uint8_t key[16] = { 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16,
				 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d,
				 0x1e, 0x1f };
static const uint8_t salt[4] = { 0xa1, 0xa2, 0xa3, 0xa4 };

#define OUT_ID	1
#define IN_ID	2
#define EPOCH	(5ULL << 32)	/* high half 5 */

static void add_pair(struct vpe_core *c)
{
	uint8_t p[PARAMS_SIZE];
	struct virtio_ipsec_sa_params *s = (void *)p;

	test_params(p, VIRTIO_IPSEC_DIR_OUTBOUND, 0x5e5, key, 16, salt, 0);
	s->options |= htole32(VIRTIO_IPSEC_SA_OPT_ESN);
	s->initial_seq = htole64(EPOCH + 9);	/* next packet: 5:10 */
	ck_assert_msg(sa_add(c, 0, OUT_ID, p) == VIRTIO_IPSEC_OK,
		      "outbound ESN SA refused");
	test_params(p, VIRTIO_IPSEC_DIR_INBOUND, 0x5e5, key, 16, salt, 0);
	s->options |= htole32(VIRTIO_IPSEC_SA_OPT_ESN);
	ck_assert_msg(sa_add(c, 0, IN_ID, p) == VIRTIO_IPSEC_OK,
		      "inbound ESN SA without a window refused");
}

static uint64_t sa_get_seq(struct vpe_core *c, uint32_t id)
{
	static uint8_t req[sizeof(struct virtio_ipsec_ctrl_hdr) +
			   sizeof(struct virtio_ipsec_sa_get)];
	static uint8_t resp[sizeof(struct virtio_ipsec_sa_get_resp) +
			    sizeof(struct virtio_ipsec_sa_entry) +
			    sizeof(struct virtio_ipsec_resp_footer)];
	struct virtio_ipsec_ctrl_hdr h = {
		.opcode = htole16(VIRTIO_IPSEC_OP_SA_GET),
		.sa_id = htole32(id),
	};
	struct virtio_ipsec_sa_get g = {
		.op = htole32(VIRTIO_IPSEC_SA_GET_EXACT),
		.max_sas = htole32(1),
	};
	struct virtio_ipsec_sa_entry e;

	memcpy(req, &h, sizeof(h));
	memcpy(req + sizeof(h), &g, sizeof(g));
	ck_assert_int_eq(vpe_core_handle_ctrl(c, req, sizeof(req), resp,
					      sizeof(resp)),
			 (ssize_t)sizeof(resp));
	ck_assert_msg(resp[sizeof(resp) - 8] == VIRTIO_IPSEC_OK, "SA_GET failed");
	memcpy(&e, resp + sizeof(struct virtio_ipsec_sa_get_resp), sizeof(e));
	return le64toh(e.seq);
}

START_TEST(test_sa_mod_seq_moves_esn_base)
{
	struct vpe_core *c = test_core();
	struct virtio_ipsec_sa_mod m;
	static struct pkt_out enc, dec;
	uint8_t inner[100];

	add_pair(c);
	make_ipv4(inner, sizeof(inner), 0, 1, 3);
	data1(c, VIRTIO_IPSEC_OP_ENCAP, 0, OUT_ID, inner, sizeof(inner),
	      2048, &enc);
	ck_assert_msg(enc.status == VIRTIO_IPSEC_OK && enc.seq == EPOCH + 10,
		      "encap at 5:10: status %u seq %#llx", enc.status,
		      (unsigned long long)enc.seq);

	/* A fresh inbound SA starts in epoch 0: the ICV (with hi 5) fails. */
	data1(c, VIRTIO_IPSEC_OP_DECAP, 0, IN_ID, enc.data, enc.out_len,
	      2048, &dec);
	ck_assert_msg(dec.status == VIRTIO_IPSEC_BADMSG,
		      "decap before SA_MOD: status %u, want BADMSG (wrong epoch)",
		      dec.status);

	/* Resume: the peer had authenticated up to 5:3. */
	memset(&m, 0, sizeof(m));
	m.flags = htole32(VIRTIO_IPSEC_SA_MOD_SEQ);
	m.seq = htole64(EPOCH + 3);
	ck_assert_msg(ctrl(c, VIRTIO_IPSEC_OP_SA_MOD, 0, IN_ID, &m, sizeof(m)) ==
		      VIRTIO_IPSEC_OK, "SA_MOD SEQ on inbound ESN SA");
	ck_assert_msg(sa_get_seq(c, IN_ID) == EPOCH + 3,
		      "SA_GET reports %#llx after SA_MOD, want 5:3",
		      (unsigned long long)sa_get_seq(c, IN_ID));

	data1(c, VIRTIO_IPSEC_OP_DECAP, 0, IN_ID, enc.data, enc.out_len,
	      2048, &dec);
	ck_assert_msg(dec.status == VIRTIO_IPSEC_OK && dec.seq == EPOCH + 10 &&
		      dec.out_len == sizeof(inner) &&
		      !memcmp(dec.data, inner, sizeof(inner)),
		      "decap after SA_MOD: status %u seq %#llx", dec.status,
		      (unsigned long long)dec.seq);
	ck_assert_msg(sa_get_seq(c, IN_ID) == EPOCH + 10,
		      "SA_GET does not follow the authenticated packet");
	vpe_core_free(c);
}
END_TEST

Suite *esn_resume_suite(void)
{
	Suite *s = suite_create("esn-resume");
	TCase *t = tcase_create("sa-mod");

	tcase_add_test(t, test_sa_mod_seq_moves_esn_base);
	suite_add_tcase(s, t);
	return s;
}
