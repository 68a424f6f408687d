# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.12 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

.PHONY: install run serve test lint fmt bench clean screenshots

# Python keeps each module's compiled bytecode (__pycache__/) for the next process to reuse.
# An environment that turns that off (PYTHONDONTWRITEBYTECODE=1, as on the machines this
# project is built and tested on) makes every process compile every module it imports again: each test worker,
# and each gunicorn, job worker or console command a test starts. `make test` took 408 s
# with it and 332 s without (docs/performance.md).
unexport PYTHONDONTWRITEBYTECODE

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "parindex needs Python 3.12 or newer (found " + sys.version.split()[0] + ")")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/parindex migrate --noinput
	$(BIN)/parindex seed_demo
	$(BIN)/parindex runserver $(HOST)

# The production start: DEBUG=false, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL … from the
# environment or .env (docs/deployment.md); migrate, collectstatic, gunicorn and the job worker.
serve: install
	$(BIN)/parindex serve

# One worker more than the cores (pytest-xdist; each worker has its own test database): a
# worker waits on the servers, browsers and LibreOffice it starts, and the extra one keeps the
# cores busy meanwhile (two cores: 387 s with three workers, 427 s with two, run back to back;
# four were slower again, docs/performance.md). WORKERS=2 overrides. PYTEST_ARGS adds options,
# e.g. make test PYTEST_ARGS="-m 'not browser'" or PYTEST_ARGS=--durations=30.
WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
test: install
	$(BIN)/pytest -n $(WORKERS) --dist worksteal $(PYTEST_ARGS)

# The browser tests again, writing their screenshots to docs/screenshots/ (look at them).
screenshots: install
	PARINDEX_SCREENSHOTS=docs/screenshots $(BIN)/pytest -n auto tests/browser

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/parindex makemigrations --check --dry-run

fmt: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python bench/score_bench.py
	$(BIN)/python bench/indicator_import_bench.py
	$(BIN)/python bench/dashboard_bench.py  # PostgreSQL: DATABASE_URL, else parindex_dashboard_bench locally

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
