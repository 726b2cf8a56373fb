// SPDX-License-Identifier: BSD-3-Clause
/* vipsec-vhost-hostile: vhost-user messages out of range, kicks before a ring exists. */
#include <endian.h>
#include <errno.h>
#include <unistd.h>
#include <string.h>

#include "hostile.h"

/* vhost-user messages naming a queue the device does not have. */
int c_vring_index(struct t *t)
{
	static const uint32_t reqs[] = { VU_SET_VRING_NUM, VU_SET_VRING_BASE,
					 VU_SET_VRING_ENABLE };
	struct vu_msg m;
	unsigned int i;
	int ret;

	for (i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		if (dev_open(t, true))
			return -1;
		memset(&m, 0, sizeof(m));
		m.hdr = (struct vu_hdr){ reqs[i], VU_VERSION, 8 };
		m.p.state.index = 200;
		m.p.state.num = 64;
		ret = vu_front_request(&t->d.f, &m);
		msleep(100);
		EXPECT(t, be_alive(t), "%s with queue index 200: back end died",
		       vu_req_name(reqs[i]));
		/* Refused (REPLY_ACK) or connection dropped; never taken. */
		EXPECT(t,
		       ret == -EREMOTEIO || ret == -ECONNRESET ||
			       ret == -EPIPE ||
			       vu_ring_wait(&t->d.f.ring[0], t->d.f.sock,
					    500) == -ECONNRESET,
		       "%s with queue index 200 was accepted",
		       vu_req_name(reqs[i]));
	}
	if (dev_open(t, true))
		return -1;
	return serves(t, 0);
}

/*
 * GET_CONFIG and SET_CONFIG whose config size or offset lie: bigger than
 * the message's payload (256 bytes at most, vhost-user.rst) or than the
 * device's config space. The back end must bound them itself:
 * libvhost-user passes them through to its callbacks.
 */
int c_config(struct t *t)
{
	static const struct {
		uint32_t req, offset, size;
	} bad[] = {
		{ VU_GET_CONFIG, 0, 4096 }, { VU_GET_CONFIG, 0xfffffff0u, 32 },
		{ VU_SET_CONFIG, 0, 4096 }, { VU_SET_CONFIG, 0xfffffffcu, 8 },
		{ VU_SET_CONFIG, 4000, 4 },
	};
	struct vu_msg m;
	unsigned int i;
	int ret;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (dev_open(t, true))
			return -1;
		memset(&m, 0, sizeof(m));
		/* The message carries 8 config bytes whatever size says. */
		m.hdr = (struct vu_hdr){ bad[i].req, VU_VERSION, 12 + 8 };
		m.p.config.offset = bad[i].offset;
		m.p.config.size = bad[i].size;
		ret = vu_msg_send(t->d.f.sock, &m);
		EXPECT(t, !ret, "sending the config message: %s",
		       strerror(-ret));
		if (bad[i].req == VU_GET_CONFIG) {
			ret = vu_msg_recv(t->d.f.sock, &m);
			/* A reply must not claim the bytes it cannot have. */
			EXPECT(t, ret || m.hdr.size <= 12 + VU_CONFIG_MAX,
			       "GET_CONFIG size %u offset %#x: reply of %u bytes",
			       bad[i].size, bad[i].offset, m.hdr.size);
		}
		msleep(100);
		EXPECT(t, be_alive(t), "%s offset %#x size %u: back end died",
		       vu_req_name(bad[i].req), bad[i].offset, bad[i].size);
	}
	if (dev_open(t, true))
		return -1;
	return serves(t, 0) || serves(t, 1);
}

/* A ring size of 0 or not a power of two, then a kick. */
int c_vring_num(struct t *t)
{
	static const uint32_t nums[] = { 0, 3, 65536 };
	struct vu_msg m;
	unsigned int i;
	uint64_t one = 1;

	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		if (dev_open(t, true))
			return -1;
		memset(&m, 0, sizeof(m));
		m.hdr = (struct vu_hdr){ VU_SET_VRING_NUM, VU_VERSION, 8 };
		m.p.state.index = 1;
		m.p.state.num = nums[i];
		vu_front_request(&t->d.f, &m);
		push(t, 1, 0);
		if (write(t->d.f.ring[1].kick_fd, &one, 8) < 0) {
			/* counter saturated: a kick is pending anyway */
		}
		msleep(200);
		EXPECT(t, be_alive(t),
		       "ring size %u then a kick: back end died", nums[i]);
	}
	if (dev_open(t, true))
		return -1;
	return serves(t, 0) || serves(t, 1);
}

/* Kicks on a ring that has no size nor addresses yet. */
int c_kick_early(struct t *t)
{
	struct vu_front *f = &t->d.f;
	struct vu_msg m;
	struct vu_ring r;
	uint64_t one = 1;
	int ret, efd;

	dev_close(t);
	ret = vu_front_connect(f, t->sock, 5000);
	if (!ret)
		ret = vu_front_handshake(f, 1ull << VIRTIO_IPSEC_F_MQ);
	if (!ret)
		ret = vu_front_set_mem(f, MEM);
	t->open = true;
	EXPECT(t, !ret, "set-up: %s", f->err);
	ret = vu_ring_init(&r, &f->mem, 16);
	EXPECT(t, !ret, "ring: %s", strerror(-ret));
	efd = r.kick_fd;
	memset(&m, 0, sizeof(m));
	m.hdr = (struct vu_hdr){ VU_SET_VRING_KICK, VU_VERSION, 8 };
	m.p.u64 = 1;
	m.fds[0] = efd;
	m.nfds = 1;
	ret = vu_front_request(f, &m);
	EXPECT(t, !ret || ret == -EREMOTEIO,
	       "SET_VRING_KICK before the "
	       "ring: %s",
	       f->err);
	EXPECT(t, write(efd, &one, 8) == 8, "kick");
	msleep(300);
	EXPECT(t, be_alive(t),
	       "kick before the ring was set up: back end "
	       "died");
	vu_ring_fini(&r);
	if (dev_open(t, true))
		return -1;
	return serves(t, 0) || serves(t, 1);
}

int c_mem_table(struct t *t)
{
	struct vu_msg m;
	int ret;

	if (dev_open(t, true))
		return -1;
	memset(&m, 0, sizeof(m));
	m.hdr = (struct vu_hdr){ VU_SET_MEM_TABLE, VU_VERSION,
				 vu_memory_size(8) };
	m.p.memory.nregions = 9; /* more than the message can hold */
	m.fds[0] = t->d.f.mem.fd;
	m.nfds = 1;
	ret = vu_front_request(&t->d.f, &m);
	msleep(100);
	EXPECT(t, be_alive(t), "SET_MEM_TABLE with 9 regions: back end died");
	EXPECT(t,
	       ret != 0 || vu_ring_wait(&t->d.f.ring[0], t->d.f.sock, 500) ==
				   -ECONNRESET,
	       "SET_MEM_TABLE with 9 regions was accepted");
	if (dev_open(t, true))
		return -1;
	return serves(t, 0);
}
