/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libg_ipsec_la internals: the table of open accelerators, handle
 * encoding and helpers shared by the source files. Nothing here is
 * exported from the shared library (version script); the static archive
 * keeps the gla_* symbols so host tests can reach the translation code.
 */
#ifndef GLA_INTERNAL_H
#define GLA_INTERNAL_H

#include <stdint.h>
#include <linux/virtio_ipsec_dev.h>

#include "g_ipsec_la.h"

#define GLA_MAX_INSTANCES	64

/* handle[0] / group_handle[0] / ipsec_sa_handle[0] magic words */
#define GLA_MAGIC_ACCL		0x474c4131u	/* "GLA1" */
#define GLA_MAGIC_GROUP		0x474c4147u	/* "GLAG" */
#define GLA_MAGIC_SA		0x474c4153u	/* "GLAS" */

/* Word positions inside the opaque handles. */
enum {
	GLA_H_MAGIC = 0,
	GLA_H_SLOT = 1,		/* index in the instance table */
	GLA_H_GEN = 2,		/* generation of that slot */
	GLA_H_ACCL_ID = 3,	/* accelerator: instance id N */
	GLA_H_GROUP_ID = 3,	/* group and SA handles: group id */
	GLA_H_SA_ID = 4,	/* SA handle: SA id */
	GLA_H_SA_DIR = 5,	/* SA handle: direction */
	GLA_H_SA_SPI = 6,	/* SA handle: SPI, for diagnostics */
};

/* What a validated accelerator handle resolves to. */
struct gla_ref {
	int fd;
	uint32_t slot;
	uint32_t gen;
	uint32_t group_id;	/* from handle->group_handle; 0 = default */
	struct vipsec_info info;
};

/* device.c */
int gla_ref_get(const struct g_ipsec_la_handle *h, struct gla_ref *ref);
int gla_check_sync(uint32_t flags);

/* group.c */
int gla_group_decode(const struct gla_ref *ref, const uint32_t *gh,
		     uint32_t *group_id);

/* sa.c */
int gla_sa_to_wire(const struct g_ipsec_la_sa *sa,
		   enum g_ipsec_la_sa_direction dir,
		   const struct vipsec_info *info,
		   struct virtio_ipsec_sa_params *p);
void gla_sa_handle_encode(struct g_ipsec_la_sa_handle *sh,
			  const struct gla_ref *ref, uint32_t group_id,
			  uint32_t sa_id, uint32_t dir, uint32_t spi);

/* errors.c */
int gla_pkt_status_to_errno(uint32_t status);
int gla_ctrl_status_to_errno(uint32_t status);

/* discovery.c */
#define GLA_MAX_ACCELS	64
int gla_discover(char names[][32], int max);
int gla_open_node(const char *name);

#endif /* GLA_INTERNAL_H */
