/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Software accelerator internals (sw.c, sw_ioctl.c, sw_xform.c): the
 * guest driver's per-device and per-file state, kept in-process over the
 * ESP engine. The driver (kernel/virtio_ipsec/) is the reference for
 * every rule here; each function names its counterpart there.
 */
#ifndef GLA_SW_H
#define GLA_SW_H

#include <endian.h>
#include <pthread.h>

#include "backend.h"
#include "internal.h"
#include "vipsec_core.h"

/*
 * The limits the software accelerator reports: the QEMU device's property
 * defaults (qemu-device/include/hw/virtio/virtio-ipsec.h,
 * VIRTIO_IPSEC_DEFAULT_*), so that code sized and tested on the host
 * meets the same limits in the VM. The guest suite compares the two
 * accelerators' capabilities (tests/lib/gapi_errors.c).
 */
#define GLA_SW_MAX_SAS		 1024
#define GLA_SW_MAX_GROUPS	 64
#define GLA_SW_MAX_PACKET_LEN	 9216
#define GLA_SW_MAX_REPLAY_WINDOW 4096
/* The driver's defaults (event.h, quota.c, data.c, ctrl.h) */
#define GLA_SW_EV_MAX_QUEUED   1024 /* records other than XFORM_DONE */
#define GLA_SW_SAS_PER_FILE    512  /* max_sas_per_file */
#define GLA_SW_GROUPS_PER_FILE 16   /* max_groups_per_file */
#define GLA_SW_ASYNC_BYTES     (65536ul * 1024) /* max_async_kb_per_file */
#define GLA_SW_DATA_MAX_BYTES  (4u << 20)	/* one data request */
#define GLA_SW_SA_GET_CHUNK    32		/* SAs per device SA_GET */

struct gla_sw_async;
struct gla_sw_cjob;

/* One queued record; XFORM_DONE ones carry their batch (sw_xform.c). */
struct gla_sw_ev {
	struct gla_sw_ev *next;
	struct vipsec_event ev;
	struct gla_sw_async *async;
	struct gla_sw_cjob *cjob; /* CTRL_DONE with output (owns the item) */
};

/* One open "file" (the driver's struct vipsec_file). */
struct gla_sw_file {
	struct gla_sw_file *next;
	int efd;       /* readable while records are queued */
	uint32_t mode; /* VIPSEC_MODE_*, 0 = no claim */
	char app[64];
	struct gla_sw_ev *ev_head, *ev_tail;
	uint32_t nevents;	/* queued records but XFORM_DONE */
	uint64_t lost;		/* dropped since the last LOST */
	uint32_t nsas, ngroups; /* for the quotas */
	uint32_t nasync;	/* async batches not yet read */
	uint32_t ncjobs;	/* CTRL_ASYNC outputs not yet read */
	uint64_t async_bytes;
};

struct gla_sw_sa {
	struct gla_sw_file *owner; /* NULL: free id */
	uint32_t group;
	int disabled; /* SA_MOD DISABLE: batches naming it get -ESHUTDOWN */
};

struct gla_sw_dev {
	pthread_mutex_t lock; /* protects everything */
	struct vpe_core *core;
	uint32_t max_sas, max_groups, max_packet_len, max_batch;
	uint32_t max_replay_window;
	uint64_t features;
	struct gla_sw_file *files;
	uint32_t nfiles;
	uint32_t mode; /* VIPSEC_MODE_* of the claims */
	uint32_t nclaims;
	struct gla_sw_file *elimit_owner; /* elimit.c: who set EVENT_LIMIT */
	uint8_t status;			  /* of the last gla_sw_ctrl() */
	struct gla_sw_sa sas[GLA_SW_MAX_SAS + 1];
	struct gla_sw_file *groups[GLA_SW_MAX_GROUPS + 1];
	struct {
		uint64_t bytes_in, bytes_out, packets_in, packets_out;
		uint64_t sas_created, sas_deleted, sas_modified, active_sas;
	} counters;
};

extern struct gla_sw_dev gla_sw;

/* sw.c: user memory as the driver sees it (-EFAULT, not a crash) */
int gla_sw_copy_in(void *dst, uint64_t src, size_t len);
int gla_sw_copy_out(uint64_t dst, const void *src, size_t len);
int gla_sw_copy_arg(void *karg, size_t ksize, const void *uarg);
int gla_sw_mem_is_zero(const void *p, size_t len);

/* Must hold gla_sw.lock for all of these. */
void gla_sw_tick(void);
void gla_sw_post(struct gla_sw_file *f, const struct vipsec_event *e);
void gla_sw_post_async(struct gla_sw_file *f, struct gla_sw_ev *item);
void gla_sw_pump(void);
void gla_sw_release(struct gla_sw_file *f);
int gla_sw_ctrl(uint16_t op, uint32_t group, uint32_t sa_id, const void *body,
		size_t body_len, void *out, size_t out_cap, uint32_t *out_len);
long gla_sw_dispatch(struct gla_sw_file *f, unsigned long cmd, void *arg);
long gla_sw_xform(struct gla_sw_file *f, void *uarg);
int gla_sw_owns_group(struct gla_sw_file *f, uint32_t g);
int gla_sw_owns_sa(struct gla_sw_file *f, uint32_t group, uint32_t id);
/* read(): write an XFORM_DONE batch's results back, free it */
void gla_sw_async_deliver(struct gla_sw_async *a, struct vipsec_event *ev);
void gla_sw_async_free(struct gla_sw_async *a);
/* sw_ctrl_async.c: CTRL_ASYNC of GROUP_CREATE, SA_ADD, SA_GET */
long gla_sw_ctrl_async_out(struct gla_sw_file *f, uint32_t cmd, uint64_t uarg,
			   uint64_t user_data);
/* read(): write the call's output back, free the job */
void gla_sw_cjob_deliver(struct gla_sw_cjob *j, struct vipsec_event *ev);
void gla_sw_cjob_drop(struct gla_sw_cjob *j);

#endif /* GLA_SW_H */
