// SPDX-License-Identifier: BSD-3-Clause
/* Groups, SA lifecycle and SA parameter validation (control queue). */
#include <string.h>

#include "tests.h"

static const uint8_t key[32] = "0123456789abcdef0123456789abcdef";
static const uint8_t salt[4] = { 9, 8, 7, 6 };
static const uint8_t name[32] = "test group";

#define S(p) ((struct virtio_ipsec_sa_params *)(p))

static void base(uint8_t *p)
{
	test_params(p, VIRTIO_IPSEC_DIR_INBOUND, 0x2000, key, 16, salt, 64);
}

START_TEST(test_groups)
{
	struct vpe_core *c = test_core();
	uint8_t p[PARAMS_SIZE];

	ck_assert_msg(ctrl(c, VIRTIO_IPSEC_OP_GROUP_CREATE, 1, 0, name, 32) == 0,
		      "create group 1");
	ck_assert_msg(ctrl(c, VIRTIO_IPSEC_OP_GROUP_CREATE, 1, 0, name, 32) ==
		      VIRTIO_IPSEC_EXISTS, "second create of group 1");
	ck_assert_msg(ctrl(c, VIRTIO_IPSEC_OP_GROUP_CREATE, 5, 0, name, 32) ==
		      VIRTIO_IPSEC_INVGROUP, "group id > max_groups");
	ck_assert_msg(ctrl(c, VIRTIO_IPSEC_OP_GROUP_CREATE, 0, 0, name, 32) ==
		      VIRTIO_IPSEC_EXISTS, "default group 0 always exists");
	ck_assert_msg(ctrl(c, VIRTIO_IPSEC_OP_GROUP_CREATE, 2, 0, name, 31) ==
		      VIRTIO_IPSEC_INVAL, "truncated GROUP_CREATE body");
	base(p);
	ck_assert_msg(sa_add(c, 1, 5, p) == 0, "SA in group 1");
	ck_assert_msg(ctrl(c, VIRTIO_IPSEC_OP_GROUP_DESTROY, 1, 0, NULL, 0) ==
		      VIRTIO_IPSEC_BUSY, "destroy of a group with SAs");
	ck_assert_msg(ctrl(c, VIRTIO_IPSEC_OP_SA_DEL, 0, 5, NULL, 0) ==
		      VIRTIO_IPSEC_INVSA, "SA_DEL through the wrong group");
	ck_assert_msg(ctrl(c, VIRTIO_IPSEC_OP_SA_DEL, 1, 5, NULL, 0) == 0,
		      "SA_DEL");
	ck_assert_msg(ctrl(c, VIRTIO_IPSEC_OP_SA_DEL, 1, 5, NULL, 0) ==
		      VIRTIO_IPSEC_INVSA, "second SA_DEL of the same id");
	ck_assert_msg(ctrl(c, VIRTIO_IPSEC_OP_GROUP_DESTROY, 1, 0, NULL, 0) == 0,
		      "destroy of an empty group");
	ck_assert_msg(ctrl(c, VIRTIO_IPSEC_OP_GROUP_DESTROY, 1, 0, NULL, 0) ==
		      VIRTIO_IPSEC_INVGROUP, "destroy of a destroyed group");
	ck_assert_msg(ctrl(c, VIRTIO_IPSEC_OP_GROUP_DESTROY, 0, 0, NULL, 0) ==
		      VIRTIO_IPSEC_INVAL, "destroy of the default group");
	ck_assert_msg(sa_add(c, 1, 6, p) == VIRTIO_IPSEC_INVGROUP,
		      "SA_ADD into a destroyed group");
	/* flush */
	ck_assert(ctrl(c, VIRTIO_IPSEC_OP_GROUP_CREATE, 2, 0, name, 32) == 0);
	ck_assert(sa_add(c, 2, 7, p) == 0);
	S(p)->spi = htole32(0x2001);
	ck_assert(sa_add(c, 2, 8, p) == 0);
	ck_assert_msg(ctrl(c, VIRTIO_IPSEC_OP_SA_FLUSH, 2, 0, NULL, 0) == 0,
		      "flush");
	ck_assert_msg(ctrl(c, VIRTIO_IPSEC_OP_GROUP_DESTROY, 2, 0, NULL, 0) == 0,
		      "destroy after flush");
	ck_assert_msg(vpe_sa_lookup(vpe_core_sadb(c), 2, 7) == NULL,
		      "flushed SA still found");
	vpe_core_free(c);
}
END_TEST

START_TEST(test_sa_ids)
{
	struct vpe_core *c = test_core();
	uint8_t p[PARAMS_SIZE];

	base(p);
	ck_assert_msg(sa_add(c, 0, 0, p) == VIRTIO_IPSEC_INVSA, "SA id 0");
	ck_assert_msg(sa_add(c, 0, 65, p) == VIRTIO_IPSEC_INVSA,
		      "SA id > max_sas");
	ck_assert_msg(sa_add(c, 0, 64, p) == 0, "SA id max_sas");
	S(p)->spi = htole32(0x3000);
	ck_assert_msg(sa_add(c, 0, 64, p) == VIRTIO_IPSEC_EXISTS,
		      "duplicate SA id");
	ck_assert_msg(sa_add(c, 0, 3, p) == 0, "other SPI");
	ck_assert_msg(sa_add(c, 0, 4, p) == VIRTIO_IPSEC_EXISTS,
		      "duplicate inbound SPI + destination");
	S(p)->tun_dst[3] = 99;
	ck_assert_msg(sa_add(c, 0, 4, p) == 0,
		      "same SPI, other destination must be accepted");
	S(p)->direction = VIRTIO_IPSEC_DIR_OUTBOUND;
	S(p)->options = 0;
	S(p)->replay_window = 0;
	ck_assert_msg(sa_add(c, 0, 5, p) == 0,
		      "outbound SA may reuse an inbound SPI");
	vpe_core_reset(c);
	ck_assert_msg(vpe_sa_lookup(vpe_core_sadb(c), 0, 64) == NULL,
		      "SA survived a reset");
	vpe_core_free(c);
}
END_TEST

/*
 * The inbound (SPI, destination) rule is per group: one tenant's group can
 * neither squat on nor probe another group's SPIs.
 */
START_TEST(test_spi_per_group)
{
	struct vpe_core *c = test_core();
	uint8_t p[PARAMS_SIZE], name[VIRTIO_IPSEC_NAME_LEN] = "tenant";

	base(p);
	ck_assert(ctrl(c, VIRTIO_IPSEC_OP_GROUP_CREATE, 1, 0, name,
		       sizeof(name)) == 0);
	ck_assert(ctrl(c, VIRTIO_IPSEC_OP_GROUP_CREATE, 2, 0, name,
		       sizeof(name)) == 0);
	ck_assert_msg(sa_add(c, 1, 1, p) == 0, "group 1");
	ck_assert_msg(sa_add(c, 2, 2, p) == 0,
		      "same inbound SPI + destination in another group refused");
	ck_assert_msg(sa_add(c, 0, 3, p) == 0,
		      "same inbound SPI + destination in group 0 refused");
	ck_assert_msg(sa_add(c, 2, 4, p) == VIRTIO_IPSEC_EXISTS,
		      "duplicate inbound SPI + destination within a group");
	vpe_core_free(c);
}
END_TEST

struct bad {
	const char *what;
	void (*mutate)(uint8_t *p);
	uint8_t status;
};

#define MUT(n, body) static void n(uint8_t *p) { body; }
MUT(m_dir, S(p)->direction = 2)
MUT(m_mode, S(p)->mode = 7)
MUT(m_ah, S(p)->protocol = 51)
MUT(m_proto, S(p)->protocol = 17)
MUT(m_v6, S(p)->ip_version = VIRTIO_IPSEC_IPV6)
MUT(m_ipver, S(p)->ip_version = 5)
MUT(m_udp, S(p)->options |= htole32(VIRTIO_IPSEC_SA_OPT_UDP_ENCAP))
MUT(m_optbit, S(p)->options |= htole32(1u << 20))
MUT(m_cbc, S(p)->cipher_alg = VIRTIO_IPSEC_CIPHER_AES_CBC;
    S(p)->auth_alg = VIRTIO_IPSEC_AUTH_HMAC_SHA256)
MUT(m_cipher, S(p)->cipher_alg = 0)
MUT(m_cipher10, S(p)->cipher_alg = 10)
MUT(m_nullnull, S(p)->cipher_alg = VIRTIO_IPSEC_CIPHER_NULL;
    S(p)->auth_alg = VIRTIO_IPSEC_AUTH_NONE; S(p)->options = 0;
    S(p)->replay_window = 0)
MUT(m_replay_noauth, S(p)->cipher_alg = VIRTIO_IPSEC_CIPHER_AES_CBC;
    S(p)->auth_alg = VIRTIO_IPSEC_AUTH_NONE)
MUT(m_gcm_auth, S(p)->auth_alg = VIRTIO_IPSEC_AUTH_HMAC_SHA1_96)
MUT(m_des, S(p)->cipher_alg = VIRTIO_IPSEC_CIPHER_DES_CBC;
    S(p)->auth_alg = VIRTIO_IPSEC_AUTH_HMAC_SHA1_96)
MUT(m_keylen, S(p)->cipher_key_len = 20)
MUT(m_keylen0, S(p)->cipher_key_len = 0)
MUT(m_authkey, S(p)->auth_key_len = 20)
MUT(m_icv, S(p)->icv_len = 10)
MUT(m_salt, S(p)->salt_len = 3)
MUT(m_window_big, S(p)->replay_window = htole32(4097))
MUT(m_window0, S(p)->replay_window = 0)
MUT(m_window_noopt, S(p)->options = 0)
MUT(m_res0, S(p)->reserved0[1] = 1)
MUT(m_res1, S(p)->reserved1[6] = 1)
MUT(m_res2, S(p)->reserved2[6] = htole32(1))
MUT(m_res3, S(p)->reserved3 = 1)
MUT(m_dscp_mode, S(p)->dscp_mode = 3)
MUT(m_df_mode, S(p)->df_mode = 3)
MUT(m_dscp, S(p)->dscp = 64)
MUT(m_addr, S(p)->tun_dst[4] = 1)
MUT(m_port, S(p)->udp_dst_port = htole16(4500))
MUT(m_flow, S(p)->flow_label = htole32(5))
MUT(m_tfc, S(p)->tfc_pad_to = htole32(100))
MUT(m_sel, S(p)->sel_prefix_len = 8)
MUT(m_life, S(p)->hard_packets = htole64(100);
    S(p)->soft_packets = htole64(101))
MUT(m_notify, S(p)->hard_seconds = htole64(10);
    S(p)->soft_seconds = htole64(11))
MUT(m_inseq, S(p)->initial_seq = htole64(5))
MUT(m_outseq, S(p)->direction = VIRTIO_IPSEC_DIR_OUTBOUND;
    S(p)->initial_seq = htole64(1ULL << 32))

static const struct bad bads[] = {
	{ "direction 2", m_dir, VIRTIO_IPSEC_INVAL },
	{ "mode 7", m_mode, VIRTIO_IPSEC_INVAL },
	{ "protocol AH", m_ah, VIRTIO_IPSEC_NOTSUPP },
	{ "protocol 17", m_proto, VIRTIO_IPSEC_INVAL },
	{ "IPv6 outer with IPv4 tunnel addresses", m_v6, VIRTIO_IPSEC_INVAL },
	{ "ip_version 5", m_ipver, VIRTIO_IPSEC_INVAL },
	{ "UDP encap option without ports", m_udp, VIRTIO_IPSEC_INVAL },
	{ "undefined option bit", m_optbit, VIRTIO_IPSEC_NOTSUPP },
	{ "AES-CBC + HMAC-SHA256 without an auth key", m_cbc,
	  VIRTIO_IPSEC_KEY_REJECT },
	{ "cipher 0", m_cipher, VIRTIO_IPSEC_INVAL },
	{ "cipher 10", m_cipher10, VIRTIO_IPSEC_INVAL },
	{ "NULL cipher without auth", m_nullnull, VIRTIO_IPSEC_INVAL },
	{ "anti-replay without integrity", m_replay_noauth, VIRTIO_IPSEC_INVAL },
	{ "GCM with a separate auth alg", m_gcm_auth, VIRTIO_IPSEC_INVAL },
	{ "DES without allow_weak_algos", m_des, VIRTIO_IPSEC_NOTSUPP },
	{ "GCM key of 20 bytes", m_keylen, VIRTIO_IPSEC_KEY_REJECT },
	{ "GCM key of 0 bytes", m_keylen0, VIRTIO_IPSEC_KEY_REJECT },
	{ "auth key with AUTH_NONE", m_authkey, VIRTIO_IPSEC_KEY_REJECT },
	{ "ICV 10", m_icv, VIRTIO_IPSEC_INVAL },
	{ "salt 3 with GCM", m_salt, VIRTIO_IPSEC_INVAL },
	{ "window > max_replay_window", m_window_big, VIRTIO_IPSEC_INVAL },
	{ "anti-replay with window 0", m_window0, VIRTIO_IPSEC_INVAL },
	{ "window without anti-replay", m_window_noopt, VIRTIO_IPSEC_INVAL },
	{ "reserved0", m_res0, VIRTIO_IPSEC_INVAL },
	{ "reserved1", m_res1, VIRTIO_IPSEC_INVAL },
	{ "reserved2", m_res2, VIRTIO_IPSEC_INVAL },
	{ "reserved3", m_res3, VIRTIO_IPSEC_INVAL },
	{ "dscp_mode 3", m_dscp_mode, VIRTIO_IPSEC_INVAL },
	{ "df_mode 3", m_df_mode, VIRTIO_IPSEC_INVAL },
	{ "dscp 64", m_dscp, VIRTIO_IPSEC_INVAL },
	{ "IPv4 address with junk", m_addr, VIRTIO_IPSEC_INVAL },
	{ "UDP port without UDP encap", m_port, VIRTIO_IPSEC_INVAL },
	{ "flow label with IPv4", m_flow, VIRTIO_IPSEC_INVAL },
	{ "tfc_pad_to without TFC", m_tfc, VIRTIO_IPSEC_INVAL },
	{ "selector without SELECTOR", m_sel, VIRTIO_IPSEC_INVAL },
	{ "soft_packets > hard_packets", m_life, VIRTIO_IPSEC_INVAL },
	{ "soft_seconds > hard_seconds", m_notify, VIRTIO_IPSEC_INVAL },
	{ "inbound initial_seq", m_inseq, VIRTIO_IPSEC_INVAL },
	{ "initial_seq >= 2^32 without ESN", m_outseq, VIRTIO_IPSEC_INVAL },
};

START_TEST(test_sa_param_errors)
{
	const struct bad *b = &bads[_i];
	struct vpe_core *c = test_core();
	uint8_t p[PARAMS_SIZE], st;

	base(p);
	b->mutate(p);
	st = sa_add(c, 0, 1, p);
	ck_assert_msg(st == b->status, "SA_ADD with %s: status %u, want %u",
		      b->what, st, b->status);
	ck_assert_msg(vpe_sa_lookup(vpe_core_sadb(c), 0, 1) == NULL,
		      "refused SA (%s) was added", b->what);
	base(p);
	ck_assert_msg(sa_add(c, 0, 1, p) == 0,
		      "valid SA refused after the %s case", b->what);
	vpe_core_free(c);
}
END_TEST

START_TEST(test_sa_key_sizes)
{
	struct vpe_core *c = test_core();
	uint8_t p[PARAMS_SIZE], k, icv;
	uint32_t id = 1;

	for (k = 16; k <= 32; k += 8)
		for (icv = 8; icv <= 16; icv += 4) {
			test_params(p, VIRTIO_IPSEC_DIR_OUTBOUND, id, key, k,
				    salt, 0);
			S(p)->icv_len = icv;
			ck_assert_msg(sa_add(c, 0, id, p) == 0,
				      "AES-GCM key %u ICV %u refused", k, icv);
			id++;
		}
	vpe_core_free(c);
}
END_TEST

START_TEST(test_features_config)
{
	struct vpe_core *c = test_core();
	struct virtio_ipsec_config cfg;
	uint64_t f = vpe_core_features(c);

	ck_assert_msg((f & 1ULL << VIRTIO_IPSEC_F_ANTI_REPLAY) &&
		      (f & 1ULL << VIRTIO_IPSEC_F_LIFETIME) &&
		      (f & 1ULL << VIRTIO_IPSEC_F_EVENTQ) &&
		      (f & 1ULL << VIRTIO_IPSEC_F_SA_MOD) &&
		      (f & 1ULL << VIRTIO_IPSEC_F_SA_GET) &&
		      !(f & 1ULL << VIRTIO_IPSEC_F_MQ),
		      "features 0x%lx: state features missing, or MQ (a "
		      "device-model matter) claimed", (unsigned long)f);
	vpe_core_fill_config(c, &cfg);
	ck_assert_msg(le32toh(cfg.max_sas) == 64 &&
		      le32toh(cfg.max_groups) == 4 &&
		      le32toh(cfg.max_batch) == 32 &&
		      le32toh(cfg.max_replay_window) == 4096 &&
		      le32toh(cfg.status) == VIRTIO_IPSEC_S_HW_READY,
		      "config does not reflect the core configuration");
	/*
	 * Config space reports what the backend can do, less the weak
	 * algorithms (DES, HMAC-MD5) unless the device allows them.
	 */
	ck_assert_msg(le64toh(cfg.cipher_algo_mask) ==
		      (vpe_core_crypto(c)->ops->cipher_mask &
		       ~(1ULL << VIRTIO_IPSEC_CIPHER_DES_CBC)) &&
		      le64toh(cfg.auth_algo_mask) ==
		      (vpe_core_crypto(c)->ops->auth_mask &
		       ~(1ULL << VIRTIO_IPSEC_AUTH_HMAC_MD5_96)),
		      "config algorithm masks: backend's less DES/MD5 expected");
	ck_assert_msg(le32toh(cfg.max_auth_key_len) == VIRTIO_IPSEC_MAX_AUTH_KEY,
		      "max_auth_key_len %u: HMAC-SHA512 needs %u-byte keys",
		      le32toh(cfg.max_auth_key_len), VIRTIO_IPSEC_MAX_AUTH_KEY);
	/* What SA_ADD accepts: options, outer header fields, key sizes. */
	ck_assert_msg(le32toh(cfg.sa_options) ==
		      VIRTIO_IPSEC_SA_OPT_ALL,
		      "sa_options 0x%x: every option with a replay window",
		      le32toh(cfg.sa_options));
	ck_assert_msg(le32toh(cfg.hdr_fields) ==
		      (VIRTIO_IPSEC_HDR_F_DSCP | VIRTIO_IPSEC_HDR_F_DF |
		       VIRTIO_IPSEC_HDR_F_TTL | VIRTIO_IPSEC_HDR_F_FLOW_LABEL),
		      "hdr_fields 0x%x", le32toh(cfg.hdr_fields));
	ck_assert_msg(cfg.cipher_key_sizes[VIRTIO_IPSEC_CIPHER_AES_GCM] ==
		      (VIRTIO_IPSEC_KEY_SIZE_BIT(16) | VIRTIO_IPSEC_KEY_SIZE_BIT(24) |
		       VIRTIO_IPSEC_KEY_SIZE_BIT(32)) &&
		      cfg.cipher_key_sizes[VIRTIO_IPSEC_CIPHER_3DES_CBC] ==
		      VIRTIO_IPSEC_KEY_SIZE_BIT(24) &&
		      cfg.cipher_key_sizes[VIRTIO_IPSEC_CIPHER_NULL] ==
		      VIRTIO_IPSEC_KEY_SIZE_BIT(0) &&
		      cfg.cipher_key_sizes[VIRTIO_IPSEC_CIPHER_DES_CBC] == 0,
		      "cipher_key_sizes: GCM 0x%x 3DES 0x%x NULL 0x%x DES 0x%x",
		      cfg.cipher_key_sizes[VIRTIO_IPSEC_CIPHER_AES_GCM],
		      cfg.cipher_key_sizes[VIRTIO_IPSEC_CIPHER_3DES_CBC],
		      cfg.cipher_key_sizes[VIRTIO_IPSEC_CIPHER_NULL],
		      cfg.cipher_key_sizes[VIRTIO_IPSEC_CIPHER_DES_CBC]);
	/* intel-ipsec-mb has no AES-CCM-192: config says so up front. */
	if (!strcmp(vpe_core_crypto(c)->ops->name, "ipsec-mb"))
		ck_assert_msg(cfg.cipher_key_sizes[VIRTIO_IPSEC_CIPHER_AES_CCM] ==
			      (VIRTIO_IPSEC_KEY_SIZE_BIT(16) |
			       VIRTIO_IPSEC_KEY_SIZE_BIT(32)),
			      "ipsec-mb CCM key sizes 0x%x, want 128/256 only",
			      cfg.cipher_key_sizes[VIRTIO_IPSEC_CIPHER_AES_CCM]);
	vpe_core_free(c);
}
END_TEST

START_TEST(test_core_config_refused)
{
	struct vpe_core_config cfg = {
		.max_sas = 0, .max_groups = 4, .max_packet_len = 9000,
		.max_batch = 32, .max_replay_window = 64,
	};
	char err[128] = "";

	ck_assert_msg(vpe_core_new(&cfg, err, sizeof(err)) == NULL &&
		      err[0], "max_sas 0 accepted");
	cfg.max_sas = 8;
	cfg.crypto_backend = "no-such-backend";
	ck_assert_msg(vpe_core_new(&cfg, err, sizeof(err)) == NULL,
		      "unknown backend accepted");
}
END_TEST

/* Each exported limit: its edge passes the check, one past is refused
 * with a message naming the field and the limit (what realize shows). */
START_TEST(test_core_config_limits)
{
	struct vpe_core_config ok = {
		.max_sas = VPE_CORE_MAX_SAS, .max_groups = VPE_CORE_MAX_GROUPS,
		.max_packet_len = VPE_CORE_MIN_PACKET_LEN,
		.max_batch = VPE_CORE_MAX_BATCH,
		.max_replay_window = VPE_CORE_MAX_REPLAY_WINDOW,
		.max_events = VPE_CORE_MAX_EVENTS,
	};
	struct vpe_core_config c;
	char err[128];

	ck_assert_msg(vpe_core_config_check(&ok, err, sizeof(err)),
		      "every limit at its edge refused: %s", err);
	ok.max_packet_len = VPE_CORE_MAX_PACKET_LEN;
	ck_assert_msg(vpe_core_config_check(&ok, err, sizeof(err)),
		      "max_packet_len at the maximum refused: %s", err);

	c = ok;
	c.max_packet_len = 128;
	ck_assert_msg(!vpe_core_config_check(&c, err, sizeof(err)) &&
		      strstr(err, "max_packet_len 128 is below the engine's "
			     "minimum 256"), "max_packet_len 128: '%s'", err);
	ck_assert_msg(vpe_core_new(&c, err, sizeof(err)) == NULL &&
		      strstr(err, "max_packet_len"),
		      "vpe_core_new took max_packet_len 128: '%s'", err);
	c = ok;
	c.max_packet_len = VPE_CORE_MAX_PACKET_LEN + 1;
	ck_assert_msg(!vpe_core_config_check(&c, err, sizeof(err)) &&
		      strstr(err, "max_packet_len 65536 is above the engine's "
			     "maximum 65535"), "max_packet_len 65536: '%s'", err);
	c = ok;
	c.max_sas = VPE_CORE_MAX_SAS + 1;
	ck_assert_msg(!vpe_core_config_check(&c, err, sizeof(err)) &&
		      strstr(err, "max_sas"), "max_sas over: '%s'", err);
	c = ok;
	c.max_batch = VPE_CORE_MAX_BATCH + 1;
	ck_assert_msg(!vpe_core_config_check(&c, err, sizeof(err)) &&
		      strstr(err, "max_batch"), "max_batch over: '%s'", err);
	c = ok;
	c.max_replay_window = VPE_CORE_MAX_REPLAY_WINDOW + 1;
	ck_assert_msg(!vpe_core_config_check(&c, err, sizeof(err)) &&
		      strstr(err, "max_replay_window"),
		      "max_replay_window over: '%s'", err);
	c = ok;
	c.max_events = VPE_CORE_MAX_EVENTS + 1;
	ck_assert_msg(!vpe_core_config_check(&c, err, sizeof(err)) &&
		      strstr(err, "max_events"), "max_events over: '%s'", err);
	ck_assert_msg(!vpe_core_config_check(NULL, err, sizeof(err)),
		      "NULL configuration accepted");
}
END_TEST

Suite *sa_suite(void)
{
	Suite *s = suite_create("sa");
	TCase *tc = tcase_create("control");

	tcase_add_test(tc, test_groups);
	tcase_add_test(tc, test_sa_ids);
	tcase_add_test(tc, test_spi_per_group);
	tcase_add_loop_test(tc, test_sa_param_errors, 0,
			    (int)(sizeof(bads) / sizeof(bads[0])));
	tcase_add_test(tc, test_sa_key_sizes);
	tcase_add_test(tc, test_features_config);
	tcase_add_test(tc, test_core_config_refused);
	tcase_add_test(tc, test_core_config_limits);
	suite_add_tcase(s, tc);
	return s;
}
