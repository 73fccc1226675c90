# The same targets developers and CI use. `make test` is what .ci/run calls.
SHELL := /bin/bash
CARGO ?= cargo
export PATH := $(HOME)/.cargo/bin:$(PATH)
export CARGO_TERM_COLOR ?= never
ifdef CI
export CARGO_INCREMENTAL := 0
endif

.PHONY: deps run test build bench e2e fmt lint contract ui-check package

deps:
	@scripts/install-deps.sh

# Build once with the exact selection the tests use, so `cargo test` recompiles nothing (build-notes.md §3).
build: deps
	$(CARGO) build --workspace --all-targets --locked

# The lints are part of the tests: build once, then rustfmt and clippy over the build's selection (clippy keeps
# its own metadata, so the test run after it still recompiles nothing), then every test.
test: build
	$(LINT)
	$(CARGO) test --workspace --locked
	node tests/ui-preview/check-i18n.mjs
	node --test tests/ui-preview/
	$(TSC) -p tests/ui-check/tsconfig.json

# The page against the contract generated from Rust (ui/js/contract/): TypeScript in check-only mode over
# ui/js (JSDoc), plus the copy check and the page's unit tests (tests/ui-preview/*.test.mjs). Also part of
# `make test`.
TSC := tests/ui-check/node_modules/.bin/tsc
ui-check: deps
	node tests/ui-preview/check-i18n.mjs
	node --test tests/ui-preview/
	$(TSC) -p tests/ui-check/tsconfig.json

# Regenerate ui/js/contract/ from the Rust types after changing a command or a type the page sees
# (`make test` fails while the checked-in files are stale).
contract:
	UKETSUKE_WRITE_CONTRACT=1 $(CARGO) test --workspace --locked --test contract

# Opens the app in training mode (virtual cards through the real pcscd + vpcd, mock OQS on 127.0.0.1).
run: build
	@scripts/run-training.sh

# The Debian package a clinic installs (release build: no WebKit inspector; ~19 min on 2 cores). `make test`
# checks the same packaging from the debug build (tests/e2e/package.rs).
package: deps
	$(CARGO) build --release --locked -p uketsuke
	@scripts/package-deb.sh release

bench: build
	@scripts/bench.sh

# The WebDriver journeys through the real window (also part of `make test`).
e2e: build
	$(CARGO) test --workspace --locked -p uketsuke-tests

fmt:
	$(CARGO) fmt --all

# rustfmt, then clippy with the workspace lints ([workspace.lints], clippy.toml) over every target; also part of
# `make test`. Clippy runs build scripts, hence the Debian packages first.
define LINT
$(CARGO) fmt --all -- --check
$(CARGO) clippy --workspace --all-targets --locked -- -D warnings
endef

lint: deps
	$(LINT)
