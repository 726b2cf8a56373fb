// SPDX-License-Identifier: BSD-3-Clause
/*
 * The outbound fast path (engine/vipsec_esp_out_fast.c) against the
 * general path (vpe_esp_out_fast_set(false)): the same packets, good and
 * bad, through two cores with the same SAs, one each way, must give the
 * same result fields, the same bytes in the whole output buffer
 * (AES-GCM's IV is the sequence number: deterministic) and the same SA
 * state after (sequence number, outer IPv4 id, counters, stopped). The
 * packets mix runs of SAs the fast path takes (AES-GCM 128/192/256,
 * DSCP/DF/ECN rules, path MTU, ESN, the end of the sequence space in the
 * middle of a run) with SAs it leaves to the general path (transport
 * mode, inbound), short and malformed inner packets, packets over the
 * MTU, outputs too small, and all three input forms (out of place, in
 * place after headroom, in place at the output).
 */
#include <endian.h>
#include <string.h>

#include "tests.h"
#include "vipsec_esp.h"
#include "vipsec_esp_out_fast.h"
#include "vipsec_sa.h"

#define NP  170 /* > 2 x VPE_ESP_BURST: chunk borders inside runs */
#define BSZ 2048
/* cap_of[]: the exact ESP packet size, or one byte less */
#define CAP_EXACT (UINT32_MAX - 1)
#define CAP_SHORT (UINT32_MAX - 2)

static const uint8_t key[32] = "fast-path-key-0123456789abcdefgh";
static const uint8_t salt[4] = { 1, 2, 3, 4 };

enum { SA_128 = 1, SA_256_SET, SA_TRANSPORT, SA_MTU, SA_END, SA_ESN_HI,
       SA_ESN_END, SA_192_ICV8, SA_INBOUND, NSA };

static uint8_t in[NP][BSZ], oa[NP][BSZ], ob[NP][BSZ];
static uint32_t in_len[NP], sa_of[NP], cap_of[NP], form_of[NP];

/* The same SAs, in the same order, in a fresh core. */
static struct vpe_core *fast_core(void)
{
	struct vpe_core *c = test_core();
	uint8_t p[PARAMS_SIZE];
	struct virtio_ipsec_sa_params *s = (void *)p;
	uint32_t id;

	for (id = 1; id < NSA; id++) {
		test_params(p,
			    id == SA_INBOUND ? VIRTIO_IPSEC_DIR_INBOUND :
					       VIRTIO_IPSEC_DIR_OUTBOUND,
			    0x100 + id, key,
			    id == SA_256_SET || id == SA_ESN_HI ? 32 :
			    id == SA_192_ICV8			? 24 :
								  16,
			    salt, 0);
		switch (id) {
		case SA_256_SET:
			s->dscp_mode = VIRTIO_IPSEC_HDR_SET;
			s->dscp = 46;
			s->df_mode = VIRTIO_IPSEC_HDR_SET;
			s->options |= htole32(VIRTIO_IPSEC_SA_OPT_ECN);
			break;
		case SA_TRANSPORT: s->mode = VIRTIO_IPSEC_MODE_TRANSPORT; break;
		case SA_MTU: s->path_mtu = htole16(603); break;
		case SA_END: s->initial_seq = htole64(0xfffffffaULL); break;
		case SA_ESN_HI:
			s->options |= htole32(VIRTIO_IPSEC_SA_OPT_ESN);
			s->initial_seq = htole64(0xfffffffcULL);
			s->df_mode = VIRTIO_IPSEC_HDR_CLEAR;
			break;
		case SA_ESN_END:
			s->options |= htole32(VIRTIO_IPSEC_SA_OPT_ESN);
			s->initial_seq = htole64(UINT64_MAX - 7);
			break;
		case SA_192_ICV8: s->icv_len = 8; break;
		}
		ck_assert_msg(sa_add(c, 0, id, p) == VIRTIO_IPSEC_OK,
			      "SA %u refused", id);
	}
	return c;
}

static struct vpe_sa *sa(struct vpe_core *c, uint32_t id)
{
	return vpe_sa_lookup(vpe_core_sadb(c), 0, id);
}

static void make_ipv6(uint8_t *p, uint32_t len, uint8_t tclass, uint32_t x)
{
	uint32_t i;

	memset(p, 0, 40);
	p[0] = (uint8_t)(0x60 | tclass >> 4);
	p[1] = (uint8_t)(tclass << 4);
	vpe_put_be16(p + 4, (uint16_t)(len - 40));
	p[6] = 59; /* no next header */
	p[7] = 64;
	p[8] = 0x20;
	p[23] = 1;
	p[24] = 0x20;
	p[39] = 2;
	for (i = 40; i < len; i++)
		p[i] = (uint8_t)(i * 7 + x);
}

/*
 * The packets: runs of SAs of varying length (the pattern below), sizes
 * that cover every pad length, inner IPv4 and IPv6, and the bad ones.
 * A burst goes the general way from its first run the fast path does not
 * take (SA_TRANSPORT, SA_INBOUND): those come after the cases the fast
 * path must get right, and again later, so that bursts of every size
 * here run each case through the fast path in one test or another.
 */
static void fill(void)
{
	static const uint8_t runs[][2] = {
		{ SA_128, 5 },	     { SA_256_SET, 3 },	  { SA_128, 3 },
		{ SA_MTU, 6 },	     { SA_END, 9 },	  { SA_ESN_HI, 7 },
		{ SA_ESN_END, 12 },  { SA_192_ICV8, 6 },  { SA_128, 40 },
		{ SA_TRANSPORT, 2 }, { SA_INBOUND, 2 },	  { SA_128, 26 },
		{ SA_256_SET, 20 },  { SA_TRANSPORT, 1 }, { SA_192_ICV8, 28 },
	};
	uint32_t i = 0, r, j;

	for (r = 0; r < sizeof(runs) / sizeof(runs[0]); r++)
		for (j = 0; j < runs[r][1]; j++, i++)
			sa_of[i] = runs[r][0];
	ck_assert_uint_eq(i, NP);
	for (i = 0; i < NP; i++) {
		in_len[i] = 20 + (i * 53) % 1000;
		form_of[i] = sa_of[i] == SA_TRANSPORT ? 0 : i % 3;
		if (i % 4 == 1) {
			in_len[i] += 40;
			make_ipv6(in[i], in_len[i], (uint8_t)(i * 5), i);
		} else {
			make_ipv4(in[i], in_len[i], (uint8_t)(i * 9), i & 2, i);
		}
		cap_of[i] = BSZ;
	}
	/* Indexes by the runs above: 11-16 SA_MTU, 17-25 SA_END, ... */
	in_len[3] = 10;		/* short: BADPKT */
	in_len[7] = 0;		/* empty: BADPKT */
	in[12][0] = 0x55;	/* version 5: BADPKT */
	in[14][3] ^= 1;		/* IPv4 total length wrong: BADPKT */
	in_len[11] = 546;	/* ESP packet 600 bytes: under 603, fits */
	make_ipv4(in[11], 546, 0, 1, 11);
	in_len[13] = 550;	/* 604 bytes: one over 603, MTU */
	make_ipv4(in[13], 550, 0, 1, 13);
	in_len[15] = 1400;	/* far over the MTU with DF: MTU */
	make_ipv4(in[15], 1400, 0, 1, 15);
	in_len[16] = 1200;	/* and without DF: MTU too */
	make_ipv4(in[16], 1200, 0, 0, 16);
	in[20][0] = 0x55;	/* SA_END: a bad one between numbered ones */
	in[24][0] = 0x55;	/* and one after the space ran out */
	in[29][5] ^= 1;		/* IPv6 payload length wrong: BADPKT */
	in[36][0] = 0x55;	/* SA_ESN_END: bad before the end ... */
	in_len[41] = 30;	/* ... and right after it: IHL 60 > 30 */
	make_ipv4(in[41], 30, 0, 0, 41);
	in[41][0] = 0x4f;
	cap_of[60] = 40;	/* DST_TOO_SMALL */
	cap_of[100] = 0;
	cap_of[61] = CAP_SHORT; /* one byte short: DST_TOO_SMALL */
	cap_of[62] = CAP_EXACT; /* exactly enough: sealed */
	cap_of[143] = CAP_EXACT;
	in_len[130] = 22;	/* tiny but whole */
	make_ipv4(in[130], 22, 0, 0, 130);
}

/* Packet i's vpe_esp_pkt in core c with output buffer o. */
static struct vpe_esp_pkt pkt(struct vpe_core *c, uint32_t i, uint8_t *o)
{
	struct vpe_sa *s = sa(c, sa_of[i]);
	uint32_t head = form_of[i] == 1 ? vpe_esp_encap_hdr_len(s) : 0;
	const uint8_t *src = in[i];

	uint32_t cap = cap_of[i];

	if (cap == CAP_EXACT || cap == CAP_SHORT)
		cap = vpe_esp_encap_len(s, in_len[i]) - (cap == CAP_SHORT);
	memset(o, 0xa5, BSZ);
	if (form_of[i]) {
		memcpy(o + head, in[i], in_len[i]);
		src = o + head;
	}
	return (struct vpe_esp_pkt){ s, src, in_len[i], o, cap };
}

static void check_same(struct vpe_core *a, struct vpe_core *b,
		       const struct vpe_esp_res *ra,
		       const struct vpe_esp_res *rb)
{
	uint32_t i, id, ok = 0, seq_over = 0, other = 0;

	for (i = 0; i < NP; i++) {
		ck_assert_msg(ra[i].status == rb[i].status &&
				      ra[i].out_len == rb[i].out_len &&
				      ra[i].seq == rb[i].seq,
			      "packet %u (SA %u, form %u): fast %u/%u/%llu, "
			      "general %u/%u/%llu",
			      i, sa_of[i], form_of[i], ra[i].status,
			      ra[i].out_len, (unsigned long long)ra[i].seq,
			      rb[i].status, rb[i].out_len,
			      (unsigned long long)rb[i].seq);
		ck_assert_msg(!memcmp(oa[i], ob[i], BSZ),
			      "packet %u (SA %u, form %u, status %u): the "
			      "output buffers differ",
			      i, sa_of[i], form_of[i], ra[i].status);
		ok += ra[i].status == VIRTIO_IPSEC_OK;
		seq_over += ra[i].status == VIRTIO_IPSEC_SEQ_OVERFLOW;
		other += ra[i].status != VIRTIO_IPSEC_OK &&
			 ra[i].status != VIRTIO_IPSEC_SEQ_OVERFLOW;
	}
	/* Every kind of outcome happened, so each was compared. */
	ck_assert_uint_gt(ok, 100);
	ck_assert_uint_gt(seq_over, 3);
	ck_assert_uint_gt(other, 10);
	for (id = 1; id < NSA; id++) {
		struct vpe_sa *x = sa(a, id), *y = sa(b, id);

		/* The outer id and count follow seq (vipsec_sa.h). */
		ck_assert_msg(x->seq == y->seq &&
				      vpe_sa_next_ip_id(x) == vpe_sa_next_ip_id(y) &&
				      vpe_sa_packets(x) == vpe_sa_packets(y) &&
				      x->bytes == y->bytes &&
				      x->stopped == y->stopped,
			      "SA %u: fast seq %llu id %u packets %llu bytes "
			      "%llu stopped %d, general %llu %u %llu %llu %d",
			      id, (unsigned long long)x->seq, vpe_sa_next_ip_id(x),
			      (unsigned long long)vpe_sa_packets(x),
			      (unsigned long long)x->bytes, x->stopped,
			      (unsigned long long)y->seq, vpe_sa_next_ip_id(y),
			      (unsigned long long)vpe_sa_packets(y),
			      (unsigned long long)y->bytes, y->stopped);
	}
}

/* Runs the packets in bursts of burst (NP: one call) both ways. */
static void fast_vs_general(unsigned int burst)
{
	struct vpe_core *a = fast_core(), *b = fast_core();
	static struct vpe_esp_pkt pa[NP], pb[NP];
	static struct vpe_esp_res ra[NP], rb[NP];
	uint32_t i, n;

	fill();
	/* The fast path runs here (ipsec-mb), or nowhere (kernel). */
	if (!strcmp(test_backend(), "ipsec-mb")) {
		ck_assert(vpe_esp_out_fast_ok(vpe_core_crypto(a),
					      sa(a, SA_128)));
		ck_assert(vpe_esp_out_fast_ok(vpe_core_crypto(a),
					      sa(a, SA_ESN_END)));
		ck_assert(!vpe_esp_out_fast_ok(vpe_core_crypto(a),
					       sa(a, SA_TRANSPORT)));
		ck_assert(!vpe_esp_out_fast_ok(vpe_core_crypto(a),
					       sa(a, SA_INBOUND)));
	}
	for (i = 0; i < NP; i++) {
		pa[i] = pkt(a, i, oa[i]);
		pb[i] = pkt(b, i, ob[i]);
	}
	for (i = 0; i < NP; i += n) {
		n = NP - i < burst ? NP - i : burst;
		vpe_esp_encap_burst(vpe_core_crypto(a), pa + i, n, ra + i);
		vpe_esp_out_fast_set(false);
		vpe_esp_encap_burst(vpe_core_crypto(b), pb + i, n, rb + i);
		vpe_esp_out_fast_set(true);
	}
	check_same(a, b, ra, rb);
	/* The cases the packets were made for, as the general path says. */
	ck_assert_int_eq(rb[3].status, VIRTIO_IPSEC_BADPKT);
	ck_assert_int_eq(rb[12].status, VIRTIO_IPSEC_BADPKT);
	ck_assert_int_eq(rb[14].status, VIRTIO_IPSEC_BADPKT);
	ck_assert_int_eq(rb[15].status, VIRTIO_IPSEC_MTU);
	ck_assert_uint_eq(rb[15].out_len, 603);
	ck_assert_int_eq(rb[11].status, VIRTIO_IPSEC_OK);
	ck_assert_uint_eq(rb[11].out_len, 600);
	ck_assert_int_eq(rb[13].status, VIRTIO_IPSEC_MTU);
	ck_assert_int_eq(rb[16].status, VIRTIO_IPSEC_MTU);
	ck_assert_int_eq(rb[20].status, VIRTIO_IPSEC_BADPKT);
	ck_assert_int_eq(rb[22].status, VIRTIO_IPSEC_OK);
	ck_assert_uint_eq(rb[22].seq, 0xffffffffULL);
	ck_assert_int_eq(rb[23].status, VIRTIO_IPSEC_SEQ_OVERFLOW);
	ck_assert_int_eq(rb[24].status, VIRTIO_IPSEC_SEQ_OVERFLOW);
	ck_assert_int_eq(rb[29].status, VIRTIO_IPSEC_BADPKT);
	ck_assert_uint_eq(rb[32].seq, 0x100000002ULL); /* 29 bad */
	ck_assert_uint_eq(rb[40].seq, UINT64_MAX);
	ck_assert_int_eq(rb[41].status, VIRTIO_IPSEC_BADPKT);
	ck_assert_int_eq(rb[42].status, VIRTIO_IPSEC_SEQ_OVERFLOW);
	ck_assert_int_eq(rb[93].status, VIRTIO_IPSEC_INVAL);
	ck_assert_int_eq(rb[91].status, VIRTIO_IPSEC_OK); /* transport */
	ck_assert_int_eq(rb[60].status, VIRTIO_IPSEC_DST_TOO_SMALL);
	ck_assert_int_eq(rb[100].status, VIRTIO_IPSEC_DST_TOO_SMALL);
	ck_assert_int_eq(rb[61].status, VIRTIO_IPSEC_DST_TOO_SMALL);
	ck_assert_int_eq(rb[62].status, VIRTIO_IPSEC_OK);
	ck_assert_int_eq(rb[143].status, VIRTIO_IPSEC_OK);
	ck_assert_int_eq(rb[130].status, VIRTIO_IPSEC_OK);
	ck_assert(sa(b, SA_END)->stopped && sa(b, SA_ESN_END)->stopped);
	ck_assert(!sa(b, SA_ESN_HI)->stopped);
	vpe_core_free(a);
	vpe_core_free(b);
}

START_TEST(test_fast_one_call)
{
	fast_vs_general(NP);
}
END_TEST

START_TEST(test_fast_bursts_of_32)
{
	fast_vs_general(32);
}
END_TEST

START_TEST(test_fast_bursts_of_7)
{
	fast_vs_general(7);
}
END_TEST

START_TEST(test_fast_one_by_one)
{
	fast_vs_general(1);
}
END_TEST

Suite *fast_out_suite(void)
{
	Suite *s = suite_create("fast-out");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_fast_one_call);
	tcase_add_test(tc, test_fast_bursts_of_32);
	tcase_add_test(tc, test_fast_bursts_of_7);
	tcase_add_test(tc, test_fast_one_by_one);
	suite_add_tcase(s, tc);
	return s;
}
