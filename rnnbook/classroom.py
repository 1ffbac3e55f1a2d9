"""The course as an nbgrader source course: ``python -m rnnbook.classroom assignment OUT``.

What ``make assignment`` runs (docs/classroom.md says how an instructor uses it). Each notebook
of the course becomes ``OUT/source/<notebook name>/<notebook>.ipynb``, with nbgrader's cell
metadata (schema version 3, as nbgrader 0.9 reads it):

- a code cell tagged ``exercise`` (the learner's answer) becomes a solution cell: the reference
  answer, between ``### BEGIN SOLUTION`` and ``### END SOLUTION``, takes the place of the stub's
  ``raise NotImplementedError  # your code here``, so that ``nbgrader generate_assignment``
  with ``ClearSolutions.code_stub`` set to ``STUB`` gives the learner the course's own stub;
- a code cell tagged ``exercise-check`` (the checker's call) becomes an autograded test cell
  worth ``POINTS`` points: it scores when the checker raises nothing;
- every other cell is read-only (nbgrader restores it if a learner changed it).

An answer given as a value (03's ``answers = dict.fromkeys(...)``) keeps the course's lines and
gets the solution after them, so its students' version ends with the stub line and raises until
answered.

The reference is the package's own, as ``checks.show_solution`` prints it, made runnable in the
notebook: defined inside the stub's function and called with the stub's arguments. The
argument checks (``_check...``) and the decorators that call them are left out, as in
``show_solution``'s helpers; the names the reference uses are imported from where it lives.

Nothing here imports nbgrader: the course stays free of the instructor's tools.
"""

import argparse
import ast
import builtins
import contextlib
import importlib
import io
import json
import re
import sys
import types

from rnnbook import _validate, checks
from rnnbook.lab import NOTEBOOKS, ROOT

EXERCISE, CHECK = "exercise", "exercise-check"
STUB = "raise NotImplementedError  # your code here"
POINTS = 1
SCHEMA_VERSION = 3  # nbgrader 0.9's cell metadata
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"


def reference_source(name):
    """The reference of exercise ``name`` as ``checks.show_solution`` prints it, runnable alone.

    Returns (source, defined): the code, its imports first, and the name the exercise's answer
    takes in it (the function's, or the constant's for an exercise answered with a dict).
    """
    shown = io.StringIO()
    with contextlib.redirect_stdout(shown):
        checks.show_solution(name)
    text = shown.getvalue()
    modules = [importlib.import_module(m) for m in
               re.findall(r"^# (rnnbook\.\w+)\.\w+$", text, flags=re.MULTILINE)]
    kept = [line for line in text.splitlines()
            if not re.match(r"\s*(@|(\w+(, \w+)* = )?_check\w*\()", line)]  # one-line checks
    code = "\n".join(kept).strip() + "\n"
    tree = ast.parse(code)
    defined = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    defined |= {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets}
    imports = sorted({_import_line(name, modules) for name in _free_names(tree) - defined})
    last = tree.body[-1]
    answer = last.name if hasattr(last, "name") else last.targets[0].id
    return "\n".join(imports) + ("\n\n" if imports else "") + code, answer


def _free_names(tree):
    """The names a module's code reads without defining them (builtins excepted)."""
    loaded, stored = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else stored).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            stored.add(node.name)
        elif isinstance(node, ast.arg):
            stored.add(node.arg)
    return loaded - stored - set(dir(builtins))


def _import_line(name, modules):
    """The import that gives ``name`` the value it has in the first of ``modules`` that has it."""
    module = next(m for m in modules if hasattr(m, name))
    value = getattr(module, name)
    if isinstance(value, types.ModuleType):
        real = value.__name__
        return f"import {real}" if real == name else f"import {real} as {name}"
    home = getattr(value, "__module__", None)
    if home and getattr(importlib.import_module(home), name, None) is value:
        return f"from {home} import {name}"
    return f"from {module.__name__} import {name}"


def solution_cell_source(stub, exercise):
    """The source of the solution cell for the learner's ``stub`` cell of ``exercise``."""
    reference, answer = reference_source(exercise)
    tree = ast.parse(stub)
    fn = next((n for n in tree.body if isinstance(n, ast.FunctionDef)), None)
    lines = stub.rstrip("\n").split("\n")
    if fn is not None:  # def name(args): docstring; raise NotImplementedError  # your code here
        at = next(i for i, line in enumerate(lines) if line.strip() == STUB)
        indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
        args = ", ".join(a.arg for a in fn.args.args)
        body = [f"# the reference, as checks.show_solution({exercise!r}) prints it", "",
                *reference.rstrip("\n").split("\n"), "", f"return {answer}({args})"]
        region = [BEGIN, *body, END]
        return "\n".join(lines[:at] + [indent + line if line else "" for line in region]
                         + lines[at + 1:])
    # An answer given as a value, e.g. answers = dict.fromkeys(...): the reference fills it in.
    target = next(n for n in tree.body if isinstance(n, ast.Assign)).targets[0].id
    region = [BEGIN, f"# the reference, as checks.show_solution({exercise!r}) prints it",
              *reference.rstrip("\n").split("\n"), f"{target} = dict({answer})", END]
    return "\n".join(lines + region)


def checked_exercise(source):
    """The exercise an ``exercise-check`` cell grades: checks.check_NAME(...) -> NAME."""
    match = re.fullmatch(r"checks\.check_(\w+)\(\w+\)", source.strip())
    if not match or match.group(1) not in checks.EXERCISES:
        raise ValueError(f"an {CHECK} cell must call one of the checkers on the answer, "
                         f"got {source.strip()!r}")
    return match.group(1)


def to_nbgrader(nb):
    """The notebook ``nb`` (a dict as json reads it) as an nbgrader source notebook: a new dict.

    Returns (notebook, exercises): the exercises graded, in order.
    """
    nb = json.loads(json.dumps(nb))  # a deep copy
    stubs, exercises = [], []
    for k, cell in enumerate(nb["cells"]):
        tags = cell["metadata"].get("tags", [])
        meta = {"grade": False, "solution": False, "locked": True, "task": False,
                "schema_version": SCHEMA_VERSION, "grade_id": f"cell-{k:02d}"}
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
        if EXERCISE in tags:
            stubs.append(cell)
            meta.update(solution=True, locked=False, grade_id=f"answer-{k:02d}")
        elif CHECK in tags:
            if not stubs:
                raise ValueError(f"cell {k}: an {CHECK} cell with no {EXERCISE} cell above it")
            exercise = checked_exercise(_text(cell["source"]))
            stub = stubs.pop()
            stub["source"] = solution_cell_source(_text(stub["source"]), exercise)
            meta.update(grade=True, points=POINTS, grade_id=f"check-{exercise}")
            exercises.append(exercise)
        cell["metadata"]["nbgrader"] = meta
    if stubs:
        raise ValueError(f"{len(stubs)} {EXERCISE} cell(s) with no {CHECK} cell below")
    return nb, exercises


def _text(source):
    return source if isinstance(source, str) else "".join(source)


def make_course(out, names=None):
    """Write the nbgrader source course into ``out``; return {assignment: exercises}.

    names: notebook numbers or name prefixes (e.g. ["02"]); by default every notebook that has
    an exercise. Each notebook is its own assignment, named after the notebook.
    """
    # outside the tracked tree, or in classroom/course/, which git ignores
    out = _validate.folder_outside("out", out, ROOT, except_in=ROOT / "classroom" / "course")
    paths = sorted(NOTEBOOKS.glob("*.ipynb"))
    if names:
        paths = [p for p in paths if any(p.name.startswith(n) for n in names)]
        if not paths:
            raise ValueError(f"names: no notebook starts with any of {names}")
    made = {}
    for path in paths:
        nb, exercises = to_nbgrader(json.loads(path.read_text()))
        if not exercises:
            continue
        target = out / "source" / path.stem / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n")
        made[path.stem] = exercises
    return made


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m rnnbook.classroom", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    a = sub.add_parser("assignment", help="write the nbgrader source course into OUT")
    a.add_argument("out", help="the course folder (outside the repository)")
    a.add_argument("notebooks", nargs="*", help="notebook numbers, e.g. 02 05 (default: all)")
    args = parser.parse_args(argv)
    for assignment, exercises in make_course(args.out, args.notebooks).items():
        points = POINTS * len(exercises)
        print(f"{args.out}/source/{assignment}: {', '.join(exercises)} "
              f"({points} point{'s' if points != 1 else ''})")


if __name__ == "__main__":
    sys.exit(main())
