// SPDX-License-Identifier: BSD-3-Clause
/*
 * The char-device backend: /dev/virtio-ipsec<N> of the guest driver,
 * reached with plain open/ioctl/read/poll/close.
 */
#include <errno.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "backend.h"
#include "internal.h"

static int gla_cd_open(const char *accl, struct gla_file *f)
{
	int fd = gla_open_node(accl);

	if (fd < 0)
		return fd;
	f->fd = fd;
	return 0;
}

static int gla_cd_ioctl(struct gla_file *f, unsigned long cmd, void *arg)
{
	return ioctl(f->fd, cmd, arg) < 0 ? -errno : 0;
}

static int gla_cd_poll(struct gla_file *f, int timeout_ms)
{
	struct pollfd pfd = { .fd = f->fd, .events = POLLIN };
	int n = poll(&pfd, 1, timeout_ms);

	if (n < 0)
		return -errno;
	return n ? pfd.revents & (POLLIN | POLLHUP | POLLERR) : 0;
}

/* The fd is blocking (the driver's read waits): ask poll first. */
static ssize_t gla_cd_read(struct gla_file *f, void *buf, size_t len)
{
	int ev = gla_cd_poll(f, 0);
	ssize_t n;

	if (ev < 0)
		return ev;
	if (!(ev & POLLIN))
		return ev & (POLLHUP | POLLERR) ? 0 : -EAGAIN;
	n = read(f->fd, buf, len);
	return n < 0 ? -errno : n;
}

static void gla_cd_close(struct gla_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

const struct gla_backend gla_chardev_backend = {
	.name = NULL,
	.open = gla_cd_open,
	.ioctl = gla_cd_ioctl,
	.read = gla_cd_read,
	.poll = gla_cd_poll,
	.close = gla_cd_close,
};
