/*
 * Virtio IPsec device: test-only fault injection (a hostile or broken
 * device for the driver's tests)
 *
 * Three QOM properties, settable at any time (-device ...,x-fault=hang or
 * qom-set on a running VM; virtio-ipsec-pci aliases them):
 *
 *   x-fault        none | short-used | bad-status | bad-ids | hang | no-irq
 *   x-fault-queues ctrl (default) | data | all: the queues x-fault hits
 *   x-refuse-features-ok  on: the device refuses FEATURES_OK (a driver's
 *                  probe or restore then fails)
 *
 * short-used  nothing is handled or written, the used length is 0
 * bad-status  handled, then the footer's status is 0xee (no such status)
 * bad-ids     SA_GET is answered with a full page of ids the driver never
 *             added (cursor + 1, + 2, ...) and more = 1, for ever; other
 *             requests are handled normally
 * hang        requests stay on the ring, never used (handled once the
 *             fault is cleared and the driver kicks again)
 * no-irq      handled, but the used-buffer notification is dropped
 *
 * None of this is for production: the names start with "x-" and nothing
 * sets them by default (docs/virtio-ipsec-device.md, "Test-only knobs").
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or
 * (at your option) any later version.  See the COPYING file in the
 * top-level directory.
 */

#include "qemu/osdep.h"
#include "qemu/iov.h"
#include "qapi/error.h"
#include "hw/virtio/virtio.h"
#include "hw/virtio/virtio-ipsec.h"
#include "trace.h"

#define FOOTER_LEN sizeof(struct virtio_ipsec_resp_footer)
#define BAD_STATUS 0xee

static const char *const fault_names[VIRTIO_IPSEC_FAULT__MAX] = {
    [VIRTIO_IPSEC_FAULT_NONE] = "none",
    [VIRTIO_IPSEC_FAULT_SHORT_USED] = "short-used",
    [VIRTIO_IPSEC_FAULT_BAD_STATUS] = "bad-status",
    [VIRTIO_IPSEC_FAULT_BAD_IDS] = "bad-ids",
    [VIRTIO_IPSEC_FAULT_HANG] = "hang",
    [VIRTIO_IPSEC_FAULT_NO_IRQ] = "no-irq",
};

static const char *const queue_names[VIRTIO_IPSEC_FAULT_QUEUES__MAX] = {
    [VIRTIO_IPSEC_FAULT_QUEUES_CTRL] = "ctrl",
    [VIRTIO_IPSEC_FAULT_QUEUES_DATA] = "data",
    [VIRTIO_IPSEC_FAULT_QUEUES_ALL] = "all",
};

static int lookup(const char *const *names, int n, const char *name)
{
    int i;

    for (i = 0; i < n; i++) {
        if (!strcmp(names[i], name)) {
            return i;
        }
    }
    return -1;
}

static char *get_fault(Object *obj, Error **errp)
{
    return g_strdup(fault_names[VIRTIO_IPSEC(obj)->fault]);
}

static void set_fault(Object *obj, const char *value, Error **errp)
{
    VirtIOIPsec *s = VIRTIO_IPSEC(obj);
    int i = lookup(fault_names, VIRTIO_IPSEC_FAULT__MAX, value);

    if (i < 0) {
        error_setg(errp, "'x-fault' must be none, short-used, bad-status, "
                   "bad-ids, hang or no-irq, got '%s'", value);
        return;
    }
    s->fault = i;
    trace_virtio_ipsec_fault(s, value, queue_names[s->fault_queues]);
}

static char *get_queues(Object *obj, Error **errp)
{
    return g_strdup(queue_names[VIRTIO_IPSEC(obj)->fault_queues]);
}

static void set_queues(Object *obj, const char *value, Error **errp)
{
    VirtIOIPsec *s = VIRTIO_IPSEC(obj);
    int i = lookup(queue_names, VIRTIO_IPSEC_FAULT_QUEUES__MAX, value);

    if (i < 0) {
        error_setg(errp, "'x-fault-queues' must be ctrl, data or all, "
                   "got '%s'", value);
        return;
    }
    s->fault_queues = i;
}

static bool get_refuse(Object *obj, Error **errp)
{
    return VIRTIO_IPSEC(obj)->refuse_features_ok;
}

static void set_refuse(Object *obj, bool value, Error **errp)
{
    VIRTIO_IPSEC(obj)->refuse_features_ok = value;
}

/*
 * Plain QOM properties rather than qdev ones: qdev properties cannot be
 * set once the device is realized, and these are meant for qom-set.
 */
void virtio_ipsec_faults_class_init(ObjectClass *oc)
{
    object_class_property_add_str(oc, "x-fault", get_fault, set_fault);
    object_class_property_set_description(oc, "x-fault",
        "test only: none, short-used, bad-status, bad-ids, hang, no-irq");
    object_class_property_add_str(oc, "x-fault-queues", get_queues,
                                  set_queues);
    object_class_property_set_description(oc, "x-fault-queues",
        "test only: the queues x-fault hits: ctrl, data or all");
    object_class_property_add_bool(oc, "x-refuse-features-ok", get_refuse,
                                   set_refuse);
    object_class_property_set_description(oc, "x-refuse-features-ok",
        "test only: refuse FEATURES_OK");
}

/* The transport (virtio-ipsec-pci) offers the knobs under the same names */
void virtio_ipsec_faults_alias(Object *proxy, Object *vdev)
{
    object_property_add_alias(proxy, "x-fault", vdev, "x-fault");
    object_property_add_alias(proxy, "x-fault-queues", vdev,
                              "x-fault-queues");
    object_property_add_alias(proxy, "x-refuse-features-ok", vdev,
                              "x-refuse-features-ok");
}

VirtIOIPsecFault virtio_ipsec_fault(VirtIOIPsecQueue *q)
{
    VirtIOIPsec *s = q->s;

    switch (s->fault_queues) {
    case VIRTIO_IPSEC_FAULT_QUEUES_CTRL:
        return q->ctrl ? s->fault : VIRTIO_IPSEC_FAULT_NONE;
    case VIRTIO_IPSEC_FAULT_QUEUES_DATA:
        return q->ctrl ? VIRTIO_IPSEC_FAULT_NONE : s->fault;
    default:
        return s->fault;
    }
}

/* validate_features: a non-zero return keeps FEATURES_OK clear */
int virtio_ipsec_faults_validate_features(VirtIODevice *vdev)
{
    VirtIOIPsec *s = VIRTIO_IPSEC(vdev);

    if (s->refuse_features_ok) {
        trace_virtio_ipsec_fault(s, "refuse-features-ok", "-");
        return -EINVAL;
    }
    return 0;
}

/*
 * bad-ids: a full SA_GET page of ids past the cursor, each claiming the
 * request's group, and more = 1. Returns false (handle normally) for any
 * other request or a chain too small to hold one entry.
 */
static bool forge_sa_get(VirtQueueElement *elem, size_t *used)
{
    struct virtio_ipsec_ctrl_hdr hdr;
    struct virtio_ipsec_sa_get body;
    struct virtio_ipsec_sa_get_resp r;
    struct virtio_ipsec_sa_entry e;
    struct virtio_ipsec_resp_footer f;
    size_t cap = iov_size(elem->in_sg, elem->in_num), off, room;
    uint32_t n, i, max;

    if (iov_to_buf(elem->out_sg, elem->out_num, 0, &hdr, sizeof(hdr)) !=
        sizeof(hdr) ||
        lduw_le_p(&hdr.opcode) != VIRTIO_IPSEC_OP_SA_GET ||
        iov_to_buf(elem->out_sg, elem->out_num, sizeof(hdr), &body,
                   sizeof(body)) != sizeof(body) ||
        cap < sizeof(r) + sizeof(e) + FOOTER_LEN) {
        return false;
    }
    room = (cap - FOOTER_LEN - sizeof(r)) / sizeof(e);
    max = ldl_le_p(&body.max_sas);
    n = MIN(MAX(max, 1), room);
    memset(&r, 0, sizeof(r));
    stl_le_p(&r.count, n);
    stl_le_p(&r.more, 1);
    iov_from_buf(elem->in_sg, elem->in_num, 0, &r, sizeof(r));
    off = sizeof(r);
    for (i = 0; i < n; i++, off += sizeof(e)) {
        memset(&e, 0, sizeof(e));
        e.group_id = hdr.group_id;
        stl_le_p(&e.sa_id, ldl_le_p(&hdr.sa_id) + 1 + i);
        iov_from_buf(elem->in_sg, elem->in_num, off, &e, sizeof(e));
    }
    memset(&f, 0, sizeof(f));
    f.status = VIRTIO_IPSEC_OK;
    stl_le_p(&f.out_len, off);
    iov_from_buf(elem->in_sg, elem->in_num, cap - FOOTER_LEN, &f, sizeof(f));
    *used = cap;
    return true;
}

/*
 * Before the normal handling of @elem: true when the fault answers it
 * itself (the used length is then in @used).
 */
bool virtio_ipsec_fault_pre(VirtIOIPsecQueue *q, VirtIOIPsecFault fault,
                            VirtQueueElement *elem, size_t *used)
{
    switch (fault) {
    case VIRTIO_IPSEC_FAULT_SHORT_USED:
        *used = 0;
        return true;
    case VIRTIO_IPSEC_FAULT_BAD_IDS:
        return q->ctrl && forge_sa_get(elem, used);
    default:
        return false;
    }
}

/* After the normal handling of @elem */
void virtio_ipsec_fault_post(VirtIOIPsecQueue *q, VirtIOIPsecFault fault,
                             VirtQueueElement *elem)
{
    size_t cap = iov_size(elem->in_sg, elem->in_num);
    uint8_t st = BAD_STATUS;

    if (fault == VIRTIO_IPSEC_FAULT_BAD_STATUS && cap >= FOOTER_LEN) {
        iov_from_buf(elem->in_sg, elem->in_num,
                     cap - FOOTER_LEN + offsetof(struct
                                                 virtio_ipsec_resp_footer,
                                                 status), &st, 1);
    }
}
