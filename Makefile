# Two commands on a fresh machine with python3 (>= 3.11) and make: `make demo`, `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO := build/demo
# Demo only: unsubscribe links in the demo's .eml files are signed with this throw-away secret.
DEMO_SECRET := demo-only-secret-never-use-for-real-mail

.PHONY: demo test golden bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "digest needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	rm -rf $(DEMO)
	DIGEST_SECRET=$(DEMO_SECRET) $(BIN)/digest --state-dir $(DEMO)/state --archive-dir $(DEMO)/archive \
		run example --outbox $(DEMO)/outbox
	$(BIN)/digest --state-dir $(DEMO)/state preview example --issue 1 --out $(DEMO)/preview
	@echo
	@echo "Where to look:"
	@echo "  mail as delivered (one .eml per subscriber): $(DEMO)/outbox/"
	@echo "  the issue as a subscriber sees it:           $(DEMO)/preview/example-0001.html and .txt"
	@echo "  the archive (web page, text, neutral .eml):  $(DEMO)/archive/example/0001/"
	@echo "  why each reply was chosen:                    $(BIN)/digest candidates example"

test: $(STAMP)
	$(BIN)/python -m pytest

golden: $(STAMP)
	$(BIN)/python -m tests.golden.regenerate

clean:
	rm -rf $(VENV) build preview state
