"""The sampling exercise of notebook 06:
``softmax_temperature(logits, temperature) -> probs (B, V)``, each row summing to 1."""

import numpy as np

from rnnbook import charlm
from rnnbook.checks.engine import Case, Exercise, Mistake, Reject, close, mark

_AXIS = {"row": 1, "column": 0, "all": None}


def _variant(logits, temperature, scale="divide", shift="row", norm="row", output="probs"):
    """softmax_temperature as a learner with these mistakes would write it.

    scale: how the temperature enters ("power_after": softmax(logits) ** (1 / temperature));
    shift: whose maximum is subtracted before np.exp; norm: what the exponentials are divided
    by the sum of.
    """
    with np.errstate(all="ignore"):  # some mistakes overflow: that is what they give
        z = {"divide": lambda: logits / temperature, "times": lambda: logits * temperature,
             "none": lambda: logits, "power_after": lambda: logits}[scale]()
        m = 0.0 if shift == "none" else z.max(axis=_AXIS[shift], keepdims=True)
        e = np.exp(z - m)
        total = 1.0 if norm == "none" else e.sum(axis=_AXIS[norm], keepdims=True)
        if output == "log":
            return z - m - np.log(total)
        probs = e / total
        return probs ** (1 / temperature) if scale == "power_after" else probs


_WHOLE = ("it normalises over the whole array; each row is one example's distribution and "
          "must sum to 1 on its own: sum over axis=1, keepdims=True")
_COLUMNS = ("it takes the softmax over axis 0, down the batch; each row is one example: take "
            "the max and the sum over axis=1, the V scores")

_MISTAKES = (
    Mistake("it multiplies the logits by the temperature; divide them by it: "
            "softmax(logits / temperature)", {"scale": "times"}),
    Mistake("the temperature has no effect: divide the logits by it before np.exp (dividing "
            "the exponentials by it cancels out when a row is normalised)", {"scale": "none"}),
    Mistake("np.exp overflows to inf, and inf / inf is NaN, with large logits or a "
            "temperature near 0: subtract each row's maximum from logits / temperature before "
            "np.exp", {"shift": "none"}),
    Mistake("it subtracts the maximum of the whole array; subtract each row's own maximum "
            "(axis=1, keepdims=True): a row far below the largest one underflows to 0 / 0",
            {"shift": "all"}),
    Mistake(_COLUMNS, {"shift": "column", "norm": "column"}),
    Mistake(_COLUMNS, {"norm": "column"}),
    Mistake(_WHOLE, {"shift": "all", "norm": "all"}),
    Mistake(_WHOLE, {"norm": "all"}),
    Mistake("the exponentials are not normalised: divide each row by its sum, so that it sums "
            "to 1", {"norm": "none"}),
    Mistake("it returns log-probabilities; return the probabilities themselves",
            {"output": "log"}),
    Mistake("it raises softmax(logits) to the power 1 / temperature without renormalising, so "
            "the rows no longer sum to 1; softmax(logits / temperature) is that, renormalised",
            {"scale": "power_after"}),
)


def _cases():
    rng = np.random.default_rng(6)
    # Rows of very different scales: near 0, near 400, near -10. At temperature 0.5 the second
    # row's exponents reach 800, past np.exp's overflow (709), and the other rows sit 800 below
    # it, past its underflow (-745): only each row's own maximum keeps every row finite.
    logits = rng.normal(scale=1.5, size=(3, 5)) + np.array([[0.0], [400.0], [-10.0]])
    return (
        Case("B = 3, V = 5, temperature 0.5, rows of very different scales (near 0, 400 "
             "and -10)", (logits, 0.5), {"B": 3, "V": 5}),
        Case("B = 2, V = 5, temperature 0.001 (near 0)",
             (rng.normal(size=(2, 5)), 0.001), {"B": 2, "V": 5}),
        Case("one row (B = 1, V = 5), temperature 2", (rng.normal(size=(1, 5)), 2.0),
             {"B": 1, "V": 5}, "so a row's maximum or sum, of shape (B,), does not broadcast "
             "against (B, V): keep its axis with keepdims=True"),
    )


_REJECTS = (
    Reject("temperature = 0", (np.zeros((2, 5)), 0.0), ValueError, "temperature",
           "logits / 0 is no distribution; its limit, greedy decoding, is an argmax"),
    Reject("temperature = -1", (np.zeros((2, 5)), -1.0), ValueError, "temperature",
           "a temperature must be > 0"),
)


def _locate(fn, ex, case, got, want):
    """The first row that is wrong: does it sum to 1, and where does it differ?"""
    logits, temperature = case.args
    (got,), (want,) = got, want
    for b in range(want.shape[0]):
        if close(got[b], want[b]):
            continue
        total = got[b].sum()
        if not close(total, 1.0):
            return (f"row {b} of probs sums to {total:.4g}; every row is a distribution and "
                    "must sum to 1")
        v = int(np.argmax(np.abs(got[b] - want[b])))
        return (f"row {b} sums to 1 but is not softmax(logits[{b}] / {temperature:g}): "
                f"probs[{b}, {v}] is {got[b, v]:.4g}, expected {want[b, v]:.4g}")
    return "probs differs from the reference"


SOFTMAX_TEMPERATURE = Exercise(
    name="softmax_temperature",
    hints=(
        "Divide first: z = logits / temperature, (B, V). Then softmax each row of z: "
        "np.exp(z) divided by its row's sum.",
        "np.exp(800.0) is inf. Subtract each row's maximum, z - z.max(axis=1, keepdims=True), "
        "before np.exp: every exponent is then <= 0, and the ratio is unchanged.",
        "Sum each row with e.sum(axis=1, keepdims=True), so that (B, 1) divides (B, V). "
        "Before anything else: if temperature <= 0, raise ValueError(f\"temperature: expected "
        "a number > 0, got {temperature}\").",
    ),
    solution=(charlm.softmax_temperature,),
    reference=charlm.softmax_temperature,
    variant=_variant,
    cases=_cases,
    mistakes=_MISTAKES,
    outputs=("probs",),
    arg_names=("logits", "temperature"),
    help="The arguments: logits (B, V) = ({B}, {V}), floats; temperature, a number > 0. "
    "Return probs (B, V), each row summing to 1.",
    locate=_locate,
    rejects=_REJECTS,
)


def check_softmax_temperature(fn):
    """Mark ``fn(logits, temperature) -> probs (B, V)``, the softmax with a temperature
    (notebook 06)."""
    __tracebackhide__ = True
    mark(SOFTMAX_TEMPERATURE, fn)
