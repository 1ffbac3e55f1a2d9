# The two commands a newcomer needs:   make lab   (open the course)   make test   (run every test)
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: lab test notebooks restore browser-screenshots pins bench clean classroom-test assignment \
        classroom-env

# The instructor's tools for a class at once (docs/classroom.md) live in their own environment,
# never in the learner's .venv: JupyterHub, its proxy and idle culler, nbgrader.
CLASSROOM := .venv-classroom
CPY       := $(CLASSROOM)/bin/python
CSTAMP    := $(CLASSROOM)/.installed
STUDENTS  ?= 10
GRADED    ?= 02

# Bootstrap: a local virtual environment with rnnbook (editable) and the pinned versions.
# Re-running is instant while pyproject.toml and constraints.txt are unchanged.
$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[test]"
	touch $(STAMP)

# ... and JupyterHub's proxy, configurable-http-proxy, from npm (needs node), pinned by the lock.
$(CSTAMP): pyproject.toml constraints.txt classroom/package.json classroom/package-lock.json
	test -x $(CPY) || $(PYTHON) -m venv $(CLASSROOM)
	$(CPY) -m pip install --quiet --upgrade pip
	$(CPY) -m pip install --quiet -c constraints.txt -e ".[classroom]"
	mkdir -p $(CLASSROOM)/proxy
	cp classroom/package.json classroom/package-lock.json $(CLASSROOM)/proxy/
	npm ci --prefix $(CLASSROOM)/proxy --no-audit --no-fund --loglevel=error
	touch $(CSTAMP)

classroom-env: $(CSTAMP)

lab: $(STAMP)
	$(PY) -m rnnbook.lab

# Restore one notebook of your workspace to the original, e.g. `make restore NB=02`.
restore:
	$(PY) -m rnnbook.lab restore $(NB)

test: $(STAMP)
	$(PY) -m ruff check rnnbook tests notebooks benchmarks classroom
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

# Re-execute every notebook in place, deterministically (twice in a row changes no byte).
notebooks: $(STAMP)
	$(PY) -m rnnbook.notebooks notebooks/*.ipynb

# Regenerate README's screenshots from the real notebooks (needs chromium).
browser-screenshots: $(STAMP)
	RNNBOOK_SCREENSHOTS=docs/img $(PY) -m pytest tests/browser -p no:xdist -k screenshots

bench: $(STAMP)
	for f in benchmarks/*.py; do $(PY) $$f || exit 1; done

# Re-pin constraints.txt from a fresh resolve of pyproject's ranges.
pins:
	rm -rf /tmp/rnnbook-pins && $(PYTHON) -m venv /tmp/rnnbook-pins
	/tmp/rnnbook-pins/bin/pip install --quiet ".[test,classroom]"
	/tmp/rnnbook-pins/bin/pip freeze --exclude rnnbook | sed 's/+cpu//; s/$$/; python_version >= "3.11"/' > constraints.body
	head -3 constraints.txt | cat - constraints.body > constraints.txt && rm constraints.body

clean:
	rm -rf $(VENV) $(CLASSROOM)
