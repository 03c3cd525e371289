# nsprobe top-level build. `make help` lists the targets.
#
# Everything that needs packages calls scripts/setup first; it is idempotent
# and quick once the machine is set up.

SHELL := /bin/bash
.DEFAULT_GOAL := all

BUILD      ?= $(CURDIR)/build
KDIR       ?= /lib/modules/$(shell uname -r)/build
BUILD_TYPE ?= RelWithDebInfo
JOBS       ?= $(shell nproc)
# WERROR=1: every warning is an error, in the tool (cmake -DNSPROBE_WERROR=ON),
# the module (NSP_WERROR=1 to kmod/Kbuild) and the test tools. Off for plain
# builds (make, make kmod, make demo); the check targets below turn it on, so
# make check fails on any warning.
WERROR     ?= 0
werror_on   = $(filter 1,$(WERROR))
CMAKE_WERROR = -DNSPROBE_WERROR=$(if $(werror_on),ON,OFF)

# Test-kernel matrix: the names in scripts/kernels.conf (first = default).
KERNELS        := $(shell awk '!/^\#/ && NF {print $$1}' scripts/kernels.conf)
DEFAULT_KERNEL := $(firstword $(KERNELS))
kabi = $(shell awk -v n=$(1) '!/^\#/ && $$1 == n {print $$2}' scripts/kernels.conf)

NSPROBE := $(BUILD)/userspace/userspace/nsprobe
# vm-run does not pass the environment into the guest, whose scripts find
# the build in $NSP_BUILD (default: build/ of the checkout): hand BUILD on,
# or make demo BUILD=DIR builds into DIR and then loads build/'s module.
GUEST_ENV := /usr/bin/env NSP_BUILD=$(BUILD)

.PHONY: all help setup setup-build userspace kmod kmod-matrix tools \
	check check-unit check-host check-vm demo bench clean

all: userspace kmod ## build the tool and the module for the running kernel

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 16

setup-build: ## install the Debian packages needed to build
	@scripts/setup --build

setup: ## install everything for the tests and the demo, fetch test kernels
	@scripts/setup

userspace: setup-build ## build the nsprobe tool, library and tests
	cmake -S . -B $(BUILD)/userspace -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_WERROR) >/dev/null
	cmake --build $(BUILD)/userspace -j $(JOBS)

# The tool alone (what the workshop needs), without the unit tests.
tool: setup-build ## build only the nsprobe tool (no unit tests)
	cmake -S . -B $(BUILD)/userspace -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_WERROR) >/dev/null
	cmake --build $(BUILD)/userspace -j $(JOBS) --target nsprobe

kmod: setup-build ## build kmod/nsprobe.ko for the running kernel (KDIR=...)
	@test -d $(KDIR) || { echo "nsprobe: no kernel build tree at $(KDIR)." \
	  "Install linux-headers-$$(uname -r), or pass KDIR=<kernel build dir>. (make demo and" \
	  "make check build for the test kernels instead.)" >&2; exit 1; }
	$(MAKE) -C kmod KDIR=$(KDIR)

# With WERROR=1 (make check) the compiler stops on a warning (-Werror) and
# any other warning line of the build (modpost, objtool) fails it too; the
# output is kept in build/kmod/<name>.log.
kmod-matrix: setup ## build nsprobe.ko for every test kernel into build/kmod/<name>/
	@set -eo pipefail; mkdir -p $(BUILD)/kmod; for k in $(KERNELS); do \
	  abi=$$(awk -v n=$$k '!/^#/ && $$1 == n {print $$2}' scripts/kernels.conf); \
	  $(MAKE) -C kmod KDIR=/lib/modules/$$abi/build OUT=$(BUILD)/kmod/$$k \
	    NSP_WERROR=$(if $(werror_on),1,0) 2>&1 | tee $(BUILD)/kmod/$$k.log; \
	  if [ -n "$(werror_on)" ] && grep -i 'warning' $(BUILD)/kmod/$$k.log >/dev/null; then \
	    echo "kmod-matrix: warnings in the $$k build (WERROR=1), see $(BUILD)/kmod/$$k.log:" >&2; \
	    grep -i 'warning' $(BUILD)/kmod/$$k.log >&2; exit 1; fi; \
	done

check: setup userspace userspace-asan fuzz kmod-matrix tools deb ## build everything (warnings are errors) and run every test
	tests/run-check $(KERNELS)

# The check targets build with every warning an error (WERROR above); make
# passes a target's variables on to the prerequisites it builds.
check check-unit check-host check-asan check-vm: WERROR := 1

check-unit: userspace ## unit tests (GoogleTest, no root)
	ctest --test-dir $(BUILD)/userspace --output-on-failure

check-host: userspace ## host integration tests (real netns + veth, no module; the kernel-log classifier)
	tests/host/t_kernel_log
	tests/host/run $(NSPROBE)

check-vm: kmod-matrix userspace tools ## VM tests on every kernel of the matrix
	tests/vm/run-all $(KERNELS)

# DKMS: scripts/dkms-tree stages kmod/, include/ and dkms.conf (from
# kmod/dkms.conf.in) into $(DKMS_SRC)/nsprobe-<version>, for "dkms add"
# (README, "With DKMS"). tests/host/dkms builds that tree with dkms for every
# test kernel, in temporary dkms trees; make check runs it.
DKMS_SRC ?= /usr/src
.PHONY: dkms-tree check-dkms
dkms-tree: ## stage the DKMS source tree /usr/src/nsprobe-<version> (DKMS_SRC=...)
	@scripts/dkms-tree $(DKMS_SRC)

check-dkms: setup ## dkms add, build (every test kernel), remove; leaves nothing behind
	tests/host/dkms

# Debian packages (README, "Debian packages"; docs/fleet.md): scripts/deb
# runs dpkg-buildpackage -b on a copy of the tree (debian/ is the packaging),
# then lintian, which must report no error. The packages land in
# $(BUILD)/deb; they are rebuilt when a file that goes into them is newer
# (DEB_INPUTS: what git knows of the tool, the module, debian/, the man page
# and the two scripts the build runs). make check
# installs them: tests/host/deb (dpkg -i, DKMS for every test kernel) and
# tests/vm/t_deb.sh (modprobe, the installed tool, in the guest).
DEB_VERSION := $(shell dpkg-parsechangelog -SVersion 2>/dev/null)
DEBS := $(BUILD)/deb/nsprobe_$(DEB_VERSION)_$(shell dpkg --print-architecture).deb \
	$(BUILD)/deb/nsprobe-dkms_$(DEB_VERSION)_all.deb
DEB_INPUTS := $(filter CMakeLists.txt userspace/% include/% kmod/% debian/% docs/nsprobe.1 \
	scripts/deb scripts/dkms-tree,$(shell git ls-files --cached --others --exclude-standard 2>/dev/null))
.PHONY: deb setup-deb check-deb
deb: $(DEBS) ## the Debian packages nsprobe and nsprobe-dkms, into build/deb (lintian-checked)
$(firstword $(DEBS)): $(wildcard $(DEB_INPUTS)) | setup-deb
	scripts/deb $(BUILD)/deb
$(lastword $(DEBS)): $(firstword $(DEBS))

setup-deb: ## install the Debian packages needed to build the .debs
	@scripts/setup --deb

check-deb: setup deb ## install the packages: dpkg -i and DKMS (host), modprobe and the tool (VM, default kernel)
	tests/host/deb
	scripts/vm-run --kernel $(DEFAULT_KERNEL) $(GUEST_ENV) tests/vm/guest-suite $(DEFAULT_KERNEL) t_deb.sh

# The debug kernel (KASAN, lockdep, kmemleak, UBSAN): slow, so not in check.
.PHONY: check-debug
check-debug: setup userspace tools ## VM tests + kmemleak on a locally built debug kernel
	BUILD=$(BUILD) scripts/check-debug

# Sanitizer and fuzz builds, beside the main g++ build; make check runs both
# (tests/run-check; docs/reliability.md).
ASAN_BUILD := $(BUILD)/userspace-asan
FUZZ_BUILD := $(BUILD)/fuzz
FUZZ_TARGETS := $(patsubst tests/fuzz/%.cpp,%,$(wildcard tests/fuzz/fuzz_*.cpp))
.PHONY: userspace-asan fuzz check-asan check-fuzz
userspace-asan: setup-build ## the tool and unit tests with ASan + UBSan (build/userspace-asan)
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DNSPROBE_SANITIZE=ON \
	  $(CMAKE_WERROR) >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS)

fuzz: setup-build ## the libFuzzer targets of tests/fuzz, built with clang (build/fuzz)
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	  -DNSPROBE_FUZZ=ON -DNSPROBE_BUILD_TESTS=OFF -DNSPROBE_WERROR=OFF >/dev/null
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target $(FUZZ_TARGETS)

check-asan: userspace-asan ## unit + host tests on the ASan/UBSan build
	ctest --test-dir $(ASAN_BUILD) --output-on-failure
	tests/host/run $(ASAN_BUILD)/userspace/nsprobe

check-fuzz: fuzz ## each fuzz target for FUZZ_SECONDS (default 20) from its seed corpus
	tests/fuzz/run $(FUZZ_BUILD)

# Small C programs the VM tests and the demo drive (exact UDP counts,
# signal targets). Plain cc: they need nothing but libc.
TOOLS := $(patsubst tests/tools/%.c,$(BUILD)/tools/%,$(wildcard tests/tools/*.c))
tools: $(TOOLS) ## the test tools of tests/tools (nsp-udp, nsp-sigtarget, ...) into build/tools
$(BUILD)/tools/%: tests/tools/%.c | setup-build
	@mkdir -p $(@D)
	$(CC) -O2 -g -Wall -Wextra $(if $(werror_on),-Werror) -o $@ $<

demo: setup userspace kmod-matrix tools ## boot the default test kernel and show nsprobe at work
	scripts/vm-run --kernel $(DEFAULT_KERNEL) $(GUEST_ENV) scripts/demo-guest

# The workshop (docs/workshop.md): "make workshop" lists the exercises,
# "make workshop-NAME" runs one in the default test kernel's guest
# (scripts/workshop-guest loads nsprobe.ko there, as make demo does). On a
# lab host with nsprobe loaded: scripts/workshop NAME.
.PHONY: workshop workshop-all workshop-build tool
workshop: ## list the workshop exercises (make workshop-NAME runs one in the test guest)
	@scripts/workshop --list
	@echo "run one: make workshop-NAME (test guest, kernel $(DEFAULT_KERNEL)); all: make workshop-all"
# An exercise needs the tool, the test tools and the module of the default
# kernel only: a first run builds those, not the unit tests nor the other
# kernels' modules (a third of the time).
workshop-build: setup
	@$(MAKE) --no-print-directory tool tools
	@$(MAKE) --no-print-directory kmod-matrix KERNELS=$(DEFAULT_KERNEL)
workshop-all: workshop-build ## every exercise, one after the other, in the test guest
	scripts/vm-run --kernel $(DEFAULT_KERNEL) $(GUEST_ENV) scripts/workshop-guest $$(scripts/workshop --list | awk '$$4 == "ready" {print $$1}')
# The name is checked first, in its own make (prerequisites may run in
# parallel): a typo or a "not yet" exercise fails at once, not after the
# builds and a guest boot.
workshop-%:
	@$(MAKE) --no-print-directory workshop-name-$*
	@$(MAKE) --no-print-directory workshop-build
	scripts/vm-run --kernel $(DEFAULT_KERNEL) $(GUEST_ENV) scripts/workshop-guest $*
workshop-name-%:
	@scripts/workshop --list | awk -v n='$*' '$$1 == n && $$4 == "ready" {ok = 1} END {exit !ok}' || \
		{ echo "make: workshop-$*: no exercise ready by that name:" >&2; scripts/workshop --list >&2; exit 2; }

# Robustness runs that are not part of check (docs/reliability.md, "Kernel
# stress"): 100 load/unload cycles of nsprobe under traffic, netns churn,
# signal storms, debugfs readers and writers and veth.ko reloads
# (tests/vm/stress_*.sh), on every kernel of the matrix, about 20-25 min
# each under TCG. Goes on after a failed kernel; a summary line per kernel;
# fails if any failed. NSP_STRESS_CYCLES=N etc. (see the test) are passed on.
.PHONY: stress bench bench-kmod bench-veth-tax bench-scale
stress: kmod-matrix userspace tools ## stress suite in the VM (not part of check)
	tests/vm/run-stress $(KERNELS)

# bench/hookcost (hookcost.ko, the floor of one hook hit) for every test
# kernel, into build/bench/<name>/: bench-veth prices a kprobe, a kretprobe
# and a tracepoint apart from nsprobe's handlers.
bench-kmod: setup ## hookcost.ko (bench/hookcost) for every test kernel, for make bench
	@set -e; for k in $(KERNELS); do \
	  abi=$$(awk -v n=$$k '!/^#/ && $$1 == n {print $$2}' scripts/kernels.conf); \
	  mkdir -p $(BUILD)/bench/$$k; cp bench/hookcost/Kbuild bench/hookcost/hookcost.c $(BUILD)/bench/$$k/; \
	  $(MAKE) -C /lib/modules/$$abi/build M=$(abspath $(BUILD))/bench/$$k NSP_WERROR=$(if $(werror_on),1,0) modules; \
	done

bench: setup userspace kmod-matrix tools bench-kmod ## benchmarks (never part of check)
	@scripts/setup --bench
	BUILD=$(BUILD) scripts/bench

# The veth tax (issue 12): sockperf request/response on loopback, across
# veth, veth + bridge and veth + bridge + NAT, then nsprobe latency=1's
# breakdown of the difference (time in veth_xmit, wait in the backlog,
# crossing); one instruction-counted guest on VETH_TAX_KERNEL, about 75 min
# under TCG. Results and the plot in $(BUILD)/bench/veth-tax-<kernel>.*;
# docs/performance.md. make bench runs it on 6.12 and 6.1. Never part of check.
VETH_TAX_KERNEL ?= 6.12
bench-veth-tax: setup tool kmod-matrix ## veth's cost per request/response, 4 setups, with nsprobe's breakdown (guest, not check)
	@scripts/setup --bench
	BUILD=$(BUILD) scripts/bench-veth-tax --kernel $(VETH_TAX_KERNEL)

# Scale (issue 10 item 2): 1000 then 10000 netns, every 10th with a veth,
# each with three signals; the time and bytes of a full read of each
# debugfs file, and the wall time, max RSS and CPU of show --json,
# signals --json, signals --events --json and signals --events, median of
# 3 runs, in an 8 GiB guest on SCALE_KERNEL. Goal: show --json at 10000
# netns under 3 s and 300 MB. About 25 min under TCG; docs/performance.md.
# make bench runs it. Never part of check.
SCALE_KERNEL ?= 6.12
bench-scale: setup tool kmod-matrix tools ## 1000 and 10000 netns with events: debugfs reads, show, signals (guest, not check)
	BUILD=$(BUILD) scripts/bench-scale --kernel $(SCALE_KERNEL)

clean: ## remove build outputs (not the kernel cache)
	rm -rf $(BUILD)
	$(MAKE) -C kmod clean KDIR=$(KDIR) 2>/dev/null || true
