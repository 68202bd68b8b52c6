# The two commands of the README: `make run` and `make test`. Both set themselves up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck imports pytest playground reset-tenant package clean

$(STAMP): pyproject.toml package-lock.json tests/cards/package-lock.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	# Node.js packages for tests and the local Teams client: the official Adaptive Cards SDK
	# validates our cards; the Agents Playground runs in the smoke tests and `make playground`.
	if command -v npm >/dev/null; then \
		npm ci --silent --no-audit --no-fund --prefix tests/cards && npm ci --silent --no-audit --no-fund; fi
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python app.py

test: $(STAMP) lint typecheck imports pytest

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

imports: $(STAMP)
	$(BIN)/lint-imports

# The PostgreSQL variants use TEST_DATABASE_URL; when it is unset and a local server answers,
# they run against it (each run creates and drops its own sc_test_* databases).
LOCAL_PG_URL := postgresql+asyncpg://postgres@127.0.0.1:5432/postgres

pytest: $(STAMP)
	if [ -z "$${TEST_DATABASE_URL:-}" ] && pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then \
		export TEST_DATABASE_URL=$(LOCAL_PG_URL); fi; \
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

reset-tenant: $(STAMP)
	$(BIN)/python -m sharedcalling reset-tenant

package: $(STAMP)
	$(BIN)/python -m manifest.package

playground:
	bash scripts/playground.sh

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
