// SPDX-License-Identifier: BSD-3-Clause
/*
 * Namespaces, veth, AF_PACKET send and capture for the XFRM interop
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

#define NSX "/sbin/ip netns exec " XT_NS " "

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
	    xt_sh("/sbin/ip link add vxa type veth peer name vxb address " XT_MAC_K) ||
	    xt_sh("/sbin/ip link set vxb netns " XT_NS) ||
	    xt_sh("/sbin/ip addr add " XT_OUT_A4 "/24 dev vxa") ||
	    /* nodad: the addresses are usable at once, no DAD wait */
	    xt_sh("/sbin/ip -6 addr add " XT_OUT_A6 "/64 dev vxa nodad") ||
	    xt_sh("/sbin/ip link set vxa up") ||
	    xt_sh(NSX "/sbin/ip addr add " XT_OUT_K4 "/24 dev vxb") ||
	    xt_sh(NSX "/sbin/ip -6 addr add " XT_OUT_K6 "/64 dev vxb nodad") ||
	    xt_sh(NSX "/sbin/ip link set vxb up") ||
	    xt_sh(NSX "/sbin/ip link set lo up") ||
	    xt_sh(NSX "/sbin/ip addr add " XT_IN_K4 "/32 dev lo") ||
	    xt_sh(NSX "/sbin/ip -6 addr add " XT_IN_K6 "/128 dev lo nodad") ||
	    xt_sh(NSX "/sbin/ip route add " XT_IN_A4 "/32 dev vxb src " XT_IN_K4) ||
	    xt_sh(NSX "/sbin/ip -6 route add " XT_IN_A6 "/128 dev vxb src " XT_IN_K6) ||
	    /* Decapsulated packets arrive on vxb from addresses routed there
	     * only for the tunnel: no reverse-path filter. */
	    xt_sh(NSX "sh -c 'echo 0 > /proc/sys/net/ipv4/conf/all/rp_filter; echo 0 > /proc/sys/net/ipv4/conf/vxb/rp_filter'")) {
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

int xt_send(const uint8_t *pkt, size_t len)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons((pkt[0] >> 4) == 6 ? ETH_P_IPV6 : ETH_P_IP),
		.sll_ifindex = (int)if_nametoindex("vxa"),
		.sll_halen = ETH_ALEN,
	};
	int fd = socket(AF_PACKET, SOCK_DGRAM, 0);
	ssize_t n;

	if (fd < 0)
		return -errno;
	sscanf(XT_MAC_K, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &sll.sll_addr[0],
	       &sll.sll_addr[1], &sll.sll_addr[2], &sll.sll_addr[3],
	       &sll.sll_addr[4], &sll.sll_addr[5]);
	n = sendto(fd, pkt, len, 0, (struct sockaddr *)&sll, sizeof(sll));
	close(fd);
	return n == (ssize_t)len ? 0 : -errno;
}

int xt_capture_open(void)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = (int)if_nametoindex("vxa"),
	};
	int fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL));

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
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(fd, buf, cap, 0, (struct sockaddr *)&from, &fl);
		size_t off;
		int proto;

		if (n < 40 || from.sll_pkttype == PACKET_OUTGOING)
			continue;
		if ((buf[0] >> 4) == 4) {
			off = (buf[0] & 15) * 4;
			proto = buf[9];
		} else if ((buf[0] >> 4) == 6) {
			off = 40;	/* the kernel adds no extension headers */
			proto = buf[6];
		} else {
			continue;
		}
		if (proto == IPPROTO_UDP && (size_t)n >= off + 8 &&
		    (buf[off + 2] << 8 | buf[off + 3]) == XT_NATT_PORT)
			off += 8;
		else if (proto != 50)
			continue;
		if ((size_t)n < off + 8)
			continue;
		if (((uint32_t)buf[off] << 24 | buf[off + 1] << 16 |
		     buf[off + 2] << 8 | buf[off + 3]) == spi)
			return (int)n;
	}
	return -1;
}
