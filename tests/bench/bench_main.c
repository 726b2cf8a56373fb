// SPDX-License-Identifier: BSD-3-Clause
/*
 * vipsec_vm_bench: run inside the guest (tests/vm/run.sh --mode bench, or
 * tests/bench/run-vm-bench.sh). Prints the configuration, then one table:
 * g-API rows (sync/async, batch 1/32, encap/decap) and AF_ALG rows for
 * 64, 512 and 1420-byte inner packets, AES-128-GCM, IPv4 tunnel.
 * Usage: vipsec_vm_bench [SECONDS_PER_ROW]   (default 2; also from the
 * kernel command line vipsec.bench_secs=S). vipsec.bench_sizes=1420 (a
 * comma list of 64, 512, 1420) runs only those sizes' rows: profiling runs.
 * Exit: 0 figures printed, 1 an operation failed, 77 nothing measurable.
 */
#include <cpuid.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

/* vipsec.<key>=value from the kernel command line, or NULL. */
static const char *vb_cmdline(const char *key, char *buf, size_t len)
{
	static char line[4096];
	FILE *f = fopen("/proc/cmdline", "r");
	char *p, *e;
	size_t k = strlen(key);

	if (!f)
		return NULL;
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	fclose(f);
	for (p = strtok(line, " \n"); p; p = strtok(NULL, " \n"))
		if (!strncmp(p, key, k) && p[k] == '=') {
			e = p + k + 1;
			snprintf(buf, len, "%s", e);
			return buf;
		}
	return NULL;
}

/* CPUID hypervisor leaf: "TCGTCGTCGTCG" under TCG, "KVMKVMKVM" under KVM. */
static void vb_hypervisor(char out[13])
{
	unsigned int a, b, c, d;

	memset(out, 0, 13);
	__cpuid(1, a, b, c, d);
	if (!(c & (1u << 31))) {
		strcpy(out, "none");
		return;
	}
	__cpuid(0x40000000, a, b, c, d);
	memcpy(out, &b, 4);
	memcpy(out + 4, &c, 4);
	memcpy(out + 8, &d, 4);
}

int main(int argc, char **argv)
{
	static const uint32_t all[] = { 64, 512, 1420 };
	uint32_t sizes[3];
	unsigned int i, n = 0;
	char hv[13], dev[512], secs_s[32], sizes_s[64], *be;
	double secs = 2.0;
	int rg, ra, rv;

	if (argc > 1)
		secs = atof(argv[1]);
	else if (vb_cmdline("vipsec.bench_secs", secs_s, sizeof(secs_s)))
		secs = atof(secs_s);
	if (secs <= 0 || secs > 60) {
		fprintf(stderr, "usage: vipsec_vm_bench [SECONDS_PER_ROW 0..60]\n");
		return 2;
	}
	for (i = 0; i < 3; i++) {
		char tok[8], *p;

		snprintf(tok, sizeof(tok), "%u", all[i]);
		if (!vb_cmdline("vipsec.bench_sizes", sizes_s, sizeof(sizes_s))) {
			sizes[n++] = all[i];
			continue;
		}
		for (p = strtok(sizes_s, ","); p; p = strtok(NULL, ","))
			if (!strcmp(p, tok))
				sizes[n++] = all[i];
	}
	if (!n) {
		fprintf(stderr, "vipsec_vm_bench: vipsec.bench_sizes= names none of 64,512,1420\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	vb_hypervisor(hv);
	printf("=== virtio-ipsec full-path benchmark (guest) ===\n");
	printf("accelerator: hypervisor '%s'%s\n", hv, !strncmp(hv, "TCG", 3) ?
	       ": TCG (emulated CPU). Figures are TCG figures, not hardware figures:"
	       " guest code runs emulated, the device (QEMU) runs natively" : "");
	printf("vCPUs: %ld online\n", sysconf(_SC_NPROCESSORS_ONLN));
	if (vb_cmdline("vipsec.bench_device", dev, sizeof(dev))) {
		be = strstr(dev, "crypto-backend=");
		printf("device: -device %s\n", dev);
		printf("backend: %.*s\n", be ? (int)strcspn(be + 15, ",") : 40,
		       be ? be + 15 : "auto (device default: host AF_ALG if usable, else intel-ipsec-mb)");
	} else {
		printf("device/backend: not given on the kernel command line "
		       "(vipsec.bench_device=)\n");
	}
	printf("workload: AES-128-GCM (ICV 16), ESP IPv4 tunnel, inner IPv4/UDP "
	       "packets of 64/512/1420 bytes; %.1f s per row\n", secs);
	if (vb_irq_init())
		printf("note: virtio-ipsec interrupt lines not found\n");
	rg = vb_gapi_run(secs, sizes, n);
	ra = vb_afalg_run(secs, sizes, n);
	rv = vb_vcrypto_run(secs, sizes, n);
	printf("columns: bytes = inner packet; Mbit/s of inner bytes; depth = "
	       "batches in flight (async: completions via g_ipsec_la_poll); "
	       "req/pkt = ioctls = device requests per packet; irq/pkt = "
	       "virtio-ipsec interrupts per packet\n");
	printf("kicks/pkt: n/a (the driver does not count virtqueue "
	       "notifications; at most one per request, so <= req/pkt)\n");
	printf("=== end of benchmark ===\n");
	if (rg == 1 || ra == 1 || rv == 1)
		return 1;
	return rg == 77 && ra == 77 ? 77 : 0;
}
