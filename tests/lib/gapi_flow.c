// SPDX-License-Identifier: BSD-3-Clause
/*
 * Seed 004's flow controls through the g-API: decapsulation without an SA
 * (lookup by SPI in the caller's group), a different SA per packet, an
 * outbound SA's path MTU (refuse, or fragment before IPsec), and disable
 * with drain before delete. Runs over the software accelerator on the
 * host and over the device in the guest.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gapi.h"

/* A group of the test's own, selected in *gh (lookup needs one). */
static void own_group(struct g_ipsec_la_handle *gh, const char *name)
{
	struct g_ipsec_la_create_group_inargs gi = { .group_identity = name };
	struct g_ipsec_la_create_group_outargs go;

	*gh = ga_h;
	ck_assert_int_eq(g_ipsec_la_create_group(&ga_h, &gi, 0, &go, NULL), 0);
	memcpy(gh->group_handle, go.group_handle, sizeof(gh->group_handle));
}

static void del(struct g_ipsec_la_handle *h, enum g_ipsec_la_sa_direction d,
		const struct g_ipsec_la_sa_handle *s)
{
	struct g_ipsec_la_sa_del_inargs in = { d, s };

	ck_assert_int_eq(g_ipsec_la_sa_del(h, &in, 0, NULL, NULL), 0);
}

START_TEST(decap_looks_up_by_spi)
{
	static uint8_t p[300], e[400], d[400];
	struct g_ipsec_la_sa_handle o1, i1, o2, i2, o0, i0;
	struct g_ipsec_la_handle gh;
	uint32_t el, dl;

	own_group(&gh, "flow-lookup");
	ck_assert_int_eq(ga_pair(&gh, 0x7101, &o1, &i1), 0);
	ck_assert_int_eq(ga_pair(&gh, 0x7102, &o2, &i2), 0);
	ga_packet(p, sizeof(p), 3);
	el = sizeof(e);
	ck_assert_int_eq(ga_xf(&gh, 1, &o2, p, sizeof(p), e, &el), 0);
	dl = sizeof(d);
	ck_assert_msg(ga_xf(&gh, 0, NULL, e, el, d, &dl) == 0 &&
			      dl == sizeof(p) && !memcmp(d, p, sizeof(p)),
		      "decap without an SA found SPI 0x7102's SA");
	/* the SA it found keeps its replay state: the same packet again */
	dl = sizeof(d);
	ck_assert_msg(ga_xf(&gh, 0, &i2, e, el, d, &dl) == -EALREADY,
		      "SPI 0x7102's inbound SA saw the packet");
	/* unknown SPI: no SA */
	el = sizeof(e);
	ck_assert_int_eq(ga_xf(&gh, 1, &o1, p, sizeof(p), e, &el), 0);
	e[20] ^= 0x40;	/* SPI 0x40007101 */
	dl = sizeof(d);
	ck_assert_msg(ga_xf(&gh, 0, NULL, e, el, d, &dl) == -ENOENT,
		      "unknown SPI: -ENOENT");
	/* not in the shared default group, and never for encap */
	ck_assert_int_eq(ga_pair(&ga_h, 0x7103, &o0, &i0), 0);
	el = sizeof(e);
	ck_assert_int_eq(ga_xf(&ga_h, 1, &o0, p, sizeof(p), e, &el), 0);
	dl = sizeof(d);
	ck_assert_msg(ga_xf(&ga_h, 0, NULL, e, el, d, &dl) == -EINVAL,
		      "lookup in the default group is refused");
	el = sizeof(e);
	ck_assert_msg(ga_xf(&gh, 1, NULL, p, sizeof(p), e, &el) == -EINVAL,
		      "encap needs its SA");
	del(&ga_h, G_IPSEC_LA_IPSEC_OUTBOUND, &o0);
	del(&ga_h, G_IPSEC_LA_IPSEC_INBOUND, &i0);
	del(&gh, G_IPSEC_LA_IPSEC_OUTBOUND, &o1);
	del(&gh, G_IPSEC_LA_IPSEC_INBOUND, &i1);
	del(&gh, G_IPSEC_LA_IPSEC_OUTBOUND, &o2);
	del(&gh, G_IPSEC_LA_IPSEC_INBOUND, &i2);
	ck_assert_int_eq(g_ipsec_la_delete_group(&gh), 0);
}
END_TEST

START_TEST(one_sa_per_packet)
{
	static uint8_t p[4][200], e[4][300], d[4][300];
	struct g_ipsec_la_data di[4], de[4], dd[4];
	struct g_ipsec_la_packet pin[4], pe[4], pd[4];
	struct g_ipsec_la_pkt_result r[4];
	struct g_ipsec_la_sa_handle o1, i1, o2, i2, bad;
	const struct g_ipsec_la_sa_handle *os[4] = { &o1, &o2, &o1, &o2 };
	const struct g_ipsec_la_sa_handle *is[4] = { &i1, NULL, NULL, &i2 };
	struct g_ipsec_la_handle gh;
	uint32_t k;

	own_group(&gh, "flow-multi");
	ck_assert_int_eq(ga_pair(&gh, 0x7201, &o1, &i1), 0);
	ck_assert_int_eq(ga_pair(&gh, 0x7202, &o2, &i2), 0);
	for (k = 0; k < 4; k++) {
		ga_packet(p[k], 200, (uint8_t)k);
		di[k] = (struct g_ipsec_la_data){ p[k], 200 };
		de[k] = (struct g_ipsec_la_data){ e[k], 300 };
		pin[k] = (struct g_ipsec_la_packet){ 1, &di[k] };
		pe[k] = (struct g_ipsec_la_packet){ 1, &de[k] };
	}
	ck_assert_int_eq(g_ipsec_la_multi_sa_packet_encap(&gh, 0, os, 4, pin,
							  pe, r, NULL),
			 4);
	for (k = 0; k < 4; k++)
		ck_assert_msg(r[k].result == 0 && r[k].seq_num == k / 2 + 1,
			      "packet %u: result %d, seq %u (each SA counts "
			      "its own)",
			      k, r[k].result, r[k].seq_num);
	ck_assert_msg(e[0][20] == 0 && e[0][23] == 0x01 && e[1][23] == 0x02,
		      "packets 0 and 1 carry SPIs 0x7201 and 0x7202");
	for (k = 0; k < 4; k++) {
		dd[k] = (struct g_ipsec_la_data){ d[k], 300 };
		pe[k].num_sg = 1;
		pd[k] = (struct g_ipsec_la_packet){ 1, &dd[k] };
	}
	ck_assert_int_eq(g_ipsec_la_multi_sa_packet_decap(&gh, 0, is, 4, pe,
							  pd, r, NULL),
			 4);
	for (k = 0; k < 4; k++)
		ck_assert_msg(r[k].result == 0 && dd[k].length == 200 &&
				      !memcmp(d[k], p[k], 200),
			      "decap of packet %u (SA given or looked up): %d",
			      k, r[k].result);
	/* A bad handle anywhere refuses the whole call */
	bad = o2;
	bad.ipsec_sa_handle[1] ^= 0x55;
	os[2] = &bad;
	ck_assert_int_eq(g_ipsec_la_multi_sa_packet_encap(&gh, 0, os, 4, pin,
							  pe, r, NULL),
			 -EINVAL);
	os[2] = NULL;
	ck_assert_msg(g_ipsec_la_multi_sa_packet_encap(&gh, 0, os, 4, pin, pe,
						       r, NULL) == -EINVAL,
		      "encap without an SA");
	ck_assert_int_eq(g_ipsec_la_multi_sa_packet_encap(&gh, 0, NULL, 4, pin,
							  pe, r, NULL),
			 -EINVAL);
	os[2] = &i1; /* inbound SA for encap */
	ck_assert_int_eq(g_ipsec_la_multi_sa_packet_encap(&gh, 0, os, 4, pin,
							  pe, r, NULL),
			 -EINVAL);
	del(&gh, G_IPSEC_LA_IPSEC_OUTBOUND, &o1);
	del(&gh, G_IPSEC_LA_IPSEC_INBOUND, &i1);
	del(&gh, G_IPSEC_LA_IPSEC_OUTBOUND, &o2);
	del(&gh, G_IPSEC_LA_IPSEC_INBOUND, &i2);
	ck_assert_int_eq(g_ipsec_la_delete_group(&gh), 0);
}
END_TEST

static int add_mtu(uint32_t spi, enum g_ipsec_la_sa_direction dir,
		   uint32_t mtu, uint32_t mode, struct g_ipsec_la_sa_handle *h)
{
	struct g_ipsec_la_sa sa;

	ga_sa(&sa, spi);
	sa.path_mtu = (uint16_t)mtu;
	sa.frag_mode = (uint8_t)mode;
	return ga_add(&ga_h, dir, &sa, h);
}

START_TEST(mtu_refuses_with_the_mtu)
{
	static uint8_t p[1400], e[1600];
	struct g_ipsec_la_sa_handle o, x;
	struct g_ipsec_la_sa sa;
	uint32_t el;

	ck_assert_msg(add_mtu(0x7301, G_IPSEC_LA_IPSEC_INBOUND, 1400, 0, &x) ==
			      -EINVAL,
		      "path MTU on an inbound SA");
	ck_assert_msg(add_mtu(0x7301, G_IPSEC_LA_IPSEC_OUTBOUND, 575, 0, &x) ==
			      -EINVAL,
		      "path MTU 575");
	ck_assert_msg(add_mtu(0x7301, G_IPSEC_LA_IPSEC_OUTBOUND, 0,
			      G_IPSEC_LA_FRAG_BEFORE, &x) == -EINVAL,
		      "a mode without an MTU");
	ck_assert_msg(add_mtu(0x7301, G_IPSEC_LA_IPSEC_OUTBOUND, 1400, 2, &x) ==
			      -EINVAL,
		      "mode 2");
	ga_sa(&sa, 0x7301);
	sa.path_mtu = 1400;
	sa.frag_reserved = 1;
	ck_assert_int_eq(ga_add(&ga_h, G_IPSEC_LA_IPSEC_OUTBOUND, &sa, &x),
			 -EINVAL);
	ck_assert_int_eq(add_mtu(0x7301, G_IPSEC_LA_IPSEC_OUTBOUND, 1000, 0, &o),
			 0);
	ga_packet(p, 900, 1);
	el = sizeof(e);
	ck_assert_msg(ga_xf(&ga_h, 1, &o, p, 900, e, &el) == 0 && el <= 1000,
		      "900 bytes fit an MTU of 1000 (ESP %u bytes)", el);
	ga_packet(p, 1200, 2);
	el = sizeof(e);
	ck_assert_msg(ga_xf(&ga_h, 1, &o, p, 1200, e, &el) == -EMSGSIZE,
		      "1200 bytes exceed an MTU of 1000");
	ck_assert_msg(el == 1000, "-EMSGSIZE carries the MTU: %u", el);
	/* FRAG_CHECK never fragments, DF clear or not (ga_packet: DF clear) */
	del(&ga_h, G_IPSEC_LA_IPSEC_OUTBOUND, &o);
}
END_TEST

/* Sets DF in a ga_packet() and fixes its header checksum. */
static void set_df(uint8_t *p)
{
	uint32_t sum = 0, k;

	p[6] |= 0x40;
	p[10] = p[11] = 0;
	for (k = 0; k < 20; k += 2)
		sum += (uint32_t)(p[k] << 8 | p[k + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	p[10] = (uint8_t)(~sum >> 8);
	p[11] = (uint8_t)~sum;
}

/* Walks back-to-back ESP packets; decaps each and reassembles. */
static uint32_t reassemble(const struct g_ipsec_la_sa_handle *i,
			   const uint8_t *out, uint32_t len, uint32_t mtu,
			   uint8_t *whole, uint32_t *whole_len)
{
	static uint8_t d[1600];
	uint32_t off = 0, n = 0, next = 0, tot, dl, fo, hl;
	int more = 1;

	while (off < len) {
		tot = (uint32_t)out[off + 2] << 8 | out[off + 3];
		ck_assert_msg(tot >= 20 && tot <= mtu && off + tot <= len,
			      "ESP packet %u: %u bytes at %u of %u", n, tot,
			      off, len);
		dl = sizeof(d);
		ck_assert_msg(ga_xf(&ga_h, 0, i, out + off, tot, d, &dl) == 0,
			      "fragment %u decapsulates", n);
		hl = (d[0] & 0xfu) * 4;
		fo = ((uint32_t)(d[6] & 0x1f) << 8 | d[7]) * 8;
		ck_assert_msg(fo == next, "fragment %u at %u, want %u", n, fo,
			      next);
		more = !!(d[6] & 0x20);
		memcpy(whole + hl + fo, d + hl, dl - hl);
		if (!n)
			memcpy(whole, d, hl);
		next = fo + dl - hl;
		off += tot;
		n++;
	}
	ck_assert_msg(!more, "the last fragment clears MF");
	*whole_len = next + (whole[0] & 0xfu) * 4;
	return n;
}

START_TEST(mtu_fragments_before_ipsec)
{
	static uint8_t p[3000], e[4000], w[4000];
	struct g_ipsec_la_data di = { p, 2500 }, de = { e, sizeof(e) };
	struct g_ipsec_la_packet pin = { 1, &di }, pe = { 1, &de };
	struct g_ipsec_la_sa_handle o, i;
	struct g_ipsec_la_pkt_result r;
	struct g_ipsec_la_sa sa;
	uint32_t n, wl, el;

	ga_sa(&sa, 0x7401);
	sa.path_mtu = 1000;
	sa.frag_mode = G_IPSEC_LA_FRAG_BEFORE;
	ck_assert_int_eq(ga_add(&ga_h, G_IPSEC_LA_IPSEC_OUTBOUND, &sa, &o), 0);
	ga_sa(&sa, 0x7401);
	sa.cmn_flags = G_IPSEC_LA_SA_DO_ANTI_REPLAY_CHECK;
	sa.u.inb.anti_replay_window_size = 64;
	ck_assert_int_eq(ga_add(&ga_h, G_IPSEC_LA_IPSEC_INBOUND, &sa, &i), 0);
	ga_packet(p, 2500, 9);
	ck_assert_int_eq(g_ipsec_la_multi_packet_encap(&ga_h, 0, &o, 1, &pin,
						       &pe, &r, NULL),
			 1);
	ck_assert_msg(r.result == 0 && (r.warnings & G_IPSEC_LA_WARN_FRAGMENTED),
		      "fragmented: result %d warnings 0x%x", r.result,
		      r.warnings);
	ck_assert_msg(r.seq_num == 3, "three sequence numbers: last %u",
		      r.seq_num);
	n = reassemble(&i, e, de.length, 1000, w, &wl);
	ck_assert_msg(n == 3, "2500 bytes in %u ESP packets", n);
	ck_assert_msg(wl == 2500 && !memcmp(w + 20, p + 20, 2480) &&
			      !memcmp(w + 12, p + 12, 8),
		      "reassembled %u bytes equal the packet", wl);
	/* DF set: -EMSGSIZE, no fragmenting */
	set_df(p);
	el = sizeof(e);
	ck_assert_msg(ga_xf(&ga_h, 1, &o, p, 2500, e, &el) == -EMSGSIZE &&
			      el == 1000,
		      "DF set: -EMSGSIZE with the MTU");
	/* The MTU can change (odp_ipsec_sa_mtu_update()) */
	{
		struct g_ipsec_la_sa_mod_inargs m = {
			.dir = G_IPSEC_LA_IPSEC_OUTBOUND, .handle = &o,
			.flags = G_IPSEC_LA_SA_MODIFY_MTU,
		};
		struct g_ipsec_la_sa_get_inargs gi = {
			.dir = G_IPSEC_LA_IPSEC_OUTBOUND, .handle = &o,
			.operation = G_IPSEC_LA_SA_GET_EXACT, .num_sas = 1,
			.flags = G_IPSEC_LA_SA_GET_PARAMS,
		};
		struct g_ipsec_la_sa_handle gh;
		struct g_ipsec_la_sa_get_outargs go = { .sa_params = &sa,
							.handles = &gh };

		m.u.mtu_info.path_mtu = 1500;
		ck_assert_int_eq(g_ipsec_la_sa_mod(&ga_h, &m, 0, NULL, NULL), 0);
		ga_packet(p, 1400, 4);
		set_df(p);
		el = sizeof(e);
		ck_assert_msg(ga_xf(&ga_h, 1, &o, p, 1400, e, &el) == 0,
			      "1400 bytes with DF fit the new MTU of 1500");
		ck_assert_int_eq(g_ipsec_la_sa_get(&ga_h, &gi, 0, &go, NULL), 0);
		ck_assert_msg(sa.path_mtu == 1500 &&
				      sa.frag_mode == G_IPSEC_LA_FRAG_CHECK,
			      "sa_get reads the new MTU back: %u mode %u",
			      sa.path_mtu, sa.frag_mode);
		m.u.mtu_info.path_mtu = 100;
		ck_assert_int_eq(g_ipsec_la_sa_mod(&ga_h, &m, 0, NULL, NULL),
				 -EINVAL);
		m.dir = G_IPSEC_LA_IPSEC_INBOUND;
		m.handle = &i;
		m.u.mtu_info.path_mtu = 1500;
		ck_assert_msg(g_ipsec_la_sa_mod(&ga_h, &m, 0, NULL, NULL) ==
				      -EINVAL,
			      "no MTU on an inbound SA");
	}
	del(&ga_h, G_IPSEC_LA_IPSEC_OUTBOUND, &o);
	del(&ga_h, G_IPSEC_LA_IPSEC_INBOUND, &i);
}
END_TEST

static int done;
static int32_t first_bad;

static void count_cb(void *arg, int32_t len, void *outargs)
{
	const struct g_ipsec_la_packet_outargs *o = outargs;
	uint32_t k;

	(void)arg;
	(void)len;
	for (k = 0; k < o->num_packets; k++)
		if (o->result || o->results[k].result)
			first_bad = o->result ? o->result : o->results[k].result;
	done++;
}

START_TEST(disable_drains_then_refuses)
{
	static uint8_t p[8][300], e[8][400], d[400];
	struct g_ipsec_la_data di[8], de[8];
	struct g_ipsec_la_packet pin[8], pe[8];
	struct g_ipsec_la_pkt_result r[8][8];
	struct g_ipsec_la_resp_args ra = { count_cb, NULL, 0 };
	struct g_ipsec_la_sa_mod_inargs m = {
		.dir = G_IPSEC_LA_IPSEC_OUTBOUND,
		.flags = G_IPSEC_LA_SA_MODIFY_DISABLE,
	};
	struct g_ipsec_la_sa_handle o, i, o2, i2;
	uint32_t k, el, dl;
	int b, n;

	ck_assert_int_eq(ga_pair(&ga_h, 0x7501, &o, &i), 0);
	m.handle = &o;
	for (k = 0; k < 8; k++) {
		ga_packet(p[k], 300, (uint8_t)k);
		di[k] = (struct g_ipsec_la_data){ p[k], 300 };
	}
	/* Eight asynchronous batches in flight, then disable */
	done = 0;
	first_bad = 0;
	for (b = 0; b < 8; b++) {
		for (k = 0; k < 8; k++) {
			de[k] = (struct g_ipsec_la_data){ e[k], 400 };
			pin[k] = (struct g_ipsec_la_packet){ 1, &di[k] };
			pe[k] = (struct g_ipsec_la_packet){ 1, &de[k] };
		}
		n = g_ipsec_la_multi_packet_encap(&ga_h,
						  G_IPSEC_LA_CTRL_FLAG_ASYNC,
						  &o, 8, pin, pe, r[b], &ra);
		ck_assert_int_eq(n, 8);
	}
	ck_assert_int_eq(g_ipsec_la_sa_mod(&ga_h, &m, 0, NULL, NULL), 0);
	for (k = 0; k < 500 && done < 8; k++)
		ck_assert(g_ipsec_la_poll(&ga_h, 20) >= 0);
	ck_assert_msg(done == 8 && first_bad == 0,
		      "every packet handed over before the disable succeeded "
		      "(%d batches, error %d)",
		      done, first_bad);
	/* From now on refused, with its own errno */
	el = sizeof(e[0]);
	ck_assert_msg(ga_xf(&ga_h, 1, &o, p[0], 300, e[0], &el) == -ESHUTDOWN,
		      "a disabled SA refuses packets");
	ck_assert_int_eq(g_ipsec_la_multi_packet_encap(&ga_h, 0, &o, 8, pin, pe,
						       r[0], NULL),
			 -ESHUTDOWN);
	/* Other SAs still work; disabling twice is harmless */
	ck_assert_int_eq(ga_pair(&ga_h, 0x7502, &o2, &i2), 0);
	el = sizeof(e[0]);
	ck_assert_int_eq(ga_xf(&ga_h, 1, &o2, p[1], 300, e[0], &el), 0);
	dl = sizeof(d);
	ck_assert_int_eq(ga_xf(&ga_h, 0, &i2, e[0], el, d, &dl), 0);
	ck_assert_int_eq(g_ipsec_la_sa_mod(&ga_h, &m, 0, NULL, NULL), 0);
	/* An inbound SA drains the same way */
	m.dir = G_IPSEC_LA_IPSEC_INBOUND;
	m.handle = &i2;
	el = sizeof(e[0]);
	ck_assert_int_eq(ga_xf(&ga_h, 1, &o2, p[2], 300, e[0], &el), 0);
	ck_assert_int_eq(g_ipsec_la_sa_mod(&ga_h, &m, 0, NULL, NULL), 0);
	dl = sizeof(d);
	ck_assert_int_eq(ga_xf(&ga_h, 0, &i2, e[0], el, d, &dl), -ESHUTDOWN);
	/* Deleting a disabled SA, as the drain promised */
	del(&ga_h, G_IPSEC_LA_IPSEC_OUTBOUND, &o);
	del(&ga_h, G_IPSEC_LA_IPSEC_INBOUND, &i);
	del(&ga_h, G_IPSEC_LA_IPSEC_OUTBOUND, &o2);
	del(&ga_h, G_IPSEC_LA_IPSEC_INBOUND, &i2);
}
END_TEST

static int ctrl_n;
static int32_t ctrl_res[4];

static void ctrl_cb(void *arg, int32_t len, void *outargs)
{
	(void)len;
	ctrl_res[*(int *)arg] = *(int32_t *)outargs; /* result comes first */
	ctrl_n++;
}

/*
 * Item 7: an ASYNC sa_mod/sa_del returns at once and completes through
 * g_ipsec_la_poll(), even a DISABLE that must wait for batches in flight.
 */
START_TEST(async_control_returns_at_once)
{
	static uint8_t p[8][300], e[8][400];
	struct g_ipsec_la_data di[8], de[8];
	struct g_ipsec_la_packet pin[8], pe[8];
	struct g_ipsec_la_pkt_result r[8][8];
	struct g_ipsec_la_resp_args rb = { count_cb, NULL, 0 };
	int tags[4] = { 0, 1, 2, 3 };
	struct g_ipsec_la_resp_args ra[4] = {
		{ ctrl_cb, &tags[0], sizeof(int) },
		{ ctrl_cb, &tags[1], sizeof(int) },
		{ ctrl_cb, &tags[2], sizeof(int) },
		{ ctrl_cb, &tags[3], sizeof(int) },
	};
	struct g_ipsec_la_sa_mod_inargs m = {
		.dir = G_IPSEC_LA_IPSEC_OUTBOUND,
		.flags = G_IPSEC_LA_SA_MODIFY_DISABLE,
	};
	struct g_ipsec_la_sa_handle o, i;
	struct g_ipsec_la_sa_del_inargs d = { G_IPSEC_LA_IPSEC_OUTBOUND, &o };
	uint32_t k, el;
	int b;

	ck_assert_int_eq(ga_pair(&ga_h, 0x7601, &o, &i), 0);
	m.handle = &o;
	done = 0;
	first_bad = 0;
	ctrl_n = 0;
	for (b = 0; b < 8; b++) {
		for (k = 0; k < 8; k++) {
			ga_packet(p[k], 300, (uint8_t)k);
			di[k] = (struct g_ipsec_la_data){ p[k], 300 };
			de[k] = (struct g_ipsec_la_data){ e[k], 400 };
			pin[k] = (struct g_ipsec_la_packet){ 1, &di[k] };
			pe[k] = (struct g_ipsec_la_packet){ 1, &de[k] };
		}
		ck_assert_int_eq(g_ipsec_la_multi_packet_encap(
					 &ga_h, G_IPSEC_LA_CTRL_FLAG_ASYNC, &o,
					 8, pin, pe, r[b], &rb),
				 8);
	}
	ck_assert_int_eq(g_ipsec_la_sa_mod(&ga_h, &m, G_IPSEC_LA_CTRL_FLAG_ASYNC,
					   NULL, &ra[0]),
			 0);
	ck_assert_msg(ctrl_n == 0, "no callback before poll (no hidden thread)");
	/* Two deletes queued behind it: the second finds the SA gone */
	ck_assert_int_eq(g_ipsec_la_sa_del(&ga_h, &d, G_IPSEC_LA_CTRL_FLAG_ASYNC,
					   NULL, &ra[1]),
			 0);
	ck_assert_int_eq(g_ipsec_la_sa_del(&ga_h, &d, G_IPSEC_LA_CTRL_FLAG_ASYNC,
					   NULL, &ra[2]),
			 0);
	for (k = 0; k < 1000 && (ctrl_n < 3 || done < 8); k++)
		ck_assert(g_ipsec_la_poll(&ga_h, 20) >= 0);
	ck_assert_msg(ctrl_n == 3 && done == 8, "%d control and %d batch "
		      "completions of 3 and 8", ctrl_n, done);
	ck_assert_msg(first_bad == 0, "a batch in flight failed: %d",
		      first_bad);
	ck_assert_msg(ctrl_res[0] == 0 && ctrl_res[1] == 0 &&
			      ctrl_res[2] == -ENOENT,
		      "results in order: disable %d, delete %d, delete again %d",
		      ctrl_res[0], ctrl_res[1], ctrl_res[2]);
	el = sizeof(e[0]);
	ck_assert_msg(ga_xf(&ga_h, 1, &o, p[0], 300, e[0], &el) == -ENOENT,
		      "the SA is gone");
	/* Errors the library sees are returned at once, without callback */
	ck_assert_int_eq(g_ipsec_la_sa_del(&ga_h, &d, G_IPSEC_LA_CTRL_FLAG_ASYNC,
					   NULL, &ra[3]),
			 -ENOENT);
	m.dir = G_IPSEC_LA_IPSEC_INBOUND;
	m.handle = &i;
	m.flags = G_IPSEC_LA_SA_MODIFY_MTU;
	m.u.mtu_info.path_mtu = 1400;
	ck_assert_int_eq(g_ipsec_la_sa_mod(&ga_h, &m, G_IPSEC_LA_CTRL_FLAG_ASYNC,
					   NULL, &ra[3]),
			 -EINVAL);
	ck_assert_int_eq(g_ipsec_la_poll(&ga_h, 0), 0);
	ck_assert_int_eq(ctrl_n, 3);
	d.dir = G_IPSEC_LA_IPSEC_INBOUND;
	d.handle = &i;
	ck_assert_int_eq(g_ipsec_la_sa_del(&ga_h, &d,
					   G_IPSEC_LA_CTRL_FLAG_NO_RESP_EXPECTED,
					   NULL, NULL),
			 0);
	for (k = 0; k < 100 && ga_count_sas(&ga_h, G_IPSEC_LA_IPSEC_INBOUND) > 0;
	     k++)
		g_ipsec_la_poll(&ga_h, 20);
	ck_assert_msg(ga_count_sas(&ga_h, G_IPSEC_LA_IPSEC_INBOUND) == 0,
		      "NO_RESP_EXPECTED delete took effect");
}
END_TEST

Suite *suite_gapi_flow(void)
{
	Suite *s = suite_create("gapi-flow");
	TCase *tc = tcase_create("flow");

	tcase_add_checked_fixture(tc, ga_setup, ga_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, decap_looks_up_by_spi);
	tcase_add_test(tc, one_sa_per_packet);
	tcase_add_test(tc, mtu_refuses_with_the_mtu);
	tcase_add_test(tc, mtu_fragments_before_ipsec);
	tcase_add_test(tc, disable_drains_then_refuses);
	tcase_add_test(tc, async_control_returns_at_once);
	suite_add_tcase(s, tc);
	return s;
}
