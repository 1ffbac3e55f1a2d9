"""The attention exercise of notebook 07: ``attention_step(query, keys, values, mask=None)
-> (context (B, H), weights (B, S))``, one decoder step of scaled dot-product attention.

The variant recomputes the step as a learner with the given mistakes would; without a recipe
it equals ``attention.attention_step`` (a test holds it to that), which gives the expected
answers. A NaN or inf in an answer (np.exp overflowing, -inf reaching the weights) is
diagnosed by ``_nonfinite``, since no variant can be compared with it.
"""

import copy

import numpy as np

from rnnbook import attention
from rnnbook.checks.engine import Case, Exercise, Mistake, close, mark

_SCALES = {"sqrt": lambda H: 1 / np.sqrt(H), "none": lambda H: 1.0, "H": lambda H: 1 / H,
           "times_sqrt": lambda H: np.sqrt(H)}


def _variant(query, keys, values, mask=None, scores_from="keys", keys_layout="time",
             scale="sqrt", axis="source", weigh="softmax", shift=True, masking="-inf",
             context_from="values", context_axis="source", transposed=False):
    """attention_step as a learner with these mistakes would write it.

    keys_layout "batch": keys read as (B, S, H); axis "batch": the softmax over B; weigh
    "raw" (the scores themselves), "exp" (not normalised) or "argmax" (one-hot); shift False:
    no max subtracted; masking "ignored", "inverted" or "zeroed" (after the softmax, rows not
    renormalised); context_axis "batch": the weighted values summed over B.
    """
    B, H = query.shape
    source = {"keys": keys, "values": values}[scores_from]
    layout = "bsh,bh->bs" if keys_layout == "batch" else "sbh,bh->bs"
    scores = np.einsum(layout, source, query) * _SCALES[scale](H)  # (B, S)
    real = np.ones(scores.shape, dtype=bool) if mask is None else mask
    if masking == "-inf":
        scores = np.where(real, scores, -np.inf)
    elif masking == "inverted":
        scores = np.where(real, -np.inf, scores)
    k = 0 if axis == "batch" else 1
    if weigh == "raw":
        weights = np.where(np.isfinite(scores), scores, 0.0)
    elif weigh == "argmax":
        weights = np.eye(scores.shape[1])[scores.argmax(axis=1)]
    else:
        with np.errstate(all="ignore"):  # an inverted mask or no shift may give NaN: as theirs
            e = np.exp(scores - scores.max(axis=k, keepdims=True) if shift else scores)
            weights = e if weigh == "exp" else e / e.sum(axis=k, keepdims=True)
    if masking == "zeroed":
        weights = weights * real
    if context_axis == "batch":
        context = (weights.T[:, :, None] * {"keys": keys, "values": values}[context_from]).sum(1)
    else:
        context = np.einsum("bs,sbh->bh", weights, {"keys": keys, "values": values}[context_from])
    return context, weights.T if transposed else weights


_MISTAKES = (
    Mistake("the softmax runs over the batch axis B; it runs over the source steps S (axis=1 "
            "of the (B, S) scores), so each example's weights sum to 1", {"axis": "batch"}),
    Mistake("the scores are not scaled: divide keys · query by sqrt(H)", {"scale": "none"}),
    Mistake("the scores are divided by H; the scale is 1 / sqrt(H)", {"scale": "H"}),
    Mistake("the scores are multiplied by sqrt(H); they are divided by it",
            {"scale": "times_sqrt"}),
    Mistake("the raw scores are used as weights; the weights are their softmax over S",
            {"weigh": "raw"}),
    Mistake("the weights are not normalised: after np.exp, divide each row by its sum",
            {"weigh": "exp"}),
    Mistake("np.exp of the scores without each row's maximum subtracted overflows on large "
            "scores: subtract it first (the softmax does not change)", {"shift": False}),
    Mistake("the context is built from the keys; it is the weighted sum of the values",
            {"context_from": "keys"}),
    Mistake("the scores are built from the values; they are keys · query",
            {"scores_from": "values"}),
    Mistake("the attention is hard (a one-hot argmax); it is the softmax of the scores, every "
            "source step weighted", {"weigh": "argmax"}),
    Mistake("the weights are returned transposed, (S, B); return them as (B, S)",
            {"transposed": True}),
    Mistake("the mask is ignored: padding (mask False) must get weight 0", {"masking": "ignored"}),
    Mistake("the mask is inverted: True marks a real source step, False the padding",
            {"masking": "inverted"}),
    Mistake("the padding's weights are zeroed after the softmax, so the rows no longer sum to "
            "1: mask the scores (-inf) before the softmax", {"masking": "zeroed"}),
    Mistake("the keys are read as batch-first (B, S, H); they are time-major (S, B, H): "
            "keys[s, b] is step s of example b", {"keys_layout": "batch"}),
    Mistake("the context sums over the batch axis B; it sums over the source steps S: "
            "context[b] = sum over s of weights[b, s] * values[s, b]", {"context_axis": "batch"}),
)

_LARGE = "large scores (B = 2, S = 4, H = 4, scores above 1000, where np.exp overflows)"


def _cases():
    rng = np.random.default_rng(7)

    def case(label, B, S, H, lengths, note="", size=1.0):
        query, keys = size * rng.normal(size=(B, H)), size * rng.normal(size=(S, B, H))
        values = rng.normal(size=(S, B, H))
        mask = None if lengths is None else np.arange(S)[None, :] < np.array(lengths)[:, None]
        return Case(label, (query, keys, values, mask), {"B": B, "S": S, "H": H}, note)

    return (
        case("B = 3, S = 5, H = 4, a mask with padding in rows 1 and 2", 3, 5, 4, [5, 3, 4]),
        case("mask=None, B = 2, S = 4, H = 6", 2, 4, 6, None,
             "so mask=None is not handled: without a mask every source step is real"),
        case("S = B = 3", 3, 3, 4, [3, 2, 3],
             "so S and B are mixed up: keys and values are time-major (S, B, H), query (B, H)"),
        case("one example, B = 1, S = 4, H = 3", 1, 4, 3, [3],
             "so it handles one example but not a batch"),
        case(_LARGE, 2, 4, 4, [4, 3], size=60.0),
    )


def _weights(fn, case):
    """The learner's weights on ``case`` as a float array, or None."""
    try:
        with np.errstate(all="ignore"):
            _, weights = fn(*copy.deepcopy(case.args))
        return np.asarray(weights, dtype=float)
    except Exception:  # noqa: BLE001 - any failure: no weights to read
        return None


def _nonfinite(fn, ex, case, message):
    """Why the answer holds NaN or inf on ``case``: overflow, an inverted mask, or -inf left."""
    query, keys, values, mask = case.args
    if case.label == _LARGE:
        return f"{message} with {case.label}: {_MISTAKES[6].culprit}"
    weights = _weights(fn, case)
    if mask is not None and weights is not None and weights.shape == mask.shape:
        bad = ~np.isfinite(weights).all(axis=1)  # (B,) rows holding NaN or inf
        if np.array_equal(bad, mask.all(axis=1)):
            return f"{message} in the rows without padding: {_MISTAKES[12].culprit}"
        if np.array_equal(bad, ~mask.all(axis=1)):
            return (f"{message} in the rows with padding: the -inf of masked scores must go "
                    "through np.exp (exp(-inf) = 0) and the normalisation, nowhere else")
    return f"{message} with {case.label}" + (f", {case.note}" if case.note else "")


def _locate(fn, ex, case, got, want):
    """Which output is wrong, and how: the weights' sums and padding, or the context alone."""
    (_, weights), (_, right) = got, want
    mask = case.args[3]
    if close(weights, right):
        return ("the weights are right but the context is not: context[b] = sum over s of "
                "weights[b, s] * values[s, b], np.einsum('bs,sbh->bh', weights, values)")
    if not np.allclose(weights.sum(axis=1), 1):
        return "each row of weights should sum to 1 (a softmax over the S source steps)"
    if mask is not None and np.any(weights[~mask] != 0):
        return "padding (mask False) should get weight 0: set its scores to -inf before np.exp"
    return "the weights differ: softmax over S of (keys · query) / sqrt(H), per example"


ATTENTION_STEP = Exercise(
    name="attention_step",
    hints=(
        "The scores (B, S): for example b and source step s, keys[s, b] · query[b] / "
        "np.sqrt(H). np.einsum('sbh,bh->bs', keys, query) gives every dot product at once.",
        "Where mask is False, set the score to -np.inf. Then the softmax over S (axis=1): "
        "subtract each row's maximum, np.exp, divide by the row's sum. exp(-inf) = 0, so "
        "padding gets weight 0.",
        "context[b] = sum over s of weights[b, s] * values[s, b]: "
        "np.einsum('bs,sbh->bh', weights, values). Return (context, weights).",
    ),
    solution=(attention.attention_step,),
    reference=attention.attention_step,
    variant=_variant,
    cases=_cases,
    mistakes=_MISTAKES,
    outputs=("context", "weights"),
    arg_names=("query", "keys", "values", "mask"),
    help="The arguments (here B = {B}, S = {S}, H = {H}): query (B, H); keys and values "
    "(S, B, H), time-major; mask None or bool (B, S), True where a source step is real. "
    "Return (context (B, H), weights (B, S)).",
    locate=_locate,
    nonfinite=_nonfinite,
)


def check_attention_step(fn):
    """Mark ``fn(query, keys, values, mask=None) -> (context, weights)`` (notebook 07)."""
    __tracebackhide__ = True
    mark(ATTENTION_STEP, fn)
