# imapconform build.  `make` builds bin/imapconform; `make check` runs every
# test (unit tests plain and under ASan+UBSan, integration against a local
# Dovecot); `make fuzz` runs the response fuzzer; `make install` honours
# PREFIX and DESTDIR.

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
BUILD   ?= build

PKGS        := openssl yaml-0.1
PKG_CFLAGS  := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS    := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   := $(shell pkg-config --libs check 2>/dev/null)

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wformat=2 -Wno-format-nonliteral -Wvla
CFLAGS  ?= -O2 -g
VERSION := 0.1.0
SCENARIO_INSTALL_DIR = $(PREFIX)/share/imapconform/scenarios
ALL_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DIC_VERSION='"$(VERSION)"' \
              -DIC_SCENARIO_DIR='"$(SCENARIO_INSTALL_DIR)"' $(WARN) \
              -Iinclude $(PKG_CFLAGS) $(CFLAGS)
# `make V=1` shows full command lines.
ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @printf '  %-6s %s\n' $(1) $(2)
endif
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

# Modules: one directory each under src/.
UTIL_SRC      := $(wildcard src/util/*.c)
TRANSPORT_SRC := $(wildcard src/transport/*.c)
PROTOCOL_SRC  := $(wildcard src/protocol/*.c)
CLIENT_SRC    := $(wildcard src/client/*.c)
ENGINE_SRC    := $(wildcard src/engine/*.c)
REPORTS_SRC   := $(wildcard src/reports/*.c)
RESPONDER_SRC := $(wildcard src/responder/*.c)
SCENARIO_SRC  := $(wildcard src/scenario/*.c)
CLI_SRC       := $(wildcard src/cli/*.c)
VALIDATE_SRC  := $(wildcard src/validate/*.c)
LIB_SRC       := $(UTIL_SRC) $(TRANSPORT_SRC) $(PROTOCOL_SRC) $(CLIENT_SRC) $(ENGINE_SRC) $(REPORTS_SRC) \
                 $(RESPONDER_SRC) \
                 $(SCENARIO_SRC) \
                 $(VALIDATE_SRC) \
                 $(filter-out src/cli/main.c,$(CLI_SRC))

obj = $(patsubst %.c,$(BUILD)/$(1)/%.o,$(2))

# Unit test binaries and the objects each links: a test links only the
# modules it exercises, so one module's work in progress does not block
# another's tests.
UNIT_TESTS := util transport reader response grammar command seqset expr match scenario report expect validate
util_OBJS      = $(UTIL_SRC)
transport_OBJS = $(UTIL_SRC) $(TRANSPORT_SRC)
reader_OBJS    = $(UTIL_SRC) src/protocol/reader.c
response_OBJS  = $(UTIL_SRC) src/protocol/response.c
grammar_OBJS   = $(UTIL_SRC) src/protocol/grammar.c
command_OBJS   = $(UTIL_SRC) src/protocol/command.c
seqset_OBJS    = $(UTIL_SRC) src/engine/seqset.c
expect_OBJS    = $(UTIL_SRC) $(SCENARIO_SRC) src/protocol/response.c src/engine/expr.c \
                 src/engine/seqset.c src/engine/expect.c src/engine/verdict.c
expr_OBJS      = $(UTIL_SRC) src/engine/seqset.c src/engine/expr.c
match_OBJS     = $(UTIL_SRC) src/protocol/response.c src/engine/match.c src/engine/bindings.c
scenario_OBJS  = $(UTIL_SRC) $(SCENARIO_SRC) src/protocol/response.c src/engine/expr.c src/engine/seqset.c
report_OBJS    = $(UTIL_SRC) $(REPORTS_SRC) src/engine/verdict.c
validate_OBJS  = $(UTIL_SRC) $(VALIDATE_SRC) src/protocol/grammar.c

.PHONY: all check unit unit-asan unit-valgrind integration fuzz fuzz-smoke install uninstall clean demo
all: bin/imapconform

bin/imapconform: $(call obj,rel,$(LIB_SRC) src/cli/main.c)
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/rel/%.o: %.c $(wildcard include/*.h src/*/*.h)
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/asan/%.o: %.c $(wildcard include/*.h src/*/*.h)
	@mkdir -p $(@D)
	$(call say,CC-SAN,$<)
	$(Q)$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) $(CHECK_CFLAGS) -c -o $@ $<

$(BUILD)/rel/tests/%.o: tests/%.c $(wildcard include/*.h src/*/*.h) tests/unit/testutil.h
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -Itests/unit -c -o $@ $<

$(BUILD)/asan/tests/%.o: tests/%.c $(wildcard include/*.h src/*/*.h) tests/unit/testutil.h
	@mkdir -p $(@D)
	$(call say,CC-SAN,$<)
	$(Q)$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) $(CHECK_CFLAGS) -Itests/unit -c -o $@ $<

define unit_rules
$(BUILD)/rel/test/$(1)_test: $(call obj,rel,tests/unit/$(1)_test.c $($(1)_OBJS))
	@mkdir -p $$(@D)
	$$(call say,LINK,$$@)
	$$(Q)$$(CC) $$(ALL_CFLAGS) -o $$@ $$^ $$(PKG_LIBS) $$(CHECK_LIBS)
$(BUILD)/asan/test/$(1)_test: $(call obj,asan,tests/unit/$(1)_test.c $($(1)_OBJS))
	@mkdir -p $$(@D)
	$$(call say,LINK,$$@)
	$$(Q)$$(CC) $$(ALL_CFLAGS) $$(SAN_FLAGS) -o $$@ $$^ $$(PKG_LIBS) $$(CHECK_LIBS)
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_rules,$(t))))

REL_TESTS  := $(UNIT_TESTS:%=$(BUILD)/rel/test/%_test)
ASAN_TESTS := $(UNIT_TESTS:%=$(BUILD)/asan/test/%_test)

# Each unit binary prints Check's summary; tests/run-unit.sh fails on any
# failure and on a binary that ran zero checks.
unit: $(REL_TESTS)
	@sh tests/run-unit.sh $(REL_TESTS)

unit-asan: $(ASAN_TESTS)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  sh tests/run-unit.sh $(ASAN_TESTS)

# Valgrind over the plain unit tests (no fork, so leaks are seen per test).
unit-valgrind: $(REL_TESTS)
	@CK_FORK=no VALGRIND="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=9" \
	  sh tests/run-unit.sh $(REL_TESTS)

integration: bin/imapconform
	@bash tests/integration/run.sh

check: bin/imapconform unit unit-asan unit-valgrind fuzz-smoke integration
	@echo "make check: all test stages passed"

# libFuzzer target for reader + parser + grammar checker (clang).
FUZZ_CC   ?= clang
FUZZ_SRC  := $(UTIL_SRC) src/protocol/reader.c src/protocol/response.c src/protocol/grammar.c
FUZZ_SECONDS ?= 60
$(BUILD)/fuzz/fuzz_response: tests/fuzz/fuzz_response.c $(FUZZ_SRC) $(wildcard include/*.h)
	@mkdir -p $(@D)
	$(call say,FUZZCC,$@)
	$(Q)$(FUZZ_CC) -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -g -O1 -Iinclude \
	  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	  -o $@ tests/fuzz/fuzz_response.c $(FUZZ_SRC)

fuzz: $(BUILD)/fuzz/fuzz_response
	@mkdir -p $(BUILD)/fuzz/corpus tests/fuzz/crashes
	$(BUILD)/fuzz/fuzz_response -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
	  -artifact_prefix=tests/fuzz/crashes/ $(BUILD)/fuzz/corpus tests/fuzz/corpus

# In `make check`: replay the seed corpus and fuzz briefly, so the target
# keeps building and the seeds keep passing.
fuzz-smoke: $(BUILD)/fuzz/fuzz_response
	@mkdir -p $(BUILD)/fuzz/corpus
	@echo "  FUZZ   15 s over the seed corpus (log: $(BUILD)/fuzz/smoke.log)"
	@$(BUILD)/fuzz/fuzz_response -max_total_time=15 -max_len=4096 \
	  -artifact_prefix=$(BUILD)/fuzz/ $(BUILD)/fuzz/corpus tests/fuzz/corpus \
	  > $(BUILD)/fuzz/smoke.log 2>&1; rc=$$?; tail -n 1 $(BUILD)/fuzz/smoke.log; \
	  if [ $$rc -ne 0 ]; then tail -n 40 $(BUILD)/fuzz/smoke.log; exit $$rc; fi

demo: bin/imapconform
	@bash ci/demo.sh

# The scenario directory is compiled into src/cli/scenarios.c: a stamp file
# rebuilds it whenever PREFIX changes, so `make install PREFIX=...` is right.
$(BUILD)/prefix.stamp: FORCE
	@mkdir -p $(@D)
	@echo '$(SCENARIO_INSTALL_DIR)' | cmp -s - $@ || echo '$(SCENARIO_INSTALL_DIR)' > $@
$(BUILD)/rel/src/cli/scenarios.o: $(BUILD)/prefix.stamp
.PHONY: FORCE
FORCE:

install: bin/imapconform
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(SCENARIO_INSTALL_DIR)
	install -m 0755 bin/imapconform $(DESTDIR)$(PREFIX)/bin/imapconform
	cp -R scenarios/. $(DESTDIR)$(SCENARIO_INSTALL_DIR)/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/imapconform
	rm -rf $(DESTDIR)$(SCENARIO_INSTALL_DIR)

clean:
	rm -rf $(BUILD) bin
