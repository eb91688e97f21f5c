# Scratch Vision: `make book` builds the website, `make test` runs every test.
# Both create .venv on first use and reinstall only when pyproject.toml changes.
# Notebooks are executed once, by the site build (jupyter-cache in _build/.jupyter_cache
# re-runs only notebooks whose code changed); the tests then read the executed pages.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?=
JOBS   ?= 2

CHROMIUM ?= /usr/bin/chromium
LINTED := lib tests tools notebooks book/_ext

.PHONY: install browser lint book test lab serve bench student clean distclean help

help:
	@echo "make book     build the course website into _build/html (executes every notebook)"
	@echo "make test     run every test: lint, the site build (executes every notebook),"
	@echo "              library tests, and the built site in headless Chromium"
	@echo "make lab      JupyterLab on the notebooks"
	@echo "make serve    preview the built site on http://127.0.0.1:8000"
	@echo "make bench    library ops vs references and notebook timings -> book/benchmarks.md"
	@echo "make student  student copies (solutions removed) -> _build/student"
	@echo "make clean    remove build outputs (keeps .venv)"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q -e ".[book,imaging,test]"
	@touch $(STAMP)

install: $(STAMP)

# The browser test drives Debian's Chromium (never a downloaded browser).
browser:
	@test -x $(CHROMIUM) || { \
	    if [ "$$(id -u)" = 0 ]; then apt-get update -q && \
	        apt-get install -y -q --no-install-recommends chromium chromium-driver; \
	    else echo "make test needs Chromium: sudo apt-get install chromium chromium-driver"; \
	        exit 1; fi; }

lint: $(STAMP)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/ruff check $(LINTED)

BOOK_ENV ?=
book: $(STAMP)
	$(BOOK_ENV) $(BIN)/jupyter-book build . --warningiserror --keep-going
	@echo "The course website is in _build/html: open $(CURDIR)/_build/html/index.html (or run make serve)"

# make test builds the site as make book does (same jupyter-cache), with the tests'
# socket guard in every notebook kernel: a lesson that reaches the network fails.
test: $(STAMP) browser lint
	@$(MAKE) --no-print-directory book \
	    BOOK_ENV="PYTHONPATH=$(CURDIR)/tests/offline SCRATCHVISION_OFFLINE=1"
	@$(BIN)/python -m pytest -n $(JOBS) --dist loadscope tests $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests; that is a failure"; fi; \
	exit $$rc

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks

serve:
	@test -f _build/html/index.html || { echo "no site yet: run make book first"; exit 1; }
	$(PYTHON) -m http.server --directory _build/html --bind 127.0.0.1 8000

bench: $(STAMP)
	$(BIN)/python tools/bench.py --out book/benchmarks.md

student: $(STAMP)
	$(BIN)/python tools/student_copies.py notebooks _build/student

clean:
	rm -rf _build .pytest_cache
	find . -name __pycache__ -type d -prune -not -path './$(VENV)/*' -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
