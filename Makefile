# Two commands: `make run` solves the default scenario, `make test` runs the tests.
# Both create .venv on first use with a Python 3.12+ interpreter found below.

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
SCENARIO ?= sovereign-200mw
SIZES ?= S,M,L
JOBS ?= 1
REPEAT ?= 1
ARGS ?=  # more options for planner solve: make run ARGS="--power-step 5"
POWER ?= 80:120:5  # for make sweep: percentages of the scenario's power budgets (from:to:step, or 80,90,100)

# First Python >= 3.12 found: versioned names on PATH, then pyenv's versions folder.
define FIND_PYTHON
for c in python3.14 python3.13 python3.12 python3 \
         $$(ls -d "$${PYENV_ROOT:-$$HOME/.pyenv}"/versions/3.*/bin/python3 2>/dev/null | sort -rV); do \
  if "$$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
    command -v "$$c"; exit 0; fi; \
done; exit 1
endef

.PHONY: run test scenarios sweep report bench bench-solvers bench-integer bench-sweep clean

# .venv is built again when pyproject.toml changes, or when its interpreter no longer runs (the Python it was
# made with removed or upgraded); --clear, so that nothing of the old one is mixed into the new
ifeq ($(shell test -e $(VENV)/.installed && ! $(PY) -c '' >/dev/null 2>&1 && echo broken),broken)
.PHONY: $(VENV)/.installed
endif

$(VENV)/.installed: pyproject.toml
	@py=$$($(FIND_PYTHON)) || { echo "error: Python 3.12 or newer is required; none found on PATH or under pyenv's versions folder." >&2; exit 1; }; \
	echo "Creating $(VENV) with $$py"; \
	"$$py" -m venv --clear $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

run: $(VENV)/.installed
	$(PY) -m planner solve "inputs/$(SCENARIO).xlsx" $(ARGS)

report: $(VENV)/.installed
	$(PY) -m planner solve "inputs/$(SCENARIO).xlsx" $(ARGS)

# one process for them all: start-up is paid once; JOBS=N solves N at a time. The shell lists the workbooks, as
# make's own wildcard would split a name with a space in it ("site copy.xlsx") in two
scenarios: $(VENV)/.installed
	$(PY) -m planner solve inputs/*.xlsx --jobs $(JOBS) $(ARGS)

# the scenario at each of POWER's percentages of its power budgets (planner vary), solved as one sweep, each plan
# from the last one's optimal basis, told against the scenario as it is where 100 is among them:
# reports/sweep-$(SCENARIO)/sweep.html charts the demand served against the budget.
# Run again, it keeps the plans of variants unchanged (--resume); the variants are written anew each time, so that
# none of an earlier POWER is swept
sweep: $(VENV)/.installed
	rm -rf "reports/variants/$(SCENARIO)"
	$(PY) -m planner vary "inputs/$(SCENARIO).xlsx" --out "reports/variants/$(SCENARIO)" --power $(POWER)
	@base="reports/variants/$(SCENARIO)/$(SCENARIO)-power-100"; told=(); [ -d "$$base" ] && told=(--baseline "$$base"); \
	set -x; $(PY) -m planner solve "reports/variants/$(SCENARIO)"/* --out "reports/sweep-$(SCENARIO)" --warm-start \
	  --resume --jobs $(JOBS) "$${told[@]}" $(ARGS)

test: $(VENV)/.installed
	$(PY) -m pytest -n 2

bench: $(VENV)/.installed
	$(PY) -m planner.bench --sizes $(SIZES) --repeat $(REPEAT)

# HiGHS settings timed on the same LPs: the measurement behind the solver options
bench-solvers: $(VENV)/.installed
	$(PY) -m planner.bench --sizes $(SIZES) --solver-options

# mixed-integer plans (--integer) against their linear plans
bench-integer: $(VENV)/.installed
	$(PY) -m planner.bench --sizes $(SIZES) --integer

# a sweep of power budgets, then priorities, token volumes, a period's budget and a GPU type's fleet, each step solved
# cold and from the last optimal basis (--warm-start)
bench-sweep: $(VENV)/.installed
	$(PY) -m planner.bench --sizes $(SIZES) --sweep

clean:
	rm -rf $(VENV) reports
