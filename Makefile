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

# The PostgreSQL tests use WHOSAID_TEST_POSTGRES_URL when it is set; otherwise a throwaway local server is started
# when PostgreSQL is installed (.ci/start-postgres --no-install), and without one they are skipped.
test: install
	WHOSAID_TEST_POSTGRES_URL="$${WHOSAID_TEST_POSTGRES_URL-$$(bash .ci/start-postgres --no-install || true)}" $(BIN)/pytest

# regenerate the explorer screenshots in docs/ (README shows them) with the browser test
screenshots: install
	WHOSAID_SCREENSHOT_DIR=docs $(BIN)/pytest -q tests/test_explorer_browser.py

clean:
	rm -rf data/ .pytest_cache/ $(STAMP)
