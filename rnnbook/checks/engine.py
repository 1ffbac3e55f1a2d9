"""The marking engine that every exercise of ``rnnbook.checks`` shares.

An exercise is one ``Exercise`` record: its reference, its cases, its classic mistakes (each a
recipe for the exercise's ``variant``), how to locate a culprit no mistake explains, the
arguments it must refuse, its hints and its solution. ``mark`` runs the learner's answer
through it and prints one line, or raises an ``AssertionError`` that names the culprit.
"""

import copy
import itertools
import numbers
import os
import re
import textwrap
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from rnnbook import _validate

# Loose enough for an answer computed in float32, far tighter than any mistake's effect.
RTOL, ATOL = 1e-5, 1e-6
WIDTH = 90  # columns of an AssertionError's message under a grader, to read in a traceback
_PACKAGE = os.path.dirname(os.path.abspath(__file__))  # rnnbook/checks: the checkers' own frames


class Stub(Exception):
    """The answer is the stub as shipped; the message says how (e.g. "still raises ...")."""


class Wrong(Exception):
    """A diagnosis; ``mark`` raises it as an AssertionError."""


class Crash(Exception):
    """The learner's function raised; the message says what, and where, in one line."""


class Case(NamedTuple):
    """One call of the learner's function."""

    label: str  # how messages name it, e.g. "B = 2, D = 3, H = 5"
    args: tuple  # the arguments
    sizes: dict  # letter -> size, to name shapes in messages, e.g. {"B": 2, "D": 3, "H": 5}
    note: str = ""  # what it means when a crashing function runs on this case and only here


class Mistake(NamedTuple):
    """A classic mistake: its culprit in the learner's terms, and how the variant makes it."""

    culprit: str
    recipe: dict  # keyword arguments of the exercise's variant function


class Reject(NamedTuple):
    """Arguments the learner's function must refuse, with an error that names the argument."""

    label: str  # how messages name them, e.g. "temperature = 0"
    args: tuple
    error: type  # the exception expected, e.g. ValueError
    argument: str  # the name its message must contain, e.g. "temperature"
    why: str  # why they are refused, e.g. "logits / 0 is not a distribution"


class Probe(NamedTuple):
    """A case that isolates one part of the computation."""

    culprit: str  # what is wrong when this probe fails
    make: Callable  # Case -> Case
    part: int | None = None  # compare only this output (e.g. c_t of the LSTM), or all


@dataclass(frozen=True)
class Exercise:
    """One exercise: everything its checker, ``hint`` and ``show_solution`` need.

    An exercise whose answer is a function sets reference, variant, cases, mistakes, outputs,
    arg_names, help and locate; one whose answer is data (e.g. a dict) sets ``grade`` instead.
    """

    name: str  # as hint() and the messages name it, e.g. "rnn_step"
    hints: tuple  # of str, shown one at a time by hint()
    solution: tuple  # what show_solution prints: functions or classes, or the names of
    #                  constants of rnnbook.solutions (e.g. "TASK_ARCHITECTURES")
    reference: Callable | None = None  # (*args) -> the right answer: the package's own function
    variant: Callable | None = None  # (*args, **recipe) -> the answer with those mistakes
    cases: Callable | None = None  # () -> tuple of Case; the first is the main case
    mistakes: tuple = ()  # of Mistake
    outputs: tuple = ()  # the outputs' names, e.g. ("h_t", "c_t")
    arg_names: tuple = ()  # the arguments' names, e.g. ("x_t", "h_prev", "params")
    help: str = ""  # the arguments and their shapes, shown when the function crashes
    locate: Callable | None = None  # (fn, ex, case, got, want) -> culprit when no mistake matches
    rejects: tuple = ()  # of Reject: bad arguments the function must refuse, after the cases
    grade: Callable | None = None  # answer -> what passed, for an answer that is not a function
    nonfinite: Callable | None = None  # (fn, ex, case, message) -> culprit of a NaN or inf


# ============================================================================ marking


def grading():
    """True under a grader: nbgrader's NBGRADER_EXECUTION, or RNNBOOK_GRADING=1."""
    return bool(os.environ.get("NBGRADER_EXECUTION")) or os.environ.get("RNNBOOK_GRADING") == "1"


def mark(ex, answer):
    """Print the learner's one line, or raise an AssertionError that names the culprit.

    The stub as shipped gets a friendly line, so that the shipped notebooks run cleanly; under
    a grader (see ``grading``) it is an AssertionError too, so that it scores 0.
    """
    __tracebackhide__ = True  # pytest and IPython show the learner's cell, not the checker
    if ex.grade is None:
        _validate.function("fn", answer)
    try:
        passed = ex.grade(answer) if ex.grade else check_function(answer, ex)
    except Stub as stub:
        if grading():
            raise AssertionError(_wrap(f"{ex.name}: not attempted: {stub}")) from None
        print(f"{ex.name}: not implemented yet. When it is, run this cell again; "
              f'checks.hint("{ex.name}") gives a hint, checks.show_solution("{ex.name}") '
              "the solution.")
        return
    except Wrong as wrong:
        raise AssertionError(_wrap(f"{ex.name}: {wrong}")) from None
    print(f"{ex.name}: correct, {passed}.")


def _wrap(message):
    """Under a grader, the message wrapped to WIDTH columns: a grader's report is plain text.

    A learner's notebook shows it as one line, which the browser wraps to the page (notebook 05
    prints one). Whole words only, so that joining the lines with spaces gives the message back.
    """
    if not grading():
        return message
    return textwrap.fill(message, WIDTH, break_long_words=False, break_on_hyphens=False)


def check_function(fn, ex):
    """Run every case; raise Wrong with a diagnosis at the first wrong one, else say so."""
    cases = ex.cases()
    for k, case in enumerate(cases):
        try:
            got, want, changed = run(fn, ex, case)
        except Crash as crash:
            others = cases[:k] + cases[k + 1:]
            raise Wrong(_explain_crash(fn, ex, case, str(crash), others)) from None
        if not close(got, want):
            raise Wrong(_diagnose(fn, ex, case, got, want))
        if changed:
            raise Wrong(f"your function changed its argument {changed[0]} in place; "
                        "leave the inputs as they are and return new arrays")
    for reject in ex.rejects:
        _refuses(fn, reject)
    refused = f" and refuses {' and '.join(r.label for r in ex.rejects)}" if ex.rejects else ""
    return f"it agrees with the reference on all {len(cases)} test cases{refused}"


def _refuses(fn, reject):
    """Raise Wrong unless fn raises reject.error, naming reject.argument, on reject.args."""
    should = f"raise a {reject.error.__name__} that names {reject.argument} ({reject.why})"
    try:
        with np.errstate(all="ignore"):
            got = fn(*copy.deepcopy(reject.args))
    except NotImplementedError:
        raise Stub("your function still raises NotImplementedError") from None
    except reject.error as exc:
        if reject.argument in str(exc):
            return
        raise Wrong(f"with {reject.label} your function raised {_crash_summary(exc)}; its "
                    f"message should name the argument {reject.argument}") from None
    except Exception as exc:  # noqa: BLE001 - any error of the learner's code is reported
        raise Wrong(f"with {reject.label} your function raised {_crash_summary(exc)}; "
                    f"{should}") from None
    raise Wrong(f"with {reject.label} your function returned {describe(got)} instead of "
                f"raising: {should}")


# ============================================================================ running


def as_outputs(value, ex):
    """A result as a tuple with one entry per output (a single output becomes a 1-tuple)."""
    return (value,) if len(ex.outputs) == 1 else tuple(value)


class Attempt(NamedTuple):
    got: tuple  # the learner's outputs, as float arrays and floats
    want: tuple  # the reference's outputs
    changed: list  # the names of the arguments the learner's function changed in place


def run(fn, ex, case):
    """Call fn on a copy of the case's arguments and return an Attempt.

    Raises Stub for NotImplementedError, Crash for any other exception, and Wrong when the
    result has the wrong type, count or dtype; a shape mismatch is left for the diagnosis.
    """
    args = copy.deepcopy(case.args)  # the learner's function may write into its arguments
    try:
        with np.errstate(all="ignore"):  # a wrong answer may overflow: its diagnosis says more
            got = fn(*args)
    except NotImplementedError:
        raise Stub("your function still raises NotImplementedError") from None
    except Exception as exc:  # noqa: BLE001 - any crash of the learner's code is reported
        raise Crash(_crash_summary(exc)) from None
    want = as_outputs(ex.reference(*case.args), ex)
    changed = [name for name, a, b in zip(ex.arg_names, args, case.args, strict=True)
               if not _same(a, b)]
    return Attempt(_conform(got, ex, want), want, changed)


def _crash_summary(exc):
    """'ValueError: message (at `line of the learner's code`)', without a stack trace."""
    lines = str(exc).strip().splitlines()
    # numpy's matmul names its gufunc signature, which tells a learner nothing.
    first = re.sub(r", with gufunc signature \S+", "", lines[0])[:160] if lines else ""
    text = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    frames = [f for f in traceback.extract_tb(exc.__traceback__)[1:] if not _is_library(f)]
    return f"{text} (at `{frames[-1].line}`)" if frames and frames[-1].line else text


def _is_library(frame):
    # The checkers', numpy's, torch's or Python's own frames say nothing about the learner's code.
    path = os.path.abspath(frame.filename)
    return path.startswith(_PACKAGE + os.sep) or any(
        part in path.split(os.sep) for part in ("site-packages", "dist-packages", "lib-dynload")
    ) or path.startswith(os.path.dirname(os.__file__))


def _same(a, b):
    """True when a and b hold exactly the same values (nested dicts, lists, tuples, arrays)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and np.array_equal(a, b)
    if isinstance(a, Mapping):
        return isinstance(b, Mapping) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_same, a, b))
    return a == b


def _conform(got, ex, want):
    """The learner's result as float arrays/floats shaped like ``want``, or raise Wrong."""
    names = ex.outputs
    if len(names) > 1:
        if not isinstance(got, (tuple, list)) or len(got) != len(names):
            raise Wrong(f"expected {len(names)} results ({', '.join(names)}), "
                        f"got {describe(got)}")
    else:
        got = (got,)
    return tuple(_conform_one(g, w, name) for g, w, name in zip(got, want, names, strict=True))


def _conform_one(got, want, name):
    if isinstance(want, dict):
        if not isinstance(got, Mapping):
            raise Wrong(f"{name} should be a dict like grads, got {describe(got)}")
        if list(got) != list(want):
            raise Wrong(f"{name} should have the keys of grads {list(want)}, got {list(got)}")
        return {k: _conform_one(got[k], want[k], f"{name}[{k!r}]") for k in want}
    if hasattr(got, "detach"):  # a torch tensor
        got = got.detach().cpu().numpy()
    if isinstance(want, float):
        if isinstance(got, np.ndarray) and got.size == 1:
            got = got.item()
        if isinstance(got, bool) or not isinstance(got, numbers.Real):
            raise Wrong(f"{name} should be a number, got {describe(got)}")
        return float(got)
    if not isinstance(got, np.ndarray):
        raise Wrong(f"{name} should be a numpy array, got {describe(got)}")
    if not np.issubdtype(got.dtype, np.floating):
        raise Wrong(f"{name} has dtype {got.dtype}; expected floats, as np.zeros gives")
    return got.astype(np.float64)  # NaN and inf are kept: a known mistake may explain them


def describe(value):
    """How a message names a value the learner gave: 'an array of shape (2, 3)', 'None', ..."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of length {len(value)}"
    return "None" if value is None else f"a {type(value).__name__}"


def close(got, want):
    """True when got equals want within RTOL/ATOL: same shapes, same keys, nested."""
    if isinstance(want, dict):
        return isinstance(got, dict) and got.keys() == want.keys() and all(
            close(got[k], want[k]) for k in want)
    if isinstance(want, (tuple, list)):
        return len(got) == len(want) and all(map(close, got, want))
    got, want = np.asarray(got), np.asarray(want)
    # NaN equals NaN: the references never give NaN, and a mistake's variant that does (e.g. an
    # exp that overflows) must match the learner's answer that does too, to name the mistake.
    return got.shape == want.shape and np.allclose(got, want, rtol=RTOL, atol=ATOL,
                                                   equal_nan=True)


# ============================================================================ diagnosing


def _explain_crash(fn, ex, case, summary, others):
    """Why the function crashed on ``case``: does it run on another case, and how?"""
    crashed = f"with {case.label} your function raised {summary}"
    for other in others:
        try:
            got, want, _ = run(fn, ex, other)
        except (Crash, Wrong):
            continue
        if close(got, want):
            return f"your function is right with {other.label}, {other.note} ({crashed})"
        return f"{_diagnose(fn, ex, other, got, want)} (seen with {other.label}; {crashed})"
    message = f"your function raised {summary} with {case.label}."
    return " ".join(filter(None, (message, _off_by_one(summary, case.sizes),
                                  ex.help.format(**case.sizes))))


def _off_by_one(summary, sizes):
    """A hint when a size H - 1 or H + 1 shows in the error of a cell with stacked blocks."""
    if not any(letter.endswith("H") and letter != "H" for letter in sizes):
        return ""
    H = sizes["H"]
    error = summary.split(" (at `")[0]  # the error's own message, not the learner's line
    seen = {int(n) for n in re.findall(r"\d+", error)} - set(sizes.values())
    for size, sign in ((H - 1, "-"), (H + 1, "+")):
        if size in seen:
            return (f"A size {size} = H {sign} 1 shows up: an off-by-one, likely in slicing the "
                    "stacked blocks (block k is rows k*H:(k+1)*H).")
    return ""


def _diagnose(fn, ex, case, got, want):
    """The likely culprit of a wrong answer: a known mistake, a shape, or the located part."""
    return (matching_mistake(ex, case, got, pairs=True) or _shape_mismatch(got, want, case, ex)
            or _nonfinite(fn, ex, case, got) or ex.locate(fn, ex, case, got, want))


def matching_mistake(ex, case, got, pairs):
    """The culprit of the mistake (or, with pairs, two mistakes) that reproduces ``got``."""
    for mistake in ex.mistakes:
        if variant_matches(ex, case, got, mistake.recipe):
            return mistake.culprit
    if not pairs:
        return None
    for a, b in itertools.combinations(ex.mistakes, 2):
        if not a.recipe.keys() & b.recipe.keys():  # one knob cannot take two values at once
            if variant_matches(ex, case, got, {**a.recipe, **b.recipe}):
                return f"two things: {a.culprit}; and {b.culprit}"
    return None


def variant_matches(ex, case, got, recipe):
    """True when the variant with this recipe gives ``got`` on ``case``."""
    try:
        with np.errstate(all="ignore"):
            # The case is reused for every variant tried; a copy keeps it intact.
            want = ex.variant(*copy.deepcopy(case.args), **recipe)
    except (ValueError, IndexError):  # this mistake cannot happen with these shapes
        return False
    return close(got, as_outputs(want, ex))


class Finding(NamedTuple):
    culprit: str
    known: bool  # a known mistake reproduces the probe's answer


def probe(fn, ex, p, case):
    """None if probe ``p`` passes on ``case``, else a Finding: a known mistake seen there, or
    the probe's culprit."""
    probe_case = p.make(case)
    try:
        got, want, _ = run(fn, ex, probe_case)
    except (Crash, Wrong) as error:
        return Finding(f"{p.culprit}; there your function gave: {error}", False)
    parts = slice(None) if p.part is None else slice(p.part, p.part + 1)
    if close(got[parts], want[parts]):
        return None
    known = matching_mistake(ex, probe_case, got, pairs=False)
    return Finding(known, True) if known else Finding(p.culprit, False)


def _leaves(outputs, names):
    """(name, array) for every array in the outputs, dicts opened."""
    for value, name in zip(outputs, names, strict=True):
        if isinstance(value, dict):
            yield from _leaves(value.values(), [f"{name}[{k!r}]" for k in value])
        elif isinstance(value, np.ndarray):
            yield name, value


def _shape_mismatch(got, want, case, ex):
    pairs = zip(_leaves(got, ex.outputs), _leaves(want, ex.outputs), strict=True)
    for (name, g), (_, w) in pairs:
        if g.shape != w.shape:
            order = ": its axes are in the wrong order" if sorted(g.shape) == sorted(
                w.shape) else ""
            if g.shape == tuple(size for size in w.shape if size != 1):
                order = ": an axis of size 1 is gone (np.squeeze, or indexing with [0])"
            return (f"{name} has shape {g.shape}{_letters(g.shape, case.sizes)}; expected "
                    f"{w.shape}{_letters(w.shape, case.sizes)}{order}")
    return None


def _nonfinite(fn, ex, case, got):
    """The culprit of NaN or inf in an answer no known mistake explains (the exercise's own
    ``nonfinite`` may say more), or None when every value is finite."""
    for name, g in _leaves(got, ex.outputs):
        if not np.all(np.isfinite(g)):
            message = f"{name} contains NaN or infinite values"
            return ex.nonfinite(fn, ex, case, message) if ex.nonfinite else message
    return None


def _letters(shape, sizes):
    """' = (B, 4H)' when every size of ``shape`` has a letter in ``sizes``, else ''."""
    names = {size: letter for letter, size in reversed(sizes.items())}
    if not shape or any(s not in names for s in shape):
        return ""
    return " = (" + ", ".join(names[s] for s in shape) + ("," if len(shape) == 1 else "") + ")"
