// SPDX-License-Identifier: BSD-3-Clause
/* vipsec_vm_bench: clock, test packets, interrupt counts, table rows. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/test_packet.h"
#include "bench.h"

const uint8_t vb_keymat[20] = {
	0x4c, 0x80, 0xcd, 0xef, 0xbb, 0x5d, 0x10, 0xda,
	0x90, 0x6a, 0xc7, 0x3c, 0x36, 0x13, 0xa6, 0x34,
	0x2e, 0x44, 0x3b, 0x68,
};

uint64_t vb_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* See tests/common/test_packet.h. */
void vb_packet(uint8_t *p, uint16_t len, uint8_t fill)
{
	vt_build_packet(p, len, fill);
}

/*
 * The driver names its vectors after the virtio device ("virtio0-data.0",
 * "virtio0-ctrl", "virtio0-event", "virtio0-config"); which virtioN is
 * ours says /sys (virtio device id 57 = 0x0039).
 */
static char vb_irq_prefix[32];

int vb_irq_init(void)
{
	struct dirent *d;
	DIR *dir = opendir("/sys/bus/virtio/devices");
	char path[300], id[16];
	FILE *f;

	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		if (strncmp(d->d_name, "virtio", 6))
			continue;
		snprintf(path, sizeof(path), "/sys/bus/virtio/devices/%s/device",
			 d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(id, sizeof(id), f) && strtoul(id, NULL, 0) == 0x39)
			snprintf(vb_irq_prefix, sizeof(vb_irq_prefix), "%.30s-",
				 d->d_name);
		fclose(f);
	}
	closedir(dir);
	return vb_irq_prefix[0] && vb_irq_count() >= 0 ? 0 : -1;
}

const char *vb_irq_what(void)
{
	return vb_irq_prefix[0] ? vb_irq_prefix : "(none)";
}

long long vb_irq_count(void)
{
	FILE *f = fopen("/proc/interrupts", "r");
	char line[1024];
	long long sum = 0;
	int found = 0;

	if (!f || !vb_irq_prefix[0]) {
		if (f)
			fclose(f);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *p = strchr(line, ':'), *end;
		long long v;

		if (!p || !strstr(line, vb_irq_prefix))
			continue;
		/* one count column per CPU after "NN:" */
		for (p++;; p = end) {
			v = strtoll(p, &end, 10);
			if (end == p)
				break;
			sum += v;
		}
		found = 1;
	}
	fclose(f);
	return found ? sum : -1;
}

void vb_row_header(void)
{
	static int done;

	if (done++)
		return;
	printf("%3s %5s  %-26s %-6s %5s %5s %8s %6s %9s %8s %8s %8s %8s\n",
	       "#", "bytes", "path", "dir", "batch", "depth", "packets", "secs",
	       "pkt/s", "Mbit/s", "us/pkt", "req/pkt", "irq/pkt");
}

void vb_row_print(const struct vb_row *r)
{
	double s = (double)r->ns / 1e9;
	double pps = s > 0 ? (double)r->pkts / s : 0;
	char req[16] = "-", irq[16] = "-";

	vb_row_header();

	if (r->req >= 0)
		snprintf(req, sizeof(req), "%.3f", r->req);
	if (r->irq >= 0)
		snprintf(irq, sizeof(irq), "%.3f", r->irq);
	printf("%3u %5u  %-26s %-6s %5u %5u %8llu %6.2f %9.0f %8.1f %8.1f %8s %8s\n",
	       r->id, r->len, r->path, r->dir, r->batch, r->depth,
	       (unsigned long long)r->pkts, s, pps, pps * r->len * 8 / 1e6,
	       pps > 0 ? 1e6 / pps : 0, req, irq);
	fflush(stdout);
}

static unsigned int vb_marks;

unsigned int vb_mark_begin(void)
{
	unsigned int id = ++vb_marks;

	printf("VIPSEC-BENCH-MARK begin %u\n", id);
	fflush(stdout);
	return id;
}

void vb_mark_end(unsigned int id, uint64_t pkts)
{
	printf("VIPSEC-BENCH-MARK end %u %llu\n", id, (unsigned long long)pkts);
	fflush(stdout);
}
