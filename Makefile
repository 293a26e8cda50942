# vpnd build. Plain make: one small dependency-free file that every Debian machine can run;
# the tree is small enough that a generator (Meson/CMake) would add a tool without adding value.
#
#   make            release binary build/rel/vpnd
#   make run        install missing packages, build, serve on 127.0.0.1:8080 (./vpnd.db)
#   make check      install missing packages, build under ASan+UBSan, run unit + API tests,
#                   then the store contract suite and the API suite again on PostgreSQL
#   make check-pg   only the PostgreSQL pass (a private cluster, scripts/pg-test-cluster.sh)
#   make check-dataplane  real strongSwan tunnels in network namespaces (tests/dataplane)
#   make bench      benchmarks (see bench/README.md); make bench-dataplane: strongSwan timings;
#                   make bench-tls: a TLS GET against nginx over TLS
#   make openapi    spec/openapi.json from the route table and spec/sdk-models/
#   make fuzz       libFuzzer harnesses (clang); make fuzz-run FUZZ_SECONDS=60 (fuzz/README.md)
#   make install    PREFIX=/usr/local DESTDIR= : binary, man pages, unit, config, sysusers entry
#   make check-package  builds the .deb (dpkg-buildpackage), lintian, runs the installed files

CC ?= cc
PKGS := jansson sqlite3 libssl libcrypto libpq libsystemd libzstd
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null | sed 's/-I/-isystem /g')
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lhttp_parser

WARN := -std=c17 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wconversion -Wformat=2 \
	-Wstrict-prototypes -Wmissing-prototypes -Wwrite-strings -Wvla -Wimplicit-fallthrough \
	-Wundef -Werror
BASE_CFLAGS := $(WARN) -Isrc $(PKG_CFLAGS) -MMD -MP
REL_CFLAGS := -O2 -g -D_FORTIFY_SOURCE=3 -fstack-protector-strong -fPIE
REL_LDFLAGS := -pie -Wl,-z,relro,-z,now
SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
LIB_SRC := $(shell find src -name '*.c' ! -path src/main.c | sort)
# Data built into the binary (.incbin): api/openapi_blob.S holds spec/openapi.json
LIB_ASM := $(shell find src -name '*.S' | sort)
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))

REL_OBJ := $(LIB_SRC:%.c=build/rel/%.o) $(LIB_ASM:%.S=build/rel/%.o)
SAN_OBJ := $(LIB_SRC:%.c=build/asan/%.o) $(LIB_ASM:%.S=build/asan/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=build/asan/tests/%)

# Unit tests of one module: make unit-model, unit-store, unit-http, unit-auth ...
unit-%:
	$(MAKE) $(filter build/asan/tests/test_$*_%,$(UNIT_BIN))
	@set -e; for t in $(filter build/asan/tests/test_$*_%,$(UNIT_BIN)); do echo "# $$t"; $$t; done

.SECONDARY:
.PHONY: all install uninstall check-package run check check-pg pg-suites unit api deps test-deps bench clean format fuzz fuzz-run \
	fuzz-replay fuzz-cov check-dataplane bench-dataplane bench-tls openapi
all: build/rel/vpnd

build/rel/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(REL_CFLAGS) -DVPND_VERSION='"$(VERSION)"' -c $< -o $@

build/asan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(SAN_FLAGS) -DVPND_VERSION='"$(VERSION)"' -c $< -o $@

# .incbin paths are relative to the top of the tree, where make runs
build/rel/%.o build/asan/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) -c $< -o $@
build/fuzz/%.o build/cov/%.o: %.S
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -c $< -o $@
$(foreach b,rel asan fuzz cov,build/$(b)/src/api/openapi_blob.o): spec/openapi.json

build/rel/vpnd: build/rel/src/main.o $(REL_OBJ)
	$(CC) $(REL_CFLAGS) $(REL_LDFLAGS) $^ $(PKG_LIBS) -o $@

# The VICI client's event throughput (bench/README.md "Data plane"): release objects only.
build/rel/vici_events_bench: bench/vici_events.c $(patsubst %.c,build/rel/%.o,$(shell find src/util src/model src/driver -name '*.c' | sort))
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(REL_CFLAGS) $(REL_LDFLAGS) $^ $(PKG_LIBS) -o $@

build/rel/pread_probe: bench/pread_probe.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(REL_CFLAGS) $< -o $@

build/asan/vpnd: build/asan/src/main.o $(SAN_OBJ)
	$(CC) $(SAN_FLAGS) $^ $(PKG_LIBS) -o $@

# A unit test links only its module and what that module may include (STYLE.md layering):
# tests/unit/test_<module>_*.c -> src/util + the module's own dependencies.
mod_objs = $(patsubst %.S,build/asan/%.o,$(patsubst %.c,build/asan/%.o,$(shell find \
	$(addprefix src/,$(1)) -name '*.c' -o -name '*.S' | sort)))
UTIL_DEPS := util
MODEL_DEPS := util model
STORE_DEPS := util model store
HTTP_DEPS := util http
AUTH_DEPS := util auth
SVC_DEPS := util model store service
API_DEPS := util model store service transfer control http auth engine api
CONFIG_DEPS := util model config
DRIVER_DEPS := util model driver
ENGINE_DEPS := util model store service driver engine

build/asan/tests/test_util_%: build/asan/tests/unit/test_util_%.o $(call mod_objs,$(UTIL_DEPS))
	@mkdir -p $(dir $@)
	$(CC) $(SAN_FLAGS) $^ $(PKG_LIBS) -lcmocka -o $@
build/asan/tests/test_model_%: build/asan/tests/unit/test_model_%.o $(call mod_objs,$(MODEL_DEPS))
	@mkdir -p $(dir $@)
	$(CC) $(SAN_FLAGS) $^ $(PKG_LIBS) -lcmocka -o $@
build/asan/tests/test_store_%: build/asan/tests/unit/test_store_%.o $(call mod_objs,$(STORE_DEPS))
	@mkdir -p $(dir $@)
	$(CC) $(SAN_FLAGS) $^ $(PKG_LIBS) -lcmocka -o $@
build/asan/tests/test_http_%: build/asan/tests/unit/test_http_%.o $(call mod_objs,$(HTTP_DEPS))
	@mkdir -p $(dir $@)
	$(CC) $(SAN_FLAGS) $^ $(PKG_LIBS) -lcmocka -lpthread -o $@
build/asan/tests/test_auth_%: build/asan/tests/unit/test_auth_%.o $(call mod_objs,$(AUTH_DEPS))
	@mkdir -p $(dir $@)
	$(CC) $(SAN_FLAGS) $^ $(PKG_LIBS) -lcmocka -o $@
build/asan/tests/test_svc_%: build/asan/tests/unit/test_svc_%.o $(call mod_objs,$(SVC_DEPS))
	@mkdir -p $(dir $@)
	$(CC) $(SAN_FLAGS) $^ $(PKG_LIBS) -lcmocka -o $@
build/asan/tests/test_config_%: build/asan/tests/unit/test_config_%.o $(call mod_objs,$(CONFIG_DEPS))
	@mkdir -p $(dir $@)
	$(CC) $(SAN_FLAGS) $^ $(PKG_LIBS) -lcmocka -o $@
build/asan/tests/test_api_%: build/asan/tests/unit/test_api_%.o $(call mod_objs,$(API_DEPS))
	@mkdir -p $(dir $@)
	$(CC) $(SAN_FLAGS) $^ $(PKG_LIBS) -lcmocka -o $@
build/asan/tests/test_driver_%: build/asan/tests/unit/test_driver_%.o $(call mod_objs,$(DRIVER_DEPS))
	@mkdir -p $(dir $@)
	$(CC) $(SAN_FLAGS) $^ $(PKG_LIBS) -lcmocka -o $@
build/asan/tests/test_engine_%: build/asan/tests/unit/test_engine_%.o $(call mod_objs,$(ENGINE_DEPS))
	@mkdir -p $(dir $@)
	$(CC) $(SAN_FLAGS) $^ $(PKG_LIBS) -lcmocka -o $@

# The data-plane test tool (tests/dataplane): vpnd's VICI codec, client and mapping against a
# real charon.
build/asan/tests/vici_tool: build/asan/tests/dataplane/vici_tool.o $(call mod_objs,$(DRIVER_DEPS))
	@mkdir -p $(dir $@)
	$(CC) $(SAN_FLAGS) $^ $(PKG_LIBS) -o $@

# Fault injection (tests/fault/fault.h), linked only into the tests that use it: a store that
# fails its Nth call, and an allocator hook that needs every object's malloc, calloc, realloc
# and strdup sent through it (--wrap). Never part of vpnd.
FAULT_OBJ := build/asan/tests/fault/store_fault.o build/asan/tests/fault/alloc_fault.o
FAULT_WRAP := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup
FAULT_TESTS := build/asan/tests/test_api_faults build/asan/tests/test_api_errors
$(FAULT_TESTS): build/asan/tests/test_api_%: build/asan/tests/unit/test_api_%.o $(FAULT_OBJ) \
		$(call mod_objs,$(API_DEPS))
	@mkdir -p $(dir $@)
	$(CC) $(SAN_FLAGS) $^ $(PKG_LIBS) -lcmocka $(FAULT_WRAP) -o $@

deps:
	@scripts/setup.sh

test-deps:
	@scripts/setup.sh --test

# Settings come from the environment (VPND_LISTEN=..., VPND_DB=...) or ARGS="--listen ...";
# vpnd prints the store it opened and the address it listens on.
run: deps
	$(MAKE) build/rel/vpnd
	build/rel/vpnd serve $(ARGS)

# make install [PREFIX=/usr/local] [DESTDIR=]: with PREFIX=/usr (the Debian package) the config
# goes to /etc and the unit to /lib/systemd/system; otherwise both under PREFIX. An existing
# config file is kept.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/vpnd
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
UNITDIR ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
INSTALL_FILES := $(BINDIR)/vpnd $(MANDIR)/man8/vpnd.8 $(MANDIR)/man5/vpnd.conf.5 \
	$(UNITDIR)/vpnd.service $(SYSUSERSDIR)/vpnd.conf $(DOCDIR)/examples/vici.conf

install: build/rel/vpnd
	install -D -m 0755 build/rel/vpnd $(DESTDIR)$(BINDIR)/vpnd
	install -D -m 0644 man/vpnd.8 $(DESTDIR)$(MANDIR)/man8/vpnd.8
	install -D -m 0644 man/vpnd.conf.5 $(DESTDIR)$(MANDIR)/man5/vpnd.conf.5
	install -d $(DESTDIR)$(UNITDIR)
	sed -e 's|/usr/bin/vpnd|$(BINDIR)/vpnd|g' -e 's|/etc/vpnd/|$(SYSCONFDIR)/vpnd/|g' \
		dist/vpnd.service > $(DESTDIR)$(UNITDIR)/vpnd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/vpnd.service
	install -D -m 0644 dist/vpnd.sysusers $(DESTDIR)$(SYSUSERSDIR)/vpnd.conf
	install -D -m 0644 dist/vici.conf $(DESTDIR)$(DOCDIR)/examples/vici.conf
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/vpnd/vpnd.conf ]; then \
		echo "install: keeping $(DESTDIR)$(SYSCONFDIR)/vpnd/vpnd.conf"; \
	else install -D -m 0644 dist/vpnd.conf $(DESTDIR)$(SYSCONFDIR)/vpnd/vpnd.conf; fi

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALL_FILES))
	@echo "uninstall: $(DESTDIR)$(SYSCONFDIR)/vpnd/vpnd.conf is left in place"

# The Debian package from debian/ (dpkg-buildpackage in a copy of the tree that reuses
# build/rel), lintian, systemd-analyze, and the installed binary and config serving a flow.
check-package: build/rel/vpnd
	VPND_BIN=$(CURDIR)/build/rel/vpnd /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/package

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "# $$t"; $$t; done

api: build/asan/vpnd
	VPND_BIN=$(CURDIR)/build/asan/vpnd /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/api

# The release build is part of the check: -O2 enables warnings (-Warray-bounds, ...) that the
# -O1 sanitizer build does not see.
check: test-deps
	@scripts/check-layers.sh
	$(MAKE) build/rel/vpnd
	$(MAKE) unit
	$(MAKE) fuzz-replay
	$(MAKE) check-dataplane
	$(MAKE) api
	$(MAKE) check-package
	$(MAKE) check-pg

# Real tunnels: two charons in network namespaces driven through vpnd's VICI codec, client and
# mapping, and by the vpnd binary itself with --driver strongswan (tests/dataplane/README.md).
# Needs root; skipped with one line where namespaces cannot be created.
check-dataplane: build/asan/tests/vici_tool build/asan/vpnd
	@tests/dataplane/run.sh

# The same store contract suite (tests/unit/test_store_*, and test_svc_* over the same fixture)
# and API suite on PostgreSQL: a private cluster started for the run, or the one whose URL is in
# VPND_PG_URL (.ci/run starts one).
STORE_UNIT_BIN := $(filter build/asan/tests/test_store_% build/asan/tests/test_svc_% \
	build/asan/tests/test_engine_%,$(UNIT_BIN))
# Without PostgreSQL installed (scripts/setup.sh --test installs it) and no VPND_PG_URL, the pass
# is skipped with a notice; .ci/run always provides VPND_PG_URL, so CI never skips it.
check-pg: build/asan/vpnd $(STORE_UNIT_BIN)
	@if [ -z "$$VPND_PG_URL" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		echo "check-pg: SKIPPED, PostgreSQL is not installed (apt-get install postgresql)"; \
		exit 0; fi; \
	scripts/pg-test-cluster.sh run -- $(MAKE) --no-print-directory pg-suites

pg-suites:
	@test -n "$$VPND_PG_URL" || { echo "pg-suites: set VPND_PG_URL (make check-pg does)" >&2; exit 1; }
	@set -e; for t in $(STORE_UNIT_BIN); do echo "# $$t (postgres)"; \
		VPND_TEST_STORE_URL="$$VPND_PG_URL" $$t; done
	VPND_TEST_DB_URL="$$VPND_PG_URL" VPND_TEST_PG_RESTART="$$VPND_PG_RESTART" \
		VPND_BIN=$(CURDIR)/build/asan/vpnd \
		/usr/bin/python3 -m pytest -q -p no:cacheprovider tests/api

bench: deps
	$(MAKE) build/rel/vpnd
	bench/run.sh

# A TLS GET against nginx serving the same body over TLS, in the same run (bench/README.md).
bench-tls: deps
	@scripts/setup.sh --bench
	$(MAKE) build/rel/vpnd
	/usr/bin/python3 bench/tls.py build/rel/vpnd

# The OpenAPI document from the route table and spec/sdk-models/ (tests/api/test_openapi.py
# fails while the committed one is stale); the binary is built again with the new document.
openapi: build/rel/vpnd
	/usr/bin/python3 scripts/gen-openapi.py --vpnd build/rel/vpnd
	$(MAKE) build/rel/vpnd

bench-dataplane: test-deps build/asan/tests/vici_tool build/rel/vici_events_bench build/rel/vpnd
	/usr/bin/python3 bench/dataplane.py
	/usr/bin/python3 bench/dataplane_vpnd.py --binary build/rel/vpnd
	build/rel/vici_events_bench 300000

# Fuzzing (fuzz/README.md). `make fuzz` builds the libFuzzer binaries with clang into
# build/fuzz; `make fuzz-run` runs each in turn for FUZZ_SECONDS on a scratch copy of its
# corpus (new inputs land in build/fuzz/corpus/<name>; copy the useful ones into fuzz/corpus).
# `make fuzz-replay` (part of check) links each harness with a plain main under gcc
# ASan+UBSan and replays the committed corpus: no clang, a second or two.
FUZZ_CC ?= clang
FUZZ_NAMES := conn_body vgw_body cgw_body tag_body router auth http vici_msg
FUZZ_SECONDS ?= 60
FUZZ_SAN := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_OBJ := $(LIB_SRC:%.c=build/fuzz/%.o) $(LIB_ASM:%.S=build/fuzz/%.o)
FUZZ_BIN := $(FUZZ_NAMES:%=build/fuzz/fuzz_%)
REPLAY_BIN := $(FUZZ_NAMES:%=build/asan/fuzz/replay_%)

build/fuzz/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(BASE_CFLAGS) -I. $(FUZZ_SAN) -fsanitize=fuzzer-no-link -DVPND_VERSION='"$(VERSION)"' -c $< -o $@

build/fuzz/fuzz_%: build/fuzz/fuzz/fuzz_%.o $(FUZZ_OBJ)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer $^ $(PKG_LIBS) -o $@

build/asan/fuzz/%.o: fuzz/%.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -I. $(SAN_FLAGS) -c $< -o $@

build/asan/fuzz/replay_%: build/asan/fuzz/fuzz_%.o build/asan/fuzz/replay_main.o $(SAN_OBJ)
	$(CC) $(SAN_FLAGS) $^ $(PKG_LIBS) -o $@

fuzz:
	@scripts/setup.sh --fuzz
	$(MAKE) $(FUZZ_BIN)

fuzz-run: fuzz
	@set -e; for n in $(FUZZ_NAMES); do \
	    mkdir -p build/fuzz/corpus/$$n build/fuzz/artifacts/$$n; \
	    dict=; [ -f fuzz/dict/$$n.dict ] && dict=-dict=fuzz/dict/$$n.dict; \
	    echo "# fuzz_$$n for $(FUZZ_SECONDS) s"; \
	    build/fuzz/fuzz_$$n $$dict -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	        -max_len=65536 -print_final_stats=1 -artifact_prefix=build/fuzz/artifacts/$$n/ \
	        build/fuzz/corpus/$$n fuzz/corpus/$$n; \
	done

# Line coverage of the committed corpora plus what fuzz-run found (clang source coverage).
COV_FLAGS := -O0 -g -fprofile-instr-generate -fcoverage-mapping
COV_OBJ := $(LIB_SRC:%.c=build/cov/%.o) $(LIB_ASM:%.S=build/cov/%.o)
build/cov/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(BASE_CFLAGS) -I. $(COV_FLAGS) -DVPND_VERSION='"$(VERSION)"' -c $< -o $@
build/cov/replay_%: build/cov/fuzz/fuzz_%.o build/cov/fuzz/replay_main.o $(COV_OBJ)
	$(FUZZ_CC) $(COV_FLAGS) $^ $(PKG_LIBS) -o $@
fuzz-cov: $(FUZZ_NAMES:%=build/cov/replay_%)
	@set -e; for n in $(FUZZ_NAMES); do \
	    mkdir -p build/fuzz/corpus/$$n; \
	    LLVM_PROFILE_FILE=build/cov/$$n.profraw build/cov/replay_$$n fuzz/corpus/$$n build/fuzz/corpus/$$n; \
	    llvm-profdata merge -o build/cov/$$n.profdata build/cov/$$n.profraw; \
	    case $$n in conn_body) src="$(wildcard src/model/conn_*.c)";; vgw_body) src="$(wildcard src/model/vgw_*.c)";; \
	        cgw_body) src=src/model/cgw.c;; tag_body) src="src/model/tag_body.c src/model/tags.c";; \
	        router) src="src/api/router.c src/api/query.c";; auth) src="$(wildcard src/auth/*.c)";; \
	        http) src="src/http/head.c src/http/chunked.c";; \
	        vici_msg) src=src/driver/strongswan/vici_msg.c;; esac; \
	    echo "# $$n: line coverage of $$src"; \
	    llvm-cov report build/cov/replay_$$n -instr-profile=build/cov/$$n.profdata $$src \
	        | awk 'NF >= 13 && $$1 != "Filename" { print "  " $$1, "lines", $$8 - $$9 "/" $$8, "(" $$10 ")" }'; \
	done

fuzz-replay: $(REPLAY_BIN)
	@set -e; for n in $(FUZZ_NAMES); do build/asan/fuzz/replay_$$n fuzz/corpus/$$n; done

format:
	clang-format -i $$(find src tests -name '*.[ch]')

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
