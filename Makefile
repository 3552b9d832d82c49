# whosaid: make install | make run | make test
# Everything runs from the project's own virtualenv in .venv (created on first use).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-whosaid
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install run test serve clean screenshots

install: $(STAMP)

# reinstall only when the dependency list changes; `make -B install` forces it
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: install
	$(BIN)/whosaid ingest seeds/ && $(BIN)/whosaid serve --host $(HOST) --port $(PORT)

serve: install
	$(BIN)/whosaid serve --host $(HOST) --port $(PORT)

test: install
	$(BIN)/pytest

# regenerate the explorer screenshots in docs/ (README shows them) with the browser test
screenshots: install
	WHOSAID_SCREENSHOT_DIR=docs $(BIN)/pytest -q tests/test_explorer_browser.py

clean:
	rm -rf data/ .pytest_cache/ $(STAMP)
