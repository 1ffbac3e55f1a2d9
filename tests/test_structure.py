"""The package's structure: one job per module, one source for each name, no reaching into
another module's private names, argument checks at the public boundary (issue #11)."""

import ast
from pathlib import Path

import numpy as np
import pytest

import rnnbook
from rnnbook import cells, data, gradients, models, train

PACKAGE = Path(rnnbook.__file__).resolve().parent
MODULES = sorted(PACKAGE.rglob("*.py"))
MAX_LINES = 700
# Names the package shares: each must be defined (assigned or def'd) in exactly one module.
SHARED = ("CELLS", "CELL_NAMES", "WEIGHT_BLOCKS", "GATES", "NUM_BLOCKS", "ARCHITECTURE_NAMES")
# The entry point of a module run with ``python -m``: one per such module, by convention.
PER_MODULE = {"main"}


def module_name(path):
    """rnnbook/cells.py -> "rnnbook.cells"; rnnbook/checks/__init__.py -> "rnnbook.checks"."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_private(name):
    return name.startswith("_") and not name.startswith("__")


def private_imports(path):
    """Every private name of another rnnbook module that ``path`` imports or reads, as
    "line: what" strings. The module ``_validate`` is meant for all; its own private names
    are not."""
    tree = ast.parse(path.read_text(), str(path))
    this = module_name(path)
    found, modules = [], {}  # modules: local name -> the rnnbook module it is bound to
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "rnnbook" or node.module.startswith("rnnbook."):
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    if (PACKAGE.parent / (full.replace(".", "/") + ".py")).exists() or (
                            PACKAGE.parent / full.replace(".", "/")).is_dir():
                        modules[alias.asname or alias.name] = full  # a module imported by name
                    elif is_private(alias.name) and node.module != this:
                        found.append(f"{node.lineno}: from {node.module} import {alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("rnnbook.") and alias.asname:
                    modules[alias.asname] = alias.name
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in modules and modules[node.value.id] != this
                and is_private(node.attr)):
            found.append(f"{node.lineno}: {node.value.id}.{node.attr}")
    return found


def top_level_definitions(path):
    """{name: line} of the top-level classes, functions and assignments of a module (imports,
    which re-export a name, are not definitions)."""
    defined = {}
    for node in ast.parse(path.read_text(), str(path)).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined[node.name] = node.lineno
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name):
                        defined[name.id] = node.lineno
    return defined


def test_no_module_imports_a_private_name_of_another():
    offences = {module_name(p): private_imports(p) for p in MODULES}
    offences = {m: found for m, found in offences.items() if found}
    assert not offences, f"private names of other rnnbook modules used: {offences}"


def test_each_shared_name_and_each_public_definition_has_one_source():
    where = {}
    for path in MODULES:
        for name, line in top_level_definitions(path).items():
            where.setdefault(name, []).append(f"{module_name(path)}:{line}")
    twice = {name: places for name, places in where.items() if len(places) > 1
             and (name in SHARED or not name.startswith("_")) and name not in PER_MODULE}
    assert not twice, f"names defined in more than one module: {twice}"


def test_the_shared_names_are_defined():
    # the test above would pass vacuously if a shared name were renamed away
    defined = {n for p in MODULES for n in top_level_definitions(p) if n in SHARED}
    assert defined == set(SHARED)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_no_module_is_longer_than_the_limit(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{module_name(path)} has {lines} lines (limit {MAX_LINES})"


def test_the_structure_checks_catch_what_they_are_for(tmp_path, monkeypatch):
    """The checks fail on a module that breaks each rule (so that they can fail at all)."""
    bad = PACKAGE / "_structure_probe_never_committed.py"
    assert not bad.exists()
    bad.write_text("from rnnbook import cells\nfrom rnnbook.cells import _blocks\n"
                   "from rnnbook import _validate\n"
                   "x = cells._blocks\ny = _validate.as_array\nz = _validate._shape_str\n"
                   "CELLS = ()\n" + "\n" * MAX_LINES)
    try:
        assert private_imports(bad) == ["2: from rnnbook.cells import _blocks", "4: cells._blocks",
                                        "6: _validate._shape_str"]
        assert "CELLS" in top_level_definitions(bad)
        assert len(bad.read_text().splitlines()) > MAX_LINES
    finally:
        bad.unlink()


# ----------------------------------------------------------------------------- named results


def test_unroll_and_its_backward_return_named_fields_that_still_unpack():
    params = cells.init_params("lstm", 3, 4, rng=0)
    x = np.random.default_rng(1).normal(size=(5, 2, 3))
    run = cells.unroll("lstm", x, cells.zero_state("lstm", 2, 4), params)
    assert isinstance(run, cells.Unrolled) and run._fields == ("hs", "state", "caches")
    hs, state, caches = run
    assert hs is run.hs and state is run.state and caches is run.caches
    assert run.hs.shape == (5, 2, 4) and len(run.caches) == 5
    np.testing.assert_array_equal(run.state.h, run.hs[-1])
    back = cells.unroll_backward("lstm", np.ones_like(hs), run.caches)
    assert isinstance(back, cells.UnrolledGrads)
    assert back._fields == ("dx", "dstate0", "grads")
    dx, dstate0, grads = back
    assert dx is back.dx and dstate0 is back.dstate0 and grads is back.grads
    assert back.dx.shape == x.shape and set(back.grads) == set(params)


# ----------------------------------------------------------------------------- seeds

NEGATIVE_SEED = {
    "setup_notebook": lambda: rnnbook.setup_notebook(seed=-1),
    "init_params": lambda: cells.init_params("rnn", 2, 3, rng=-1),
    "scaled_orthogonal": lambda: gradients.scaled_orthogonal(3, 1.0, rng=-1),
    "with_spectral_radius": lambda: gradients.with_spectral_radius(
        "rnn", cells.init_params("rnn", 2, 3, rng=0), 1.0, rng=-1),
    "data.echo": lambda: data.echo(seed=-1),
    "data.sentiment": lambda: data.sentiment(seed=-1),
    "models.OneToOne": lambda: models.OneToOne(4, 2, seed=-1),
    "models.ManyToOne": lambda: models.ManyToOne(5, seed=-1),
    "models.Seq2Seq": lambda: models.Seq2Seq(5, 5, seed=-1),
    "data.copying": lambda: data.copying(seed=-1),  # notebook 07
    "models.DeepTagger": lambda: models.DeepTagger(5, 3, seed=-1),
    "models.AttentionSeq2Seq": lambda: models.AttentionSeq2Seq(5, 5, seed=-1),
    "train.train": lambda: train.train(models.Tagger(ECHO.n_in, ECHO.n_out), ECHO, seed=-1),
}
ECHO = data.echo(n_train=8, n_test=4)


@pytest.mark.parametrize("call", NEGATIVE_SEED.values(), ids=NEGATIVE_SEED.keys())
def test_a_negative_seed_is_a_value_error_naming_the_argument(call):
    with pytest.raises(ValueError, match=r"^(seed|rng): expected .*-1"):
        call()
