// SPDX-License-Identifier: BSD-3-Clause
/*
 * Errors a developer can act on: g_ipsec_la_strerror() (words for every
 * errno the g-API returns) and g_ipsec_la_last_error() (which field or
 * limit made the calling thread's last failed call fail).
 *
 * The words come from the one status table (<linux/virtio_ipsec_status.h>)
 * wherever an errno stands for exactly one device status, so the driver,
 * the tools and this library say the same thing. Only errnos the table
 * does not have, or has for two statuses (ENOENT: unknown SA or group,
 * ENOSPC: table full or output too small), or whose g-API meaning is wider
 * than the device's (EINVAL), get a row of their own here.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/virtio_ipsec_status.h>

#include "internal.h"

struct gla_errword {
	int err; /* positive errno */
	const char *msg;
};

/* clang-format off */
static const struct gla_errword gla_lib_words[] = {
	{ 0,		"success" },
	{ EINVAL,	"invalid argument or SA parameter "
			"(g_ipsec_la_last_error() names the field)" },
	{ ENOENT,	"unknown or deleted SA or group" },
	{ ENOSPC,	"output area too small (the bytes needed are reported), "
			"or the SA or group table is full" },
	{ EMSGSIZE,	"packet, or its ESP result, larger than the "
			"accelerator's max_packet_len or the SA's path MTU" },
	{ ENODEV,	"accelerator gone (unplugged, reset or closed)" },
	{ EAGAIN,	"too many asynchronous requests in flight: poll, then retry" },
	{ EDQUOT,	"this handle's share of SAs or groups is used up" },
	{ EMFILE,	"too many accelerators open in this process" },
	{ ENOMEM,	"out of memory" },
	{ EFAULT,	"bad buffer address" },
	{ EPERM,	"not permitted: the handle holds no claim on the accelerator" },
	{ ETIMEDOUT,	"the device did not answer in time (it may still act)" },
	{ EINTR,	"interrupted by a signal while the device was working" },
	{ E2BIG,	"batch too large for the accelerator's queue at once" },
	{ EAFNOSUPPORT,	"transport SA without its address family "
			"(te_addr.src_ip or dest_ip .version: 4 or 6)" },
};
/* clang-format on */

#define GLA_STATUS_WORD(name, value, err, msg) { err, msg },
static const struct gla_errword gla_status_words[] = { VIPSEC_STATUS_TABLE(
	GLA_STATUS_WORD) };

static const char *gla_find_word(const struct gla_errword *t, size_t n, int err)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].err == err)
			return t[i].msg;
	return NULL;
}

const char *g_ipsec_la_strerror(int32_t result)
{
	static __thread char buf[64];
	int err = result < 0 ? -result : result;
	const char *m;

	if (result == INT32_MIN)
		err = -1; /* no errno: falls through to "unknown" */
	m = gla_find_word(gla_lib_words,
			  sizeof(gla_lib_words) / sizeof(gla_lib_words[0]),
			  err);
	if (!m)
		m = gla_find_word(gla_status_words,
				  sizeof(gla_status_words) /
					  sizeof(gla_status_words[0]),
				  err);
	if (m)
		return m;
	/* an errno no g-API call documents: the C library's words */
	if (err > 0 && err < 4096 && strerrordesc_np(err))
		return strerrordesc_np(err);
	snprintf(buf, sizeof(buf), "unknown error %d", (int)result);
	return buf;
}

/* ---- the calling thread's last failure ------------------------------ */

static __thread struct g_ipsec_la_error_info gla_last;

void gla_err_begin(const char *func)
{
	memset(&gla_last, 0, sizeof(gla_last));
	gla_last.func = func;
}

int gla_err_field(int err, const char *field, uint64_t value, uint64_t limit)
{
	gla_last.result = err;
	gla_last.field = field;
	gla_last.value = value;
	gla_last.limit = limit;
	return err;
}

void gla_err_index(uint32_t index)
{
	gla_last.index = index;
}

int gla_err_status(int err, uint32_t status)
{
	gla_last.result = err;
	gla_last.dev_status = status;
	if (!gla_last.field)
		gla_last.field = "device status";
	gla_last.value = status;
	return err;
}

int32_t g_ipsec_la_last_error(struct g_ipsec_la_error_info *info)
{
	if (!info)
		return -EINVAL;
	*info = gla_last;
	info->message = g_ipsec_la_strerror(gla_last.result);
	return 0;
}
