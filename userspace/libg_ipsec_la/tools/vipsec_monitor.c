// SPDX-License-Identifier: BSD-3-Clause
/*
 * vipsec monitor: print the driver's generic netlink events (family
 * "virtio_ipsec", group "events"; <linux/virtio_ipsec_genl.h>) with
 * libnl-genl-3, one line each, like `ip xfrm monitor`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vipsec.h"

#ifdef VIPSEC_HAVE_GENL
#include <inttypes.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <linux/virtio_ipsec_dev.h>
#include <linux/virtio_ipsec_genl.h>

static long mon_left = -1; /* events still to print; -1 = forever */

static const char *ev_name(unsigned int t)
{
	static const char *const n[] = {
		[VIPSEC_EV_XFORM_DONE] = "xform-done",
		[VIPSEC_EV_SOFT_EXPIRY] = "soft-expire",
		[VIPSEC_EV_HARD_EXPIRY] = "hard-expire",
		[VIPSEC_EV_SEQ_OVERFLOW] = "seq-overflow",
		[VIPSEC_EV_SEQ_NOTIFY] = "seq-notify",
		[VIPSEC_EV_DEVICE_LOST] = "device-lost",
		[VIPSEC_EV_SA_DELETE_REQ] = "delete-request",
		[VIPSEC_EV_LOST] = "events-lost",
	};

	return t < sizeof(n) / sizeof(n[0]) && n[t] ? n[t] : "unknown";
}

static int mon_cb(struct nl_msg *msg, void *arg)
{
	struct genlmsghdr *g = nlmsg_data(nlmsg_hdr(msg));
	struct nlattr *a[VIPSEC_GENL_A_MAX + 1];
	const char *acc;

	(void)arg;
	if (genlmsg_parse(nlmsg_hdr(msg), 0, a, VIPSEC_GENL_A_MAX, NULL))
		return NL_SKIP;
	acc = a[VIPSEC_GENL_A_ACCEL_NAME] ?
		      nla_get_string(a[VIPSEC_GENL_A_ACCEL_NAME]) :
		      "?";
	if (g->cmd == VIPSEC_GENL_CMD_ACCEL_ADD ||
	    g->cmd == VIPSEC_GENL_CMD_ACCEL_DEL) {
		printf("accel %s %s\n", acc,
		       g->cmd == VIPSEC_GENL_CMD_ACCEL_ADD ? "added" :
							     "removed");
	} else if (g->cmd == VIPSEC_GENL_CMD_EVENT) {
		printf("%s accel %s",
		       a[VIPSEC_GENL_A_EVENT] ?
			       ev_name(nla_get_u16(a[VIPSEC_GENL_A_EVENT])) :
			       "event",
		       acc);
		if (a[VIPSEC_GENL_A_APP_IDENTITY])
			printf(" owner \"%s\"",
			       nla_get_string(a[VIPSEC_GENL_A_APP_IDENTITY]));
		if (a[VIPSEC_GENL_A_GROUP_ID])
			printf(" group %u",
			       nla_get_u32(a[VIPSEC_GENL_A_GROUP_ID]));
		if (a[VIPSEC_GENL_A_SA_ID])
			printf(" sa %u", nla_get_u32(a[VIPSEC_GENL_A_SA_ID]));
		if (a[VIPSEC_GENL_A_SPI])
			printf(" spi 0x%08x",
			       nla_get_u32(a[VIPSEC_GENL_A_SPI]));
		if (a[VIPSEC_GENL_A_SEQ])
			printf(" seq %" PRIu64,
			       (uint64_t)nla_get_u64(a[VIPSEC_GENL_A_SEQ]));
		if (a[VIPSEC_GENL_A_BYTES])
			printf(" bytes %" PRIu64,
			       (uint64_t)nla_get_u64(a[VIPSEC_GENL_A_BYTES]));
		if (a[VIPSEC_GENL_A_PACKETS])
			printf(" packets %" PRIu64,
			       (uint64_t)nla_get_u64(a[VIPSEC_GENL_A_PACKETS]));
		if (a[VIPSEC_GENL_A_LIMIT])
			printf(" limit %u",
			       nla_get_u16(a[VIPSEC_GENL_A_LIMIT]));
		printf("\n");
	} else {
		return NL_SKIP;
	}
	fflush(stdout);
	if (mon_left > 0)
		mon_left--;
	return NL_OK;
}

int vipsec_cmd_monitor(int argc, char **argv)
{
	struct nl_sock *sk;
	int grp, err, ret = 1;

	if (argc == 3 && !strcmp(argv[1], "--count"))
		mon_left = strtol(argv[2], NULL, 0);
	else if (argc != 1) {
		fprintf(stderr, "Usage: vipsec monitor [--count N]\n");
		return 2;
	}
	sk = nl_socket_alloc();
	if (!sk || genl_connect(sk)) {
		fprintf(stderr,
			"vipsec: cannot open a generic netlink socket\n");
		goto out;
	}
	grp = genl_ctrl_resolve_grp(sk, VIPSEC_GENL_NAME,
				    VIPSEC_GENL_MCGRP_EVENTS);
	if (grp < 0) {
		fprintf(stderr,
			"vipsec: netlink family \"%s\" not found "
			"(driver not loaded?): %s\n",
			VIPSEC_GENL_NAME, nl_geterror(grp));
		goto out;
	}
	nl_socket_disable_seq_check(sk);
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, mon_cb, NULL);
	err = nl_socket_add_membership(sk, grp);
	if (err) {
		/* the events name every tenant's SAs: CAP_NET_ADMIN only */
		fprintf(stderr, "vipsec: cannot join the events group: %s%s\n",
			nl_geterror(err),
			err == -NLE_PERM ? " (needs CAP_NET_ADMIN)" : "");
		goto out;
	}
	printf("# watching %s events\n", VIPSEC_GENL_NAME);
	fflush(stdout);
	while (mon_left != 0)
		if (nl_recvmsgs_default(sk) < 0)
			break;
	ret = 0;
out:
	nl_socket_free(sk);
	return ret;
}
#else
int vipsec_cmd_monitor(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr,
		"vipsec: monitor unavailable: built without the "
		"driver's netlink header <linux/virtio_ipsec_genl.h>\n");
	return 1;
}
#endif
