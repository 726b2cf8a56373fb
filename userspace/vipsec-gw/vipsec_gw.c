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
 * rather than AF_PACKET or AF_XDP: see vipsec-gw(8), "PACKET I/O". This
 * file: configuration, accelerator, SAs, counters, signals, the loop;
 * datapath.c: the packets.
 *
 * Nothing a peer sends is fatal: malformed packets, unknown SPIs, replays
 * and forgeries are counted and dropped. SIGUSR1 prints the counters,
 * SIGTERM/SIGINT print them, delete the SAs and exit.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/sock_diag.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "g_ipsec_la_sw.h"
#include "gw.h"

const char *prog = "vipsec-gw";

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
#define X(name, desc)                             \
	fprintf(f, "  %-15s %12llu  %s\n", #name, \
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
		struct g_ipsec_la_sa_get_outargs out = { .stats = &st,
							 .handles = &h };
		char dev[160] = "device: not added";

		if (sa->added) {
			int ret = g_ipsec_la_sa_get(&gw->accel, &in, 0, &out,
						    NULL);

			if (ret || out.num_sas != 1)
				snprintf(dev, sizeof(dev), "device: %s",
					 strerror(ret ? -ret : ENOENT));
			else
				snprintf(
					dev, sizeof(dev),
					"device: packets %llu bytes %llu icv %u replay %u late %u malformed %u",
					(unsigned long long)st.packets_processed,
					(unsigned long long)st.bytes_processed,
					st.protocol_violation_errors.invalid_icv,
					st.protocol_violation_errors
						.anti_replay_replay_pkt,
					st.protocol_violation_errors
						.anti_replay_late_pkt,
					st.protocol_violation_errors
						.invalid_ipsec_pkt);
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
			p->action == GW_BYPASS	? "bypass" :
						  "block",
			(unsigned long long)p->hits);
	}
	fprintf(f, "%s: end of counters\n", prog);
	fflush(f);
}

/* ---- SAs ------------------------------------------------------------- */

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
		struct g_ipsec_la_sa_add_outargs out = { .handles =
								 &s->handle };
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
		sa.crypto_params.icv_len_bits =
			s->comb_alg ? (uint8_t)s->icv_bits : 0;
		sa.crypto_params.cipher_algo = s->cipher_alg;
		sa.crypto_params.cipher_key =
			s->cipher_key_len ? s->cipher_key : NULL;
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
			fprintf(stderr,
				"%s: %s:%d: the accelerator refused SA spi 0x%08x: %s\n",
				prog, gw->path, s->line, s->spi,
				strerror(-ret));
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
			fprintf(stderr, "%s: deleting SA spi 0x%08x: %s\n",
				prog, s->spi, strerror(-ret));
			bad++;
		} else {
			n++;
		}
		s->added = 0;
	}
	printf("%s: deleted %u SA(s)%s\n", prog, n,
	       bad ? " (some failed)" : "");
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
			       gw->out_data && gw->results && gw->pkt_sa &&
			       gw->idx ?
		       0 :
		       -1;
}

static int open_accel(struct gw *gw)
{
	struct g_ipsec_la_open_inargs in;
	struct g_ipsec_la_open_outargs out;
	struct g_ipsec_cap_get_outargs caps;
	int ret;

	/* the in-process software accelerator is opt-in: registered only
	 * when the configuration names it */
	if (!strcmp(gw->conf.accelerator, G_IPSEC_LA_SOFTWARE_NAME)) {
		ret = g_ipsec_la_software_register();
		if (ret) {
			fprintf(stderr, "%s: software accelerator: %s\n", prog,
				strerror(-ret));
			return -1;
		}
	}
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
	gw->max_packet_len =
		caps.caps.max_packet_len ? caps.caps.max_packet_len : SLOT;
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
			int o = gw_outbound(gw), i = gw_inbound(gw);

			if (o == -ENODEV || i == -ENODEV) {
				fprintf(stderr, "%s: the accelerator is gone\n",
					prog);
				return -1;
			}
			busy = o > 0 || i > 0;
		} while (busy);
	}
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s [-c FILE] [--check]\n"
		"  -c, --config FILE  configuration (default /etc/vipsec-gw.conf)\n"
		"  -t, --check        check the configuration and exit\n"
		"  -h, --help         this text\n"
		"SIGUSR1 prints the counters; SIGTERM/SIGINT delete the SAs and exit.\n"
		"See vipsec-gw(8).\n",
		prog);
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
		case 'c': path = optarg; break;
		case 't': check = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
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
			fprintf(stderr, "%s: %s: %d error(s)\n", prog, path,
				ret);
		return 1;
	}
	if (check) {
		printf("%s: %s: ok: %u SA(s), %u policy line(s)\n", prog, path,
		       gw.conf.num_sas, gw.conf.num_policies);
		return 0;
	}
	gw.tun_fd = gw.esp_fd = gw.raw_fd = gw.sig_fd = -1;
	if (setup_signals(&gw) || open_accel(&gw) || alloc_buffers(&gw) ||
	    add_sas(&gw) || gw_open_tun(&gw) || gw_open_wan(&gw))
		goto out;
	printf("%s: ready: protected side %s (TUN, MTU %u), unprotected side %s, "
	       "%u SA(s), %u policy line(s), batches of up to %u packets\n",
	       prog, gw.conf.tunnel, gw.conf.mtu, gw.conf.wan, gw.conf.num_sas,
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
