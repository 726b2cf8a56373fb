// SPDX-License-Identifier: BSD-3-Clause
/*
 * g-API SA -> struct virtio_ipsec_sa_params translation and the argument
 * validation done before any request reaches the driver.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "tests.h"
#include "../../userspace/libg_ipsec_la/src/internal.h"

static const uint8_t keymat[36] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b,
	0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
	0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0xa0, 0xa1, 0xa2, 0xa3,
};
static const uint8_t authkey[64] = { 0x55, 0x66 };

static struct g_ipsec_la_sa sa;
static struct virtio_ipsec_sa_params p;

/* AES-GCM-128 IPv4 tunnel 192.0.2.1 -> 198.51.100.1 */
static void gcm_sa(void)
{
	memset(&sa, 0, sizeof(sa));
	sa.spi = 0x12345678;
	sa.proto = G_IPSEC_LA_PROTO_ESP;
	sa.crypto_params.comb_algo = G_IPSEC_LA_COMB_AES_GCM;
	sa.crypto_params.comb_key = keymat;
	sa.crypto_params.comb_key_len_bits = 160;
	sa.crypto_params.icv_len_bits = 128;
	sa.te_addr.src_ip.version = 4;
	memcpy(sa.te_addr.src_ip.addr.ipv4, "\xc0\x00\x02\x01", 4);
	sa.te_addr.dest_ip.version = 4;
	memcpy(sa.te_addr.dest_ip.addr.ipv4, "\xc6\x33\x64\x01", 4);
	memset(&p, 0xee, sizeof(p));
}

static void cbc_sha256_sa(void)
{
	gcm_sa();
	sa.crypto_params.comb_algo = 0;
	sa.crypto_params.comb_key = NULL;
	sa.crypto_params.comb_key_len_bits = 0;
	sa.crypto_params.icv_len_bits = 0;
	sa.crypto_params.cipher_algo = G_IPSEC_LA_ALG_AES_CBC;
	sa.crypto_params.cipher_key = keymat;
	sa.crypto_params.cipher_key_len_bits = 256;
	sa.crypto_params.auth_algo = G_IPSEC_LA_AUTH_ALG_SHA2_256_HMAC;
	sa.crypto_params.auth_key = authkey;
	sa.crypto_params.auth_key_len_bits = 256;
}

#define OUT G_IPSEC_LA_IPSEC_OUTBOUND
#define IN  G_IPSEC_LA_IPSEC_INBOUND

static void expect(int want, const char *what)
{
	int ret = gla_sa_to_wire(&sa, OUT, NULL, &p);

	ck_assert_msg(ret == want, "%s: got %d, want %d", what, ret, want);
}

START_TEST(gcm_outbound_tunnel)
{
	static const uint8_t zero[64];

	gcm_sa();
	ck_assert_int_eq(gla_sa_to_wire(&sa, OUT, NULL, &p), 0);
	ck_assert_uint_eq(le32toh(p.spi), 0x12345678);
	ck_assert_uint_eq(p.direction, VIRTIO_IPSEC_DIR_OUTBOUND);
	ck_assert_uint_eq(p.mode, VIRTIO_IPSEC_MODE_TUNNEL);
	ck_assert_uint_eq(p.protocol, VIRTIO_IPSEC_PROTO_ESP);
	ck_assert_uint_eq(p.ip_version, VIRTIO_IPSEC_IPV4);
	ck_assert_uint_eq(p.cipher_alg, VIRTIO_IPSEC_CIPHER_AES_GCM);
	ck_assert_uint_eq(p.auth_alg, VIRTIO_IPSEC_AUTH_NONE);
	ck_assert_uint_eq(p.icv_len, 16);
	ck_assert_msg(p.cipher_key_len == 16 && p.salt_len == 4,
		      "comb_key key||salt split wrong: key %u salt %u",
		      p.cipher_key_len, p.salt_len);
	ck_assert_msg(!memcmp(p.cipher_key, keymat, 16), "GCM key bytes wrong");
	ck_assert_msg(!memcmp(p.salt, keymat + 16, 4), "GCM salt must be the last 4 bytes");
	ck_assert_msg(!memcmp(p.tun_src, "\xc0\x00\x02\x01", 4) &&
		      !memcmp(p.tun_src + 4, zero, 12), "tunnel source wrong");
	ck_assert_msg(!memcmp(p.tun_dst, "\xc6\x33\x64\x01", 4), "tunnel dest wrong");
	ck_assert_uint_eq(le32toh(p.options), 0);
	ck_assert_uint_eq(le32toh(p.replay_window), 0);
	ck_assert_msg(!memcmp(p.reserved0, zero, sizeof(p.reserved0)) &&
		      !memcmp(p.reserved1, zero, sizeof(p.reserved1)) &&
		      !memcmp(p.reserved2, zero, sizeof(p.reserved2)),
		      "reserved fields not zeroed");
}
END_TEST

START_TEST(inbound_anti_replay)
{
	gcm_sa();
	sa.cmn_flags = G_IPSEC_LA_SA_DO_ANTI_REPLAY_CHECK | G_IPSEC_LA_SA_USE_ESN;
	sa.u.inb.anti_replay_window_size = 1024;	/* > 255: deviation 7 */
	sa.u.inb.flags = NF_IPSEC_INB_SA_PROPOGATE_ECN;
	ck_assert_int_eq(gla_sa_to_wire(&sa, IN, NULL, &p), 0);
	ck_assert_uint_eq(p.direction, VIRTIO_IPSEC_DIR_INBOUND);
	ck_assert_uint_eq(le32toh(p.replay_window), 1024);
	ck_assert_uint_eq(le32toh(p.options), VIRTIO_IPSEC_SA_OPT_ANTI_REPLAY |
			  VIRTIO_IPSEC_SA_OPT_ESN | VIRTIO_IPSEC_SA_OPT_ECN);
	sa.u.inb.anti_replay_window_size = 0;
	ck_assert_int_eq(gla_sa_to_wire(&sa, IN, NULL, &p), 0);
	ck_assert_msg(le32toh(p.replay_window) == 64, "default window should be 64");
}
END_TEST

START_TEST(cbc_sha256_and_ctr_and_ccm)
{
	cbc_sha256_sa();
	ck_assert_int_eq(gla_sa_to_wire(&sa, OUT, NULL, &p), 0);
	ck_assert_uint_eq(p.cipher_alg, VIRTIO_IPSEC_CIPHER_AES_CBC);
	ck_assert_uint_eq(p.auth_alg, VIRTIO_IPSEC_AUTH_HMAC_SHA256);
	ck_assert_uint_eq(p.cipher_key_len, 32);
	ck_assert_uint_eq(p.auth_key_len, 32);
	ck_assert_uint_eq(p.icv_len, 16);
	ck_assert_uint_eq(p.salt_len, 0);

	sa.crypto_params.cipher_algo = G_IPSEC_LA_ALG_AES_CTR;	/* key || nonce */
	sa.crypto_params.cipher_key_len_bits = 160;
	ck_assert_int_eq(gla_sa_to_wire(&sa, OUT, NULL, &p), 0);
	ck_assert_msg(p.cipher_key_len == 16 && p.salt_len == 4 &&
		      !memcmp(p.salt, keymat + 16, 4), "AES-CTR nonce split wrong");

	gcm_sa();
	sa.crypto_params.comb_algo = G_IPSEC_LA_COMB_AES_CCM;
	sa.crypto_params.comb_key_len_bits = (32 + 3) * 8;
	sa.crypto_params.icv_len_bits = 64;
	ck_assert_int_eq(gla_sa_to_wire(&sa, OUT, NULL, &p), 0);
	ck_assert_msg(p.cipher_key_len == 32 && p.salt_len == 3 && p.icv_len == 8,
		      "CCM-256 split wrong");

	gcm_sa();
	sa.crypto_params.comb_algo = G_IPSEC_LA_COMB_CHACHA20_POLY1305;
	sa.crypto_params.comb_key_len_bits = (32 + 4) * 8;
	sa.crypto_params.icv_len_bits = 0;	/* default: 128 */
	ck_assert_int_eq(gla_sa_to_wire(&sa, OUT, NULL, &p), 0);
	ck_assert_msg(p.cipher_alg == VIRTIO_IPSEC_CIPHER_CHACHA20_POLY1305 &&
		      p.auth_alg == VIRTIO_IPSEC_AUTH_NONE &&
		      p.cipher_key_len == 32 && p.salt_len == 4 &&
		      !memcmp(p.salt, keymat + 32, 4) && p.icv_len == 16,
		      "ChaCha20-Poly1305 split wrong");
}
END_TEST

START_TEST(bad_crypto_rejected)
{
	gcm_sa();
	sa.reserved[0] = 1;
	ck_assert_msg(gla_sa_to_wire(&sa, G_IPSEC_LA_IPSEC_OUTBOUND, NULL, &p) == -EINVAL,
		      "an SA with non-zero reserved space must be -EINVAL "
		      "(it is room for later fields)");

	gcm_sa();
	sa.crypto_params.comb_key_len_bits = 128;	/* salt missing */
	expect(-EINVAL, "GCM key without salt");
	gcm_sa();
	sa.crypto_params.comb_key_len_bits = 161;
	expect(-EINVAL, "key length not a multiple of 8");
	gcm_sa();
	sa.crypto_params.icv_len_bits = 80;
	expect(-EINVAL, "GCM ICV of 80 bits");
	gcm_sa();
	sa.crypto_params.comb_key = NULL;
	expect(-EINVAL, "NULL comb_key");
	gcm_sa();
	sa.crypto_params.cipher_algo = G_IPSEC_LA_ALG_AES_CBC;
	expect(-EINVAL, "comb and cipher algorithm together");
	gcm_sa();
	sa.crypto_params.comb_algo = 9;
	expect(-EINVAL, "unknown comb algorithm");
	gcm_sa();
	sa.crypto_params.comb_algo = G_IPSEC_LA_COMB_CHACHA20_POLY1305;
	sa.crypto_params.comb_key_len_bits = (16 + 4) * 8;
	expect(-EINVAL, "ChaCha20-Poly1305 with a 128-bit key");
	gcm_sa();
	sa.crypto_params.comb_algo = G_IPSEC_LA_COMB_CHACHA20_POLY1305;
	sa.crypto_params.comb_key_len_bits = (32 + 4) * 8;
	sa.crypto_params.icv_len_bits = 96;
	expect(-EINVAL, "ChaCha20-Poly1305 with a 96-bit ICV");
	gcm_sa();
	sa.crypto_params.comb_algo = G_IPSEC_LA_COMB_AES_GMAC;
	sa.crypto_params.icv_len_bits = 96;
	expect(-EINVAL, "GMAC with a 96-bit ICV");

	cbc_sha256_sa();
	sa.crypto_params.cipher_key_len_bits = 120;
	expect(-EINVAL, "AES-CBC with a 120-bit key");
	cbc_sha256_sa();
	sa.crypto_params.auth_key_len_bits = 160;
	expect(-EINVAL, "HMAC-SHA256 with a 160-bit key");
	cbc_sha256_sa();
	sa.crypto_params.auth_algo = 0;
	expect(-EINVAL, "no auth algorithm in non-combined mode");
	cbc_sha256_sa();
	sa.crypto_params.cipher_algo = G_IPSEC_LA_CIPHER_ALGO_NULL;
	sa.crypto_params.cipher_key_len_bits = 0;
	ck_assert_int_eq(gla_sa_to_wire(&sa, OUT, NULL, &p), 0);	/* NULL + HMAC ok */
	sa.crypto_params.auth_algo = G_IPSEC_LA_AUTH_ALG_NONE;
	sa.crypto_params.auth_key_len_bits = 0;
	expect(-EINVAL, "NULL encryption with NULL authentication");
}
END_TEST

START_TEST(bad_sa_rejected)
{
	gcm_sa();
	sa.spi = 255;
	expect(-EINVAL, "SPI 255 (reserved range)");
	gcm_sa();
	sa.proto = G_IPSEC_LA_PROTO_AH;
	expect(-EOPNOTSUPP, "AH");
	gcm_sa();
	sa.proto = 17;
	expect(-EINVAL, "proto 17");
	gcm_sa();
	sa.cmn_flags = 1u << 20;
	expect(-EINVAL, "unknown cmn_flags bit");
	gcm_sa();
	sa.te_addr.dest_ip.version = 6;
	expect(-EINVAL, "tunnel ends of different IP versions");
	gcm_sa();
	sa.te_addr.src_ip.version = 0;
	expect(-EINVAL, "tunnel without a source address");
	gcm_sa();
	sa.u.outb.iv_len_bits = 64;
	expect(-EINVAL, "application-supplied IV");
	gcm_sa();
	sa.u.outb.dscp_handle = G_IPSEC_DSCP_SET;
	sa.u.outb.dscp = 64;
	expect(-EINVAL, "DSCP 64");
	gcm_sa();
	sa.cmn_flags = G_IPSEC_LA_SA_DO_ANTI_REPLAY_CHECK;
	expect(-EINVAL, "anti-replay on an outbound SA");
	gcm_sa();
	sa.ipcomp.algo = G_IPSEC_LA_IPCOMP_DEFLATE;
	expect(-EOPNOTSUPP, "IPComp");
	gcm_sa();
	sa.soft_kilobytes_limit = 10;
	expect(-EINVAL, "kilobyte limit without LIFETIME_IN_KB");
	sa.cmn_flags = G_IPSEC_LA_SA_LIFETIME_IN_KB;
	sa.hard_kilobytes_limit = 5;
	expect(-EINVAL, "soft lifetime above hard");
	sa.hard_kilobytes_limit = 20;
	ck_assert_int_eq(gla_sa_to_wire(&sa, OUT, NULL, &p), 0);
	ck_assert_uint_eq(le64toh(p.soft_bytes), 10 * 1024);
	ck_assert_uint_eq(le64toh(p.hard_bytes), 20 * 1024);
	gcm_sa();
	sa.cmn_flags = G_IPSEC_LA_SA_DO_UDP_ENCAP_FOR_NAT_TRAVERSAL;
	expect(-EINVAL, "NAT-T without ports");
	sa.nat_info.src_port = 4500;
	sa.nat_info.dest_port = 4500;
	ck_assert_int_eq(gla_sa_to_wire(&sa, OUT, NULL, &p), 0);
	ck_assert_uint_eq(le16toh(p.udp_dst_port), 4500);
	ck_assert_uint_eq(le32toh(p.options), VIRTIO_IPSEC_SA_OPT_UDP_ENCAP);

	gcm_sa();
	ck_assert_int_eq(gla_sa_to_wire(&sa, (enum g_ipsec_la_sa_direction)7, NULL, &p),
			 -EINVAL);
	cbc_sha256_sa();
	sa.crypto_params.cipher_algo = G_IPSEC_LA_CIPHER_ALGO_NULL;
	sa.crypto_params.cipher_key_len_bits = 0;
	ck_assert_int_eq(gla_sa_to_wire(NULL, OUT, NULL, &p), -EINVAL);
}
END_TEST

START_TEST(checked_against_capabilities)
{
	struct vipsec_info info;

	memset(&info, 0, sizeof(info));
	info.cipher_algo_mask = 1ULL << VIRTIO_IPSEC_CIPHER_AES_CBC;
	info.auth_algo_mask = 1ULL << VIRTIO_IPSEC_AUTH_NONE |
			      1ULL << VIRTIO_IPSEC_AUTH_HMAC_SHA256;
	info.max_replay_window = 128;
	info.cipher_key_sizes[VIRTIO_IPSEC_CIPHER_AES_CBC] =
		VIRTIO_IPSEC_KEY_SIZE_BIT(16) | VIRTIO_IPSEC_KEY_SIZE_BIT(32);
	gcm_sa();
	ck_assert_msg(gla_sa_to_wire(&sa, OUT, &info, &p) == -EOPNOTSUPP,
		      "AES-GCM must be refused when the device does not offer it");
	cbc_sha256_sa();
	ck_assert_int_eq(gla_sa_to_wire(&sa, OUT, &info, &p), 0);
	sa.cmn_flags = G_IPSEC_LA_SA_USE_ESN;
	ck_assert_msg(gla_sa_to_wire(&sa, OUT, &info, &p) == -EOPNOTSUPP,
		      "ESN must be refused without VIRTIO_IPSEC_F_ESN");
	info.features = 1ULL << VIRTIO_IPSEC_F_ANTI_REPLAY;
	cbc_sha256_sa();
	sa.cmn_flags = G_IPSEC_LA_SA_DO_ANTI_REPLAY_CHECK;
	sa.u.inb.anti_replay_window_size = 256;
	ck_assert_msg(gla_sa_to_wire(&sa, IN, &info, &p) == -EINVAL,
		      "a window above max_replay_window must be refused");
	sa.u.inb.anti_replay_window_size = 128;
	ck_assert_int_eq(gla_sa_to_wire(&sa, IN, &info, &p), 0);
}
END_TEST

/* Outbound tunnel header fields (issue 11 item 1): TTL, flow label, TFC. */
START_TEST(outbound_header_fields)
{
	gcm_sa();
	sa.u.outb.ttl = 17;
	sa.u.outb.tfc_pad_to = 300;
	sa.cmn_flags = G_IPSEC_LA_SA_USE_ECN;
	ck_assert_int_eq(gla_sa_to_wire(&sa, OUT, NULL, &p), 0);
	ck_assert_msg(p.ttl == 17 && le32toh(p.tfc_pad_to) == 300 &&
		      le32toh(p.options) ==
		      (VIRTIO_IPSEC_SA_OPT_TFC_PAD | VIRTIO_IPSEC_SA_OPT_ECN) &&
		      !p.flow_label,
		      "ttl %u tfc %u options 0x%x", p.ttl,
		      le32toh(p.tfc_pad_to), le32toh(p.options));
	sa.u.outb.flow_label = 0xabcde;
	expect(-EINVAL, "flow label on an IPv4 tunnel");
	sa.te_addr.src_ip.version = 6;
	sa.te_addr.dest_ip.version = 6;
	memcpy(sa.te_addr.src_ip.addr.ipv6, "\x20\x01\x0d\xb8", 4);
	memcpy(sa.te_addr.dest_ip.addr.ipv6, "\x20\x01\x0d\xb9", 4);
	sa.te_addr.src_ip.addr.ipv6[15] = 1;
	sa.te_addr.dest_ip.addr.ipv6[15] = 2;
	ck_assert_int_eq(gla_sa_to_wire(&sa, OUT, NULL, &p), 0);
	ck_assert_uint_eq(le32toh(p.flow_label), 0xabcde);
	sa.u.outb.flow_label = 0x100000;
	expect(-EINVAL, "flow label over 20 bits");
	sa.u.outb.flow_label = 0;
	/* transport mode keeps the packet's header: nothing to set or pad */
	sa.cmn_flags = G_IPSEC_LA_SA_ENCAP_TRANSPORT_MODE;
	expect(-EINVAL, "TTL / TFC on a transport SA");
	sa.u.outb.ttl = 0;
	sa.u.outb.tfc_pad_to = 0;
	ck_assert_int_eq(gla_sa_to_wire(&sa, OUT, NULL, &p), 0);
	ck_assert_uint_eq(p.ip_version, 6);
}
END_TEST

/* Inbound flags: TTL decrement, the inner-source selector. */
START_TEST(inbound_flags)
{
	gcm_sa();
	sa.u.inb.flags = G_IPSEC_LA_INB_SA_DECREMENT_TTL |
			 G_IPSEC_LA_INB_SA_PROPAGATE_ECN;
	ck_assert_int_eq(gla_sa_to_wire(&sa, IN, NULL, &p), 0);
	ck_assert_uint_eq(le32toh(p.options),
			  VIRTIO_IPSEC_SA_OPT_DEC_TTL | VIRTIO_IPSEC_SA_OPT_ECN);
	sa.u.inb.flags = G_IPSEC_LA_INB_SA_CHECK_SELECTOR;
	sa.u.inb.sel_src.version = 4;
	memcpy(sa.u.inb.sel_src.addr.ipv4, "\x0a\x01\x00\x00", 4);
	sa.u.inb.sel_prefix_len = 16;
	ck_assert_int_eq(gla_sa_to_wire(&sa, IN, NULL, &p), 0);
	ck_assert_msg(le32toh(p.options) == VIRTIO_IPSEC_SA_OPT_SELECTOR &&
		      p.sel_prefix_len == 16 &&
		      !memcmp(p.sel_src, "\x0a\x01\0\0\0\0\0\0", 8),
		      "selector not on the wire");
	sa.u.inb.sel_prefix_len = 12;
	ck_assert_msg(gla_sa_to_wire(&sa, IN, NULL, &p) == -EINVAL,
		      "selector bits past the prefix");
	sa.u.inb.sel_prefix_len = 33;
	ck_assert_msg(gla_sa_to_wire(&sa, IN, NULL, &p) == -EINVAL,
		      "IPv4 prefix of 33 bits");
	sa.u.inb.sel_prefix_len = 16;
	sa.u.inb.sel_src.version = 6;
	ck_assert_msg(gla_sa_to_wire(&sa, IN, NULL, &p) == -EINVAL,
		      "IPv6 selector on an IPv4 SA");
	sa.u.inb.sel_src.version = 4;
	sa.u.inb.flags = 0;
	ck_assert_msg(gla_sa_to_wire(&sa, IN, NULL, &p) == -EINVAL,
		      "selector fields without the flag");
	memset(&sa.u.inb.sel_src, 0, sizeof(sa.u.inb.sel_src));
	sa.u.inb.sel_prefix_len = 0;
	sa.u.inb.flags = 1u << 3;
	ck_assert_msg(gla_sa_to_wire(&sa, IN, NULL, &p) == -EINVAL,
		      "unknown inbound flag");
	sa.u.inb.flags = G_IPSEC_LA_INB_SA_DECREMENT_TTL;
	sa.cmn_flags = G_IPSEC_LA_SA_ENCAP_TRANSPORT_MODE;
	ck_assert_msg(gla_sa_to_wire(&sa, IN, NULL, &p) == -EINVAL,
		      "TTL decrement on a transport SA");
	sa.u.inb.flags = 0;
	sa.cmn_flags = G_IPSEC_LA_SA_USE_ECN;
	ck_assert_int_eq(gla_sa_to_wire(&sa, IN, NULL, &p), 0);
	ck_assert_uint_eq(le32toh(p.options), VIRTIO_IPSEC_SA_OPT_ECN);
}
END_TEST

/* Issue 11 item 9: a transport SA states its family, else -EAFNOSUPPORT. */
START_TEST(transport_family)
{
	gcm_sa();
	sa.cmn_flags = G_IPSEC_LA_SA_ENCAP_TRANSPORT_MODE;
	memset(&sa.te_addr, 0, sizeof(sa.te_addr));
	expect(-EAFNOSUPPORT, "transport SA without a family");
	sa.te_addr.src_ip.version = 4;
	sa.te_addr.dest_ip.version = 6;
	expect(-EAFNOSUPPORT, "transport SA with two families");
	sa.te_addr.src_ip.version = 0;
	ck_assert_int_eq(gla_sa_to_wire(&sa, OUT, NULL, &p), 0);
	ck_assert_uint_eq(p.ip_version, 6);
	sa.te_addr.dest_ip.version = 5;
	expect(-EAFNOSUPPORT, "transport SA of family 5");
	sa.te_addr.dest_ip.version = 0;
	sa.te_addr.src_ip.version = 4;
	ck_assert_int_eq(gla_sa_to_wire(&sa, OUT, NULL, &p), 0);
	ck_assert_uint_eq(p.ip_version, 4);
}
END_TEST

/* What config space says the accelerator honours, and nothing more. */
START_TEST(fields_checked_against_capabilities)
{
	struct vipsec_info info;

	memset(&info, 0, sizeof(info));
	info.cipher_algo_mask = 1ULL << VIRTIO_IPSEC_CIPHER_AES_GCM |
				1ULL << VIRTIO_IPSEC_CIPHER_AES_CCM;
	info.auth_algo_mask = 1ULL << VIRTIO_IPSEC_AUTH_NONE;
	info.cipher_key_sizes[VIRTIO_IPSEC_CIPHER_AES_GCM] =
		VIRTIO_IPSEC_KEY_SIZE_BIT(16);
	info.cipher_key_sizes[VIRTIO_IPSEC_CIPHER_AES_CCM] =
		VIRTIO_IPSEC_KEY_SIZE_BIT(16) | VIRTIO_IPSEC_KEY_SIZE_BIT(32);
	gcm_sa();
	ck_assert_int_eq(gla_sa_to_wire(&sa, OUT, &info, &p), 0);
	sa.crypto_params.comb_algo = G_IPSEC_LA_COMB_AES_CCM;
	sa.crypto_params.comb_key_len_bits = (24 + 3) * 8;
	ck_assert_msg(gla_sa_to_wire(&sa, OUT, &info, &p) == -EKEYREJECTED,
		      "AES-CCM-192 with a backend of CCM-128/256 only");
	sa.crypto_params.comb_key_len_bits = (32 + 3) * 8;
	ck_assert_int_eq(gla_sa_to_wire(&sa, OUT, &info, &p), 0);
	gcm_sa();
	sa.u.outb.ttl = 9;
	ck_assert_msg(gla_sa_to_wire(&sa, OUT, &info, &p) == -EOPNOTSUPP,
		      "TTL without hdr_fields TTL");
	info.hdr_fields = VIRTIO_IPSEC_HDR_F_TTL;
	ck_assert_int_eq(gla_sa_to_wire(&sa, OUT, &info, &p), 0);
	sa.u.outb.df_bit_handle = G_IPSEC_DF_SET;
	ck_assert_msg(gla_sa_to_wire(&sa, OUT, &info, &p) == -EOPNOTSUPP,
		      "DF handling without hdr_fields DF");
	sa.u.outb.df_bit_handle = 0;
	sa.u.outb.tfc_pad_to = 128;
	ck_assert_msg(gla_sa_to_wire(&sa, OUT, &info, &p) == -EOPNOTSUPP,
		      "TFC without sa_options TFC_PAD");
	sa.u.outb.tfc_pad_to = 0;
	sa.cmn_flags = G_IPSEC_LA_SA_USE_ECN;
	ck_assert_msg(gla_sa_to_wire(&sa, OUT, &info, &p) == -EOPNOTSUPP,
		      "ECN without sa_options ECN");
	info.sa_options = VIRTIO_IPSEC_SA_OPT_ECN;
	ck_assert_int_eq(gla_sa_to_wire(&sa, OUT, &info, &p), 0);
	gcm_sa();
	sa.u.inb.flags = G_IPSEC_LA_INB_SA_DECREMENT_TTL;
	ck_assert_msg(gla_sa_to_wire(&sa, IN, &info, &p) == -EOPNOTSUPP,
		      "TTL decrement without sa_options DEC_TTL");
}
END_TEST

Suite *suite_sa_wire(void)
{
	Suite *s = suite_create("sa-translation");
	TCase *tc = tcase_create("g-api-to-wire");

	tcase_add_test(tc, gcm_outbound_tunnel);
	tcase_add_test(tc, inbound_anti_replay);
	tcase_add_test(tc, cbc_sha256_and_ctr_and_ccm);
	tcase_add_test(tc, bad_crypto_rejected);
	tcase_add_test(tc, bad_sa_rejected);
	tcase_add_test(tc, checked_against_capabilities);
	tcase_add_test(tc, outbound_header_fields);
	tcase_add_test(tc, inbound_flags);
	tcase_add_test(tc, transport_family);
	tcase_add_test(tc, fields_checked_against_capabilities);
	suite_add_tcase(s, tc);
	return s;
}
