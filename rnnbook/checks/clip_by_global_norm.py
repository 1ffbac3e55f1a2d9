"""The gradient-clipping exercise of notebook 04:
``clip_by_global_norm(grads, max_norm) -> (clipped grads, total_norm)``."""

import numpy as np

from rnnbook import solutions
from rnnbook.checks.engine import Case, Exercise, Mistake, close, mark

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


def _variant(grads, max_norm, norm="l2", scope="global", scale="clip", report="before"):
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


_MISTAKES = (
    Mistake("each tensor is clipped per tensor, by its own norm; clip by the global norm: one "
            "factor max_norm / total_norm for every tensor", {"scope": "per_tensor"}),
    Mistake("it clips each entry (clipping by value); clip by the global norm: one factor "
            "max_norm / total_norm for every tensor", {"scope": "value"}),
    Mistake("total_norm adds up the tensors' norms; the global norm is the square root of the "
            "sum of every tensor's sum of squares", {"norm": "sum_of_norms"}),
    Mistake("total_norm is missing its square root", {"norm": "squared"}),
    Mistake("total_norm is the largest entry; the global norm is the L2 norm of all entries",
            {"norm": "max_abs"}),
    Mistake("total_norm uses the mean of the squares; the global norm uses their sum",
            {"norm": "rms"}),
    Mistake("it rescales even when total_norm <= max_norm; then the gradients stay as they are",
            {"scale": "always"}),
    Mistake("the scale factor is upside down: it is max_norm / total_norm",
            {"scale": "inverted"}),
    Mistake("the gradients are not scaled: when total_norm > max_norm, multiply each by "
            "max_norm / total_norm", {"scale": "none"}),
    Mistake("total_norm is measured after clipping; return the norm before clipping, as "
            "torch.nn.utils.clip_grad_norm_ does", {"report": "after"}),
)


def _cases():
    rng = np.random.default_rng(4)
    shapes = {"weight_ih": (5, 3), "weight_hh": (5, 5), "bias_ih": (5,), "bias_hh": (5,)}
    norms = {"weight_ih": 3.0, "weight_hh": 1.5, "bias_ih": 0.5, "bias_hh": 2.5}
    grads = {}
    for k, shape in shapes.items():
        g = rng.normal(size=shape)
        grads[k] = g * norms[k] / np.linalg.norm(g)  # two tensors above max_norm = 2, two below
    return (
        Case("a total norm above max_norm = 2", (grads, 2.0), {}),
        Case("a total norm below max_norm = 5", ({k: g / 2 for k, g in grads.items()}, 5.0), {}),
    )


def _locate(fn, ex, case, got, want):
    (clipped, total), (_, want_total) = got, want
    if not close(total, want_total):
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
    return round(float(c), 9) if close(clipped, c * g) else None


CLIP_BY_GLOBAL_NORM = Exercise(
    name="clip_by_global_norm",
    hints=(
        "The global norm treats all the gradients as one long vector: total_norm = "
        "sqrt(sum over the tensors of np.sum(g ** 2)).",
        "If total_norm > max_norm, multiply every tensor by the same factor "
        "max_norm / total_norm; otherwise leave them as they are.",
        "Return ({name: g * scale for name, g in grads.items()}, total_norm) with scale = "
        "min(1, max_norm / total_norm) and total_norm measured before clipping.",
    ),
    solution=(solutions.ClippedGrads, solutions.clip_by_global_norm),
    reference=solutions.clip_by_global_norm,
    variant=_variant,
    cases=_cases,
    mistakes=_MISTAKES,
    outputs=("the clipped grads", "total_norm"),
    arg_names=("grads", "max_norm"),
    help="The arguments: grads, a dict name -> array; max_norm, a positive number. Return the "
    "pair (clipped grads, total_norm).",
    locate=_locate,
)


def check_clip_by_global_norm(fn):
    """Mark ``fn(grads, max_norm) -> (clipped grads, total_norm)`` (notebook 04)."""
    __tracebackhide__ = True
    mark(CLIP_BY_GLOBAL_NORM, fn)
