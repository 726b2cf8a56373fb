// SPDX-License-Identifier: BSD-3-Clause
/*
 * vipsec_vm_bench, g-API part: AES-128-GCM IPv4 tunnel SAs on the first
 * virtio-ipsec accelerator; encap and decap through multi_packet_encap/
 * _decap (one ioctl and one virtqueue request per batch), synchronous with
 * batches of 1 and 32, and ASYNC with several batches in flight completed
 * through g_ipsec_la_poll().
 *
 * The inbound SA has no replay window: decap re-reads the same 32 ESP
 * packets again and again, which a window would (rightly) refuse.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "g_ipsec_la.h"

#define VB_SPI		0x2000b001u
#define VB_MAX_SLOTS	32

/* One batch's worth of buffers; ASYNC keeps several in flight. */
struct vb_slot {
	int busy;
	struct g_ipsec_la_data out[VB_BATCH];
	struct g_ipsec_la_packet pout[VB_BATCH];
	struct g_ipsec_la_pkt_result res[VB_BATCH];
	uint8_t buf[VB_BATCH][VB_BUF_LEN];
};

struct vb_run {
	struct g_ipsec_la_handle h;
	struct g_ipsec_la_sa_handle sa_out, sa_in;
	/* inputs of the current size: inner packets and their ESP form */
	uint8_t inner[VB_BATCH][VB_MAX_LEN];
	uint8_t esp[VB_BATCH][VB_BUF_LEN];
	uint32_t esp_len[VB_BATCH];
	struct g_ipsec_la_data din[2][VB_BATCH];
	struct g_ipsec_la_packet pin[2][VB_BATCH];
	struct vb_slot slot[VB_MAX_SLOTS];
	uint64_t done;		/* packets completed (ASYNC) */
	int copy;		/* driver's zero_copy off for this row */
	int failed;		/* a packet or batch failed */
};

static struct vb_run *R;

static void vb_slot_reset(struct vb_slot *s, uint32_t batch)
{
	uint32_t i;

	for (i = 0; i < batch; i++) {
		s->out[i] = (struct g_ipsec_la_data){ s->buf[i], VB_BUF_LEN };
		s->pout[i] = (struct g_ipsec_la_packet){ 1, &s->out[i] };
	}
}

static int vb_check(const struct g_ipsec_la_pkt_result *res, uint32_t n,
		    const char *what)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (res[i].result) {
			fprintf(stderr, "vipsec_vm_bench: %s: packet %u failed: %s\n",
				what, i, strerror(-res[i].result));
			return -1;
		}
	return 0;
}

typedef int32_t (*vb_xf_fn)(struct g_ipsec_la_handle *, uint32_t,
			    const struct g_ipsec_la_sa_handle *, uint32_t,
			    const struct g_ipsec_la_packet[],
			    struct g_ipsec_la_packet[],
			    struct g_ipsec_la_pkt_result[],
			    const struct g_ipsec_la_resp_args *);

static void vb_done(void *arg, int32_t len, void *outargs)
{
	const struct g_ipsec_la_packet_outargs *o = outargs;
	struct vb_slot *s = *(struct vb_slot **)arg;

	(void)len;
	s->busy = 0;
	if (o->result) {
		fprintf(stderr, "vipsec_vm_bench: async batch failed: %s\n",
			strerror(-o->result));
		R->failed = 1;
		return;
	}
	if (vb_check(o->results, o->num_packets, "async"))
		R->failed = 1;
	R->done += o->num_packets;
}

/*
 * One row: @dir 0 encap, 1 decap; @depth 0 = synchronous, else ASYNC with
 * up to @depth batches in flight.
 */
static int vb_measure(uint32_t len, int dir, uint32_t batch, uint32_t depth,
		      double secs, struct vb_row *row)
{
	vb_xf_fn fn = dir ? g_ipsec_la_multi_packet_decap :
			    g_ipsec_la_multi_packet_encap;
	const struct g_ipsec_la_sa_handle *sa = dir ? &R->sa_in : &R->sa_out;
	uint64_t t0, t1, deadline, reqs = 0, pkts = 0;
	long long i0, i1;
	unsigned int id;
	uint32_t k;
	int32_t n;

	R->done = 0;
	R->failed = 0;
	for (k = 0; k < (depth ? depth : 1); k++) {
		R->slot[k].busy = 0;
		vb_slot_reset(&R->slot[k], batch);
	}
	i0 = vb_irq_count();
	id = vb_mark_begin();
	t0 = vb_now_ns();
	deadline = t0 + (uint64_t)(secs * 1e9);
	if (!depth) {
		struct vb_slot *s = &R->slot[0];

		do {
			vb_slot_reset(s, batch);
			n = fn(&R->h, G_IPSEC_LA_CTRL_FLAG_SYNC, sa, batch,
			       R->pin[dir], s->pout, s->res, NULL);
			if (n != (int32_t)batch) {
				fprintf(stderr, "vipsec_vm_bench: sync batch: %d (%s)\n",
					n, n < 0 ? strerror(-n) : "short");
				return -1;
			}
			if (vb_check(s->res, batch, dir ? "decap" : "encap"))
				return -1;
			reqs++;
			pkts += batch;
		} while (vb_now_ns() < deadline);
	} else {
		int open = 1;

		while (open || R->done < pkts) {
			open = open && vb_now_ns() < deadline;
			for (k = 0; open && k < depth; k++) {
				struct vb_slot *s = &R->slot[k];
				struct g_ipsec_la_resp_args ra = {
					vb_done, &s, sizeof(s)
				};

				if (s->busy)
					continue;
				vb_slot_reset(s, batch);
				n = fn(&R->h, G_IPSEC_LA_CTRL_FLAG_ASYNC, sa,
				       batch, R->pin[dir], s->pout, s->res, &ra);
				if (n == -EAGAIN || n == -EBUSY)
					break;	/* driver's window full */
				if (n != (int32_t)batch) {
					fprintf(stderr, "vipsec_vm_bench: async submit: %d (%s)\n",
						n, n < 0 ? strerror(-n) : "short");
					open = 0;
					R->failed = 1;
					break;
				}
				s->busy = 1;
				reqs++;
				pkts += batch;
			}
			if (R->done == pkts)
				continue;	/* nothing in flight to wait for */
			/* a lost completion must end the run, not hang it */
			if (g_ipsec_la_poll(&R->h, 10000) <= 0) {
				fprintf(stderr, "vipsec_vm_bench: poll: no completion "
					"within 10 s (%llu of %llu packets done)\n",
					(unsigned long long)R->done,
					(unsigned long long)pkts);
				return -1;
			}
			if (R->failed)
				open = 0;
		}
		if (R->failed)
			return -1;
		pkts = R->done;
	}
	t1 = vb_now_ns();
	vb_mark_end(id, pkts);
	i1 = vb_irq_count();
	row->id = id;
	row->len = len;
	row->path = R->copy ? (depth ? "g-API async copy" : "g-API sync copy") :
			      (depth ? "g-API async" : "g-API sync");
	row->dir = dir ? "decap" : "encap";
	row->batch = batch;
	row->depth = depth ? depth : 1;
	row->pkts = pkts;
	row->ns = t1 - t0;
	row->req = (double)reqs / (double)pkts;
	row->irq = i0 >= 0 && i1 >= 0 ? (double)(i1 - i0) / (double)pkts : -1;
	return 0;
}

static void vb_fill_sa(struct g_ipsec_la_sa *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->spi = VB_SPI;
	sa->proto = G_IPSEC_LA_PROTO_ESP;
	sa->crypto_params.comb_algo = G_IPSEC_LA_COMB_AES_GCM;
	sa->crypto_params.comb_key = vb_keymat;
	sa->crypto_params.comb_key_len_bits = sizeof(vb_keymat) * 8;
	sa->crypto_params.icv_len_bits = 128;
	sa->te_addr.src_ip.version = 4;
	memcpy(sa->te_addr.src_ip.addr.ipv4, "\xc0\x00\x02\x01", 4);
	sa->te_addr.dest_ip.version = 4;
	memcpy(sa->te_addr.dest_ip.addr.ipv4, "\xc6\x33\x64\x01", 4);
}

static int vb_add_sa(enum g_ipsec_la_sa_direction dir,
		     struct g_ipsec_la_sa_handle *sh)
{
	struct g_ipsec_la_sa sa;
	struct g_ipsec_la_sa_add_inargs in = { dir, 1, &sa };
	struct g_ipsec_la_sa_add_outargs out = { .handles = sh };
	int ret;

	vb_fill_sa(&sa);
	ret = g_ipsec_la_sa_add(&R->h, &in, G_IPSEC_LA_CTRL_FLAG_SYNC, &out, NULL);
	if (ret)
		fprintf(stderr, "vipsec_vm_bench: sa_add failed: %s\n",
			strerror(-ret));
	return ret;
}

/* Inputs for @len: 32 inner packets and their ESP form (for decap). */
static int vb_prepare(uint32_t len)
{
	struct vb_slot *s = &R->slot[0];
	uint32_t i;
	int32_t n;

	for (i = 0; i < VB_BATCH; i++) {
		vb_packet(R->inner[i], (uint16_t)len, (uint8_t)i);
		R->din[0][i] = (struct g_ipsec_la_data){ R->inner[i], len };
		R->pin[0][i] = (struct g_ipsec_la_packet){ 1, &R->din[0][i] };
	}
	vb_slot_reset(s, VB_BATCH);
	n = g_ipsec_la_multi_packet_encap(&R->h, 0, &R->sa_out, VB_BATCH,
					  R->pin[0], s->pout, s->res, NULL);
	if (n != VB_BATCH || vb_check(s->res, VB_BATCH, "prepare"))
		return -1;
	for (i = 0; i < VB_BATCH; i++) {
		memcpy(R->esp[i], s->buf[i], s->out[i].length);
		R->esp_len[i] = s->out[i].length;
		R->din[1][i] = (struct g_ipsec_la_data){ R->esp[i], R->esp_len[i] };
		R->pin[1][i] = (struct g_ipsec_la_packet){ 1, &R->din[1][i] };
	}
	return 0;
}

/*
 * The driver's zero-copy switch (module parameter): the A/B rows run
 * batches of 32 with it off, in the same boot, then put it back on.
 */
#define VB_ZC_PARAM "/sys/module/virtio_ipsec/parameters/zero_copy"

static int vb_zero_copy(int on)
{
	FILE *f = fopen(VB_ZC_PARAM, "w");
	int ok;

	if (!f)
		return -1;
	ok = fputs(on ? "Y\n" : "N\n", f) >= 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

/* Which rows: batch size and batches in flight (0 = synchronous). */
static const struct { uint32_t batch, depth; } vb_modes[] = {
	{ 1, 0 }, { VB_BATCH, 0 }, { 1, 16 }, { VB_BATCH, 4 },
};

int vb_gapi_run(double secs, const uint32_t *sizes, unsigned int nsizes)
{
	struct g_ipsec_la_open_inargs oin = { .app_identity = "vipsec_vm_bench" };
	struct g_ipsec_la_open_outargs oout;
	struct g_ipsec_cap_get_outargs caps;
	struct vb_row row;
	unsigned int i, m;
	int dir, ret, rc = 0;

	R = calloc(1, sizeof(*R));
	if (!R)
		return 1;
	/* VIPSEC_BENCH_ACCL=software: the in-process engine (host checks) */
	oin.accl_name = getenv("VIPSEC_BENCH_ACCL");
	ret = g_ipsec_la_open(G_IPSEC_LA_INSTANCE_EXCLUSIVE, &oin, &oout);
	if (ret) {
		printf("g-API: no accelerator (%s): rows skipped\n", strerror(-ret));
		free(R);
		return ret == -ENODEV ? 77 : 1;
	}
	R->h = oout.handle;
	ret = g_ipsec_la_capabilities_get(&R->h, 0, &caps, NULL);
	if (ret) {
		fprintf(stderr, "vipsec_vm_bench: capabilities: %s\n", strerror(-ret));
		rc = 1;
		goto out;
	}
	printf("device (as the guest sees it): num-queues %u, max-batch %u, "
	       "max-packet-len %u\n", caps.caps.num_data_queues,
	       caps.caps.max_batch, caps.caps.max_packet_len);
	printf("interrupts: sum of the %s* lines of /proc/interrupts%s\n",
	       vb_irq_what(), vb_irq_count() < 0 ? " (not found: irq/pkt -)" : "");
	if (vb_add_sa(G_IPSEC_LA_IPSEC_OUTBOUND, &R->sa_out) ||
	    vb_add_sa(G_IPSEC_LA_IPSEC_INBOUND, &R->sa_in)) {
		rc = 1;
		goto out;
	}
	for (i = 0; i < nsizes && !rc; i++) {
		if (vb_prepare(sizes[i])) {
			rc = 1;
			break;
		}
		for (dir = 0; dir < 2 && !rc; dir++)
			for (m = 0; m < sizeof(vb_modes) / sizeof(vb_modes[0]); m++) {
				if (vb_modes[m].batch > caps.caps.max_batch)
					continue;	/* device allows less */
				if (vb_measure(sizes[i], dir, vb_modes[m].batch,
					       vb_modes[m].depth, secs, &row)) {
					rc = 1;
					break;
				}
				vb_row_print(&row);
			}
		/* A/B: the same batches through the driver's copy path */
		for (dir = 0; dir < 2 && !rc && !getenv("VIPSEC_BENCH_ACCL"); dir++) {
			if (VB_BATCH > caps.caps.max_batch || vb_zero_copy(0))
				break;
			R->copy = 1;
			if (vb_measure(sizes[i], dir, VB_BATCH, 0, secs, &row))
				rc = 1;
			R->copy = 0;
			if (vb_zero_copy(1)) {
				fprintf(stderr, "vipsec_vm_bench: cannot turn zero_copy back on\n");
				rc = 1;
			}
			if (!rc)
				vb_row_print(&row);
		}
	}
out:
	g_ipsec_la_close(&R->h);
	free(R);
	return rc;
}
