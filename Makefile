# cakupan — the three commands a newcomer needs: make setup, make demo, make test.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
STAMP := $(VENV)/.installed

.PHONY: setup demo test test-fast bench lint lock clean roles browser dlt-env

setup: $(STAMP) browser dlt-env

# The report's browser test needs a real Chromium: Debian's package (no downloaded browser).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the report's browser test"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y -q chromium >/dev/null; \
	  else sudo apt-get install -y -q chromium >/dev/null; fi || \
	  echo "could not install chromium: run apt-get install chromium (tests/report needs it)"; }

# The benchmark's dlt peer has a virtualenv of its own (never .venv), built once per pin set
# under data/bench/venv; its test and make bench use it.
dlt-env: $(STAMP)
	$(BIN)/python -c "from cakupan_dev.bench.dlt_runner import SHARED_ROOT, dlt_env; dlt_env(SHARED_ROOT)"

# The venv is (re)built from the committed locks whenever one changes: the development lock
# (the runtime's pins plus the tools), the runtime package and the development package.
# --compile-bytecode writes the packages' .pyc files at install time, as pip does and the
# Dockerfile's image has: uv does not by default, and where PYTHONDONTWRITEBYTECODE is set
# (CI here) every process would otherwise compile Airflow, GX and pandas from source again
# (3-4 s of each `cakupan run`, GX's import alone 6.7 s against 3.4 s).
$(STAMP): requirements.lock requirements-dev.lock pyproject.toml devtools/pyproject.toml Makefile
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip sync --quiet --compile-bytecode --python $(BIN)/python --require-hashes requirements-dev.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e . -e devtools
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/cakupan demo

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 2 --dist loadgroup

# The edit loop: rules, readers, SQL on both engines and the static checks, no pipeline runs.
test-fast: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 2 --dist loadgroup -m "not slow" tests/unit tests/sql tests/test_compose.py tests/test_runtime_apart.py

# Province-scale benchmark on DuckDB and PostgreSQL; rewrites the figures in
# docs/performance.md. SCALE=0.1 runs a tenth of the size for a quick look.
# Its dlt peer runs in a virtualenv of its own, built once under data/bench/venv from
# devtools/cakupan_dev/bench/dlt_peer/requirements.txt (needs PyPI the first time; never .venv).
# BENCH_ARGS passes more options, e.g. BENCH_ARGS=--no-dlt.
SCALE ?= 1.0
BENCH_ARGS ?=
bench: $(STAMP)
	$(BIN)/cakupan bench --scale $(SCALE) --doc docs/performance.md $(BENCH_ARGS)

# PostgreSQL only: the read-only cakupan_analyst role (SELECT on mart, nothing else) in the
# database of CAKUPAN_WAREHOUSE_URL. Idempotent; run it once per warehouse database.
roles: $(STAMP)
	$(BIN)/python -m cakupan.warehouse.roles

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Re-resolve the locks after editing requirements.in or requirements-dev.in: the runtime's
# (what the Docker image installs), then the development one at the runtime's versions.
lock:
	$(BIN)/uv pip compile requirements.in --python-version 3.11 --generate-hashes -o requirements.lock
	$(BIN)/uv pip compile requirements-dev.in --python-version 3.11 --generate-hashes -o requirements-dev.lock

clean:
	rm -rf $(VENV) data/demo .pytest_cache
