/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * config.h - vipsec-gw's configuration: interfaces, SAs ("state" lines in
 * the words of ip xfrm state) and policies ("policy" lines in the words of
 * ip xfrm policy). See vipsec-gw(8) for the syntax.
 */
#ifndef VIPSEC_GW_CONFIG_H
#define VIPSEC_GW_CONFIG_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>

#include "g_ipsec_la.h"

#define GW_MAX_SAS	64
#define GW_MAX_POLICIES 64
#define GW_MAX_KEY	64 /* bytes: HMAC-SHA-512 key is the longest */

enum gw_dir { GW_DIR_IN, GW_DIR_OUT };
enum gw_action { GW_PROTECT, GW_BYPASS, GW_DROP };

struct gw_sa {
	int line; /* where it was configured */
	enum gw_dir dir;
	uint32_t spi;
	struct in_addr src, dst; /* outer (tunnel) addresses */
	uint32_t replay_window;	 /* inbound, 0 = no check */
	int esn;
	/* algorithm ids and keys as the g-API takes them */
	uint32_t comb_alg, cipher_alg, auth_alg;
	uint8_t comb_key[GW_MAX_KEY], cipher_key[GW_MAX_KEY],
		auth_key[GW_MAX_KEY];
	uint32_t comb_key_len, cipher_key_len, auth_key_len; /* bytes */
	uint32_t icv_bits;
	/* run time */
	struct g_ipsec_la_sa_handle handle;
	int added;
	uint64_t packets, bytes; /* processed successfully */
};

struct gw_policy {
	int line;
	enum gw_dir dir;
	uint32_t src, src_mask, dst, dst_mask; /* network byte order */
	int src_len, dst_len;
	enum gw_action action;
	struct gw_sa *sa; /* GW_PROTECT */
	uint64_t hits;
};

struct gw_config {
	char tunnel[IF_NAMESIZE]; /* TUN device (protected side) */
	char wan[IF_NAMESIZE];	  /* unprotected interface */
	struct in_addr local;	  /* our address on the wan side */
	int have_local;
	char accelerator[G_IPSEC_LA_ACCL_NAME_LEN]; /* "" = first */
	unsigned int batch; /* packets per device request */
	unsigned int mtu;   /* of the TUN device */
	unsigned int num_sas, num_policies;
	struct gw_sa sas[GW_MAX_SAS];
	struct gw_policy policies[GW_MAX_POLICIES];
};

/*
 * gw_config_load() - parse @path into @conf. Every error is printed to
 * @err as "PATH:LINE: message"; parsing continues so that one run shows
 * every bad line. Return: 0, or the number of errors (> 0), or -1 when the
 * file cannot be read.
 */
int gw_config_load(const char *path, struct gw_config *conf, FILE *err);

/* Names for messages. */
const char *gw_alg_name(const struct gw_sa *sa);
void gw_prefix_str(uint32_t addr, int len, char *buf, size_t size);

#endif /* VIPSEC_GW_CONFIG_H */
