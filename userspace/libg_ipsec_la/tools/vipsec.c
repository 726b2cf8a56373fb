// SPDX-License-Identifier: BSD-3-Clause
/*
 * vipsec - list virtio-ipsec accelerators, show SAs and statistics, watch
 * events. Output in the spirit of `ip xfrm`.
 *
 *   vipsec list [available|active]
 *   vipsec sa show|stats
 *   vipsec sa probe [ACCEL] [--packets N]
 *   vipsec monitor [--count N]
 *
 * The usage text below and the SYNOPSIS of man/vipsec.8 are the same
 * lines: tests/install/usage-vs-man.sh compares them.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "g_ipsec_la_sw.h"
#include "vipsec.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vipsec list [available|active]\n"
		"       vipsec sa show|stats\n"
		"       vipsec sa probe [ACCEL] [--packets N]\n"
		"       vipsec monitor [--count N]\n"
		"       vipsec -h|--help\n"
		"ACCEL: virtio-ipsec<N> (default: the first) or \"software\".\n");
}

static const char *mode_name(uint32_t m)
{
	return m == G_IPSEC_LA_INSTANCE_EXCLUSIVE ? "exclusive" :
	       m == G_IPSEC_LA_INSTANCE_SHARED	  ? "shared" :
						    "none";
}

static int list_available(void)
{
	struct g_ipsec_la_accl_info l[64];
	uint32_t n, i;
	int ret = g_ipsec_la_available_list_get(l, 64, &n);

	if (ret && ret != -ENOSPC) {
		fprintf(stderr, "vipsec: available list: %s\n", strerror(-ret));
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (l[i].software)
			printf("accel %s software (in-process, opt-in)\n",
			       l[i].name);
		else
			printf("accel %s id %u\n", l[i].name, l[i].id);
	}
	return 0;
}

static int list_active(void)
{
	static struct g_ipsec_la_active_accl_info l[64];
	uint32_t n, i, k;
	int ret = g_ipsec_la_active_list_get(l, 64, &n);

	if (ret && ret != -ENOSPC) {
		fprintf(stderr, "vipsec: active list: %s\n", strerror(-ret));
		return 1;
	}
	for (i = 0; i < n; i++) {
		printf("accel %s id %u mode %s\n", l[i].name, l[i].id,
		       mode_name(l[i].mode));
		for (k = 0; k < l[i].num_owners; k++)
			printf("\towner \"%s\" groups %s\n",
			       l[i].owners[k].app_identity,
			       l[i].owners[k].group_identities[0] ?
				       l[i].owners[k].group_identities :
				       "(default)");
		printf("\tin: %" PRIu64 " bytes %" PRIu64 " packets"
		       "  out: %" PRIu64 " bytes %" PRIu64 " packets\n",
		       l[i].bytes_in, l[i].packets_in, l[i].bytes_out,
		       l[i].packets_out);
		printf("\tsas: active %" PRIu64 " created %" PRIu64
		       " deleted %" PRIu64 " modified %" PRIu64 "\n",
		       l[i].active_sas, l[i].sas_created, l[i].sas_deleted,
		       l[i].sas_modified);
	}
	if (!n)
		printf("(no accelerator is in use)\n");
	return 0;
}

int vipsec_cmd_list(int argc, char **argv)
{
	if (argc < 2)
		return list_available() | list_active();
	if (!strcmp(argv[1], "available"))
		return list_available();
	if (!strcmp(argv[1], "active"))
		return list_active();
	usage(stderr);
	return 2;
}

int main(int argc, char **argv)
{
	/* the CLI offers ACCEL "software" (linked in: libg_ipsec_la_sw.a) */
	if (g_ipsec_la_software_register())
		fprintf(stderr, "vipsec: software accelerator not available\n");
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "list"))
		return vipsec_cmd_list(argc - 1, argv + 1);
	if (!strcmp(argv[1], "sa"))
		return vipsec_cmd_sa(argc - 1, argv + 1);
	if (!strcmp(argv[1], "monitor"))
		return vipsec_cmd_monitor(argc - 1, argv + 1);
	usage(stderr);
	return 2;
}
