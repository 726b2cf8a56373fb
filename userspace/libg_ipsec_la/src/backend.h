/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Backends: what an open accelerator is underneath. The library speaks the
 * char-device ABI (<linux/virtio_ipsec_dev.h>: ioctls, event records) to
 * every accelerator; a backend carries it. Two exist:
 *   - chardev.c: the guest driver's /dev/virtio-ipsec<N> (always built in);
 *   - sw*.c (libg_ipsec_la_sw.a): the software accelerator, an in-process
 *     emulation of the driver over the ESP engine, registered by
 *     g_ipsec_la_software_register() (g_ipsec_la_sw.h).
 * Every op returns what the driver's file operation returns, as 0 or a
 * negative errno (ioctl: -ENOTTY for an unknown command), so the library
 * above and tests/guest/suite_ioctl.c see the same thing from both.
 */
#ifndef GLA_BACKEND_H
#define GLA_BACKEND_H

#include <stddef.h>
#include <sys/types.h>

#include "g_ipsec_la.h"

struct gla_backend;

/* One open accelerator file, as open(2) of the char device gives. */
struct gla_file {
	const struct gla_backend *be;
	int fd;	    /* pollable: the char device, or the backend's eventfd */
	void *priv; /* the backend's per-file state */
};

struct gla_backend {
	/* accelerator name this backend serves; NULL: virtio-ipsec<N> */
	const char *name;
	/* open accelerator @accl (a name this backend serves) into @f */
	int (*open)(const char *accl, struct gla_file *f);
	int (*ioctl)(struct gla_file *f, unsigned long cmd, void *arg);
	/* whole records; never blocks: -EAGAIN when none is queued, 0 at
	 * end of file (after VIPSEC_EV_DEVICE_LOST) */
	ssize_t (*read)(struct gla_file *f, void *buf, size_t len);
	/* wait up to @timeout_ms (-1: forever) for POLLIN or POLLHUP;
	 * returns the revents bits, 0 on timeout, or a negative errno */
	int (*poll)(struct gla_file *f, int timeout_ms);
	void (*close)(struct gla_file *f);
	/* optional: fill @a and return 1 when someone holds the
	 * accelerator (g_ipsec_la_active_list_get); the char device's
	 * state is read from sysfs instead */
	int (*active)(struct g_ipsec_la_active_accl_info *a);
	uint32_t id; /* accelerator id reported by the lists */
};

extern const struct gla_backend gla_chardev_backend;

/* backend.c */
int gla_backend_register(const struct gla_backend *be);
/* The backend serving accelerator @name (NULL: the first char device). */
const struct gla_backend *gla_backend_find(const char *name);
/* The registered named backends, for the lists: NULL past the last. */
const struct gla_backend *gla_backend_nth(unsigned int i);

/* Open @accl through its backend (no claim). 0 or negative errno. */
int gla_file_open(const char *accl, struct gla_file *f);

#endif /* GLA_BACKEND_H */
