"""The backprop-through-time exercise of notebook 02:
``rnn_step_backward(dh, cache) -> (dx, dh_prev, grads)``, one tanh RNN step by hand.

The variant below recomputes the step's backward as a learner with the given mistakes would.
Without a recipe it equals ``cells.rnn_step_backward`` (a test holds it to that); the expected
answers themselves always come from cells.
"""

import numpy as np

from rnnbook import cells
from rnnbook.checks.engine import Case, Exercise, Mistake, close, mark

_DERIVATIVES = {  # dh -> dh_raw, the gradient on the pre-activation a of h = tanh(a)
    "tanh": lambda dh, h: dh * (1 - h**2),
    "none": lambda dh, h: dh,
    "one_minus_h": lambda dh, h: dh * (1 - h),
    "of_h": lambda dh, h: dh * (1 - np.tanh(h) ** 2),  # tanh' taken at h, as if h were a
    "h_squared": lambda dh, h: dh * h**2,
}


def _variant(dh, cache, derivative="tanh", w_ih_T=False, w_hh_T=False, hh_from="h_prev",
             bias="sum", bias_missing=None, dx_from="weight_ih", dh_prev="weight_hh",
             swap_out=False):
    """rnn_step_backward as a learner with these mistakes would write it.

    derivative: how dh goes through tanh (see _DERIVATIVES). w_ih_T/w_hh_T: the weight's
    gradient transposed (x.T @ dh_raw). hh_from: the state dW_hh multiplies ("h_prev" or "h").
    bias: "sum" over the batch, "unsummed" or "mean". bias_missing: a bias key left at zero.
    dx_from: "weight_ih", "weight_hh" or "weight_ih_T". dh_prev: "weight_hh", "weight_hh_T",
    "zero", "dh" (passed back unchanged), "skips_tanh" (dh @ W_hh) or "plus_dh" (+ dh).
    """
    x, h_prev, h, p = cache.x, cache.h_prev, cache.h, cache.params
    dh_raw = _DERIVATIVES[derivative](dh, h)
    state = h if hh_from == "h" else h_prev
    grads = {
        "weight_ih": x.T @ dh_raw if w_ih_T else dh_raw.T @ x,
        "weight_hh": state.T @ dh_raw if w_hh_T else dh_raw.T @ state,
    }
    db = {"sum": lambda: dh_raw.sum(axis=0), "unsummed": lambda: dh_raw,
          "mean": lambda: dh_raw.mean(axis=0)}[bias]
    grads["bias_ih"], grads["bias_hh"] = db(), db()
    if bias_missing:
        grads[bias_missing] = np.zeros_like(grads[bias_missing])
    dx = {"weight_ih": lambda: dh_raw @ p["weight_ih"],
          "weight_hh": lambda: dh_raw @ p["weight_hh"],
          "weight_ih_T": lambda: dh_raw @ p["weight_ih"].T}[dx_from]()
    dh_prev = {"weight_hh": lambda: dh_raw @ p["weight_hh"],
               "weight_hh_T": lambda: dh_raw @ p["weight_hh"].T,
               "zero": lambda: np.zeros_like(dh),
               "dh": lambda: dh,
               "skips_tanh": lambda: dh @ p["weight_hh"],
               "plus_dh": lambda: dh_raw @ p["weight_hh"] + dh}[dh_prev]()
    return (dh_prev, dx, grads) if swap_out else (dx, dh_prev, grads)


_MISTAKES = (
    Mistake("the tanh derivative is missing: dh_raw = dh * (1 - h**2) before anything else",
            {"derivative": "none"}),
    Mistake("the tanh derivative is (1 - h) where it is (1 - h**2): d tanh(a)/da = 1 - "
            "tanh(a)**2 = 1 - h**2", {"derivative": "one_minus_h"}),
    Mistake("the tanh derivative is taken at h, as 1 - tanh(h)**2; h is already tanh(a), so it "
            "is 1 - h**2", {"derivative": "of_h"}),
    Mistake("the tanh derivative is h**2; it is 1 - h**2", {"derivative": "h_squared"}),
    Mistake("dW_hh uses h, this step's output; the weight multiplied h_prev, so dW_hh = "
            "dh_raw.T @ h_prev", {"hh_from": "h"}),
    Mistake("dW_ih is transposed: it has weight_ih's shape (H, D), dW_ih = dh_raw.T @ x",
            {"w_ih_T": True}),
    Mistake("dW_hh is transposed: dW_hh = dh_raw.T @ h_prev (rows: the outputs h, columns: "
            "the inputs h_prev)", {"w_hh_T": True}),
    Mistake("the bias gradients are not summed over the batch: each example added the bias "
            "once, so db = dh_raw.sum(axis=0), of shape (H,)", {"bias": "unsummed"}),
    Mistake("the bias gradients are averaged over the batch; the loss sums over the examples, "
            "so db = dh_raw.sum(axis=0)", {"bias": "mean"}),
    Mistake("grads['bias_ih'] is missing (zero): both biases are added inside tanh, so both "
            "get dh_raw.sum(axis=0)", {"bias_missing": "bias_ih"}),
    Mistake("grads['bias_hh'] is missing (zero): both biases are added inside tanh, so both "
            "get dh_raw.sum(axis=0)", {"bias_missing": "bias_hh"}),
    Mistake("dx comes from the wrong weight: x was multiplied by weight_ih, so dx = "
            "dh_raw @ weight_ih", {"dx_from": "weight_hh"}),
    Mistake("dx uses weight_ih transposed: with one example per row, dx = dh_raw @ weight_ih "
            "(no .T), of shape (B, D)", {"dx_from": "weight_ih_T"}),
    Mistake("dh_prev uses weight_hh transposed: with one example per row, dh_prev = dh_raw @ "
            "weight_hh (no .T)", {"dh_prev": "weight_hh_T"}),
    Mistake("dh_prev is missing (zero): h_prev fed this step through weight_hh, so dh_prev = "
            "dh_raw @ weight_hh; it is the path back to the earlier steps",
            {"dh_prev": "zero"}),
    Mistake("dh_prev is dh passed back unchanged; it goes through tanh and weight_hh: dh_prev "
            "= dh_raw @ weight_hh", {"dh_prev": "dh"}),
    Mistake("dh_prev skips the tanh derivative: dh_prev = dh_raw @ weight_hh, with dh_raw = "
            "dh * (1 - h**2)", {"dh_prev": "skips_tanh"}),
    Mistake("dh is added to dh_prev: dh already holds both paths (this step's output and the "
            "next step); summing them is the caller's job, so dh_prev = dh_raw @ weight_hh",
            {"dh_prev": "plus_dh"}),
    Mistake("the results are returned as (dh_prev, dx, grads); the order is (dx, dh_prev, "
            "grads)", {"swap_out": True}),
)


def _cases():
    """The main case (B = 3, D = 2, H = 4), then D == H, then a single example."""
    rng = np.random.default_rng(12)

    def case(B, D, H, note):
        params = {
            "weight_ih": rng.normal(0, 0.6, size=(H, D)),
            "weight_hh": rng.normal(0, 0.6, size=(H, H)),
            "bias_ih": rng.normal(0, 0.6, size=H),
            "bias_hh": rng.normal(0, 0.6, size=H),
        }
        x = rng.normal(size=(1, B, D))
        h_prev = rng.uniform(-0.9, 0.9, size=(B, H))
        cache = cells.unroll("rnn", x, h_prev, params).caches[0]
        dh = rng.normal(size=(B, H))
        return Case(f"B = {B}, D = {D}, H = {H}", (dh, cache), {"B": B, "H": H, "D": D}, note)

    return (
        case(3, 2, 4, ""),
        case(3, 4, 4, "so a size or a matrix orientation mixes up D and H: dx is (B, D) = "
                      "dh_raw @ weight_ih, dW_ih is (H, D) = dh_raw.T @ x"),
        case(1, 2, 4, "so it handles one example but not a batch: dh, x and h_prev hold one "
                      "example per row, and the weight gradients sum over the rows"),
    )


_RULES = {  # each result as a message names it, and its rule
    "dx": "dh_raw @ weight_ih, of shape (B, D)",
    "dh_prev": "dh_raw @ weight_hh, of shape (B, H)",
    "grads['weight_ih']": "dh_raw.T @ x, of shape (H, D), summed over the batch",
    "grads['weight_hh']": "dh_raw.T @ h_prev, of shape (H, H), summed over the batch",
    "grads['bias_ih']": "dh_raw.sum(axis=0), of shape (H,)",
    "grads['bias_hh']": "dh_raw.sum(axis=0), of shape (H,)",
}


def _locate(fn, ex, case, got, want):
    """Which of the six results is wrong: all of them point at dh_raw, which they share."""
    (dx, dh_prev, grads), (want_dx, want_dh_prev, want_grads) = got, want
    results = {"dx": (dx, want_dx), "dh_prev": (dh_prev, want_dh_prev),
               **{f"grads[{k!r}]": (grads[k], want_grads[k]) for k in want_grads}}
    wrong = [name for name, (g, w) in results.items() if not close(g, w)]
    if len(wrong) == len(results):
        return ("every result is wrong, so look first at what they share: dh_raw = dh * "
                "(1 - h**2), the gradient through tanh")
    return "; and ".join(f"{name} looks wrong: it is {_RULES[name]}" for name in wrong[:2]) + (
        " (and more: fix these two, then check again)" if len(wrong) > 2 else "")


RNN_STEP_BACKWARD = Exercise(
    name="rnn_step_backward",
    hints=(
        "Go back through tanh first: h = tanh(a), and d tanh(a)/da = 1 - tanh(a)**2 = 1 - h**2, "
        "so dh_raw = dh * (1 - cache.h**2), of shape (B, H). Everything else uses dh_raw.",
        "a = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh. Each weight's gradient is dh_raw.T "
        "times what it multiplied (x or h_prev), summed over the batch by the matrix product; "
        "each bias gets dh_raw.sum(axis=0).",
        "dx = dh_raw @ W_ih and dh_prev = dh_raw @ W_hh (no .T: the forward used W.T). Return "
        "(dx, dh_prev, {'weight_ih': ..., 'weight_hh': ..., 'bias_ih': ..., 'bias_hh': ...}).",
    ),
    solution=(cells.rnn_step_backward,),  # show_solution adds the helper it calls
    reference=cells.rnn_step_backward,
    variant=_variant,
    cases=_cases,
    mistakes=_MISTAKES,
    outputs=("dx", "dh_prev", "grads"),
    arg_names=("dh", "cache"),
    help="The arguments (here B = {B}, D = {D}, H = {H}): dh (B, H); cache with cache.x (B, D), "
    "cache.h_prev (B, H), cache.h (B, H) and cache.params (weight_ih (H, D), weight_hh (H, H), "
    "bias_ih (H,), bias_hh (H,)). Return dx (B, D), dh_prev (B, H) and grads, a dict with the "
    "keys and shapes of cache.params.",
    locate=_locate,
)


def check_rnn_step_backward(fn):
    """Mark ``fn(dh, cache) -> (dx, dh_prev, grads)``, one RNN step's backward (notebook 02)."""
    __tracebackhide__ = True
    mark(RNN_STEP_BACKWARD, fn)
