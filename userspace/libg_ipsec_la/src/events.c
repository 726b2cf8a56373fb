// SPDX-License-Identifier: BSD-3-Clause
/*
 * The events the seed's notification hooks do not cover (hard expiry,
 * the device's delete request, lost events, per-packet error events):
 * g_ipsec_la_event_hooks_register() and their delivery from
 * g_ipsec_la_poll(); g_ipsec_la_error_events_config(), the device's
 * EVENT_LIMIT.
 */
#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "internal.h"

/* The first version of struct g_ipsec_la_event_hooks ends here. */
#define GLA_EV_HOOKS_V1                                             \
	(offsetof(struct g_ipsec_la_event_hooks, packet_error_fn) + \
	 sizeof(g_ipsec_la_cbk_sa_event_fn))

int32_t g_ipsec_la_event_hooks_register(struct g_ipsec_la_handle *handle,
					const struct g_ipsec_la_event_hooks *in)
{
	struct g_ipsec_la_event_hooks hk;
	struct gla_ref ref;
	int ret;

	if (in && (in->size < GLA_EV_HOOKS_V1 || in->size > sizeof(hk) ||
		   in->reserved))
		return -EINVAL;
	ret = gla_ref_get(handle, &ref);
	if (ret)
		return ret;
	if (!(ref.info.features & (1ULL << VIRTIO_IPSEC_F_EVENTQ)))
		return -EOPNOTSUPP;
	memset(&hk, 0, sizeof(hk));
	if (in)
		memcpy(&hk, in, in->size);
	pthread_mutex_lock(&ref.inst->lock);
	ref.inst->ev_hooks = hk;
	pthread_mutex_unlock(&ref.inst->lock);
	return 0;
}

/* g-API event and hook of a record type, or 0 */
static uint32_t gla_ev_kind(uint16_t type)
{
	switch (type) {
	case VIPSEC_EV_HARD_EXPIRY: return G_IPSEC_LA_EVENT_HARD_EXPIRY;
	case VIPSEC_EV_SA_DELETE_REQ: return G_IPSEC_LA_EVENT_DELETE_REQUEST;
	case VIPSEC_EV_LOST: return G_IPSEC_LA_EVENT_LOST;
	case VIPSEC_EV_AUTH_FAIL: return G_IPSEC_LA_EVENT_AUTH_FAIL;
	case VIPSEC_EV_REPLAY: return G_IPSEC_LA_EVENT_REPLAY;
	case VIPSEC_EV_WRONG_SPI: return G_IPSEC_LA_EVENT_WRONG_SPI;
	case VIPSEC_EV_BAD_PAD: return G_IPSEC_LA_EVENT_BAD_PAD;
	default: return 0;
	}
}

int gla_event_ext_hook(struct gla_inst *inst, const struct vipsec_event *e,
		       const struct g_ipsec_la_sa_handle *sh)
{
	struct g_ipsec_la_sa_event_notification n;
	struct g_ipsec_la_event_hooks hk;
	g_ipsec_la_cbk_sa_event_fn fn;
	uint32_t kind = gla_ev_kind(e->type);

	if (!kind)
		return 0;
	pthread_mutex_lock(&inst->lock);
	hk = inst->ev_hooks;
	pthread_mutex_unlock(&inst->lock);
	switch (kind) {
	case G_IPSEC_LA_EVENT_HARD_EXPIRY:
		fn = hk.hard_lifetime_expiry_fn;
		break;
	case G_IPSEC_LA_EVENT_DELETE_REQUEST:
		fn = hk.sa_delete_request_fn;
		break;
	case G_IPSEC_LA_EVENT_LOST: fn = hk.events_lost_fn; break;
	default: fn = hk.packet_error_fn; break;
	}
	if (!fn)
		return 0;
	memset(&n, 0, sizeof(n));
	if (kind != G_IPSEC_LA_EVENT_LOST)
		n.sa_handle = *sh;
	n.event = kind;
	n.limit = e->flags; /* VIRTIO_IPSEC_LIMIT_* = G_IPSEC_LA_LIMIT_* */
	n.seq = e->seq;
	n.count = e->value;
	fn(inst->handle, &n);
	return 1;
}

/* g-API error event bits to the device's (1 << VIRTIO_IPSEC_EVT_*) */
static const struct {
	uint32_t gapi, dev;
} gla_err_bits[] = {
	{ G_IPSEC_LA_ERR_EVENT_AUTH_FAIL, 1u << VIRTIO_IPSEC_EVT_AUTH_FAIL },
	{ G_IPSEC_LA_ERR_EVENT_REPLAY, 1u << VIRTIO_IPSEC_EVT_REPLAY },
	{ G_IPSEC_LA_ERR_EVENT_WRONG_SPI, 1u << VIRTIO_IPSEC_EVT_WRONG_SPI },
	{ G_IPSEC_LA_ERR_EVENT_BAD_PAD, 1u << VIRTIO_IPSEC_EVT_BAD_PAD },
};

/* The library's own check, before the driver's and the device's. */
static int gla_elimit_from_cfg(const struct g_ipsec_la_error_events_cfg *c,
			       struct virtio_ipsec_event_limit *l)
{
	uint32_t events = 0, known = 0, i;

	if (!c || !gla_mem_is_zero(c->reserved, sizeof(c->reserved)) ||
	    c->per_device > 1)
		return -EINVAL;
	for (i = 0; i < sizeof(gla_err_bits) / sizeof(gla_err_bits[0]); i++) {
		known |= gla_err_bits[i].gapi;
		if (c->events & gla_err_bits[i].gapi)
			events |= gla_err_bits[i].dev;
	}
	if (c->events & ~known)
		return -EINVAL;
	memset(l, 0, sizeof(*l));
	if (!c->events)
		return c->per_device || c->limit_type || c->value ? -EINVAL : 0;
	if (c->limit_type == G_IPSEC_LA_EVENT_LIMIT_TIME) {
		if (c->value < 1 || c->value > G_IPSEC_LA_EVENT_LIMIT_MAX_RATE)
			return -EINVAL;
		l->type = VIRTIO_IPSEC_ELIM_TIME;
	} else if (c->limit_type == G_IPSEC_LA_EVENT_LIMIT_COUNT) {
		if (c->value < 1 || c->value > G_IPSEC_LA_EVENT_LIMIT_MAX_COUNT)
			return -EINVAL;
		l->type = VIRTIO_IPSEC_ELIM_COUNT;
	} else {
		return -EINVAL;
	}
	l->events = htole32(events);
	l->scope = c->per_device ? VIRTIO_IPSEC_ELIM_PER_DEVICE :
				   VIRTIO_IPSEC_ELIM_PER_SA;
	l->value = htole32(c->value);
	return 0;
}

int32_t
g_ipsec_la_error_events_config(struct g_ipsec_la_handle *handle,
			       const struct g_ipsec_la_error_events_cfg *cfg)
{
	struct vipsec_event_limit req;
	struct gla_ref ref;
	int ret;

	memset(&req, 0, sizeof(req));
	req.size = sizeof(req);
	ret = gla_elimit_from_cfg(cfg, &req.limit);
	if (ret)
		return ret;
	ret = gla_ref_get(handle, &ref);
	if (ret)
		return ret;
	if (!(ref.info.features & (1ULL << VIRTIO_IPSEC_F_ERR_EVENTS)))
		return -EOPNOTSUPP;
	return gla_dev_ioctl(&ref, VIPSEC_IOC_EVENT_LIMIT, &req);
}

/* The g-API values are the device's, so records pass through as they are */
_Static_assert(G_IPSEC_LA_LIMIT_BYTES == VIRTIO_IPSEC_LIMIT_BYTES &&
		       G_IPSEC_LA_LIMIT_PACKETS == VIRTIO_IPSEC_LIMIT_PACKETS &&
		       G_IPSEC_LA_LIMIT_SECONDS == VIRTIO_IPSEC_LIMIT_SECONDS,
	       "limit kinds");
_Static_assert(G_IPSEC_LA_WARN_SOFT_BYTES == VIRTIO_IPSEC_WARN_SOFT_BYTES &&
		       G_IPSEC_LA_WARN_SOFT_PACKETS ==
			       VIRTIO_IPSEC_WARN_SOFT_PACKETS &&
		       G_IPSEC_LA_WARN_SOFT_SECONDS ==
			       VIRTIO_IPSEC_WARN_SOFT_SECONDS &&
		       G_IPSEC_LA_WARN_SEQ_NEAR_OVERFLOW ==
			       VIRTIO_IPSEC_WARN_SEQ_NEAR_OVERFLOW &&
		       G_IPSEC_LA_WARN_SEQ_NOTIFY ==
			       VIRTIO_IPSEC_WARN_SEQ_NOTIFY,
	       "warning bits");
_Static_assert(G_IPSEC_LA_EVENT_LIMIT_MAX_RATE == VIRTIO_IPSEC_ELIM_MAX_RATE &&
		       G_IPSEC_LA_EVENT_LIMIT_MAX_COUNT ==
			       VIRTIO_IPSEC_ELIM_MAX_COUNT,
	       "event limit bounds");
_Static_assert(G_IPSEC_LA_MAX_BITMAP_WORDS == VIRTIO_IPSEC_MAX_BITMAP_WORDS,
	       "bitmap words");
