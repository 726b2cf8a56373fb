// SPDX-License-Identifier: BSD-3-Clause
/* The fuzzers' fixed SA set (see fuzz_sas.h). */
#include <endian.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_sas.h"

struct fuzz_sa {
	uint8_t cipher, auth, klen, aklen, salt, icv, mode, ipv;
	uint32_t options;
	uint64_t seq;
};

#define T VIRTIO_IPSEC_MODE_TUNNEL
#define TR VIRTIO_IPSEC_MODE_TRANSPORT
#define ESN VIRTIO_IPSEC_SA_OPT_ESN
#define UDP VIRTIO_IPSEC_SA_OPT_UDP_ENCAP

static const struct fuzz_sa sas[FUZZ_NSAS] = {
	{ VIRTIO_IPSEC_CIPHER_AES_GCM, VIRTIO_IPSEC_AUTH_NONE, 16, 0, 4, 16, T, 4, 0, 0 },
	{ VIRTIO_IPSEC_CIPHER_AES_GCM, VIRTIO_IPSEC_AUTH_NONE, 32, 0, 4, 8, T, 4, 0, 0 },
	{ VIRTIO_IPSEC_CIPHER_AES_GCM, VIRTIO_IPSEC_AUTH_NONE, 16, 0, 4, 16, T, 4, ESN, 0xfffffff0ull },
	{ VIRTIO_IPSEC_CIPHER_AES_CCM, VIRTIO_IPSEC_AUTH_NONE, 16, 0, 3, 16, T, 4, 0, 0 },
	{ VIRTIO_IPSEC_CIPHER_AES_GMAC, VIRTIO_IPSEC_AUTH_NONE, 16, 0, 4, 16, T, 4, 0, 0 },
	{ VIRTIO_IPSEC_CIPHER_AES_CBC, VIRTIO_IPSEC_AUTH_HMAC_SHA256, 16, 32, 0, 16, T, 4, 0, 0 },
	{ VIRTIO_IPSEC_CIPHER_AES_CTR, VIRTIO_IPSEC_AUTH_HMAC_SHA1_96, 16, 20, 4, 12, T, 4, 0, 0 },
	{ VIRTIO_IPSEC_CIPHER_3DES_CBC, VIRTIO_IPSEC_AUTH_HMAC_SHA512, 24, 64, 0, 32, T, 4, 0, 0 },
	{ VIRTIO_IPSEC_CIPHER_NULL, VIRTIO_IPSEC_AUTH_AES_XCBC_96, 0, 16, 0, 12, T, 4, 0, 0 },
	{ VIRTIO_IPSEC_CIPHER_AES_CBC, VIRTIO_IPSEC_AUTH_HMAC_SHA384, 32, 48, 0, 24, T, 6, ESN, 0 },
	{ VIRTIO_IPSEC_CIPHER_AES_GCM, VIRTIO_IPSEC_AUTH_NONE, 16, 0, 4, 16, TR, 4, 0, 0 },
	{ VIRTIO_IPSEC_CIPHER_AES_GCM, VIRTIO_IPSEC_AUTH_NONE, 16, 0, 4, 16, TR, 6, 0, 0 },
	{ VIRTIO_IPSEC_CIPHER_AES_GCM, VIRTIO_IPSEC_AUTH_NONE, 16, 0, 4, 16, T, 4, UDP, 0 },
	{ VIRTIO_IPSEC_CIPHER_AES_CBC, VIRTIO_IPSEC_AUTH_HMAC_SHA256, 16, 32, 0, 16, TR, 4, UDP, 0 },
};

struct vpe_core *fuzz_core_new(void)
{
	struct vpe_core_config cfg = {
		.max_sas = 2 * FUZZ_NSAS, .max_groups = 4,
		.max_packet_len = FUZZ_MAX_PKT, .max_batch = 8,
		.max_replay_window = 4096, .crypto_backend = "ipsec-mb",
		.allow_weak_algos = true,
	};
	char err[128];
	struct vpe_core *core = vpe_core_new(&cfg, err, sizeof(err));

	if (!core)
		abort();
	return core;
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed * 31 + i * 7 + 1);
}

static int add_one(struct vpe_core *core, uint32_t id, int i, int out)
{
	const struct fuzz_sa *s = &sas[i];
	uint8_t req[sizeof(struct virtio_ipsec_ctrl_hdr) +
		    sizeof(struct virtio_ipsec_sa_params)];
	uint8_t resp[sizeof(struct virtio_ipsec_resp_footer)];
	struct virtio_ipsec_ctrl_hdr hdr = {
		.opcode = htole16(VIRTIO_IPSEC_OP_SA_ADD),
		.sa_id = htole32(id),
	};
	struct virtio_ipsec_sa_params sa = {
		.spi = htole32(0x1000 + i),
		.direction = out ? VIRTIO_IPSEC_DIR_OUTBOUND :
				   VIRTIO_IPSEC_DIR_INBOUND,
		.mode = s->mode, .protocol = VIRTIO_IPSEC_PROTO_ESP,
		.ip_version = s->ipv, .cipher_alg = s->cipher,
		.auth_alg = s->auth, .icv_len = s->icv,
		.cipher_key_len = s->klen, .auth_key_len = s->aklen,
		.salt_len = s->salt,
	};
	uint32_t opt = s->options;

	fill(sa.cipher_key, s->klen, i);
	fill(sa.auth_key, s->aklen, i + 100);
	fill(sa.salt, s->salt, i + 200);
	if (s->mode == T) {
		size_t alen = s->ipv == 4 ? 4 : 16;

		fill(sa.tun_src, alen, 1);
		fill(sa.tun_dst, alen, 2);
	}
	if (opt & UDP) {
		sa.udp_src_port = htole16(4500);
		sa.udp_dst_port = htole16(4500);
	}
	if (out) {
		sa.initial_seq = htole64(s->seq);
	} else {
		opt |= VIRTIO_IPSEC_SA_OPT_ANTI_REPLAY;
		sa.replay_window = htole32(64);
	}
	sa.options = htole32(opt);
	memcpy(req, &hdr, sizeof(hdr));
	memcpy(req + sizeof(hdr), &sa, sizeof(sa));
	if (vpe_core_handle_ctrl(core, req, sizeof(req), resp,
				 sizeof(resp)) != sizeof(resp))
		abort();
	return resp[0] == VIRTIO_IPSEC_OK;
}

int fuzz_add_inbound(struct vpe_core *core, int i)
{
	return add_one(core, i + 1, i, 0);
}

uint32_t fuzz_add_sas(struct vpe_core *core)
{
	uint32_t mask = 0;

	for (int i = 0; i < FUZZ_NSAS; i++) {
		if (add_one(core, i + 1, i, 0))
			mask |= 1u << i;
		add_one(core, i + 1 + FUZZ_NSAS, i, 1);
	}
	return mask;
}

int fuzz_xform(struct vpe_core *core, uint16_t op, uint32_t sa_id,
	       const uint8_t *in, size_t in_len, uint8_t *out,
	       size_t *out_len)
{
	static uint8_t req[sizeof(struct virtio_ipsec_data_hdr) +
			   sizeof(struct virtio_ipsec_pkt_req) + FUZZ_MAX_PKT];
	static uint8_t resp[sizeof(struct virtio_ipsec_pkt_result) +
			    FUZZ_MAX_PKT +
			    sizeof(struct virtio_ipsec_resp_footer)];
	struct virtio_ipsec_data_hdr hdr = {
		.opcode = htole16(op), .num_pkts = htole32(1),
	};
	struct virtio_ipsec_pkt_req pkt = {
		.sa_id = htole32(sa_id), .in_len = htole32(in_len),
		.out_cap = htole32(FUZZ_MAX_PKT),
	};
	struct virtio_ipsec_pkt_result res;
	size_t n;
	int ok;

	if (in_len > FUZZ_MAX_PKT)
		in_len = FUZZ_MAX_PKT;
	pkt.in_len = htole32(in_len);
	memcpy(req, &hdr, sizeof(hdr));
	memcpy(req + sizeof(hdr), &pkt, sizeof(pkt));
	memcpy(req + sizeof(hdr) + sizeof(pkt), in, in_len);
	if (vpe_core_handle_data(core, req, sizeof(hdr) + sizeof(pkt) + in_len,
				 resp, sizeof(resp)) < 0)
		abort();	/* resp_cap is ample: -1 would be a bug */
	if (resp[sizeof(resp) - sizeof(struct virtio_ipsec_resp_footer)])
		return 0x100 + resp[sizeof(resp) -
				    sizeof(struct virtio_ipsec_resp_footer)];
	memcpy(&res, resp, sizeof(res));
	n = le32toh(res.out_len);
	ok = res.status == VIRTIO_IPSEC_OK ||
	     res.status == VIRTIO_IPSEC_SOFT_EXPIRY;	/* success too */
	if (ok && n > FUZZ_MAX_PKT)
		abort();	/* the device claims more than out_cap */
	if (out && ok) {
		memcpy(out, resp + sizeof(res), n);
		*out_len = n;
	}
	return res.status;
}

size_t fuzz_inner_packet(int version, size_t n, uint8_t *buf)
{
	size_t hl = version == 4 ? 20 : 40, len = hl + 8 + n;

	memset(buf, 0, len);
	fill(buf + hl + 8, n, 9);
	if (version == 4) {
		buf[0] = 0x45;
		buf[2] = len >> 8;
		buf[3] = len;
		buf[8] = 64;
		buf[9] = 17;
		buf[12] = 10; buf[15] = 1;
		buf[16] = 10; buf[19] = 2;
		/* header checksum */
		uint32_t sum = 0;
		for (int i = 0; i < 20; i += 2)
			sum += buf[i] << 8 | buf[i + 1];
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		buf[10] = ~sum >> 8;
		buf[11] = ~sum;
	} else {
		buf[0] = 0x60;
		buf[4] = (len - 40) >> 8;
		buf[5] = len - 40;
		buf[6] = 17;
		buf[7] = 64;
		buf[8] = 0xfd; buf[23] = 1;
		buf[24] = 0xfd; buf[39] = 2;
	}
	buf[hl] = 0x0f; buf[hl + 1] = 0xa0;	/* ports 4000 -> 5000 */
	buf[hl + 2] = 0x13; buf[hl + 3] = 0x88;
	buf[hl + 4] = (8 + n) >> 8;
	buf[hl + 5] = 8 + n;
	return len;
}
