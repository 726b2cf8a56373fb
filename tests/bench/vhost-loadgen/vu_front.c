// SPDX-License-Identifier: BSD-3-Clause
/* vhost-user front end: handshake, memory table, rings. */
#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vu_front.h"

static int fail(struct vu_front *f, int ret, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(f->err, sizeof(f->err), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(f->err))
		snprintf(f->err + n, sizeof(f->err) - (size_t)n, ": %s",
			 strerror(-ret));
	return ret;
}

int vu_front_connect(struct vu_front *f, const char *path, int timeout_ms)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct timespec nap = { 0, 20 * 1000 * 1000 };
	int waited = 0, ret;

	memset(f, 0, sizeof(*f));
	f->sock = -1;
	f->mem.fd = -1;
	if (strlen(path) >= sizeof(a.sun_path))
		return fail(f, -ENAMETOOLONG, "socket path %s", path);
	strcpy(a.sun_path, path);
	for (;;) {
		f->sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (f->sock < 0)
			return fail(f, -errno, "socket");
		if (!connect(f->sock, (struct sockaddr *)&a, sizeof(a)))
			return 0;
		ret = -errno;
		close(f->sock);
		f->sock = -1;
		if ((ret != -ENOENT && ret != -ECONNREFUSED) ||
		    waited >= timeout_ms)
			return fail(f, ret, "connect to %s", path);
		nanosleep(&nap, NULL);
		waited += 20;
	}
}

static void msg_init(struct vu_msg *m, uint32_t req, uint32_t size)
{
	memset(m, 0, sizeof(*m));
	m->hdr.request = req;
	m->hdr.flags = VU_VERSION;
	m->hdr.size = size;
}

/* A request with a reply: sends m, then reads the reply into m. */
static int call(struct vu_front *f, struct vu_msg *m, uint32_t min_size)
{
	uint32_t req = m->hdr.request;
	int ret;

	ret = vu_msg_send(f->sock, m);
	if (ret)
		return fail(f, ret, "sending %s", vu_req_name(req));
	ret = vu_msg_recv(f->sock, m);
	if (ret)
		return fail(f, ret, "reply to %s", vu_req_name(req));
	while (m->nfds)
		close(m->fds[--m->nfds]);
	if (m->hdr.request != req || !(m->hdr.flags & VU_FLAG_REPLY) ||
	    m->hdr.size < min_size)
		return fail(f, -EPROTO,
			    "reply to %s is request %u flags %#x size %u",
			    vu_req_name(req), m->hdr.request, m->hdr.flags,
			    m->hdr.size);
	return 0;
}

int vu_front_request(struct vu_front *f, struct vu_msg *m)
{
	bool ack = f->proto_features & (1ull << VU_PROTOCOL_F_REPLY_ACK);
	uint32_t req = m->hdr.request;
	int ret;

	if (!ack) {
		ret = vu_msg_send(f->sock, m);
		return ret ? fail(f, ret, "sending %s", vu_req_name(req)) : 0;
	}
	m->hdr.flags |= VU_FLAG_NEED_REPLY;
	ret = call(f, m, sizeof(uint64_t));
	if (ret)
		return ret;
	if (m->p.u64)
		return fail(f, -EREMOTEIO, "%s refused (%llu)",
			    vu_req_name(req), (unsigned long long)m->p.u64);
	return 0;
}

static int get_u64(struct vu_front *f, uint32_t req, uint64_t *v)
{
	struct vu_msg m;
	int ret;

	msg_init(&m, req, 0);
	ret = call(f, &m, sizeof(uint64_t));
	*v = m.p.u64;
	return ret;
}

static int set_u64(struct vu_front *f, uint32_t req, uint64_t v)
{
	struct vu_msg m;

	msg_init(&m, req, sizeof(uint64_t));
	m.p.u64 = v;
	return vu_front_request(f, &m);
}

static int set_empty(struct vu_front *f, uint32_t req)
{
	struct vu_msg m;

	msg_init(&m, req, 0);
	return vu_front_request(f, &m);
}

static int get_config(struct vu_front *f)
{
	uint32_t len = sizeof(f->cfg);
	struct vu_msg m;
	int ret;

	msg_init(&m, VU_GET_CONFIG, 12 + len);
	m.p.config.size = len;
	ret = call(f, &m, 12 + len);
	if (ret)
		return ret;
	if (m.p.config.size != len)
		return fail(f, -EPROTO, "GET_CONFIG returned %u bytes, not %u",
			    m.p.config.size, len);
	memcpy(&f->cfg, m.p.config.payload, len);
	f->have_cfg = true;
	return 0;
}

int vu_front_handshake(struct vu_front *f, uint64_t want)
{
	const uint64_t proto_want = (1ull << VU_PROTOCOL_F_MQ) |
				    (1ull << VU_PROTOCOL_F_REPLY_ACK) |
				    (1ull << VU_PROTOCOL_F_CONFIG);
	uint64_t v;
	int ret;

	ret = get_u64(f, VU_GET_FEATURES, &f->dev_features);
	if (ret)
		return ret;
	if (!(f->dev_features & (1ull << VU_F_VERSION_1)))
		return fail(f, -ENOTSUP,
			    "back end lacks VIRTIO_F_VERSION_1 "
			    "(features %#llx)",
			    (unsigned long long)f->dev_features);
	if (f->dev_features & (1ull << VU_F_PROTOCOL_FEATURES)) {
		ret = get_u64(f, VU_GET_PROTOCOL_FEATURES, &v);
		if (ret)
			return ret;
		ret = set_u64(f, VU_SET_PROTOCOL_FEATURES, v & proto_want);
		if (ret)
			return ret;
		/* Only now may requests carry NEED_REPLY. */
		f->proto_features = v & proto_want;
	}
	if (f->proto_features & (1ull << VU_PROTOCOL_F_MQ)) {
		ret = get_u64(f, VU_GET_QUEUE_NUM, &f->queue_num);
		if (ret)
			return ret;
	}
	ret = set_empty(f, VU_SET_OWNER);
	if (ret)
		return ret;
	if (!(f->proto_features & (1ull << VU_PROTOCOL_F_CONFIG)))
		return fail(f, -ENOTSUP,
			    "back end offers no "
			    "VHOST_USER_PROTOCOL_F_CONFIG: the device's "
			    "config space (queue count, limits) is unknown");
	ret = get_config(f);
	if (ret)
		return ret;
	if (!(le32toh(f->cfg.status) & VIRTIO_IPSEC_S_HW_READY))
		return fail(f, -EAGAIN,
			    "device config status %#x lacks HW_READY",
			    le32toh(f->cfg.status));
	f->ndata = le32toh(f->cfg.max_data_queues);
	if (!f->ndata || f->ndata + 2 > VU_MAX_RINGS)
		return fail(f, -EPROTO,
			    "device has %u data queues; this front "
			    "end handles 1 to %d",
			    f->ndata, VU_MAX_RINGS - 2);
	f->features = f->dev_features &
		      ((1ull << VU_F_VERSION_1) |
		       (1ull << VU_F_PROTOCOL_FEATURES) | want);
	return set_u64(f, VU_SET_FEATURES, f->features);
}

int vu_front_set_mem(struct vu_front *f, uint64_t mem_size)
{
	struct vu_msg m;
	int ret;

	ret = vu_mem_init(&f->mem, mem_size);
	if (ret)
		return fail(f, ret, "shared memory of %llu bytes",
			    (unsigned long long)mem_size);
	msg_init(&m, VU_SET_MEM_TABLE, vu_memory_size(1));
	m.p.memory.nregions = 1;
	m.p.memory.regions[0] = (struct vu_region){
		.guest_addr = VU_MEM_GPA_BASE,
		.size = f->mem.size,
		.user_addr = (uint64_t)(uintptr_t)f->mem.base,
		.mmap_offset = 0,
	};
	m.fds[0] = f->mem.fd;
	m.nfds = 1;
	return vu_front_request(f, &m);
}

static int set_state(struct vu_front *f, uint32_t req, uint32_t idx,
		     uint32_t num)
{
	struct vu_msg m;

	msg_init(&m, req, sizeof(m.p.state));
	m.p.state.index = idx;
	m.p.state.num = num;
	return vu_front_request(f, &m);
}

static int set_fd(struct vu_front *f, uint32_t req, uint32_t idx, int fd)
{
	struct vu_msg m;

	msg_init(&m, req, sizeof(uint64_t));
	m.p.u64 = idx & VU_VRING_IDX_MASK;
	m.fds[0] = fd;
	m.nfds = 1;
	return vu_front_request(f, &m);
}

int vu_front_setup_ring(struct vu_front *f, unsigned int idx, uint16_t num)
{
	struct vu_ring *r = &f->ring[idx];
	struct vu_msg m;
	int ret;

	if (idx >= VU_MAX_RINGS || f->ring_up[idx])
		return fail(f, -EINVAL, "ring %u", idx);
	ret = vu_ring_init(r, &f->mem, num);
	if (ret)
		return fail(f, ret, "ring %u of %u entries in shared memory",
			    idx, num);
	f->ring_up[idx] = true;
	r->event_idx = f->features & (1ull << VU_F_EVENT_IDX);
	ret = set_state(f, VU_SET_VRING_NUM, idx, num);
	if (!ret)
		ret = set_state(f, VU_SET_VRING_BASE, idx, 0);
	if (ret)
		return ret;
	msg_init(&m, VU_SET_VRING_ADDR, sizeof(m.p.addr));
	m.p.addr.index = idx;
	m.p.addr.desc = (uint64_t)(uintptr_t)r->desc;
	m.p.addr.avail = (uint64_t)(uintptr_t)r->avail;
	m.p.addr.used = (uint64_t)(uintptr_t)r->used;
	ret = vu_front_request(f, &m);
	if (!ret)
		ret = set_fd(f, VU_SET_VRING_CALL, idx, r->call_fd);
	if (!ret)
		ret = set_fd(f, VU_SET_VRING_ERR, idx, r->err_fd);
	/* KICK last: it starts the ring (vhost-user.rst, "Ring states"). */
	if (!ret)
		ret = set_fd(f, VU_SET_VRING_KICK, idx, r->kick_fd);
	if (!ret && (f->features & (1ull << VU_F_PROTOCOL_FEATURES)))
		ret = set_state(f, VU_SET_VRING_ENABLE, idx, 1);
	return ret;
}

int vu_front_set_config(struct vu_front *f, uint32_t offset, const void *data,
			uint32_t len)
{
	struct vu_msg m;

	if (len > VU_CONFIG_MAX)
		return fail(f, -EINVAL, "SET_CONFIG of %u bytes", len);
	msg_init(&m, VU_SET_CONFIG, 12 + len);
	m.p.config.offset = offset;
	m.p.config.size = len;
	memcpy(m.p.config.payload, data, len);
	return vu_front_request(f, &m);
}

int vu_front_get_vring_base(struct vu_front *f, unsigned int idx,
			    uint32_t *base)
{
	struct vu_msg m;
	int ret;

	msg_init(&m, VU_GET_VRING_BASE, sizeof(m.p.state));
	m.p.state.index = idx;
	ret = call(f, &m, sizeof(m.p.state));
	*base = m.p.state.num;
	return ret;
}

void vu_front_close(struct vu_front *f)
{
	unsigned int i;

	if (f->sock >= 0)
		close(f->sock);
	f->sock = -1;
	for (i = 0; i < VU_MAX_RINGS; i++) {
		if (f->ring_up[i])
			vu_ring_fini(&f->ring[i]);
		f->ring_up[i] = false;
	}
	vu_mem_fini(&f->mem);
}
