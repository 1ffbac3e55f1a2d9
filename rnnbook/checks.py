"""Exercise checkers, hints and solutions (the exercises of notebooks 01-05).

    from rnnbook import checks
    checks.check_rnn_step(rnn_step)    # one line if right; an AssertionError naming the culprit
    checks.hint("rnn_step")            # the next hint, one at a time
    checks.show_solution("rnn_step")   # prints the reference's source

Exercises: "one_hot" (01), "rnn_step" (02), "architectures" and "last_valid_state" (03),
"clip_by_global_norm" (04), "lstm_step" and "gru_step" (05). The references are the package's
own functions: ``cells.rnn_step``, ``cells.lstm_step``, ``cells.gru_step`` and those of
``rnnbook.solutions``.

How a checker finds the culprit, the way good autograders do:

1. It calls the learner's function on a main case built from a fixed seed: float64, B > 1,
   D != H and random non-zero biases, so that no identity-like coincidence hides a mistake.
2. If the answer is wrong, it recomputes the answer under each classic mistake, and under each
   pair of them, as variants of the reference (bias_hh left out, W_hh transposed, z and 1 - z
   swapped, ...). A variant that matches names the mistake exactly.
3. Otherwise it isolates terms: zero the weights to test each bias alone, zero one weight
   matrix to test the other term alone, shut or open gates to test them one by one. The
   probes that fail, against those that pass, name the culprit.
4. If the function crashes, it tries the other cases (D == H, B = 1, no full-length sequence):
   one that runs tells which size or index is mixed up.

A function that still raises NotImplementedError (the stub as shipped) gets a friendly line
instead of an error, so the shipped notebooks run cleanly in CI.

State: ``hint`` counts the hints shown per exercise in the module-level dict
``_hints_shown`` (one count per kernel); ``hint(name, reset=True)`` starts again.
"""

import ast
import copy
import difflib
import functools
import inspect
import itertools
import numbers
import os
import re
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from rnnbook import cells, solutions
from rnnbook._validate import choice

__all__ = [
    "ARCHITECTURE_NAMES",
    "ARCHITECTURE_TASKS",
    "EXERCISES",
    "check_architectures",
    "check_clip_by_global_norm",
    "check_gru_step",
    "check_last_valid_state",
    "check_lstm_step",
    "check_one_hot",
    "check_rnn_step",
    "hint",
    "show_solution",
]

EXERCISES = (
    "one_hot",
    "rnn_step",
    "architectures",
    "last_valid_state",
    "clip_by_global_norm",
    "lstm_step",
    "gru_step",
)
ARCHITECTURE_NAMES = solutions.ARCHITECTURE_NAMES
ARCHITECTURE_TASKS = tuple(solutions.ARCHITECTURES)

# Loose enough for an answer computed in float32, far tighter than any mistake's effect.
RTOL, ATOL = 1e-5, 1e-6

# ============================================================================ the machinery


class _Stub(Exception):
    """The learner's function raised NotImplementedError: the stub as shipped."""


class _Wrong(Exception):
    """A diagnosis; the public checker raises it as an AssertionError."""


class _Crash(Exception):
    """The learner's function raised; the message says what, and where, in one line."""


class _Case(NamedTuple):
    """One call of the learner's function."""

    label: str  # how messages name it, e.g. "B = 2, D = 3, H = 5"
    args: tuple  # the arguments
    sizes: dict  # letter -> size, to name shapes in messages, e.g. {"B": 2, "D": 3, "H": 5}
    note: str = ""  # what it means when a crashing function runs on this case and only here


class _Mistake(NamedTuple):
    """A classic mistake: its culprit in the learner's terms, and how the variant makes it."""

    culprit: str
    recipe: dict  # keyword arguments of the exercise's variant function


class _Probe(NamedTuple):
    """A case that isolates one part of the computation."""

    culprit: str  # what is wrong when this probe fails
    make: Callable  # _Case -> _Case
    part: int | None = None  # compare only this output (e.g. c_t of the LSTM), or all


@dataclass(frozen=True)
class _Exercise:
    name: str  # the exercise as hint() and the messages name it, e.g. "rnn_step"
    reference: Callable  # (*args) -> the right answer: the package's own function
    variant: Callable  # (*args, **recipe) -> the answer with those mistakes; no recipe is right
    cases: Callable  # () -> tuple of _Case; the first is the main case
    mistakes: tuple  # of _Mistake
    outputs: tuple  # the outputs' names, e.g. ("h_t", "c_t")
    arg_names: tuple  # the arguments' names, e.g. ("x_t", "h_prev", "params")
    help: str  # the arguments and their shapes, shown when the function crashes
    locate: Callable  # (fn, exercise, case, got, want) -> culprit when no variant matches


def _as_outputs(value, ex):
    """A result as a tuple with one entry per output (a single output becomes a 1-tuple)."""
    return (value,) if len(ex.outputs) == 1 else tuple(value)


class _Attempt(NamedTuple):
    got: tuple  # the learner's outputs, as float arrays and floats
    want: tuple  # the reference's outputs
    changed: list  # the names of the arguments the learner's function changed in place


def _run(fn, ex, case):
    """Call fn on a copy of the case's arguments and return an _Attempt.

    Raises _Stub for NotImplementedError, _Crash for any other exception, and _Wrong when the
    result has the wrong type, count or dtype; a shape mismatch is left for the diagnosis.
    """
    args = copy.deepcopy(case.args)  # the learner's function may write into its arguments
    try:
        with np.errstate(all="ignore"):  # a wrong answer may overflow: its diagnosis says more
            got = fn(*args)
    except NotImplementedError:
        raise _Stub from None
    except Exception as exc:  # noqa: BLE001 - any crash of the learner's code is reported
        raise _Crash(_crash_summary(exc)) from None
    want = _as_outputs(ex.reference(*case.args), ex)
    changed = [name for name, a, b in zip(ex.arg_names, args, case.args, strict=True)
               if not _same(a, b)]
    return _Attempt(_conform(got, ex, want), want, changed)


def _crash_summary(exc):
    """'ValueError: message (at `line of the learner's code`)', without a stack trace."""
    lines = str(exc).strip().splitlines()
    # numpy's matmul names its gufunc signature, which tells a learner nothing.
    first = re.sub(r", with gufunc signature \S+", "", lines[0])[:160] if lines else ""
    text = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    frames = [f for f in traceback.extract_tb(exc.__traceback__)[1:] if not _is_library(f)]
    return f"{text} (at `{frames[-1].line}`)" if frames and frames[-1].line else text


def _is_library(frame):
    # numpy's, torch's or Python's own frames say nothing about the learner's code.
    path = os.path.abspath(frame.filename)
    return path == os.path.abspath(__file__) or any(
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
    """The learner's result as float arrays/floats shaped like ``want``, or raise _Wrong."""
    names = ex.outputs
    if len(names) > 1:
        if not isinstance(got, (tuple, list)) or len(got) != len(names):
            raise _Wrong(f"expected {len(names)} results ({', '.join(names)}), "
                         f"got {_describe(got)}")
    else:
        got = (got,)
    return tuple(_conform_one(g, w, name) for g, w, name in zip(got, want, names, strict=True))


def _conform_one(got, want, name):
    if isinstance(want, dict):
        if not isinstance(got, Mapping):
            raise _Wrong(f"{name} should be a dict like grads, got {_describe(got)}")
        if list(got) != list(want):
            raise _Wrong(f"{name} should have the keys of grads {list(want)}, got {list(got)}")
        return {k: _conform_one(got[k], want[k], f"{name}[{k!r}]") for k in want}
    if hasattr(got, "detach"):  # a torch tensor
        got = got.detach().cpu().numpy()
    if isinstance(want, float):
        if isinstance(got, np.ndarray) and got.size == 1:
            got = got.item()
        if isinstance(got, bool) or not isinstance(got, numbers.Real):
            raise _Wrong(f"{name} should be a number, got {_describe(got)}")
        return float(got)
    if not isinstance(got, np.ndarray):
        raise _Wrong(f"{name} should be a numpy array, got {_describe(got)}")
    if not np.issubdtype(got.dtype, np.floating):
        raise _Wrong(f"{name} has dtype {got.dtype}; expected floats, as np.zeros gives")
    if not np.all(np.isfinite(got)):
        raise _Wrong(f"{name} contains NaN or infinite values")
    return got.astype(np.float64)


def _describe(value):
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of length {len(value)}"
    return "None" if value is None else f"a {type(value).__name__}"


def _close(got, want):
    if isinstance(want, dict):
        return isinstance(got, dict) and got.keys() == want.keys() and all(
            _close(got[k], want[k]) for k in want)
    if isinstance(want, (tuple, list)):
        return len(got) == len(want) and all(map(_close, got, want))
    got, want = np.asarray(got), np.asarray(want)
    return got.shape == want.shape and np.allclose(got, want, rtol=RTOL, atol=ATOL)


def _check_exercise(fn, ex):
    """Run every case; raise _Wrong with a diagnosis at the first wrong one, else say so."""
    cases = ex.cases()
    for k, case in enumerate(cases):
        try:
            got, want, changed = _run(fn, ex, case)
        except _Crash as crash:
            others = cases[:k] + cases[k + 1:]
            raise _Wrong(_explain_crash(fn, ex, case, str(crash), others)) from None
        if not _close(got, want):
            raise _Wrong(_diagnose(fn, ex, case, got, want))
        if changed:
            raise _Wrong(f"your function changed its argument {changed[0]} in place; "
                         "leave the inputs as they are and return new arrays")
    return f"it agrees with the reference on all {len(cases)} test cases"


def _explain_crash(fn, ex, case, summary, others):
    """Why the function crashed on ``case``: does it run on another case, and how?"""
    crashed = f"with {case.label} your function raised {summary}"
    for other in others:
        try:
            got, want, _ = _run(fn, ex, other)
        except (_Crash, _Wrong):
            continue
        if _close(got, want):
            return f"your function is right with {other.label}, {other.note} ({crashed})"
        return f"{_diagnose(fn, ex, other, got, want)} (seen with {other.label}; {crashed})"
    message = f"your function raised {summary} with {case.label}."
    return " ".join(filter(None, (message, _off_by_one(summary, case.sizes),
                                  ex.help.format(**case.sizes))))


def _off_by_one(summary, sizes):
    """A hint when a size H - 1 or H + 1 shows in the error of a cell with stacked gates."""
    if not any(letter.endswith("H") and letter != "H" for letter in sizes):
        return ""
    H = sizes["H"]
    error = summary.split(" (at `")[0]  # the error's own message, not the learner's line
    seen = {int(n) for n in re.findall(r"\d+", error)} - set(sizes.values())
    for size, sign in ((H - 1, "-"), (H + 1, "+")):
        if size in seen:
            return (f"A size {size} = H {sign} 1 shows up: an off-by-one, likely in slicing the "
                    "stacked gates (gate k is rows k*H:(k+1)*H).")
    return ""


def _diagnose(fn, ex, case, got, want):
    """The likely culprit of a wrong answer: a known mistake, a shape, or the isolated term."""
    return (_matching_mistake(ex, case, got, pairs=True) or _shape_mismatch(got, want, case, ex)
            or ex.locate(fn, ex, case, got, want))


def _matching_mistake(ex, case, got, pairs):
    """The culprit of the mistake (or, with pairs, two mistakes) that reproduces ``got``."""
    for mistake in ex.mistakes:
        if _variant_matches(ex, case, got, mistake.recipe):
            return mistake.culprit
    if not pairs:
        return None
    for a, b in itertools.combinations(ex.mistakes, 2):
        if not a.recipe.keys() & b.recipe.keys():  # one knob cannot take two values at once
            if _variant_matches(ex, case, got, {**a.recipe, **b.recipe}):
                return f"two things: {a.culprit}; and {b.culprit}"
    return None


def _variant_matches(ex, case, got, recipe):
    try:
        with np.errstate(all="ignore"):
            # The case is reused for every variant tried; a copy keeps it intact.
            want = ex.variant(*copy.deepcopy(case.args), **recipe)
    except (ValueError, IndexError):  # this mistake cannot happen with these shapes
        return False
    return _close(got, _as_outputs(want, ex))


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
            return (f"{name} has shape {g.shape}{_letters(g.shape, case.sizes)}; expected "
                    f"{w.shape}{_letters(w.shape, case.sizes)}{order}")
    return None


def _letters(shape, sizes):
    """' = (B, 4H)' when every size of ``shape`` has a letter in ``sizes``, else ''."""
    names = {size: letter for letter, size in reversed(sizes.items())}
    if not shape or any(s not in names for s in shape):
        return ""
    return " = (" + ", ".join(names[s] for s in shape) + ("," if len(shape) == 1 else "") + ")"


def _mark(name, check):
    """Print the learner's one line, or raise an AssertionError that names the culprit.

    check: () -> what passed, e.g. "it agrees with the reference on all 3 test cases"; it
    raises _Stub for the stub as shipped and _Wrong with a diagnosis.
    """
    try:
        passed = check()
    except _Stub:
        print(f"{name}: not implemented yet. When it is, run this cell again; "
              f'checks.hint("{name}") gives a hint, checks.show_solution("{name}") '
              "the solution.")
        return
    except _Wrong as wrong:
        raise AssertionError(f"{name}: {wrong}") from None
    print(f"{name}: correct, {passed}.")


def _mark_function(fn, ex):
    """Mark the learner's function ``fn`` on exercise ``ex``."""
    if not callable(fn):
        raise TypeError(f"fn: expected your function, got {type(fn).__name__} {fn!r:.60}")
    _mark(ex.name, lambda: _check_exercise(fn, ex))


# ============================================================================ the step cells
# The variants below recompute a step as a learner with the given mistakes would. Without a
# recipe they equal cells.rnn_step / lstm_step / gru_step (a test holds them to that); the
# expected answers themselves always come from cells.

_ACT = {"tanh": np.tanh, "sigmoid": cells.sigmoid, "relu": cells.relu, "none": lambda a: a}
_GATES = {"rnn": "h", "lstm": "ifgo", "gru": "rzn"}  # PyTorch's row order of the stacked gates


def _slipped(p, gates, order=None, no_b_ih=False, no_b_hh=False, ih_T=False, hh_T=False,
             swap_w=False, no_x=False, no_h=False):
    """Params as a step with these slips effectively uses them.

    order: the row order the learner assumed, e.g. "igfo"; a gate named n then reads the rows
    of block order.index(n). ih_T/hh_T: each gate's block used transposed. no_x/no_h: the
    input/recurrent matrix product left out.
    """
    p = dict(p)
    if order:
        p = {k: _blocks(v, len(gates), [order.index(gate) for gate in gates]) for k, v in p.items()}
    if swap_w:
        p["weight_ih"], p["weight_hh"] = p["weight_hh"], p["weight_ih"]
    for flag, key in ((ih_T, "weight_ih"), (hh_T, "weight_hh")):
        if flag:
            p[key] = np.concatenate([w.T for w in np.split(p[key], len(gates))])
    for flag, key in ((no_b_ih, "bias_ih"), (no_b_hh, "bias_hh"), (no_x, "weight_ih"),
                      (no_h, "weight_hh")):
        if flag:
            p[key] = np.zeros_like(p[key])
    return p


def _blocks(v, n, picks):
    blocks = np.split(v, n)
    return np.concatenate([blocks[k] for k in picks])


def _preact(x, h, p):
    """W_ih x_t + b_ih + W_hh h_prev + b_hh, all gates: (B, G*H)."""
    return x @ p["weight_ih"].T + p["bias_ih"] + h @ p["weight_hh"].T + p["bias_hh"]


def _rnn_variant(x, h, p, act="tanh", bias_outside=False, plus_h_prev=False, **slips):
    p = _slipped(p, _GATES["rnn"], **slips)
    if bias_outside:
        h_t = _ACT[act](x @ p["weight_ih"].T + h @ p["weight_hh"].T) + p["bias_ih"] + p["bias_hh"]
    else:
        h_t = _ACT[act](_preact(x, h, p))
    return h_t + h if plus_h_prev else h_t


def _lstm_variant(x, state, p, act_i="sigmoid", act_f="sigmoid", act_g="tanh", act_o="sigmoid",
                  f_on="c_prev", no_i=False, no_f=False, no_o=False, no_tanh_c=False,
                  h_from_c_prev=False, keep_c=False, swap_out=False, **slips):
    h, c = state
    p = _slipped(p, _GATES["lstm"], **slips)
    a_i, a_f, a_g, a_o = np.split(_preact(x, h, p), 4, axis=1)
    i, f, g, o = _ACT[act_i](a_i), _ACT[act_f](a_f), _ACT[act_g](a_g), _ACT[act_o](a_o)
    c_t = (1 if no_f else f) * (h if f_on == "h_prev" else c) + (1 if no_i else i) * g
    c_out = c if h_from_c_prev else c_t
    h_t = (1 if no_o else o) * (c_out if no_tanh_c else np.tanh(c_out))
    c_t = c if keep_c else c_t
    return (c_t, h_t) if swap_out else (h_t, c_t)


def _gru_variant(x, h, p, act_r="sigmoid", act_z="sigmoid", act_n="tanh", reset="after",
                 swap_z=False, no_z=False, **slips):
    p = _slipped(p, _GATES["gru"], **slips)
    x_r, x_z, x_n = np.split(x @ p["weight_ih"].T + p["bias_ih"], 3, axis=1)
    W_hr, W_hz, W_hn = np.split(p["weight_hh"], 3)
    b_hr, b_hz, b_hn = np.split(p["bias_hh"], 3)
    r = _ACT[act_r](x_r + h @ W_hr.T + b_hr)
    z = _ACT[act_z](x_z + h @ W_hz.T + b_hz)
    a_n = {
        "after": lambda: x_n + r * (h @ W_hn.T + b_hn),  # PyTorch
        "before": lambda: x_n + (r * h) @ W_hn.T + b_hn,  # Cho et al. 2014
        "b_hn_outside": lambda: x_n + r * (h @ W_hn.T) + b_hn,
        "on_all": lambda: r * (x_n + h @ W_hn.T + b_hn),
        "none": lambda: x_n + h @ W_hn.T + b_hn,
    }[reset]()
    n = _ACT[act_n](a_n)
    if no_z:
        return n
    z = 1 - z if swap_z else z
    return (1 - z) * n + z * h


def _step_mistakes(cell):
    """The slips every cell can make in its matrix products and biases."""
    block = "weight_hh" if cell == "rnn" else "each gate's H x H block of weight_hh"
    return (
        _Mistake("bias_hh is missing", {"no_b_hh": True}),
        _Mistake("bias_ih is missing", {"no_b_ih": True}),
        _Mistake("the recurrent term is missing (W_hh @ h_prev)", {"no_h": True}),
        _Mistake("the input term is missing (W_ih @ x_t)", {"no_x": True}),
        _Mistake(f"the recurrent term looks wrong (W_hh @ h_prev): {block} is used transposed; "
                 "with one example per row it is h_prev @ weight_hh.T", {"hh_T": True}),
        _Mistake("the input term looks wrong (W_ih @ x_t): weight_ih is used transposed; with "
                 "one example per row it is x_t @ weight_ih.T", {"ih_T": True}),
        _Mistake("weight_ih and weight_hh are swapped: weight_ih multiplies x_t, weight_hh "
                 "multiplies h_prev", {"swap_w": True}),
    )


def _act_mistake(key, want, used, where):
    return _Mistake(f"{want} was expected where {used} is used ({where})", {key: used})


def _order_mistake(cell, order):
    gates = ", ".join(_GATES[cell])
    return _Mistake(f"the gates' rows are taken in the order {', '.join(order)}; PyTorch stacks "
                    f"them {gates}, H rows each", {"order": order})


_RNN_MISTAKES = (
    _act_mistake("act", "tanh", "sigmoid", "h_t = tanh(...)"),
    _act_mistake("act", "tanh", "relu", "h_t = tanh(...)"),
    _Mistake("the nonlinearity is missing: h_t = tanh(W_ih x_t + b_ih + W_hh h_prev + b_hh)",
             {"act": "none"}),
    _Mistake("the biases are added outside tanh; they belong inside it", {"bias_outside": True}),
    _Mistake("h_prev is added to the result; the new state is the tanh alone",
             {"plus_h_prev": True}),
    *_step_mistakes("rnn"),
)

_LSTM_MISTAKES = (
    *(_order_mistake("lstm", order) for order in ("figo", "ifog", "igfo")),
    _act_mistake("act_g", "tanh", "sigmoid", "the candidate g"),
    _act_mistake("act_i", "sigmoid", "tanh", "the input gate i"),
    _act_mistake("act_f", "sigmoid", "tanh", "the forget gate f"),
    _act_mistake("act_o", "sigmoid", "tanh", "the output gate o"),
    _Mistake("the forget gate multiplies the wrong thing: c_t = f * c_prev + i * g, and yours "
             "uses f * h_prev", {"f_on": "h_prev"}),
    _Mistake("the forget gate is missing: c_t = f * c_prev + i * g", {"no_f": True}),
    _Mistake("the input gate is missing: c_t = f * c_prev + i * g", {"no_i": True}),
    _Mistake("the output gate is missing: h_t = o * tanh(c_t)", {"no_o": True}),
    _Mistake("tanh of the cell state is missing: h_t = o * tanh(c_t)", {"no_tanh_c": True}),
    _Mistake("h_t uses the old cell state c_prev; it is o * tanh(c_t) with the new c_t",
             {"h_from_c_prev": True}),
    _Mistake("c_t is returned unchanged (c_prev); return the new cell state", {"keep_c": True}),
    _Mistake("the results are returned as (c_t, h_t); the order is (h_t, c_t)",
             {"swap_out": True}),
    *_step_mistakes("lstm"),
)

_GRU_MISTAKES = (
    _Mistake("z and (1 - z) are swapped relative to PyTorch's convention: h_t = (1 - z) * n + "
             "z * h_prev (yours is Chung et al. 2014's form)", {"swap_z": True}),
    _Mistake("the reset gate is applied before the matrix product, as in Cho et al. 2014; "
             "PyTorch applies it after: r * (W_hn h_prev + b_hn)", {"reset": "before"}),
    _Mistake("b_hn is left outside the reset gate; PyTorch computes r * (W_hn h_prev + b_hn)",
             {"reset": "b_hn_outside"}),
    _Mistake("the reset gate multiplies the input term too; it multiplies only "
             "(W_hn h_prev + b_hn)", {"reset": "on_all"}),
    _Mistake("the reset gate is missing: n = tanh(W_in x_t + b_in + r * (W_hn h_prev + b_hn))",
             {"reset": "none"}),
    _Mistake("the update gate is missing: h_t = (1 - z) * n + z * h_prev", {"no_z": True}),
    *(_order_mistake("gru", order) for order in ("zrn", "rnz")),
    _act_mistake("act_n", "tanh", "sigmoid", "the candidate n"),
    _act_mistake("act_r", "sigmoid", "tanh", "the reset gate r"),
    _act_mistake("act_z", "sigmoid", "tanh", "the update gate z"),
    *_step_mistakes("gru"),
)


def _step_cases(cell, seed):
    """The main case (B = 2, D = 3, H = 6), then D == H, then a single example."""
    rng = np.random.default_rng(seed)
    G = len(_GATES[cell])

    def case(B, D, H, note):
        x = rng.normal(size=(B, D))
        h = rng.uniform(-0.9, 0.9, size=(B, H))  # a state tanh could have produced
        state = (h, rng.normal(size=(B, H))) if cell == "lstm" else h
        params = {
            "weight_ih": rng.normal(0, 0.6, size=(G * H, D)),
            "weight_hh": rng.normal(0, 0.6, size=(G * H, H)),
            "bias_ih": rng.normal(0, 0.6, size=G * H),
            "bias_hh": rng.normal(0, 0.6, size=G * H),
        }
        # H before D: when D == H a shape reads (B, H), and the first letter of a size wins.
        sizes = {"B": B, "H": H, "D": D, **({f"{G}H": G * H} if G > 1 else {})}
        return _Case(f"B = {B}, D = {D}, H = {H}", (x, state, params), sizes, note)

    return (
        case(2, 3, 6, ""),
        case(2, 6, 6, "so a size or a matrix orientation mixes up D and H: weight_ih has "
                      "D columns, and the input term is x_t @ weight_ih.T"),
        case(1, 3, 6, "so it handles one example but not a batch: x_t and h_prev hold one "
                      "example per row"),
    )


def _with_params(case, change):
    p = {k: v.copy() for k, v in case.args[2].items()}
    change(p)
    return case._replace(args=(case.args[0], case.args[1], p))


def _zeroed(*keys):
    """A probe's case maker: the named params set to zero."""

    def make(case):
        return _with_params(case, lambda p: [p[k].fill(0.0) for k in keys])

    return make


def _saturated(cell, **gates):
    """A probe's case maker: each named gate held shut (0) or open (1) for every example."""

    def shut_or_open(p):
        H = p["weight_hh"].shape[1]
        for gate, value in gates.items():
            rows = slice(_GATES[cell].index(gate) * H, (_GATES[cell].index(gate) + 1) * H)
            p["weight_ih"][rows] = p["weight_hh"][rows] = 0.0
            p["bias_ih"][rows] = p["bias_hh"][rows] = 15.0 if value else -15.0  # sigmoid(+-30)

    return lambda case: _with_params(case, shut_or_open)


def _same_case(case):
    return case


_TERM_PROBES = (
    _Probe("bias_ih looks wrong (tested alone: every weight and bias_hh zeroed)",
           _zeroed("weight_ih", "weight_hh", "bias_hh")),
    _Probe("bias_hh looks wrong (tested alone: every weight and bias_ih zeroed)",
           _zeroed("weight_ih", "weight_hh", "bias_ih")),
    _Probe("the input term looks wrong (W_ih @ x_t, tested alone: weight_hh and the biases "
           "zeroed)", _zeroed("weight_hh", "bias_ih", "bias_hh")),
    _Probe("the recurrent term looks wrong (W_hh @ h_prev, tested alone: weight_ih and the "
           "biases zeroed)", _zeroed("weight_ih", "bias_ih", "bias_hh")),
)

_GATE_PROBES = {
    "rnn": (
        _Probe("what the terms share looks wrong: one tanh around their sum, "
               "h_t = tanh(W_ih x_t + b_ih + W_hh h_prev + b_hh)", _same_case),
    ),
    "lstm": (
        _Probe("the forget path looks wrong: with the input gate shut, c_t should be "
               "f * c_prev", _saturated("lstm", i=0, o=1), part=1),
        _Probe("the input path looks wrong: with the forget gate shut, c_t should be i * g",
               _saturated("lstm", f=0), part=1),
        _Probe("c_t looks wrong though f * c_prev and i * g each look right alone: "
               "c_t = f * c_prev + i * g", _same_case, part=1),
        _Probe("h_t looks wrong though c_t is right: with the output gate open, h_t should be "
               "tanh(c_t)", _saturated("lstm", o=1), part=0),
        _Probe("the output gate looks wrong: h_t = o * tanh(c_t)", _same_case, part=0),
    ),
    "gru": (
        _Probe("the blend looks wrong: with the update gate z = 1, h_t should equal h_prev, "
               "as h_t = (1 - z) * n + z * h_prev", _saturated("gru", z=1)),
        _Probe("the candidate n looks wrong: with z = 0 and r = 1, h_t should be "
               "n = tanh(W_in x_t + b_in + W_hn h_prev + b_hn)", _saturated("gru", z=0, r=1)),
        _Probe("the reset gate looks wrong: with z = 0, h_t should be "
               "n = tanh(W_in x_t + b_in + r * (W_hn h_prev + b_hn))", _saturated("gru", z=0)),
        _Probe("the update gate z looks wrong: h_t = (1 - z) * n + z * h_prev", _same_case),
    ),
}


class _Finding(NamedTuple):
    culprit: str
    known: bool  # a known mistake reproduces the probe's answer


def _probe(fn, ex, probe, case):
    """None if the probe passes, else a _Finding: a known mistake seen there, or its culprit."""
    probe_case = probe.make(case)
    try:
        got, want, _ = _run(fn, ex, probe_case)
    except (_Crash, _Wrong) as error:
        return _Finding(f"{probe.culprit}; there your function gave: {error}", False)
    parts = slice(None) if probe.part is None else slice(probe.part, probe.part + 1)
    if _close(got[parts], want[parts]):
        return None
    known = _matching_mistake(ex, probe_case, got, pairs=False)
    return _Finding(known, True) if known else _Finding(probe.culprit, False)


def _locate_by_probes(cell):
    """Term isolation. A known mistake seen on a probe is named first. Otherwise a term whose
    probe fails while others pass is the culprit; if all or none fail, the fault is in what
    the terms share, so the gates are probed one by one."""

    def locate(fn, ex, case, got, want):
        failing = [f for f in (_probe(fn, ex, p, case) for p in _TERM_PROBES) if f]
        known = list(dict.fromkeys(f.culprit for f in failing if f.known))
        if known or 0 < len(failing) < len(_TERM_PROBES):
            found = known + [f.culprit for f in failing if not f.known]
            more = " (and more: fix these two, then check again)" if len(found) > 2 else ""
            return "; and ".join(found[:2]) + more
        for probe in _GATE_PROBES[cell]:
            finding = _probe(fn, ex, probe, case)
            if finding:
                return finding.culprit
        return "the result differs from the reference, though every probe passes"

    return locate


def _step_exercise(cell, reference, variant, mistakes):
    """The exercise of one step cell: the same cases, term probes and help for all three."""
    G = len(_GATES[cell])
    gh = "H" if G == 1 else f"{G}H"
    rows = "" if G == 1 else f"; gate k is rows k*H:(k+1)*H, in the order {', '.join(_GATES[cell])}"
    lstm = cell == "lstm"  # the one cell whose state is a pair (h, c), and that returns both
    state = "state (h_prev, c_prev) each (B, H)" if lstm else "h_prev (B, H)"
    return _Exercise(
        name=f"{cell}_step",
        reference=reference,
        variant=variant,
        cases=functools.partial(_step_cases, cell, seed=len(cell)),
        mistakes=mistakes,
        outputs=("h_t", "c_t") if lstm else ("h_t",),
        arg_names=("x_t", "state" if lstm else "h_prev", "params"),
        help="The arguments (here B = {B}, D = {D}, H = {H}): x_t (B, D), " + state
        + f", params with weight_ih ({gh}, D), weight_hh ({gh}, H), bias_ih ({gh},), bias_hh "
        f"({gh},){rows}. With one example per row the input term is x_t @ weight_ih.T, of "
        f"shape (B, {gh}).",
        locate=_locate_by_probes(cell),
    )


_RNN = _step_exercise("rnn", cells.rnn_step, _rnn_variant, _RNN_MISTAKES)
_LSTM = _step_exercise("lstm", cells.lstm_step, _lstm_variant, _LSTM_MISTAKES)
_GRU = _step_exercise("gru", cells.gru_step, _gru_variant, _GRU_MISTAKES)


def check_rnn_step(fn):
    """Mark ``fn(x_t, h_prev, params) -> h_t``, the vanilla RNN step (notebook 02)."""
    _mark_function(fn, _RNN)


def check_lstm_step(fn):
    """Mark ``fn(x_t, (h_prev, c_prev), params) -> (h_t, c_t)``, the LSTM step (notebook 05)."""
    _mark_function(fn, _LSTM)


def check_gru_step(fn):
    """Mark ``fn(x_t, h_prev, params) -> h_t``, the GRU step in PyTorch's form (notebook 05)."""
    _mark_function(fn, _GRU)


# ============================================================================ 01 one-hot batch


def _one_hot_variant(sentences, vocab, batch_first=False, length="longest", pad="zeros",
                     index="vocab", reverse=False, first_only=False):
    """one_hot_batch as a learner with these mistakes would write it."""
    lengths = [len(s) for s in sentences]
    T = {"longest": max(lengths), "shortest": min(lengths), "first": lengths[0]}[length]
    tokens = list(dict.fromkeys(tok for s in sentences for tok in s))
    position = {
        "vocab": vocab,
        "appearance": {tok: k for k, tok in enumerate(tokens)},
        "alphabetical": {tok: k for k, tok in enumerate(sorted(vocab))},
        "one_based": {tok: k - 1 for tok, k in vocab.items()},  # -1 wraps to the last column
    }[index]
    x = np.zeros((T, len(sentences), len(vocab)))
    for b, sentence in enumerate(sentences):
        sentence = (sentence[::-1] if reverse else sentence)[:T]
        start = T - len(sentence) if pad == "start" else 0
        for t, token in enumerate(sentence):
            x[start + t, b, position[token]] = 1.0
        if pad == "index0":
            x[len(sentence):, b, 0] = 1.0
        if pad == "repeat":
            x[len(sentence):, b] = x[len(sentence) - 1, b]
    if first_only:
        x[:] = x[:, :1]
    return x.transpose(1, 0, 2) if batch_first else x


_ONE_HOT_MISTAKES = (
    _Mistake("the axes are batch-first (B, T, V); the course's sequences are time-major "
             "(T, B, V)", {"batch_first": True}),
    _Mistake("T is the shortest sentence's length; it should be the longest's, the shorter "
             "sentences padded", {"length": "shortest"}),
    _Mistake("T is the first sentence's length; it should be the longest's", {"length": "first"}),
    _Mistake("padded steps have a 1 at index 0; padding should be all-zero vectors (index 0 is "
             "a real token)", {"pad": "index0"}),
    _Mistake("padded steps repeat the last token; padding should be all-zero vectors",
             {"pad": "repeat"}),
    _Mistake("the padding is at the start; each sentence begins at t = 0 and is padded at the "
             "end", {"pad": "start"}),
    _Mistake("tokens are numbered in order of appearance; the one-hot position is "
             "vocab[token]", {"index": "appearance"}),
    _Mistake("tokens are numbered alphabetically; the one-hot position is vocab[token]",
             {"index": "alphabetical"}),
    _Mistake("the one-hot positions are shifted by one: vocab[token] already counts from 0",
             {"index": "one_based"}),
    _Mistake("each sentence is reversed in time; token t goes to step t", {"reverse": True}),
    _Mistake("every batch column holds the first sentence; column b is sentence b",
             {"first_only": True}),
)

_VOCAB = {"good": 0, "not": 1, "the": 2, "was": 3, "film": 4, "bad": 5, "it": 6}


def _one_hot_cases():
    sentences = [
        ["the", "film", "was"],
        ["the", "film", "was", "not", "good"],
        ["not", "bad"],
        ["it", "was", "not", "good"],
    ]
    return (
        _Case("4 sentences of lengths 3, 5, 2, 4", (sentences, dict(_VOCAB)),
              {"T": 5, "B": 4, "V": 7}),
        _Case("one sentence", ([["it", "was", "bad"]], dict(_VOCAB)), {"T": 3, "B": 1, "V": 7},
              "so it handles one sentence but not a batch"),
    )


def _locate_one_hot(fn, ex, case, got, want):
    """The first step of the first sentence whose vector is wrong."""
    sentences, vocab = case.args
    (got,), (want,) = got, want
    for b, sentence in enumerate(sentences):
        for t in range(want.shape[0]):
            if np.allclose(got[t, b], want[t, b], rtol=RTOL, atol=ATOL):
                continue
            yours = _describe_row(got[t, b])
            if t >= len(sentence):
                return (f"x[{t}, {b}] is padding (sentence {b} has {len(sentence)} tokens) and "
                        f"should be all zeros; yours {yours}")
            token = sentence[t]
            return (f"x[{t}, {b}] (token {token!r}) should be one-hot at vocab[{token!r}] = "
                    f"{vocab[token]}; yours {yours}")
    return "x differs from the reference"


def _describe_row(row):
    ones = np.flatnonzero(row)
    if ones.size == 0:
        return "is all zeros"
    if ones.size == 1 and row[ones[0]] == 1:
        return f"has its 1 at index {ones[0]}"
    return f"is {np.round(row, 3).tolist()}"


_ONE_HOT = _Exercise(
    name="one_hot",
    reference=solutions.one_hot_batch,
    variant=_one_hot_variant,
    cases=_one_hot_cases,
    mistakes=_ONE_HOT_MISTAKES,
    outputs=("x",),
    arg_names=("sentences", "vocab"),
    help="The arguments: sentences, a list of B lists of tokens (str); vocab, a dict token -> "
    "index in 0 .. V-1. Return x (T, B, V) = ({T}, {B}, {V}), floats.",
    locate=_locate_one_hot,
)


def check_one_hot(fn):
    """Mark ``fn(sentences, vocab) -> x (T, B, V)``, the padded one-hot batch (notebook 01)."""
    _mark_function(fn, _ONE_HOT)


# ============================================================================ 03 architectures

_WHY = {
    "predict a house's price from its size and its location":
        "a few numbers with no order in, one number out: no sequence on either side",
    "say which digit a single 8x8 image shows":
        "one image in, one label out: no sequence on either side",
    "caption a small image with a few words": "one image in, a sequence of words out",
    "compose a melody from one chosen mood": "one choice in, a sequence of notes out",
    "say whether a film review is positive or negative":
        "a sequence of words in, one label out after the last word",
    "predict tomorrow's temperature from the last 30 days":
        "30 values in order in, one number out after the last",
    "tag the sense of each ambiguous word in a sentence":
        "a sequence in, and one label per word, in step with the input",
    "label each frame of an audio signal as speech or silence":
        "a sequence in, and one label per frame, in step with the input",
    "translate '25 November 2026' into '2026-11-25'":
        "the output has its own length and order, written after the whole input is read",
    "summarise a paragraph in one short sentence":
        "the output is a shorter sequence of its own, written after the whole input is read",
}


def _architecture_answers(answers):
    """Say so if ``answers`` is right, else raise _Wrong (or _Stub when none is given)."""
    if not isinstance(answers, Mapping):
        raise _Wrong(f"expected a dict task -> architecture name, got {_describe(answers)}")
    if answers and all(v is None for v in answers.values()):
        raise _Stub
    unknown = [task for task in answers if task not in solutions.ARCHITECTURES]
    if unknown:
        close = difflib.get_close_matches(str(unknown[0]), ARCHITECTURE_TASKS, n=1, cutoff=0.5)
        raise _Wrong(f"{unknown[0]!r} is not one of the tasks"
                     + (f"; did you mean {close[0]!r}?" if close else
                        "; copy the tasks from checks.ARCHITECTURE_TASKS"))
    for task in ARCHITECTURE_TASKS:
        if answers.get(task) is None:
            raise _Wrong(f"no answer yet for {task!r}")
        if answers[task] not in ARCHITECTURE_NAMES:
            raise _Wrong(f"{answers[task]!r} (for {task!r}) is not one of the five names "
                         f"{', '.join(ARCHITECTURE_NAMES)}{_did_you_mean(answers[task])}")
    wrong = [t for t in ARCHITECTURE_TASKS if answers[t] != solutions.ARCHITECTURES[t]]
    if wrong:
        said = "; and ".join(f"{t!r} is not {answers[t]!r}: {_WHY[t]}" for t in wrong[:2])
        more = len(wrong) - 2
        raise _Wrong(said + (f" ({more} more answer{'s' * (more > 1)} wrong too)" if more > 0
                             else ""))
    return f"all {len(ARCHITECTURE_TASKS)} answers are right"


def _did_you_mean(name):
    def squash(s):
        return "".join(ch for ch in str(s).lower() if ch.isalnum())

    matches = [n for n in ARCHITECTURE_NAMES if squash(n) == squash(name)]
    return f"; did you mean {matches[0]!r}?" if matches else ""


def check_architectures(answers):
    """Mark ``answers``: a dict task -> one of ARCHITECTURE_NAMES, for every task of
    ARCHITECTURE_TASKS (notebook 03). A dict whose values are all None is the unanswered stub.
    """
    _mark("architectures", lambda: _architecture_answers(answers))


# ============================================================================ 03 last valid state


def _last_valid_variant(hs, lengths, rule="last_valid"):
    """last_valid_state as a learner with this mistake would write it."""
    b = np.arange(hs.shape[1])
    mask = np.arange(hs.shape[0])[:, None] < lengths  # (T, B), True on valid steps
    return {
        "last_valid": lambda: hs[lengths - 1, b],
        "last_padded": lambda: hs[-1],
        "first": lambda: hs[0],
        "one_late": lambda: hs[lengths, b],
        "one_early": lambda: hs[lengths - 2, b],
        "time_only": lambda: hs[lengths - 1],
        "batch_major": lambda: hs[b, lengths - 1],
        "first_length": lambda: hs[lengths[0] - 1],
        "mean": lambda: hs.mean(axis=0),
        "valid_mean": lambda: (hs * mask[..., None]).sum(axis=0) / lengths[:, None],
        "max": lambda: hs.max(axis=0),
    }[rule]()


_LAST_VALID_MISTAKES = (
    _Mistake("it reads the last padded step hs[-1] instead of the last valid one, "
             "hs[lengths[b] - 1, b]", {"rule": "last_padded"}),
    _Mistake("it reads the first step hs[0]; the readout is the last valid step "
             "hs[lengths[b] - 1, b]", {"rule": "first"}),
    _Mistake("it reads one step too late (hs[lengths[b], b]): steps count from 0, so the last "
             "valid one is lengths[b] - 1", {"rule": "one_late"}),
    _Mistake("it reads one step too early (hs[lengths[b] - 2, b]); the last valid step is "
             "lengths[b] - 1", {"rule": "one_early"}),
    _Mistake("hs[lengths - 1] picks whole time steps, every sequence's rows, (B, B, H); index "
             "time and batch together: hs[lengths - 1, np.arange(B)]", {"rule": "time_only"}),
    _Mistake("it indexes hs as batch-major (B, T, H); hs is time-major (T, B, H)",
             {"rule": "batch_major"}),
    _Mistake("it uses lengths[0] for every sequence; sequence b has its own length lengths[b]",
             {"rule": "first_length"}),
    _Mistake("it averages over all T steps, padding included; the readout is the last valid "
             "state", {"rule": "mean"}),
    _Mistake("it averages over the valid steps; the readout is the last valid state",
             {"rule": "valid_mean"}),
    _Mistake("it takes the maximum over all steps; the readout is the last valid state",
             {"rule": "max"}),
)


def _last_valid_cases():
    rng = np.random.default_rng(3)
    hs = rng.normal(size=(6, 4, 3))
    sizes = {"T": 6, "B": 4, "H": 3}
    return (
        _Case("T = 6, B = 4, lengths [3, 6, 1, 4] (one sequence fills all T steps)",
              (hs, np.array([3, 6, 1, 4])), sizes),
        _Case("lengths [3, 2, 1, 4] (no sequence fills all T = 6 steps)",
              (hs, np.array([3, 2, 1, 4])), sizes,
              "so an index runs past the last step t = T - 1"),
    )


def _locate_last_valid(fn, ex, case, got, want):
    """Which step the answer holds for the first wrong sequence."""
    hs, lengths = case.args
    (got,), (want,) = got, want
    for b in range(hs.shape[1]):
        if np.allclose(got[b], want[b], rtol=RTOL, atol=ATOL):
            continue
        right = f"its last valid step is hs[{lengths[b] - 1}, {b}]"
        steps = [t for t in range(hs.shape[0]) if np.allclose(got[b], hs[t, b], RTOL, ATOL)]
        if steps:
            return (f"for sequence b = {b} (length {lengths[b]}) it returns hs[{steps[0]}, {b}]"
                    f"; {right}")
        return f"row {b} is none of sequence {b}'s hidden states; {right}"
    return "the result differs from the reference"


_LAST_VALID = _Exercise(
    name="last_valid_state",
    reference=solutions.last_valid_state,
    variant=_last_valid_variant,
    cases=_last_valid_cases,
    mistakes=_LAST_VALID_MISTAKES,
    outputs=("the result",),
    arg_names=("hs", "lengths"),
    help="The arguments: hs (T, B, H) = ({T}, {B}, {H}); lengths (B,) ints in 1 .. T. "
    "Return (B, H).",
    locate=_locate_last_valid,
)


def check_last_valid_state(fn):
    """Mark ``fn(hs, lengths) -> (B, H)``, the many-to-one readout (notebook 03)."""
    _mark_function(fn, _LAST_VALID)


# ============================================================================ 04 gradient clipping

_NORMS = {
    "l2": lambda gs: np.sqrt(sum(np.sum(g**2) for g in gs)),
    "sum_of_norms": lambda gs: sum(np.sqrt(np.sum(g**2)) for g in gs),
    "squared": lambda gs: sum(np.sum(g**2) for g in gs),
    "max_abs": lambda gs: max(np.max(np.abs(g)) for g in gs),
    "rms": lambda gs: np.sqrt(np.mean(np.concatenate([g.ravel() for g in gs]) ** 2)),
}
_SCALES = {
    "clip": lambda total, max_norm: min(1.0, max_norm / total),
    "always": lambda total, max_norm: max_norm / total,
    "inverted": lambda total, max_norm: max(1.0, total / max_norm),
    "none": lambda total, max_norm: 1.0,
}


def _clip_variant(grads, max_norm, norm="l2", scope="global", scale="clip", report="before"):
    """clip_by_global_norm as a learner with these mistakes would write it."""
    total = _NORMS[norm](list(grads.values()))
    if scope == "global":
        factor = _SCALES[scale](total, max_norm)
        clipped = {k: g * factor for k, g in grads.items()}
    elif scope == "per_tensor":
        clipped = {k: g * _SCALES[scale](_NORMS[norm]([g]), max_norm) for k, g in grads.items()}
    else:  # "value": each entry clipped to [-max_norm, max_norm]
        clipped = {k: np.clip(g, -max_norm, max_norm) for k, g in grads.items()}
    if report == "after":
        total = _NORMS[norm](list(clipped.values()))
    return clipped, float(total)


_CLIP_MISTAKES = (
    _Mistake("each tensor is clipped per tensor, by its own norm; clip by the global norm: one "
             "factor max_norm / total_norm for every tensor", {"scope": "per_tensor"}),
    _Mistake("it clips each entry (clipping by value); clip by the global norm: one factor "
             "max_norm / total_norm for every tensor", {"scope": "value"}),
    _Mistake("total_norm adds up the tensors' norms; the global norm is the square root of the "
             "sum of every tensor's sum of squares", {"norm": "sum_of_norms"}),
    _Mistake("total_norm is missing its square root", {"norm": "squared"}),
    _Mistake("total_norm is the largest entry; the global norm is the L2 norm of all entries",
             {"norm": "max_abs"}),
    _Mistake("total_norm uses the mean of the squares; the global norm uses their sum",
             {"norm": "rms"}),
    _Mistake("it rescales even when total_norm <= max_norm; then the gradients stay as they are",
             {"scale": "always"}),
    _Mistake("the scale factor is upside down: it is max_norm / total_norm",
             {"scale": "inverted"}),
    _Mistake("the gradients are not scaled: when total_norm > max_norm, multiply each by "
             "max_norm / total_norm", {"scale": "none"}),
    _Mistake("total_norm is measured after clipping; return the norm before clipping, as "
             "torch.nn.utils.clip_grad_norm_ does", {"report": "after"}),
)


def _clip_cases():
    rng = np.random.default_rng(4)
    shapes = {"weight_ih": (5, 3), "weight_hh": (5, 5), "bias_ih": (5,), "bias_hh": (5,)}
    norms = {"weight_ih": 3.0, "weight_hh": 1.5, "bias_ih": 0.5, "bias_hh": 2.5}
    grads = {}
    for k, shape in shapes.items():
        g = rng.normal(size=shape)
        grads[k] = g * norms[k] / np.linalg.norm(g)  # two tensors above max_norm = 2, two below
    return (
        _Case("a total norm above max_norm = 2", (grads, 2.0), {}),
        _Case("a total norm below max_norm = 5", ({k: g / 2 for k, g in grads.items()}, 5.0), {}),
    )


def _locate_clip(fn, ex, case, got, want):
    (clipped, total), (_, want_total) = got, want
    if not np.isclose(total, want_total, RTOL, ATOL):
        return (f"total_norm is {total:.4g}; expected {want_total:.4g}, the square root of the "
                "sum of every tensor's sum of squares, before clipping")
    grads, max_norm = case.args
    factors = {k: _scale_of(clipped[k], g) for k, g in grads.items()}
    expected = min(1.0, max_norm / want_total)
    if len(set(factors.values())) > 1 or None in factors.values():
        return ("the tensors are not scaled by one common factor; multiply every tensor by "
                f"min(1, max_norm / total_norm) = {expected:.4g}")
    factor = next(iter(factors.values()))
    return (f"every tensor is scaled by {factor:.4g}; expected min(1, max_norm / total_norm) = "
            f"{expected:.4g}")


def _scale_of(clipped, g):
    """The factor c with clipped == c * g, or None if there is none."""
    c = np.sum(clipped * g) / np.sum(g * g)
    # Rounded, so that the factors of the tensors compare equal when they differ by float noise.
    return round(float(c), 9) if np.allclose(clipped, c * g, RTOL, ATOL) else None


_CLIP = _Exercise(
    name="clip_by_global_norm",
    reference=solutions.clip_by_global_norm,
    variant=_clip_variant,
    cases=_clip_cases,
    mistakes=_CLIP_MISTAKES,
    outputs=("the clipped grads", "total_norm"),
    arg_names=("grads", "max_norm"),
    help="The arguments: grads, a dict name -> array; max_norm, a positive number. Return the "
    "pair (clipped grads, total_norm).",
    locate=_locate_clip,
)


def check_clip_by_global_norm(fn):
    """Mark ``fn(grads, max_norm) -> (clipped grads, total_norm)`` (notebook 04)."""
    _mark_function(fn, _CLIP)


# ============================================================================ hints and solutions

_HINTS = {
    "one_hot": (
        "Start from x = np.zeros((T, B, V)): T the longest sentence's length, B = "
        "len(sentences), V = len(vocab). The zeros are already the padding.",
        "Loop over the sentences with enumerate (b) and over their tokens with enumerate (t); "
        "time is the first axis.",
        "For the token at step t of sentence b, set x[t, b, vocab[token]] = 1.0, and leave "
        "every step after the sentence's end alone.",
    ),
    "rnn_step": (
        "h_t = tanh(W_ih x_t + b_ih + W_hh h_prev + b_hh). x_t is (B, D), one example per row, "
        "so the product W x becomes x @ W.T.",
        "The input term is x_t @ params['weight_ih'].T + params['bias_ih'], the recurrent "
        "term h_prev @ params['weight_hh'].T + params['bias_hh']; each is (B, H).",
        "Add the two terms and apply np.tanh once, to the sum.",
    ),
    "architectures": (
        "For each task ask: is the input one thing or a sequence? Is the output one thing or a "
        "sequence?",
        "When both are sequences: is there one output per input step, in step with it "
        "(synced), or is the output written after the whole input is read, with its own "
        "length (seq2seq)?",
        "A single image or a few unordered numbers is one input; a review, a sentence, 30 days "
        "of temperatures or an audio signal is a sequence.",
    ),
    "last_valid_state": (
        "Sequence b has lengths[b] valid steps, t = 0 .. lengths[b] - 1. What follows is "
        "padding, hs[-1] included for every sequence shorter than T.",
        "You need one (H,) row per sequence: hs[lengths[b] - 1, b]. A loop over b works; so "
        "does one line of indexing.",
        "Index the time and batch axes together: hs[lengths - 1, np.arange(B)].",
    ),
    "clip_by_global_norm": (
        "The global norm treats all the gradients as one long vector: total_norm = "
        "sqrt(sum over the tensors of np.sum(g ** 2)).",
        "If total_norm > max_norm, multiply every tensor by the same factor "
        "max_norm / total_norm; otherwise leave them as they are.",
        "Return ({name: g * scale for name, g in grads.items()}, total_norm) with scale = "
        "min(1, max_norm / total_norm) and total_norm measured before clipping.",
    ),
    "lstm_step": (
        "One product per weight gives all four gates at once: a = x_t @ W_ih.T + b_ih + "
        "h_prev @ W_hh.T + b_hh, of shape (B, 4H).",
        "Split a into four (B, H) blocks in PyTorch's order i, f, g, o (np.split(a, 4, "
        "axis=1)); i, f and o go through a sigmoid, g through tanh.",
        "c_t = f * c_prev + i * g, then h_t = o * np.tanh(c_t); return (h_t, c_t).",
    ),
    "gru_step": (
        "Keep the two products apart: gi = x_t @ W_ih.T + b_ih and gh = h_prev @ W_hh.T + "
        "b_hh, each (B, 3H), split in PyTorch's order r, z, n.",
        "r = sigmoid(gi_r + gh_r), z = sigmoid(gi_z + gh_z), n = tanh(gi_n + r * gh_n): the "
        "reset gate multiplies (W_hn h_prev + b_hn), after the matrix product.",
        "h_t = (1 - z) * n + z * h_prev, PyTorch's convention: z near 1 keeps the old state.",
    ),
}

# What show_solution prints; a step function comes with the helpers of cells that it calls.
_SOLUTIONS = {
    "one_hot": (solutions.one_hot_batch,),
    "rnn_step": (cells.rnn_step,),
    "architectures": ("ARCHITECTURES",),
    "last_valid_state": (solutions.last_valid_state,),
    "clip_by_global_norm": (solutions.Clipped, solutions.clip_by_global_norm),
    "lstm_step": (cells.lstm_step,),
    "gru_step": (cells.gru_step,),
}

_hints_shown = {}  # exercise name -> how many of its hints have been shown in this kernel


def hint(name, reset=False):
    """Print the next hint for exercise ``name``, one more per call; reset=True starts over."""
    name = _exercise_name(name)
    if not isinstance(reset, bool):
        raise TypeError(f"reset: expected True or False, got {type(reset).__name__} {reset!r}")
    shown = 0 if reset else _hints_shown.get(name, 0)
    hints = _HINTS[name]
    if shown >= len(hints):
        print(f"No more hints for {name}: checks.show_solution({name!r}) prints a solution, "
              f"and checks.hint({name!r}, reset=True) starts the hints again.")
        return
    _hints_shown[name] = shown + 1
    print(f"Hint {shown + 1}/{len(hints)} for {name}: {hints[shown]}")


def show_solution(name):
    """Print the source of the reference solution of exercise ``name``."""
    name = _exercise_name(name)
    shown = list(_SOLUTIONS[name])
    if name.endswith("_step"):
        shown = _helpers(shown[0], set()) + shown
    print("\n\n".join(_source(obj) for obj in shown))


def _helpers(fn, seen):
    """The functions of fn's module that fn's body calls, each after its own helpers.

    Looked up rather than listed, so that the solution shown follows cells as it changes.
    Argument checks (``_check...``) are left out: they are not part of the lesson.
    """
    module = inspect.getmodule(fn)
    body = ast.parse(inspect.getsource(fn)).body[0].body  # the decorators are not called here
    found = []
    for node in (n for stmt in body for n in ast.walk(stmt)):
        helper = getattr(module, getattr(node, "id", ""), None)
        if (inspect.isfunction(helper) and helper.__module__ == module.__name__
                and helper not in seen and not helper.__name__.startswith("_check")):
            seen.add(helper)
            found += _helpers(helper, seen) + [helper]
    return found


def _source(obj):
    if isinstance(obj, str):  # a module-level constant of solutions: its assignment's text
        text = inspect.getsource(solutions)
        node = next(n for n in ast.parse(text).body if isinstance(n, ast.Assign)
                    and any(getattr(t, "id", None) == obj for t in n.targets))
        return f"# rnnbook.solutions.{obj}\n{ast.get_source_segment(text, node)}"
    module = obj.__module__
    return f"# {module}.{obj.__name__}\n{inspect.getsource(obj).rstrip()}"


def _exercise_name(name):
    if not isinstance(name, str):
        raise TypeError(f"name: expected one of {', '.join(map(repr, EXERCISES))}, "
                        f"got {type(name).__name__} {name!r}")
    return choice("name", name, EXERCISES)
