# One command each: `make demo`, `make test`, `make lint`, `make record`, `make bench`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint record bench serve clean

# Import contracts (pyproject.toml [tool.importlinter]) that `make lint` enforces: all of them.
# Check one by hand: lint-imports --contract <id>.
IMPORT_CONTRACTS ?= core-layers server-services adapters-independent core-imports-no-adapter no-cycles no-private-imports

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/chatroutes demo

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check chatroutes_core langchain_chatroutes llama_index_chatroutes tests bench examples
	$(BIN)/ruff format --check chatroutes_core langchain_chatroutes llama_index_chatroutes tests bench examples
	$(BIN)/mypy --strict chatroutes_core langchain_chatroutes llama_index_chatroutes
	$(BIN)/lint-imports --no-logo --no-cache $(addprefix --contract ,$(IMPORT_CONTRACTS))
	$(BIN)/python chatroutes_core/resources/_unasync.py --check

# Re-record every cassette from scratch (vcrpy's `rewrite` mode replays stale entries of the old file here).
record: $(STAMP)
	find cassettes -name '*.yaml' -delete
	$(BIN)/python -m pytest --record-mode=once -m vcr

bench: $(STAMP)
	$(BIN)/python -m bench

serve: $(STAMP)
	$(BIN)/chatroutes serve

clean:
	rm -rf $(VENV)
