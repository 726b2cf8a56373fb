// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-ipsec guest driver: data queue requests.
 *
 * A whole batch of packets travels as one request (one kick). Requests
 * are tracked per queue by vq.c: the request is the virtqueue token, the
 * queue's tasklet collects completions, and a request whose waiter gave
 * up is never freed while the device owns it.
 */

#include <linux/overflow.h>
#include <linux/virtio_config.h>

#include "ctrl.h"
#include "data.h"
#include "main.h"

/*
 * Largest request buffer. Bounds what one ioctl can make the kernel
 * allocate; a vmalloc'ed buffer also needs one descriptor per page and the
 * chain must fit the ring (vq.c refuses it with -E2BIG otherwise).
 */
#define VIPSEC_DATA_MAX_BYTES	(4U << 20)

/*
 * @user_pages: the zero-copy form (data.h); the bounds are the same, as
 * they also bound what one request pins.
 */
int vipsec_data_prepare(struct vipsec_data_req *dr, u16 opcode, u32 num,
			size_t in_total, size_t out_total, bool user_pages)
{
	struct virtio_ipsec_data_hdr *hdr;
	size_t in_len, out_len;
	u32 i;

	if (check_add_overflow(sizeof(*hdr) + num * sizeof(*dr->pkt),
			       in_total, &in_len) ||
	    check_add_overflow(num * sizeof(*dr->res) +
			       sizeof(struct virtio_ipsec_resp_footer),
			       out_total, &out_len) ||
	    in_len + out_len > VIPSEC_DATA_MAX_BYTES)
		return -E2BIG;

	dr->out_user = 0;
	if (user_pages) {	/* only the descriptors and results here */
		in_len -= in_total;
		out_len -= out_total;
		dr->out_user = out_total;
	}
	dr->req = vipsec_req_alloc(in_len, out_len);
	if (!dr->req)
		return -ENOMEM;
	dr->num = num;
	hdr = (void *)dr->req->buf;	/* zeroed: reserved bytes are 0 */
	hdr->opcode = cpu_to_le16(opcode);
	hdr->num_pkts = cpu_to_le32(num);
	dr->pkt = (void *)(hdr + 1);
	dr->in_data = user_pages ? NULL : (u8 *)(dr->pkt + num);
	dr->res = dr->req->out;
	dr->out_data = user_pages ? NULL : (u8 *)(dr->res + num);
	/* a result the device never wrote must not read as OK (status 0) */
	for (i = 0; i < num; i++)
		dr->res[i].status = VIPSEC_STATUS_UNWRITTEN;
	return 0;
}

void vipsec_data_free(struct vipsec_data_req *dr)
{
	vipsec_req_free(dr->req);
	dr->req = NULL;
}

/* Per-packet results must be possible ones. Must hold vd->remove_sem. */
static int vipsec_data_check_results(struct vipsec_dev *vd,
				     struct vipsec_data_req *dr)
{
	u32 i;

	lockdep_assert_held(&vd->remove_sem);
	for (i = 0; i < dr->num; i++) {
		const struct virtio_ipsec_pkt_result *r = &dr->res[i];
		bool ok = r->status == VIRTIO_IPSEC_OK ||
			  r->status == VIRTIO_IPSEC_SOFT_EXPIRY;

		if (!vipsec_status_valid(r->status) ||
		    (ok && le32_to_cpu(r->out_len) >
				   le32_to_cpu(dr->pkt[i].out_cap))) {
			dev_err_ratelimited(&vd->vdev->dev,
					    "bad result %u (status %u, out_len %u), breaking device\n",
					    i, r->status, le32_to_cpu(r->out_len));
			virtio_break_device(vd->vdev);
			return -EIO;
		}
	}
	return 0;
}

/*
 * Checks a request the device returned: footer, then each result.
 * Returns 0 (results valid) or an errno; frees nothing.
 * Must hold vd->remove_sem (read) and vd must not be gone.
 */
int vipsec_data_check(struct vipsec_dev *vd, struct vipsec_data_req *dr)
{
	struct vipsec_req *req = dr->req;
	u8 status;
	int err;

	/* the footer ends the buffer; in zero-copy form out_user precedes it */
	err = vipsec_check_footer_at(vd, (u8 *)req->out + req->out_len -
				     sizeof(struct virtio_ipsec_resp_footer),
				     req->out_len + dr->out_user, req->used_len,
				     &status);
	if (!err && status != VIRTIO_IPSEC_OK)
		err = vipsec_status_to_errno(status) ?: -EIO;
	if (!err)
		err = vipsec_data_check_results(vd, dr);
	return err;
}

/* Data queues that carry requests: all of them with MQ, else queue 0. */
static u32 vipsec_data_queues_used(struct vipsec_dev *vd)
{
	if (!(vd->features & BIT_ULL(VIRTIO_IPSEC_F_MQ)))
		return 1;
	return vd->lim.num_data_queues;
}

/*
 * Most descriptors a data request may have on any queue that could carry
 * it (vq.c refuses a longer chain with -E2BIG). Must hold vd->remove_sem.
 */
u32 vipsec_data_max_sg(struct vipsec_dev *vd)
{
	u32 i, n = vipsec_data_queues_used(vd), m = U32_MAX;

	for (i = 0; i < n; i++)
		m = min_t(u32, m, READ_ONCE(vd->dataq[i].ring_size));
	return m;
}

/*
 * The data queue for a request from this CPU: with VIRTIO_IPSEC_F_MQ the
 * CPUs are spread over the queues (each has its own lock), without it
 * only queue 0 is used.
 */
struct vipsec_queue *vipsec_data_queue(struct vipsec_dev *vd)
{
	u32 n = vipsec_data_queues_used(vd);

	if (n < 2)
		return &vd->dataq[0];
	return &vd->dataq[raw_smp_processor_id() % n];
}

/*
 * Data queue i's interrupt goes to the CPUs that submit on it (cpu % n ==
 * i, as vipsec_data_queue() picks), so a request completes on the CPU that
 * sent it and a multi-threaded VNF's queues never share a CPU's softirq
 * time. A hint only: with shared vectors the transport refuses it, which
 * costs locality, not correctness.
 */
void vipsec_data_set_affinity(struct vipsec_dev *vd)
{
	u32 i, n = vipsec_data_queues_used(vd);
	cpumask_var_t mask;
	int cpu;

	if (n < 2 || !zalloc_cpumask_var(&mask, GFP_KERNEL))
		return;
	for (i = 0; i < n; i++) {
		cpumask_clear(mask);
		for_each_possible_cpu(cpu)
			if (cpu % n == i)
				cpumask_set_cpu(cpu, mask);
		virtqueue_set_affinity(vd->dataq[i].vq, mask);
	}
	free_cpumask_var(mask);
}

/* Before the vqs go: free_irq() warns about an IRQ that keeps a hint. */
void vipsec_data_clear_affinity(struct vipsec_dev *vd)
{
	u32 i, n = vipsec_data_queues_used(vd);

	for (i = 0; n > 1 && i < n; i++)
		virtqueue_set_affinity(vd->dataq[i].vq, NULL);
}

/*
 * Submits @dr on a data queue and waits. Returns 0 when the device
 * processed the batch (results valid), the mapped footer status when it
 * refused it whole, or a transport errno. On error the request is gone
 * (freed or abandoned to the queue). Must hold vd->remove_sem (read).
 */
int vipsec_data_run(struct vipsec_dev *vd, struct vipsec_data_req *dr)
{
	int err;

	lockdep_assert_held(&vd->remove_sem);
	if (READ_ONCE(vd->gone)) {
		vipsec_data_free(dr);
		return -ENODEV;
	}
	err = vipsec_req_submit_wait(vipsec_data_queue(vd), dr->req,
				     VIPSEC_DATA_TIMEOUT_MS, true);
	if (err) {
		dr->req = NULL;		/* owned by the queue now */
		return err;
	}
	err = vipsec_data_check(vd, dr);
	if (err)
		vipsec_data_free(dr);
	return err;
}
