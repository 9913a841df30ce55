# Two commands for a newcomer: `make run` and `make test`. Everything else is set up on demand.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: setup model index rebuild run serve test test-fast browser train eval eval-external eval-growth bench clean help
# The code version `make eval` measures beside today's: the last one that decided and quoted with rules.
BASELINE ?= d208ece

help:
	@echo "make run    - set up, build the index if needed, start the bot on http://127.0.0.1:8000"
	@echo "make test   - set up and run every test"
	@echo "make index / rebuild / train / eval / eval-external / eval-growth / bench / clean"

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	# torch first, alone and pinned: any other spec pulls a multi-GB CUDA build.
	$(PIP) install --disable-pip-version-check -q torch==2.13.0
	$(PIP) install --disable-pip-version-check -q -r requirements.txt -r requirements-dev.txt
	@touch $@

setup: $(STAMP)
	$(PY) -m index.embedding.model
	$(PY) -m bot.read.build

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

# The reading model: adapters and heads (bot/read/train.toml: data, seed, settings), then the calibrated decision.
train: setup
	$(PY) -m bot.read.train $(ARGS)
	$(PY) -m bot.read.build
	$(PY) -m bench.calibrate

eval: index
	$(PY) -m bench.newdocs --suite new --baseline $(BASELINE) $(ARGS)
	# the seed article is prose: auto answers it with the rules; the reader alone on it was measured once (README)
	$(PY) -m bench.newdocs --suite seed --engines auto,rules --baseline $(BASELINE)
	$(PY) -m bench.external --modes hybrid --baseline $(BASELINE)

eval-growth: index
	$(PY) -m bench.growth $(ARGS)

eval-external: setup
	$(PY) -m bench.external $(ARGS)

bench: index
	$(PY) -m bench.run

clean:
	rm -rf .cache test-artifacts .pytest_cache
