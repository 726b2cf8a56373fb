// SPDX-License-Identifier: BSD-3-Clause
/*
 * The software accelerator: the char device's ABI emulated in-process
 * over the same ESP engine (vipsec_core.h) that runs inside QEMU, for a
 * VNF developer without the device. It lives in libg_ipsec_la_sw.a, so a
 * VNF that never uses it does not link the engine; the application makes
 * it available with g_ipsec_la_software_register() and opens it by the
 * name "software".
 *
 * It follows the guest driver's rules (kernel/virtio_ipsec/), not rules
 * of its own: the same checks in the same order, the same errnos, the same
 * records; tests/guest/suite_ioctl.c runs against both to keep it so. One
 * accelerator per process; each open is a "file" with its own claim,
 * groups, SAs and record queue. User pointers in ioctl arguments are
 * read and written with process_vm_readv/writev, so a bad one gives
 * -EFAULT as the driver's copy_from_user does, not a crash.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "g_ipsec_la_sw.h"
#include "sw.h"

struct gla_sw_dev gla_sw = { .lock = PTHREAD_MUTEX_INITIALIZER };

/*
 * One transfer between the library's memory and the caller's, checked by
 * the kernel. Where process_vm_* is not allowed (seccomp), a plain copy:
 * the checks are then the caller's.
 */
static int gla_sw_xfer(void *local, uint64_t remote, size_t len, int out)
{
	struct iovec l = { local, len };
	struct iovec r = { (void *)(uintptr_t)remote, len };
	ssize_t n;

	if (!len)
		return 0;
	n = out ? process_vm_writev(getpid(), &l, 1, &r, 1, 0) :
		  process_vm_readv(getpid(), &l, 1, &r, 1, 0);
	if (n == (ssize_t)len)
		return 0;
	if (n < 0 && (errno == ENOSYS || errno == EPERM)) {
		if (out)
			memcpy(r.iov_base, local, len);
		else
			memcpy(local, r.iov_base, len);
		return 0;
	}
	return -EFAULT;
}

int gla_sw_copy_in(void *dst, uint64_t src, size_t len)
{
	return gla_sw_xfer(dst, src, len, 0);
}

int gla_sw_copy_out(uint64_t dst, const void *src, size_t len)
{
	return gla_sw_xfer((void *)src, dst, len, 1);
}

int gla_sw_mem_is_zero(const void *p, size_t len)
{
	const uint8_t *b = p;

	while (len--)
		if (*b++)
			return 0;
	return 1;
}

/*
 * The driver's vipsec_copy_arg(): size below the v0 struct -EINVAL, above
 * VIPSEC_MAX_ARG_SIZE -E2BIG, a larger struct's unknown tail must be zero.
 */
int gla_sw_copy_arg(void *karg, size_t ksize, const void *uarg)
{
	uint8_t tail[VIPSEC_MAX_ARG_SIZE];
	uint32_t usize;
	int err;

	err = gla_sw_copy_in(&usize, (uintptr_t)uarg, sizeof(usize));
	if (err)
		return err;
	if (usize < ksize)
		return -EINVAL;
	if (usize > VIPSEC_MAX_ARG_SIZE)
		return -E2BIG;
	err = gla_sw_copy_in(karg, (uintptr_t)uarg, ksize);
	if (!err && usize > ksize) {
		err = gla_sw_copy_in(tail, (uintptr_t)uarg + ksize,
				     usize - ksize);
		if (!err && !gla_sw_mem_is_zero(tail, usize - ksize))
			err = -EINVAL;
	}
	return err;
}

/* Must hold gla_sw.lock. */
void gla_sw_tick(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	vpe_core_tick(gla_sw.core, (uint64_t)ts.tv_sec);
}

static void gla_sw_signal(struct gla_sw_file *f)
{
	uint64_t one = 1;

	if (write(f->efd, &one, sizeof(one)) < 0) {
		/* counter saturated: still readable, nothing lost */
	}
}

static void gla_sw_append(struct gla_sw_file *f, struct gla_sw_ev *item)
{
	item->next = NULL;
	if (f->ev_tail)
		f->ev_tail->next = item;
	else
		f->ev_head = item;
	f->ev_tail = item;
	gla_sw_signal(f);
}

/*
 * The driver's vipsec_file_ev_post(): beyond GLA_SW_EV_MAX_QUEUED records
 * they are counted, and read() reports the count first as one LOST
 * record. Must hold gla_sw.lock.
 */
void gla_sw_post(struct gla_sw_file *f, const struct vipsec_event *e)
{
	struct gla_sw_ev *item = NULL;

	if (f->nevents < GLA_SW_EV_MAX_QUEUED)
		item = calloc(1, sizeof(*item));
	if (!item) {
		f->lost++;
		gla_sw_signal(f);
		return;
	}
	item->ev = *e;
	item->ev.size = sizeof(item->ev);
	f->nevents++;
	gla_sw_append(f, item);
}

/* XFORM_DONE: bounded by VIPSEC_MAX_ASYNC, never dropped. */
void gla_sw_post_async(struct gla_sw_file *f, struct gla_sw_ev *item)
{
	gla_sw_append(f, item);
}

static const uint16_t gla_sw_ev_types[] = {
	[VIRTIO_IPSEC_EVT_SOFT_EXPIRY] = VIPSEC_EV_SOFT_EXPIRY,
	[VIRTIO_IPSEC_EVT_HARD_EXPIRY] = VIPSEC_EV_HARD_EXPIRY,
	[VIRTIO_IPSEC_EVT_SEQ_OVERFLOW] = VIPSEC_EV_SEQ_OVERFLOW,
	[VIRTIO_IPSEC_EVT_SEQ_NOTIFY] = VIPSEC_EV_SEQ_NOTIFY,
	[VIRTIO_IPSEC_EVT_SA_DELETE_REQ] = VIPSEC_EV_SA_DELETE_REQ,
	[VIRTIO_IPSEC_EVT_LOST] = VIPSEC_EV_LOST,
	[VIRTIO_IPSEC_EVT_AUTH_FAIL] = VIPSEC_EV_AUTH_FAIL,
	[VIRTIO_IPSEC_EVT_REPLAY] = VIPSEC_EV_REPLAY,
	[VIRTIO_IPSEC_EVT_WRONG_SPI] = VIPSEC_EV_WRONG_SPI,
	[VIRTIO_IPSEC_EVT_BAD_PAD] = VIPSEC_EV_BAD_PAD,
};

/*
 * The driver's vipsec_evq_route(): an SA event goes to the file owning the
 * SA now; LOST concerns no SA and goes to every claiming file.
 */
static void gla_sw_route(const struct virtio_ipsec_event *de)
{
	uint16_t type = le16toh(de->type), limit = le16toh(de->limit);
	struct vipsec_event e;
	struct gla_sw_file *f;
	struct gla_sw_sa *s;

	if (type >= sizeof(gla_sw_ev_types) / sizeof(gla_sw_ev_types[0]) ||
	    !gla_sw_ev_types[type])
		return;
	memset(&e, 0, sizeof(e));
	e.size = sizeof(e);
	e.type = gla_sw_ev_types[type];
	e.flags = limit;
	e.group_id = le32toh(de->group_id);
	e.sa_id = le32toh(de->sa_id);
	e.seq = le64toh(de->seq);
	/* evq.c vipsec_evq_counts_packets(): LOST and error events */
	e.value = limit == VIRTIO_IPSEC_LIMIT_PACKETS ||
				  type == VIRTIO_IPSEC_EVT_LOST ||
				  (type >= VIRTIO_IPSEC_EVT_AUTH_FAIL &&
				   type <= VIRTIO_IPSEC_EVT_BAD_PAD) ?
			  le64toh(de->packets) :
			  le64toh(de->bytes);
	if (type == VIRTIO_IPSEC_EVT_LOST) {
		e.group_id = 0;
		e.sa_id = 0;
		for (f = gla_sw.files; f; f = f->next)
			if (f->mode)
				gla_sw_post(f, &e);
		return;
	}
	s = e.sa_id && e.sa_id <= gla_sw.max_sas ? &gla_sw.sas[e.sa_id] : NULL;
	if (s && s->owner && s->group == e.group_id)
		gla_sw_post(s->owner, &e);
}

/* Route every event the core holds. Must hold gla_sw.lock. */
void gla_sw_pump(void)
{
	struct virtio_ipsec_event de;

	gla_sw_tick();
	while (vpe_core_next_event(gla_sw.core, &de))
		gla_sw_route(&de);
}

static void gla_sw_dev_init(const struct vpe_core_config *cfg)
{
	struct virtio_ipsec_config c;

	vpe_core_fill_config(gla_sw.core, &c);
	gla_sw.max_sas = le32toh(c.max_sas);
	gla_sw.max_groups = le32toh(c.max_groups);
	gla_sw.max_packet_len = le32toh(c.max_packet_len);
	gla_sw.max_batch = le32toh(c.max_batch);
	gla_sw.max_replay_window = le32toh(c.max_replay_window);
	gla_sw.features = vpe_core_features(gla_sw.core);
	if (gla_sw.max_sas > cfg->max_sas)
		gla_sw.max_sas = cfg->max_sas;
	if (gla_sw.max_groups > cfg->max_groups)
		gla_sw.max_groups = cfg->max_groups;
}

static int gla_sw_open(const char *accl, struct gla_file *file)
{
	struct vpe_core_config cfg = {
		.max_sas = GLA_SW_MAX_SAS,
		.max_groups = GLA_SW_MAX_GROUPS,
		.max_packet_len = GLA_SW_MAX_PACKET_LEN,
		.max_batch = VIPSEC_MAX_PKT_BATCH,
		.max_replay_window = GLA_SW_MAX_REPLAY_WINDOW,
		.crypto_backend = "ipsec-mb",
	};
	struct gla_sw_file *f = calloc(1, sizeof(*f));
	char err[128];
	int ret = 0;

	(void)accl;
	if (!f)
		return -ENOMEM;
	f->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (f->efd < 0) {
		ret = -errno;
		free(f);
		return ret;
	}
	pthread_mutex_lock(&gla_sw.lock);
	if (!gla_sw.core) {
		gla_sw.core = vpe_core_new(&cfg, err, sizeof(err));
		if (gla_sw.core)
			gla_sw_dev_init(&cfg);
		else
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
	file->priv = f;
	file->fd = f->efd;
	return 0;
}

static int gla_sw_ioctl(struct gla_file *file, unsigned long cmd, void *arg)
{
	long ret;

	pthread_mutex_lock(&gla_sw.lock);
	ret = gla_sw_dispatch(file->priv, cmd, arg);
	gla_sw_pump();
	pthread_mutex_unlock(&gla_sw.lock);
	return (int)ret;
}

/* The driver's vipsec_file_ev_take(): a loss count comes first. */
static int gla_sw_take(struct gla_sw_file *f, struct vipsec_event *ev)
{
	struct gla_sw_ev *item = f->ev_head;

	if (f->lost) {
		memset(ev, 0, sizeof(*ev));
		ev->size = sizeof(*ev);
		ev->type = VIPSEC_EV_LOST;
		ev->value = f->lost;
		f->lost = 0;
		return 1;
	}
	if (!item)
		return 0;
	f->ev_head = item->next;
	if (!f->ev_head)
		f->ev_tail = NULL;
	if (item->async) {
		gla_sw_async_deliver(item->async, ev); /* frees it */
		return 1;
	}
	f->nevents--;
	if (item->cjob) {
		gla_sw_cjob_deliver(item->cjob, ev); /* frees it */
		return 1;
	}
	*ev = item->ev;
	free(item);
	return 1;
}

/* The driver's vipsec_read(), as if O_NONBLOCK. */
static ssize_t gla_sw_read(struct gla_file *file, void *buf, size_t len)
{
	struct gla_sw_file *f = file->priv;
	struct vipsec_event ev;
	size_t done = 0;
	uint64_t cnt;
	int err = 0;

	if (len < sizeof(ev))
		return -EINVAL;
	pthread_mutex_lock(&gla_sw.lock);
	gla_sw_pump();
	while (done + sizeof(ev) <= len && gla_sw_take(f, &ev)) {
		err = gla_sw_copy_out((uintptr_t)buf + done, &ev, sizeof(ev));
		if (err)
			break;
		done += sizeof(ev);
	}
	if (!f->lost && !f->ev_head && read(f->efd, &cnt, sizeof(cnt)) < 0) {
		/* already drained */
	}
	pthread_mutex_unlock(&gla_sw.lock);
	if (done)
		return (ssize_t)done;
	return err ? err : -EAGAIN;
}

static int gla_sw_poll(struct gla_file *file, int timeout_ms)
{
	struct gla_sw_file *f = file->priv;
	struct pollfd pfd = { .fd = f->efd, .events = POLLIN };
	int n;

	pthread_mutex_lock(&gla_sw.lock);
	gla_sw_pump(); /* expiries due by now */
	pthread_mutex_unlock(&gla_sw.lock);
	n = poll(&pfd, 1, timeout_ms);
	if (n < 0)
		return -errno;
	return n ? pfd.revents & POLLIN : 0;
}

/* The driver's vipsec_file_ev_close(). Must hold gla_sw.lock. */
static void gla_sw_ev_close(struct gla_sw_file *f)
{
	struct gla_sw_ev *item, *next;

	for (item = f->ev_head; item; item = next) {
		next = item->next;
		if (item->async)
			gla_sw_async_free(item->async);
		else if (item->cjob)
			gla_sw_cjob_drop(item->cjob);
		else
			free(item);
	}
	f->ev_head = f->ev_tail = NULL;
	f->nevents = 0;
}

static void gla_sw_close(struct gla_file *file)
{
	struct gla_sw_file *f = file->priv, **pp;

	pthread_mutex_lock(&gla_sw.lock);
	gla_sw_release(f); /* SAs, groups, claim */
	gla_sw_ev_close(f);
	for (pp = &gla_sw.files; *pp; pp = &(*pp)->next)
		if (*pp == f) {
			*pp = f->next;
			break;
		}
	if (!--gla_sw.nfiles) {
		vpe_core_free(gla_sw.core); /* zeroes keys */
		memset(&gla_sw.counters, 0, sizeof(gla_sw.counters));
		memset(gla_sw.sas, 0, sizeof(gla_sw.sas));
		memset(gla_sw.groups, 0, sizeof(gla_sw.groups));
		gla_sw.core = NULL;
		gla_sw.mode = 0;
	}
	pthread_mutex_unlock(&gla_sw.lock);
	close(f->efd);
	free(f);
	file->priv = NULL;
	file->fd = -1;
}

static int gla_sw_active(struct g_ipsec_la_active_accl_info *a)
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
				  G_IPSEC_LA_INSTANCE_EXCLUSIVE :
				  G_IPSEC_LA_INSTANCE_SHARED;
		for (f = gla_sw.files;
		     f && a->num_owners < G_IPSEC_LA_MAX_OWNERS; f = f->next)
			if (f->mode)
				snprintf(
					a->owners[a->num_owners++].app_identity,
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

static const struct gla_backend gla_sw_backend = {
	.name = G_IPSEC_LA_SOFTWARE_NAME,
	.id = GLA_SW_ID,
	.open = gla_sw_open,
	.ioctl = gla_sw_ioctl,
	.read = gla_sw_read,
	.poll = gla_sw_poll,
	.close = gla_sw_close,
	.active = gla_sw_active,
};

int32_t g_ipsec_la_software_register(void)
{
	return gla_backend_register(&gla_sw_backend);
}
