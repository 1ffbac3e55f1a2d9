# The two commands a newcomer needs:   make lab   (open the course)   make test   (run every test)
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
TESTED := $(VENV)/.installed-test
LATEST := /tmp/rnnbook-latest

.PHONY: lab present test test-latest notebooks restore site browser-screenshots pins bench \
        clean classroom-test assignment classroom-env

# The instructor's tools for a class at once (docs/classroom.md) live in their own environment,
# never in the learner's .venv: JupyterHub, its proxy and idle culler, nbgrader.
CLASSROOM := .venv-classroom
CPY       := $(CLASSROOM)/bin/python
CSTAMP    := $(CLASSROOM)/.installed
STUDENTS  ?= 10
GRADED    ?= 02

# Bootstrap: a local virtual environment with rnnbook (editable) and the pinned versions of
# what the course needs (JupyterLab, ipywidgets, numpy, matplotlib, torch): all `make lab` needs.
# `make test` adds the test tools (.[test]) on top, once. Re-running either is instant while
# pyproject.toml and constraints.txt are unchanged. Only wheels: nothing is compiled. Installs
# with uv, told pip's configuration (RNNBOOK_INSTALLER=pip for pip): see tools/install.py.
$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) tools/install.py $(PY)
	touch $(STAMP)

# ... and JupyterHub's proxy, configurable-http-proxy, from npm (needs node), pinned by the lock.
$(CSTAMP): pyproject.toml constraints.txt classroom/package.json classroom/package-lock.json
	test -x $(CPY) || $(PYTHON) -m venv $(CLASSROOM)
	$(CPY) tools/install.py $(CPY) --extras classroom
	mkdir -p $(CLASSROOM)/proxy
	cp classroom/package.json classroom/package-lock.json $(CLASSROOM)/proxy/
	npm ci --prefix $(CLASSROOM)/proxy --no-audit --no-fund --loglevel=error
	touch $(CSTAMP)

classroom-env: $(CSTAMP)


$(TESTED): $(STAMP)
	$(PY) tools/install.py $(PY) --extras test
	touch $(TESTED)

# LAB_ARGS passes options through, e.g. make lab LAB_ARGS="--no-browser --port 8890".
lab: $(STAMP)
	$(PY) -m rnnbook.lab $(LAB_ARGS)

# Present one notebook of your workspace to a class, e.g. `make present NB=04`: larger prose,
# code, widget labels and figures, the simple interface (docs/teaching.md).
present: $(STAMP)
	$(PY) -m rnnbook.lab present $(NB)

# Restore one notebook of your workspace to the original, e.g. `make restore NB=02`.
restore:
	$(PY) -m rnnbook.lab restore $(NB)

test: $(TESTED)
	$(PY) -m ruff check rnnbook tests notebooks benchmarks tools classroom
	$(PY) -m pytest -n 2 --dist loadscope --nbval --nbval-current-env --nbval-sanitize-with tests/sanitize.cfg

# A class at once, tested on this machine: the hub load test (STUDENTS students at once run
# notebook 02 and move a widget), then the nbgrader round trip on the notebooks GRADED
# (e.g. GRADED="01 02 03 04 05"). Each prints its figures; the last lines are the summary.
classroom-test: $(CSTAMP)
	$(CPY) classroom/loadtest.py --students $(STUDENTS) > $(CLASSROOM)/loadtest.out; \
	  hub=$$?; cat $(CLASSROOM)/loadtest.out; \
	  $(CPY) classroom/roundtrip.py $(GRADED) > $(CLASSROOM)/roundtrip.out; \
	  grading=$$?; cat $(CLASSROOM)/roundtrip.out; \
	  echo "classroom: $$((2 - (hub != 0) - (grading != 0))) passed, $$(((hub != 0) + (grading != 0))) failed"; \
	  test $$hub -eq 0 -a $$grading -eq 0

# The course as an nbgrader source course, outside the tracked tree, e.g.
# `make assignment OUT=~/rnnbook-course` (then nbgrader generate_assignment there).
OUT ?= classroom/course
assignment: $(CSTAMP)
	$(CPY) -m rnnbook.classroom assignment $(OUT)

# The unit tests and every notebook (run, outputs not compared: newer releases shift printed
# figures) against the newest releases pyproject's ranges allow, in a throwaway environment.
# Not part of CI: it tells you what the next `make pins` would break.
test-latest:
	rm -rf $(LATEST) && $(PYTHON) -m venv $(LATEST)
	$(LATEST)/bin/python -m pip install --quiet --upgrade pip
	$(LATEST)/bin/python -m pip install --quiet --upgrade --only-binary=:all: -e ".[test]"
	@echo "releases that differ from constraints.txt (< pinned, > installed here):"
	@grep -v '^#' constraints.txt | sed 's/;.*//' | LC_ALL=C sort -f > $(LATEST)/pinned.txt
	@$(LATEST)/bin/python -m pip list --format=freeze --exclude rnnbook | sed 's/+cpu//' \
		| LC_ALL=C sort -f | diff $(LATEST)/pinned.txt - || true
	$(LATEST)/bin/python -m pytest -n 2 --dist loadscope tests --ignore=tests/browser \
		--deselect tests/test_install.py::test_this_environment_has_the_pinned_versions
	$(LATEST)/bin/python -m pytest -n 2 --dist loadscope --nbval-lax --nbval-current-env notebooks

# Re-execute every notebook in place, deterministically (twice in a row changes no byte).
notebooks: $(STAMP)
	$(PY) -m rnnbook.notebooks notebooks/*.ipynb

# The course as an offline static site in site/ (or SITE=path): see docs/site.md.
SITE ?= site
site: $(STAMP)
	$(PY) -m rnnbook.site --out $(SITE)

# Regenerate README's screenshots from the real notebooks (needs chromium).
browser-screenshots: $(TESTED)
	RNNBOOK_SCREENSHOTS=docs/img $(PY) -m pytest tests/browser -p no:xdist -k screenshots

bench: $(TESTED)
	for f in benchmarks/*.py; do $(PY) $$f || exit 1; done

# Re-pin constraints.txt from a fresh resolve of pyproject's ranges.
pins:
	rm -rf /tmp/rnnbook-pins && $(PYTHON) -m venv /tmp/rnnbook-pins
	/tmp/rnnbook-pins/bin/pip install --quiet ".[test,classroom]"
	/tmp/rnnbook-pins/bin/pip freeze --exclude rnnbook | sed 's/+cpu//; s/$$/; python_version >= "3.11"/' > constraints.body
	head -3 constraints.txt | cat - constraints.body > constraints.txt && rm constraints.body

clean:
	rm -rf $(VENV) $(CLASSROOM)
