# Bayanat: two commands for a newcomer.
#   make run   set up, start Kafka, run the four services (SQLite); Ctrl-C stops everything
#   make test  set up, start Kafka and PostgreSQL, run the whole test suite against them

BOOT_PYTHON ?= $(or $(shell command -v python3.11),python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
export PYTHON := $(abspath $(BIN)/python)

.PHONY: install run test test-only test-unit lint format kafka-up kafka-down db-up db-down browser vendor-chartjs bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(BOOT_PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

kafka-up: install
	deploy/kafka.sh up

kafka-down:
	deploy/kafka.sh down

db-up:
	deploy/postgres.sh up

db-down:
	deploy/postgres.sh down

# Chromium and its driver (Debian's packages) for the tests that drive a real browser.
browser:
	deploy/browser.sh up

# Fetch the pinned Chart.js again from the npm registry and check its digests.
vendor-chartjs:
	deploy/vendor-chartjs.sh

run: install kafka-up
	@echo "Bayanat is starting (SQLite databases under var/, Kafka on 127.0.0.1:$${KAFKA_PORT:-9092}):"
	@trap 'deploy/kafka.sh down' EXIT; $(BIN)/bayanat run

test: install kafka-up db-up browser test-only

# The unit tier: pure rules and domain commands on SQLite, no Kafka, no PostgreSQL, seconds.
test-unit: install
	$(BIN)/python -m pytest tests/unit $(PYTEST_ARGS)

test-only: lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install kafka-up db-up
	$(BIN)/python -m bench $(BENCH_ARGS) $(if $(BENCH_PEER),--peer $(BENCH_PEER))

clean: kafka-down db-down
	rm -rf var
