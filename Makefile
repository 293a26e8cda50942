# vpnd build. Plain make: one small dependency-free file that every Debian machine can run;
# the tree is small enough that a generator (Meson/CMake) would add a tool without adding value.
#
#   make            release binary build/rel/vpnd
#   make run        install missing packages, build, serve on 127.0.0.1:8080 (./vpnd.db)
#   make check      install missing packages, build under ASan+UBSan, run unit + API tests,
#                   then the store contract suite and the API suite again on PostgreSQL
#   make check-pg   only the PostgreSQL pass (a private cluster, scripts/pg-test-cluster.sh)
#   make bench      benchmarks (see bench/README.md)

CC ?= cc
PKGS := libmicrohttpd jansson sqlite3 libcrypto libpq
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null | sed 's/-I/-isystem /g')
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN := -std=c17 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wconversion -Wformat=2 \
	-Wstrict-prototypes -Wmissing-prototypes -Wwrite-strings -Wvla -Wimplicit-fallthrough \
	-Wundef -Werror
BASE_CFLAGS := $(WARN) -Isrc $(PKG_CFLAGS) -MMD -MP
REL_CFLAGS := -O2 -g -D_FORTIFY_SOURCE=3 -fstack-protector-strong -fPIE
REL_LDFLAGS := -pie -Wl,-z,relro,-z,now
SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
LIB_SRC := $(shell find src -name '*.c' ! -path src/main.c | sort)
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))

REL_OBJ := $(LIB_SRC:%.c=build/rel/%.o)
SAN_OBJ := $(LIB_SRC:%.c=build/asan/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=build/asan/tests/%)

# Unit tests of one module: make unit-model, unit-store, unit-http, unit-auth ...
unit-%:
	$(MAKE) $(filter build/asan/tests/test_$*_%,$(UNIT_BIN))
	@set -e; for t in $(filter build/asan/tests/test_$*_%,$(UNIT_BIN)); do echo "# $$t"; $$t; done

.SECONDARY:
.PHONY: all run check check-pg pg-suites unit api deps test-deps bench clean format
all: build/rel/vpnd

build/rel/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(REL_CFLAGS) -DVPND_VERSION='"$(VERSION)"' -c $< -o $@

build/asan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(SAN_FLAGS) -DVPND_VERSION='"$(VERSION)"' -c $< -o $@

build/rel/vpnd: build/rel/src/main.o $(REL_OBJ)
	$(CC) $(REL_CFLAGS) $(REL_LDFLAGS) $^ $(PKG_LIBS) -o $@

build/asan/vpnd: build/asan/src/main.o $(SAN_OBJ)
	$(CC) $(SAN_FLAGS) $^ $(PKG_LIBS) -o $@

# A unit test links only its module and what that module may include (STYLE.md layering):
# tests/unit/test_<module>_*.c -> src/util + the module's own dependencies.
mod_objs = $(patsubst %.c,build/asan/%.o,$(shell find $(addprefix src/,$(1)) -name '*.c' | sort))
UTIL_DEPS := util
MODEL_DEPS := util model
STORE_DEPS := util model store
HTTP_DEPS := util http
AUTH_DEPS := util auth
API_DEPS := util model store http auth engine api

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
build/asan/tests/test_api_%: build/asan/tests/unit/test_api_%.o $(call mod_objs,$(API_DEPS))
	@mkdir -p $(dir $@)
	$(CC) $(SAN_FLAGS) $^ $(PKG_LIBS) -lcmocka -o $@

deps:
	@scripts/setup.sh

test-deps:
	@scripts/setup.sh --test

run: deps
	$(MAKE) build/rel/vpnd
	build/rel/vpnd serve --listen 127.0.0.1:8080 --db vpnd.db

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "# $$t"; $$t; done

api: build/asan/vpnd
	VPND_BIN=$(CURDIR)/build/asan/vpnd /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/api

# The release build is part of the check: -O2 enables warnings (-Warray-bounds, ...) that the
# -O1 sanitizer build does not see.
check: test-deps
	$(MAKE) build/rel/vpnd
	$(MAKE) unit
	$(MAKE) api
	$(MAKE) check-pg

# The same store contract suite (tests/unit/test_store_*) and API suite on PostgreSQL: a private
# cluster started for the run, or the one whose URL is in VPND_PG_URL (.ci/run starts one).
STORE_UNIT_BIN := $(filter build/asan/tests/test_store_%,$(UNIT_BIN))
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

format:
	clang-format -i $$(find src tests -name '*.[ch]')

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
