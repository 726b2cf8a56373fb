// SPDX-License-Identifier: BSD-3-Clause
/*
 * esp_tool: drives the device core (qemu-device/engine, the same code QEMU
 * runs) from the command line so that independent ESP implementations can
 * be checked against it. It speaks to the core only through virtio requests
 * built as the guest driver builds them, so the request decoder is in the
 * path too.
 *
 *   esp_tool encap|decap --spi N --key HEX --salt HEX --src A.B.C.D --dst A.B.C.D
 *            [--window N] [--icv N]
 *
 * Reads one packet per line as hex on stdin. For each prints
 * "<status> <seq> <hex output>" (hex "-" when the status is not OK).
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

static void die(const char *msg)
{
	fprintf(stderr, "esp_tool: %s\n", msg);
	exit(2);
}

static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;

	while (s[0] && s[1] && s[0] != '\n') {
		unsigned int b;

		if (n == cap || sscanf(s, "%2x", &b) != 1)
			die("bad hex input");
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

static uint8_t ctrl_sa_add(struct vipsec_core *core,
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
	if (vipsec_core_handle_ctrl(core, req, sizeof(req), resp,
				    sizeof(resp)) != sizeof(resp))
		die("SA_ADD: bad response length");
	return resp[0];
}

/* One packet per data request: interop cares about bytes, not batching. */
static void xform(struct vipsec_core *core, uint16_t op, const uint8_t *in,
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
	used = vipsec_core_handle_data(core, req, req_len, resp, sizeof(resp));
	if (used < 0)
		die("data request refused as a protocol violation");
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

int main(int argc, char **argv)
{
	struct virtio_ipsec_sa_params sa = { 0 };
	struct vipsec_core_config cfg = {
		.max_sas = 16, .max_groups = 4, .max_packet_len = MAX_PKT,
		.max_batch = 1, .max_replay_window = 4096,
		.crypto_backend = "ipsec-mb",
	};
	static uint8_t pkt[MAX_PKT];
	static char line[2 * MAX_PKT + 4];
	struct vipsec_core *core;
	char err[256];
	uint8_t st;
	int encap;

	if (argc < 2)
		die("usage: esp_tool encap|decap --spi N --key HEX --salt HEX --src IP --dst IP [--window N] [--icv N]");
	encap = !strcmp(argv[1], "encap");
	if (!encap && strcmp(argv[1], "decap"))
		die("first argument must be encap or decap");

	sa.direction = encap ? VIRTIO_IPSEC_DIR_OUTBOUND : VIRTIO_IPSEC_DIR_INBOUND;
	sa.mode = VIRTIO_IPSEC_MODE_TUNNEL;
	sa.protocol = VIRTIO_IPSEC_PROTO_ESP;
	sa.ip_version = VIRTIO_IPSEC_IPV4;
	sa.cipher_alg = VIRTIO_IPSEC_CIPHER_AES_GCM;
	sa.auth_alg = VIRTIO_IPSEC_AUTH_NONE;
	sa.icv_len = 16;
	for (int i = 2; i + 1 < argc; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];

		if (!strcmp(k, "--spi")) {
			sa.spi = htole32(strtoul(v, NULL, 0));
		} else if (!strcmp(k, "--key")) {
			sa.cipher_key_len = unhex(v, sa.cipher_key, sizeof(sa.cipher_key));
		} else if (!strcmp(k, "--salt")) {
			sa.salt_len = unhex(v, sa.salt, sizeof(sa.salt));
		} else if (!strcmp(k, "--src")) {
			if (inet_pton(AF_INET, v, sa.tun_src) != 1)
				die("bad --src");
		} else if (!strcmp(k, "--dst")) {
			if (inet_pton(AF_INET, v, sa.tun_dst) != 1)
				die("bad --dst");
		} else if (!strcmp(k, "--window")) {
			sa.replay_window = htole32(strtoul(v, NULL, 0));
			sa.options |= htole32(VIRTIO_IPSEC_SA_OPT_ANTI_REPLAY);
		} else if (!strcmp(k, "--icv")) {
			sa.icv_len = strtoul(v, NULL, 0);
		} else {
			die("unknown option");
		}
	}

	core = vipsec_core_new(&cfg, err, sizeof(err));
	if (!core) {
		fprintf(stderr, "esp_tool: %s\n", err);
		return 2;
	}
	st = ctrl_sa_add(core, &sa);
	if (st != VIRTIO_IPSEC_OK) {
		fprintf(stderr, "esp_tool: SA_ADD refused with status %u\n", st);
		vipsec_core_free(core);
		return 2;
	}
	while (fgets(line, sizeof(line), stdin)) {
		size_t n = unhex(line, pkt, sizeof(pkt));

		xform(core, encap ? VIRTIO_IPSEC_OP_ENCAP : VIRTIO_IPSEC_OP_DECAP,
		      pkt, n);
	}
	vipsec_core_free(core);
	return 0;
}
