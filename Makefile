# Two commands from a clean clone: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
COPIS  := $(VENV)/bin/copis
APT    := DEBIAN_FRONTEND=noninteractive apt-get
# An editable install leaves the package uncompiled, and where
# PYTHONDONTWRITEBYTECODE is set it would stay so: every run compiled it
# again (+50 ms at start). Compile it as `pip install .` would.
COMPILE := $(PY) -m compileall -q copisdsl

.PHONY: demo test bench install dev graphviz chromium servers clean golden neovim vscode-tools vsix

$(PY):
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { $(APT) update -qq && $(APT) install -y -qq python3-venv && $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[data]'
	@$(COMPILE)
	@touch $@

$(VENV)/.dev-installed: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[dev]'
	@$(COMPILE)
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed

dev: $(VENV)/.dev-installed

# Graphviz's `dot` is a system program; install it when it is missing.
graphviz:
	@command -v dot >/dev/null 2>&1 || { $(APT) update -qq && $(APT) install -y -qq graphviz; }

# Debian's Chromium for the browser tests and `copis build --pdf` (no browser
# download by any test tool); poppler-utils (pdfinfo, pdftoppm) for the PDF tests.
chromium:
	@command -v chromium >/dev/null 2>&1 || { $(APT) update -qq && $(APT) install -y -qq chromium || echo "chromium could not be installed: browser tests will be skipped"; }
	@command -v pdftoppm >/dev/null 2>&1 || { $(APT) update -qq && $(APT) install -y -qq poppler-utils || echo "poppler-utils could not be installed: PDF tests will be skipped"; }

# Debian's Neovim, the real editor the language server is tested with.
neovim:
	@command -v nvim >/dev/null 2>&1 || { $(APT) update -qq && $(APT) install -y -qq neovim || echo "neovim could not be installed: the editor test will be skipped"; }

# The VS Code extension's npm tools (vscode-languageclient, vscode-tmgrammar-test, @vscode/vsce),
# in editors/vscode/node_modules, for the grammar tests and `make vsix`.
VSCODE := editors/vscode
$(VSCODE)/node_modules/.installed: $(VSCODE)/package.json
	@command -v npm >/dev/null 2>&1 || { $(APT) update -qq && $(APT) install -y -qq nodejs npm; }
	cd $(VSCODE) && npm install --no-audit --no-fund --loglevel=error
	@touch $@

vscode-tools: $(VSCODE)/node_modules/.installed

vsix: vscode-tools
	cd $(VSCODE) && npx --yes @vscode/vsce package --out copis.vsix

# The database servers the engine tests start themselves (tests/servers.py):
# PostgreSQL and Java 17 from Debian, psycopg and pyspark (Spark Connect) from PyPI.
servers: dev
	@{ command -v pg_ctl >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; } && ls -d /usr/lib/jvm/java-17-openjdk* >/dev/null 2>&1 || \
		{ $(APT) update -qq && $(APT) install -y -qq postgresql openjdk-17-jre-headless; }
	$(PY) -m pip install -q -e '.[dev,postgres,spark]'
	@$(COMPILE)

demo: install graphviz chromium
	$(COPIS) check examples/
	$(COPIS) build examples/ -o build

# The layers first (import-linter's contracts in pyproject.toml), then
# every test with the full hypothesis profile; for a quicker run while
# developing: HYPOTHESIS_PROFILE=quick .venv/bin/python -m pytest
test: dev graphviz chromium neovim vscode-tools servers
	$(VENV)/bin/lint-imports
	HYPOTHESIS_PROFILE=full $(PY) -m pytest

golden: dev
	$(PY) -m pytest --update-golden

# `lifetimes` and `mpmath` are only yardsticks of the CLV benchmarks (lifetimes'
# speed, 40-digit hypergeometric values), never dependencies.
bench: dev graphviz
	@$(PY) -m pip install -q lifetimes 2>/dev/null || echo "lifetimes could not be installed: the CLV comparison is skipped"
	@$(PY) -m pip install -q mpmath 2>/dev/null || echo "mpmath could not be installed: the Pareto/NBD accuracy check fails"
	@$(COMPILE)  # timed as installed, not as just edited
	$(PY) benchmarks/run_all.py

clean:
	rm -rf build dist .pytest_cache
