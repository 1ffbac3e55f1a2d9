# The two commands a newcomer needs:   make lab   (open the course)   make test   (run every test)
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: lab present test notebooks restore browser-screenshots pins bench clean

# Bootstrap: a local virtual environment with rnnbook (editable) and the pinned versions.
# Re-running is instant while pyproject.toml and constraints.txt are unchanged.
$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[test]"
	touch $(STAMP)

lab: $(STAMP)
	$(PY) -m rnnbook.lab

# Present one notebook of your workspace to a class, e.g. `make present NB=04`: larger prose,
# code, widget labels and figures, the simple interface (docs/teaching.md).
present: $(STAMP)
	$(PY) -m rnnbook.lab present $(NB)

# Restore one notebook of your workspace to the original, e.g. `make restore NB=02`.
restore:
	$(PY) -m rnnbook.lab restore $(NB)

test: $(STAMP)
	$(PY) -m ruff check rnnbook tests notebooks benchmarks
	$(PY) -m pytest -n 2 --dist loadscope --nbval --nbval-current-env --nbval-sanitize-with tests/sanitize.cfg

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
	/tmp/rnnbook-pins/bin/pip install --quiet ".[test]"
	/tmp/rnnbook-pins/bin/pip freeze --exclude rnnbook | sed 's/+cpu//; s/$$/; python_version >= "3.11"/' > constraints.body
	head -3 constraints.txt | cat - constraints.body > constraints.txt && rm constraints.body

clean:
	rm -rf $(VENV)
