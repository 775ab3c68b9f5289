# Two commands on a fresh machine: `make run` and `make test`. Both create .venv and install.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SAMPLE ?= data/samples/spring-fair

# Prefect's local ephemeral API: no telemetry, and a start-up timeout long enough for a cold machine.
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS ?= 90

.PHONY: run test lint bench install bench-match clean browser imap-server

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/followup run $(SAMPLE)

# The test set-up installs what the tests talk to (a headless browser, an IMAP server) when missing.
# PostgreSQL: FOLLOWUP_TEST_PG_URL (.ci/run sets it); when unset and a server answers on
# 127.0.0.1:5432, its database `test` is used, so the PostgreSQL half of the suite runs too.
PG_DEFAULT := postgresql+psycopg://postgres@127.0.0.1:5432/test
test: $(STAMP) browser imap-server
	FOLLOWUP_TEST_PG_URL="$${FOLLOWUP_TEST_PG_URL:-$$(pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null && echo $(PG_DEFAULT))}" \
		$(BIN)/python -m pytest $(PYTEST_ARGS)

# The HTML report is tested in a real headless browser: Debian's chromium, installed when missing.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$(command -v sudo >/dev/null 2>&1 && [ "$$(id -u)" != 0 ] && echo sudo); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium; }

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(STAMP) bench-match
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/book.py
	$(BIN)/python bench/flows.py
	$(BIN)/python bench/outreach.py

# The IMAP tests run a real Dovecot on 127.0.0.1 (tests/dovecot.py starts and stops it);
# install Debian's package only when it is missing.
imap-server:
	@command -v dovecot >/dev/null 2>&1 || test -x /usr/sbin/dovecot || { \
	  SUDO=$$(command -v sudo >/dev/null 2>&1 && [ "$$(id -u)" != 0 ] && echo sudo); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q dovecot-imapd; }

# Matching quality and speed, and Splink side by side (installs the bench extra).
bench-match: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/match.py
	$(BIN)/python bench/match_vs_splink.py
	$(BIN)/python bench/match.py --seeds 7,21,3,99,1001,2002,3003,4004,5005,6006
	$(BIN)/python bench/match.py --scale 100000
	$(BIN)/python bench/match.py --scale 1000000
	$(BIN)/python bench/match_store.py

clean:
	rm -rf $(VENV) data/followup.db data/outbox
