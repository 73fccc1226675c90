# The same targets developers and CI use. `make test` is what .ci/run calls.
SHELL := /bin/bash
CARGO ?= cargo
export PATH := $(HOME)/.cargo/bin:$(PATH)
export CARGO_TERM_COLOR ?= never
ifdef CI
export CARGO_INCREMENTAL := 0
endif

.PHONY: deps run test build bench e2e fmt lint

deps:
	@scripts/install-deps.sh

# Build once with the exact selection the tests use, so `cargo test` recompiles nothing (build-notes.md §3).
build: deps
	$(CARGO) build --workspace --all-targets --locked

test: build
	$(CARGO) test --workspace --locked
	node tests/ui-preview/check-i18n.mjs

# Opens the app in training mode (virtual cards through the real pcscd + vpcd, mock OQS on 127.0.0.1).
run: build
	@scripts/run-training.sh

bench: build
	@scripts/bench.sh

# The WebDriver journeys through the real window (also part of `make test`).
e2e: build
	$(CARGO) test --workspace --locked -p uketsuke-tests

fmt:
	$(CARGO) fmt --all

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings
