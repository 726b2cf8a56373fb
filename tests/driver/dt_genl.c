// SPDX-License-Identifier: BSD-3-Clause
/* A listener on the driver's generic netlink multicast group "events". */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/virtio_ipsec_genl.h>

#include "dt.h"

#define NLA_DATA(a)	((void *)((char *)(a) + NLA_HDRLEN))

/* Family id and the "events" group id from the genl controller. */
static int resolve(int s, int *family, unsigned int *group)
{
	struct {
		struct nlmsghdr n;
		struct genlmsghdr g;
		char buf[256];
	} req = { 0 };
	char resp[8192];
	struct nlattr *a;
	ssize_t len;
	int rem;

	req.n.nlmsg_type = GENL_ID_CTRL;
	req.n.nlmsg_flags = NLM_F_REQUEST;
	req.n.nlmsg_seq = 1;
	req.g.cmd = CTRL_CMD_GETFAMILY;
	req.g.version = 1;
	a = (struct nlattr *)req.buf;
	a->nla_type = CTRL_ATTR_FAMILY_NAME;
	a->nla_len = NLA_HDRLEN + sizeof(VIPSEC_GENL_NAME);
	memcpy(NLA_DATA(a), VIPSEC_GENL_NAME, sizeof(VIPSEC_GENL_NAME));
	req.n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN + NLA_ALIGN(a->nla_len));
	if (send(s, &req, req.n.nlmsg_len, 0) < 0)
		return -errno;
	len = recv(s, resp, sizeof(resp), 0);
	if (len < (ssize_t)NLMSG_LENGTH(GENL_HDRLEN))
		return -EIO;
	if (((struct nlmsghdr *)resp)->nlmsg_type == NLMSG_ERROR)
		return ((struct nlmsgerr *)NLMSG_DATA(resp))->error;
	*family = -1;
	*group = 0;
	a = (struct nlattr *)(resp + NLMSG_LENGTH(GENL_HDRLEN));
	rem = ((struct nlmsghdr *)resp)->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	for (; rem >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= rem;
	     rem -= NLA_ALIGN(a->nla_len),
	     a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len))) {
		if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_FAMILY_ID)
			*family = *(uint16_t *)NLA_DATA(a);
		if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_MCAST_GROUPS) {
			/* nested: one nest per group with NAME and ID */
			struct nlattr *g = NLA_DATA(a);
			int grem = a->nla_len - NLA_HDRLEN;

			for (; grem >= NLA_HDRLEN && g->nla_len >= NLA_HDRLEN;
			     grem -= NLA_ALIGN(g->nla_len),
			     g = (struct nlattr *)((char *)g + NLA_ALIGN(g->nla_len))) {
				struct nlattr *f = NLA_DATA(g);
				int frem = g->nla_len - NLA_HDRLEN, is_ev = 0;
				unsigned int id = 0;

				for (; frem >= NLA_HDRLEN && f->nla_len >= NLA_HDRLEN;
				     frem -= NLA_ALIGN(f->nla_len),
				     f = (struct nlattr *)((char *)f + NLA_ALIGN(f->nla_len))) {
					if (f->nla_type == CTRL_ATTR_MCAST_GRP_NAME)
						is_ev = !strcmp(NLA_DATA(f),
								VIPSEC_GENL_MCGRP_EVENTS);
					if (f->nla_type == CTRL_ATTR_MCAST_GRP_ID)
						id = *(uint32_t *)NLA_DATA(f);
				}
				if (is_ev)
					*group = id;
			}
		}
	}
	return *family > 0 && *group ? 0 : -ENOENT;
}

int dt_genl_open(int *family)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	unsigned int group;
	int s, err;

	s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	ck_assert_int_ge(s, 0);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	err = resolve(s, family, &group);
	ck_assert_msg(err == 0, "genl family %s: %d", VIPSEC_GENL_NAME, err);
	ck_assert_int_eq(setsockopt(s, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
				    &group, sizeof(group)), 0);
	return s;
}

/* Joins "events" without asserting: 0, or -errno of the step that failed. */
int dt_genl_try_join(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	unsigned int group;
	int s, family, err = 0;

	s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (s < 0)
		return -errno;
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)))
		err = -errno;
	if (!err)
		err = resolve(s, &family, &group);
	if (!err && setsockopt(s, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group,
			       sizeof(group)))
		err = -errno;
	close(s);
	return err;
}

/* Next message's command and its string attribute attr; -ETIMEDOUT after ms. */
int dt_genl_next(int s, int family, int ms, int attr, char *name, size_t len)
{
	struct pollfd p = { .fd = s, .events = POLLIN };
	char buf[4096];
	struct nlmsghdr *n = (struct nlmsghdr *)buf;
	struct genlmsghdr *g;
	struct nlattr *a;
	ssize_t got;
	int rem;

	for (;;) {
		if (poll(&p, 1, ms) <= 0)
			return -ETIMEDOUT;
		got = recv(s, buf, sizeof(buf), 0);
		if (got < (ssize_t)NLMSG_LENGTH(GENL_HDRLEN))
			return -EIO;
		if (n->nlmsg_type == family)
			break;
	}
	g = NLMSG_DATA(n);
	name[0] = 0;
	a = (struct nlattr *)((char *)g + GENL_HDRLEN);
	rem = n->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	for (; rem >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN;
	     rem -= NLA_ALIGN(a->nla_len),
	     a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len)))
		if (a->nla_type == attr)
			snprintf(name, len, "%s", (char *)NLA_DATA(a));
	return g->cmd;
}

/*
 * The operators' SA dump (VIPSEC_GENL_CMD_SA_GET, NLM_F_DUMP): finds the
 * SA with @spi and copies its owner's identity into @owner. Returns how many SAs the dump listed, or
 * -errno as the kernel refused it (-EPERM without CAP_NET_ADMIN). Sets
 * *has_stats when the SA came with the device's STATS nest, and fails
 * the test if any payload byte run equals @secret (4 bytes of a key).
 */
int dt_genl_sa_dump(int family, uint32_t spi, char *owner, size_t len,
		    int *has_stats, const uint8_t *secret)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct {
		struct nlmsghdr n;
		struct genlmsghdr g;
	} req = { 0 };
	static char buf[65536];
	int s, count = 0, done = 0, err = 0;
	ssize_t got;

	owner[0] = 0;
	*has_stats = 0;
	s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	ck_assert_int_ge(s, 0);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	req.n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	req.n.nlmsg_type = family;
	req.n.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.n.nlmsg_seq = 7;
	req.g.cmd = VIPSEC_GENL_CMD_SA_GET;
	req.g.version = VIPSEC_GENL_VERSION;
	ck_assert(send(s, &req, req.n.nlmsg_len, 0) == req.n.nlmsg_len);
	while (!done) {
		struct nlmsghdr *n = (struct nlmsghdr *)buf;
		int nrem;

		got = recv(s, buf, sizeof(buf), 0);
		ck_assert_int_gt(got, 0);
		ck_assert_msg(!memmem(buf, got, secret, 4), "key bytes in the dump");
		for (nrem = (int)got; NLMSG_OK(n, nrem); n = NLMSG_NEXT(n, nrem)) {
			struct nlattr *a;
			uint32_t this_spi = 0;
			char who[64] = "";
			int rem, st = 0;

			if (n->nlmsg_type == NLMSG_DONE) {
				done = 1;
				break;
			}
			if (n->nlmsg_type == NLMSG_ERROR) {
				err = ((struct nlmsgerr *)NLMSG_DATA(n))->error;
				done = 1;
				break;
			}
			if (n->nlmsg_type != family)
				continue;
			ck_assert_msg(n->nlmsg_flags & NLM_F_MULTI, "dump part");
			count++;
			a = (struct nlattr *)((char *)NLMSG_DATA(n) + GENL_HDRLEN);
			rem = n->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
			for (; rem >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
			       a->nla_len <= rem;
			     rem -= NLA_ALIGN(a->nla_len),
			     a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len))) {
				if (a->nla_type == VIPSEC_GENL_A_SPI)
					this_spi = *(uint32_t *)NLA_DATA(a);
				if (a->nla_type == VIPSEC_GENL_A_APP_IDENTITY)
					snprintf(who, sizeof(who), "%s",
						 (char *)NLA_DATA(a));
				if ((a->nla_type & NLA_TYPE_MASK) ==
				    VIPSEC_GENL_A_STATS)
					st = 1;
			}
			if (this_spi == spi) {
				snprintf(owner, len, "%s", who);
				*has_stats = st;
			}
		}
	}
	close(s);
	return err ? err : count;
}
