"""rnnbook.classroom: the course as nbgrader source notebooks (make classroom-test grades them
with nbgrader itself; these tests need no nbgrader)."""

import json
import re

import numpy as np
import pytest
import yaml

from rnnbook import cells, checks, classroom

EXERCISE_NOTEBOOKS = sorted(p for p in classroom.NOTEBOOKS.glob("0[1-7]*.ipynb"))


def source(cell):
    return cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])


def cleared(text):
    """The students' version, as nbgrader's ClearSolutions makes it with code_stub = STUB."""
    return re.sub(r"^( *)### BEGIN SOLUTION\n.*?^ *### END SOLUTION$",
                  lambda m: m.group(1) + classroom.STUB, text, flags=re.S | re.M)


@pytest.mark.parametrize("path", EXERCISE_NOTEBOOKS, ids=lambda p: p.name)
def test_every_cell_gets_nbgrader_metadata_and_the_stubs_come_back(path):
    original = json.loads(path.read_text())
    nb, exercises = classroom.to_nbgrader(original)
    assert exercises and set(exercises) <= set(checks.EXERCISES)
    metas = [c["metadata"]["nbgrader"] for c in nb["cells"]]
    assert len({m["grade_id"] for m in metas}) == len(metas), "grade ids must be unique"
    assert all(m["schema_version"] == 3 for m in metas)
    graded = [m for m in metas if m["grade"]]
    answers = [(c, o) for c, o in zip(nb["cells"], original["cells"], strict=True)
               if c["metadata"]["nbgrader"]["solution"]]
    assert [m["grade_id"] for m in graded] == [f"check-{e}" for e in exercises]
    assert all(m["points"] == classroom.POINTS and m["locked"] for m in graded)
    assert len(answers) == len(exercises)
    for cell, orig in answers:
        assert not cell["metadata"]["nbgrader"]["locked"]
        text = source(cell)
        assert text.count(classroom.BEGIN) == text.count(classroom.END) == 1
        if "def " in source(orig).split("\n")[0]:  # a function: the stub comes back unchanged
            assert cleared(text) == source(orig).rstrip("\n")
    others = [m for m in metas if not m["grade"] and not m["solution"]]
    assert all(m["locked"] for m in others), "every other cell is read-only"
    assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")


@pytest.mark.parametrize("exercise", checks.EXERCISES)
def test_the_solution_cell_runs_alone_and_passes_its_checker(exercise, monkeypatch):
    monkeypatch.setenv("RNNBOOK_GRADING", "1")  # as graded: a stub would fail, not just print
    nb = next(nb for nb, exercises in (classroom.to_nbgrader(json.loads(p.read_text()))
                                       for p in EXERCISE_NOTEBOOKS) if exercise in exercises)
    checked = [i for i, c in enumerate(nb["cells"])
               if c["metadata"]["nbgrader"]["grade_id"] == f"check-{exercise}"][0]
    answer = source(next(c for c in reversed(nb["cells"][:checked])
                         if c["metadata"]["nbgrader"]["solution"]))
    space = {"np": np, "checks": checks}  # what the notebook's setup cell imported
    assert "NotImplementedError" not in answer
    exec(answer, space)
    name = re.match(r"def (\w+)|(\w+) =", answer).group(1) or "answers"
    assert space[name] is not getattr(cells, name, None)  # the notebook's own definition
    getattr(checks, f"check_{exercise}")(space[name])  # raises AssertionError if wrong


def test_checked_exercise_refuses_a_cell_that_is_not_one_checker_call():
    assert classroom.checked_exercise("checks.check_rnn_step(rnn_step)\n") == "rnn_step"
    with pytest.raises(ValueError, match="exercise-check"):
        classroom.checked_exercise("checks.check_rnn_step(cells.rnn_step)\nprint(1)")
    with pytest.raises(ValueError, match="exercise-check"):
        classroom.checked_exercise("checks.check_nothing(f)")


def test_make_course_writes_outside_the_tracked_tree_only(tmp_path):
    made = classroom.make_course(tmp_path, ["02"])
    assert made == {"02_hidden_state_loop": ["rnn_step", "rnn_step_backward"]}
    assert (tmp_path / "source" / "02_hidden_state_loop" / "02_hidden_state_loop.ipynb").exists()
    with pytest.raises(ValueError, match="out: expected a folder outside"):
        classroom.make_course(classroom.ROOT / "notebooks", ["02"])


def test_the_helm_values_and_the_hub_config_give_the_same_limits():
    """One measurement, two places: classroom/values.yaml and classroom/jupyterhub_config.py."""
    config = (classroom.ROOT / "classroom" / "jupyterhub_config.py").read_text()
    guarantee, limit, cpu = re.search(
        r'^MEM_GUARANTEE, MEM_LIMIT, CPU_LIMIT = "(\w+)", "(\w+)", ([\d.]+)$', config,
        flags=re.M).groups()
    values = yaml.safe_load((classroom.ROOT / "classroom" / "values.yaml").read_text())
    user = values["singleuser"]
    assert (user["memory"]["guarantee"], user["memory"]["limit"]) == (guarantee, limit)
    assert float(user["cpu"]["limit"]) == float(cpu)
    assert user["extraEnv"]["OMP_NUM_THREADS"] == "1" and values["cull"]["enabled"]
    assert '"OMP_NUM_THREADS"' in config
    assert 'c.JupyterHub.ip = os.environ.get("RNNBOOK_HUB_IP", "127.0.0.1")' in config
