# Mercato build. `make` builds build/mercato (release); `make run` serves the
# demo shop; `make test` runs every test. See README.md.

CC      ?= cc
PKGS     = libmicrohttpd jansson libsodium sqlite3 libpq libcurl
# Tests build argv arrays from literals and pass cmocka state through void *,
# so they skip the two const checks.
TEST_WARN = -Wmissing-prototypes -Wstrict-prototypes -Wvla -Wpointer-arith
SRC_WARN  = $(TEST_WARN) -Wwrite-strings -Wcast-qual
CFLAGS_BASE = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wformat=2 \
	-Wno-unused-parameter -Isrc -Ibuild/gen -MMD -MP
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS     = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
REL_FLAGS  = -O2 -g -fno-omit-frame-pointer
SAN_FLAGS  = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined

SRCS      := $(shell find src -name '*.c' | sort)
LIB_SRCS  := $(filter-out src/main.c,$(SRCS))
MIGS      := $(shell find src/store/migrations -name '*.sql' | sort)
GEN       := build/gen/migrations.c
UNIT_SRCS := $(shell find tests/unit -name 'test_*.c' 2>/dev/null | sort)

REL_OBJS  := $(patsubst src/%.c,build/rel/%.o,$(SRCS)) build/rel/gen/migrations.o build/rel/gen/openapi.o build/rel/gen/web.o
SAN_LIB_OBJS := $(patsubst src/%.c,build/san/%.o,$(LIB_SRCS)) build/san/gen/migrations.o build/san/gen/openapi.o build/san/gen/web.o
REL_OBJS     += build/rel/gen/docs_page.o
SAN_LIB_OBJS += build/san/gen/docs_page.o
UNIT_BINS := $(patsubst tests/unit/%.c,build/unit/%,$(UNIT_SRCS))

.PHONY: all deps test-deps run test unit api e2e screenshots contract asan clean bench fuzz fuzz-build torture

all: build/mercato

deps:
	@bash scripts/deps.sh

# deps, and the npm tools only the tests need (outside the tree).
test-deps:
	@bash scripts/deps.sh --test-tools

$(GEN): $(MIGS) scripts/embed_sql.sh
	@mkdir -p $(dir $@)
	bash scripts/embed_sql.sh src/store/migrations > $@

build/rel/gen/migrations.o: $(GEN)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(REL_FLAGS) -c -o $@ $<
build/san/gen/migrations.o: $(GEN)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(SAN_FLAGS) -c -o $@ $<

# docs/openapi.json, served at GET /api/openapi.json (src/api/docs.c).
build/gen/openapi.c: docs/openapi.json scripts/embed_file.sh
	@mkdir -p $(dir $@)
	bash scripts/embed_file.sh docs/openapi.json mc_openapi_json > $@
build/rel/gen/openapi.o: build/gen/openapi.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(REL_FLAGS) -c -o $@ $<
build/san/gen/openapi.o: build/gen/openapi.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(SAN_FLAGS) -c -o $@ $<

# web/ (the storefront), served at / (src/api/web.c).
WEB_FILES := $(sort $(wildcard web/*.html web/*.js))
build/gen/web.c: $(WEB_FILES) scripts/embed_web.sh scripts/embed_file.sh
	@mkdir -p $(dir $@)
	bash scripts/embed_web.sh $(WEB_FILES) > $@
build/rel/gen/web.o: build/gen/web.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(REL_FLAGS) -c -o $@ $<
build/san/gen/web.o: build/gen/web.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(SAN_FLAGS) -c -o $@ $<

# The version mercato_build_info reports; metrics.c is rebuilt when it changes.
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
build/gen/version: FORCE
	@mkdir -p $(dir $@)
	@echo '$(VERSION)' | cmp -s - $@ || echo '$(VERSION)' > $@
build/rel/core/metrics.o build/san/core/metrics.o: build/gen/version
build/rel/core/metrics.o build/san/core/metrics.o: CFLAGS_BASE += -DMC_VERSION='"$(VERSION)"'
.PHONY: FORCE

# The /docs page (src/api/docs.c): docs/renderer/ embedded. The assets'
# names carry a hash of their bytes, so they are cached for good.
DOCS_PAGE := docs/renderer/index.html docs/renderer/docs.js docs/renderer/docs.css
build/gen/docs_page.c: $(DOCS_PAGE) scripts/embed_file.sh
	@mkdir -p $(dir $@)
	tag=$$(cat docs/renderer/docs.js docs/renderer/docs.css | sha256sum | cut -c1-12) && \
	sed "s/@TAG@/$$tag/g" docs/renderer/index.html > build/gen/docs.html && \
	{ bash scripts/embed_file.sh build/gen/docs.html mc_docs_html && \
	  bash scripts/embed_file.sh docs/renderer/docs.js mc_docs_js && \
	  bash scripts/embed_file.sh docs/renderer/docs.css mc_docs_css && \
	  echo "const char mc_docs_tag[] = \"$$tag\";"; } > $@.tmp && mv $@.tmp $@
build/rel/gen/docs_page.o: build/gen/docs_page.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(REL_FLAGS) -c -o $@ $<
build/san/gen/docs_page.o: build/gen/docs_page.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(SAN_FLAGS) -c -o $@ $<

build/rel/%.o: src/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS_BASE) $(SRC_WARN) $(PKG_CFLAGS) $(REL_FLAGS) -c -o $@ $<
build/san/%.o: src/%.c
	@mkdir -p $(dir $@)
	@echo "  CC-SAN  $<"
	@$(CC) $(CFLAGS_BASE) $(SRC_WARN) $(PKG_CFLAGS) $(SAN_FLAGS) -c -o $@ $<

build/mercato: $(REL_OBJS)
	$(CC) $(REL_FLAGS) -o $@ $^ $(LIBS)

# The sanitizer build the API tests run against.
build/asan/mercato: $(SAN_LIB_OBJS) build/san/main.o
	@mkdir -p $(dir $@)
	$(CC) $(SAN_FLAGS) -o $@ $^ $(LIBS)

asan: build/asan/mercato

# Each unit test is its own binary, linked with every module but main.c.
build/unit/%: tests/unit/%.c $(SAN_LIB_OBJS) tests/unit/unit.h
	@mkdir -p $(dir $@)
	@echo "  UNIT    $<"
	@$(CC) $(CFLAGS_BASE) $(TEST_WARN) $(PKG_CFLAGS) $(SAN_FLAGS) -Itests/unit -o $@ $< $(SAN_LIB_OBJS) $(LIBS) -lcmocka

# libFuzzer targets (tests/fuzz): the library built again with clang, each
# target linked with it; main.c stays out.
FUZZ_CC    = clang
# Two clang-only warnings gcc does not share: a va_list forwarder without a
# format attribute (callers are checked) and SQL split over literals.
FUZZ_FLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-Wno-format-nonliteral -Wno-string-concatenation
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRCS))
FUZZ_LIB_OBJS := $(patsubst src/%.c,build/fuzz/obj/%.o,$(LIB_SRCS)) build/fuzz/obj/gen/migrations.o \
	build/fuzz/obj/gen/openapi.o build/fuzz/obj/gen/web.o build/fuzz/obj/gen/docs_page.o

build/fuzz/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	@echo "  CC-FUZZ $<"
	@$(FUZZ_CC) $(CFLAGS_BASE) $(SRC_WARN) $(PKG_CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<
build/fuzz/obj/gen/%.o: build/gen/%.c
	@mkdir -p $(dir $@)
	@$(FUZZ_CC) $(CFLAGS_BASE) $(FUZZ_FLAGS) -c -o $@ $<
build/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(FUZZ_LIB_OBJS)
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $<"
	@$(FUZZ_CC) $(CFLAGS_BASE) $(TEST_WARN) $(PKG_CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer -Itests/fuzz -o $@ $< \
		$(FUZZ_LIB_OBJS) $(LIBS)
# Kept between builds: only the pattern rule above names them.
.SECONDARY: $(FUZZ_LIB_OBJS)

fuzz-build: deps
	@$(MAKE) --no-print-directory $(FUZZ_BINS)

# Every target for FUZZ_SECONDS (default 180) each, one after another; the
# inputs that add coverage are merged into tests/fuzz/corpus/<target>/.
FUZZ_SECONDS ?= 180
fuzz: fuzz-build
	@bash scripts/run_fuzz.sh --keep $(FUZZ_SECONDS) $(FUZZ_BINS)

unit: deps
	@$(MAKE) --no-print-directory $(UNIT_BINS)
	@bash scripts/run_unit.sh $(UNIT_BINS)

api: test-deps
	@$(MAKE) --no-print-directory build/asan/mercato
	@bash scripts/run_api.sh

run: deps
	@$(MAKE) --no-print-directory build/mercato
	./build/mercato seed
	./build/mercato serve

# The contract as integrators' tools see it: redocly lint, a typed client,
# the Postman collection under newman (README "Integrate").
contract: test-deps
	@$(MAKE) --no-print-directory build/asan/mercato
	@bash scripts/run_contract.sh

test: test-deps
	@$(MAKE) --no-print-directory build/mercato build/asan/mercato $(UNIT_BINS) $(FUZZ_BINS)
	@bash scripts/run_unit.sh $(UNIT_BINS)
	@bash scripts/run_fuzz.sh 12 $(FUZZ_BINS)
	@bash scripts/run_api.sh
	@bash scripts/run_e2e.sh
	@bash scripts/run_contract.sh
	@python3 tests/torture/memory.py --requests 500000 --warmup 300000 --round 5

e2e: test-deps
	@$(MAKE) --no-print-directory build/asan/mercato
	@bash scripts/run_e2e.sh

# Refreshes the README's pictures (the browser tests, saving into docs/).
screenshots: test-deps
	@$(MAKE) --no-print-directory build/asan/mercato
	@MERCATO_SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots bash scripts/run_e2e.sh

# The long versions: every fuzz target for TORTURE_FUZZ_SECONDS, 20 crash
# cycles per database with the fault tests, a million requests for memory.
TORTURE_FUZZ_SECONDS ?= 1800
torture: deps
	@$(MAKE) --no-print-directory build/mercato build/asan/mercato $(FUZZ_BINS)
	@bash scripts/run_fuzz.sh --keep $(TORTURE_FUZZ_SECONDS) $(FUZZ_BINS)
	@MERCATO_CRASH_CYCLES=20 bash scripts/run_api.sh tests/api/test_crash_cycles.py tests/api/test_faults.py
	@python3 tests/torture/memory.py

bench: deps
	@$(MAKE) --no-print-directory build/mercato
	bash bench/run

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
