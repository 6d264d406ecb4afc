# gw502tui — build, test, run.  See README.md.
PROG     := gw502tui
VERSION  := 0.1.0
PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= cc
PKGS     := ncursesw libpcap yaml-0.1
WARN     := -std=c11 -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes -Wvla
CFLAGS   ?= -O2 -g
SAN      ?=
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
EXAMPLE  ?= examples/gw502-lab.pcap

# `make SAN=1 …` builds everything sanitized into build-san/.
ifeq ($(SAN),1)
BUILD    := build-san
XFLAGS   := $(SANFLAGS) -O1 -g
else
BUILD    := build
XFLAGS   :=
endif

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS = $(WARN) $(CFLAGS) $(XFLAGS) -D_GNU_SOURCE -DGW_VERSION='"$(VERSION)"' \
             -DGW_DATADIR='"$(PREFIX)/share/$(PROG)"' -Isrc $(PKG_CFLAGS)

LIB_SRC  := $(sort $(shell find src -name '*.c' ! -path src/main.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all deps test-deps check check-fast unit run lab install uninstall clean bench fuzz mutate

all: $(BUILD)/$(PROG)
	@ln -sf $(BUILD)/$(PROG) $(PROG)

V ?= 0
Q := $(if $(filter 1,$(V)),,@)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libgw.a: $(LIB_OBJ)
	@rm -f $@
	$(Q)ar rcs $@ $^

$(BUILD)/$(PROG): $(BUILD)/src/main.o $(BUILD)/libgw.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libgw.a
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  TEST    $@")
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(BUILD)/libgw.a $(PKG_LIBS) -lcmocka -lm

-include $(LIB_OBJ:.o=.d) $(BUILD)/src/main.d

# Packages needed to build (and, for check, to test); installed when missing.
deps:
	@tests/deps.sh build
test-deps:
	@tests/deps.sh test

TOOL_BIN := $(BUILD)/tests/pcapcheck

$(BUILD)/tests/pcapcheck: tests/tools/pcapcheck.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(PKG_LIBS)

unit: $(UNIT_BIN) $(TOOL_BIN)

# The whole suite, built with ASan+UBSan. Ends with "N passed, N failed".
check: test-deps
	@$(MAKE) --no-print-directory SAN=1 all unit
	@$(MAKE) --no-print-directory all
	@GW_BIN=$(CURDIR)/build-san/$(PROG) GW_BUILD=$(CURDIR)/build-san tests/run.sh

# Same suite without sanitizers (quicker while editing).
check-fast: test-deps all unit
	@GW_BIN=$(CURDIR)/$(BUILD)/$(PROG) GW_BUILD=$(CURDIR)/$(BUILD) tests/run.sh

run: deps all
	./$(BUILD)/$(PROG) $(EXAMPLE)

lab: test-deps all
	tests/lab/record.sh examples

# Speed and memory against the bare libpcap loop (issue 6), verdict accuracy
# against the generators' truth (issue 12); fails when a target FAILs. See
# doc/performance.md.
bench: all
	bench/run.sh

# libFuzzer harnesses (issue 7): FUZZ_SECONDS per harness, default 60.
FUZZ_SECONDS ?= 60
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh

# Mutation testing (issue 19): MUTATE_SAMPLE mutants per directory of
# src/diag, src/flow and src/proto (0: all), MUTATE_JOBS at once; see doc/testing.md.
MUTATE_SAMPLE ?= 60
MUTATE_SEED   ?= 1
MUTATE_JOBS   ?= 2
mutate:
	tests/mutate/run.sh --sample $(MUTATE_SAMPLE) --seed $(MUTATE_SEED) --jobs $(MUTATE_JOBS)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(PREFIX)/share/$(PROG)/themes
	install -m 755 $(BUILD)/$(PROG) $(DESTDIR)$(PREFIX)/bin/$(PROG)
	install -m 644 doc/$(PROG).1 $(DESTDIR)$(PREFIX)/share/man/man1/$(PROG).1
	install -m 644 doc/report.schema.json $(DESTDIR)$(PREFIX)/share/$(PROG)/report.schema.json
	for f in themes/*.yaml; do [ -e "$$f" ] || continue; \
	    install -m 644 "$$f" $(DESTDIR)$(PREFIX)/share/$(PROG)/themes/; done

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/$(PROG) $(DESTDIR)$(PREFIX)/share/man/man1/$(PROG).1
	rm -rf $(DESTDIR)$(PREFIX)/share/$(PROG)

clean:
	rm -rf build build-san $(PROG)
