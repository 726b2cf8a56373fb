// SPDX-License-Identifier: BSD-3-Clause
/*
 * datapath.c - vipsec-gw's packets: the TUN device (protected side), the
 * raw IPv4 sockets (unprotected side), the policy and SPI lookups and the
 * batches through the accelerator. See vipsec_gw.c for the whole picture.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gw.h"

/* ---- policies and SAs ------------------------------------------------ */

static struct gw_policy *policy_find(struct gw *gw, enum gw_dir dir,
				     const struct iphdr *ip)
{
	unsigned int i;

	for (i = 0; i < gw->conf.num_policies; i++) {
		struct gw_policy *p = &gw->conf.policies[i];

		if (p->dir == dir && (ip->saddr & p->src_mask) == p->src &&
		    (ip->daddr & p->dst_mask) == p->dst)
			return p;
	}
	return NULL;
}

/* The gateway's own SPI -> SA map: inbound SAs by SPI and destination,
 * as RFC 4301 s.4.1 looks them up. */
static struct gw_sa *sa_by_spi(struct gw *gw, uint32_t spi, uint32_t daddr)
{
	unsigned int i;

	for (i = 0; i < gw->conf.num_sas; i++) {
		struct gw_sa *sa = &gw->conf.sas[i];

		if (sa->dir == GW_DIR_IN && sa->added && sa->spi == spi &&
		    sa->dst.s_addr == daddr)
			return sa;
	}
	return NULL;
}

/* ---- packet I/O -------------------------------------------------------- */

int gw_open_tun(struct gw *gw)
{
	struct ifreq ifr;
	int fd, s;

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "%s: /dev/net/tun: %s (modprobe tun?)\n", prog,
			strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	memcpy(ifr.ifr_name, gw->conf.tunnel, sizeof(gw->conf.tunnel));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		fprintf(stderr, "%s: creating TUN device %s: %s\n", prog,
			gw->conf.tunnel, strerror(errno));
		close(fd);
		return -1;
	}
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ifr.ifr_mtu = (int)gw->conf.mtu;
	if (s < 0 || ioctl(s, SIOCSIFMTU, &ifr) < 0 ||
	    ioctl(s, SIOCGIFFLAGS, &ifr) < 0 ||
	    (ifr.ifr_flags |= IFF_UP, ioctl(s, SIOCSIFFLAGS, &ifr) < 0)) {
		fprintf(stderr, "%s: setting %s up with MTU %u: %s\n", prog,
			gw->conf.tunnel, gw->conf.mtu, strerror(errno));
		if (s >= 0)
			close(s);
		close(fd);
		return -1;
	}
	close(s);
	gw->tun_fd = fd;
	return 0;
}

int gw_open_wan(struct gw *gw)
{
	int rcvbuf = 4 << 20;
	const char *wan = gw->conf.wan;
	socklen_t wl = (socklen_t)strlen(wan);

	/* IPPROTO_RAW: we hand the kernel the whole outer packet */
	gw->raw_fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	gw->esp_fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
			    IPPROTO_ESP);
	if (gw->raw_fd < 0 || gw->esp_fd < 0) {
		fprintf(stderr, "%s: raw IPv4 socket: %s (needs CAP_NET_RAW)\n",
			prog, strerror(errno));
		return -1;
	}
	if (setsockopt(gw->raw_fd, SOL_SOCKET, SO_BINDTODEVICE, wan, wl) < 0 ||
	    setsockopt(gw->esp_fd, SOL_SOCKET, SO_BINDTODEVICE, wan, wl) < 0) {
		fprintf(stderr, "%s: binding to interface %s: %s\n", prog, wan,
			strerror(errno));
		return -1;
	}
	/* room for bursts from the peer while the accelerator works; beyond
	 * net.core.rmem_max only with CAP_NET_ADMIN, else what the limit
	 * gives (drops are counted: esp_rx_lost) */
	if (setsockopt(gw->esp_fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		       sizeof(rcvbuf)) < 0)
		setsockopt(gw->esp_fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
			   sizeof(rcvbuf));
	return 0;
}

static void send_ip(struct gw *gw, const uint8_t *pkt, uint32_t len,
		    uint32_t daddr)
{
	struct sockaddr_in to = { .sin_family = AF_INET };

	to.sin_addr.s_addr = daddr;
	if (sendto(gw->raw_fd, pkt, len, 0, (struct sockaddr *)&to,
		   sizeof(to)) != (ssize_t)len)
		gw->c.tx_err++;
}

/* A complete IPv4 header and total length within @len. */
static const struct iphdr *ipv4(const uint8_t *p, uint32_t len)
{
	const struct iphdr *ip = (const struct iphdr *)p;

	if (len < sizeof(*ip) || ip->version != 4 || ip->ihl < 5 ||
	    ip->ihl * 4u > len || ntohs(ip->tot_len) > len ||
	    ntohs(ip->tot_len) < ip->ihl * 4u)
		return NULL;
	return ip;
}

/* ---- batches ----------------------------------------------------------- */

typedef int32_t (*multi_fn)(struct g_ipsec_la_handle *, uint32_t,
			    const struct g_ipsec_la_sa_handle *, uint32_t,
			    const struct g_ipsec_la_packet[],
			    struct g_ipsec_la_packet[],
			    struct g_ipsec_la_pkt_result[],
			    const struct g_ipsec_la_resp_args *);

/*
 * Runs the @n packets idx[0..n) of the current batch through @sa in as few
 * device requests as the accelerator allows; results[idx[k]] and
 * out_data[idx[k]].length get each packet's outcome. A request refused as
 * a whole (a packet the library rejects before the device) is retried
 * packet by packet so that one bad packet cannot take its batch with it.
 * Return: 0, or -ENODEV when the accelerator is gone.
 */
static int run_sa(struct gw *gw, struct gw_sa *sa, multi_fn fn,
		  const unsigned int *idx, unsigned int n, uint64_t *batches)
{
	struct g_ipsec_la_packet in[G_IPSEC_LA_MAX_PKT_BATCH];
	struct g_ipsec_la_packet out[G_IPSEC_LA_MAX_PKT_BATCH];
	struct g_ipsec_la_pkt_result res[G_IPSEC_LA_MAX_PKT_BATCH];
	unsigned int done = 0, k;

	for (k = 0; k < n; k++) {
		unsigned int j = idx[k];

		gw->in_data[j].buffer = gw->in_buf[j];
		gw->in_data[j].length = gw->in_len[j];
		gw->out_data[j].buffer = gw->out_buf[j];
		gw->out_data[j].length = SLOT;
		in[k].num_sg = 1;
		in[k].data = &gw->in_data[j];
		out[k].num_sg = 1;
		out[k].data = &gw->out_data[j];
	}
	while (done < n) {
		int32_t ret;

		(*batches)++;
		ret = fn(&gw->accel, 0, &sa->handle, n - done, in + done,
			 out + done, res + done, NULL);
		if (ret == -ENODEV)
			return -ENODEV;
		if (ret < 0 && n - done > 1) {
			for (k = done; k < n; k++) {
				(*batches)++;
				ret = fn(&gw->accel, 0, &sa->handle, 1, in + k,
					 out + k, res + k, NULL);
				if (ret == -ENODEV)
					return -ENODEV;
				if (ret < 0)
					res[k].result = ret;
			}
			break;
		}
		if (ret < 0) {
			res[done].result = ret;
			ret = 1;
		}
		done += (unsigned int)ret;
	}
	for (k = 0; k < n; k++) {
		gw->results[idx[k]] = res[k];
		if (!res[k].result)
			gw->out_data[idx[k]].length = res[k].out_len;
	}
	return 0;
}

/* Groups packets 0..n of the batch whose pkt_sa is set by SA and runs
 * each group; pkt_sa[i] of a processed packet is left as is. */
static int run_batch(struct gw *gw, unsigned int n, multi_fn fn,
		     uint64_t *batches)
{
	unsigned char taken[G_IPSEC_LA_MAX_PKT_BATCH] = { 0 };
	unsigned int i, j, k;

	for (i = 0; i < n; i++) {
		struct gw_sa *sa = gw->pkt_sa[i];

		if (!sa || taken[i])
			continue;
		for (j = i, k = 0; j < n; j++)
			if (gw->pkt_sa[j] == sa) {
				gw->idx[k++] = j;
				taken[j] = 1;
			}
		if (run_sa(gw, sa, fn, gw->idx, k, batches))
			return -ENODEV;
	}
	return 0;
}

int gw_outbound(struct gw *gw)
{
	unsigned int n = 0, i;

	while (n < gw->batch) {
		ssize_t r = read(gw->tun_fd, gw->in_buf[n], SLOT);

		if (r <= 0)
			break;
		gw->in_len[n] = (uint32_t)r;
		gw->pkt_sa[n] = NULL;
		n++;
	}
	for (i = 0; i < n; i++) {
		const struct iphdr *ip = ipv4(gw->in_buf[i], gw->in_len[i]);
		struct gw_policy *p;

		gw->c.tun_rx++;
		if (!ip) {
			gw->c.not_ipv4++;
			continue;
		}
		p = policy_find(gw, GW_DIR_OUT, ip);
		if (p)
			p->hits++;
		if (!p || p->action == GW_DROP) {
			gw->c.out_drop++;
		} else if (p->action == GW_BYPASS) {
			gw->c.out_bypass++;
			send_ip(gw, gw->in_buf[i], gw->in_len[i], ip->daddr);
		} else {
			gw->c.out_protect++;
			gw->pkt_sa[i] = p->sa;
		}
	}
	if (run_batch(gw, n, g_ipsec_la_multi_packet_encap, &gw->c.batches_out))
		return -ENODEV;
	for (i = 0; i < n; i++) {
		struct gw_sa *sa = gw->pkt_sa[i];

		if (!sa)
			continue;
		if (gw->results[i].result) {
			gw->c.encap_err++;
			continue;
		}
		gw->c.encap_ok++;
		sa->packets++;
		sa->bytes += gw->in_len[i];
		send_ip(gw, gw->out_buf[i], gw->out_data[i].length,
			sa->dst.s_addr);
		gw->c.esp_tx++;
	}
	return (int)n;
}

static void count_decap_error(struct gw *gw, int32_t err)
{
	switch (err) {
	case -EBADMSG: gw->c.auth_fail++; break;
	case -EALREADY:
	case -ERANGE: gw->c.replay++; break;
	case -EPROTO:
	case -EPROTONOSUPPORT:
	case -EMSGSIZE: gw->c.malformed++; break;
	case -EACCES: gw->c.in_policy_drop++; break;
	case -ENOENT: gw->c.no_sa++; break;
	default: gw->c.decap_err++;
	}
}

int gw_inbound(struct gw *gw)
{
	struct mmsghdr msgs[G_IPSEC_LA_MAX_PKT_BATCH];
	struct iovec iov[G_IPSEC_LA_MAX_PKT_BATCH];
	unsigned int i;
	int n;

	memset(msgs, 0, sizeof(msgs[0]) * gw->batch);
	for (i = 0; i < gw->batch; i++) {
		iov[i].iov_base = gw->in_buf[i];
		iov[i].iov_len = SLOT;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	n = recvmmsg(gw->esp_fd, msgs, gw->batch, MSG_DONTWAIT, NULL);
	if (n <= 0)
		return 0;
	for (i = 0; i < (unsigned int)n; i++) {
		const struct iphdr *ip;
		uint32_t len = msgs[i].msg_len, spi;

		gw->c.esp_rx++;
		gw->pkt_sa[i] = NULL;
		gw->in_len[i] = len;
		ip = ipv4(gw->in_buf[i], len);
		if ((msgs[i].msg_hdr.msg_flags & MSG_TRUNC) || !ip ||
		    ip->protocol != IPPROTO_ESP || len < ip->ihl * 4u + 8 ||
		    len > gw->max_packet_len) {
			gw->c.malformed++;
			continue;
		}
		gw->in_len[i] = ntohs(ip->tot_len);
		memcpy(&spi, gw->in_buf[i] + ip->ihl * 4, 4);
		gw->pkt_sa[i] = sa_by_spi(gw, ntohl(spi), ip->daddr);
		if (!gw->pkt_sa[i])
			gw->c.no_sa++;
	}
	if (run_batch(gw, (unsigned int)n, g_ipsec_la_multi_packet_decap,
		      &gw->c.batches_in))
		return -ENODEV;
	for (i = 0; i < (unsigned int)n; i++) {
		struct gw_sa *sa = gw->pkt_sa[i];
		const struct iphdr *inner;
		struct gw_policy *p;

		if (!sa)
			continue;
		if (gw->results[i].result) {
			count_decap_error(gw, gw->results[i].result);
			continue;
		}
		gw->c.decap_ok++;
		sa->packets++;
		sa->bytes += gw->in_len[i];
		inner = ipv4(gw->out_buf[i], gw->out_data[i].length);
		p = inner ? policy_find(gw, GW_DIR_IN, inner) : NULL;
		if (p)
			p->hits++;
		/* RFC 4301 s.5.2: the inner packet must be one this SA may carry */
		if (!p || p->action != GW_PROTECT || p->sa != sa) {
			gw->c.in_policy_drop++;
			continue;
		}
		if (write(gw->tun_fd, gw->out_buf[i], gw->out_data[i].length) <
		    0)
			gw->c.tx_err++;
		else
			gw->c.tun_tx++;
	}
	return n;
}
