# Two commands for a newcomer: `make run` and `make test`. Everything else is set up on demand.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: setup model index rebuild run serve test test-fast browser eval eval-external eval-growth bench clean help

help:
	@echo "make run    - set up, build the index if needed, start the bot on http://127.0.0.1:8000"
	@echo "make test   - set up and run every test"
	@echo "make index / rebuild / eval / eval-external / eval-growth / bench / clean"

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	# torch first, alone and pinned: any other spec pulls a multi-GB CUDA build.
	$(PIP) install --disable-pip-version-check -q torch==2.13.0
	$(PIP) install --disable-pip-version-check -q -r requirements.txt -r requirements-dev.txt
	@touch $@

setup: $(STAMP)
	$(PY) -m index.model

model: setup

index: setup
	$(PY) -m index build --if-missing

rebuild: setup
	$(PY) -m index rebuild

run: index
	$(PY) -m bot serve

serve: run

browser:
	@{ test -x /usr/bin/chromium && fc-list 2>/dev/null | grep -qi "wqy\|noto.*cjk"; } || \
	  { echo "installing Debian's chromium and a Chinese font for the browser tests"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei) >/dev/null 2>&1 || \
	    echo "could not install chromium (not root?): browser tests will be skipped"; }

test: setup browser
	$(PY) -m pytest -q

test-fast: setup
	$(PY) -m pytest -q -m "not slow and not browser"

eval: index
	$(PY) -m bot.evaluate $(ARGS)
	$(PY) -m bot.evaluate --questions tests/eval/holdout.jsonl
	for n in $$(seq 1 75); do $(PY) -m bot.evaluate --questions tests/eval/blind$$n.jsonl || exit 1; done

eval-growth: index
	$(PY) -m bench.growth $(ARGS)

eval-external: setup
	$(PY) -m bench.external $(ARGS)

bench: index
	$(PY) -m bench.run

clean:
	rm -rf .cache test-artifacts .pytest_cache
