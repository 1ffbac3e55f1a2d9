"""The many-to-one readout exercise of notebook 03: ``last_valid_state(hs, lengths) -> (B, H)``."""

import numpy as np

from rnnbook import solutions
from rnnbook.checks.engine import Case, Exercise, Mistake, close, mark


def _variant(hs, lengths, rule="last_valid"):
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


_MISTAKES = (
    Mistake("it reads the last padded step hs[-1] instead of the last valid one, "
            "hs[lengths[b] - 1, b]", {"rule": "last_padded"}),
    Mistake("it reads the first step hs[0]; the readout is the last valid step "
            "hs[lengths[b] - 1, b]", {"rule": "first"}),
    Mistake("it reads one step too late (hs[lengths[b], b]): steps count from 0, so the last "
            "valid one is lengths[b] - 1", {"rule": "one_late"}),
    Mistake("it reads one step too early (hs[lengths[b] - 2, b]); the last valid step is "
            "lengths[b] - 1", {"rule": "one_early"}),
    Mistake("hs[lengths - 1] picks whole time steps, every sequence's rows, (B, B, H); index "
            "time and batch together: hs[lengths - 1, np.arange(B)]", {"rule": "time_only"}),
    Mistake("it indexes hs as batch-major (B, T, H); hs is time-major (T, B, H)",
            {"rule": "batch_major"}),
    Mistake("it uses lengths[0] for every sequence; sequence b has its own length lengths[b]",
            {"rule": "first_length"}),
    Mistake("it averages over all T steps, padding included; the readout is the last valid "
            "state", {"rule": "mean"}),
    Mistake("it averages over the valid steps; the readout is the last valid state",
            {"rule": "valid_mean"}),
    Mistake("it takes the maximum over all steps; the readout is the last valid state",
            {"rule": "max"}),
)


def _cases():
    rng = np.random.default_rng(3)
    hs = rng.normal(size=(6, 4, 3))
    sizes = {"T": 6, "B": 4, "H": 3}
    return (
        Case("T = 6, B = 4, lengths [3, 6, 1, 4] (one sequence fills all T steps)",
             (hs, np.array([3, 6, 1, 4])), sizes),
        Case("lengths [3, 2, 1, 4] (no sequence fills all T = 6 steps)",
             (hs, np.array([3, 2, 1, 4])), sizes,
             "so an index runs past the last step t = T - 1"),
    )


def _locate(fn, ex, case, got, want):
    """Which step the answer holds for the first wrong sequence."""
    hs, lengths = case.args
    (got,), (want,) = got, want
    for b in range(hs.shape[1]):
        if close(got[b], want[b]):
            continue
        right = f"its last valid step is hs[{lengths[b] - 1}, {b}]"
        steps = [t for t in range(hs.shape[0]) if close(got[b], hs[t, b])]
        if steps:
            return (f"for sequence b = {b} (length {lengths[b]}) it returns hs[{steps[0]}, {b}]"
                    f"; {right}")
        return f"row {b} is none of sequence {b}'s hidden states; {right}"
    return "the result differs from the reference"


LAST_VALID_STATE = Exercise(
    name="last_valid_state",
    hints=(
        "Sequence b has lengths[b] valid steps, t = 0 .. lengths[b] - 1. What follows is "
        "padding, hs[-1] included for every sequence shorter than T.",
        "You need one (H,) row per sequence: hs[lengths[b] - 1, b]. A loop over b works; so "
        "does one line of indexing.",
        "Index the time and batch axes together: hs[lengths - 1, np.arange(B)].",
    ),
    solution=(solutions.last_valid_state,),
    reference=solutions.last_valid_state,
    variant=_variant,
    cases=_cases,
    mistakes=_MISTAKES,
    outputs=("the result",),
    arg_names=("hs", "lengths"),
    help="The arguments: hs (T, B, H) = ({T}, {B}, {H}); lengths (B,) ints in 1 .. T. "
    "Return (B, H).",
    locate=_locate,
)


def check_last_valid_state(fn):
    """Mark ``fn(hs, lengths) -> (B, H)``, the many-to-one readout (notebook 03)."""
    __tracebackhide__ = True
    mark(LAST_VALID_STATE, fn)
