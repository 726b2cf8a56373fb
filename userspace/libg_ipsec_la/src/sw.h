/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Software accelerator internals (sw.c, sw_ioctl.c, sw_xform.c). The state
 * mirrors what the guest driver keeps per device and per open file.
 */
#ifndef GLA_SW_H
#define GLA_SW_H

#include <endian.h>
#include <pthread.h>

#include "vipsec_core.h"

#define GLA_SW_MAX_SAS		1024
#define GLA_SW_MAX_GROUPS	64
#define GLA_SW_EVQ		256	/* records queued per file */

struct gla_sw_file {
	struct gla_sw_file *next;
	int efd;
	uint32_t mode;			/* VIPSEC_MODE_*, 0 = no claim */
	char app[64];
	struct vipsec_event evq[GLA_SW_EVQ];
	uint32_t ev_head, ev_count;
	uint64_t ev_lost;
};

struct gla_sw_sa {
	struct gla_sw_file *owner;	/* NULL: free id */
	uint32_t group;
};

struct gla_sw_dev {
	pthread_mutex_t lock;		/* protects everything */
	struct vpe_core *core;
	uint32_t max_sas, max_groups;
	struct gla_sw_file *files;
	uint32_t nfiles;
	uint32_t mode;			/* VIPSEC_MODE_* of the claims */
	uint32_t nclaims;
	uint32_t next_id;		/* SA id cursor: ids not reused soon */
	struct gla_sw_sa sas[GLA_SW_MAX_SAS + 1];
	struct gla_sw_file *groups[GLA_SW_MAX_GROUPS + 1];
	struct {
		uint64_t bytes_in, bytes_out, packets_in, packets_out;
		uint64_t sas_created, sas_deleted, sas_modified, active_sas;
	} counters;
};

extern struct gla_sw_dev gla_sw;

/* Must hold gla_sw.lock for all of these. */
void gla_sw_tick(void);
void gla_sw_push(struct gla_sw_file *f, const struct vipsec_event *e);
void gla_sw_pump(void);
void gla_sw_release(struct gla_sw_file *f);
uint8_t gla_sw_ctrl(uint16_t op, uint32_t group, uint32_t sa_id,
		    const void *body, size_t body_len, void *out,
		    size_t out_cap, uint32_t *out_len);
int gla_sw_xform(struct gla_sw_file *f, struct vipsec_xform *x);

#endif /* GLA_SW_H */
