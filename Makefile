# Two commands on a fresh clone: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: venv test lint typecheck unit demo workspace bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check crosspost adapters tests bench
	$(BIN)/ruff format --check crosspost adapters tests bench

# mypy reads the source tree, where adapters/ is not yet crosspost.adapters: a tree of links
# under build/ gives it the installed layout (one tree per run, so two runs never collide).
typecheck: $(STAMP)
	mkdir -p build && tree=$$(mktemp -d build/typecheck.XXXXXX) && mkdir $$tree/crosspost && \
	for f in crosspost/*; do ln -s "$$PWD/$$f" $$tree/crosspost/; done && \
	ln -s "$$PWD/adapters" $$tree/crosspost/adapters && \
	(cd $$tree && $$OLDPWD/$(BIN)/mypy --config-file $$OLDPWD/pyproject.toml \
		--cache-dir $$OLDPWD/.mypy_cache -p crosspost); status=$$?; rm -rf $$tree; exit $$status

# The whole suite: lint, types, unit, integration (SQLite and PostgreSQL), acceptance.
test: lint typecheck
	$(BIN)/python -m pytest -q

unit: $(STAMP)
	$(BIN)/python -m pytest -q tests/unit

demo: $(STAMP)
	$(BIN)/python -m crosspost.demo

# The web workspace on demo data (sample submissions waiting for approval), with a user per role
# and their passwords printed; a worker publishes to the sandbox. Ctrl-C stops it.
workspace: $(STAMP)
	$(BIN)/python -m crosspost.demo_web

# Figures, not assertions: one table of lateness, throughput, uploads, start-up and claim cost,
# each with its target and a same-run comparison (bench/README.md). BENCH_ARGS=--quick: ~2 min.
bench: $(STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache build *.egg-info
