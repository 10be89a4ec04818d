# 范文库 — the two commands a newcomer needs:  make serve  ·  make test
# Python 3.11: the distribution's own where it can make a virtualenv (Debian 12's /usr/bin/python3.11
# is built with profile-guided and link-time optimisation: the build and the test suite need about
# a sixth less CPU than with a plain source build such as pyenv's), else python3 from PATH.
# Another one: make PYTHON=/path/to/python3.11 serve (the virtualenv is made again for it).
ifeq ($(origin PYTHON),undefined)
PYTHON := $(or $(shell /usr/bin/python3.11 -c 'import ensurepip, venv' 2>/dev/null && echo /usr/bin/python3.11),python3)
endif
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell (cat requirements.txt pyproject.toml; echo $(PYTHON)) | cksum | cut -d' ' -f1)
DEV    := $(VENV)/.dev-installed-$(shell (cat requirements.txt requirements-dev.txt pyproject.toml; echo $(PYTHON)) | cksum | cut -d' ' -f1)
export NO_MKDOCS_2_WARNING := 1

.PHONY: serve build build-offline dist test test-fast system-deps import clean

# Create the virtualenv and install the pinned dependencies (again only when they change):
# the runtime lock for serve/build/import, and the test tools on top of it for `make test`.
$(STAMP): requirements.txt pyproject.toml
	@# A virtualenv made by another Python is made again (it cannot change its interpreter).
	@if [ -x $(BIN)/python ] && [ "$$($(BIN)/python -c 'import os, sys; print(os.path.realpath(sys._base_executable))')" \
	     != "$$($(PYTHON) -c 'import os, sys; print(os.path.realpath(sys.executable))')" ]; then rm -rf $(VENV); fi
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
	  echo "无法创建 Python 虚拟环境：需要 Python 3.11 和它的 venv 模块（Debian/Ubuntu：sudo apt-get install python3-venv）。" >&2; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	rm -f $(VENV)/.installed-* && touch $@

$(DEV): $(STAMP) requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.dev-installed-* && touch $@

## serve: install, build and serve the site on http://127.0.0.1:8000 with live reload
##        (--dirty: an edit re-renders the edited page and the pages that list it; search shows it at once)
serve: $(STAMP)
	$(BIN)/mkdocs serve --dirty --strict --dev-addr 127.0.0.1:8000

## build: the static site in site/ (built aside, swapped in only when the strict build succeeds)
build: $(STAMP)
	$(BIN)/fanwen build

## build-offline: a copy that opens from a shared drive by double-clicking index.html
build-offline: $(STAMP)
	$(BIN)/fanwen build --offline --site-dir site-offline

## dist: both builds packed as dist/fanwen-site-<version>-<date>.tar.gz and .zip, with 部署说明.txt
dist: $(STAMP)
	$(BIN)/fanwen dist

## import: re-import everything in sources/ (text collections, Word, PDF, saved web pages) into docs/examples/
import: $(STAMP)
	$(BIN)/fanwen import sources/ --docs docs --report build/import-report.json

# Debian packages the tests drive: chromium and its headless shell (never a downloaded browser), CJK fonts,
# LibreOffice and poppler (to turn the Word drafts into PDF and PNG), nginx (deploy/nginx.conf).
SYSTEM_PACKAGES := chromium chromium-headless-shell fonts-noto-cjk libreoffice-writer-nogui poppler-utils nginx
system-deps:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromium-headless-shell ] || ! command -v soffice >/dev/null || ! command -v pdftoppm >/dev/null || [ ! -x /usr/sbin/nginx ] \
	     || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; \
	  else echo "需要系统软件包：sudo apt-get install -y $(SYSTEM_PACKAGES)" >&2; exit 1; fi; \
	fi

## test: install everything and run the whole suite (unit, corpus, build and browser tests)
##       on both cores: two pytest-xdist workers, each test module kept on one worker (its
##       module fixtures are made once); the session's import and builds are made once per run.
##       Python keeps compiled modules, and pytest its rewritten tests, in __pycache__ even where
##       the environment says not to (PYTHONDONTWRITEBYTECODE): else every process compiles them.
test: $(DEV) system-deps
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -q -n 2 --dist loadfile

clean:
	rm -rf site site-offline site.new-* site.old-* site-offline.new-* site-offline.old-* build dist
