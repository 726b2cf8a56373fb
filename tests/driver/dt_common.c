// SPDX-License-Identifier: BSD-3-Clause
/* Helpers of the driver tests: device, SAs, packets, sysfs, kernel log. */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

#include "../common/test_packet.h"
#include "dt.h"

struct vipsec_info dt_info;

static const uint8_t gcm_key[16] = {
	0xfe, 0xff, 0xe9, 0x92, 0x86, 0x65, 0x73, 0x1c,
	0x6d, 0x6a, 0x8f, 0x94, 0x67, 0x30, 0x83, 0x08,
};

int dt_io(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) < 0 ? -errno : 0;
}

const char *dt_dev_path(void)
{
	static char path[64];
	glob_t g;

	if (glob("/dev/virtio-ipsec[0-9]*", 0, NULL, &g))
		return NULL;
	snprintf(path, sizeof(path), "%s", g.gl_pathv[0]);
	globfree(&g);
	return path;
}

int dt_open(const char *app)
{
	const char *path = dt_dev_path();
	struct vipsec_claim c;
	int fd;

	ck_assert_msg(path, "no /dev/virtio-ipsec<N>");
	fd = open(path, O_RDWR | O_CLOEXEC);
	ck_assert_msg(fd >= 0, "open %s: %s", path, strerror(errno));
	memset(&dt_info, 0, sizeof(dt_info));
	dt_info.size = sizeof(dt_info);
	ck_assert_int_eq(dt_io(fd, VIPSEC_IOC_INFO, &dt_info), 0);
	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.mode = VIPSEC_MODE_SHARED;
	snprintf(c.app_identity, sizeof(c.app_identity), "%s", app);
	ck_assert_int_eq(dt_io(fd, VIPSEC_IOC_CLAIM, &c), 0);
	return fd;
}

int dt_has(unsigned int feature)
{
	return !!(dt_info.features & (1ULL << feature));
}

/* AES-128-GCM, IPv4 tunnel 192.0.2.1 -> 198.51.100.1. */
void dt_sa_params(struct virtio_ipsec_sa_params *w, uint32_t spi, int outbound)
{
	memset(w, 0, sizeof(*w));
	w->spi = spi;		/* the guest is little-endian */
	w->direction = outbound ? VIRTIO_IPSEC_DIR_OUTBOUND :
				  VIRTIO_IPSEC_DIR_INBOUND;
	w->mode = VIRTIO_IPSEC_MODE_TUNNEL;
	w->protocol = VIRTIO_IPSEC_PROTO_ESP;
	w->ip_version = VIRTIO_IPSEC_IPV4;
	w->cipher_alg = VIRTIO_IPSEC_CIPHER_AES_GCM;
	w->auth_alg = VIRTIO_IPSEC_AUTH_NONE;
	w->icv_len = 16;
	w->cipher_key_len = 16;
	w->salt_len = 4;
	memcpy(w->cipher_key, gcm_key, 16);
	memcpy(w->salt, "\xca\xfe\xba\xbe", 4);
	memcpy(w->tun_src, "\xc0\x00\x02\x01", 4);
	memcpy(w->tun_dst, "\xc6\x33\x64\x01", 4);
}

uint32_t dt_sa_add(int fd, uint32_t group, const struct virtio_ipsec_sa_params *w)
{
	struct vipsec_sa_add a;
	uint32_t id = 0;
	int err;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.group_id = group;
	a.num_sas = 1;
	a.params = (uintptr_t)w;
	a.ids = (uintptr_t)&id;
	err = dt_io(fd, VIPSEC_IOC_SA_ADD, &a);
	ck_assert_msg(err == 0, "SA_ADD spi 0x%x: %d (dev status %u)", w->spi,
		      err, a.dev_status);
	ck_assert_uint_ne(id, 0);
	return id;
}

uint32_t dt_add_out(int fd, uint32_t group, uint32_t spi)
{
	struct virtio_ipsec_sa_params w;

	dt_sa_params(&w, spi, 1);
	return dt_sa_add(fd, group, &w);
}

uint32_t dt_group_create(int fd, const char *name)
{
	struct vipsec_group g;

	memset(&g, 0, sizeof(g));
	g.size = sizeof(g);
	snprintf(g.name, sizeof(g.name), "%s", name);
	ck_assert_int_eq(dt_io(fd, VIPSEC_IOC_GROUP_CREATE, &g), 0);
	ck_assert_uint_ne(g.group_id, 0);
	return g.group_id;
}

/* See tests/common/test_packet.h. */
void dt_build_packet(uint8_t *p, uint16_t len, uint8_t fill)
{
	vt_build_packet(p, len, fill);
}

void dt_batch_init(struct dt_batch *b, uint32_t group, uint32_t sa, uint32_t n,
		   uint32_t flags, uint64_t user_data)
{
	uint32_t i;

	ck_assert_uint_le(n, 64);
	memset(b, 0, sizeof(*b));
	b->n = n;
	for (i = 0; i < n; i++) {
		dt_build_packet(b->data[i], DT_PKT_LEN, (uint8_t)i);
		b->in[i] = (struct vipsec_seg){ (uintptr_t)b->data[i], DT_PKT_LEN, 0 };
		b->out[i] = (struct vipsec_seg){ (uintptr_t)b->esp[i], DT_ESP_CAP, 0 };
		b->pkt[i].group_id = group;
		b->pkt[i].sa_id = sa;
		b->pkt[i].in_nsegs = b->pkt[i].out_nsegs = 1;
		b->pkt[i].in_segs = (uintptr_t)&b->in[i];
		b->pkt[i].out_segs = (uintptr_t)&b->out[i];
		b->pkt[i].status = 0xff;	/* the driver must overwrite it */
	}
	b->xf.size = sizeof(b->xf);
	b->xf.flags = flags;
	b->xf.op = VIPSEC_OP_ENCAP;
	b->xf.num_pkts = n;
	b->xf.pkts = (uintptr_t)b->pkt;
	b->xf.user_data = user_data;
}

int dt_batch_run(int fd, struct dt_batch *b)
{
	return dt_io(fd, VIPSEC_IOC_XFORM, &b->xf);
}

int dt_decap(int fd, uint32_t group, uint32_t sa, const uint8_t *esp,
	     uint32_t len, uint32_t *seq_lo)
{
	static uint8_t out[DT_ESP_CAP];
	struct vipsec_seg in_seg = { (uintptr_t)esp, len, 0 };
	struct vipsec_seg out_seg = { (uintptr_t)out, sizeof(out), 0 };
	struct vipsec_xform xf;
	struct vipsec_pkt p;
	int err;

	memset(&p, 0, sizeof(p));
	p.group_id = group;
	p.sa_id = sa;
	p.in_nsegs = p.out_nsegs = 1;
	p.in_segs = (uintptr_t)&in_seg;
	p.out_segs = (uintptr_t)&out_seg;
	p.status = 0xff;
	memset(&xf, 0, sizeof(xf));
	xf.size = sizeof(xf);
	xf.op = VIPSEC_OP_DECAP;
	xf.num_pkts = 1;
	xf.pkts = (uintptr_t)&p;
	err = dt_io(fd, VIPSEC_IOC_XFORM, &xf);
	if (err)
		return err;
	if (seq_lo)
		*seq_lo = p.seq_lo;
	return (int)p.status;
}

uint64_t dt_sysfs_u64(const char *attr)
{
	char path[128], buf[64];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/virtio_ipsec/%s/%s",
		 dt_info.name, attr);
	f = fopen(path, "r");
	ck_assert_msg(f, "open %s: %s", path, strerror(errno));
	ck_assert_msg(fgets(buf, sizeof(buf), f), "read %s", path);
	fclose(f);
	return strtoull(buf, NULL, 0);
}

/* The kernel log since dt_kmsg_mark(), accumulated. */
static int kmsg_fd = -1;
static char *kmsg_buf;
static size_t kmsg_len;

void dt_kmsg_mark(void)
{
	if (kmsg_fd < 0)
		kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg_fd >= 0)
		lseek(kmsg_fd, 0, SEEK_END);
	free(kmsg_buf);
	kmsg_buf = NULL;
	kmsg_len = 0;
}

static void kmsg_collect(void)
{
	char rec[2048];
	ssize_t n;

	if (kmsg_fd < 0)
		return;
	for (;;) {
		n = read(kmsg_fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;
		if (n <= 0)
			break;
		kmsg_buf = realloc(kmsg_buf, kmsg_len + n + 1);
		ck_assert_ptr_nonnull(kmsg_buf);
		memcpy(kmsg_buf + kmsg_len, rec, n);
		kmsg_len += n;
		kmsg_buf[kmsg_len] = 0;
	}
}

int dt_kmsg_seen(const char *needle)
{
	kmsg_collect();
	return kmsg_buf && strstr(kmsg_buf, needle);
}

void dt_kmsg_check(void)
{
	static const char *const bad[] = {
		"WARNING:", "BUG:", "Oops", "possible circular locking",
		"possible recursive locking", "suspicious RCU usage",
		"rcu_sched self-detected", "INFO: task", "general protection",
		"kmemleak", "refcount_t",
	};
	unsigned int i;

	kmsg_collect();
	for (i = 0; kmsg_buf && i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!strstr(kmsg_buf, bad[i]),
			      "kernel log splat: %s", strstr(kmsg_buf, bad[i]));
}

int dt_unprivileged(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (!pid) {
		struct __user_cap_header_struct h = {
			.version = _LINUX_CAPABILITY_VERSION_3,
		};
		struct __user_cap_data_struct d[2];

		/* from uid 0 to non-zero: the kernel clears every capability */
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(200);
		if (syscall(SYS_capget, &h, d) || d[0].effective ||
		    d[1].effective || d[0].permitted || d[1].permitted)
			_exit(201);
		_exit(fn(arg));
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}
