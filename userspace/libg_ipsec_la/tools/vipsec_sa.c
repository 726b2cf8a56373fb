// SPDX-License-Identifier: BSD-3-Clause
/*
 * vipsec sa: SAs and their statistics. SAs belong to the open file that
 * added them (its character device hides them from everybody else), so:
 *   sa show   every SA of every accelerator with its owner and statistics
 *             from the driver's netlink dump (vipsec_sa_dump.c, needs
 *             CAP_NET_ADMIN); without it, as before: every accelerator's
 *             groups and SA count (sysfs)
 *   sa stats  every accelerator's counters (sysfs)
 *   sa probe  add an AES-GCM SA pair on ACCEL, push N packets through
 *             it, and print the SAs as the accelerator reports them
 *             (g_ipsec_la_sa_get: parameters and statistics) - a check
 *             that an accelerator works end to end.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vipsec.h"
#include "vpe_algs.h"

/*
 * g-API enum value -> the Linux crypto API name `ip xfrm state` shows,
 * from the rows of vpe_algs.h (header-only: the CLI links no engine).
 */
enum alg_kind { ALG_CIPHER, ALG_AEAD, ALG_AUTH };

static const struct alg_row {
	enum alg_kind kind;
	uint32_t gapi;
	const char *name;
} alg_rows[] = {
#define VPE_CIPHER(id, kmin, kmax, salt, iv, blk, weak, ivg, afalg, mode, g, \
		   caps)                                                     \
	{ ALG_CIPHER, (uint32_t)(g), afalg },
#define VPE_AEAD(id, kmin, kmax, salt, iv, blk, icv, ivg, afk, afalg, mb, g, \
		 caps)                                                       \
	{ ALG_AEAD, (uint32_t)(g), afalg },
#define VPE_AUTH(id, key, icv, weak, afalg, hash, hblk, g, caps) \
	{ ALG_AUTH, (uint32_t)(g), afalg },
	VPE_ALGS
#undef VPE_CIPHER
#undef VPE_AEAD
#undef VPE_AUTH
};

static const char *alg_name(enum alg_kind kind, uint32_t gapi)
{
	size_t i;

	for (i = 0; i < sizeof(alg_rows) / sizeof(alg_rows[0]); i++)
		if (alg_rows[i].kind == kind && alg_rows[i].gapi == gapi)
			return alg_rows[i].name;
	return NULL;
}

static const char *cipher_name(uint32_t gapi)
{
	return alg_name(ALG_CIPHER, gapi);
}

static const char *aead_name(uint32_t gapi)
{
	return alg_name(ALG_AEAD, gapi);
}

/* AUTH_NONE prints as "none" (its crypto API name is digest_null). */
static const char *auth_name(uint32_t gapi)
{
	if (gapi == G_IPSEC_LA_AUTH_ALG_NONE)
		return "none";
	return alg_name(ALG_AUTH, gapi);
}

static void print_addr(const struct g_ip_addr *a)
{
	const uint8_t *b = a->addr.ipv6;
	int i;

	if (a->version == 4) {
		printf("%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
		return;
	}
	if (a->version != 6) {
		printf("-");
		return;
	}
	for (i = 0; i < 16; i += 2)
		printf("%s%x", i ? ":" : "", b[i] << 8 | b[i + 1]);
}

void vipsec_print_sa(const struct g_ipsec_la_sa *sa, uint32_t dir,
		     const struct g_ipsec_la_sa_handle *h)
{
	const struct g_ipsec_la_sa_crypto_params *c = &sa->crypto_params;
	uint32_t f = sa->cmn_flags;

	printf("src ");
	print_addr(&sa->te_addr.src_ip);
	printf(" dst ");
	print_addr(&sa->te_addr.dest_ip);
	(void)h; /* opaque */
	printf("\n\tproto esp spi 0x%08x dir %s mode %s\n", sa->spi,
	       dir == G_IPSEC_LA_IPSEC_OUTBOUND ? "out" : "in",
	       f & G_IPSEC_LA_SA_ENCAP_TRANSPORT_MODE ? "transport" : "tunnel");
	if (aead_name(c->comb_algo))
		printf("\taead %s (%u bits) %u\n", aead_name(c->comb_algo),
		       c->comb_key_len_bits, c->icv_len_bits);
	if (cipher_name(c->cipher_algo))
		printf("\tenc %s (%u bits)\n", cipher_name(c->cipher_algo),
		       c->cipher_key_len_bits);
	if (!c->comb_algo && auth_name(c->auth_algo))
		printf("\tauth-trunc %s (%u bits) %u\n",
		       auth_name(c->auth_algo), c->auth_key_len_bits,
		       c->icv_len_bits);
	if (dir == G_IPSEC_LA_IPSEC_INBOUND)
		printf("\treplay-window %u flag%s%s%s\n",
		       sa->u.inb.anti_replay_window_size,
		       f & G_IPSEC_LA_SA_DO_ANTI_REPLAY_CHECK ? " anti-replay" :
								"",
		       f & G_IPSEC_LA_SA_USE_ESN ? " esn" : "",
		       f & G_IPSEC_LA_SA_DO_UDP_ENCAP_FOR_NAT_TRAVERSAL ?
			       " encap" :
			       "");
	if (f & G_IPSEC_LA_SA_DO_UDP_ENCAP_FOR_NAT_TRAVERSAL)
		printf("\tencap type espinudp sport %u dport %u\n",
		       sa->nat_info.src_port, sa->nat_info.dest_port);
	printf("\tlifetime config:\n\t  limit: soft %" PRIu64
	       "(packets) hard %" PRIu64
	       "(packets)\n\t  soft %u(kB) hard %u(kB)  soft %" PRIu64
	       "(s) hard %" PRIu64 "(s)\n",
	       sa->soft_packets_limit, sa->hard_packets_limit,
	       sa->soft_kilobytes_limit, sa->hard_kilobytes_limit,
	       sa->soft_seconds_limit, sa->hard_seconds_limit);
}

void vipsec_print_stats(const struct g_ipsec_la_sa_stats *s)
{
	printf("\tlifetime current:\n\t  %" PRIu64 "(bytes), %" PRIu64
	       "(packets)\n",
	       s->bytes_processed, s->packets_processed);
	printf("\tstats:\n\t  invalid %u pad %u seq %u late %u replay %u"
	       " integrity-failed %u seq-overflow %u crypto-failed %u\n"
	       "\t  no-tailroom %u hard-expired %u selector %u\n",
	       s->protocol_violation_errors.invalid_ipsec_pkt,
	       s->protocol_violation_errors.invalid_pad_length,
	       s->protocol_violation_errors.invalid_seq_num,
	       s->protocol_violation_errors.anti_replay_late_pkt,
	       s->protocol_violation_errors.anti_replay_replay_pkt,
	       s->protocol_violation_errors.invalid_icv,
	       s->protocol_violation_errors.seq_num_over_flow,
	       s->protocol_violation_errors.crypto_op_failed,
	       s->process_errors.no_tail_room, s->hard_expired, s->selector);
}

static int sa_overview(int stats)
{
	static struct g_ipsec_la_active_accl_info l[64];
	uint32_t n, i, k;
	int ret = g_ipsec_la_active_list_get(l, 64, &n);

	if (ret && ret != -ENOSPC) {
		fprintf(stderr, "vipsec: %s\n", strerror(-ret));
		return 1;
	}
	printf("# SAs are visible only to the application that owns them;"
	       " per-accelerator view:\n");
	for (i = 0; i < n; i++) {
		printf("accel %s active-sas %" PRIu64 "\n", l[i].name,
		       l[i].active_sas);
		for (k = 0; !stats && k < l[i].num_owners; k++)
			printf("\towner \"%s\" groups %s\n",
			       l[i].owners[k].app_identity,
			       l[i].owners[k].group_identities[0] ?
				       l[i].owners[k].group_identities :
				       "(default)");
		if (stats)
			printf("\tcreated %" PRIu64 " deleted %" PRIu64
			       " modified %" PRIu64 "\n\tin %" PRIu64
			       " bytes %" PRIu64 " packets  out %" PRIu64
			       " bytes %" PRIu64 " packets\n",
			       l[i].sas_created, l[i].sas_deleted,
			       l[i].sas_modified, l[i].bytes_in,
			       l[i].packets_in, l[i].bytes_out,
			       l[i].packets_out);
	}
	return 0;
}

int vipsec_probe(const char *accel, unsigned int packets);

int vipsec_cmd_sa(int argc, char **argv)
{
	const char *accel = NULL;
	unsigned int packets = 8;
	int i;

	if (argc < 2)
		goto usage;
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--packets") && i + 1 < argc)
			packets = (unsigned int)strtoul(argv[++i], NULL, 0);
		else if (argv[i][0] != '-' && !accel)
			accel = argv[i];
		else
			goto usage;
	}
	if (!strcmp(argv[1], "show")) {
		if (!vipsec_sa_dump())
			return 0;
		fprintf(stderr, "vipsec: showing the per-accelerator view"
				" instead\n");
		return sa_overview(0);
	}
	if (!strcmp(argv[1], "stats"))
		return sa_overview(1);
	if (!strcmp(argv[1], "probe"))
		return vipsec_probe(accel, packets);
usage:
	fprintf(stderr, "Usage: vipsec sa show|stats\n"
			"       vipsec sa probe [ACCEL] [--packets N]\n");
	return 2;
}
