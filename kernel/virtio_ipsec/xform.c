// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-ipsec guest driver: VIPSEC_IOC_XFORM.
 *
 * The whole batch becomes one data request: every packet's input segments
 * are gathered into the request buffer, the request runs on a data queue
 * (data.c picks it), and each packet's output is scattered back into its
 * output segments together with its status, length, sequence number and
 * warnings.
 *
 * Synchronous: the ioctl waits and scatters. Asynchronous
 * (VIPSEC_XFORM_F_ASYNC): the ioctl returns once the request is on the
 * ring; the queue's tasklet hands the returned request to a work item
 * (vipsec_wq) that checks it and queues the XFORM_DONE record on the
 * file; read() then scatters the results into the reader's memory, which
 * must be the submitter's address space. The request buffer is freed only
 * after the device gave it back or was reset.
 */

#include <linux/mm.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/virtio_ipsec_dev.h>

#include "chardev.h"
#include "data.h"
#include "event.h"
#include "group.h"
#include "main.h"
#include "quota.h"
#include "sa.h"
#include "xform.h"

/* One packet of the batch, as checked and copied from user space. */
struct vipsec_xpkt {
	struct vipsec_seg *in;		/* in_nsegs, in the same allocation */
	struct vipsec_seg *out;		/* out_nsegs, ditto */
	u32 in_len;
	u32 out_cap;
};

/*
 * One allocation for a batch's packets and the segment lists they really
 * have. Reserving VIPSEC_MAX_SEGS per list made 16.6 KB for 32 packets,
 * all zeroed under init_on_alloc: under emulation the biggest cost of a
 * zero-copy batch. A count outside 1..VIPSEC_MAX_SEGS gets no room;
 * vipsec_xpkt_load() refuses that packet before touching its lists.
 */
static struct vipsec_xpkt *vipsec_xpkt_alloc(const struct vipsec_pkt *pkts,
					     u32 num)
{
	struct vipsec_xpkt *x;
	struct vipsec_seg *seg;
	size_t nsegs = 0;
	u32 i;

	for (i = 0; i < num; i++) {
		if (pkts[i].in_nsegs <= VIPSEC_MAX_SEGS)
			nsegs += pkts[i].in_nsegs;
		if (pkts[i].out_nsegs <= VIPSEC_MAX_SEGS)
			nsegs += pkts[i].out_nsegs;
	}
	x = kvmalloc(array_size(num, sizeof(*x)) +
		     array_size(nsegs, sizeof(*seg)), GFP_KERNEL);
	if (!x)
		return NULL;
	seg = (struct vipsec_seg *)(x + num);
	for (i = 0; i < num; i++) {
		x[i].in = seg;
		if (pkts[i].in_nsegs <= VIPSEC_MAX_SEGS)
			seg += pkts[i].in_nsegs;
		x[i].out = seg;
		if (pkts[i].out_nsegs <= VIPSEC_MAX_SEGS)
			seg += pkts[i].out_nsegs;
	}
	return x;
}

/* Sums @n segments; reserved fields must be 0. */
static int vipsec_segs_len(const struct vipsec_seg *s, u32 n, u64 *len)
{
	u32 i;

	*len = 0;
	for (i = 0; i < n; i++) {
		if (s[i].reserved)
			return -EINVAL;
		*len += s[i].len;
	}
	return 0;
}

/*
 * The SA a packet names, or none (sa_id 0) on DECAP: the device then
 * finds the inbound SA by SPI within the group, which must be one of
 * the file's own. Not the shared default group: another file's SA there
 * could decrypt this file's packet (or the reverse).
 */
static int vipsec_xpkt_sa_check(struct vipsec_file *f, u32 op,
				const struct vipsec_pkt *p)
{
	if (!p->sa_id) {
		if (op != VIPSEC_OP_DECAP || !p->group_id)
			return -EINVAL;
		return vipsec_file_owns_group(f, p->group_id) ? 0 : -ENOENT;
	}
	if (!vipsec_file_owns_sa(f, p->group_id, p->sa_id))
		return -ENOENT;
	return vipsec_sa_disabled(f, p->sa_id) ? -ESHUTDOWN : 0;
}

/* Checks one packet and copies its segment lists in. */
static int vipsec_xpkt_load(struct vipsec_file *f, u32 op,
			    const struct vipsec_pkt *p, struct vipsec_xpkt *x)
{
	u32 max = f->vd->lim.max_packet_len;
	u64 in_len, out_len;
	int err;

	if (p->reserved || !p->in_nsegs || p->in_nsegs > VIPSEC_MAX_SEGS ||
	    !p->out_nsegs || p->out_nsegs > VIPSEC_MAX_SEGS)
		return -EINVAL;
	err = vipsec_xpkt_sa_check(f, op, p);
	if (err)
		return err;
	if (copy_from_user(x->in, u64_to_user_ptr(p->in_segs),
			   p->in_nsegs * sizeof(x->in[0])) ||
	    copy_from_user(x->out, u64_to_user_ptr(p->out_segs),
			   p->out_nsegs * sizeof(x->out[0])))
		return -EFAULT;
	if (vipsec_segs_len(x->in, p->in_nsegs, &in_len) ||
	    vipsec_segs_len(x->out, p->out_nsegs, &out_len))
		return -EINVAL;
	if (!in_len || !out_len)
		return -EINVAL;
	if (in_len > max)	/* never fits, unlike a short output area */
		return -EMSGSIZE;
	x->in_len = in_len;
	x->out_cap = min_t(u64, out_len, max);	/* more room is harmless */
	return 0;
}

/*
 * Writes each packet's descriptor and, unless the request is in zero-copy
 * form, copies its input segments into the request.
 */
static int vipsec_xform_gather(struct vipsec_data_req *dr,
			       const struct vipsec_pkt *pkts,
			       const struct vipsec_xpkt *x)
{
	u8 *dst = dr->in_data;
	u32 i, s;

	for (i = 0; i < dr->num; i++) {
		dr->pkt[i].group_id = cpu_to_le32(pkts[i].group_id);
		dr->pkt[i].sa_id = cpu_to_le32(pkts[i].sa_id);
		dr->pkt[i].in_len = cpu_to_le32(x[i].in_len);
		dr->pkt[i].out_cap = cpu_to_le32(x[i].out_cap);
		for (s = 0; dst && s < pkts[i].in_nsegs; s++) {
			if (copy_from_user(dst, u64_to_user_ptr(x[i].in[s].addr),
					   x[i].in[s].len))
				return -EFAULT;
			dst += x[i].in[s].len;
		}
	}
	return 0;
}

/* Copies @len bytes of output into the packet's output segments. */
static int vipsec_xpkt_scatter(const struct vipsec_xpkt *x, u32 nsegs,
			       const u8 *src, u32 len)
{
	u32 s, chunk;

	for (s = 0; s < nsegs && len; s++) {
		chunk = min(len, x->out[s].len);
		if (copy_to_user(u64_to_user_ptr(x->out[s].addr), src, chunk))
			return -EFAULT;
		src += chunk;
		len -= chunk;
	}
	return 0;
}

/* Writes results and outputs back; the results were checked in data.c. */
static int vipsec_xform_scatter(struct vipsec_data_req *dr,
				struct vipsec_pkt *pkts,
				const struct vipsec_xpkt *x)
{
	const u8 *src = dr->out_data;
	int err = 0;
	u32 i;

	for (i = 0; i < dr->num; i++) {
		const struct virtio_ipsec_pkt_result *r = &dr->res[i];
		u32 out_len = le32_to_cpu(r->out_len);

		pkts[i].status = r->status;
		pkts[i].out_len = out_len;
		pkts[i].seq_lo = le32_to_cpu(r->seq_lo);
		pkts[i].seq_hi = le32_to_cpu(r->seq_hi);
		pkts[i].warnings = le16_to_cpu(r->warnings);
		if (!src)
			continue;	/* zero-copy: written in place */
		if ((r->status == VIRTIO_IPSEC_OK ||
		     r->status == VIRTIO_IPSEC_SOFT_EXPIRY) && !err)
			err = vipsec_xpkt_scatter(&x[i], pkts[i].out_nsegs,
						  src, out_len);
		src += x[i].out_cap;
	}
	return err;
}

/*
 * Keeps each outbound SA's last used sequence number in its saved
 * parameters, so the re-add at restore continues the sequence instead
 * of reusing numbers (and, with AEAD, nonces) under the same key.
 */
static void vipsec_xform_track_seq(struct vipsec_dev *vd,
				   const struct vipsec_data_req *dr)
{
	struct vipsec_sa_ent *sa;
	u64 seq;
	u32 i;

	mutex_lock(&vd->tab_lock);
	for (i = 0; i < dr->num; i++) {
		if (dr->res[i].status != VIRTIO_IPSEC_OK &&
		    dr->res[i].status != VIRTIO_IPSEC_SOFT_EXPIRY)
			continue;
		sa = xa_load(&vd->sas, le32_to_cpu(dr->pkt[i].sa_id));
		seq = (u64)le32_to_cpu(dr->res[i].seq_hi) << 32 |
		      le32_to_cpu(dr->res[i].seq_lo);
		if (sa && sa->params.direction == VIRTIO_IPSEC_DIR_OUTBOUND &&
		    seq > le64_to_cpu(sa->params.initial_seq))
			sa->params.initial_seq = cpu_to_le64(seq);
	}
	mutex_unlock(&vd->tab_lock);
}

/* Counts the packets the device processed successfully (sysfs). */
static void vipsec_xform_account(struct vipsec_dev *vd, u32 op,
				 const struct vipsec_data_req *dr,
				 const struct vipsec_xpkt *x)
{
	u64 pkts = 0, bytes = 0;
	u32 i;

	for (i = 0; i < dr->num; i++) {
		if (dr->res[i].status != VIRTIO_IPSEC_OK &&
		    dr->res[i].status != VIRTIO_IPSEC_SOFT_EXPIRY)
			continue;
		pkts++;
		bytes += x[i].in_len;
	}
	if (op == VIPSEC_OP_ENCAP) {
		atomic64_add(pkts, &vd->stats.packets_out);
		atomic64_add(bytes, &vd->stats.bytes_out);
		vipsec_xform_track_seq(vd, dr);
	} else {
		atomic64_add(pkts, &vd->stats.packets_in);
		atomic64_add(bytes, &vd->stats.bytes_in);
	}
}

/*
 * SA id lifetime against requests in flight. The ownership check of a
 * batch (vipsec_xpkt_load(), no f->lock) and the device's use of the ids
 * are far apart: user space can stall the gather with a page fault, and
 * the device holds a request as long as it likes (an abandoned one even
 * after the ioctl returned). Were the id of an SA deleted meanwhile freed
 * at once, another file's next SA_ADD could get it - in the shared group
 * 0 with the same group id - and this file's batch would run under that
 * file's key. So a batch is counted in its file's current epoch from
 * before the check until the device is done with its request: vq.c frees
 * it (synchronous, abandoned) or completes it (asynchronous), after the
 * device gave it back or was reset. And vipsec_xform_sync() flips the epoch and waits for the
 * old one to drain before an SA id is freed. The flip is serialised by
 * f->lock and orders after the xa_erase() of the SA: a batch counted in
 * the new epoch cannot pass the check for it.
 */
static unsigned int vipsec_xref_get(struct vipsec_file *f)
{
	unsigned long flags;
	unsigned int idx;

	spin_lock_irqsave(&f->xlock, flags);
	idx = f->xepoch & 1;
	f->xcnt[idx]++;
	spin_unlock_irqrestore(&f->xlock, flags);
	return idx;
}

/* Any context (the tasklet frees abandoned requests). */
static void vipsec_xref_put(struct vipsec_file *f, unsigned int idx)
{
	unsigned long flags;
	bool drained;

	spin_lock_irqsave(&f->xlock, flags);
	drained = !--f->xcnt[idx];
	spin_unlock_irqrestore(&f->xlock, flags);
	if (drained)
		wake_up_all(&f->xwait);
}

static bool vipsec_xref_drained(struct vipsec_file *f, unsigned int idx)
{
	unsigned long flags;
	bool drained;

	spin_lock_irqsave(&f->xlock, flags);
	drained = !f->xcnt[idx];
	spin_unlock_irqrestore(&f->xlock, flags);
	return drained;
}

/* vq.c release hook: the device no longer holds the request. */
static void vipsec_xform_req_release(struct vipsec_req *req)
{
	struct vipsec_file *f = req->release_ctx;

	vipsec_xref_put(f, req->release_tag);
	/*
	 * May be the file's last reference (an abandoned request outliving
	 * close()), in softirq: vipsec_file_release() does not sleep, and
	 * the device reference it drops is not the last (probe holds one
	 * until remove() reclaimed every request in process context).
	 */
	vipsec_file_put(f);
}

/*
 * Waits until no request counted before this call can name one of @f's
 * SA ids erased before it. Returns false when the ids must not be freed
 * yet: a wait was killed or timed out and requests of the file are still
 * counted (a later call that finds none counted clears that; else sa.c
 * frees the ids with the file's last reference, which every request
 * holds). On device loss it returns true: the device is reset before any
 * new request could use the ids. Must hold f->lock and vd->remove_sem
 * (read); remove() wakes f->xwait after setting ->gone.
 *
 * The wait is bounded: a device that holds a batch longer than a data
 * request's timeout stopped answering, and waiting for it would keep
 * close() in D state and, through remove_sem, freeze and remove out.
 */
bool vipsec_xform_sync(struct vipsec_file *f)
{
	unsigned long tmo = msecs_to_jiffies(VIPSEC_DATA_TIMEOUT_MS);
	struct vipsec_dev *vd = f->vd;
	unsigned long flags;
	unsigned int idx;
	bool stuck;

	lockdep_assert_held(&f->lock);
	spin_lock_irqsave(&f->xlock, flags);
	idx = f->xepoch++ & 1;
	if (f->xstuck && !f->xcnt[0] && !f->xcnt[1])
		f->xstuck = false;	/* no request of the file is left */
	stuck = f->xstuck;
	spin_unlock_irqrestore(&f->xlock, flags);
	if (stuck)
		return false;
	/*
	 * close() in an exiting task must not give up on a pending fatal
	 * signal, or every id of a killed process would stay used; the
	 * device returns, remove() or the timeout ends the wait.
	 */
	if (current->flags & PF_EXITING) {
		if (wait_event_timeout(f->xwait,
				       vipsec_xref_drained(f, idx) ||
				       READ_ONCE(vd->gone), tmo))
			return true;
	} else if (wait_event_killable_timeout(f->xwait,
					       vipsec_xref_drained(f, idx) ||
					       READ_ONCE(vd->gone), tmo) > 0) {
		return true;
	}
	spin_lock_irqsave(&f->xlock, flags);
	f->xstuck = true;
	spin_unlock_irqrestore(&f->xlock, flags);
	return false;
}

/*
 * Zero-copy: the device reads each packet's input and writes its output
 * in the caller's own pages, pinned for the request, instead of bounce
 * buffers (a copy in, a copy out, and the zeroing of an output area as
 * large as the callers' capacities, which under emulation cost more than
 * the crypto). The pages are the caller's: the device can change nothing
 * else, and the engine reads guest memory that may change under it (see
 * engine/vipsec_core.c). Results, descriptors and the footer stay in the
 * kernel's buffer and are checked as before. The copy path remains for
 * what zero-copy cannot carry or would change: a batch needing more
 * descriptors than the ring has, an output overlapping an input (in-place
 * callers: the device would read bytes it already wrote), and memory
 * that cannot be pinned (read-only output, I/O mappings), whose errors
 * the copy path reports as before.
 */
static bool zero_copy = true;
module_param(zero_copy, bool, 0644);
MODULE_PARM_DESC(zero_copy,
		 "Device reads and writes packets in the callers' pages (default on)");

/* Most bytes of user memory one descriptor names (pages merged). */
#define VIPSEC_ZC_MAX_DESC	(64 * 1024)

/* Most input/output segment pairs compared for overlap (else: copy). */
#define VIPSEC_ZC_MAX_PAIRS	4096

/* Pages @len bytes at @addr span (@len > 0, no wrap: checked). */
static unsigned int vipsec_zc_pages(u64 addr, u64 len)
{
	return DIV_ROUND_UP(offset_in_page(addr) + len, PAGE_SIZE);
}

/*
 * Calls @fn for each run of user memory the device uses: the inputs
 * (@out false) or the outputs up to out_cap (@out true), in order, where
 * segments that follow each other in memory (packets in one array) make
 * one run: a page is then pinned and described once, not per packet.
 * Stops at and returns the first nonzero return.
 */
static int vipsec_zc_for_each(const struct vipsec_pkt *pkts,
			      const struct vipsec_xpkt *x, u32 num, bool out,
			      int (*fn)(u64 addr, u64 len, void *arg), void *arg)
{
	u64 run = 0, run_len = 0;
	u32 i, s, left, len;
	int ret;

	for (i = 0; i < num; i++) {
		const struct vipsec_seg *sg = out ? x[i].out : x[i].in;
		u32 n = out ? pkts[i].out_nsegs : pkts[i].in_nsegs;

		left = out ? x[i].out_cap : x[i].in_len;
		for (s = 0; s < n && left; s++) {
			len = min(sg[s].len, left);
			if (!len)
				continue;
			left -= len;
			if (run_len && sg[s].addr == run + run_len) {
				run_len += len;
				continue;
			}
			if (run_len) {
				ret = fn(run, run_len, arg);
				if (ret)
					return ret;
			}
			run = sg[s].addr;
			run_len = len;
		}
	}
	return run_len ? fn(run, run_len, arg) : 0;
}

/*
 * Pages are pinned per window: a run of pages that runs of user memory
 * touch without a gap, in order. Packets in slots of an array that they
 * do not fill (decap output is shorter than its input; mbuf-like slots)
 * are runs of their own, but most of their pages are shared with the
 * next slot's: each page is pinned once for the window, not once per
 * packet that touches it (pin and unpin are per page, and a dirtied page
 * is locked at unpin). The descriptors still name only the runs' bytes.
 * Only pages a run touches are pinned: a window grows by a run that
 * starts within it or on the page after it, by that run's pages.
 */
struct vipsec_zc_win {
	u64 lo, hi;			/* page numbers, inclusive */
	u32 base;			/* index of page lo in pages[] */
	bool open;
};

/*
 * Adds the run [@addr, @addr + @len) (@len > 0, no wrap) to @w. Returns
 * the number of pages to pin now (at *@first, page number) and sets
 * @w->base for a new window to @next (the index the pins will take).
 */
static u64 vipsec_zc_win_add(struct vipsec_zc_win *w, u64 addr, u64 len,
			     u32 next, u64 *first)
{
	u64 a = addr >> PAGE_SHIFT, b = (addr + len - 1) >> PAGE_SHIFT;

	if (w->open && a >= w->lo && a <= w->hi + 1) {
		if (b <= w->hi)
			return 0;
		*first = w->hi + 1;
		w->hi = b;
		return b - *first + 1;
	}
	w->open = true;
	w->lo = a;
	w->hi = b;
	w->base = next;
	*first = a;
	return b - a + 1;
}

struct vipsec_zc_span {
	u64 lo, hi;			/* hull of the segments */
	u32 segs, pages;		/* runs, their pages (descriptors) */
	u64 pins;			/* pages to pin */
	struct vipsec_zc_win win;
};

static int vipsec_zc_span_add(u64 addr, u64 len, void *arg)
{
	struct vipsec_zc_span *sp = arg;
	u64 first;

	if (addr + len < addr)
		return -EFAULT;		/* wraps: the copy path reports it */
	sp->lo = min(sp->lo, addr);
	sp->hi = max(sp->hi, addr + len);
	sp->segs++;
	sp->pages += vipsec_zc_pages(addr, len);
	/* never more than pages: the index fits what pages fits */
	sp->pins += vipsec_zc_win_add(&sp->win, addr, len, sp->pins, &first);
	return 0;
}

struct vipsec_zc_cmp {
	const struct vipsec_pkt *pkts;
	const struct vipsec_xpkt *x;
	u32 num;
	u64 addr;
	u64 len;
};

static int vipsec_zc_cmp_out(u64 addr, u64 len, void *arg)
{
	struct vipsec_zc_cmp *c = arg;

	return addr < c->addr + c->len && c->addr < addr + len;
}

static int vipsec_zc_cmp_in(u64 addr, u64 len, void *arg)
{
	struct vipsec_zc_cmp *c = arg;

	c->addr = addr;
	c->len = len;
	return vipsec_zc_for_each(c->pkts, c->x, c->num, true,
				  vipsec_zc_cmp_out, c);
}

/*
 * Whether the batch can go in zero-copy form; if so, the descriptors its
 * inputs and outputs take (@pages[0], @pages[1]: one per page a run
 * touches) and the pages it pins for them (@pins[0], @pins[1]). @kin and
 * @kout: the descriptors of the kernel buffer's parts.
 */
static bool vipsec_zc_plan(struct vipsec_file *f, const struct vipsec_pkt *pkts,
			   const struct vipsec_xpkt *x, u32 num, u32 kin,
			   u32 kout, u32 pages[2], u32 pins[2])
{
	struct vipsec_zc_span in = { .lo = U64_MAX };
	struct vipsec_zc_span out = { .lo = U64_MAX };
	struct vipsec_zc_cmp c = { pkts, x, num };

	if (!READ_ONCE(zero_copy) ||
	    vipsec_zc_for_each(pkts, x, num, false, vipsec_zc_span_add, &in) ||
	    vipsec_zc_for_each(pkts, x, num, true, vipsec_zc_span_add, &out))
		return false;
	pages[0] = in.pages;
	pages[1] = out.pages;
	pins[0] = in.pins;	/* <= pages[0]: bounded below */
	pins[1] = out.pins;
	if ((u64)kin + kout + in.pages + out.pages > vipsec_data_max_sg(f->vd))
		return false;
	if (in.hi <= out.lo || out.hi <= in.lo)
		return true;	/* the usual case: apart */
	if ((u64)in.segs * out.segs > VIPSEC_ZC_MAX_PAIRS)
		return false;
	return !vipsec_zc_for_each(pkts, x, num, false, vipsec_zc_cmp_in, &c);
}

struct vipsec_zc_pin {
	struct vipsec_req_pins *p;
	struct scatterlist *sg;
	unsigned int gup_flags;
	struct vipsec_zc_win win;
};

/*
 * Pins the pages of one run that its window does not hold yet and
 * appends the run's descriptors: one per page, or one for pages of the
 * run that are physically consecutive (fewer descriptors to post and for
 * the device to map, and packets that cross a page boundary need no
 * gathering in the device; the bytes described are the same), up to
 * VIPSEC_ZC_MAX_DESC bytes: a bounce buffer (swiotlb) maps at most 256
 * KiB at once.
 */
static int vipsec_zc_pin_seg(u64 addr, u64 len, void *arg)
{
	struct vipsec_zc_pin *zp = arg;
	struct vipsec_req_pins *p = zp->p;
	unsigned int i, n = vipsec_zc_pages(addr, len);
	u32 off = offset_in_page(addr), chunk;
	u64 first, want;
	struct page **pg;
	int got;

	want = vipsec_zc_win_add(&zp->win, addr, len, p->n_pages, &first);
	if (WARN_ON_ONCE(want > p->max_pages - p->n_pages))
		return -EINVAL;
	if (want) {
		got = pin_user_pages_fast(first << PAGE_SHIFT, want,
					  zp->gup_flags,
					  p->pages + p->n_pages);
		if (got <= 0)
			return got ?: -EFAULT;
		p->n_pages += got;
		if (!(zp->gup_flags & FOLL_WRITE))
			p->n_ro = p->n_pages;
		if (got != want)
			return -EFAULT;
	}
	/* the window's pages are consecutive in pages[] from its base */
	pg = p->pages + zp->win.base + ((addr >> PAGE_SHIFT) - zp->win.lo);
	for (i = 0; i < n; i++) {
		chunk = min_t(u64, len, PAGE_SIZE - off);
		if (i && page_to_pfn(pg[i]) == page_to_pfn(pg[i - 1]) + 1 &&
		    zp->sg[-1].length <= VIPSEC_ZC_MAX_DESC - chunk)
			zp->sg[-1].length += chunk;
		else
			sg_set_page(zp->sg++, pg[i], chunk, off);
		len -= chunk;
		off = 0;
	}
	return 0;
}

/*
 * Gives the prepared request @dr its zero-copy scatterlist: the kernel
 * buffer's hdr and pkt[], the inputs; res[], the outputs, the footer.
 * On error the caller frees @dr, which unpins what was pinned.
 */
static int vipsec_zc_pin(struct vipsec_data_req *dr,
			 const struct vipsec_pkt *pkts,
			 const struct vipsec_xpkt *x, const u32 pages[2],
			 const u32 pins[2], u32 kin, u32 kres, u32 kfoot)
{
	struct vipsec_req *req = dr->req;
	size_t res_len = dr->num * sizeof(*dr->res);
	u32 nin = kin + pages[0], nout = kres + pages[1] + kfoot;
	struct vipsec_zc_pin zp = {};
	struct vipsec_req_pins *p;
	struct scatterlist *out;
	int err;

	p = vipsec_req_pins_alloc(req, pins[0] + pins[1], nin + nout);
	if (!p)
		return -ENOMEM;
	/* nin and nout are at most: the lists' ends are marked once filled */
	sg_init_table(p->sg, nin + nout);
	zp.p = p;
	zp.sg = p->sg;
	vipsec_sg_fill(zp.sg, kin, req->buf, req->in_len);
	zp.sg += kin;
	err = vipsec_zc_for_each(pkts, x, dr->num, false, vipsec_zc_pin_seg,
				 &zp);
	if (err)
		return err;
	sg_mark_end(zp.sg - 1);
	out = zp.sg;
	vipsec_sg_fill(zp.sg, kres, req->out, res_len);
	zp.sg += kres;
	zp.gup_flags = FOLL_WRITE;
	zp.win.open = false;	/* outputs: windows of their own */
	err = vipsec_zc_for_each(pkts, x, dr->num, true, vipsec_zc_pin_seg,
				 &zp);
	if (err)
		return err;
	vipsec_sg_fill(zp.sg, kfoot, (u8 *)req->out + res_len,
		       req->out_len - res_len);
	zp.sg += kfoot;
	/* the plan counted the same segments: a mismatch is a bug here */
	if (WARN_ON_ONCE(out - p->sg > nin || zp.sg - out > nout ||
			 p->n_ro != pins[0] || p->n_pages != pins[0] + pins[1]))
		return -EINVAL;
	sg_mark_end(zp.sg - 1);
	p->sg_nin = out - p->sg;
	p->sg_nout = zp.sg - out;
	return 0;
}

/*
 * Prepares @dr in zero-copy form when the batch allows it (see above),
 * else returns nonzero and the caller uses the copy path.
 */
static int vipsec_zc_prepare(struct vipsec_file *f, struct vipsec_data_req *dr,
			     u16 opcode, const struct vipsec_pkt *pkts,
			     const struct vipsec_xpkt *x, u32 num,
			     size_t in_total, size_t out_total)
{
	size_t kin_len = sizeof(struct virtio_ipsec_data_hdr) +
			 num * sizeof(*dr->pkt);
	size_t res_len = num * sizeof(*dr->res);
	u32 pages[2], pins[2], kin, kres, kfoot;
	int err;

	err = vipsec_data_prepare(dr, opcode, num, in_total, out_total, true);
	if (err)
		return err;
	/* the buffer's parts as vq.c would describe them */
	kin = vipsec_sg_count(dr->req->buf, kin_len);
	kres = vipsec_sg_count(dr->req->out, res_len);
	kfoot = vipsec_sg_count((u8 *)dr->req->out + res_len,
				dr->req->out_len - res_len);
	if (!vipsec_zc_plan(f, pkts, x, num, kin, kres + kfoot, pages, pins)) {
		err = -EOPNOTSUPP;
		goto err_free;
	}
	err = vipsec_zc_pin(dr, pkts, x, pages, pins, kin, kres, kfoot);
	if (err)
		goto err_free;
	return 0;

err_free:
	vipsec_data_free(dr);	/* no release_fn yet; unpins */
	return err;
}

/* Checks the batch and builds its request. Must hold vd->remove_sem. */
static int vipsec_xform_build(struct vipsec_file *f, u32 op,
			      struct vipsec_pkt *pkts, struct vipsec_xpkt *x,
			      u32 num, struct vipsec_data_req *dr)
{
	size_t in_total = 0, out_total = 0;
	u16 opcode = op == VIPSEC_OP_ENCAP ? VIRTIO_IPSEC_OP_ENCAP :
					     VIRTIO_IPSEC_OP_DECAP;
	unsigned int idx;
	int err;
	u32 i;

	lockdep_assert_held(&f->vd->remove_sem);
	idx = vipsec_xref_get(f);	/* before the ownership checks */
	for (i = 0; i < num; i++) {
		err = vipsec_xpkt_load(f, op, &pkts[i], &x[i]);
		if (err)
			goto err_put;
		in_total += x[i].in_len;
		out_total += x[i].out_cap;
	}
	err = vipsec_zc_prepare(f, dr, opcode, pkts, x, num, in_total,
				out_total);
	if (err)	/* the copy path: it gives the errors, if any */
		err = vipsec_data_prepare(dr, opcode, num, in_total,
					  out_total, false);
	if (err)
		goto err_put;
	/* from here the request carries the count until it is freed */
	kref_get(&f->ref);
	dr->req->release_fn = vipsec_xform_req_release;
	dr->req->release_ctx = f;
	dr->req->release_tag = idx;
	err = vipsec_xform_gather(dr, pkts, x);
	if (err)
		vipsec_data_free(dr);
	return err;

err_put:
	vipsec_xref_put(f, idx);
	return err;
}

/* Runs the checked batch and waits. Must hold vd->remove_sem (read). */
static int vipsec_xform_run(struct vipsec_file *f, u32 op,
			    struct vipsec_pkt *pkts, struct vipsec_xpkt *x,
			    u32 num)
{
	struct vipsec_data_req dr = {};
	int err;

	err = vipsec_xform_build(f, op, pkts, x, num, &dr);
	if (err)
		return err;
	err = vipsec_data_run(f->vd, &dr);
	if (err)
		return err;	/* dr already released */
	vipsec_xform_account(f->vd, op, &dr, x);
	err = vipsec_xform_scatter(&dr, pkts, x);
	vipsec_data_free(&dr);
	return err;
}

/* One asynchronous batch, from submission until its record is read. */
struct vipsec_async {
	struct vipsec_ev_item item;	/* the XFORM_DONE record */
	struct work_struct work;
	struct vipsec_file *f;		/* holds a reference */
	struct mm_struct *mm;		/* the submitter's (mmgrab) */
	struct vipsec_data_req dr;
	struct vipsec_pkt *pkts;	/* kernel copy */
	struct vipsec_xpkt *x;
	void __user *upkts;		/* the submitter's array */
	u32 op;
	u32 flags;
	int err;			/* the batch's result */
	size_t bytes;			/* charged to f (quota.c) */
};

void vipsec_async_free(struct vipsec_async *a)
{
	struct vipsec_file *f = a->f;

	vipsec_data_free(&a->dr);
	kvfree(a->x);
	kvfree(a->pkts);
	if (a->mm)
		mmdrop(a->mm);
	vipsec_quota_async_put(f, a->bytes);
	kfree(a);
	atomic_dec(&f->nasync);
	vipsec_file_put(f);
}

/* Process context: check what the device returned, queue the record. */
static void vipsec_async_work(struct work_struct *work)
{
	struct vipsec_async *a = container_of(work, struct vipsec_async, work);
	struct vipsec_dev *vd = a->f->vd;

	/* the device is done with the pages: not held until read() */
	vipsec_req_unpin(a->dr.req);
	if (!a->err) {
		down_read(&vd->remove_sem);
		if (READ_ONCE(vd->gone))
			a->err = -ENODEV;	/* vdev may be gone: no checks */
		else
			a->err = vipsec_data_check(vd, &a->dr);
		if (!a->err)
			vipsec_xform_account(vd, a->op, &a->dr, a->x);
		up_read(&vd->remove_sem);
	}
	if (a->flags & VIPSEC_XFORM_F_NO_COMPLETION) {
		vipsec_async_free(a);
		return;
	}
	a->item.ev.result = a->err;
	if (!vipsec_file_ev_post_item(a->f, &a->item))
		vipsec_async_free(a);	/* the file was closed */
}

/* vq.c completion (tasklet, or remove/freeze after the reset). */
static void vipsec_async_done(struct vipsec_req *req, int err)
{
	struct vipsec_async *a = req->priv;

	/*
	 * The device is done with the ids: uncount the batch now, not when
	 * its record is read, or an SA delete would wait for a read() the
	 * same thread has yet to make.
	 */
	req->release_fn = NULL;
	vipsec_xform_req_release(req);
	a->err = err;
	queue_work(vipsec_wq, &a->work);
}

/*
 * read() of the XFORM_DONE record: write the results into the caller's
 * arrays (only in the submitter's address space) and free the batch.
 */
void vipsec_async_deliver(struct vipsec_async *a, struct vipsec_event *ev)
{
	u32 num = a->dr.num;
	int err = a->err;

	if (!err && current->mm != a->mm)
		err = -EFAULT;
	if (!err)
		err = vipsec_xform_scatter(&a->dr, a->pkts, a->x);
	if (!err && copy_to_user(a->upkts, a->pkts, num * sizeof(*a->pkts)))
		err = -EFAULT;
	*ev = a->item.ev;
	ev->result = err;
	vipsec_async_free(a);
}

/*
 * Submits the batch without waiting. Takes ownership of @pkts and @x on
 * success. Must hold vd->remove_sem (read).
 */
static int vipsec_xform_submit(struct vipsec_file *f,
			       const struct vipsec_xform *xf,
			       struct vipsec_pkt *pkts, struct vipsec_xpkt *x)
{
	struct vipsec_dev *vd = f->vd;
	struct vipsec_async *a;
	size_t bytes = 0;
	int err;
	u32 i;

	if (atomic_inc_return(&f->nasync) > VIPSEC_MAX_ASYNC) {
		atomic_dec(&f->nasync);
		return -EAGAIN;
	}
	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a) {
		atomic_dec(&f->nasync);
		return -ENOMEM;
	}
	err = vipsec_xform_build(f, xf->op, pkts, x, xf->num_pkts, &a->dr);
	if (!err) {
		for (i = 0; i < xf->num_pkts; i++)
			bytes += (size_t)x[i].in_len + x[i].out_cap;
		err = vipsec_quota_async_get(f, bytes);
		if (err)
			vipsec_data_free(&a->dr);
	}
	if (err) {
		kfree(a);
		atomic_dec(&f->nasync);
		return err;
	}
	a->bytes = bytes;
	INIT_WORK(&a->work, vipsec_async_work);
	INIT_LIST_HEAD(&a->item.node);
	a->item.async = a;
	a->item.ev.size = sizeof(a->item.ev);
	a->item.ev.type = VIPSEC_EV_XFORM_DONE;
	a->item.ev.user_data = xf->user_data;
	a->op = xf->op;
	a->flags = xf->flags;
	a->upkts = u64_to_user_ptr(xf->pkts);
	a->pkts = pkts;
	a->x = x;
	a->mm = current->mm;
	mmgrab(a->mm);
	kref_get(&f->ref);
	a->f = f;
	a->dr.req->done_fn = vipsec_async_done;
	a->dr.req->priv = a;

	err = READ_ONCE(vd->gone) ? -ENODEV :
	      vipsec_req_submit_async(vipsec_data_queue(vd), a->dr.req);
	if (err) {
		a->pkts = NULL;		/* still the caller's */
		a->x = NULL;
		vipsec_async_free(a);
	}
	return err;
}

#define VIPSEC_XFORM_FLAGS	(VIPSEC_XFORM_F_ASYNC | \
				 VIPSEC_XFORM_F_NO_COMPLETION)

long vipsec_ioctl_xform(struct vipsec_file *f, void *arg, void __user *uarg)
{
	u32 max_batch = min_t(u32, VIPSEC_MAX_PKT_BATCH, f->vd->lim.max_batch);
	struct vipsec_xform *xf = arg;
	struct vipsec_pkt *pkts;
	struct vipsec_xpkt *x;
	void __user *upkts;
	int err;

	if (xf->flags & ~VIPSEC_XFORM_FLAGS ||
	    (xf->flags & VIPSEC_XFORM_F_NO_COMPLETION &&
	     !(xf->flags & VIPSEC_XFORM_F_ASYNC)) ||
	    (xf->op != VIPSEC_OP_ENCAP && xf->op != VIPSEC_OP_DECAP) ||
	    !xf->num_pkts || xf->num_pkts > max_batch)
		return -EINVAL;

	upkts = u64_to_user_ptr(xf->pkts);
	pkts = vmemdup_user(upkts, xf->num_pkts * sizeof(*pkts));
	if (IS_ERR(pkts))
		return PTR_ERR(pkts);
	x = vipsec_xpkt_alloc(pkts, xf->num_pkts);
	if (!x) {
		kvfree(pkts);
		return -ENOMEM;
	}
	if (xf->flags & VIPSEC_XFORM_F_ASYNC) {
		err = vipsec_xform_submit(f, xf, pkts, x);
		if (!err)
			return 0;	/* pkts and x belong to the batch */
	} else {
		err = vipsec_xform_run(f, xf->op, pkts, x, xf->num_pkts);
		if (!err && copy_to_user(upkts, pkts,
					 xf->num_pkts * sizeof(*pkts)))
			err = -EFAULT;
	}
	kvfree(x);
	kvfree(pkts);
	return err;
}
