/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libg_ipsec_la internals: the table of open accelerators, handle
 * encoding and helpers shared by the source files. Nothing here is
 * exported from the shared library (version script); the static archive
 * keeps the gla_* symbols so host tests can reach the translation code.
 */
#ifndef GLA_INTERNAL_H
#define GLA_INTERNAL_H

#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/virtio_ipsec_dev.h>

#include "g_ipsec_la.h"
#include "backend.h"

#define GLA_MAX_INSTANCES 64

/* handle[0] / group_handle[0] / ipsec_sa_handle[0] magic words */
#define GLA_MAGIC_ACCL	0x474c4131u /* "GLA1" */
#define GLA_MAGIC_GROUP 0x474c4147u /* "GLAG" */
#define GLA_MAGIC_SA	0x474c4153u /* "GLAS" */

/* Word positions inside the opaque handles. */
enum {
	GLA_H_MAGIC = 0,
	GLA_H_SLOT = 1,	    /* index in the instance table */
	GLA_H_GEN = 2,	    /* generation of that slot */
	GLA_H_ACCL_ID = 3,  /* accelerator: instance id N */
	GLA_H_GROUP_ID = 3, /* group and SA handles: group id */
	GLA_H_SA_ID = 4,    /* SA handle: SA id */
	GLA_H_SA_DIR = 5,   /* SA handle: direction */
	GLA_H_SA_SPI = 6,   /* SA handle: SPI, for diagnostics */
};

/*
 * A response waiting for g_ipsec_la_poll(): a deferred control callback
 * (ready at once) or an ASYNC packet batch (ready when its XFORM_DONE
 * record is read).
 */
struct gla_pending {
	struct gla_pending *next;
	g_ipsec_la_resp_cbfn cbfn; /* NULL: NO_RESP (data only) */
	void *cb_arg;		   /* points at cb_copy, or the caller's */
	int32_t cb_arg_len;
	uint8_t cb_copy[G_IPSEC_LA_MAX_CB_ARG_LEN];
	union { /* copy of the outargs for cbfn */
		struct g_ipsec_la_create_group_outargs group;
		struct g_ipsec_la_create_group_cb_outargs group_cb; /* ASYNC */
		struct g_ipsec_cap_get_outargs caps;
		struct g_ipsec_la_sa_add_outargs sa_add;
		struct g_ipsec_la_sa_del_outargs sa_del;
		struct g_ipsec_la_sa_modify_outargs sa_mod;
		struct g_ipsec_la_sa_get_outargs sa_get;
		struct g_ipsec_la_packet_outargs pkt;
		int32_t result; /* flush */
	} out;
	/* ASYNC packet batch */
	int is_data;
	uint32_t n;
	struct vipsec_pkt *pkts; /* n; own memory */
	struct vipsec_seg *segs; /* own memory: in and out segments */
	struct g_ipsec_la_pkt_result *results; /* caller's or own_res */
	struct g_ipsec_la_pkt_result own_res;  /* single-packet calls */
	struct g_ipsec_la_data *out1; /* single-packet: caller's out_data */
	uint32_t out1_n;
	struct g_ipsec_la_packet *outp; /* multi: caller's out_packets */
	/* the accelerator's max_packet_len: a result needing more can never
	 * fit, so it is -EMSGSIZE, not -ENOSPC (0: no limit known) */
	uint32_t max_len;
	/* ASYNC control call (gla_ctrl_async()): bookkeeping on success */
	int is_ctrl;
	unsigned long ctrl_cmd; /* VIPSEC_IOC_* */
	uint32_t ctrl_group, ctrl_sa;
	struct gla_ctrl_x *ctrl_x; /* a call with output (ctrl_out.c) */
};

/* What the library remembers of each SA it added (events -> handles). */
struct gla_sa_meta {
	uint32_t live;
	uint32_t group_id;
	uint32_t dir;
	uint32_t spi;
};

/* One open accelerator. */
struct gla_inst {
	struct gla_file file; /* the open accelerator (backend.h) */
	uint32_t slot, gen;
	struct vipsec_info info;
	struct g_ipsec_la_handle handle; /* as returned by open */
	g_ipsec_la_instance_broken_cbk_fn cb_fn;
	void *cb_arg;
	uint8_t cb_copy[G_IPSEC_LA_MAX_CB_ARG_LEN];
	pthread_mutex_t lock; /* protects everything below */
	struct g_ipsec_la_notification_hooks hooks;
	struct g_ipsec_la_event_hooks ev_hooks; /* events.c */
	struct gla_pending *ready_head, *ready_tail;
	struct gla_pending *inflight; /* ASYNC batches, by address */
	struct gla_sa_meta *sas;      /* info.max_sas + 1 entries */
	int lost;		      /* DEVICE_LOST seen */
	int broken_called;
};

/* What a validated accelerator handle resolves to. */
struct gla_ref {
	int fd;
	uint32_t slot;
	uint32_t gen;
	uint32_t group_id; /* from handle->group_handle; 0 = default */
	struct vipsec_info info;
	struct gla_inst *inst;
};

/* device.c */
int gla_mem_is_zero(const void *p, size_t len);
int gla_ref_get(const struct g_ipsec_la_handle *h, struct gla_ref *ref);
int gla_check_flags(uint32_t flags, const struct g_ipsec_la_resp_args *resp);
int gla_dev_ioctl(const struct gla_ref *ref, unsigned long cmd, void *arg);
int gla_sa_check(const struct gla_ref *ref,
		 const struct g_ipsec_la_sa_handle *sa, uint32_t dir);
/* gla_check_flags(), then -EINVAL without an SA handle @sa. */
int gla_check_sa_call(uint32_t flags, const struct g_ipsec_la_resp_args *resp,
		      const struct g_ipsec_la_sa_handle *sa);
/* gla_ref_get() of @h, then gla_sa_check() of @sa in it. */
int gla_sa_ref(const struct g_ipsec_la_handle *h,
	       const struct g_ipsec_la_sa_handle *sa, uint32_t dir,
	       struct gla_ref *ref);

/* events.c: the records the seed's hooks do not take (0: not one). */
int gla_event_ext_hook(struct gla_inst *inst, const struct vipsec_event *e,
		       const struct g_ipsec_la_sa_handle *sh);

/* async.c */
struct gla_pending *gla_pending_new(const struct g_ipsec_la_resp_args *resp);
/* Queue @p (control: ready at once). Consumes @p. */
void gla_defer(struct gla_inst *inst, struct gla_pending *p);
/* For control calls: after a SYNC-style ioctl, defer the callback when
 * ASYNC was asked. @out/@len: outargs to copy. Returns @ret. */
int gla_finish_ctrl(const struct gla_ref *ref, uint32_t flags,
		    const struct g_ipsec_la_resp_args *resp, int ret,
		    const void *out, size_t len);
/* The end of a control call whose outargs are only a result (sa_del,
 * sa_mod): @ret stored in *@result when given, then gla_finish_ctrl(). */
int gla_finish_result(const struct gla_ref *ref, uint32_t flags,
		      const struct g_ipsec_la_resp_args *resp, int ret,
		      int32_t *result);
void gla_pending_free(struct gla_pending *p);
/*
 * With ASYNC or NO_RESP_EXPECTED in @flags: submit the control ioctl @cmd
 * on @arg through VIPSEC_IOC_CTRL_ASYNC and return at once (1: queued;
 * or a negative errno); its CTRL_DONE record, read by g_ipsec_la_poll(),
 * does the bookkeeping of @cmd (group @group, SA @sa) and runs the
 * callback with the result. 0: @flags ask for a synchronous call.
 */
int gla_ctrl_async(const struct gla_ref *ref, uint32_t flags,
		   const struct g_ipsec_la_resp_args *resp, unsigned long cmd,
		   void *arg, uint32_t group, uint32_t sa);
/*
 * Links @p (a control call) in flight and submits @cmd on @arg through
 * VIPSEC_IOC_CTRL_ASYNC: 0 queued, else a negative errno and @p unlinked
 * (the caller frees it).
 */
int gla_ctrl_submit(const struct gla_ref *ref, struct gla_pending *p,
		    unsigned long cmd, void *arg);

/*
 * ctrl_out.c: ASYNC calls with an output besides their result. Each
 * returns 0 once queued (the callback gets the outargs from
 * g_ipsec_la_poll()) or a negative errno (no callback).
 */
struct gla_ctrl_x;
void gla_ctrl_x_free(struct gla_ctrl_x *x);
/* The CTRL_DONE of such a call: builds p->out; 1 when @p went back in
 * flight for another page (no callback yet), else 0. */
int gla_ctrl_x_done(struct gla_inst *inst, struct gla_pending *p,
		    int32_t result);
int gla_create_group_async(const struct gla_ref *ref, const char *name,
			   size_t len, const struct g_ipsec_la_resp_args *resp);
/* @params: wire parameters, copied in by the submit (the caller wipes) */
int gla_sa_add_async(const struct gla_ref *ref,
		     const struct g_ipsec_la_sa_add_inargs *in,
		     const struct virtio_ipsec_sa_params *params,
		     struct g_ipsec_la_sa_add_outargs *out,
		     const struct g_ipsec_la_resp_args *resp);
int gla_sa_get_async(const struct gla_ref *ref,
		     const struct g_ipsec_la_sa_get_inargs *in,
		     const struct g_ipsec_la_sa_get_outargs *out,
		     const struct g_ipsec_la_resp_args *resp);
/* sa_query.c: the pages of an sa_get, for the synchronous and the
 * ASYNC call */
size_t gla_get_stride(const struct g_ipsec_la_sa_get_inargs *in);
void gla_get_req_init(const struct gla_ref *ref,
		      const struct g_ipsec_la_sa_get_inargs *in,
		      struct vipsec_sa_get *req, void *entries);
int gla_get_step(const struct gla_ref *ref,
		 const struct g_ipsec_la_sa_get_inargs *in,
		 struct g_ipsec_la_sa_get_outargs *out,
		 struct vipsec_sa_get *req, const uint8_t *e);
int gla_get_finish(const struct g_ipsec_la_sa_get_inargs *in,
		   const struct g_ipsec_la_sa_get_outargs *out, int ret);
/* 1 when the library knows SA @id of @inst as live (added, not deleted) */
int gla_sa_meta_live(struct gla_inst *inst, uint32_t id);
void gla_inst_drain(struct gla_inst *inst); /* close: drop everything */
void gla_sa_meta_set(struct gla_inst *inst, uint32_t id, uint32_t group,
		     uint32_t dir, uint32_t spi);
void gla_sa_meta_clear(struct gla_inst *inst, uint32_t id);
void gla_sa_meta_clear_group(struct gla_inst *inst, uint32_t group);

/* group.c */
int gla_group_decode(const struct gla_ref *ref, const uint32_t *gh,
		     uint32_t *group_id);

/* sa_wire.c: path MTU and mode; @ipv6: 1, 0, or -1 unknown */
int gla_mtu_check(enum g_ipsec_la_sa_direction dir, int ipv6, uint32_t mtu,
		  uint32_t mode);

/* sa.c */
int gla_sa_to_wire(const struct g_ipsec_la_sa *sa,
		   enum g_ipsec_la_sa_direction dir,
		   const struct vipsec_info *info,
		   struct virtio_ipsec_sa_params *p);
void gla_sa_from_wire(const struct virtio_ipsec_sa_params *p,
		      struct g_ipsec_la_sa *sa);
void gla_stats_from_wire(const struct virtio_ipsec_sa_stats *w,
			 struct g_ipsec_la_sa_stats *s);
void gla_sa_handle_encode(struct g_ipsec_la_sa_handle *sh,
			  const struct gla_ref *ref, uint32_t group_id,
			  uint32_t sa_id, uint32_t dir, uint32_t spi);

/* packet.c */
void gla_pkt_complete(struct gla_pending *p, int batch_ret);

/* errors.c */
int gla_pkt_status_to_errno(uint32_t status);
int gla_ctrl_status_to_errno(uint32_t status);

/*
 * diag.c: the calling thread's last failure, for g_ipsec_la_last_error().
 * gla_err_begin() starts a call's record (the calls that fill one call it
 * first); gla_err_field() names the field or limit and returns @err, so a
 * check reads "return GLA_BAD(field, value, limit);".
 */
void gla_err_begin(const char *func);
int gla_err_field(int err, const char *field, uint64_t value, uint64_t limit);
void gla_err_index(uint32_t index);
int gla_err_status(int err, uint32_t status);
#define GLA_BAD(field, value, limit) \
	gla_err_field(-EINVAL, field, (uint64_t)(value), (uint64_t)(limit))
#define GLA_NOTSUP(field, value) \
	gla_err_field(-EOPNOTSUPP, field, (uint64_t)(value), 0)
/* overhead.c: worst-case bytes ESP adds to a packet of wire SA @p */
uint32_t gla_wire_overhead(const struct virtio_ipsec_sa_params *p);
/* discovery.c */
#define GLA_MAX_ACCELS 64
int gla_discover(char names[][32], int max);
int gla_open_node(const char *name);

/* Accelerator id the lists report for the software accelerator. */
#define GLA_SW_ID 0xffffffffu

#endif /* GLA_INTERNAL_H */
