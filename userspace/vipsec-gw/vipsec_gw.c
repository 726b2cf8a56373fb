// SPDX-License-Identifier: BSD-3-Clause
/*
 * vipsec-gw - an IPsec tunnel gateway (a small VNF) on the g-API.
 *
 * Protected side: a TUN device. The kernel routes the traffic to protect
 * into it; the gateway reads whole IPv4 packets, matches them against the
 * policy table (first match), encapsulates them through the accelerator
 * one g_ipsec_la_multi_packet_encap() per SA and batch, and sends the ESP
 * packets out of the unprotected interface through a raw IPv4 socket (the
 * kernel resolves the next hop). Unprotected side: a raw IPPROTO_ESP
 * socket bound to that interface receives the ESP packets addressed to the
 * gateway; the gateway finds the SA by SPI in its own table (the g-API has
 * no lookup by SPI), decapsulates per SA and batch, checks the inner packet
 * against the inbound policies and writes it to the TUN device, from where
 * the kernel forwards it to the protected network. Why TUN and raw sockets
 * rather than AF_PACKET or AF_XDP: see vipsec-gw(8), "PACKET I/O".
 *
 * Nothing a peer sends is fatal: malformed packets, unknown SPIs, replays
 * and forgeries are counted and dropped. SIGUSR1 prints the counters,
 * SIGTERM/SIGINT print them, delete the SAs and exit.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/if_tun.h>
#include <linux/sock_diag.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"

#define SLOT 4096	/* bytes per packet buffer: MTU plus ESP overhead */

/* Gateway counters; printed by name (see vipsec-gw(8), COUNTERS). */
#define GW_COUNTERS(X)							\
	X(tun_rx, "packets read from the TUN device")			\
	X(not_ipv4, "TUN packets that are not IPv4 (dropped)")		\
	X(out_protect, "outbound packets matching a protect policy")	\
	X(out_bypass, "outbound packets sent in clear (bypass policy)")\
	X(out_drop, "outbound packets dropped (block policy or none)")	\
	X(encap_ok, "packets encapsulated by the accelerator")		\
	X(encap_err, "packets the accelerator refused to encapsulate")	\
	X(esp_tx, "ESP packets sent on the wan interface")		\
	X(tx_err, "packets the kernel refused to send")			\
	X(esp_rx, "ESP packets received on the wan interface")		\
	X(esp_rx_lost, "ESP packets the kernel dropped (socket full)")	\
	X(malformed, "ESP packets malformed (truncated, bad padding)")	\
	X(no_sa, "ESP packets with an SPI of no inbound SA")		\
	X(auth_fail, "ESP packets failing authentication (ICV)")	\
	X(replay, "ESP packets replayed or left of the window")	\
	X(decap_err, "ESP packets refused for another reason")		\
	X(decap_ok, "packets decapsulated by the accelerator")		\
	X(in_policy_drop, "decapsulated packets outside the policies")	\
	X(tun_tx, "packets written to the TUN device")			\
	X(batches_out, "encapsulation requests to the accelerator")	\
	X(batches_in, "decapsulation requests to the accelerator")

struct gw_counters {
#define X(name, desc) uint64_t name;
	GW_COUNTERS(X)
#undef X
};

struct gw {
	const char *path;	/* of the configuration */
	struct gw_config conf;
	struct g_ipsec_la_handle accel;
	int have_accel;
	unsigned int batch;
	uint32_t max_packet_len;
	int tun_fd, esp_fd, raw_fd, sig_fd;
	struct gw_counters c;
	/* batch buffers */
	uint8_t (*in_buf)[SLOT], (*out_buf)[SLOT];
	uint32_t *in_len;
	struct g_ipsec_la_data *in_data, *out_data;
	struct g_ipsec_la_packet *in_pkts, *out_pkts;
	struct g_ipsec_la_pkt_result *results;
	struct gw_sa **pkt_sa;
	unsigned int *idx;
};

static const char *prog = "vipsec-gw";

/* ---- counters --------------------------------------------------------- */

static void print_counters(struct gw *gw, FILE *f)
{
	uint32_t mem[SK_MEMINFO_VARS];
	socklen_t ml = sizeof(mem);
	unsigned int i;

	/* drops before we could read: the receive buffer was full */
	if (gw->esp_fd >= 0 &&
	    !getsockopt(gw->esp_fd, SOL_SOCKET, SO_MEMINFO, mem, &ml) &&
	    ml > SK_MEMINFO_DROPS * sizeof(mem[0]))
		gw->c.esp_rx_lost = mem[SK_MEMINFO_DROPS];

	fprintf(f, "%s: counters\n", prog);
#define X(name, desc) fprintf(f, "  %-15s %12llu  %s\n", #name, \
			      (unsigned long long)gw->c.name, desc);
	GW_COUNTERS(X)
#undef X
	for (i = 0; i < gw->conf.num_sas; i++) {
		struct gw_sa *sa = &gw->conf.sas[i];
		struct g_ipsec_la_sa_get_inargs in = {
			.dir = sa->dir == GW_DIR_IN ? G_IPSEC_LA_IPSEC_INBOUND :
						      G_IPSEC_LA_IPSEC_OUTBOUND,
			.handle = &sa->handle,
			.operation = G_IPSEC_LA_SA_GET_EXACT,
			.num_sas = 1,
			.flags = G_IPSEC_LA_SA_GET_STATS,
		};
		struct g_ipsec_la_sa_stats st;
		struct g_ipsec_la_sa_handle h;
		struct g_ipsec_la_sa_get_outargs out = { .stats = &st, .handles = &h };
		char dev[160] = "device: not added";

		if (sa->added) {
			int ret = g_ipsec_la_sa_get(&gw->accel, &in, 0, &out, NULL);

			if (ret || out.num_sas != 1)
				snprintf(dev, sizeof(dev), "device: %s",
					 strerror(ret ? -ret : ENOENT));
			else
				snprintf(dev, sizeof(dev),
					 "device: packets %llu bytes %llu icv %u replay %u late %u malformed %u",
					 (unsigned long long)st.packets_processed,
					 (unsigned long long)st.bytes_processed,
					 st.protocol_violation_errors.invalid_icv,
					 st.protocol_violation_errors.anti_replay_replay_pkt,
					 st.protocol_violation_errors.anti_replay_late_pkt,
					 st.protocol_violation_errors.invalid_ipsec_pkt);
		}
		fprintf(f, "  sa spi 0x%08x %-3s packets %llu bytes %llu  %s\n",
			sa->spi, sa->dir == GW_DIR_IN ? "in" : "out",
			(unsigned long long)sa->packets,
			(unsigned long long)sa->bytes, dev);
	}
	for (i = 0; i < gw->conf.num_policies; i++) {
		struct gw_policy *p = &gw->conf.policies[i];
		char s[32], d[32];

		gw_prefix_str(p->src, p->src_len, s, sizeof(s));
		gw_prefix_str(p->dst, p->dst_len, d, sizeof(d));
		fprintf(f, "  policy line %-3d %-3s %s -> %s %s: hits %llu\n",
			p->line, p->dir == GW_DIR_IN ? "in" : "out", s, d,
			p->action == GW_PROTECT ? "protect" :
			p->action == GW_BYPASS ? "bypass" : "block",
			(unsigned long long)p->hits);
	}
	fprintf(f, "%s: end of counters\n", prog);
	fflush(f);
}

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

static void g_addr(struct g_ip_addr *a, struct in_addr in)
{
	memset(a, 0, sizeof(*a));
	a->version = 4;
	memcpy(a->addr.ipv4, &in, 4);
}

static int add_sas(struct gw *gw)
{
	unsigned int i;

	for (i = 0; i < gw->conf.num_sas; i++) {
		struct gw_sa *s = &gw->conf.sas[i];
		struct g_ipsec_la_sa sa;
		struct g_ipsec_la_sa_add_inargs in;
		struct g_ipsec_la_sa_add_outargs out = { .handles = &s->handle };
		char src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN];
		int ret;

		memset(&sa, 0, sizeof(sa));
		sa.spi = s->spi;
		sa.proto = G_IPSEC_LA_PROTO_ESP;
		sa.cmn_flags = s->esn ? G_IPSEC_LA_SA_USE_ESN : 0;
		if (s->dir == GW_DIR_IN && s->replay_window) {
			sa.cmn_flags |= G_IPSEC_LA_SA_DO_ANTI_REPLAY_CHECK;
			sa.u.inb.anti_replay_window_size = s->replay_window;
		}
		sa.crypto_params.comb_algo = s->comb_alg;
		sa.crypto_params.comb_key = s->comb_alg ? s->comb_key : NULL;
		sa.crypto_params.comb_key_len_bits = s->comb_key_len * 8;
		sa.crypto_params.icv_len_bits = s->comb_alg ? (uint8_t)s->icv_bits : 0;
		sa.crypto_params.cipher_algo = s->cipher_alg;
		sa.crypto_params.cipher_key = s->cipher_key_len ? s->cipher_key : NULL;
		sa.crypto_params.cipher_key_len_bits = s->cipher_key_len * 8;
		sa.crypto_params.auth_algo = s->auth_alg;
		sa.crypto_params.auth_key = s->auth_alg ? s->auth_key : NULL;
		sa.crypto_params.auth_key_len_bits = s->auth_key_len * 8;
		g_addr(&sa.te_addr.src_ip, s->src);
		g_addr(&sa.te_addr.dest_ip, s->dst);
		in.dir = s->dir == GW_DIR_IN ? G_IPSEC_LA_IPSEC_INBOUND :
					       G_IPSEC_LA_IPSEC_OUTBOUND;
		in.num_sas = 1;
		in.sa_params = &sa;
		ret = g_ipsec_la_sa_add(&gw->accel, &in, 0, &out, NULL);
		memset(&sa, 0, sizeof(sa));
		if (ret) {
			fprintf(stderr, "%s: %s:%d: the accelerator refused SA spi 0x%08x: %s\n",
				prog, gw->path, s->line, s->spi, strerror(-ret));
			return -1;
		}
		s->added = 1;
		inet_ntop(AF_INET, &s->src, src, sizeof(src));
		inet_ntop(AF_INET, &s->dst, dst, sizeof(dst));
		printf("%s: SA spi 0x%08x %-3s %s -> %s %s%s\n", prog, s->spi,
		       s->dir == GW_DIR_IN ? "in" : "out", src, dst,
		       gw_alg_name(s), s->replay_window ? ", anti-replay" : "");
	}
	return 0;
}

static void del_sas(struct gw *gw)
{
	unsigned int i, n = 0, bad = 0;

	for (i = 0; i < gw->conf.num_sas; i++) {
		struct gw_sa *s = &gw->conf.sas[i];
		struct g_ipsec_la_sa_del_inargs in = {
			.dir = s->dir == GW_DIR_IN ? G_IPSEC_LA_IPSEC_INBOUND :
						     G_IPSEC_LA_IPSEC_OUTBOUND,
			.handle = &s->handle,
		};
		int ret;

		if (!s->added)
			continue;
		ret = g_ipsec_la_sa_del(&gw->accel, &in, 0, NULL, NULL);
		if (ret) {
			fprintf(stderr, "%s: deleting SA spi 0x%08x: %s\n", prog,
				s->spi, strerror(-ret));
			bad++;
		} else {
			n++;
		}
		s->added = 0;
	}
	printf("%s: deleted %u SA(s)%s\n", prog, n, bad ? " (some failed)" : "");
}

/* ---- packet I/O -------------------------------------------------------- */

static int open_tun(struct gw *gw)
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

static int open_wan(struct gw *gw)
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

static int outbound(struct gw *gw)
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
		send_ip(gw, gw->out_buf[i], gw->out_data[i].length, sa->dst.s_addr);
		gw->c.esp_tx++;
	}
	return (int)n;
}

static void count_decap_error(struct gw *gw, int32_t err)
{
	switch (err) {
	case -EBADMSG:
		gw->c.auth_fail++;
		break;
	case -EALREADY:
	case -ERANGE:
		gw->c.replay++;
		break;
	case -EPROTO:
	case -EPROTONOSUPPORT:
	case -EMSGSIZE:
		gw->c.malformed++;
		break;
	case -EACCES:
		gw->c.in_policy_drop++;
		break;
	case -ENOENT:
		gw->c.no_sa++;
		break;
	default:
		gw->c.decap_err++;
	}
}

static int inbound(struct gw *gw)
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
		if (write(gw->tun_fd, gw->out_buf[i], gw->out_data[i].length) < 0)
			gw->c.tx_err++;
		else
			gw->c.tun_tx++;
	}
	return n;
}

/* ---- setup and main loop ------------------------------------------------ */

static int alloc_buffers(struct gw *gw)
{
	unsigned int b = gw->batch;

	gw->in_buf = calloc(b, SLOT);
	gw->out_buf = calloc(b, SLOT);
	gw->in_len = calloc(b, sizeof(*gw->in_len));
	gw->in_data = calloc(b, sizeof(*gw->in_data));
	gw->out_data = calloc(b, sizeof(*gw->out_data));
	gw->results = calloc(b, sizeof(*gw->results));
	gw->pkt_sa = calloc(b, sizeof(*gw->pkt_sa));
	gw->idx = calloc(b, sizeof(*gw->idx));
	return gw->in_buf && gw->out_buf && gw->in_len && gw->in_data &&
	       gw->out_data && gw->results && gw->pkt_sa && gw->idx ? 0 : -1;
}

static int open_accel(struct gw *gw)
{
	struct g_ipsec_la_open_inargs in;
	struct g_ipsec_la_open_outargs out;
	struct g_ipsec_cap_get_outargs caps;
	int ret;

	memset(&in, 0, sizeof(in));
	in.app_identity = "vipsec-gw";
	in.accl_name = gw->conf.accelerator[0] ? gw->conf.accelerator : NULL;
	ret = g_ipsec_la_open(G_IPSEC_LA_INSTANCE_SHARED, &in, &out);
	if (ret) {
		fprintf(stderr, "%s: opening accelerator %s: %s\n", prog,
			in.accl_name ? in.accl_name : "(first present)",
			strerror(-ret));
		return -1;
	}
	gw->accel = out.handle;
	gw->have_accel = 1;
	ret = g_ipsec_la_capabilities_get(&gw->accel, 0, &caps, NULL);
	if (ret) {
		fprintf(stderr, "%s: capabilities: %s\n", prog, strerror(-ret));
		return -1;
	}
	gw->batch = gw->conf.batch;
	if (caps.caps.max_batch && gw->batch > caps.caps.max_batch)
		gw->batch = caps.caps.max_batch;
	gw->max_packet_len = caps.caps.max_packet_len ? caps.caps.max_packet_len : SLOT;
	if (gw->max_packet_len > SLOT)
		gw->max_packet_len = SLOT;
	return 0;
}

static int setup_signals(struct gw *gw)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	gw->sig_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	signal(SIGPIPE, SIG_IGN);
	return gw->sig_fd < 0 ? -1 : 0;
}

/* Returns 0 on a signal to stop, -1 when the accelerator is gone. */
static int loop(struct gw *gw)
{
	struct pollfd pfd[3] = {
		{ .fd = gw->tun_fd, .events = POLLIN },
		{ .fd = gw->esp_fd, .events = POLLIN },
		{ .fd = gw->sig_fd, .events = POLLIN },
	};

	for (;;) {
		struct signalfd_siginfo si;
		int busy;

		if (poll(pfd, 3, -1) < 0 && errno != EINTR)
			return -1;
		while (read(gw->sig_fd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo == SIGUSR1)
				print_counters(gw, stdout);
			else if (si.ssi_signo != SIGHUP) {
				printf("%s: %s: stopping\n", prog,
				       strsignal((int)si.ssi_signo));
				return 0;
			}
		}
		/* alternate the directions until both are drained */
		do {
			int o = outbound(gw), i = inbound(gw);

			if (o == -ENODEV || i == -ENODEV) {
				fprintf(stderr, "%s: the accelerator is gone\n", prog);
				return -1;
			}
			busy = o > 0 || i > 0;
		} while (busy);
	}
}

static void usage(FILE *f)
{
	fprintf(f, "usage: %s [-c FILE] [--check]\n"
		"  -c, --config FILE  configuration (default /etc/vipsec-gw.conf)\n"
		"  -t, --check        check the configuration and exit\n"
		"  -h, --help         this text\n"
		"SIGUSR1 prints the counters; SIGTERM/SIGINT delete the SAs and exit.\n"
		"See vipsec-gw(8).\n", prog);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = "/etc/vipsec-gw.conf";
	static struct gw gw;
	int opt, check = 0, ret, rc = 1;

	while ((opt = getopt_long(argc, argv, "c:th", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			path = optarg;
			break;
		case 't':
			check = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	gw.path = path;
	ret = gw_config_load(path, &gw.conf, stderr);
	if (ret) {
		if (ret > 0)
			fprintf(stderr, "%s: %s: %d error(s)\n", prog, path, ret);
		return 1;
	}
	if (check) {
		printf("%s: %s: ok: %u SA(s), %u policy line(s)\n", prog, path,
		       gw.conf.num_sas, gw.conf.num_policies);
		return 0;
	}
	gw.tun_fd = gw.esp_fd = gw.raw_fd = gw.sig_fd = -1;
	if (setup_signals(&gw) || open_accel(&gw) || alloc_buffers(&gw) ||
	    add_sas(&gw) || open_tun(&gw) || open_wan(&gw))
		goto out;
	printf("%s: ready: protected side %s (TUN, MTU %u), unprotected side %s, "
	       "%u SA(s), %u policy line(s), batches of up to %u packets\n", prog,
	       gw.conf.tunnel, gw.conf.mtu, gw.conf.wan, gw.conf.num_sas,
	       gw.conf.num_policies, gw.batch);
	rc = loop(&gw) ? 1 : 0;
	print_counters(&gw, stdout);
out:
	if (gw.have_accel) {
		del_sas(&gw);
		g_ipsec_la_close(&gw.accel);
	}
	if (gw.tun_fd >= 0)
		close(gw.tun_fd);
	if (gw.esp_fd >= 0)
		close(gw.esp_fd);
	if (gw.raw_fd >= 0)
		close(gw.raw_fd);
	return rc;
}
