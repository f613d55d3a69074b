# The two commands of the README: `make demo` (the whole system with a demo) and `make test` (the whole suite).
# Everything installed and stored lives under .local/ (ignored by git, cached between runs).
SHELL := /bin/bash
VENV := .local/venv
PY := $(VENV)/bin/python
STAMP := .local/venv/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: install protos up demo test unit down status

install: $(STAMP) protos
	@$(VENV)/bin/wegwijs dev-secrets .local/secrets
	@deploy/local/stack install
	@deploy/local/browser
	@deploy/local/web-assets

$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	@$(PY) -m pip install -q --disable-pip-version-check -e ".[dev]"
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

protos: $(STAMP)
	@$(PY) -m grpc_tools.protoc -I . --python_out=. --pyi_out=. --grpc_python_out=. contracts/proto/*.proto

up: install
	@deploy/local/stack up
	@deploy/local/services up

demo: up
	@source deploy/local/env && $(VENV)/bin/wegwijs demo
	@echo
	@echo "The stack and the services keep running. Try:"
	@echo "  source deploy/local/env && $(VENV)/bin/wegwijs-insights themes kortrijk"
	@echo "  the web application: http://127.0.0.1:7060 (development sign-in: the front office of Kortrijk at"
	@echo "  huis-van-de-kortrijkzaan, or a partner organisation picked from the list)"
	@echo "Stop everything with: make down"

test: install
	@deploy/local/stack up
	@$(VENV)/bin/lint-imports --no-cache
	@$(PY) -m pytest

unit: $(STAMP) protos
	@$(PY) -m pytest -m "not integration and not e2e"

down:
	@deploy/local/services down
	@deploy/local/stack down

status:
	@deploy/local/stack status
	@deploy/local/services status
