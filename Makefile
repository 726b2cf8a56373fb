# virtio-ipsec top-level build. See README.md for the two commands a user
# needs (make run, make test) and docs/layout.md for what lives where.
#
# Every target installs what it needs first (scripts/install-deps.sh is a
# no-op once done), so a fresh Debian bookworm machine needs nothing else.

top   := $(CURDIR)
override BUILD := $(or $(strip $(BUILD)),$(top)/build)
JOBS  ?= 2
VM_TIMEOUT ?= 600

export BUILD

# Your own files in the guest image (make shell / make vm-run EXTRA=...):
# paths relative to the top of the repository or absolute, copied to
# /extra/ in the guest. See "Your own program in the VM" in README.md.
ifdef EXTRA
export VIPSEC_EXTRA := $(abspath $(EXTRA))
endif

# make install: PREFIX for the library, CLI, headers and man pages; the
# module's DKMS source always goes to /usr/src/virtio-ipsec-<version>
# (where dkms looks), under DESTDIR.
PREFIX ?= /usr/local
DKMS_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' $(top)/dkms.conf)
DKMS_SRC = $(DESTDIR)/usr/src/virtio-ipsec-$(DKMS_VERSION)

.PHONY: all deps kernel engine qemu module lib guest-tests run-build \
	test test-unit test-vm test-debug debug-kernel fuzz-long run shell bench style clean help \
	vm-run install install-dkms-src dkms-check

all: qemu module lib guest-tests

help:
	@echo "make run    - build everything, boot a VM with the device, run the VNF demo"
	@echo "make test   - build everything, run host unit tests and the in-guest tests"
	@echo "make test-debug - the in-guest tests on a KASAN/lockdep/kmemleak guest kernel"
	@echo "make bench  - print engine and full-path (VM) throughput figures"
	@echo "make fuzz-long - run every fuzz target to 10^7 executions (LONG_RUNS=, LONG_TIME= cap in s)"
	@echo "make shell  - boot the VM with the device and give a shell (interactive; EXTRA=paths)"
	@echo "make vm-run CMD='...' [EXTRA=paths] - run CMD in the VM with the device; succeeds when CMD does"
	@echo "make install [PREFIX=/usr/local] [DESTDIR=] - library, headers, .pc, vipsec, man pages, DKMS source"
	@echo "make style  - checkpatch (driver), clang-format (engine, user space), QEMU checkpatch (device)"

deps:
	@scripts/install-deps.sh

kernel: deps
	@scripts/fetch-kernel.sh $(BUILD)

engine: deps
	$(MAKE) -C engine BUILD=$(BUILD) -j$(JOBS)

qemu: engine
	scripts/build-qemu.sh $(BUILD)

module: kernel
	scripts/build-module.sh $(BUILD)

lib: engine
	$(MAKE) -C userspace/libg_ipsec_la BUILD=$(BUILD) -j$(JOBS)
	$(MAKE) -C userspace/vipsec-gw BUILD=$(BUILD)

# Every program these build lands in $(BUILD)/tests/guest/, which the VM
# harness runs one by one: the g-API suites, the driver's own suite, kernel
# XFRM interop, the engine's unit suite on the kernel crypto backend, the
# hot-unplug soak and the gateway demo (tests/gw: vipsec-gw between a LAN
# host and a Linux XFRM peer; also what make run shows).
GUEST_TEST_DIRS := tests/guest $(wildcard tests/driver tests/xfrm tests/engine-guest tests/soak tests/gw)

guest-tests: lib engine
	for d in $(GUEST_TEST_DIRS); do \
		$(MAKE) -C $$d BUILD=$(BUILD) -j$(JOBS) || exit 1; \
	done

# Host tests first (seconds), then the VM (minutes). run-tests.sh prints
# every suite's Check summary and a final "N passed, N failed, N skipped" line.
test: all
	scripts/run-tests.sh

# The guest suite on the debug kernel (KASAN, lockdep, DEBUG_OBJECTS,
# kmemleak; 100 hot-unplug soak cycles). The kernel is built once (10-25
# min) and cached outside the clone: scripts/build-debug-kernel.sh. With
# VIPSEC_QEMU set, that QEMU is used and none is built here.
debug-kernel: deps
	scripts/build-debug-kernel.sh $(BUILD)

test-debug: $(if $(VIPSEC_QEMU),,qemu) lib guest-tests
	scripts/run-tests.sh --debug

test-unit: engine lib
	scripts/run-tests.sh --host-only

test-vm: all
	tests/vm/run.sh --mode test --qmp --timeout $(VM_TIMEOUT) --build $(BUILD)

# Long fuzzing (make test runs each target ~20 s): every target to
# LONG_RUNS executions (10^7), optionally capped at LONG_TIME seconds; the
# execution count of each target is printed.
fuzz-long: engine
	$(MAKE) -C tests/fuzz BUILD=$(BUILD) long \
		$(if $(LONG_RUNS),LONG_RUNS=$(LONG_RUNS)) \
		$(if $(LONG_TIME),LONG_TIME=$(LONG_TIME))

# With VIPSEC_QEMU set, that QEMU is used and none is built here (as for
# test-debug). The build's output goes to BUILD/build.log; the console
# shows only the steps' own lines ("build-qemu: ...", "fetch-kernel: ...")
# and errors, then the demo's short report. V=1 shows everything.
run-build: $(if $(VIPSEC_QEMU),,qemu) module lib guest-tests

run:
ifeq ($(V),1)
	$(MAKE) run-build
else
	@mkdir -p $(BUILD)
	@echo "make run: building (full output in $(BUILD)/build.log)"
	@{ $(MAKE) --no-print-directory run-build 2>&1; echo $$? >$(BUILD)/build.rc; } | \
		tee $(BUILD)/build.log | grep --line-buffered -E '^[a-z-]+: |error:|Error [0-9]' || true
	@rc=$$(cat $(BUILD)/build.rc); if [ "$$rc" != 0 ]; then \
		echo "make run: the build failed (exit $$rc); the end of $(BUILD)/build.log:"; \
		tail -n 25 $(BUILD)/build.log; exit 1; fi
endif
	@tests/vm/run.sh --mode demo --timeout $(VM_TIMEOUT) --build $(BUILD)

shell: all
	tests/vm/run.sh --mode shell --timeout 3600 --build $(BUILD)

# Boots, runs CMD in the guest (in /extra, with /extra on PATH) with the
# device and the module loaded, prints its output and succeeds when CMD
# did (make makes every failure 2; run.sh --mode run exits with CMD's own
# status, 125 when the VM run itself failed). $(value) keeps CMD's $ signs for
# the guest's shell. With VIPSEC_QEMU set, that QEMU is used. What it
# builds first goes to stderr, so stdout is the command's output alone.
vm-run: export VIPSEC_CMD = $(value CMD)
vm-run:
	@if [ -z "$$VIPSEC_CMD" ]; then \
		echo "make vm-run: say what to run: make vm-run CMD='prog args' [EXTRA='prog files...']" >&2; \
		exit 2; \
	fi
	@$(MAKE) --no-print-directory $(if $(VIPSEC_QEMU),,qemu) module lib >&2
	@tests/vm/run.sh --mode run --timeout $(VM_TIMEOUT) --build $(BUILD)

# Like a Debian user expects: honours PREFIX and DESTDIR; man pages by
# glob (one per g-API function); the module as DKMS source (dkms.conf):
# then dkms install virtio-ipsec/$(DKMS_VERSION) -k <kernel release>.
# No deps step (it needs root): the library's Makefile builds what is
# missing, so a packager's unprivileged make install DESTDIR=... works.
install: install-dkms-src
	$(MAKE) -C userspace/libg_ipsec_la BUILD=$(BUILD) PREFIX=$(PREFIX) \
		$(if $(LIBDIR),LIBDIR=$(LIBDIR)) DESTDIR=$(DESTDIR) install
	$(MAKE) -C userspace/vipsec-gw BUILD=$(BUILD) PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) install
	@if [ -z "$(DESTDIR)" ]; then \
		ldconfig; \
		echo "install: module source in $(DKMS_SRC); build and install it with:"; \
		echo "  dkms install virtio-ipsec/$(DKMS_VERSION) -k <kernel release>"; \
	fi

# The module's source as dh_dkms would install it (no build products).
install-dkms-src:
	rm -rf $(DKMS_SRC)
	install -d $(DKMS_SRC)
	install -m 644 dkms.conf Kbuild $(DKMS_SRC)/
	find kernel/virtio_ipsec include/uapi/linux -type f \( -name '*.[ch]' -o -name Kbuild \) ! -name '*.mod.c' \
		-exec install -D -m 644 {} $(DKMS_SRC)/{} \;

# dkms add + build of the installed DKMS source against the guest kernel's
# installed headers, in a scratch DKMS tree (CI: .ci/run).
dkms-check: kernel
	scripts/dkms-check.sh $(BUILD)

# Figures, never assertions: the engine on one host core next to DPDK's
# rte_ipsec and raw intel-ipsec-mb (CSV and PNG under build/bench/), then
# the full path through the g-API in the VM next to the guest's own AF_ALG.
bench: all
	scripts/install-bench-deps.sh
	tests/bench/engine-bench.sh --build $(BUILD)
	tests/bench/vhost-bench.sh --build $(BUILD)
	tests/bench/run-vm-bench.sh --build $(BUILD)

# Each part judged by its model project's tool: docs/HACKING.md.
style:
	scripts/style.sh

clean:
	rm -rf $(BUILD)/engine $(BUILD)/lib $(BUILD)/tests $(BUILD)/module $(BUILD)/vm
	-$(MAKE) -C /usr/src/linux-headers-$$(cat $(BUILD)/kernel/release 2>/dev/null) M=$(top) clean >/dev/null 2>&1
