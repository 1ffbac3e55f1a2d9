"""The step-cell exercises: rnn_step (notebook 02), lstm_step and gru_step (notebook 05).

The variants below recompute a step as a learner with the given mistakes would. Without a
recipe they equal cells.rnn_step / lstm_step / gru_step (a test holds them to that); the
expected answers themselves always come from cells. The blocks' names and row order come from
``cells.WEIGHT_BLOCKS``, and which of them are gates from ``cells.GATES``.
"""

import functools

import numpy as np

from rnnbook import cells
from rnnbook.checks.engine import Case, Exercise, Mistake, Probe, mark, probe

_ACT = {"tanh": np.tanh, "sigmoid": cells.sigmoid, "relu": cells.relu, "none": lambda a: a}


def _slipped(p, blocks, order=None, no_b_ih=False, no_b_hh=False, ih_T=False, hh_T=False,
             swap_w=False, no_x=False, no_h=False):
    """Params as a step with these slips effectively uses them.

    order: the row order the learner assumed, e.g. "igfo"; a block named n then reads the rows
    of block order.index(n). ih_T/hh_T: each block used transposed. no_x/no_h: the
    input/recurrent matrix product left out.
    """
    p = dict(p)
    if order:
        picks = [order.index(block) for block in blocks]
        p = {k: _reordered_blocks(v, len(blocks), picks) for k, v in p.items()}
    if swap_w:
        p["weight_ih"], p["weight_hh"] = p["weight_hh"], p["weight_ih"]
    for flag, key in ((ih_T, "weight_ih"), (hh_T, "weight_hh")):
        if flag:
            p[key] = np.concatenate([w.T for w in np.split(p[key], len(blocks))])
    for flag, key in ((no_b_ih, "bias_ih"), (no_b_hh, "bias_hh"), (no_x, "weight_ih"),
                      (no_h, "weight_hh")):
        if flag:
            p[key] = np.zeros_like(p[key])
    return p


def _reordered_blocks(v, n, picks):
    """v's n stacked blocks of rows, taken in the order ``picks`` (block indices)."""
    blocks = np.split(v, n)
    return np.concatenate([blocks[k] for k in picks])


def _preact(x, h, p):
    """W_ih x_t + b_ih + W_hh h_prev + b_hh, all blocks: (B, G*H)."""
    return x @ p["weight_ih"].T + p["bias_ih"] + h @ p["weight_hh"].T + p["bias_hh"]


def _rnn_variant(x, h, p, act="tanh", bias_outside=False, plus_h_prev=False, **slips):
    p = _slipped(p, cells.WEIGHT_BLOCKS["rnn"], **slips)
    if bias_outside:
        h_t = _ACT[act](x @ p["weight_ih"].T + h @ p["weight_hh"].T) + p["bias_ih"] + p["bias_hh"]
    else:
        h_t = _ACT[act](_preact(x, h, p))
    return h_t + h if plus_h_prev else h_t


def _lstm_variant(x, state, p, act_i="sigmoid", act_f="sigmoid", act_g="tanh", act_o="sigmoid",
                  f_on="c_prev", no_i=False, no_f=False, no_o=False, no_tanh_c=False,
                  h_from_c_prev=False, keep_c=False, swap_out=False, **slips):
    h, c = state
    p = _slipped(p, cells.WEIGHT_BLOCKS["lstm"], **slips)
    a_i, a_f, a_g, a_o = np.split(_preact(x, h, p), 4, axis=1)
    i, f, g, o = _ACT[act_i](a_i), _ACT[act_f](a_f), _ACT[act_g](a_g), _ACT[act_o](a_o)
    c_t = (1 if no_f else f) * (h if f_on == "h_prev" else c) + (1 if no_i else i) * g
    c_out = c if h_from_c_prev else c_t
    h_t = (1 if no_o else o) * (c_out if no_tanh_c else np.tanh(c_out))
    c_t = c if keep_c else c_t
    return (c_t, h_t) if swap_out else (h_t, c_t)


def _gru_variant(x, h, p, act_r="sigmoid", act_z="sigmoid", act_n="tanh", reset="after",
                 swap_z=False, no_z=False, **slips):
    p = _slipped(p, cells.WEIGHT_BLOCKS["gru"], **slips)
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


# ============================================================================ the mistakes


def _step_mistakes(cell):
    """The slips every cell can make in its matrix products and biases."""
    block = "weight_hh" if cell == "rnn" else "each H x H block of weight_hh"
    return (
        Mistake("bias_hh is missing", {"no_b_hh": True}),
        Mistake("bias_ih is missing", {"no_b_ih": True}),
        Mistake("the recurrent term is missing (W_hh @ h_prev)", {"no_h": True}),
        Mistake("the input term is missing (W_ih @ x_t)", {"no_x": True}),
        Mistake(f"the recurrent term looks wrong (W_hh @ h_prev): {block} is used transposed; "
                "with one example per row it is h_prev @ weight_hh.T", {"hh_T": True}),
        Mistake("the input term looks wrong (W_ih @ x_t): weight_ih is used transposed; with "
                "one example per row it is x_t @ weight_ih.T", {"ih_T": True}),
        Mistake("weight_ih and weight_hh are swapped: weight_ih multiplies x_t, weight_hh "
                "multiplies h_prev", {"swap_w": True}),
    )


def _act_mistake(key, want, used, where):
    return Mistake(f"{want} was expected where {used} is used ({where})", {key: used})


def _order_mistake(cell, order):
    blocks = ", ".join(cells.WEIGHT_BLOCKS[cell])
    return Mistake(f"the blocks' rows are taken in the order {', '.join(order)}; PyTorch stacks "
                   f"them {blocks}, H rows each", {"order": order})


_RNN_MISTAKES = (
    _act_mistake("act", "tanh", "sigmoid", "h_t = tanh(...)"),
    _act_mistake("act", "tanh", "relu", "h_t = tanh(...)"),
    Mistake("the nonlinearity is missing: h_t = tanh(W_ih x_t + b_ih + W_hh h_prev + b_hh)",
            {"act": "none"}),
    Mistake("the biases are added outside tanh; they belong inside it", {"bias_outside": True}),
    Mistake("h_prev is added to the result; the new state is the tanh alone",
            {"plus_h_prev": True}),
    *_step_mistakes("rnn"),
)

_LSTM_MISTAKES = (
    *(_order_mistake("lstm", order) for order in ("figo", "ifog", "igfo")),
    _act_mistake("act_g", "tanh", "sigmoid", "the candidate g"),
    _act_mistake("act_i", "sigmoid", "tanh", "the input gate i"),
    _act_mistake("act_f", "sigmoid", "tanh", "the forget gate f"),
    _act_mistake("act_o", "sigmoid", "tanh", "the output gate o"),
    Mistake("the forget gate multiplies the wrong thing: c_t = f * c_prev + i * g, and yours "
            "uses f * h_prev", {"f_on": "h_prev"}),
    Mistake("the forget gate is missing: c_t = f * c_prev + i * g", {"no_f": True}),
    Mistake("the input gate is missing: c_t = f * c_prev + i * g", {"no_i": True}),
    Mistake("the output gate is missing: h_t = o * tanh(c_t)", {"no_o": True}),
    Mistake("tanh of the cell state is missing: h_t = o * tanh(c_t)", {"no_tanh_c": True}),
    Mistake("h_t uses the old cell state c_prev; it is o * tanh(c_t) with the new c_t",
            {"h_from_c_prev": True}),
    Mistake("c_t is returned unchanged (c_prev); return the new cell state", {"keep_c": True}),
    Mistake("the results are returned as (c_t, h_t); the order is (h_t, c_t)",
            {"swap_out": True}),
    *_step_mistakes("lstm"),
)

_GRU_MISTAKES = (
    Mistake("z and (1 - z) are swapped relative to PyTorch's convention: h_t = (1 - z) * n + "
            "z * h_prev (Chung et al. 2014 write the swapped blend, but they also apply the reset "
            "gate before the matrix product: yours is neither form)", {"swap_z": True}),
    Mistake("this is Chung et al. 2014's GRU: the reset gate before the matrix product and z "
            "and (1 - z) swapped. PyTorch computes n = tanh(W_in x_t + b_in + r * (W_hn h_prev "
            "+ b_hn)) and h_t = (1 - z) * n + z * h_prev", {"swap_z": True, "reset": "before"}),
    Mistake("the reset gate is applied before the matrix product, as in Cho et al. 2014; "
            "PyTorch applies it after: r * (W_hn h_prev + b_hn)", {"reset": "before"}),
    Mistake("b_hn is left outside the reset gate; PyTorch computes r * (W_hn h_prev + b_hn)",
            {"reset": "b_hn_outside"}),
    Mistake("the reset gate multiplies the input term too; it multiplies only "
            "(W_hn h_prev + b_hn)", {"reset": "on_all"}),
    Mistake("the reset gate is missing: n = tanh(W_in x_t + b_in + r * (W_hn h_prev + b_hn))",
            {"reset": "none"}),
    Mistake("the update gate is missing: h_t = (1 - z) * n + z * h_prev", {"no_z": True}),
    *(_order_mistake("gru", order) for order in ("zrn", "rnz")),
    _act_mistake("act_n", "tanh", "sigmoid", "the candidate n"),
    _act_mistake("act_r", "sigmoid", "tanh", "the reset gate r"),
    _act_mistake("act_z", "sigmoid", "tanh", "the update gate z"),
    *_step_mistakes("gru"),
)


# ============================================================================ cases and probes


def _step_cases(cell, seed):
    """The main case (B = 2, D = 3, H = 6), then D == H, then a single example."""
    rng = np.random.default_rng(seed)
    G = len(cells.WEIGHT_BLOCKS[cell])

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
        return Case(f"B = {B}, D = {D}, H = {H}", (x, state, params), sizes, note)

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
    assert set(gates) <= set(cells.GATES[cell]), gates  # a candidate (tanh) cannot be shut

    def shut_or_open(p):
        H = p["weight_hh"].shape[1]
        for gate, value in gates.items():
            rows = cells.block_rows(cell, gate, H)
            p["weight_ih"][rows] = p["weight_hh"][rows] = 0.0
            p["bias_ih"][rows] = p["bias_hh"][rows] = 15.0 if value else -15.0  # sigmoid(+-30)

    return lambda case: _with_params(case, shut_or_open)


def _same_case(case):
    return case


_TERM_PROBES = (
    Probe("bias_ih looks wrong (tested alone: every weight and bias_hh zeroed)",
          _zeroed("weight_ih", "weight_hh", "bias_hh")),
    Probe("bias_hh looks wrong (tested alone: every weight and bias_ih zeroed)",
          _zeroed("weight_ih", "weight_hh", "bias_ih")),
    Probe("the input term looks wrong (W_ih @ x_t, tested alone: weight_hh and the biases "
          "zeroed)", _zeroed("weight_hh", "bias_ih", "bias_hh")),
    Probe("the recurrent term looks wrong (W_hh @ h_prev, tested alone: weight_ih and the "
          "biases zeroed)", _zeroed("weight_ih", "bias_ih", "bias_hh")),
)

_BLOCK_PROBES = {
    "rnn": (
        Probe("what the terms share looks wrong: one tanh around their sum, "
              "h_t = tanh(W_ih x_t + b_ih + W_hh h_prev + b_hh)", _same_case),
    ),
    "lstm": (
        Probe("the forget path looks wrong: with the input gate shut, c_t should be "
              "f * c_prev", _saturated("lstm", i=0, o=1), part=1),
        Probe("the input path looks wrong: with the forget gate shut, c_t should be i * g",
              _saturated("lstm", f=0), part=1),
        Probe("c_t looks wrong though f * c_prev and i * g each look right alone: "
              "c_t = f * c_prev + i * g", _same_case, part=1),
        Probe("h_t looks wrong though c_t is right: with the output gate open, h_t should be "
              "tanh(c_t)", _saturated("lstm", o=1), part=0),
        Probe("the output gate looks wrong: h_t = o * tanh(c_t)", _same_case, part=0),
    ),
    "gru": (
        Probe("the blend looks wrong: with the update gate z = 1, h_t should equal h_prev, "
              "as h_t = (1 - z) * n + z * h_prev", _saturated("gru", z=1)),
        Probe("the candidate n looks wrong: with z = 0 and r = 1, h_t should be "
              "n = tanh(W_in x_t + b_in + W_hn h_prev + b_hn)", _saturated("gru", z=0, r=1)),
        Probe("the reset gate looks wrong: with z = 0, h_t should be "
              "n = tanh(W_in x_t + b_in + r * (W_hn h_prev + b_hn))", _saturated("gru", z=0)),
        Probe("the update gate z looks wrong: h_t = (1 - z) * n + z * h_prev", _same_case),
    ),
}


def _locate_by_probes(cell):
    """Term isolation. A known mistake seen on a probe is named first. Otherwise a term whose
    probe fails while others pass is the culprit; if all or none fail, the fault is in what
    the terms share, so the gates and the candidate are probed one by one."""

    def locate(fn, ex, case, got, want):
        failing = [f for f in (probe(fn, ex, p, case) for p in _TERM_PROBES) if f]
        known = list(dict.fromkeys(f.culprit for f in failing if f.known))
        if known or 0 < len(failing) < len(_TERM_PROBES):
            found = known + [f.culprit for f in failing if not f.known]
            more = " (and more: fix these two, then check again)" if len(found) > 2 else ""
            return "; and ".join(found[:2]) + more
        for p in _BLOCK_PROBES[cell]:
            finding = probe(fn, ex, p, case)
            if finding:
                return finding.culprit
        return "the result differs from the reference, though every probe passes"

    return locate


# ============================================================================ the exercises

_HINTS = {
    "rnn": (
        "h_t = tanh(W_ih x_t + b_ih + W_hh h_prev + b_hh). x_t is (B, D), one example per row, "
        "so the product W x becomes x @ W.T.",
        "The input term is x_t @ params['weight_ih'].T + params['bias_ih'], the recurrent "
        "term h_prev @ params['weight_hh'].T + params['bias_hh']; each is (B, H).",
        "Add the two terms and apply np.tanh once, to the sum.",
    ),
    "lstm": (
        # Printed in notebook 05's compared output: its words stay as they are.
        "One product per weight gives all four blocks (three gates and the candidate g) at once: "
        "a = x_t @ W_ih.T + b_ih + "
        "h_prev @ W_hh.T + b_hh, of shape (B, 4H).",
        "Split a into four (B, H) blocks in PyTorch's order i, f, g, o (np.split(a, 4, "
        "axis=1)); the gates i, f and o go through a sigmoid, the candidate g through tanh.",
        "c_t = f * c_prev + i * g, then h_t = o * np.tanh(c_t); return (h_t, c_t).",
    ),
    "gru": (
        "Keep the two products apart: gi = x_t @ W_ih.T + b_ih and gh = h_prev @ W_hh.T + "
        "b_hh, each (B, 3H), split in PyTorch's order r, z, n.",
        "r = sigmoid(gi_r + gh_r), z = sigmoid(gi_z + gh_z), n = tanh(gi_n + r * gh_n): the "
        "reset gate multiplies (W_hn h_prev + b_hn), after the matrix product.",
        "h_t = (1 - z) * n + z * h_prev, PyTorch's convention: z near 1 keeps the old state.",
    ),
}


def _step_exercise(cell, reference, variant, mistakes):
    """The exercise of one step cell: the same cases, term probes and help for all three."""
    G = len(cells.WEIGHT_BLOCKS[cell])
    gh = "H" if G == 1 else f"{G}H"
    order = ", ".join(cells.WEIGHT_BLOCKS[cell])
    rows = "" if G == 1 else f"; block k is rows k*H:(k+1)*H, in the order {order}"
    lstm = cell == "lstm"  # the one cell whose state is a pair (h, c), and that returns both
    state = "state (h_prev, c_prev) each (B, H)" if lstm else "h_prev (B, H)"
    return Exercise(
        name=f"{cell}_step",
        hints=_HINTS[cell],
        solution=(reference,),  # show_solution adds the helpers of cells that it calls
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


RNN_STEP = _step_exercise("rnn", cells.rnn_step, _rnn_variant, _RNN_MISTAKES)
LSTM_STEP = _step_exercise("lstm", cells.lstm_step, _lstm_variant, _LSTM_MISTAKES)
GRU_STEP = _step_exercise("gru", cells.gru_step, _gru_variant, _GRU_MISTAKES)


def check_rnn_step(fn):
    """Mark ``fn(x_t, h_prev, params) -> h_t``, the vanilla RNN step (notebook 02)."""
    __tracebackhide__ = True
    mark(RNN_STEP, fn)


def check_lstm_step(fn):
    """Mark ``fn(x_t, (h_prev, c_prev), params) -> (h_t, c_t)``, the LSTM step (notebook 05)."""
    __tracebackhide__ = True
    mark(LSTM_STEP, fn)


def check_gru_step(fn):
    """Mark ``fn(x_t, h_prev, params) -> h_t``, the GRU step in PyTorch's form (notebook 05)."""
    __tracebackhide__ = True
    mark(GRU_STEP, fn)
