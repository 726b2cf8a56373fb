// SPDX-License-Identifier: BSD-3-Clause
/*
 * Unit tests of the front end's pieces, no back end needed: message
 * encoding over a socketpair (payload, SCM_RIGHTS, malformed headers),
 * the shared memory's address translation, the split ring against a
 * device simulated here, the request layouts and the ESP check, and the
 * whole handshake against a scripted back end that checks each message
 * against docs/interop/vhost-user.rst (order, sizes, flags, fds).
 */
#include <check.h>
#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "vip_req.h"

START_TEST(msg_roundtrip_with_fd)
{
	struct vu_msg m = { 0 }, r;
	struct stat a, b;
	int sv[2], fd;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	fd = memfd_create("t", 0);
	ck_assert_int_ge(fd, 0);
	m.hdr = (struct vu_hdr){ VU_SET_MEM_TABLE, VU_VERSION,
				 vu_memory_size(1) };
	m.p.memory.nregions = 1;
	m.p.memory.regions[0] = (struct vu_region){ 0x1000, 0x2000, 0x3000, 0 };
	m.fds[0] = fd;
	m.nfds = 1;
	ck_assert_int_eq(vu_msg_send(sv[0], &m), 0);
	ck_assert_int_eq(vu_msg_recv(sv[1], &r), 0);
	ck_assert_uint_eq(r.hdr.request, VU_SET_MEM_TABLE);
	ck_assert_uint_eq(r.hdr.size, 8 + 32);
	ck_assert_uint_eq(r.p.memory.regions[0].user_addr, 0x3000);
	ck_assert_msg(r.nfds == 1, "the memfd did not travel: %u fds", r.nfds);
	ck_assert_int_eq(fstat(fd, &a), 0);
	ck_assert_int_eq(fstat(r.fds[0], &b), 0);
	ck_assert_msg(a.st_ino == b.st_ino, "received fd is another file");
	close(r.fds[0]);
	close(fd);
	/* A header without version 1, then one with an oversized payload. */
	m = (struct vu_msg){ .hdr = { VU_GET_FEATURES, 0, 0 } };
	ck_assert_int_eq(vu_msg_send(sv[0], &m), 0);
	ck_assert_int_eq(vu_msg_recv(sv[1], &r), -EPROTO);
	{
		struct vu_hdr h = { VU_GET_FEATURES, VU_VERSION, 1u << 20 };

		ck_assert_int_eq(write(sv[0], &h, sizeof(h)), sizeof(h));
		ck_assert_int_eq(vu_msg_recv(sv[1], &r), -EPROTO);
	}
	close(sv[0]);
	ck_assert_int_eq(vu_msg_recv(sv[1], &r), -ECONNRESET);
	close(sv[1]);
	ck_assert_str_eq(vu_req_name(VU_SET_VRING_KICK), "SET_VRING_KICK");
	ck_assert_str_eq(vu_req_name(9999), "unknown request");
}
END_TEST

START_TEST(mem_translation)
{
	struct vu_mem m;
	uint8_t *p, *q;

	ck_assert_int_eq(vu_mem_init(&m, 10000), 0);
	ck_assert_uint_eq(m.size % 4096, 0);
	p = vu_mem_alloc(&m, 100, 64);
	q = vu_mem_alloc(&m, 10, 4096);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq((uintptr_t)q % 4096, 0);
	ck_assert_uint_eq(vu_mem_gpa(&m, p), VU_MEM_GPA_BASE);
	ck_assert_ptr_eq(vu_mem_ptr(&m, vu_mem_gpa(&m, q), 10), q);
	ck_assert_ptr_null(vu_mem_ptr(&m, VU_MEM_GPA_BASE - 1, 1));
	ck_assert_ptr_null(vu_mem_ptr(&m, VU_MEM_GPA_BASE + m.size - 4, 5));
	ck_assert_ptr_null(vu_mem_ptr(&m, VU_MEM_GPA_BASE, UINT64_MAX));
	ck_assert_ptr_null(vu_mem_alloc(&m, m.size, 1));
	vu_mem_fini(&m);
}
END_TEST

START_TEST(ring_chain_used_and_fds)
{
	struct vu_buf out[2] = { { VU_MEM_GPA_BASE, 10 },
				 { VU_MEM_GPA_BASE + 64, 20 } };
	struct vu_buf in = { VU_MEM_GPA_BASE + 128, 30 };
	struct vu_ring r;
	struct vu_mem m;
	uint64_t v = 1;
	uint32_t len;
	void *tok;
	int head, h2;

	ck_assert_int_eq(vu_mem_init(&m, 1 << 16), 0);
	ck_assert_int_eq(vu_ring_init(&r, &m, 3), -EINVAL);
	ck_assert_int_eq(vu_ring_init(&r, &m, 4), 0);
	head = vu_ring_add(&r, out, 2, &in, 1, &r);
	ck_assert_int_ge(head, 0);
	ck_assert_uint_eq(r.desc[head].flags, VU_DESC_F_NEXT);
	h2 = r.desc[head].next;
	ck_assert_uint_eq(r.desc[h2].len, 20);
	ck_assert_uint_eq(r.desc[r.desc[h2].next].flags, VU_DESC_F_WRITE);
	ck_assert_uint_eq(r.desc[r.desc[h2].next].addr, in.gpa);
	ck_assert_uint_eq(r.num_free, 1);
	ck_assert_int_eq(vu_ring_add(&r, out, 2, NULL, 0, &r), -ENOSPC);
	ck_assert_uint_eq(r.avail->idx, 0); /* not published yet */
	vu_ring_publish(&r);
	ck_assert_uint_eq(r.avail->idx, 1);
	ck_assert_uint_eq(r.avail->ring[0], head);
	ck_assert_int_eq(vu_ring_get_used(&r, &tok, &len), 0);
	/* The device uses it. */
	r.used->ring[0] = (struct vu_used_elem){ (uint32_t)head, 30 };
	r.used->idx = 1;
	ck_assert_int_eq(vu_ring_get_used(&r, &tok, &len), 1);
	ck_assert_ptr_eq(tok, &r);
	ck_assert_uint_eq(len, 30);
	ck_assert_uint_eq(r.num_free, 4);
	/* An id we never gave, then a used index running ahead: broken. */
	r.used->ring[1] = (struct vu_used_elem){ 2, 0 };
	r.used->idx = 2;
	ck_assert_int_eq(vu_ring_get_used(&r, &tok, &len), -EPROTO);
	r.used->idx = 9;
	ck_assert_int_eq(vu_ring_get_used(&r, &tok, &len), -EPROTO);
	/* Kick, unless the device said NO_NOTIFY. */
	vu_ring_kick(&r);
	ck_assert_int_eq(read(r.kick_fd, &v, 8), 8);
	ck_assert_uint_eq(v, 1);
	r.used->flags = VU_USED_F_NO_NOTIFY;
	vu_ring_kick(&r);
	ck_assert_int_eq(read(r.kick_fd, &v, 8), -1);
	/* Call and err eventfds. */
	ck_assert_int_eq(vu_ring_wait(&r, -1, 0), 0);
	ck_assert_int_eq(write(r.call_fd, &v, 8), 8);
	ck_assert_int_eq(vu_ring_wait(&r, -1, 0), 1);
	ck_assert_int_eq(write(r.err_fd, &v, 8), 8);
	ck_assert_int_eq(vu_ring_wait(&r, -1, 0), -EIO);
	/* The back end hanging up the vhost-user socket. */
	{
		int sv[2];

		ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
		ck_assert_int_eq(vu_ring_wait(&r, sv[0], 0), 0);
		close(sv[1]);
		ck_assert_int_eq(vu_ring_wait(&r, sv[0], 0), -ECONNRESET);
		close(sv[0]);
	}
	vu_ring_fini(&r);
	vu_mem_fini(&m);
}
END_TEST

/*
 * VIRTIO_F_EVENT_IDX, driver side (VIRTIO 1.2 2.7.10): a kick only when the
 * device's avail_event lies among the chains published since the last
 * kick; used_event moved along per used entry while calls are wanted, held
 * back while the driver is awake (disable_cb), and set 3/4 of the way
 * through the outstanding chains before it sleeps (enable_cb_delayed).
 * Without EVENT_IDX, disable_cb/enable_cb_delayed are NO_INTERRUPT.
 */
START_TEST(ring_event_idx)
{
	struct vu_buf out = { 0x1000, 10 };
	uint16_t *avail_event, *used_event;
	struct vu_ring r;
	struct vu_mem m;
	uint32_t len;
	uint64_t v;
	void *tok;
	int i, head[8];

	ck_assert_int_eq(vu_mem_init(&m, 1 << 16), 0);
	ck_assert_int_eq(vu_ring_init(&r, &m, 8), 0);
	r.event_idx = true;
	avail_event = (uint16_t *)&r.used->ring[8];
	used_event = &r.avail->ring[8];
	/* The device waits for chain 0: published 0 -> 1, kick. */
	head[0] = vu_ring_add(&r, &out, 1, NULL, 0, &r);
	vu_ring_publish(&r);
	ck_assert(vu_ring_kick(&r));
	ck_assert_int_eq(read(r.kick_fd, &v, 8), 8);
	/* Busy device (avail_event still 0): 1 -> 3 needs no kick... */
	for (i = 1; i < 3; i++)
		head[i] = vu_ring_add(&r, &out, 1, NULL, 0, &r);
	vu_ring_publish(&r);
	ck_assert(!vu_ring_kick(&r));
	/* ...nor does NO_NOTIFY matter with EVENT_IDX; avail_event 3 does. */
	r.used->flags = VU_USED_F_NO_NOTIFY;
	*avail_event = 3;
	head[3] = vu_ring_add(&r, &out, 1, NULL, 0, &r);
	vu_ring_publish(&r);
	ck_assert(vu_ring_kick(&r));
	/* Nothing published since: no kick whatever avail_event says. */
	ck_assert(!vu_ring_kick(&r));
	/* Calls wanted: each used entry asks for a call on the next. */
	r.used->ring[0] = (struct vu_used_elem){ (uint32_t)head[0], 0 };
	r.used->idx = 1;
	ck_assert_int_eq(vu_ring_get_used(&r, &tok, &len), 1);
	ck_assert_uint_eq(*used_event, 1);
	/* Awake: used_event stays. */
	vu_ring_disable_cb(&r);
	r.used->ring[1] = (struct vu_used_elem){ (uint32_t)head[1], 0 };
	r.used->idx = 2;
	ck_assert_int_eq(vu_ring_get_used(&r, &tok, &len), 1);
	ck_assert_uint_eq(*used_event, 1);
	ck_assert_uint_eq(r.avail->flags, 0); /* a flag only without it */
	/* Two outstanding: used_event = last_used (2) + 2 * 3 / 4; sleep. */
	ck_assert(vu_ring_enable_cb_delayed(&r));
	ck_assert_uint_eq(*used_event, 3);
	/* Already 2 used past last_used (> 1): do not sleep. */
	r.used->ring[2] = (struct vu_used_elem){ (uint32_t)head[2], 0 };
	r.used->ring[3] = (struct vu_used_elem){ (uint32_t)head[3], 0 };
	r.used->idx = 4;
	ck_assert(!vu_ring_enable_cb_delayed(&r));
	/* Without EVENT_IDX: NO_INTERRUPT while awake, cleared to sleep. */
	r.event_idx = false;
	vu_ring_disable_cb(&r);
	ck_assert_uint_eq(r.avail->flags, VU_AVAIL_F_NO_INTERRUPT);
	ck_assert_int_eq(vu_ring_get_used(&r, &tok, &len), 1);
	ck_assert_int_eq(vu_ring_get_used(&r, &tok, &len), 1);
	ck_assert(vu_ring_enable_cb_delayed(&r));
	ck_assert_uint_eq(r.avail->flags, 0);
	vu_ring_fini(&r);
	vu_mem_fini(&m);
}
END_TEST

START_TEST(request_layout_and_esp_check)
{
	struct virtio_ipsec_pkt_result res = { 0 };
	uint8_t esp[200] = { 0 };
	struct vip_batch b;
	struct vu_front f;

	memset(&f, 0, sizeof(f));
	ck_assert_int_eq(vu_mem_init(&f.mem, 1 << 20), 0);
	ck_assert_uint_eq(vip_batch_rd_len(32, 64), 16 + 32 * (16 + 64));
	ck_assert_uint_eq(vip_batch_wr_len(2, 100), 2 * (16 + 100) + 8);
	ck_assert_int_eq(vip_batch_init(&f, &b, VIRTIO_IPSEC_OP_ENCAP, 7, 2, 64,
					128),
			 0);
	ck_assert_ptr_eq(vip_batch_in(&b, 1), b.rd + 16 + 2 * 16 + 64);
	ck_assert_ptr_eq(vip_batch_out(&b, 1), b.wr + 2 * 16 + 128);
	ck_assert_ptr_eq((uint8_t *)vip_batch_footer(&b), b.wr + b.wr_len - 8);
	ck_assert_uint_eq(
		le32toh(((struct virtio_ipsec_pkt_req *)(b.rd + 16))[1].sa_id),
		7);
	ck_assert_uint_eq(vip_esp_len(64), 120);
	ck_assert_uint_eq(vip_esp_len(1420), 1476);
	/* A well-formed ESP packet for seq 5, SPI 0x1000, then mutations. */
	esp[0] = 0x45;
	esp[2] = 0;
	esp[3] = 120;
	esp[9] = 50;
	memcpy(esp + 12, (uint8_t[]){ 10, 0, 0, 1, 10, 0, 0, 2 }, 8);
	{
		uint32_t s = 0, i;

		for (i = 0; i < 20; i += 2)
			s += (uint32_t)(esp[i] << 8 | esp[i + 1]);
		while (s >> 16)
			s = (s & 0xffff) + (s >> 16);
		esp[10] = (uint8_t)(~s >> 8);
		esp[11] = (uint8_t)~s;
	}
	esp[22] = 0x10;
	esp[27] = 5;
	esp[35] = 5;
	res.out_len = htole32(120);
	res.seq_lo = htole32(5);
	ck_assert_ptr_null(vip_check_esp(&res, esp, 64, 0x1000));
	ck_assert_ptr_nonnull(vip_check_esp(&res, esp, 64, 0x1001));
	ck_assert_ptr_nonnull(vip_check_esp(&res, esp, 65 + 4, 0x1000));
	esp[35] = 6;
	ck_assert_ptr_nonnull(vip_check_esp(&res, esp, 64, 0x1000));
	esp[35] = 5;
	res.seq_lo = htole32(6);
	ck_assert_ptr_nonnull(vip_check_esp(&res, esp, 64, 0x1000));
	res.seq_lo = htole32(5);
	res.status = VIRTIO_IPSEC_ERR;
	ck_assert_ptr_nonnull(vip_check_esp(&res, esp, 64, 0x1000));
	vu_mem_fini(&f.mem);
}
END_TEST

/*
 * A scripted back end: answers what vhost-user.rst says it answers and
 * records the requests, with the checks a strict back end would make.
 */
struct script {
	int sock;
	uint32_t seen[64];
	unsigned int n;
	char bad[200];
	/* faults a broken back end shows (0: behave) */
	bool no_version_1, short_config, not_ready;
};

static void reply(struct script *s, struct vu_msg *m, uint32_t size)
{
	m->hdr.flags = VU_VERSION | VU_FLAG_REPLY;
	m->hdr.size = size;
	m->nfds = 0;
	vu_msg_send(s->sock, m);
}

static void *backend(void *arg)
{
	struct script *s = arg;
	struct virtio_ipsec_config cfg = { 0 };
	bool proto = false;
	struct vu_msg m;

	cfg.status = htole32(s->not_ready ? 0 : VIRTIO_IPSEC_S_HW_READY);
	cfg.max_data_queues = htole32(2);
	while (!vu_msg_recv(s->sock, &m)) {
		uint32_t rq = m.hdr.request;
		unsigned int want_fds = 0;

		if (s->n < 64)
			s->seen[s->n++] = rq;
		if (rq == VU_SET_MEM_TABLE || rq == VU_SET_VRING_KICK ||
		    rq == VU_SET_VRING_CALL || rq == VU_SET_VRING_ERR)
			want_fds = 1;
		if (m.nfds != want_fds && !s->bad[0])
			snprintf(s->bad, sizeof(s->bad), "%s with %u fds",
				 vu_req_name(rq), m.nfds);
		if ((m.hdr.flags & VU_FLAG_NEED_REPLY) && !proto && !s->bad[0])
			snprintf(s->bad, sizeof(s->bad),
				 "NEED_REPLY before "
				 "REPLY_ACK was negotiated (%s)",
				 vu_req_name(rq));
		if (rq == VU_SET_MEM_TABLE &&
		    (m.hdr.size != vu_memory_size(1) ||
		     m.p.memory.regions[0].guest_addr != VU_MEM_GPA_BASE))
			snprintf(s->bad, sizeof(s->bad), "bad memory table");
		while (m.nfds)
			close(m.fds[--m.nfds]);
		switch (rq) {
		case VU_GET_FEATURES:
			m.p.u64 = 1ull << 32 | 1ull << 30 | 1ull << 6 |
				  1ull << 5;
			if (s->no_version_1)
				m.p.u64 &= ~(1ull << 32);
			reply(s, &m, 8);
			continue;
		case VU_GET_PROTOCOL_FEATURES:
			m.p.u64 = 1ull << VU_PROTOCOL_F_MQ |
				  1ull << VU_PROTOCOL_F_REPLY_ACK |
				  1ull << VU_PROTOCOL_F_CONFIG | 1ull << 12;
			reply(s, &m, 8);
			continue;
		case VU_SET_PROTOCOL_FEATURES:
			if (m.p.u64 & (1ull << 12))
				snprintf(s->bad, sizeof(s->bad),
					 "acked INFLIGHT_SHMFD it cannot use");
			proto = m.p.u64 & (1ull << VU_PROTOCOL_F_REPLY_ACK);
			break;
		case VU_GET_QUEUE_NUM:
			m.p.u64 = 3;
			reply(s, &m, 8);
			continue;
		case VU_GET_CONFIG:
			if (m.hdr.size != 12 + sizeof(cfg) ||
			    m.p.config.size != sizeof(cfg))
				snprintf(s->bad, sizeof(s->bad),
					 "GET_CONFIG size %u/%u", m.hdr.size,
					 m.p.config.size);
			memcpy(m.p.config.payload, &cfg, sizeof(cfg));
			if (s->short_config)
				m.p.config.size -= 4;
			reply(s, &m, m.hdr.size);
			continue;
		case VU_SET_FEATURES:
			if (m.p.u64 != (1ull << 32 | 1ull << 30 | 1ull << 6))
				snprintf(s->bad, sizeof(s->bad),
					 "SET_FEATURES %#llx",
					 (unsigned long long)m.p.u64);
			break;
		}
		if (m.hdr.flags & VU_FLAG_NEED_REPLY) {
			m.p.u64 = rq == VU_SET_VRING_NUM && m.p.state.num > 256;
			reply(s, &m, 8);
		}
	}
	return NULL;
}

struct serve {
	int listen_fd;
	struct script *s;
};

static void *serve(void *arg)
{
	struct serve *sv = arg;

	sv->s->sock = accept(sv->listen_fd, NULL, NULL);
	if (sv->s->sock >= 0) {
		backend(sv->s);
		close(sv->s->sock);
	}
	return NULL;
}

START_TEST(handshake_follows_the_spec)
{
	static const uint32_t order[] = {
		VU_GET_FEATURES,
		VU_GET_PROTOCOL_FEATURES,
		VU_SET_PROTOCOL_FEATURES,
		VU_GET_QUEUE_NUM,
		VU_SET_OWNER,
		VU_GET_CONFIG,
		VU_SET_FEATURES,
		VU_SET_MEM_TABLE,
		/* the control queue (index 2), then data queue 0 */
		VU_SET_VRING_NUM,
		VU_SET_VRING_BASE,
		VU_SET_VRING_ADDR,
		VU_SET_VRING_CALL,
		VU_SET_VRING_ERR,
		VU_SET_VRING_KICK,
		VU_SET_VRING_ENABLE,
		VU_SET_VRING_NUM,
		VU_SET_VRING_BASE,
		VU_SET_VRING_ADDR,
		VU_SET_VRING_CALL,
		VU_SET_VRING_ERR,
		VU_SET_VRING_KICK,
		VU_SET_VRING_ENABLE,
		/* then the refused ring size */
		VU_SET_VRING_NUM,
	};
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct script s = { .sock = -1 };
	struct serve sv = { -1, &s };
	struct vip_dev d;
	unsigned int i;
	pthread_t t;
	int ret;

	snprintf(a.sun_path, sizeof(a.sun_path), "/tmp/vu-pieces-%d", getpid());
	unlink(a.sun_path);
	sv.listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_eq(bind(sv.listen_fd, (struct sockaddr *)&a, sizeof(a)),
			 0);
	ck_assert_int_eq(listen(sv.listen_fd, 1), 0);
	pthread_create(&t, NULL, serve, &sv);
	ret = vip_dev_open(&d, a.sun_path, 1ull << VIRTIO_IPSEC_F_MQ, 1 << 20,
			   1, 256);
	ck_assert_msg(ret == 0, "vip_dev_open: %s", d.f.err);
	ck_assert_uint_eq(d.f.ndata, 2);
	ck_assert_uint_eq(vu_front_ctrlq(&d.f), 2);
	ck_assert_uint_eq(d.f.queue_num, 3);
	ret = vu_front_setup_ring(&d.f, 1, 512);
	ck_assert_int_eq(ret, -EREMOTEIO);
	ck_assert_msg(strstr(d.f.err, "SET_VRING_NUM refused"), "%s", d.f.err);
	vu_front_close(&d.f);
	pthread_join(t, NULL);
	unlink(a.sun_path);
	close(sv.listen_fd);
	ck_assert_msg(!s.bad[0], "back end saw: %s", s.bad);
	ck_assert_uint_eq(s.n, sizeof(order) / sizeof(order[0]));
	for (i = 0; i < s.n; i++)
		ck_assert_msg(s.seen[i] == order[i], "message %u is %s, not %s",
			      i, vu_req_name(s.seen[i]), vu_req_name(order[i]));
}
END_TEST

/* The handshake refuses back ends that break the device's contract. */
START_TEST(handshake_refuses_bad_back_ends)
{
	static const struct {
		bool v1, shortc, notready;
		int ret;
		const char *msg;
	} cases[] = {
		{ true, false, false, -ENOTSUP, "VIRTIO_F_VERSION_1" },
		{ false, true, false, -EPROTO, "GET_CONFIG returned 84 bytes" },
		{ false, false, true, -EAGAIN, "lacks HW_READY" },
	};
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	unsigned int i;

	snprintf(a.sun_path, sizeof(a.sun_path), "/tmp/vu-bad-%d", getpid());
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct script s = { .sock = -1,
				    .no_version_1 = cases[i].v1,
				    .short_config = cases[i].shortc,
				    .not_ready = cases[i].notready };
		struct serve sv = { -1, &s };
		struct vip_dev d;
		pthread_t t;
		int ret;

		unlink(a.sun_path);
		sv.listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
		ck_assert_int_eq(bind(sv.listen_fd, (struct sockaddr *)&a,
				      sizeof(a)),
				 0);
		ck_assert_int_eq(listen(sv.listen_fd, 1), 0);
		pthread_create(&t, NULL, serve, &sv);
		ret = vip_dev_open(&d, a.sun_path, 0, 1 << 20, 1, 64);
		ck_assert_msg(ret == cases[i].ret, "case %u: %d (%s)", i, ret,
			      d.f.err);
		ck_assert_msg(strstr(d.f.err, cases[i].msg), "case %u: '%s'", i,
			      d.f.err);
		vu_front_close(&d.f);
		pthread_join(t, NULL);
		close(sv.listen_fd);
	}
	unlink(a.sun_path);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vhost-user front end");
	TCase *tc = tcase_create("pieces");
	SRunner *sr;
	int nf;

	tcase_add_test(tc, msg_roundtrip_with_fd);
	tcase_add_test(tc, mem_translation);
	tcase_add_test(tc, ring_chain_used_and_fds);
	tcase_add_test(tc, ring_event_idx);
	tcase_add_test(tc, request_layout_and_esp_check);
	tcase_add_test(tc, handshake_follows_the_spec);
	tcase_add_test(tc, handshake_refuses_bad_back_ends);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf ? 1 : 0;
}
