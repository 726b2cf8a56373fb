// SPDX-License-Identifier: BSD-3-Clause
/*
 * The software accelerator: the char device's ABI emulated in-process
 * over the same device core (engine, vipsec_core.h) that runs
 * inside QEMU. Opt-in only (accl_name "software"): a VNF developer without
 * the device gets the same ESP bytes, statuses, ownership rules and
 * events. One accelerator per process; each open is a "file" with its own
 * claim, groups, SAs and record queue, like an open() of the char device.
 * Records are signalled on an eventfd so g_ipsec_la_fd_get() works.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "sw.h"

struct gla_sw_dev gla_sw = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* Must hold gla_sw.lock. */
void gla_sw_tick(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	vpe_core_tick(gla_sw.core, (uint64_t)ts.tv_sec);
}

/* Queue a record for @f. Must hold gla_sw.lock. */
void gla_sw_push(struct gla_sw_file *f, const struct vipsec_event *e)
{
	uint64_t one = 1;

	if (f->ev_count == GLA_SW_EVQ) {
		f->ev_lost++;
		return;
	}
	f->evq[(f->ev_head + f->ev_count) % GLA_SW_EVQ] = *e;
	f->ev_count++;
	if (write(f->efd, &one, sizeof(one)) < 0) {
		/* eventfd counter saturated: still readable, nothing lost */
	}
}

/* Route device events to the files owning their SAs. Must hold lock. */
void gla_sw_pump(void)
{
	struct virtio_ipsec_event de;
	struct vipsec_event e;
	struct gla_sw_sa *s;
	uint32_t id;

	gla_sw_tick();
	while (vpe_core_next_event(gla_sw.core, &de)) {
		memset(&e, 0, sizeof(e));
		e.size = sizeof(e);
		id = le32toh(de.sa_id);
		e.group_id = le32toh(de.group_id);
		e.sa_id = id;
		e.seq = le64toh(de.seq);
		e.flags = le16toh(de.limit);
		/* as the driver: packets for a packet limit, else bytes */
		e.value = e.flags == VIRTIO_IPSEC_LIMIT_PACKETS ?
			  le64toh(de.packets) : le64toh(de.bytes);
		switch (le16toh(de.type)) {
		case VIRTIO_IPSEC_EVT_SOFT_EXPIRY:
			e.type = VIPSEC_EV_SOFT_EXPIRY;
			break;
		case VIRTIO_IPSEC_EVT_HARD_EXPIRY:
			e.type = VIPSEC_EV_HARD_EXPIRY;
			break;
		case VIRTIO_IPSEC_EVT_SEQ_OVERFLOW:
			e.type = VIPSEC_EV_SEQ_OVERFLOW;
			break;
		case VIRTIO_IPSEC_EVT_SEQ_NOTIFY:
			e.type = VIPSEC_EV_SEQ_NOTIFY;
			break;
		case VIRTIO_IPSEC_EVT_SA_DELETE_REQ:
			e.type = VIPSEC_EV_SA_DELETE_REQ;
			break;
		default:
			continue;	/* LOST: nobody to tell in particular */
		}
		s = id && id <= gla_sw.max_sas ? &gla_sw.sas[id] : NULL;
		if (s && s->owner && s->group == e.group_id)
			gla_sw_push(s->owner, &e);
	}
}

int gla_sw_open(struct gla_sw_file **fp, int *efd)
{
	struct vpe_core_config cfg = {
		.max_sas = GLA_SW_MAX_SAS, .max_groups = GLA_SW_MAX_GROUPS,
		.max_packet_len = 65535, .max_batch = VIPSEC_MAX_PKT_BATCH,
		.max_replay_window = 4096, .crypto_backend = "ipsec-mb",
	};
	struct gla_sw_file *f = calloc(1, sizeof(*f));
	char err[128];
	int ret = 0;

	if (!f)
		return -ENOMEM;
	f->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (f->efd < 0) {
		free(f);
		return -errno;
	}
	pthread_mutex_lock(&gla_sw.lock);
	if (!gla_sw.core) {
		gla_sw.core = vpe_core_new(&cfg, err, sizeof(err));
		gla_sw.max_sas = cfg.max_sas;
		gla_sw.max_groups = cfg.max_groups;
		if (!gla_sw.core)
			ret = -ENODEV;
	}
	if (!ret) {
		f->next = gla_sw.files;
		gla_sw.files = f;
		gla_sw.nfiles++;
	}
	pthread_mutex_unlock(&gla_sw.lock);
	if (ret) {
		close(f->efd);
		free(f);
		return ret;
	}
	*fp = f;
	*efd = f->efd;
	return 0;
}

ssize_t gla_sw_read(struct gla_sw_file *f, void *buf, size_t len)
{
	struct vipsec_event *out = buf;
	size_t n = 0, max = len / sizeof(*out);
	uint64_t cnt;

	pthread_mutex_lock(&gla_sw.lock);
	gla_sw_pump();
	if (f->ev_lost && f->ev_count < GLA_SW_EVQ) {
		struct vipsec_event e = { .size = sizeof(e),
					  .type = VIPSEC_EV_LOST,
					  .value = f->ev_lost };
		f->ev_lost = 0;
		gla_sw_push(f, &e);
	}
	while (n < max && f->ev_count) {
		out[n++] = f->evq[f->ev_head];
		f->ev_head = (f->ev_head + 1) % GLA_SW_EVQ;
		f->ev_count--;
	}
	if (!f->ev_count && read(f->efd, &cnt, sizeof(cnt)) < 0) {
		/* already drained */
	}
	pthread_mutex_unlock(&gla_sw.lock);
	return (ssize_t)(n * sizeof(*out));
}

void gla_sw_close(struct gla_sw_file *f)
{
	struct gla_sw_file **pp;

	pthread_mutex_lock(&gla_sw.lock);
	gla_sw_release(f);		/* SAs, groups, claim */
	for (pp = &gla_sw.files; *pp; pp = &(*pp)->next)
		if (*pp == f) {
			*pp = f->next;
			break;
		}
	if (!--gla_sw.nfiles) {
		vpe_core_free(gla_sw.core);	/* zeroes keys */
		memset(&gla_sw.counters, 0, sizeof(gla_sw.counters));
		memset(gla_sw.sas, 0, sizeof(gla_sw.sas));
		memset(gla_sw.groups, 0, sizeof(gla_sw.groups));
		gla_sw.core = NULL;
		gla_sw.mode = 0;
	}
	pthread_mutex_unlock(&gla_sw.lock);
	close(f->efd);
	free(f);
}

int gla_sw_active(struct g_ipsec_la_active_accl_info *a)
{
	struct gla_sw_file *f;
	int ret = 0;

	memset(a, 0, sizeof(*a));
	pthread_mutex_lock(&gla_sw.lock);
	if (gla_sw.core && gla_sw.mode) {
		snprintf(a->name, sizeof(a->name), G_IPSEC_LA_SOFTWARE_NAME);
		a->id = GLA_SW_ID;
		a->software = 1;
		a->mode = gla_sw.mode == VIPSEC_MODE_EXCLUSIVE ?
			  G_IPSEC_LA_INSTANCE_EXCLUSIVE : G_IPSEC_LA_INSTANCE_SHARED;
		for (f = gla_sw.files; f && a->num_owners < G_IPSEC_LA_MAX_OWNERS;
		     f = f->next)
			if (f->mode)
				snprintf(a->owners[a->num_owners++].app_identity,
					 sizeof(a->owners[0].app_identity), "%s",
					 f->app);
		a->bytes_in = gla_sw.counters.bytes_in;
		a->bytes_out = gla_sw.counters.bytes_out;
		a->packets_in = gla_sw.counters.packets_in;
		a->packets_out = gla_sw.counters.packets_out;
		a->sas_created = gla_sw.counters.sas_created;
		a->sas_deleted = gla_sw.counters.sas_deleted;
		a->sas_modified = gla_sw.counters.sas_modified;
		a->active_sas = gla_sw.counters.active_sas;
		ret = 1;
	}
	pthread_mutex_unlock(&gla_sw.lock);
	return ret;
}
