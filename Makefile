# symwork: `make worksheets` builds every worksheet into output/; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TEX_PACKAGES := texlive-latex-base texlive-latex-recommended texlive-fonts-recommended lmodern latexmk poppler-utils latex-cjk-chinese latex-cjk-chinese-arphic-gbsn00lp latex-cjk-chinese-arphic-bsmi00lp
# symwork serve: KaTeX from the npm registry (package-lock.json pins it), copied into the package (git-ignored).
KATEX := symwork/web/static/katex
# The browser tests drive Debian's Chromium through Playwright (browser downloads are not possible here).
BROWSER_PACKAGES := chromium fonts-dejavu-core
NODE_PACKAGES := nodejs npm

.PHONY: worksheets test test-fast venv dev tex lint typecheck bench clean web-assets browser serve render-js

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

venv: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[figures,web]'

dev: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'

# TeX Live from Debian when pdflatex is missing and we can install it (root or sudo); otherwise
# say what to install and carry on, so that the .tex files are still written.
tex:
	@if command -v pdflatex >/dev/null && command -v latexmk >/dev/null && command -v pdftotext >/dev/null \
		&& kpsewhich CJKutf8.sty >/dev/null; then \
		exit 0; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing TeX Live ($(TEX_PACKAGES))"; \
		{ DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(TEX_PACKAGES) >/dev/null; } || \
		echo "Could not install TeX Live; install it with: apt-get install $(TEX_PACKAGES). The .tex files are still written."; \
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null && command -v apt-get >/dev/null; then \
		echo "Installing TeX Live with sudo ($(TEX_PACKAGES))"; \
		{ sudo DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(TEX_PACKAGES) >/dev/null; } || \
		echo "Could not install TeX Live; install it with: sudo apt-get install $(TEX_PACKAGES). The .tex files are still written."; \
	else \
		echo "pdflatex/latexmk not found and cannot install them here: run"; \
		echo "  sudo apt-get install $(TEX_PACKAGES)"; \
		echo "(or install TeX Live from https://tug.org/texlive/); the .tex files are still written."; \
	fi

# Debian packages for the targets below, as root or with password-less sudo; otherwise say what to run.
define apt_install
if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing $(1)"; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(1) >/dev/null; \
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null && command -v apt-get >/dev/null; then \
		echo "Installing $(1) with sudo"; \
		sudo DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(1) >/dev/null; \
	else \
		echo "Cannot install $(1) here: run  sudo apt-get install $(1)"; exit 1; \
	fi
endef

# KaTeX for `symwork serve` (offline: served from the package): npm ci, then its dist into $(KATEX).
web-assets: $(KATEX)/katex.min.js

$(KATEX)/katex.min.js: package.json package-lock.json
	@command -v npm >/dev/null || { $(call apt_install,$(NODE_PACKAGES)); }
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf $(KATEX).tmp && mkdir -p $(KATEX).tmp/fonts
	cp node_modules/katex/dist/katex.min.js node_modules/katex/dist/katex.min.css node_modules/katex/LICENSE $(KATEX).tmp/
	cp node_modules/katex/dist/fonts/* $(KATEX).tmp/fonts/
	rm -rf $(KATEX) && mv $(KATEX).tmp $(KATEX)

# Debian's Chromium for the browser tests (Playwright is pointed at /usr/bin/chromium).
browser:
	@if [ -x /usr/bin/chromium ]; then exit 0; fi; $(call apt_install,$(BROWSER_PACKAGES))

# The workbook as a web page on http://127.0.0.1:8000 (Ctrl-C stops it); pass options with ARGS="--roster class.csv".
serve: venv web-assets
	$(BIN)/symwork serve $(ARGS)

worksheets: venv tex
	$(BIN)/symwork build --out output

# MathJax 3 and KaTeX for the export-rendering tests (tests/js/package-lock.json pins them).
render-js: tests/js/node_modules/.package-lock.json

tests/js/node_modules/.package-lock.json: tests/js/package.json tests/js/package-lock.json
	@command -v npm >/dev/null || { $(call apt_install,$(NODE_PACKAGES)); }
	npm ci --prefix tests/js --no-audit --no-fund --loglevel=error

# Everything, as CI runs it: the layer contracts, then the whole suite (slow, TeX and kernel tests too).
test: dev tex web-assets browser render-js
	$(BIN)/lint-imports
	SYMWORK_BROWSER_REQUIRED=1 $(BIN)/python -m pytest -q -n 2 --dist loadgroup

# The quick loop while editing: no TeX, no Jupyter kernels, no browser, no 200-seed stress (under a minute).
test-fast: dev
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup -m "not slow and not tex and not kernel and not browser"

lint: dev
	$(BIN)/ruff check symwork tests derivations benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: dev tex
	$(BIN)/pip install --quiet math-verify "antlr4-python3-runtime==4.11"
	$(BIN)/python benchmarks/build_bench.py
	$(BIN)/python benchmarks/answers_bench.py
	$(BIN)/python benchmarks/stack_core.py
	$(BIN)/python benchmarks/grading_bench.py --variants 0

clean:
	rm -rf output .pytest_cache .mypy_cache .ruff_cache build dist *.egg-info node_modules $(KATEX)
