// SPDX-License-Identifier: BSD-3-Clause
/* vipsec-vhost-hostile: request contents, device resets, violations under load, a back end restart. */
#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <string.h>

#include "hostile.h"

int c_baseline(struct t *t)
{
	return dev_open(t, true) || serves(t, 0) || serves(t, 1);
}

/* Well-shaped requests with bad counts and lengths: INVAL, no harm. */
int c_bad_counts(struct t *t)
{
	uint32_t maxb, maxl;
	struct vip_batch b;
	struct virtio_ipsec_data_hdr *h;
	struct virtio_ipsec_pkt_req *pr;

	if (dev_open(t, true))
		return -1;
	maxb = le32toh(t->d.f.cfg.max_batch);
	maxl = le32toh(t->d.f.cfg.max_packet_len);
#define HDR(b) ((struct virtio_ipsec_data_hdr *)(b).rd)
#define REQ(b) ((struct virtio_ipsec_pkt_req *)((b).rd + sizeof(*h)))
	if (batch(t, &b, VIRTIO_IPSEC_OP_ENCAP, SA_OUT, 1, 100))
		return -1;
	HDR(b)->num_pkts = 0;
	if (refused(t, 0, &b, VIRTIO_IPSEC_INVAL, "num_pkts 0"))
		return -1;
	if (batch(t, &b, VIRTIO_IPSEC_OP_ENCAP, SA_OUT, maxb + 1, 64) ||
	    refused(t, 1, &b, VIRTIO_IPSEC_INVAL, "num_pkts max_batch+1"))
		return -1;
	if (batch(t, &b, VIRTIO_IPSEC_OP_ENCAP, SA_OUT, 1, maxl + 1) ||
	    refused(t, 0, &b, VIRTIO_IPSEC_INVAL, "in_len max_packet_len+1"))
		return -1;
	/*
	 * Not checked: a readable part longer than the inputs. The device
	 * spec (5.3) says INVAL; the engine's decoder accepts trailing bytes
	 * (vpe_core_handle_data checks only that the inputs fit).
	 */
	if (batch(t, &b, VIRTIO_IPSEC_OP_ENCAP, SA_OUT, 2, 100))
		return -1;
	b.wr_len -= 1; /* footer no longer where the out_caps put it */
	memset(b.wr, 0xee, b.wr_len);
	{
		/* the footer the device writes is the last 8 bytes */
		int ret = submit(t, 0, &b) ? -1 : wait_done(t, 0, &b);

		EXPECT(t, !ret, "writable part 1 byte short: no answer");
		EXPECT(t, b.wr[b.wr_len - 8] == VIRTIO_IPSEC_INVAL,
		       "writable part 1 byte short: footer status %u",
		       b.wr[b.wr_len - 8]);
		EXPECT(t,
		       !b.wr[b.wr_len - 4] && !b.wr[b.wr_len - 3] &&
			       !b.wr[b.wr_len - 2] && !b.wr[b.wr_len - 1],
		       "writable part 1 byte short: footer out_len not 0");
	}
	if (batch(t, &b, VIRTIO_IPSEC_OP_ENCAP, SA_OUT, 1, 100))
		return -1;
	HDR(b)->flags = htole16(1);
	if (refused(t, 1, &b, VIRTIO_IPSEC_INVAL, "header flags 1"))
		return -1;
	if (batch(t, &b, VIRTIO_IPSEC_OP_ENCAP, SA_OUT, 1, 100))
		return -1;
	HDR(b)->reserved[1] = htole32(1);
	if (refused(t, 0, &b, VIRTIO_IPSEC_INVAL, "header reserved not 0"))
		return -1;
	/* in_len 2^31 twice: the sum wraps to 0 in 32 bits */
	if (batch(t, &b, VIRTIO_IPSEC_OP_ENCAP, SA_OUT, 2, 100))
		return -1;
	pr = REQ(b);
	pr[0].in_len = pr[1].in_len = htole32(0x80000000u);
	b.rd_len = sizeof(*h) + 2 * sizeof(*pr);
	if (refused(t, 1, &b, VIRTIO_IPSEC_INVAL, "in_len sum wrapping"))
		return -1;
	if (batch(t, &b, VIRTIO_IPSEC_OP_ENCAP, SA_OUT, 1, 100))
		return -1;
	REQ(b)[0].out_cap = htole32(0xffffffffu);
	if (refused(t, 0, &b, VIRTIO_IPSEC_INVAL, "out_cap 2^32-1"))
		return -1;
	if (batch(t, &b, 0x7f, SA_OUT, 1, 100))
		return -1;
	h = HDR(b);
	(void)h;
	/* an unknown opcode and a control opcode: errors, any but OK */
	{
		int ret = submit(t, 1, &b) ? -1 : wait_done(t, 1, &b);
		uint8_t st = vip_batch_footer(&b)->status;

		EXPECT(t, !ret && st != VIRTIO_IPSEC_OK && st != 0xee,
		       "unknown data opcode: status %u", st);
	}
	if (batch(t, &b, VIRTIO_IPSEC_OP_SA_ADD, SA_OUT, 1, 100))
		return -1;
	{
		int ret = submit(t, 0, &b) ? -1 : wait_done(t, 0, &b);
		uint8_t st = vip_batch_footer(&b)->status;

		EXPECT(t, !ret && st != VIRTIO_IPSEC_OK && st != 0xee,
		       "SA_ADD on a data queue: status %u", st);
	}
#undef HDR
#undef REQ
	return serves(t, 0) || serves(t, 1);
}

/* Control requests with bad lengths or ids: errors, the SAs intact. */
int c_bad_ctrl(struct t *t)
{
	struct virtio_ipsec_sa_params p;
	uint32_t max_sas;
	uint8_t st = 0;
	int ret;

	if (dev_open(t, true))
		return -1;
	max_sas = le32toh(t->d.f.cfg.max_sas);
	vip_sa_gcm128(&p, VIRTIO_IPSEC_DIR_OUTBOUND, SPI + 1);
	ret = vip_ctrl(&t->d, VIRTIO_IPSEC_OP_SA_ADD, 5, &p, sizeof(p) - 1, &st,
		       WAIT_MS);
	EXPECT(t, !ret && st == VIRTIO_IPSEC_INVAL,
	       "SA_ADD body 1 byte short: status %u", st);
	ret = vip_ctrl(&t->d, VIRTIO_IPSEC_OP_SA_ADD, 0, &p, sizeof(p), &st,
		       WAIT_MS);
	EXPECT(t, !ret && st != VIRTIO_IPSEC_OK, "SA_ADD id 0: accepted");
	ret = vip_ctrl(&t->d, VIRTIO_IPSEC_OP_SA_ADD, max_sas + 1, &p,
		       sizeof(p), &st, WAIT_MS);
	EXPECT(t, !ret && st != VIRTIO_IPSEC_OK,
	       "SA_ADD id max_sas+1: "
	       "accepted");
	ret = vip_ctrl(&t->d, VIRTIO_IPSEC_OP_ENCAP, 1, NULL, 0, &st, WAIT_MS);
	EXPECT(t, !ret && st != VIRTIO_IPSEC_OK,
	       "ENCAP on the control queue: accepted");
	ret = vip_ctrl(&t->d, 0x7777, 1, NULL, 0, &st, WAIT_MS);
	EXPECT(t, !ret && st != VIRTIO_IPSEC_OK,
	       "unknown control opcode: "
	       "accepted");
	return serves(t, 0) || serves(t, 1);
}

/* Traffic on queue 1 from its own thread while queue 0 breaks the rules. */
struct load {
	struct t *t;
	struct vip_batch b[4];
	volatile bool stop;
	int result; /* why the thread ended: 0 (stopped) or -errno */
	volatile uint64_t done; /* requests answered OK */
};

static void *load_thread(void *arg)
{
	struct load *l = arg;
	struct vu_ring *r = &l->t->d.f.ring[1];
	int idle = 0, ret;
	struct vip_batch *b;
	unsigned int i;
	uint32_t len;

	for (i = 0; i < 4; i++)
		vip_batch_add(&l->t->d.f, r, &l->b[i]);
	vu_ring_publish(r);
	vu_ring_kick(r);
	while (!l->stop) {
		ret = vu_ring_get_used(r, (void **)&b, &len);
		if (ret < 0) {
			l->result = ret;
			return NULL;
		}
		if (ret == 1) {
			if (vip_batch_footer(b)->status != VIRTIO_IPSEC_OK) {
				l->result = -EBADMSG;
				return NULL;
			}
			l->done++;
			idle = 0;
			vip_batch_add(&l->t->d.f, r, b);
			vu_ring_publish(r);
			vu_ring_kick(r);
			continue;
		}
		ret = vu_ring_wait(r, l->t->d.f.sock, 100);
		if (ret < 0) {
			l->result = ret;
			return NULL;
		}
		if (!ret && ++idle > WAIT_MS / 100) {
			l->result = -ETIMEDOUT;
			return NULL;
		}
	}
	return NULL;
}

int c_violation_under_load(struct t *t)
{
	struct load l = { .t = t };
	uint32_t len, i;
	pthread_t th;
	uint64_t rd;
	int ret;

	if (dev_open(t, true) || !(rd = good_rd(t, &len)))
		return -1;
	for (i = 0; i < 4; i++)
		if (batch(t, &l.b[i], VIRTIO_IPSEC_OP_ENCAP, SA_OUT, 32, 1000))
			return -1;
	pthread_create(&th, NULL, load_thread, &l);
	msleep(300);
	rawd(t, 0, RAW_DESC, VU_MEM_GPA_BASE + MEM + (1 << 20), len,
	     VU_DESC_F_NEXT, RAW_DESC + 1);
	rawd(t, 0, RAW_DESC + 1, wr_buf(t, 256), 256, VU_DESC_F_WRITE, 0);
	push(t, 0, RAW_DESC);
	ret = wait_reset(t, 0, "bad chain on queue 0 while queue 1 is busy");
	/* the busy queue must see the same end, not hang */
	for (i = 0; i < WAIT_MS / 100 && !l.result; i++)
		msleep(100);
	l.stop = true;
	pthread_join(th, NULL);
	if (ret)
		return -1;
	EXPECT(t, l.done > 0, "queue 1 answered nothing before the violation");
	EXPECT(t, l.result == -ECONNRESET || l.result == -EIO,
	       "the busy queue ended with '%s', not the connection's end",
	       l.result ? strerror(-l.result) : "no end at all");
	if (dev_open(t, true))
		return -1;
	return serves(t, 0) || serves(t, 1);
}

/*
 * Device resets (SET_CONFIG status 0) while queue 1 is busy on the SA the
 * reset deletes: requests keep getting well-formed answers (per packet OK
 * before, INVSA after), the back end survives, and a re-added SA starts
 * its sequence numbers again at 1.
 */
int c_reset_under_load(struct t *t)
{
	struct load l = { .t = t };
	const uint32_t zero = 0;
	struct vip_batch b;
	pthread_t th;
	uint32_t i;
	int ret = 0;

	if (dev_open(t, true))
		return -1;
	for (i = 0; i < 4; i++)
		if (batch(t, &l.b[i], VIRTIO_IPSEC_OP_ENCAP, SA_OUT, 32, 1000))
			return -1;
	if (batch(t, &b, VIRTIO_IPSEC_OP_ENCAP, SA_OUT, 1, 100))
		return -1;
	pthread_create(&th, NULL, load_thread, &l);
	msleep(200);
	for (i = 0; i < 20 && !ret && !l.result; i++) {
		struct virtio_ipsec_sa_params p;
		uint8_t st;

		ret = vu_front_set_config(&t->d.f, 0, &zero, sizeof(zero));
		/* SAs back, so that the busy queue sees both answers */
		vip_sa_gcm128(&p, VIRTIO_IPSEC_DIR_OUTBOUND, SPI);
		if (!ret)
			ret = vip_ctrl(&t->d, VIRTIO_IPSEC_OP_SA_ADD, SA_OUT,
				       &p, sizeof(p), &st, WAIT_MS);
		msleep(10);
	}
	l.stop = true;
	pthread_join(th, NULL);
	EXPECT(t, !ret, "device reset or SA re-add: %s", t->d.f.err);
	EXPECT(t, !l.result, "the busy queue failed during resets: %s",
	       strerror(-l.result));
	EXPECT(t, l.done > 0, "the busy queue answered nothing");
	EXPECT(t, be_alive(t), "back end died during resets");
	ret = vu_front_set_config(&t->d.f, 0, &zero, sizeof(zero));
	EXPECT(t, !ret, "device reset: %s", t->d.f.err);
	ret = submit(t, 0, &b) ? -1 : wait_done(t, 0, &b);
	EXPECT(t,
	       !ret && vip_batch_footer(&b)->status == VIRTIO_IPSEC_OK &&
		       vip_batch_res(&b, 0)->status == VIRTIO_IPSEC_INVSA,
	       "SA after a device reset: footer %u packet %u, expected OK/INVSA",
	       vip_batch_footer(&b)->status, vip_batch_res(&b, 0)->status);
	{
		struct virtio_ipsec_sa_params p;
		uint8_t st;

		vip_sa_gcm128(&p, VIRTIO_IPSEC_DIR_OUTBOUND, SPI);
		ret = vip_ctrl(&t->d, VIRTIO_IPSEC_OP_SA_ADD, SA_OUT, &p,
			       sizeof(p), &st, WAIT_MS);
		EXPECT(t, !ret && !st, "re-adding the SA after a reset: %u",
		       st);
	}
	/* the re-added SA is new: its numbers start again at 1 */
	if (batch(t, &b, VIRTIO_IPSEC_OP_ENCAP, SA_OUT, 1, 100))
		return -1;
	ret = submit(t, 0, &b) ? -1 : wait_done(t, 0, &b);
	EXPECT(t,
	       !ret && !vip_batch_res(&b, 0)->status &&
		       le32toh(vip_batch_res(&b, 0)->seq_lo) == 1,
	       "first packet of the SA re-added after a reset: status %u "
	       "sequence %u, expected 0 and 1",
	       vip_batch_res(&b, 0)->status,
	       le32toh(vip_batch_res(&b, 0)->seq_lo));
	return serves(t, 0) || serves(t, 1);
}

/* The back end killed while we hold an SA, restarted, reconnected. */
int c_restart(struct t *t)
{
	struct virtio_ipsec_sa_params p;
	struct vip_batch b;
	int ret, st;
	uint8_t s;

	if (dev_open(t, true) || serves(t, 0))
		return -1;
	/* a request in flight when it dies */
	if (batch(t, &b, VIRTIO_IPSEC_OP_ENCAP, SA_OUT, 1, 100))
		return -1;
	kill(t->pid, SIGKILL);
	waitpid(t->pid, &st, 0);
	t->pid = -1;
	ret = submit(t, 1, &b) ? -1 : wait_done(t, 1, &b);
	EXPECT(t, ret == -ECONNRESET,
	       "request to a killed back end: %s, not a connection error",
	       strerror(-ret));
	ret = vip_ctrl(&t->d, VIRTIO_IPSEC_OP_SA_DEL, SA_OUT, NULL, 0, &s,
		       WAIT_MS);
	EXPECT(t, ret == -ECONNRESET,
	       "control request to a killed back end: "
	       "%s",
	       strerror(-ret));
	if (be_start(t))
		return -1;
	if (dev_open(t, false))
		return -1;
	/* the old SA did not survive: a clean per-packet INVSA */
	if (batch(t, &b, VIRTIO_IPSEC_OP_ENCAP, SA_OUT, 1, 100) ||
	    submit(t, 0, &b))
		return -1;
	ret = wait_done(t, 0, &b);
	EXPECT(t,
	       !ret && vip_batch_footer(&b)->status == VIRTIO_IPSEC_OK &&
		       vip_batch_res(&b, 0)->status == VIRTIO_IPSEC_INVSA,
	       "old SA after restart: footer %u packet %u, expected OK/INVSA",
	       vip_batch_footer(&b)->status, vip_batch_res(&b, 0)->status);
	vip_sa_gcm128(&p, VIRTIO_IPSEC_DIR_OUTBOUND, SPI);
	ret = vip_ctrl(&t->d, VIRTIO_IPSEC_OP_SA_ADD, SA_OUT, &p, sizeof(p), &s,
		       WAIT_MS);
	EXPECT(t, !ret && !s, "re-adding the SA: status %u", s);
	if (serves(t, 0))
		return -1;
	return 0;
}
