"""The project's own promises: packaging, notebook conventions, the lab's security."""

import copy
import json
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest
import yaml

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from rnnbook import lab
from rnnbook.notebooks import execute, normalize

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
IGNORE = "nbval-ignore-output"
# conda-forge names that differ from PyPI's
CONDA_TO_PYPI = {"pytorch": "torch"}


def requirement_name(spec):
    return re.split(r"[\s<>=!~\[;]", spec.strip(), maxsplit=1)[0].lower()


def test_environment_yml_and_pyproject_have_the_same_packages():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    names = {CONDA_TO_PYPI.get(n, n) for n in map(requirement_name, conda)} - {"python", "pip"}
    assert names == {requirement_name(d) for d in pyproject["dependencies"]}
    assert "python=3.11" in conda
    # the pip section installs rnnbook itself, no extra: Binder and hub images are built from
    # this file and hold what a learner needs, not the test tools nor the classroom's
    assert pip == ["-e ."]


def test_constraints_pin_every_dependency_and_torch_stays_in_range():
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split(";")[0].strip().split("==")
            pins[name.lower().replace("_", "-")] = version
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = pyproject["optional-dependencies"]
    wanted = pyproject["dependencies"] + extras["test"] + extras["classroom"]
    assert {requirement_name(d) for d in wanted if ";" not in d} <= set(pins)
    major, minor = map(int, pins["torch"].split(".")[:2])
    assert (2, 4) <= (major, minor) < (2, 14)


@pytest.mark.skipif(shutil.which("repo2docker", path=str(Path(sys.executable).parent)) is None,
                    reason="jupyter-repo2docker is not installed")
def test_repo2docker_uses_conda_and_installs_rnnbook(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(ROOT, repo, ignore=shutil.ignore_patterns(".venv*", ".git", "workspace"))
    exe = Path(sys.executable).parent / "repo2docker"
    out = subprocess.run([exe, "--no-build", "--debug", "."], cwd=repo, capture_output=True,
                         text=True, timeout=300)
    log = out.stdout + out.stderr
    assert out.returncode == 0, log[-2000:]
    assert "buildpacks/conda" in log.replace("-2f", "/")  # the conda build pack was chosen
    assert 'env update -p ${NB_PYTHON_PREFIX} --file "environment.yml"' in log


def code_cells(path):
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_conventions(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    cells = code_cells(path)
    first = cells[0].source
    assert "import rnnbook" in first and "setup_notebook(" in first, \
        "the first code cell imports rnnbook and calls rnnbook.setup_notebook()"
    for i, cell in enumerate(cells):
        assert cell.source.strip() == "" or cell.execution_count is not None, \
            f"code cell {i} was never executed"
        for out in cell.outputs:
            assert out.output_type != "error", f"code cell {i} has an error output"
            text = json.dumps(out.get("text", "")) + json.dumps(out.get("data", {}))
            assert "Traceback" not in text, f"code cell {i} shows a traceback"
    assert nb == normalize(copy.deepcopy(nb)), \
        "timings, widget state or volatile outputs are saved: run `make notebooks`"


def test_normalize_keeps_what_a_rerun_reproduces():
    nb = nbformat.v4.new_notebook(metadata={"widgets": {"state": {}}})
    setup, widget, result = (nbformat.v4.new_code_cell(s) for s in ("setup", "box", "print"))
    for cell in (setup, widget):
        cell.metadata = {"tags": [IGNORE], "execution": {"shell.execute_reply": "12:00"}}
    setup.outputs = [nbformat.v4.new_output("stream", name="stdout", text="numpy 2.4\n")]
    widget.outputs = [nbformat.v4.new_output("display_data", data={"text/plain": "VBox()"})]
    result.outputs = [nbformat.v4.new_output("stream", name="stdout", text=t) for t in "ab"]
    nb.cells = [setup, widget, result]
    normalize(nb)
    assert "widgets" not in nb.metadata
    assert all("execution" not in cell.metadata for cell in nb.cells)
    assert setup.outputs[0].text == "numpy 2.4\n"  # the versions line stays
    assert widget.outputs == []
    assert [out.text for out in result.outputs] == ["ab"]  # one stream, however it was chunked


def tagged_reason(source):
    """Why a cell may skip nbval's comparison, or None: see the README's contributor section."""
    if "setup_notebook(" in source:
        return "versions"
    if re.search(r"\bwidgets\.|_explorer\(|_inspector\(|_box\(|_chooser\(", source):
        return "widget"
    if "time.perf_counter" in source or "%time" in source:
        return "timing"
    if "progress=True" in source:
        return "progress"
    return None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_outputs_are_compared_unless_a_cell_has_a_reason(path):
    cells = code_cells(path)
    tagged = [c for c in cells if IGNORE in c.metadata.get("tags", [])]
    for cell in tagged:
        assert tagged_reason(cell.source), \
            f"cell tagged {IGNORE} without a reason (widget, progress, versions, timing):\n" \
            + cell.source[:300]
    compared = len(cells) - len(tagged)
    print(f"{path.name}: {compared} compared, {len(tagged)} ignored")
    assert compared >= len(tagged), "at least half the code cells must have their outputs compared"


# The tags a cell may carry: nbval's, and the two that `python -m rnnbook.classroom assignment`
# turns into nbgrader cells (the learner's answer, and the checker call that grades it).
TAGS = {IGNORE, "exercise", "exercise-check"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_tags_are_known_and_every_exercise_check_grades_an_exercise_above(path):
    answers = set()  # the names the exercise cells so far define
    for cell in code_cells(path):
        tags = cell.metadata.get("tags", [])
        assert set(tags) <= TAGS, f"unknown tags {sorted(set(tags) - TAGS)}:\n{cell.source[:200]}"
        if "exercise" in tags:
            assert "your code here" in cell.source or "your answers here" in cell.source, \
                f"an exercise cell must hold the learner's stub:\n{cell.source[:200]}"
            answers |= set(re.findall(r"^(?:def (\w+)|(\w+) =)", cell.source, re.M)[0]) - {""}
        if "exercise-check" in tags:
            called = re.fullmatch(r"checks\.check_\w+\((\w+)\)", cell.source.strip())
            assert called and called.group(1) in answers, \
                f"an exercise-check cell calls one checker on an exercise's answer:\n{cell.source}"


def test_make_notebooks_is_deterministic(tmp_path):
    """Executing a notebook twice gives the same bytes (the start-here notebook, for speed)."""
    copy = tmp_path / "00_start_here.ipynb"
    shutil.copy(ROOT / "notebooks" / "00_start_here.ipynb", copy)
    execute(copy)
    first = copy.read_bytes()
    execute(copy)
    assert copy.read_bytes() == first
    assert first == (ROOT / "notebooks" / "00_start_here.ipynb").read_bytes(), \
        "the committed notebook is stale: run `make notebooks`"


def test_workspace_copy_and_restore(tmp_path):
    src, dst = tmp_path / "notebooks", tmp_path / "workspace"
    src.mkdir()
    for name in ("00_start_here.ipynb", "02_loop.ipynb"):
        (src / name).write_text(name)
    assert lab.copy_missing(src, dst) == ["00_start_here.ipynb", "02_loop.ipynb"]
    (dst / "02_loop.ipynb").write_text("my edits")
    assert lab.copy_missing(src, dst) == []  # the learner's edits are never overwritten
    lab.restore("02", src, dst)
    assert (dst / "02_loop.ipynb").read_text() == "02_loop.ipynb"
    assert (dst / "02_loop.bak1.ipynb").read_text() == "my edits"
    with pytest.raises(SystemExit, match="matches 0 notebooks"):
        lab.restore("07", src, dst)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_lab_binds_localhost_and_refuses_requests_without_the_token(tmp_path):
    port, token = free_port(), "test-token-123"
    argv = lab.lab_command(tmp_path, port=port, token=token, open_browser=False)
    assert "--ServerApp.ip=127.0.0.1" in argv
    env = {"JUPYTER_CONFIG_DIR": str(tmp_path / "cfg"), "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt"),
           "PATH": str(Path(sys.executable).parent), "HOME": str(tmp_path)}
    server = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/api/contents"
    try:
        for _ in range(150):
            try:
                status = urllib.request.urlopen(f"{url}?token={token}", timeout=2).status
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        else:
            pytest.fail("JupyterLab did not start within 30 s")
        assert status == 200
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url, timeout=5)
        assert refused.value.code == 403
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_make_lab_serves_with_a_fresh_token_and_prints_it(monkeypatch, capsys):
    started = []
    monkeypatch.setattr(lab, "copy_missing", lambda: [])
    monkeypatch.setattr(lab, "stale_notes", lambda: [])
    monkeypatch.setattr(lab.os, "execv", lambda exe, argv: started.append(argv))
    for _ in range(2):
        lab.main(["--no-browser", "--port", "8899"])
    tokens = [next(a.split("=", 1)[1] for a in argv if a.startswith("--IdentityProvider.token="))
              for argv in started]
    assert tokens[0] != tokens[1] and all(len(t) >= 32 for t in tokens)
    assert all("--ServerApp.ip=127.0.0.1" in argv for argv in started)
    printed = capsys.readouterr().out
    assert all(f"http://127.0.0.1:8899/lab/tree/00_start_here.ipynb?token={t}" in printed
               for t in tokens)
    with pytest.raises(ValueError, match="token: expected a non-empty string"):
        lab.lab_command("/tmp", token="")


# COURSE.md, the course's design, lives beside the repository (../shared), as in CI.
COURSE = ROOT.parent / "shared" / "COURSE.md"
# The sections this repository adds after COURSE.md's 00-05, each with its issue as its
# syllabus. One line per section: a new notebook appends its own, so that landing one never
# depends on another.
ADDED_SECTIONS = [
    "06",  # issue #13: the capstone, a character-level language model
    "07",  # issue #14: beyond one direction (bidirectional, stacked, attention)
]


@pytest.mark.skipif(not COURSE.exists(), reason="../shared/COURSE.md is not beside this clone")
def test_every_section_of_the_course_has_its_notebook():
    sections = re.findall(r"^## (\d\d) ", COURSE.read_text(), flags=re.MULTILINE)
    assert sections == [f"{i:02d}" for i in range(6)]
    numbers = [p.name[:2] for p in NOTEBOOKS]
    expected = sorted(sections + ADDED_SECTIONS)
    assert numbers == expected, f"one notebook per section of COURSE.md and ADDED_SECTIONS: " \
                                f"{numbers}, expected {expected}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_notebook_has_a_widget_and_every_section_an_exercise(path):
    sources = [c.source for c in code_cells(path)]
    assert any(tagged_reason(s) == "widget" for s in sources), "no live widget"
    if not path.name.startswith("00"):
        checked = [s for s in sources if re.search(r"\bchecks\.check_\w+\(", s)]
        assert checked, "no exercise with a checker"
