// SPDX-License-Identifier: BSD-3-Clause
/*
 * Pins the device and char-device ABI: every wire struct's size and field
 * offsets. A change here breaks drivers and devices already built.
 * (The headers compiling alone in C and C++ is checked by the Makefile.)
 */
#include <stddef.h>

#include <linux/virtio_ipsec.h>
#include <linux/virtio_ipsec_dev.h>

#include "tests.h"

#define PIN_SIZE(t, n) _Static_assert(sizeof(struct t) == (n), #t " size")
#define PIN(t, f, o) _Static_assert(offsetof(struct t, f) == (o), #t "." #f)

PIN_SIZE(virtio_ipsec_config, 88);
PIN(virtio_ipsec_config, status, 0);
PIN(virtio_ipsec_config, abi_version, 4);
PIN(virtio_ipsec_config, max_data_queues, 8);
PIN(virtio_ipsec_config, max_sas, 12);
PIN(virtio_ipsec_config, max_groups, 16);
PIN(virtio_ipsec_config, max_packet_len, 20);
PIN(virtio_ipsec_config, max_batch, 24);
PIN(virtio_ipsec_config, max_replay_window, 28);
PIN(virtio_ipsec_config, cipher_algo_mask, 32);
PIN(virtio_ipsec_config, auth_algo_mask, 40);
PIN(virtio_ipsec_config, max_cipher_key_len, 48);
PIN(virtio_ipsec_config, max_auth_key_len, 52);
PIN(virtio_ipsec_config, sa_options, 56);
PIN(virtio_ipsec_config, hdr_fields, 60);
PIN(virtio_ipsec_config, cipher_key_sizes, 64);
PIN(virtio_ipsec_config, reserved, 80);

PIN_SIZE(virtio_ipsec_resp_footer, 8);
PIN(virtio_ipsec_resp_footer, status, 0);
PIN(virtio_ipsec_resp_footer, reserved, 1);
PIN(virtio_ipsec_resp_footer, out_len, 4);

PIN_SIZE(virtio_ipsec_ctrl_hdr, 16);
PIN(virtio_ipsec_ctrl_hdr, opcode, 0);
PIN(virtio_ipsec_ctrl_hdr, flags, 2);
PIN(virtio_ipsec_ctrl_hdr, group_id, 4);
PIN(virtio_ipsec_ctrl_hdr, sa_id, 8);
PIN(virtio_ipsec_ctrl_hdr, reserved, 12);

PIN_SIZE(virtio_ipsec_group_create, 32);
PIN(virtio_ipsec_group_create, name, 0);

PIN_SIZE(virtio_ipsec_sa_params, 304);
PIN(virtio_ipsec_sa_params, spi, 0);
PIN(virtio_ipsec_sa_params, direction, 4);
PIN(virtio_ipsec_sa_params, mode, 5);
PIN(virtio_ipsec_sa_params, protocol, 6);
PIN(virtio_ipsec_sa_params, ip_version, 7);
PIN(virtio_ipsec_sa_params, options, 8);
PIN(virtio_ipsec_sa_params, replay_window, 12);
PIN(virtio_ipsec_sa_params, cipher_alg, 16);
PIN(virtio_ipsec_sa_params, auth_alg, 17);
PIN(virtio_ipsec_sa_params, icv_len, 18);
PIN(virtio_ipsec_sa_params, cipher_key_len, 19);
PIN(virtio_ipsec_sa_params, auth_key_len, 20);
PIN(virtio_ipsec_sa_params, salt_len, 21);
PIN(virtio_ipsec_sa_params, reserved0, 22);
PIN(virtio_ipsec_sa_params, cipher_key, 24);
PIN(virtio_ipsec_sa_params, auth_key, 56);
PIN(virtio_ipsec_sa_params, salt, 120);
PIN(virtio_ipsec_sa_params, tun_src, 124);
PIN(virtio_ipsec_sa_params, tun_dst, 140);
PIN(virtio_ipsec_sa_params, udp_src_port, 156);
PIN(virtio_ipsec_sa_params, udp_dst_port, 158);
PIN(virtio_ipsec_sa_params, nat_oa, 160);
PIN(virtio_ipsec_sa_params, dscp_mode, 176);
PIN(virtio_ipsec_sa_params, dscp, 177);
PIN(virtio_ipsec_sa_params, df_mode, 178);
PIN(virtio_ipsec_sa_params, ttl, 179);
PIN(virtio_ipsec_sa_params, flow_label, 180);
PIN(virtio_ipsec_sa_params, tfc_pad_to, 184);
PIN(virtio_ipsec_sa_params, seq_notify_interval, 188);
PIN(virtio_ipsec_sa_params, initial_seq, 192);
PIN(virtio_ipsec_sa_params, soft_bytes, 200);
PIN(virtio_ipsec_sa_params, hard_bytes, 208);
PIN(virtio_ipsec_sa_params, soft_packets, 216);
PIN(virtio_ipsec_sa_params, hard_packets, 224);
PIN(virtio_ipsec_sa_params, soft_seconds, 232);
PIN(virtio_ipsec_sa_params, hard_seconds, 240);
PIN(virtio_ipsec_sa_params, sel_src, 248);
PIN(virtio_ipsec_sa_params, sel_prefix_len, 264);
PIN(virtio_ipsec_sa_params, reserved1, 265);
PIN(virtio_ipsec_sa_params, reserved2, 272);
PIN(virtio_ipsec_sa_params, path_mtu, 300);
PIN(virtio_ipsec_sa_params, frag_mode, 302);
PIN(virtio_ipsec_sa_mod, path_mtu, 584);

PIN_SIZE(virtio_ipsec_data_hdr, 16);
PIN(virtio_ipsec_data_hdr, opcode, 0);
PIN(virtio_ipsec_data_hdr, flags, 2);
PIN(virtio_ipsec_data_hdr, num_pkts, 4);
PIN(virtio_ipsec_data_hdr, reserved, 8);

PIN_SIZE(virtio_ipsec_pkt_req, 16);
PIN(virtio_ipsec_pkt_req, group_id, 0);
PIN(virtio_ipsec_pkt_req, sa_id, 4);
PIN(virtio_ipsec_pkt_req, in_len, 8);
PIN(virtio_ipsec_pkt_req, out_cap, 12);

PIN_SIZE(virtio_ipsec_pkt_result, 16);
PIN(virtio_ipsec_pkt_result, status, 0);
PIN(virtio_ipsec_pkt_result, reserved, 1);
PIN(virtio_ipsec_pkt_result, warnings, 2);
PIN(virtio_ipsec_pkt_result, out_len, 4);
PIN(virtio_ipsec_pkt_result, seq_lo, 8);
PIN(virtio_ipsec_pkt_result, seq_hi, 12);

/* char device */
PIN_SIZE(vipsec_info, 136);
PIN(vipsec_info, size, 0);
PIN(vipsec_info, flags, 4);
PIN(vipsec_info, id, 8);
PIN(vipsec_info, abi_version, 12);
PIN(vipsec_info, name, 16);
PIN(vipsec_info, features, 48);
PIN(vipsec_info, cipher_algo_mask, 56);
PIN(vipsec_info, auth_algo_mask, 64);
PIN(vipsec_info, max_sas, 72);
PIN(vipsec_info, max_groups, 76);
PIN(vipsec_info, max_packet_len, 80);
PIN(vipsec_info, max_batch, 84);
PIN(vipsec_info, max_replay_window, 88);
PIN(vipsec_info, max_cipher_key_len, 92);
PIN(vipsec_info, max_auth_key_len, 96);
PIN(vipsec_info, num_data_queues, 100);
PIN(vipsec_info, sa_options, 104);
PIN(vipsec_info, hdr_fields, 108);
PIN(vipsec_info, cipher_key_sizes, 112);
PIN(vipsec_info, reserved, 128);

PIN_SIZE(vipsec_claim, 80);
PIN(vipsec_claim, size, 0);
PIN(vipsec_claim, flags, 4);
PIN(vipsec_claim, mode, 8);
PIN(vipsec_claim, reserved, 12);
PIN(vipsec_claim, app_identity, 16);

PIN_SIZE(vipsec_group, 48);
PIN(vipsec_group, size, 0);
PIN(vipsec_group, flags, 4);
PIN(vipsec_group, group_id, 8);
PIN(vipsec_group, reserved, 12);
PIN(vipsec_group, name, 16);

PIN_SIZE(vipsec_sa_add, 40);
PIN(vipsec_sa_add, size, 0);
PIN(vipsec_sa_add, flags, 4);
PIN(vipsec_sa_add, group_id, 8);
PIN(vipsec_sa_add, num_sas, 12);
PIN(vipsec_sa_add, params, 16);
PIN(vipsec_sa_add, ids, 24);
PIN(vipsec_sa_add, dev_status, 32);
PIN(vipsec_sa_add, failed_index, 36);

PIN_SIZE(vipsec_sa_del, 16);
PIN(vipsec_sa_del, group_id, 8);
PIN(vipsec_sa_del, sa_id, 12);

PIN_SIZE(vipsec_seg, 16);
PIN(vipsec_seg, addr, 0);
PIN(vipsec_seg, len, 8);
PIN(vipsec_seg, reserved, 12);

PIN_SIZE(vipsec_pkt, 56);
PIN(vipsec_pkt, group_id, 0);
PIN(vipsec_pkt, sa_id, 4);
PIN(vipsec_pkt, in_nsegs, 8);
PIN(vipsec_pkt, out_nsegs, 12);
PIN(vipsec_pkt, in_segs, 16);
PIN(vipsec_pkt, out_segs, 24);
PIN(vipsec_pkt, status, 32);
PIN(vipsec_pkt, out_len, 36);
PIN(vipsec_pkt, seq_lo, 40);
PIN(vipsec_pkt, seq_hi, 44);
PIN(vipsec_pkt, warnings, 48);
PIN(vipsec_pkt, reserved, 52);

PIN_SIZE(vipsec_xform, 32);
PIN(vipsec_xform, size, 0);
PIN(vipsec_xform, flags, 4);
PIN(vipsec_xform, op, 8);
PIN(vipsec_xform, num_pkts, 12);
PIN(vipsec_xform, pkts, 16);
PIN(vipsec_xform, user_data, 24);

PIN_SIZE(vipsec_event, 48);
PIN(vipsec_event, size, 0);
PIN(vipsec_event, type, 4);
PIN(vipsec_event, flags, 6);
PIN(vipsec_event, user_data, 8);
PIN(vipsec_event, result, 16);
PIN(vipsec_event, group_id, 20);
PIN(vipsec_event, sa_id, 24);
PIN(vipsec_event, reserved, 28);
PIN(vipsec_event, seq, 32);
PIN(vipsec_event, value, 40);

/* SA state read-back and restore, error event limits */
PIN_SIZE(virtio_ipsec_sa_get, 16);
PIN(virtio_ipsec_sa_get, flags, 8);
PIN_SIZE(virtio_ipsec_sa_state, 560);
PIN(virtio_ipsec_sa_state, life_bytes, 8);
PIN(virtio_ipsec_sa_state, life_seconds, 24);
PIN(virtio_ipsec_sa_state, bitmap, 32);
PIN_SIZE(virtio_ipsec_sa_mod, 592);
PIN(virtio_ipsec_sa_mod, life_seconds, 44);
PIN(virtio_ipsec_sa_mod, seq, 48);
PIN(virtio_ipsec_sa_mod, life_bytes, 568);
PIN(virtio_ipsec_sa_mod, life_packets, 576);
PIN_SIZE(virtio_ipsec_event_limit, 32);
PIN(virtio_ipsec_event_limit, scope, 4);
PIN(virtio_ipsec_event_limit, type, 5);
PIN(virtio_ipsec_event_limit, value, 8);

/* The runtime half: values the driver and device must agree on. */
START_TEST(test_abi_constants)
{
	ck_assert_msg(VIRTIO_ID_IPSEC == 57, "device id changed: %d",
		      VIRTIO_ID_IPSEC);
	ck_assert_msg(VIRTIO_IPSEC_DST_TOO_SMALL == 11 &&
		      VIRTIO_IPSEC_SELECTOR == 19,
		      "status code numbering changed");
	ck_assert_msg(sizeof(struct virtio_ipsec_sa_params) % 8 == 0,
		      "sa_params must stay 8-byte multiple, is %zu",
		      sizeof(struct virtio_ipsec_sa_params));
	ck_assert_msg(VIPSEC_IOC_XFORM != VIPSEC_IOC_SA_ADD,
		      "ioctl numbers collide");
}
END_TEST

Suite *uapi_suite(void)
{
	Suite *s = suite_create("uapi");
	TCase *tc = tcase_create("abi");

	tcase_add_test(tc, test_abi_constants);
	suite_add_tcase(s, tc);
	return s;
}
