# gw502tui — build, test, run.  See README.md.
PROG     := gw502tui
VERSION  := 0.1.0
PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= cc
PKGS     := ncursesw libpcap yaml-0.1 zlib
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
ALL_CFLAGS = $(WARN) $(CFLAGS) $(XFLAGS) -pthread -D_GNU_SOURCE -DGW_VERSION='"$(VERSION)"' \
             -DGW_DATADIR='"$(PREFIX)/share/$(PROG)"' -Isrc $(PKG_CFLAGS)

LIB_SRC  := $(sort $(shell find src -name '*.c' ! -path src/main.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all deps test-deps check check-fast unit run lab install uninstall clean bench fuzz mutate
.PHONY: static deb

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
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit -MMD -MP -MF $(dir $@).$(notdir $@).d -o $@ $< $(BUILD)/libgw.a $(PKG_LIBS) -lcmocka -lm

# the tests' own headers (tests/unit/*.h) too: a changed scene rebuilds
# them (hidden .d files: build/tests/test_* are all programs to run)
-include $(LIB_OBJ:.o=.d) $(BUILD)/src/main.d \
    $(foreach b,$(UNIT_BIN),$(dir $(b)).$(notdir $(b)).d)

# The terminfo entries the TUI writes out when the box has no terminfo
# database (src/ui/terminfo.c), generated from this system's, never committed.
TERMINFO_BUILTIN := xterm xterm-256color screen screen-256color tmux tmux-256color vt100 linux
$(BUILD)/gen/terminfo_builtin.inc: tools/terminfo_builtin.sh Makefile
	@mkdir -p $(dir $@)
	$(Q)sh tools/terminfo_builtin.sh $(TERMINFO_BUILTIN) >$@.tmp && mv $@.tmp $@
$(BUILD)/src/ui/terminfo.o: $(BUILD)/gen/terminfo_builtin.inc
$(BUILD)/src/ui/terminfo.o: ALL_CFLAGS += -I$(BUILD)/gen

# One binary for an appliance (issue 16): libpcap, ncursesw, tinfo, libyaml
# and glibc linked in, static-pie. Debian's libdbus-1.a (libpcap's D-Bus
# capture) wants libsystemd's socket activation, which Debian ships only as
# a .so: tools/sd_listen_none.c answers "no sockets passed" instead, from an
# archive the linker opens only when libdbus asks. The linker's warnings
# that getpwnam, getaddrinfo … need glibc's shared libraries at run time
# concern NSS modules other than files and dns, which glibc has built in.
STATIC_LIBS = $(filter-out -lsystemd,$(shell pkg-config --static --libs $(PKGS) 2>/dev/null))

static: deps $(BUILD)/$(PROG)-static

$(BUILD)/static/libsd_listen_none.a: tools/sd_listen_none.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $(BUILD)/static/sd_listen_none.o
	$(Q)rm -f $@ && ar rcs $@ $(BUILD)/static/sd_listen_none.o

$(BUILD)/$(PROG)-static: $(BUILD)/src/main.o $(BUILD)/libgw.a $(BUILD)/static/libsd_listen_none.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -static-pie -o $@ $(BUILD)/src/main.o $(BUILD)/libgw.a \
	    $(STATIC_LIBS) $(BUILD)/static/libsd_listen_none.a -lm

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

# Where install puts the bash completion, the fleet's systemd unit (its
# ExecStart names $(PREFIX)/bin) and the example configuration (issue 16).
COMPDIR  ?= $(PREFIX)/share/bash-completion/completions
UNITDIR  ?= $(PREFIX)/lib/systemd/system
DOCDIR   ?= $(PREFIX)/share/doc/$(PROG)
UNIT     := $(PROG)-watch@.service

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(PREFIX)/share/$(PROG)/themes
	install -m 755 $(BUILD)/$(PROG) $(DESTDIR)$(PREFIX)/bin/$(PROG)
	install -m 644 doc/$(PROG).1 $(DESTDIR)$(PREFIX)/share/man/man1/$(PROG).1
	install -m 644 doc/report.schema.json $(DESTDIR)$(PREFIX)/share/$(PROG)/report.schema.json
	for f in themes/*.yaml; do [ -e "$$f" ] || continue; \
	    install -m 644 "$$f" $(DESTDIR)$(PREFIX)/share/$(PROG)/themes/; done
	install -d $(DESTDIR)$(COMPDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(DOCDIR)/examples
	install -m 644 completion/$(PROG).bash $(DESTDIR)$(COMPDIR)/$(PROG)
	sed 's|/usr/bin/$(PROG)|$(PREFIX)/bin/$(PROG)|' dist/$(UNIT) >$(DESTDIR)$(UNITDIR)/$(UNIT)
	chmod 644 $(DESTDIR)$(UNITDIR)/$(UNIT)
	install -m 644 examples/config.yaml $(DESTDIR)$(DOCDIR)/examples/config.yaml

# Debian package (issue 16): dpkg-buildpackage on a copy of the sources in
# build/deb (a package build runs `make clean` in its tree: never in this
# one, with build/ and build-san/); the .deb is moved to build/.
DEB_TREE := build/deb/$(PROG)-$(VERSION)
DEB_FILES := Makefile README.md CHANGELOG.md src doc themes completion dist \
    debian examples/config.yaml tools

deb:
	@v=$$(dpkg-parsechangelog -l debian/changelog -S Version) && \
	    [ "$$v" = "$(VERSION)" ] || { echo "debian/changelog is at $$v," \
	    "the Makefile at $(VERSION): add a debian/changelog entry" >&2; exit 1; }
	rm -rf build/deb
	mkdir -p $(DEB_TREE)
	tar -cf - $(DEB_FILES) | tar -xf - -C $(DEB_TREE)
	cd $(DEB_TREE) && DEB_BUILD_OPTIONS="nocheck parallel=2" \
	    dpkg-buildpackage -us -uc -b
	mv build/deb/$(PROG)_$(VERSION)_*.deb build/
	@ls build/$(PROG)_$(VERSION)_*.deb

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/$(PROG) $(DESTDIR)$(PREFIX)/share/man/man1/$(PROG).1
	rm -rf $(DESTDIR)$(PREFIX)/share/$(PROG)
	rm -f $(DESTDIR)$(COMPDIR)/$(PROG) $(DESTDIR)$(UNITDIR)/$(UNIT)
	rm -rf $(DESTDIR)$(DOCDIR)

clean:
	rm -rf build build-san $(PROG)
