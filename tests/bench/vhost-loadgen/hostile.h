/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vipsec-vhost-hostile: the harness the cases share (hostile.c) and the
 * cases, one file per kind: request contents and the device's life
 * (hostile_req.c), descriptor chains (hostile_chain.c), vhost-user
 * messages (hostile_vu.c).
 */
#ifndef HOSTILE_H
#define HOSTILE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "vip_req.h"

#define NQ	 2 /* data queues the back end serves */
#define RING	 256
#define MEM	 (4u << 20)
#define SA_OUT	 1
#define SA_IN	 2
#define SPI	 0x2000
#define RAW_DESC 200 /* descriptor indexes the cases write by hand */
#define WAIT_MS	 3000

struct t {
	const char *bin;
	char dir[64], sock[128], log[160];
	pid_t pid;
	struct vip_dev d;
	bool open;
	char why[512];
};

/* Records the first failure of a case; returns -1. */
int failf(struct t *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define EXPECT(t, c, ...)                             \
	do {                                          \
		if (!(c))                             \
			return failf(t, __VA_ARGS__); \
	} while (0)

/* The back end process (hostile.c says more about each helper). */
void msleep(int ms);
int be_start(struct t *t);
bool be_alive(struct t *t);

/* The front end: a connection with NQ data queues and SA_OUT/SA_IN. */
int dev_open(struct t *t, bool add_sas);
void dev_close(struct t *t);
int wait_done(struct t *t, unsigned int q, void *tok);
int batch(struct t *t, struct vip_batch *b, uint16_t op, uint32_t sa,
	  uint32_t npkts, uint32_t in_len);
int submit(struct t *t, unsigned int q, struct vip_batch *b);

/* Expectations: the queue serves, a request is refused, a reset. */
int serves(struct t *t, unsigned int q);
int refused(struct t *t, unsigned int q, struct vip_batch *b, uint8_t want,
	    const char *what);
int wait_reset(struct t *t, unsigned int q, const char *what);
int needs_reset(struct t *t, unsigned int q, const char *what);

/* Hand-written descriptors and buffers. */
void rawd(struct t *t, unsigned int q, uint16_t i, uint64_t gpa, uint32_t len,
	  uint16_t flags, uint16_t next);
void push(struct t *t, unsigned int q, uint16_t head);
uint64_t good_rd(struct t *t, uint32_t *len);
uint64_t wr_buf(struct t *t, uint32_t len);

/* The cases: 0 passed, -1 failed (t->why says why). */
int c_baseline(struct t *t);
int c_bad_counts(struct t *t);
int c_bad_ctrl(struct t *t);
int c_addr_out_of_range(struct t *t);
int c_addr_below_region(struct t *t);
int c_len_beyond_region(struct t *t);
int c_desc_loop(struct t *t);
int c_next_out_of_range(struct t *t);
int c_head_out_of_range(struct t *t);
int c_avail_runaway(struct t *t);
int c_footer_room(struct t *t);
int c_no_readable(struct t *t);
int c_readable_after_writable(struct t *t);
int c_indirect(struct t *t);
int c_vring_index(struct t *t);
int c_config(struct t *t);
int c_vring_num(struct t *t);
int c_kick_early(struct t *t);
int c_mem_table(struct t *t);
int c_violation_under_load(struct t *t);
int c_reset_under_load(struct t *t);
int c_restart(struct t *t);

#endif
