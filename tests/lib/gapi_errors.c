// SPDX-License-Identifier: BSD-3-Clause
/*
 * Errors a developer can act on (issue 11, item 10), on both accelerators:
 * -EMSGSIZE for a result that can never fit (never an -ENOSPC a retry
 * cannot cure), the same limits on the host as in the VM, words for every
 * status (g_ipsec_la_strerror), the field or limit behind a failure
 * (g_ipsec_la_last_error), the worst-case overhead that sizes an output
 * exactly (g_ipsec_la_sa_overhead), output in the input's buffer, and
 * -EEXIST only where sa_add(3) promises it.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/virtio_ipsec_status.h>

#include "gapi.h"

/* The QEMU device's default max-packet-len (VIRTIO_IPSEC_DEFAULT_*). */
#define GA_DEVICE_DEFAULT_MAX_PACKET_LEN 9216u

static void ga_last(struct g_ipsec_la_error_info *e)
{
	memset(e, 0xa5, sizeof(*e));
	ck_assert_int_eq(g_ipsec_la_last_error(e), 0);
}

/* AES-GCM-128 tunnel IPv4 (ga_sa): 20 + 8 + 8 IV + 3 pad + 2 + 16 ICV. */
START_TEST(overhead_matches_real_encapsulations)
{
	static const uint32_t base[] = { 64, 1000, 1400 };
	struct g_ipsec_la_sa_handle o;
	struct g_ipsec_la_sa sa;
	uint8_t p[1500], e[1600];
	uint32_t ov, len, b, k, worst = 0;
	struct g_ipsec_la_data din, dout;

	ga_sa(&sa, 0x6001);
	ck_assert_int_eq(g_ipsec_la_sa_overhead(&sa, &ov), 0);
	ck_assert_msg(ov == 57, "AES-GCM tunnel IPv4 overhead: %u, want 57", ov);
	ck_assert_int_eq(ga_add(&ga_h, G_IPSEC_LA_IPSEC_OUTBOUND, &sa, &o), 0);
	/* one padding cycle (4-byte block) from each base length */
	for (b = 0; b < sizeof(base) / sizeof(base[0]); b++)
		for (k = 0; k < 4; k++) {
			len = base[b] + k;
			ga_packet(p, (uint16_t)len, (uint8_t)k);
			din = (struct g_ipsec_la_data){ p, len };
			/* exactly len + overhead: must always suffice */
			dout = (struct g_ipsec_la_data){ e, len + ov };
			ck_assert_msg(g_ipsec_la_packet_encap(&ga_h, 0, &o, 1, &din,
							      &dout, NULL) == 0,
				      "capacity in + overhead (%u + %u) refused",
				      len, ov);
			ck_assert_msg(dout.length <= len + ov,
				      "%u-byte packet grew by %u > overhead %u",
				      len, dout.length - len, ov);
			if (dout.length - len > worst)
				worst = dout.length - len;
		}
	ck_assert_msg(worst == ov, "overhead %u is not tight: worst seen %u", ov,
		      worst);

	/* UDP encapsulation adds its 8 bytes; IPv6 tunnel 20 more */
	sa.cmn_flags = G_IPSEC_LA_SA_DO_UDP_ENCAP_FOR_NAT_TRAVERSAL;
	sa.nat_info.src_port = 4500;
	sa.nat_info.dest_port = 4500;
	ck_assert_int_eq(g_ipsec_la_sa_overhead(&sa, &ov), 0);
	ck_assert_msg(ov == 65, "with NAT-T: %u, want 65", ov);
	ga_sa(&sa, 0x6002);
	sa.te_addr.src_ip.version = 6;
	sa.te_addr.dest_ip.version = 6;
	ck_assert_int_eq(g_ipsec_la_sa_overhead(&sa, &ov), 0);
	ck_assert_msg(ov == 77, "IPv6 tunnel: %u, want 77", ov);
	/* transport: the packet's own header stays, none is added */
	ga_sa(&sa, 0x6003);
	sa.cmn_flags = G_IPSEC_LA_SA_ENCAP_TRANSPORT_MODE;
	ck_assert_int_eq(g_ipsec_la_sa_overhead(&sa, &ov), 0);
	ck_assert_msg(ov == 37, "transport: %u, want 37", ov);
}
END_TEST

START_TEST(overhead_bad_input)
{
	struct g_ipsec_la_error_info e;
	struct g_ipsec_la_sa sa;
	uint32_t ov = 7;

	ga_sa(&sa, 0x6011);
	ck_assert_int_eq(g_ipsec_la_sa_overhead(NULL, &ov), -EINVAL);
	ck_assert_int_eq(g_ipsec_la_sa_overhead(&sa, NULL), -EINVAL);
	sa.crypto_params.comb_key_len_bits = 100; /* not key || salt */
	ck_assert_int_eq(g_ipsec_la_sa_overhead(&sa, &ov), -EINVAL);
	ck_assert_msg(ov == 7, "nothing written on failure");
	ga_last(&e);
	ck_assert_msg(e.result == -EINVAL && e.func &&
			      !strcmp(e.func, "g_ipsec_la_sa_overhead") &&
			      e.field && strstr(e.field, "comb_key_len_bits") &&
			      e.value == 100,
		      "the reason names comb_key_len_bits=100 (got %s, %s, %llu)",
		      e.func ? e.func : "-", e.field ? e.field : "-",
		      (unsigned long long)e.value);
	ga_sa(&sa, 0x6012);
	sa.proto = G_IPSEC_LA_PROTO_AH;
	ck_assert_int_eq(g_ipsec_la_sa_overhead(&sa, &ov), -EOPNOTSUPP);
}
END_TEST

/* Output in the input's own buffer, both ways. */
START_TEST(in_place_round_trip)
{
	struct g_ipsec_la_sa_handle o, i;
	uint8_t buf[600], orig[500];
	struct g_ipsec_la_data din, dout;
	uint32_t ov;
	struct g_ipsec_la_sa sa;

	ga_sa(&sa, 0x6021);
	ck_assert_int_eq(g_ipsec_la_sa_overhead(&sa, &ov), 0);
	ck_assert_int_eq(ga_pair(&ga_h, 0x6021, &o, &i), 0);
	ga_packet(orig, sizeof(orig), 9);
	memcpy(buf, orig, sizeof(orig));
	din = (struct g_ipsec_la_data){ buf, sizeof(orig) };
	dout = (struct g_ipsec_la_data){ buf, sizeof(orig) + ov };
	ck_assert_int_eq(g_ipsec_la_packet_encap(&ga_h, 0, &o, 1, &din, &dout,
						 NULL),
			 0);
	ck_assert_msg(dout.length > sizeof(orig) && buf[9] == 50,
		      "encapsulated in place (%u bytes, protocol %u)",
		      dout.length, buf[9]);
	din = (struct g_ipsec_la_data){ buf, dout.length };
	dout = (struct g_ipsec_la_data){ buf, sizeof(buf) };
	ck_assert_int_eq(g_ipsec_la_packet_decap(&ga_h, 0, &i, 1, &din, &dout,
						 NULL),
			 0);
	ck_assert_msg(dout.length == sizeof(orig) &&
			      !memcmp(buf, orig, sizeof(orig)),
		      "decapsulated in place gives back the packet");
}
END_TEST

/*
 * A 9,200-byte packet under the device's 9,216 limit: its ESP result
 * (9,257 bytes at most) can never fit, whatever the capacity; the
 * library must say -EMSGSIZE, also when retried with the size reported.
 */
START_TEST(result_over_max_is_emsgsize)
{
	const uint32_t max = ga_caps.caps.max_packet_len;
	struct g_ipsec_la_error_info e;
	struct g_ipsec_la_sa_handle o;
	struct g_ipsec_la_pkt_result r[2];
	struct g_ipsec_la_packet mi[2], mo[2];
	struct g_ipsec_la_data din, dout, md_in[2], md_out[2];
	struct g_ipsec_la_sa sa;
	uint32_t len, ov, need;
	uint8_t *p, *out;

	ck_assert_msg(max >= 1500 && max <= 65535, "max_packet_len %u", max);
	p = calloc(1, 65536 + 128);
	out = calloc(1, 65536 + 256);
	ck_assert(p && out);
	ga_sa(&sa, 0x6031);
	ck_assert_int_eq(g_ipsec_la_sa_overhead(&sa, &ov), 0);
	ck_assert_int_eq(ga_add(&ga_h, G_IPSEC_LA_IPSEC_OUTBOUND, &sa, &o), 0);

	/* the largest packet whose result surely fits: encapsulated */
	len = max - ov;
	ga_packet(p, (uint16_t)len, 1);
	din = (struct g_ipsec_la_data){ p, len };
	dout = (struct g_ipsec_la_data){ out, max };
	ck_assert_msg(g_ipsec_la_packet_encap(&ga_h, 0, &o, 1, &din, &dout,
					      NULL) == 0,
		      "%u bytes + overhead %u = max_packet_len %u must fit", len,
		      ov, max);

	/* a result above max: -EMSGSIZE with the size, at any capacity */
	len = max - 16;
	ga_packet(p, (uint16_t)len, 2);
	din = (struct g_ipsec_la_data){ p, len };
	dout = (struct g_ipsec_la_data){ out, max + 200 };
	ck_assert_int_eq(g_ipsec_la_packet_encap(&ga_h, 0, &o, 1, &din, &dout,
						 NULL),
			 -EMSGSIZE);
	need = dout.length;
	ck_assert_msg(need > max && need <= len + ov,
		      "-EMSGSIZE reports the result's size %u (max %u)", need,
		      max);
	ga_last(&e);
	ck_assert_msg(e.result == -EMSGSIZE && e.field &&
			      strstr(e.field, "max_packet_len") &&
			      e.limit == max && e.value == need &&
			      !strcmp(e.func, "g_ipsec_la_packet_encap"),
		      "reason: result %u over max_packet_len %u (got %d %s %llu "
		      "%llu)",
		      need, max, e.result, e.field ? e.field : "-",
		      (unsigned long long)e.value, (unsigned long long)e.limit);
	dout = (struct g_ipsec_la_data){ out, need };
	ck_assert_msg(g_ipsec_la_packet_encap(&ga_h, 0, &o, 1, &din, &dout,
					      NULL) == -EMSGSIZE,
		      "retry with the size reported: still -EMSGSIZE, never "
		      "-ENOSPC");
	dout = (struct g_ipsec_la_data){ out, 100 };
	ck_assert_msg(g_ipsec_la_packet_encap(&ga_h, 0, &o, 1, &din, &dout,
					      NULL) == -EMSGSIZE,
		      "small capacity: -EMSGSIZE, more room would not help");

	/* the input itself over max: -EMSGSIZE before the device */
	din = (struct g_ipsec_la_data){ p, max + 1 };
	dout = (struct g_ipsec_la_data){ out, max };
	ga_packet(p, (uint16_t)(max + 1), 3);
	ck_assert_int_eq(g_ipsec_la_packet_encap(&ga_h, 0, &o, 1, &din, &dout,
						 NULL),
			 -EMSGSIZE);
	ga_last(&e);
	ck_assert_msg(e.value == max + 1 && e.limit == max,
		      "input length %llu over %llu", (unsigned long long)e.value,
		      (unsigned long long)e.limit);

	/* multi-packet: per packet, a good one next to an oversized one */
	ga_packet(p, 300, 4);
	md_in[0] = (struct g_ipsec_la_data){ p, 300 };
	md_out[0] = (struct g_ipsec_la_data){ out, 400 };
	ga_packet(out + 400, (uint16_t)(max - 16), 5);
	md_in[1] = (struct g_ipsec_la_data){ out + 400, max - 16 };
	md_out[1] = (struct g_ipsec_la_data){ p + 400, max };
	mi[0] = (struct g_ipsec_la_packet){ 1, &md_in[0] };
	mi[1] = (struct g_ipsec_la_packet){ 1, &md_in[1] };
	mo[0] = (struct g_ipsec_la_packet){ 1, &md_out[0] };
	mo[1] = (struct g_ipsec_la_packet){ 1, &md_out[1] };
	ck_assert_int_eq(g_ipsec_la_multi_packet_encap(&ga_h, 0, &o, 2, mi, mo,
						       r, NULL),
			 2);
	ck_assert_msg(r[0].result == 0 && r[1].result == -EMSGSIZE &&
			      r[1].out_len > max,
		      "per packet: %d, %d (out_len %u)", r[0].result,
		      r[1].result, r[1].out_len);
	ga_last(&e);
	ck_assert_msg(e.result == -EMSGSIZE && e.index == 1,
		      "the reason names packet 1 (%u)", e.index);
	free(p);
	free(out);
}
END_TEST

/* A short output area is still -ENOSPC, with capacity and size needed. */
START_TEST(short_output_is_enospc_with_reason)
{
	struct g_ipsec_la_error_info e;
	struct g_ipsec_la_sa_handle o;
	struct g_ipsec_la_sa sa;
	uint8_t p[500], out[600];
	struct g_ipsec_la_data din = { p, sizeof(p) }, dout = { out, 64 };

	ga_sa(&sa, 0x6041);
	ck_assert_int_eq(ga_add(&ga_h, G_IPSEC_LA_IPSEC_OUTBOUND, &sa, &o), 0);
	ga_packet(p, sizeof(p), 1);
	ck_assert_int_eq(g_ipsec_la_packet_encap(&ga_h, 0, &o, 1, &din, &dout,
						 NULL),
			 -ENOSPC);
	ga_last(&e);
	ck_assert_msg(e.result == -ENOSPC && e.value == 64 &&
			      e.limit == dout.length && e.field &&
			      strstr(e.field, "out_data"),
		      "reason: capacity 64 below %u (got %llu, %llu)",
		      dout.length, (unsigned long long)e.value,
		      (unsigned long long)e.limit);
	dout = (struct g_ipsec_la_data){ out, dout.length };
	ck_assert_msg(g_ipsec_la_packet_encap(&ga_h, 0, &o, 1, &din, &dout,
					      NULL) == 0,
		      "a retry with the size reported succeeds");
}
END_TEST

/* Host and VM agree: the software accelerator has the device's limits. */
START_TEST(software_limits_are_the_devices)
{
	struct g_ipsec_cap_get_outargs sw;
	struct g_ipsec_la_handle h;
	const struct g_ipsec_la_capabilities *d = &ga_caps.caps;

	ck_assert_int_eq(ga_open(G_IPSEC_LA_INSTANCE_SHARED, "limits", &h), 0);
	if (ga_accl) { /* host: the software accelerator is ga_h itself */
		ck_assert_msg(d->max_packet_len ==
				      GA_DEVICE_DEFAULT_MAX_PACKET_LEN,
			      "software max_packet_len %u, the device's default "
			      "is %u",
			      d->max_packet_len,
			      GA_DEVICE_DEFAULT_MAX_PACKET_LEN);
		ck_assert_int_eq(g_ipsec_la_close(&h), 0);
		return;
	}
	/* guest: the device (default properties) next to the software one */
	ck_assert_int_eq(g_ipsec_la_close(&h), 0);
	{
		struct g_ipsec_la_open_inargs in = {
			.accl_name = G_IPSEC_LA_SOFTWARE_NAME,
			.app_identity = "limits",
		};
		struct g_ipsec_la_open_outargs out;

		ck_assert_int_eq(g_ipsec_la_open(G_IPSEC_LA_INSTANCE_SHARED,
						 &in, &out),
				 0);
		h = out.handle;
	}
	ck_assert_int_eq(g_ipsec_la_capabilities_get(&h, 0, &sw, NULL), 0);
	ck_assert_msg(sw.caps.max_packet_len == d->max_packet_len &&
			      sw.caps.max_batch == d->max_batch &&
			      sw.caps.max_replay_window ==
				      d->max_replay_window &&
			      sw.caps.max_sas == d->max_sas &&
			      sw.caps.max_groups == d->max_groups,
		      "software vs device: packet %u/%u batch %u/%u window "
		      "%u/%u SAs %u/%u groups %u/%u",
		      sw.caps.max_packet_len, d->max_packet_len,
		      sw.caps.max_batch, d->max_batch,
		      sw.caps.max_replay_window, d->max_replay_window,
		      sw.caps.max_sas, d->max_sas, sw.caps.max_groups,
		      d->max_groups);
	ck_assert_int_eq(g_ipsec_la_close(&h), 0);
}
END_TEST

/* Words for every status of the one table, and every documented errno. */
START_TEST(strerror_every_status)
{
#define GA_ROW(name, value, err, msg) { #name, err, msg },
	static const struct {
		const char *name;
		int err;
		const char *msg;
	} rows[] = { VIPSEC_STATUS_TABLE(GA_ROW) };
#undef GA_ROW
	unsigned int i, j, shared;
	const char *m;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		m = g_ipsec_la_strerror(-rows[i].err);
		ck_assert_msg(m && *m && strncmp(m, "unknown error", 13),
			      "status %s (errno %d): '%s'", rows[i].name,
			      rows[i].err, m ? m : "(null)");
		for (shared = 0, j = 0; j < sizeof(rows) / sizeof(rows[0]); j++)
			shared += rows[j].err == rows[i].err;
		/*
		 * one status per errno: the table's own words (not EMSGSIZE,
		 * which the library also gives for max_packet_len)
		 */
		if (shared == 1 && rows[i].err != EINVAL &&
		    rows[i].err != EMSGSIZE)
			ck_assert_msg(!strcmp(m, rows[i].msg),
				      "%s: '%s', the status table says '%s'",
				      rows[i].name, m, rows[i].msg);
		ck_assert_str_eq(g_ipsec_la_strerror(rows[i].err), m);
	}
	ck_assert_msg(strstr(g_ipsec_la_strerror(-EALREADY), "replay"),
		      "-EALREADY: '%s'", g_ipsec_la_strerror(-EALREADY));
	ck_assert_msg(strstr(g_ipsec_la_strerror(-ERANGE), "window"),
		      "-ERANGE: '%s'", g_ipsec_la_strerror(-ERANGE));
	ck_assert_msg(strstr(g_ipsec_la_strerror(-EMSGSIZE), "max_packet_len"),
		      "-EMSGSIZE: '%s'", g_ipsec_la_strerror(-EMSGSIZE));
	ck_assert_str_eq(g_ipsec_la_strerror(0), "success");
	ck_assert_msg(strstr(g_ipsec_la_strerror(-4000), "4000") != NULL,
		      "an unknown value says which: '%s'",
		      g_ipsec_la_strerror(-4000));
	ck_assert_ptr_nonnull(g_ipsec_la_strerror(INT32_MIN));
}
END_TEST

#ifdef GLA_HDR_DIR
/* Host only (reads the header): every errno g_ipsec_la.h documents. */
START_TEST(strerror_every_documented_errno)
{
	static const struct {
		const char *name;
		int err;
	} known[] = {
#define E(x) { #x, x }
		E(EINVAL),	E(ENOENT),    E(ENOSPC),	  E(EMSGSIZE),
		E(ENODEV),	E(EAGAIN),    E(EDQUOT),	  E(EMFILE),
		E(ENOMEM),	E(EIO),	      E(EBADMSG),	  E(EOPNOTSUPP),
		E(EKEYREJECTED), E(EALREADY), E(EKEYEXPIRED), E(EOVERFLOW),
		E(EPROTO),	E(EPROTONOSUPPORT), E(ERANGE),	  E(EEXIST),
		E(EBUSY),	E(EACCES),    E(EPERM),		  E(ETIMEDOUT),
		E(EFAULT),	E(E2BIG),     E(EINTR),		  E(EAFNOSUPPORT), E(ESHUTDOWN),
#undef E
	};
	char line[512], name[32], *s;
	unsigned int i, n = 0;
	FILE *f = fopen(GLA_HDR_DIR "/g_ipsec_la.h", "r");
	const char *m;

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f)) {
		for (s = strstr(line, "-E"); s; s = strstr(s + 1, "-E")) {
			/* "Not-ECT" is a word, not an errno */
			if (s > line && isalpha((unsigned char)s[-1]))
				continue;
			if (sscanf(s + 1, "%31[A-Z0-9]", name) != 1)
				continue;
			for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
				if (!strcmp(known[i].name, name))
					break;
			ck_assert_msg(i < sizeof(known) / sizeof(known[0]),
				      "g_ipsec_la.h documents -%s: add it to "
				      "this test and to src/diag.c",
				      name);
			m = g_ipsec_la_strerror(-known[i].err);
			ck_assert_msg(m && strncmp(m, "unknown error", 13) &&
					      strcmp(m, strerror(known[i].err)),
				      "-%s has no g-API words: '%s'", name, m);
			n++;
		}
	}
	fclose(f);
	ck_assert_msg(n > 50, "only %u errnos found in g_ipsec_la.h", n);
}
END_TEST
#endif

static void *ga_other_thread(void *arg)
{
	struct g_ipsec_la_error_info *e = arg;

	g_ipsec_la_last_error(e);
	return NULL;
}

START_TEST(last_error_names_the_field)
{
	struct g_ipsec_la_sa_handle hs[2];
	struct g_ipsec_la_sa sas[2];
	struct g_ipsec_la_sa_add_inargs in = { .dir = G_IPSEC_LA_IPSEC_OUTBOUND,
					       .num_sas = 2,
					       .sa_params = sas };
	struct g_ipsec_la_sa_add_outargs out = { .handles = hs };
	struct g_ipsec_la_error_info e, t;
	pthread_t th;

	ck_assert_int_eq(g_ipsec_la_last_error(NULL), -EINVAL);
	ga_sa(&sas[0], 0x6051);
	ga_sa(&sas[1], 0x6052);
	sas[1].u.outb.dscp_handle = G_IPSEC_DSCP_SET;
	sas[1].u.outb.dscp = 64;
	ck_assert_int_eq(g_ipsec_la_sa_add(&ga_h, &in, 0, &out, NULL), -EINVAL);
	ga_last(&e);
	ck_assert_msg(e.result == -EINVAL && e.index == 1 &&
			      !strcmp(e.func, "g_ipsec_la_sa_add") && e.field &&
			      !strcmp(e.field, "u.outb.dscp") && e.value == 64 &&
			      e.limit == 63 && e.dev_status == 0 &&
			      e.message && strstr(e.message, "invalid"),
		      "SA 1's dscp 64 > 63 (got %d idx %u %s %llu %llu)",
		      e.result, e.index, e.field ? e.field : "-",
		      (unsigned long long)e.value, (unsigned long long)e.limit);

	/* per thread: another thread has its own (empty) record */
	memset(&t, 0xa5, sizeof(t));
	ck_assert_int_eq(pthread_create(&th, NULL, ga_other_thread, &t), 0);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_msg(t.result == 0 && !t.func && !t.field,
		      "another thread's record is its own");

	/* a refusal of the device: its status and the SA's index */
	ga_sa(&sas[1], 0x6052);
	in.dir = G_IPSEC_LA_IPSEC_INBOUND;
	ga_sa(&sas[0], 0x6053);
	ga_sa(&sas[1], 0x6053);
	ck_assert_int_eq(g_ipsec_la_sa_add(&ga_h, &in, 0, &out, NULL), -EEXIST);
	ga_last(&e);
	ck_assert_msg(e.result == -EEXIST && e.index == 1 &&
			      e.dev_status == VIRTIO_IPSEC_EXISTS,
		      "duplicate inbound SPI: status %u index %u",
		      e.dev_status, e.index);

	/* the next call starts a new record */
	in.dir = G_IPSEC_LA_IPSEC_OUTBOUND;
	in.num_sas = 1;
	ga_sa(&sas[0], 0x6054);
	ck_assert_int_eq(g_ipsec_la_sa_add(&ga_h, &in, 0, &out, NULL), 0);
	ga_last(&e);
	ck_assert_msg(e.result == 0 && !e.field, "a success leaves no reason");
}
END_TEST

/* sa_mod: the window beyond the accelerator's bound names it. */
START_TEST(last_error_of_sa_mod)
{
	struct g_ipsec_la_sa_handle o, i;
	struct g_ipsec_la_sa_mod_inargs m = {
		.dir = G_IPSEC_LA_IPSEC_INBOUND,
		.flags = G_IPSEC_LA_SA_MODIFY_REPLAY_INFO,
	};
	struct g_ipsec_la_error_info e;
	uint32_t big = ga_caps.caps.max_replay_window + 1;

	ck_assert_int_eq(ga_pair(&ga_h, 0x6071, &o, &i), 0);
	m.handle = &i;
	m.u.replay_info.flags = G_IPSEC_LA_SA_MODIFY_ANTI_REPLAY_WINDOW;
	m.u.replay_info.anti_replay_window_size = big;
	ck_assert_int_eq(g_ipsec_la_sa_mod(&ga_h, &m, 0, NULL, NULL), -EINVAL);
	ga_last(&e);
	ck_assert_msg(e.result == -EINVAL && !strcmp(e.func, "g_ipsec_la_sa_mod") &&
			      e.field &&
			      !strcmp(e.field,
				      "u.replay_info.anti_replay_window_size") &&
			      e.value == big && e.limit == big - 1,
		      "window %u over %u (got %s %llu %llu)", big, big - 1,
		      e.field ? e.field : "-", (unsigned long long)e.value,
		      (unsigned long long)e.limit);
	m.u.replay_info.flags = 1u << 7;
	ck_assert_int_eq(g_ipsec_la_sa_mod(&ga_h, &m, 0, NULL, NULL), -EINVAL);
	ga_last(&e);
	ck_assert_msg(e.field && !strcmp(e.field, "u.replay_info.flags") &&
			      e.value == 1u << 7,
		      "unknown replay flag named (got %s)", e.field ? e.field : "-");
}
END_TEST

/* sa_add(3): -EEXIST for a duplicate inbound SPI; outbound is accepted. */
START_TEST(duplicate_spi_only_inbound_is_eexist)
{
	struct g_ipsec_la_sa_handle a, b;
	struct g_ipsec_la_sa sa;

	ga_sa(&sa, 0x6061);
	ck_assert_int_eq(ga_add(&ga_h, G_IPSEC_LA_IPSEC_OUTBOUND, &sa, &a), 0);
	ck_assert_msg(ga_add(&ga_h, G_IPSEC_LA_IPSEC_OUTBOUND, &sa, &b) == 0,
		      "outbound SAs are told apart by handle: a second one "
		      "with the same SPI is accepted (g_ipsec_la_sa_add(3))");
	ck_assert_int_eq(ga_add(&ga_h, G_IPSEC_LA_IPSEC_INBOUND, &sa, &a), 0);
	ck_assert_int_eq(ga_add(&ga_h, G_IPSEC_LA_IPSEC_INBOUND, &sa, &b),
			 -EEXIST);
	/* another destination: another SA */
	sa.te_addr.dest_ip.addr.ipv4[3] = 2;
	ck_assert_int_eq(ga_add(&ga_h, G_IPSEC_LA_IPSEC_INBOUND, &sa, &b), 0);
}
END_TEST

Suite *suite_gapi_errors(void)
{
	Suite *s = suite_create("gapi_errors");
	TCase *t = tcase_create("errors");

	tcase_add_checked_fixture(t, ga_setup, ga_teardown);
	tcase_set_timeout(t, 60);
	tcase_add_test(t, overhead_matches_real_encapsulations);
	tcase_add_test(t, overhead_bad_input);
	tcase_add_test(t, in_place_round_trip);
	tcase_add_test(t, result_over_max_is_emsgsize);
	tcase_add_test(t, short_output_is_enospc_with_reason);
	tcase_add_test(t, software_limits_are_the_devices);
	tcase_add_test(t, strerror_every_status);
#ifdef GLA_HDR_DIR
	tcase_add_test(t, strerror_every_documented_errno);
#endif
	tcase_add_test(t, last_error_names_the_field);
	tcase_add_test(t, last_error_of_sa_mod);
	tcase_add_test(t, duplicate_spi_only_inbound_is_eexist);
	suite_add_tcase(s, t);
	return s;
}
