// SPDX-License-Identifier: BSD-3-Clause
/*
 * The backend registry: the char device is always there; a named backend
 * (the software accelerator) is added when the application links it and
 * registers it. A name that no backend serves is a char device name.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "backend.h"

#define GLA_MAX_BACKENDS 4

static pthread_mutex_t gla_be_lock = PTHREAD_MUTEX_INITIALIZER;
static const struct gla_backend *gla_backends[GLA_MAX_BACKENDS]; /* gla_be_lock */

/* Return: 0, or -EEXIST for a second backend of the same name, -ENOSPC. */
int gla_backend_register(const struct gla_backend *be)
{
	unsigned int i;
	int ret = -ENOSPC;

	if (!be || !be->name || !be->open || !be->ioctl || !be->read ||
	    !be->poll || !be->close)
		return -EINVAL;
	pthread_mutex_lock(&gla_be_lock);
	for (i = 0; i < GLA_MAX_BACKENDS; i++) {
		if (gla_backends[i] == be) {
			ret = 0; /* registering twice is harmless */
			break;
		}
		if (gla_backends[i] &&
		    !strcmp(gla_backends[i]->name, be->name)) {
			ret = -EEXIST;
			break;
		}
		if (!gla_backends[i]) {
			gla_backends[i] = be;
			ret = 0;
			break;
		}
	}
	pthread_mutex_unlock(&gla_be_lock);
	return ret;
}

const struct gla_backend *gla_backend_nth(unsigned int i)
{
	const struct gla_backend *be = NULL;

	pthread_mutex_lock(&gla_be_lock);
	if (i < GLA_MAX_BACKENDS)
		be = gla_backends[i];
	pthread_mutex_unlock(&gla_be_lock);
	return be;
}

const struct gla_backend *gla_backend_find(const char *name)
{
	const struct gla_backend *be;
	unsigned int i;

	for (i = 0; name && (be = gla_backend_nth(i)); i++)
		if (!strcmp(be->name, name))
			return be;
	return &gla_chardev_backend;
}

int gla_file_open(const char *accl, struct gla_file *f)
{
	const struct gla_backend *be = gla_backend_find(accl);
	int ret;

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	ret = be->open(accl, f);
	if (!ret)
		f->be = be;
	return ret;
}
