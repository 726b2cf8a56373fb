/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * gw.h - vipsec-gw's state shared by the control part (vipsec_gw.c:
 * configuration, accelerator, SAs, signals, main loop) and the data path
 * (datapath.c: TUN and raw sockets, policies, batches).
 */
#ifndef VIPSEC_GW_GW_H
#define VIPSEC_GW_GW_H

#include <stdint.h>

#include "config.h"

#define SLOT 4096 /* bytes per packet buffer: MTU plus ESP overhead */

/* Gateway counters; printed by name (see vipsec-gw(8), COUNTERS). */
#define GW_COUNTERS(X)                                                  \
	X(tun_rx, "packets read from the TUN device")                   \
	X(not_ipv4, "TUN packets that are not IPv4 (dropped)")          \
	X(out_protect, "outbound packets matching a protect policy")    \
	X(out_bypass, "outbound packets sent in clear (bypass policy)") \
	X(out_drop, "outbound packets dropped (block policy or none)")  \
	X(encap_ok, "packets encapsulated by the accelerator")          \
	X(encap_err, "packets the accelerator refused to encapsulate")  \
	X(esp_tx, "ESP packets sent on the wan interface")              \
	X(tx_err, "packets the kernel refused to send")                 \
	X(esp_rx, "ESP packets received on the wan interface")          \
	X(esp_rx_lost, "ESP packets the kernel dropped (socket full)")  \
	X(malformed, "ESP packets malformed (truncated, bad padding)")  \
	X(no_sa, "ESP packets with an SPI of no inbound SA")            \
	X(auth_fail, "ESP packets failing authentication (ICV)")        \
	X(replay, "ESP packets replayed or left of the window")         \
	X(decap_err, "ESP packets refused for another reason")          \
	X(decap_ok, "packets decapsulated by the accelerator")          \
	X(in_policy_drop, "decapsulated packets outside the policies")  \
	X(tun_tx, "packets written to the TUN device")                  \
	X(batches_out, "encapsulation requests to the accelerator")     \
	X(batches_in, "decapsulation requests to the accelerator")

struct gw_counters {
#define X(name, desc) uint64_t name;
	GW_COUNTERS(X)
#undef X
};

struct gw {
	const char *path; /* of the configuration */
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

extern const char *prog;

/* datapath.c */
int gw_open_tun(struct gw *gw);
int gw_open_wan(struct gw *gw);
/* Drain up to one batch from the protected / unprotected side: number of
 * packets handled, or -ENODEV when the accelerator is gone. */
int gw_outbound(struct gw *gw);
int gw_inbound(struct gw *gw);

#endif /* VIPSEC_GW_GW_H */
