// SPDX-License-Identifier: BSD-3-Clause
/*
 * esp_tool: drives the device core (engine, the same code QEMU
 * runs) from the command line so that independent ESP implementations can
 * be checked against it. It speaks to the core only through virtio requests
 * built as the guest driver builds them, so the request decoder is in the
 * path too.
 *
 *   esp_tool caps [--weak]
 *       prints "features 0x.. cipher_mask 0x.. auth_mask 0x.."
 *   esp_tool encap|decap [SA options]
 *       reads one packet per line as hex on stdin; for each prints
 *       "<status> <seq> <hex output>" (hex "-" when the status is not OK).
 *       When SA_ADD is refused prints "sa-refused <status>" and exits 3.
 *
 * SA options (defaults: tunnel, AES-GCM, no auth, ICV 16, IPv4):
 *   --mode tunnel|transport   --ipv 4|6 (outer / packet family)
 *   --spi N  --cipher NAME --key HEX --salt HEX  --auth NAME --akey HEX
 *   --icv N  --src IP --dst IP  --window N  --esn  --seq N (initial_seq)
 *   --udp SPORT:DPORT  --nat-oa IP  --dscp-mode copy|clear|set --dscp N
 *   --df-mode copy|clear|set  --ttl N  --ecn  --weak
 *   --flow-label N  --tfc N (pad to)  --dec-ttl  --sel PREFIX/LEN
 * Cipher names: null des 3des aes-cbc aes-ctr aes-gcm aes-ccm aes-gmac
 * chacha20-poly1305.
 * Auth names: none md5 sha1 xcbc sha256 sha384 sha512.
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vipsec_core.h"

#define SA_ID		1
#define MAX_PKT		65535

struct name_id {
	const char *name;
	uint8_t id;
};

static const struct name_id ciphers[] = {
	{ "null", VIRTIO_IPSEC_CIPHER_NULL },
	{ "des", VIRTIO_IPSEC_CIPHER_DES_CBC },
	{ "3des", VIRTIO_IPSEC_CIPHER_3DES_CBC },
	{ "aes-cbc", VIRTIO_IPSEC_CIPHER_AES_CBC },
	{ "aes-ctr", VIRTIO_IPSEC_CIPHER_AES_CTR },
	{ "aes-gcm", VIRTIO_IPSEC_CIPHER_AES_GCM },
	{ "aes-ccm", VIRTIO_IPSEC_CIPHER_AES_CCM },
	{ "aes-gmac", VIRTIO_IPSEC_CIPHER_AES_GMAC },
	{ "chacha20-poly1305", VIRTIO_IPSEC_CIPHER_CHACHA20_POLY1305 },
	{ NULL, 0 }
};

static const struct name_id auths[] = {
	{ "none", VIRTIO_IPSEC_AUTH_NONE },
	{ "md5", VIRTIO_IPSEC_AUTH_HMAC_MD5_96 },
	{ "sha1", VIRTIO_IPSEC_AUTH_HMAC_SHA1_96 },
	{ "xcbc", VIRTIO_IPSEC_AUTH_AES_XCBC_96 },
	{ "sha256", VIRTIO_IPSEC_AUTH_HMAC_SHA256 },
	{ "sha384", VIRTIO_IPSEC_AUTH_HMAC_SHA384 },
	{ "sha512", VIRTIO_IPSEC_AUTH_HMAC_SHA512 },
	{ NULL, 0 }
};

static const struct name_id hdr_modes[] = {
	{ "copy", VIRTIO_IPSEC_HDR_COPY },
	{ "clear", VIRTIO_IPSEC_HDR_CLEAR },
	{ "set", VIRTIO_IPSEC_HDR_SET },
	{ NULL, 0 }
};

static void die(const char *msg, const char *arg)
{
	fprintf(stderr, "esp_tool: %s%s%s\n", msg, arg ? ": " : "",
		arg ? arg : "");
	exit(2);
}

static uint8_t lookup(const struct name_id *t, const char *name)
{
	for (; t->name; t++)
		if (!strcmp(t->name, name))
			return t->id;
	die("unknown name", name);
	return 0;
}

static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;

	while (s[0] && s[1] && s[0] != '\n') {
		unsigned int b;

		if (n == cap || sscanf(s, "%2x", &b) != 1)
			die("bad hex input", NULL);
		out[n++] = b;
		s += 2;
	}
	return n;
}

static void put_hex(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
}

/* Either family; an IPv4 address fills the first 4 bytes (ABI rule). */
static void parse_addr(const char *v, uint8_t out[16])
{
	memset(out, 0, 16);
	if (inet_pton(AF_INET, v, out) != 1 && inet_pton(AF_INET6, v, out) != 1)
		die("bad address", v);
}

static uint8_t ctrl_sa_add(struct vpe_core *core,
			   const struct virtio_ipsec_sa_params *sa)
{
	uint8_t req[sizeof(struct virtio_ipsec_ctrl_hdr) + sizeof(*sa)];
	uint8_t resp[sizeof(struct virtio_ipsec_resp_footer)];
	struct virtio_ipsec_ctrl_hdr hdr = {
		.opcode = htole16(VIRTIO_IPSEC_OP_SA_ADD),
		.sa_id = htole32(SA_ID),
	};

	memcpy(req, &hdr, sizeof(hdr));
	memcpy(req + sizeof(hdr), sa, sizeof(*sa));
	if (vpe_core_handle_ctrl(core, req, sizeof(req), resp,
				 sizeof(resp)) != sizeof(resp))
		die("SA_ADD: bad response length", NULL);
	return resp[0];
}

/* One packet per data request: interop cares about bytes, not batching. */
static void xform(struct vpe_core *core, uint16_t op, const uint8_t *in,
		  size_t in_len)
{
	static uint8_t req[sizeof(struct virtio_ipsec_data_hdr) +
			   sizeof(struct virtio_ipsec_pkt_req) + MAX_PKT];
	static uint8_t resp[sizeof(struct virtio_ipsec_pkt_result) + MAX_PKT +
			    sizeof(struct virtio_ipsec_resp_footer)];
	struct virtio_ipsec_data_hdr hdr = {
		.opcode = htole16(op),
		.num_pkts = htole32(1),
	};
	struct virtio_ipsec_pkt_req pkt = {
		.sa_id = htole32(SA_ID),
		.in_len = htole32(in_len),
		.out_cap = htole32(MAX_PKT),
	};
	struct virtio_ipsec_pkt_result res;
	struct virtio_ipsec_resp_footer ftr;
	size_t req_len = sizeof(hdr) + sizeof(pkt) + in_len;
	ssize_t used;

	memcpy(req, &hdr, sizeof(hdr));
	memcpy(req + sizeof(hdr), &pkt, sizeof(pkt));
	memcpy(req + sizeof(hdr) + sizeof(pkt), in, in_len);
	used = vpe_core_handle_data(core, req, req_len, resp, sizeof(resp));
	if (used < 0)
		die("data request refused as a protocol violation", NULL);
	memcpy(&ftr, resp + sizeof(resp) - sizeof(ftr), sizeof(ftr));
	if (ftr.status != VIRTIO_IPSEC_OK) {
		printf("request-error-%u 0 -\n", ftr.status);
		return;
	}
	memcpy(&res, resp, sizeof(res));
	printf("%u %llu ", res.status,
	       (unsigned long long)le32toh(res.seq_hi) << 32 | le32toh(res.seq_lo));
	if (res.status == VIRTIO_IPSEC_OK || res.status == VIRTIO_IPSEC_SOFT_EXPIRY)
		put_hex(resp + sizeof(res), le32toh(res.out_len));
	else
		printf("-");
	printf("\n");
}

/* --sel PREFIX/LEN: the inner-source selector of an inbound SA */
static void parse_sel(const char *v, struct virtio_ipsec_sa_params *sa)
{
	char buf[64];
	char *slash;

	snprintf(buf, sizeof(buf), "%s", v);
	slash = strchr(buf, '/');
	if (!slash)
		die("bad --sel, want PREFIX/LEN", v);
	*slash = 0;
	parse_addr(buf, sa->sel_src);
	sa->sel_prefix_len = strtoul(slash + 1, NULL, 0);
	sa->options |= htole32(VIRTIO_IPSEC_SA_OPT_SELECTOR);
}

static void parse_udp(const char *v, struct virtio_ipsec_sa_params *sa)
{
	unsigned int s, d;

	if (sscanf(v, "%u:%u", &s, &d) != 2 || s > 65535 || d > 65535)
		die("bad --udp, want SPORT:DPORT", v);
	sa->udp_src_port = htole16(s);
	sa->udp_dst_port = htole16(d);
	sa->options |= htole32(VIRTIO_IPSEC_SA_OPT_UDP_ENCAP);
}

/* Returns 1 when the option takes no value. */
static int parse_opt(const char *k, const char *v,
		     struct virtio_ipsec_sa_params *sa,
		     struct vpe_core_config *cfg)
{
	if (!strcmp(k, "--esn")) {
		sa->options |= htole32(VIRTIO_IPSEC_SA_OPT_ESN);
		return 1;
	}
	if (!strcmp(k, "--ecn")) {
		sa->options |= htole32(VIRTIO_IPSEC_SA_OPT_ECN);
		return 1;
	}
	if (!strcmp(k, "--dec-ttl")) {
		sa->options |= htole32(VIRTIO_IPSEC_SA_OPT_DEC_TTL);
		return 1;
	}
	if (!strcmp(k, "--weak")) {
		cfg->allow_weak_algos = true;
		return 1;
	}
	if (!v)
		die("option needs a value", k);
	if (!strcmp(k, "--mode"))
		sa->mode = !strcmp(v, "transport") ? VIRTIO_IPSEC_MODE_TRANSPORT :
			   !strcmp(v, "tunnel") ? VIRTIO_IPSEC_MODE_TUNNEL :
			   (die("bad --mode", v), 0);
	else if (!strcmp(k, "--ipv"))
		sa->ip_version = strtoul(v, NULL, 0);
	else if (!strcmp(k, "--spi"))
		sa->spi = htole32(strtoul(v, NULL, 0));
	else if (!strcmp(k, "--cipher"))
		sa->cipher_alg = lookup(ciphers, v);
	else if (!strcmp(k, "--auth"))
		sa->auth_alg = lookup(auths, v);
	else if (!strcmp(k, "--key"))
		sa->cipher_key_len = unhex(v, sa->cipher_key, sizeof(sa->cipher_key));
	else if (!strcmp(k, "--akey"))
		sa->auth_key_len = unhex(v, sa->auth_key, sizeof(sa->auth_key));
	else if (!strcmp(k, "--salt"))
		sa->salt_len = unhex(v, sa->salt, sizeof(sa->salt));
	else if (!strcmp(k, "--icv"))
		sa->icv_len = strtoul(v, NULL, 0);
	else if (!strcmp(k, "--src"))
		parse_addr(v, sa->tun_src);
	else if (!strcmp(k, "--dst"))
		parse_addr(v, sa->tun_dst);
	else if (!strcmp(k, "--nat-oa"))
		parse_addr(v, sa->nat_oa);
	else if (!strcmp(k, "--window")) {
		sa->replay_window = htole32(strtoul(v, NULL, 0));
		sa->options |= htole32(VIRTIO_IPSEC_SA_OPT_ANTI_REPLAY);
	} else if (!strcmp(k, "--seq"))
		sa->initial_seq = htole64(strtoull(v, NULL, 0));
	else if (!strcmp(k, "--udp"))
		parse_udp(v, sa);
	else if (!strcmp(k, "--dscp-mode"))
		sa->dscp_mode = lookup(hdr_modes, v);
	else if (!strcmp(k, "--dscp"))
		sa->dscp = strtoul(v, NULL, 0);
	else if (!strcmp(k, "--df-mode"))
		sa->df_mode = lookup(hdr_modes, v);
	else if (!strcmp(k, "--ttl"))
		sa->ttl = strtoul(v, NULL, 0);
	else if (!strcmp(k, "--flow-label"))
		sa->flow_label = htole32(strtoul(v, NULL, 0));
	else if (!strcmp(k, "--tfc")) {
		sa->tfc_pad_to = htole32(strtoul(v, NULL, 0));
		sa->options |= htole32(VIRTIO_IPSEC_SA_OPT_TFC_PAD);
	} else if (!strcmp(k, "--sel"))
		parse_sel(v, sa);
	else
		die("unknown option", k);
	return 0;
}

static int caps(struct vpe_core *core)
{
	struct virtio_ipsec_config c;

	vpe_core_fill_config(core, &c);
	printf("features 0x%llx cipher_mask 0x%llx auth_mask 0x%llx\n",
	       (unsigned long long)vpe_core_features(core),
	       (unsigned long long)le64toh(c.cipher_algo_mask),
	       (unsigned long long)le64toh(c.auth_algo_mask));
	return 0;
}

int main(int argc, char **argv)
{
	struct virtio_ipsec_sa_params sa = { 0 };
	struct vpe_core_config cfg = {
		.max_sas = 16, .max_groups = 4, .max_packet_len = MAX_PKT,
		.max_batch = 1, .max_replay_window = 4096,
		.crypto_backend = "ipsec-mb",
	};
	static uint8_t pkt[MAX_PKT];
	static char line[2 * MAX_PKT + 4];
	struct vpe_core *core;
	const char *be = getenv("VIPSEC_BACKEND");
	char err[256];
	uint8_t st;
	int encap, i;

	if (argc < 2)
		die("usage: esp_tool caps|encap|decap [options]; see the source", NULL);
	encap = !strcmp(argv[1], "encap");
	if (!encap && strcmp(argv[1], "decap") && strcmp(argv[1], "caps"))
		die("first argument must be caps, encap or decap", argv[1]);
	if (be && *be)
		cfg.crypto_backend = be;

	sa.direction = encap ? VIRTIO_IPSEC_DIR_OUTBOUND : VIRTIO_IPSEC_DIR_INBOUND;
	sa.mode = VIRTIO_IPSEC_MODE_TUNNEL;
	sa.protocol = VIRTIO_IPSEC_PROTO_ESP;
	sa.ip_version = VIRTIO_IPSEC_IPV4;
	sa.cipher_alg = VIRTIO_IPSEC_CIPHER_AES_GCM;
	sa.auth_alg = VIRTIO_IPSEC_AUTH_NONE;
	sa.icv_len = 16;
	for (i = 2; i < argc; i++)
		if (!parse_opt(argv[i], i + 1 < argc ? argv[i + 1] : NULL,
			       &sa, &cfg))
			i++;

	core = vpe_core_new(&cfg, err, sizeof(err));
	if (!core) {
		fprintf(stderr, "esp_tool: %s\n", err);
		return 2;
	}
	if (!strcmp(argv[1], "caps")) {
		caps(core);
		vpe_core_free(core);
		return 0;
	}
	st = ctrl_sa_add(core, &sa);
	if (st != VIRTIO_IPSEC_OK) {
		printf("sa-refused %u\n", st);
		vpe_core_free(core);
		return 3;
	}
	while (fgets(line, sizeof(line), stdin)) {
		size_t n = unhex(line, pkt, sizeof(pkt));

		xform(core, encap ? VIRTIO_IPSEC_OP_ENCAP : VIRTIO_IPSEC_OP_DECAP,
		      pkt, n);
	}
	vpe_core_free(core);
	return 0;
}
