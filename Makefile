# Mercato build. `make` builds build/mercato (release); `make run` serves the
# demo shop; `make test` runs every test. See README.md.

CC      ?= cc
PKGS     = libmicrohttpd jansson libjwt libsodium sqlite3 libpq libcurl
CFLAGS_BASE = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wformat=2 \
	-Wno-unused-parameter -Isrc -Ibuild/gen $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS     = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
REL_FLAGS  = -O2 -g -fno-omit-frame-pointer
SAN_FLAGS  = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined

SRCS     := $(shell find src -name '*.c' | sort)
LIB_SRCS := $(filter-out src/main.c,$(SRCS))
HDRS     := $(shell find src -name '*.h')
MIGS     := $(shell find src/store/migrations -name '*.sql' | sort)
GEN      := build/gen/migrations.c
UNIT_SRCS := $(shell find tests/unit -name 'test_*.c' 2>/dev/null | sort)

.PHONY: all deps run test unit api asan clean bench

all: build/mercato

deps:
	@bash scripts/deps.sh

$(GEN): $(MIGS) scripts/embed_sql.sh
	@mkdir -p $(dir $@)
	bash scripts/embed_sql.sh src/store/migrations > $@

build/mercato: $(SRCS) $(HDRS) $(GEN)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(REL_FLAGS) -o $@ $(SRCS) $(GEN) $(LIBS)

build/asan/mercato: $(SRCS) $(HDRS) $(GEN)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(SAN_FLAGS) -o $@ $(SRCS) $(GEN) $(LIBS)

asan: build/asan/mercato

# Each unit test is its own binary, linked with every module but main.c.
build/unit/%: tests/unit/%.c $(LIB_SRCS) $(HDRS) $(GEN) tests/unit/unit.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(SAN_FLAGS) -Itests/unit -o $@ $< $(LIB_SRCS) $(GEN) $(LIBS) -lcmocka

UNIT_BINS := $(patsubst tests/unit/%.c,build/unit/%,$(UNIT_SRCS))

unit: deps $(UNIT_BINS)
	@bash scripts/run_unit.sh $(UNIT_BINS)

api: deps build/asan/mercato
	@bash scripts/run_api.sh

run: deps build/mercato
	./build/mercato migrate
	./build/mercato seed
	./build/mercato serve

test: deps
	@$(MAKE) --no-print-directory build/mercato build/asan/mercato $(UNIT_BINS)
	@bash scripts/run_unit.sh $(UNIT_BINS)
	@bash scripts/run_api.sh

bench: deps build/mercato
	bash bench/run

clean:
	rm -rf build
