// SPDX-License-Identifier: BSD-3-Clause
/*
 * vipsec sa show: every SA of every accelerator, whoever owns it, from the
 * driver's generic netlink dump VIPSEC_GENL_CMD_SA_GET (CAP_NET_ADMIN;
 * <linux/virtio_ipsec_genl.h>), one block per SA like `ip xfrm state -s`.
 * The character device cannot do this: it shows a file only its own SAs.
 * The dump carries no key material, so none can be printed.
 */
#include <stdio.h>

#include "vipsec.h"

#ifdef VIPSEC_HAVE_GENL
#include <inttypes.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <linux/virtio_ipsec.h>
#include <linux/virtio_ipsec_genl.h>

static uint64_t stat_get(struct nlattr **s, int i)
{
	return s[i] ? nla_get_u64(s[i]) : 0;
}

static void print_dev_stats(struct nlattr **a)
{
	struct nlattr *s[VIPSEC_GENL_STAT_MAX + 1];

	if (!a[VIPSEC_GENL_A_STATS] ||
	    nla_parse_nested(s, VIPSEC_GENL_STAT_MAX, a[VIPSEC_GENL_A_STATS],
			     NULL)) {
		printf("\tstats: not available (device without SA_GET or"
		       " suspended)\n");
		return;
	}
	printf("\tlifetime current:\n\t  %" PRIu64 "(bytes), %" PRIu64
	       "(packets)\n\t  seq %" PRIu64 " age %" PRIu64 "(s)\n",
	       stat_get(s, VIPSEC_GENL_STAT_BYTES),
	       stat_get(s, VIPSEC_GENL_STAT_PACKETS),
	       a[VIPSEC_GENL_A_SEQ] ? nla_get_u64(a[VIPSEC_GENL_A_SEQ]) : 0,
	       a[VIPSEC_GENL_A_AGE] ? nla_get_u64(a[VIPSEC_GENL_A_AGE]) : 0);
	printf("\tstats:\n\t  invalid %" PRIu64 " pad %" PRIu64 " spi %" PRIu64
	       " seq %" PRIu64 " late %" PRIu64 " replay %" PRIu64
	       " integrity-failed %" PRIu64 "\n\t  seq-overflow %" PRIu64
	       " crypto-failed %" PRIu64 " no-tailroom %" PRIu64
	       " hard-expired %" PRIu64 " selector %" PRIu64 "\n",
	       stat_get(s, VIPSEC_GENL_STAT_INVALID_PKT),
	       stat_get(s, VIPSEC_GENL_STAT_INVALID_PAD),
	       stat_get(s, VIPSEC_GENL_STAT_INVALID_SPI),
	       stat_get(s, VIPSEC_GENL_STAT_INVALID_SEQ),
	       stat_get(s, VIPSEC_GENL_STAT_LATE),
	       stat_get(s, VIPSEC_GENL_STAT_REPLAY),
	       stat_get(s, VIPSEC_GENL_STAT_INVALID_ICV),
	       stat_get(s, VIPSEC_GENL_STAT_SEQ_OVERFLOW),
	       stat_get(s, VIPSEC_GENL_STAT_CRYPTO_FAILED),
	       stat_get(s, VIPSEC_GENL_STAT_NO_ROOM),
	       stat_get(s, VIPSEC_GENL_STAT_HARD_EXPIRED),
	       stat_get(s, VIPSEC_GENL_STAT_SELECTOR));
}

static int sa_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *a[VIPSEC_GENL_A_MAX + 1];
	unsigned int *count = arg;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, a, VIPSEC_GENL_A_MAX, NULL) ||
	    !a[VIPSEC_GENL_A_SA_ID] || !a[VIPSEC_GENL_A_SPI])
		return NL_SKIP;
	printf("accel %s group %u",
	       a[VIPSEC_GENL_A_ACCEL_NAME] ?
		       nla_get_string(a[VIPSEC_GENL_A_ACCEL_NAME]) :
		       "?",
	       a[VIPSEC_GENL_A_GROUP_ID] ?
		       nla_get_u32(a[VIPSEC_GENL_A_GROUP_ID]) :
		       0);
	if (a[VIPSEC_GENL_A_GROUP_NAME])
		printf(" \"%s\"", nla_get_string(a[VIPSEC_GENL_A_GROUP_NAME]));
	else
		printf(" (default)");
	printf(" sa %u owner \"%s\"\n", nla_get_u32(a[VIPSEC_GENL_A_SA_ID]),
	       a[VIPSEC_GENL_A_APP_IDENTITY] ?
		       nla_get_string(a[VIPSEC_GENL_A_APP_IDENTITY]) :
		       "?");
	printf("\tproto esp spi 0x%08x dir %s\n",
	       nla_get_u32(a[VIPSEC_GENL_A_SPI]),
	       !a[VIPSEC_GENL_A_DIRECTION] ? "?" :
	       nla_get_u8(a[VIPSEC_GENL_A_DIRECTION]) ==
			       VIRTIO_IPSEC_DIR_OUTBOUND ?
					     "out" :
					     "in");
	print_dev_stats(a);
	(*count)++;
	return NL_OK;
}

/*
 * Returns 0 when the dump was printed, -1 (with the reason on stderr) when
 * the driver cannot give it: no family (driver too old or not loaded), no
 * such command, or no CAP_NET_ADMIN. The caller then falls back.
 */
int vipsec_sa_dump(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_msg *msg = NULL;
	unsigned int count = 0;
	int fam, err, ret = -1;

	if (!sk || genl_connect(sk)) {
		fprintf(stderr,
			"vipsec: cannot open a generic netlink socket\n");
		goto out;
	}
	fam = genl_ctrl_resolve(sk, VIPSEC_GENL_NAME);
	if (fam < 0) {
		fprintf(stderr, "vipsec: netlink family \"%s\" not found: %s\n",
			VIPSEC_GENL_NAME, nl_geterror(fam));
		goto out;
	}
	msg = nlmsg_alloc();
	if (!msg ||
	    !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, fam, 0, NLM_F_DUMP,
			 VIPSEC_GENL_CMD_SA_GET, VIPSEC_GENL_VERSION)) {
		fprintf(stderr, "vipsec: out of memory\n");
		goto out;
	}
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, sa_cb, &count);
	err = nl_send_auto(sk, msg);
	if (err >= 0)
		err = nl_recvmsgs_default(sk);
	if (err < 0) {
		fprintf(stderr, "vipsec: cannot dump SAs over netlink: %s%s\n",
			nl_geterror(err),
			err == -NLE_PERM      ? " (needs CAP_NET_ADMIN)" :
			err == -NLE_OPNOTSUPP ? " (driver too old)" :
						"");
		goto out;
	}
	if (!count)
		printf("# no SAs\n");
	ret = 0;
out:
	nlmsg_free(msg);
	nl_socket_free(sk);
	return ret;
}
#else
int vipsec_sa_dump(void)
{
	fprintf(stderr,
		"vipsec: built without the driver's netlink header "
		"<linux/virtio_ipsec_genl.h>: cannot list other owners' SAs\n");
	return -1;
}
#endif
