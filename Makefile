# Two commands do everything: `make run` and `make test` (see README.md).
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install lint migrate demo bench load clean

$(STAMP): pyproject.toml
	@command -v $(PY) >/dev/null 2>&1 || { echo "Python 3.11 is needed (set PY=/path/to/python3.11)"; exit 1; }
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo

run: demo
	$(BIN)/python manage.py demo_accounts
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/honcho start -f Procfile

# lint-imports checks the app layers (pyproject.toml [tool.importlinter]); --no-cache writes nothing to the tree.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy trusts pupils register graduated ehcp reviews reports config
	$(BIN)/lint-imports --no-cache --no-logo

test: lint
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest -n 2 --dist loadfile -q $(PYTEST_ARGS)

bench: install
	bash bench/run.sh

# The production configuration under simulated people, ramped until it saturates (an operator's benchmark:
# at most 12 minutes; not part of `make test`). Writes bench/results/load.md, load.json and load.svg.
load: install
	PY=$(abspath $(BIN))/python bash bench/load/run.sh

clean:
	rm -rf $(VENV) var/*.sqlite3
