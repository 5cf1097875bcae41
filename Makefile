# Two commands set everything up on a fresh machine with Python 3.11+ and make:
#   make report   - create .venv, install the project, make the demo data, render the quarterly report
#   make test     - create .venv if needed and run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO := data/demo/orders.csv
PERIOD ?=

.PHONY: install demo report test lint format lab bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev,spark]"
	touch $@

demo: $(DEMO)

$(DEMO): $(wildcard kpi_toolkit/demo/*.py) | $(STAMP)
	$(BIN)/kpi-report demo --out data/demo

report: $(STAMP) $(DEMO)
	$(BIN)/kpi-report quarterly --data data/demo --out reports $(if $(PERIOD),--period $(PERIOD))

# The suite runs on every core (pytest-xdist); TEST_JOBS=1 runs it in one process.
TEST_JOBS ?= auto
test: $(STAMP)
	$(BIN)/python -m pytest -n $(TEST_JOBS)

lint: $(STAMP)
	$(BIN)/ruff check kpi_toolkit tests notebooks
	$(BIN)/ruff format --check kpi_toolkit tests notebooks

format: $(STAMP)
	$(BIN)/ruff format kpi_toolkit tests notebooks
	$(BIN)/jupytext --sync notebooks/*.py

# JupyterLab refuses to start as root unless asked to (CI and many containers run as root).
LAB_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

# Opens the "why did we miss?" worksheet on the demo data (the other notebooks are beside it).
lab: $(STAMP) $(DEMO)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[lab]"
	$(BIN)/jupyter lab $(LAB_ROOT) notebooks/investigate.ipynb

BENCH_DATA := benchmarks/output/large
$(BENCH_DATA)/orders.parquet: benchmarks/generate.py | $(STAMP)
	$(BIN)/python benchmarks/generate.py --out $(BENCH_DATA)

bench: $(BENCH_DATA)/orders.parquet
	$(BIN)/python benchmarks/run.py --data $(BENCH_DATA)

.PHONY: bench-batch
bench-batch: $(STAMP)
	$(BIN)/python benchmarks/batch.py --out benchmarks/output/batch

clean:
	rm -rf reports/*/ data/demo .pytest_cache
