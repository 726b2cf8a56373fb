/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared helpers of the engine unit tests. */
#ifndef VIPSEC_TESTS_H
#define VIPSEC_TESTS_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/virtio_ipsec.h>

#include "vipsec_core.h"
#include "vpe_test.h"
#include "vipsec_esp.h"
#include "vipsec_sa.h"

Suite *uapi_suite(void);
Suite *vectors_suite(void);
Suite *esp_suite(void);
Suite *sa_suite(void);
Suite *decoder_suite(void);
Suite *backend_suite(void);
Suite *state_suite(void);
Suite *algos_suite(void);
Suite *algos_vectors_suite(void);
Suite *formats_suite(void);
Suite *formats_seq_suite(void);
Suite *esn_resume_suite(void);
Suite *hostile_suite(void);
Suite *burst_suite(void);
Suite *sadb_index_suite(void);
Suite *migrate_suite(void);
Suite *mq_suite(void);
Suite *sa_state_suite(void);
Suite *flow_suite(void);
Suite *arena_suite(void);
Suite *fast_out_suite(void);

/*
 * Crypto backend of every core the suites create: $VIPSEC_TEST_BACKEND
 * ("ipsec-mb", "kernel", "auto"), default "ipsec-mb".
 */
const char *test_backend(void);

/* Parses hex (whitespace ignored) into buf; returns the byte count. */
size_t hex2bin(const char *hex, uint8_t *buf, size_t cap);

/* A core with small, known limits: 64 SAs, 4 groups, batch 32. */
struct vpe_core *test_core(void);

/* Wire SA params: AES-GCM, tunnel v4 10.0.0.1 -> 10.0.0.2. */
void test_params(uint8_t p[sizeof(struct virtio_ipsec_sa_params)],
		 uint8_t dir, uint32_t spi, const uint8_t *key,
		 uint8_t key_len, const uint8_t salt[4], uint32_t window);

#define PARAMS_SIZE sizeof(struct virtio_ipsec_sa_params)

/* Sends a control request; returns the footer status. */
uint8_t ctrl(struct vpe_core *c, uint16_t op, uint32_t gid, uint32_t id,
	     const void *body, size_t body_len);
uint8_t sa_add(struct vpe_core *c, uint32_t gid, uint32_t id,
	       const uint8_t *params);

/* Builds a complete inner IPv4 packet of len bytes (>= 20). */
void make_ipv4(uint8_t *p, uint32_t len, uint8_t tos, int df, uint32_t salt);

/* Single-packet data request through vpe_core_handle_data. */
struct pkt_out {
	uint8_t footer_status;
	uint8_t status;
	uint32_t out_len;
	uint64_t seq;
	uint8_t data[70000];
};
void data1(struct vpe_core *c, uint16_t op, uint32_t gid, uint32_t id,
	   const uint8_t *in, uint32_t in_len, uint32_t out_cap,
	   struct pkt_out *o);

#endif /* VIPSEC_TESTS_H */
