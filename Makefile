# The two set-up commands of the README: `make demo` and `make test`.
# Both work on a fresh machine from nothing but Python 3 and the package registries.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck unit notebooks browser bench install chromium emoji-font postgresql mlflow-server clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## JupyterLab on the demo notebooks, against the embedded sandbox (no account needed).
## Without root the emoji font may be missing: the demo still runs, with plainer pictures.
demo: $(STAMP)
	-scripts/ensure-emoji-font
	WJNB_SANDBOX_SPEED=$${WJNB_SANDBOX_SPEED:-4} $(BIN)/jupyter lab --ip=127.0.0.1 \
		--ServerApp.root_dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root) \
		$${WJNB_DEMO_ARGS:-}

## Everything CI checks: lint, types, unit + sandbox + browser tests, notebooks.
test: $(STAMP) chromium emoji-font postgresql mlflow-server lint typecheck
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff check wjnb tests bench scripts
	$(BIN)/ruff format --check wjnb tests bench scripts

typecheck: $(STAMP)
	$(BIN)/mypy

## Chromium comes from Debian's package; browser tests fail (never skip) without it.
chromium:
	scripts/ensure-chromium

## The sandbox draws prompt nouns with Debian's Noto Color Emoji; tests fail without it.
emoji-font:
	scripts/ensure-emoji-font

## PostgreSQL's server binaries: the ledger tests start their own throwaway server.
postgresql:
	scripts/ensure-postgresql

## The MLflow tracking server the export tests start, in its own environment: the full
## `mlflow` package pins pyarrow and brings scikit-learn, Flask...; wjnb itself needs only
## the client (`wjnb[mlflow]` is mlflow-skinny).
MLFLOW_VENV := .venv-mlflow
MLFLOW_STAMP := $(MLFLOW_VENV)/.installed-3.17.2
$(MLFLOW_STAMP):
	test -x $(MLFLOW_VENV)/bin/python || $(PYTHON) -m venv $(MLFLOW_VENV)
	$(MLFLOW_VENV)/bin/python -m pip install -q "mlflow==3.17.2"
	touch $(MLFLOW_STAMP)

mlflow-server: $(MLFLOW_STAMP)

bench: $(STAMP)
	for f in bench/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) $(MLFLOW_VENV) .wjnb .pytest_cache .mypy_cache .ruff_cache test-artifacts
