// SPDX-License-Identifier: BSD-3-Clause
/*
 * Namespaces, veth, raw send and AF_PACKET capture for the XFRM interop
 * test. busybox's builtin `ip` lacks xfrm/netns: /sbin/ip (iproute2) is
 * called explicitly.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "xfrm_test.h"

static int root_ns = -1;

/* Runs a shell command; its output goes to the console for diagnosis. */
int xt_sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	if (st != 0)
		fprintf(stderr, "xfrm-test: command failed (%d): %s\n", st, cmd);
	return st == 0 ? 0 : -1;
}

int xt_topology_up(char *why, size_t len)
{
	if (access("/sbin/ip", X_OK)) {
		snprintf(why, len, "/sbin/ip (iproute2) missing");
		return -1;
	}
	xt_topology_down();
	root_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (root_ns < 0 ||
	    xt_sh("/sbin/ip netns add " XT_NS) ||
	    xt_sh("/sbin/ip link add vxa type veth peer name vxb") ||
	    xt_sh("/sbin/ip link set vxb netns " XT_NS) ||
	    xt_sh("/sbin/ip addr add " XT_OUT_A "/24 dev vxa") ||
	    xt_sh("/sbin/ip link set vxa up") ||
	    xt_sh("/sbin/ip netns exec " XT_NS " /sbin/ip addr add " XT_OUT_K "/24 dev vxb") ||
	    xt_sh("/sbin/ip netns exec " XT_NS " /sbin/ip link set vxb up") ||
	    xt_sh("/sbin/ip netns exec " XT_NS " /sbin/ip link set lo up") ||
	    xt_sh("/sbin/ip netns exec " XT_NS " /sbin/ip addr add " XT_IN_K "/32 dev lo") ||
	    xt_sh("/sbin/ip netns exec " XT_NS " /sbin/ip route add " XT_IN_A "/32 dev vxb src " XT_IN_K) ||
	    /* No ARP races: static neighbours both ways. */
	    xt_sh("/sbin/ip netns exec " XT_NS " sh -c 'echo 0 > /proc/sys/net/ipv4/conf/all/rp_filter; echo 0 > /proc/sys/net/ipv4/conf/vxb/rp_filter'")) {
		snprintf(why, len, "could not build the veth/netns topology (see above)");
		return -1;
	}
	return 0;
}

void xt_topology_down(void)
{
	int r = system("/sbin/ip netns del " XT_NS " 2>/dev/null;"
		       "/sbin/ip link del vxa 2>/dev/null");

	(void)r;	/* nothing to clean is fine */
}

int xt_ns_enter(void)
{
	int fd = open("/var/run/netns/" XT_NS, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = setns(fd, CLONE_NEWNET);
	close(fd);
	return ret ? -errno : 0;
}

int xt_ns_leave(void)
{
	return setns(root_ns, CLONE_NEWNET) ? -errno : 0;
}

int xt_raw_send(const uint8_t *pkt, size_t len)
{
	struct sockaddr_in dst = { .sin_family = AF_INET };
	int one = 1, fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	ssize_t n;

	if (fd < 0)
		return -errno;
	setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one));
	memcpy(&dst.sin_addr, pkt + 16, 4);
	n = sendto(fd, pkt, len, 0, (struct sockaddr *)&dst, sizeof(dst));
	close(fd);
	return n == (ssize_t)len ? 0 : -errno;
}

int xt_capture_open(void)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP),
		.sll_ifindex = (int)if_nametoindex("vxa"),
	};
	int fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		close(fd);
		return -errno;
	}
	return fd;
}

int xt_capture_esp(int fd, uint32_t spi, uint8_t *buf, size_t cap, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	while (poll(&p, 1, ms) == 1) {
		ssize_t n = recv(fd, buf, cap, 0);
		size_t hl, off;

		if (n < 20 || (buf[0] >> 4) != 4)
			continue;
		hl = (buf[0] & 15) * 4;
		off = hl + (buf[9] == IPPROTO_UDP ? 8 : 0);
		if ((buf[9] != 50 && buf[9] != IPPROTO_UDP) || (size_t)n < off + 8)
			continue;
		if (((uint32_t)buf[off] << 24 | buf[off + 1] << 16 |
		     buf[off + 2] << 8 | buf[off + 3]) == spi)
			return (int)n;
	}
	return -1;
}
