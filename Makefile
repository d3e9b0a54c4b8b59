# tgpt — two commands do all set-up on a fresh Debian machine with the Swift toolchain:
#   make demo    install what is missing, build, run the main job
#   make test    install what is missing, build with warnings as errors, run every test
SHELL := /bin/bash
PREFIX ?= /usr/local
PROGRAMS := tgpt-stream tgpt-session tgpt-render tgpt-ws-bridge
SWIFT_RELEASE := swift build -c release --static-swift-stdlib

# Debian packages the build needs (libcurl, SQLite), and what tests and benchmarks run (jq, curl,
# hyperfine, the sqlite3 shell, python3; pkill and setpriv for the bridge tests; git and less for
# the documents' examples; python3-venv for the venv in which the tool tests install an MCP server
# from PyPI, and in which the benchmarks install Python's rich, their Markdown baseline; postgresql
# for the PostgreSQL store's tests, which start their own server with
# Scripts/test-postgres.sh, with openssl for its certificate; nginx-light for the test of two
# servers behind a load balancer, which starts its own nginx on a loopback port; espeak-ng and sox
# for the voice tests, in which espeak-ng speaks tgpt-render's sentences into WAV files and sox
# checks that they hold sound; chromium, the headless browser the web client's tests drive over
# its DevTools protocol).
BUILD_PACKAGES := libcurl4-openssl-dev libsqlite3-dev libedit-dev pkg-config
TEST_PACKAGES := $(BUILD_PACKAGES) jq curl openssl tmux procps util-linux git less python3-venv postgresql nginx-light \
	espeak-ng sox chromium
BENCH_PACKAGES := $(BUILD_PACKAGES) jq curl hyperfine sqlite3 python3 python3-venv postgresql nginx-light openssl

.PHONY: all build release demo test test-sanitizers lint docs check-docs install bench fuzz deps-build deps-test deps-bench clean

all: build

define install_missing
	@command -v swift >/dev/null || { echo "swift is not on PATH: install the Swift toolchain (swift.org/install)"; exit 1; }
	@missing=""; for p in $(1); do dpkg -s "$$p" >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" -eq 0 ]; then apt-get update -qq && apt-get install -y -qq $$missing; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq $$missing; fi; \
	fi
endef

deps-build:
	$(call install_missing,$(BUILD_PACKAGES))
deps-test:
	$(call install_missing,$(TEST_PACKAGES))
deps-bench:
	$(call install_missing,$(BENCH_PACKAGES))

build: deps-build
	swift build

release: deps-build
	$(SWIFT_RELEASE)

# Builds one product for release, showing its last lines. A failed build shows the compiler's
# output (without the progress lines) and stops make with its status: the demo must not go on
# with binaries of an older build.
define release_product
@log=$$(mktemp); \
	if $(SWIFT_RELEASE) --product $(1) >"$$log" 2>&1; then grep -E "Compiling|Build" "$$log" | tail -n 2; rm -f "$$log"; \
	else status=$$?; grep -vE '^\[[0-9]+/[0-9]+\] ' "$$log" >&2; rm -f "$$log"; \
	  echo "building $(1) failed (swift build exit $$status)" >&2; exit $$status; fi
endef

# The main job: a question answered and rendered as it streams — a real answer from OpenRouter
# when OPENROUTER_API_KEY is set, otherwise the offline echo provider (no network, no key, no
# cost). It says which.
demo: deps-build
	$(call release_product,tgpt-stream)
	$(call release_product,tgpt-render)
	@bin=$$($(SWIFT_RELEASE) --show-bin-path); \
	if [ -n "$$OPENROUTER_API_KEY" ]; then \
	  echo "== provider: OpenRouter (OPENROUTER_API_KEY is set)"; set -- ; \
	  question="Why is the sky blue? Answer in a short paragraph, then a three-item Markdown list of key terms."; \
	else \
	  echo "== provider: echo, offline (set OPENROUTER_API_KEY for a real answer from OpenRouter)"; \
	  set -- --provider echo --echo-delay-ms 30; \
	  question=$$(printf '%s\n' "# Why is the sky blue?" "" "Sunlight is **scattered** by air molecules; blue light, with its *shorter* wavelength, scatters most." "" "- Rayleigh scattering" "- wavelength \`~450 nm\`" "" "\`\`\`python" "print(\"blue\")" "\`\`\`"); \
	fi; \
	echo '$$ echo "<question>" | tgpt-stream | tgpt-render --stats'; \
	printf '%s\n' "$$question" | "$$bin/tgpt-stream" "$$@" | "$$bin/tgpt-render" --stats
	$(call release_product,tgpt-session)
	$(call release_product,tgpt-ws-bridge)
	@bin=$$($(SWIFT_RELEASE) --show-bin-path); dir=$$(mktemp -d); \
	if [ -n "$$OPENROUTER_API_KEY" ]; then set -- ; else set -- --provider echo --echo-delay-ms 30; fi; \
	echo; echo "== a chat server on a free loopback port, a question over WebSocket"; \
	TGPT_HOME="$$dir" "$$bin/tgpt-ws-bridge" serve --port 0 -- "$$bin/tgpt-session" serve "$$@" > "$$dir/url" & server=$$!; \
	while [ ! -s "$$dir/url" ]; do \
	  kill -0 $$server 2>/dev/null || { echo "make demo: the chat server did not start" >&2; rm -rf "$$dir"; exit 1; }; \
	  sleep 0.05; \
	done; url=$$(cat "$$dir/url"); \
	echo "$$ tgpt-ws-bridge serve --port 0 &    # listening on $$url"; \
	echo "$$ echo \"<question>\" | tgpt-ws-bridge $$url -s demo | tgpt-render"; \
	echo 'Why is the sky **blue**? In *short*: Rayleigh scattering of `~450 nm` light.' \
	  | "$$bin/tgpt-ws-bridge" "$$url" -s demo | "$$bin/tgpt-render" --stats; status=$$?; \
	kill $$server; wait $$server 2>/dev/null; rm -rf "$$dir"; exit $$status

test: deps-test lint
	TGPT_WERROR=1 swift build --build-tests
	swift test --skip-build
	Scripts/generate-docs.sh --check

lint:
	swift format lint --strict -r Sources Tests Benchmarks Fuzz Package.swift
	Scripts/check-imports.sh

docs:
	Scripts/generate-docs.sh

install: release
	install -d "$(DESTDIR)$(PREFIX)/bin" "$(DESTDIR)$(PREFIX)/share/man/man1" \
	  "$(DESTDIR)$(PREFIX)/share/bash-completion/completions" "$(DESTDIR)$(PREFIX)/share/zsh/site-functions" \
	  "$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d"
	@bin=$$($(SWIFT_RELEASE) --show-bin-path); for p in $(PROGRAMS); do \
	  install -m 755 "$$bin/$$p" "$(DESTDIR)$(PREFIX)/bin/$$p"; \
	  install -m 644 "man/$$p.1" "$(DESTDIR)$(PREFIX)/share/man/man1/$$p.1"; \
	  install -m 644 "completions/$$p.bash" "$(DESTDIR)$(PREFIX)/share/bash-completion/completions/$$p"; \
	  install -m 644 "completions/_$$p" "$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_$$p"; \
	  install -m 644 "completions/$$p.fish" "$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/$$p.fish"; \
	done

bench: deps-bench
	Benchmarks/run.sh
	Benchmarks/session.sh
	Benchmarks/ws.sh

# libFuzzer on the parsers, SECONDS each (Scripts/fuzz.sh); TARGETS="sse toml" picks some.
SECONDS ?= 60
fuzz: deps-build
	Scripts/fuzz.sh $(SECONDS) $(TARGETS)

# The test suite under AddressSanitizer and ThreadSanitizer, each with a build of its own;
# SANITIZERS=address or SANITIZERS=thread runs one (see Scripts/test-sanitizers.sh).
test-sanitizers: deps-test
	Scripts/test-sanitizers.sh $(SANITIZERS)

clean:
	rm -rf .build
