SHELL := /bin/bash
# SwiftReID: `make demo` and `make test` are all a new user needs on a fresh Debian 12 machine.
SWIFT ?= swift
RELEASE_BIN := .build/release/reid
DEMO_DIR ?= out/demo

.PHONY: demo test bench fuzz build release bootstrap bootstrap-bench clean

bootstrap:
	@scripts/bootstrap.sh

bootstrap-bench:
	@scripts/bootstrap.sh --bench

build: bootstrap
	$(SWIFT) build

## release: `reid` and `reid-serve` (the HTTP service that `reid serve` runs), optimised.
release: bootstrap
	$(SWIFT) build -c release --product reid
	$(SWIFT) build -c release --product reid-serve

## demo: install what is missing, build, and run the main job on the built-in synthetic data.
## It builds `reid` alone: the demo does not serve, and leaving out the web stack (reid-serve) saved
## about 2.4 minutes of a fresh-clone demo on 2 cores (10.5 -> 8.1 min with the same demo config).
demo: bootstrap
	$(SWIFT) build -c release --product reid
	@scripts/demo.sh $(RELEASE_BIN) $(DEMO_DIR)

## test: install what is missing, build, and run every test.
test: bootstrap
	@scripts/test.sh

## bench: speed and accuracy against the peers, written as JSON to bench/results/.
bench: release bootstrap-bench
	@bench/run.sh $(RELEASE_BIN)

## fuzz: the fuzz tests at 20 times their `make test` cases, then `reid serve` on 127.0.0.1 under
## image bombs, slow multipart bodies, wrk and 2,000 slow connections → bench/results/robustness.json.
fuzz: release bootstrap
	$(SWIFT) build --build-tests
	python3 bench/robustness_bench.py --reid $(RELEASE_BIN) --out bench/results/robustness.json

clean:
	rm -rf .build out
