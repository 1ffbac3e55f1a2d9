"""Numpy RNN, LSTM and GRU cells and backprop through time (notebooks 02, 04 and 05).

One interface serves the three cells, so one unroll, one backward loop and one
gradient-flow measurement serve them all:

    params = init_params(cell, input_size=D, hidden_size=H, rng=0)
    state0 = zero_state(cell, batch_size=B, hidden_size=H)     # h (B, H); LSTMState(h, c)
    h_t = rnn_step(x_t, h_prev, params)                        # the plain maths of a step
    h_t, c_t = lstm_step(x_t, (h_prev, c_prev), params)
    h_t = gru_step(x_t, h_prev, params)
    step = stepper(cell, params); h_t = step(x_t, h_prev)      # checked once, for long loops
    hs, state_T, caches = unroll(cell, x, state0, params)       # x (T, B, D) -> hs (T, B, H)
    dx, dstate0, grads = unroll_backward(cell, dhs, caches)    # dhs (T, B, H)
    dx_t, dh_prev, grads_t = rnn_step_backward(dh_t, caches[t])  # one RNN step, by hand

``unroll`` returns an ``Unrolled`` and ``unroll_backward`` an ``UnrolledGrads``: NamedTuples,
so both unpack as above or read by name (``unroll(...).hs``). ``backward_steps`` is the loop
of backprop through time on its own, for measuring what reaches each step (``gradients``).

Parameters follow PyTorch exactly (``torch.nn.RNN``/``LSTM``/``GRU``, one layer), so weights
copy across with ``params_from_torch``. With G weight blocks (``NUM_BLOCKS``: 1 rnn, 4 lstm,
3 gru) the dict holds

    weight_ih (G*H, D)   weight_hh (G*H, H)   bias_ih (G*H,)   bias_hh (G*H,)

with the blocks' rows stacked in PyTorch's order (``WEIGHT_BLOCKS``): LSTM i, f, g, o; GRU r, z,
n; ``block_rows(cell, block, H)`` gives a block's rows. The GRU follows
PyTorch's convention: the reset gate multiplies (W_hn h + b_hn), after the matrix product, and
h' = (1 - z) * n + z * h.

``unroll`` returns one cache per step, a NamedTuple with named fields (each (B, H) unless
noted), which the gate-inspector widget reads as ``caches[t].f``:

    RNNCache   x (B, D), h_prev, h, params, nonlinearity
    LSTMCache  x (B, D), h_prev, c_prev, i, f, g, o (gate activations), c (cell state), h, params
    GRUCache   x (B, D), h_prev, r, z, n (gate activations), hn (= W_hn h_prev + b_hn), h, params

Each cell has a cached forward and its backward side by side; the forward shares the gate
maths (``_lstm_gates``, ``_gru_gates``, ``_rnn_hidden``) with the plain step a learner writes.
Arrays keep their float dtype (float32 stays float32); no function here upcasts.
"""

import functools
from typing import NamedTuple

import numpy as np

from rnnbook import _validate

CELLS = ("rnn", "lstm", "gru")
CELL_NAMES = {"rnn": "vanilla RNN", "lstm": "LSTM", "gru": "GRU"}  # how prose and figures say them
NONLINEARITIES = ("tanh", "relu")
PARAM_KEYS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")

# The one source of the cells' block layout. Each cell's weights stack H-row blocks in PyTorch's
# row order; a block is a gate (a sigmoid in (0, 1) that scales something) or a candidate (a tanh
# in (-1, 1) that proposes new content). The RNN has one block and no gate; the LSTM's g and the
# GRU's n are candidates, not gates.
WEIGHT_BLOCKS = {"rnn": ("h",), "lstm": ("i", "f", "g", "o"), "gru": ("r", "z", "n")}
GATES = {"rnn": (), "lstm": ("i", "f", "o"), "gru": ("r", "z")}
NUM_BLOCKS = {cell: len(blocks) for cell, blocks in WEIGHT_BLOCKS.items()}  # 1, 4, 3 blocks
# ... and 0, 3, 2 gates: a block count is not a gate count.


def block_rows(cell, block, hidden_size):
    """The rows of `block` in the cell's stacked weights: e.g. ("lstm", "f", H) -> slice(H, 2H)."""
    cell = _validate.cell("cell", cell)
    block = _validate.choice("block", block, WEIGHT_BLOCKS[cell])
    return _block_rows(cell, block, _validate.positive_int("hidden_size", hidden_size))


def _block_rows(cell, block, H):
    """block_rows without the checks, for the package's own calls."""
    k = WEIGHT_BLOCKS[cell].index(block)
    return slice(k * H, (k + 1) * H)


class LSTMState(NamedTuple):
    """The LSTM's state: the hidden state and the cell state, each (B, H)."""

    h: np.ndarray
    c: np.ndarray


class LSTMGates(NamedTuple):
    """LSTM block activations, each (B, H): gates i (input), f (forget), o (output); candidate g."""

    i: np.ndarray
    f: np.ndarray
    g: np.ndarray
    o: np.ndarray


class GRUGates(NamedTuple):
    """GRU gate activations r, z, n, each (B, H), and hn = W_hn h_prev + b_hn (B, H)."""

    r: np.ndarray
    z: np.ndarray
    n: np.ndarray
    hn: np.ndarray


class RNNCache(NamedTuple):
    """What one vanilla RNN step keeps for its backward."""

    x: np.ndarray
    h_prev: np.ndarray
    h: np.ndarray
    params: dict
    nonlinearity: str

    @property
    def state(self):
        return self.h


class LSTMCache(NamedTuple):
    """What one LSTM step keeps for its backward; i, f, g, o and c feed the gate inspector."""

    x: np.ndarray
    h_prev: np.ndarray
    c_prev: np.ndarray
    i: np.ndarray
    f: np.ndarray
    g: np.ndarray
    o: np.ndarray
    c: np.ndarray
    h: np.ndarray
    params: dict

    @property
    def state(self):
        return LSTMState(self.h, self.c)


class GRUCache(NamedTuple):
    """What one GRU step keeps for its backward; r, z and n feed the gate inspector."""

    x: np.ndarray
    h_prev: np.ndarray
    r: np.ndarray
    z: np.ndarray
    n: np.ndarray
    hn: np.ndarray
    h: np.ndarray
    params: dict

    @property
    def state(self):
        return self.h


class Unrolled(NamedTuple):
    """What ``unroll`` returns: hs (T, B, H); state, the last state (h_T, or LSTMState(h_T,
    c_T)); caches, one per step for ``unroll_backward``."""

    hs: np.ndarray
    state: object
    caches: list


class UnrolledGrads(NamedTuple):
    """What ``unroll_backward`` returns: dx (T, B, D); dstate0, the gradient w.r.t. the initial
    state (dh0 (B, H), or LSTMState(dh0, dc0)); grads, a dict with the keys and shapes of
    params."""

    dx: np.ndarray
    dstate0: object
    grads: dict


class StepGrads(NamedTuple):
    """Gradients one backward step returns.

    d_input      (B, G*H)  w.r.t. the input term W_ih x_t + b_ih
    d_recurrent  (B, G*H)  w.r.t. the recurrent term W_hh h_prev + b_hh
    dstate_prev            w.r.t. the state before the step: (B, H), or LSTMState for the LSTM
    """

    d_input: np.ndarray
    d_recurrent: np.ndarray
    dstate_prev: object


# ----------------------------------------------------------------------------- activations


def sigmoid(a):
    """The logistic function 1 / (1 + exp(-a)), written with tanh so that it never overflows."""
    return 0.5 * np.tanh(0.5 * a) + 0.5


def relu(a):
    """max(a, 0), elementwise."""
    return np.maximum(a, 0)


ACTIVATIONS = {"tanh": np.tanh, "relu": relu}

# ----------------------------------------------------------------------------- argument checks
# The checks themselves are written in rnnbook._validate; this decorator keeps them apart from
# the plain step.


def _checked_step(cell, state_name):
    """Check a step function's arguments at the boundary, keeping the step itself plain maths."""

    def decorate(step):
        @functools.wraps(step)
        def checked(x_t, state, params, *args, **kwargs):
            params, D, H = _validate.cell_params(cell, params)
            x_t = _validate.batch("x_t", _validate.as_array("x_t", x_t, shape=(None, D)), 0)
            state = _validate.cell_state(cell, state_name, state, x_t.shape[0], H)
            if cell == "rnn":
                nonlinearity = args[0] if args else kwargs.get("nonlinearity", "tanh")
                _validate.nonlinearity(cell, nonlinearity)
            return step(x_t, state, params, *args, **kwargs)

        return checked

    return decorate


# ----------------------------------------------------------------------------- parameters


def init_params(cell, input_size, hidden_size, rng=None):
    """Random params as PyTorch initialises them: every entry from U(-1/sqrt(H), 1/sqrt(H)).

    rng: a numpy Generator or an int seed (None means seed 0).
    Returns {"weight_ih" (G*H, D), "weight_hh" (G*H, H), "bias_ih" (G*H,), "bias_hh" (G*H,)},
    float64, G = NUM_BLOCKS[cell]: 1 (rnn), 4 (lstm) or 3 (gru).
    """
    cell = _validate.cell("cell", cell)
    D = _validate.positive_int("input_size", input_size)
    H = _validate.positive_int("hidden_size", hidden_size)
    rng = _validate.rng("rng", rng)
    GH = NUM_BLOCKS[cell] * H
    bound = 1.0 / np.sqrt(H)
    shapes = {"weight_ih": (GH, D), "weight_hh": (GH, H), "bias_ih": (GH,), "bias_hh": (GH,)}
    return {key: rng.uniform(-bound, bound, size=shape) for key, shape in shapes.items()}


def params_from_torch(module, dtype=np.float64, layer=None, reverse=False):
    """Copy the weights of an ``nn.RNN``, ``nn.LSTM`` or ``nn.GRU`` into a params dict.

    Returns arrays of ``dtype`` (float64 by default) with PyTorch's shapes and block order;
    a module built with bias=False gives zero biases. layer=None: the module must have one
    unidirectional layer. layer=k (and reverse=True for the backward direction of a
    bidirectional module) reads that layer's ``weight_ih_l{k}`` (``_reverse``) and the rest:
    for k >= 1 its input size D is the previous layer's output size (H, or 2H if
    bidirectional).
    """
    import torch

    _validate.instance("module", module, (torch.nn.RNN, torch.nn.LSTM, torch.nn.GRU),
                       "a torch.nn.RNN, LSTM or GRU")
    if layer is None:
        if module.num_layers != 1 or module.bidirectional:
            raise ValueError(f"module: expected one unidirectional layer, got num_layers="
                             f"{module.num_layers}, bidirectional={module.bidirectional}; "
                             f"name the layer= (and reverse=) to read")
        layer = 0
    layer = _validate.int_in_range("layer", layer, 0, module.num_layers - 1)
    if _validate.boolean("reverse", reverse) and not module.bidirectional:
        raise ValueError("reverse: the module is not bidirectional, it has no reverse direction")
    if getattr(module, "proj_size", 0):
        raise ValueError(f"module: expected an LSTM without projection, "
                         f"got proj_size={module.proj_size}")
    dtype = np.dtype(dtype)
    if not np.issubdtype(dtype, np.floating):
        raise TypeError(f"dtype: expected a float dtype, got {dtype}")
    suffix = f"_l{layer}" + ("_reverse" if reverse else "")

    def read(name):
        return getattr(module, name + suffix).detach().cpu().numpy().astype(dtype)

    weight_hh = read("weight_hh")
    zeros = np.zeros(weight_hh.shape[0], dtype=dtype)
    return {
        "weight_ih": read("weight_ih"),
        "weight_hh": weight_hh,
        "bias_ih": read("bias_ih") if module.bias else zeros,
        "bias_hh": read("bias_hh") if module.bias else zeros.copy(),
    }


def zero_state(cell, batch_size, hidden_size, dtype=np.float64):
    """The all-zero initial state: h (B, H), or LSTMState(h, c) for the LSTM."""
    cell = _validate.cell("cell", cell)
    shape = (_validate.positive_int("batch_size", batch_size),
             _validate.positive_int("hidden_size", hidden_size))
    if cell == "lstm":
        return LSTMState(np.zeros(shape, dtype), np.zeros(shape, dtype))
    return np.zeros(shape, dtype)


def readout(h, weight, bias):
    """The output layer y = W_hy h + b_y, separate from the recurrent cell.

    h (..., H), e.g. (B, H) or (T, B, H); weight (O, H); bias (O,) -> y (..., O), O outputs.
    """
    weight = _validate.as_array("weight", weight, ndim=2)
    O, H = weight.shape
    h = _validate.as_array("h", h)
    if h.ndim == 0 or h.shape[-1] != H:
        raise ValueError(f"h: expected shape (..., {H}) to match weight {weight.shape}, "
                         f"got {h.shape}")
    bias = _validate.as_array("bias", bias, shape=(O,))
    return h @ weight.T + bias


# ----------------------------------------------------------------------------- gate maths
# Each takes the input term W_ih x_t + b_ih (B, G*H) already computed, so that the plain step
# computes it for one step while unroll computes it for all steps in one matrix product.


def _blocks(a, cell):
    """Split a (B, G*H) into the cell's G column blocks: {block: (B, H) view}, e.g. a["f"].

    Views, and much faster than np.split; the blocks are named as in WEIGHT_BLOCKS.
    """
    H = a.shape[1] // NUM_BLOCKS[cell]
    return {block: a[:, _block_rows(cell, block, H)] for block in WEIGHT_BLOCKS[cell]}


def _stack_blocks(cell, blocks):
    """The inverse of _blocks: {block: (B, H)} -> (B, G*H), columns in WEIGHT_BLOCKS order."""
    return np.concatenate([blocks[block] for block in WEIGHT_BLOCKS[cell]], axis=1)


def _rnn_hidden(input_term, h_prev, params, nonlinearity):
    """act(W_ih x_t + b_ih + W_hh h_prev + b_hh) -> h_t (B, H)."""
    recurrent_term = h_prev @ params["weight_hh"].T + params["bias_hh"]  # (B, H)
    return ACTIVATIONS[nonlinearity](input_term + recurrent_term)


def _lstm_gates(input_term, h_prev, params):
    """The LSTM's four block activations (PyTorch row order i, f, g, o), each (B, H):
    three sigmoid gates i, f, o and the tanh candidate g."""
    a = input_term + h_prev @ params["weight_hh"].T + params["bias_hh"]  # (B, 4H)
    a = _blocks(a, "lstm")
    return LSTMGates(i=sigmoid(a["i"]), f=sigmoid(a["f"]), g=np.tanh(a["g"]), o=sigmoid(a["o"]))


def _gru_gates(input_term, h_prev, params):
    """The GRU's block activations (PyTorch row order r, z, n), each (B, H): the gates r, z
    and the candidate n; and hn = W_hn h_prev + b_hn."""
    x = _blocks(input_term, "gru")
    h = _blocks(h_prev @ params["weight_hh"].T + params["bias_hh"], "gru")
    x_n, h_n = x["n"], h["n"]
    r = sigmoid(x["r"] + h["r"])
    z = sigmoid(x["z"] + h["z"])
    n = np.tanh(x_n + r * h_n)  # PyTorch: reset applied after the matrix product
    return GRUGates(r=r, z=z, n=n, hn=h_n)


# ----------------------------------------------------------------------------- plain steps


@_checked_step("rnn", "h_prev")
def rnn_step(x_t, h_prev, params, nonlinearity="tanh"):
    """One vanilla RNN step: h_t = tanh(W_ih x_t + b_ih + W_hh h_prev + b_hh).

    x_t (B, D), h_prev (B, H) -> h_t (B, H). nonlinearity "tanh" or "relu", as nn.RNN.
    """
    input_term = x_t @ params["weight_ih"].T + params["bias_ih"]  # (B, H)
    return _rnn_hidden(input_term, h_prev, params, nonlinearity)


@_checked_step("lstm", "state")
def lstm_step(x_t, state, params):
    """One LSTM step. x_t (B, D), state (h_prev, c_prev) each (B, H) -> LSTMState(h_t, c_t)."""
    h_prev, c_prev = state
    input_term = x_t @ params["weight_ih"].T + params["bias_ih"]  # (B, 4H)
    i, f, g, o = _lstm_gates(input_term, h_prev, params)  # each (B, H)
    c_t = f * c_prev + i * g  # forget part of the old memory, write part of the new
    h_t = o * np.tanh(c_t)  # show a gated view of the memory
    return LSTMState(h_t, c_t)


@_checked_step("gru", "h_prev")
def gru_step(x_t, h_prev, params):
    """One GRU step (PyTorch's convention). x_t (B, D), h_prev (B, H) -> h_t (B, H)."""
    input_term = x_t @ params["weight_ih"].T + params["bias_ih"]  # (B, 3H)
    r, z, n, _ = _gru_gates(input_term, h_prev, params)  # each (B, H)
    return (1 - z) * n + z * h_prev  # z near 1 keeps the old state


_STEPS = {"rnn": rnn_step, "lstm": lstm_step, "gru": gru_step}


def stepper(cell, params, nonlinearity="tanh"):
    """The cell's step with ``params`` bound, for a loop of many steps: step(x_t, state).

    Each checked step above checks its params on every call, which costs more than the step's
    maths at small sizes. stepper checks them once and returns the plain maths of ``rnn_step``,
    ``lstm_step`` or ``gru_step``, for loops that build x_t and state themselves (sampling
    one character at a time, ``charlm.sample``). x_t (B, D) and state are not checked.
    """
    cell = _validate.cell("cell", cell)
    nonlinearity = _validate.nonlinearity(cell, nonlinearity)
    params, _, _ = _validate.cell_params(cell, params)
    step = _STEPS[cell].__wrapped__  # under the checks: functools.wraps keeps it there
    if cell == "rnn":
        return functools.partial(step, params=params, nonlinearity=nonlinearity)
    return functools.partial(step, params=params)


# ----------------------------------------------------------------------------- cached forwards
# and their backwards, side by side. All forwards take the same arguments so that unroll calls
# them alike; only the RNN uses nonlinearity.


def _rnn_forward(x_t, input_term, h_prev, params, nonlinearity):
    """x_t (B, D), input_term (B, H), h_prev (B, H) -> RNNCache."""
    h = _rnn_hidden(input_term, h_prev, params, nonlinearity)
    return RNNCache(x=x_t, h_prev=h_prev, h=h, params=params, nonlinearity=nonlinearity)


def _through_activation(dh, h, nonlinearity):
    """dh (B, H) -> dh_raw (B, H), the gradient on the pre-activation of h = act(a).

    The derivative is written from the output: tanh' = 1 - h^2, relu' = [h > 0].
    """
    if nonlinearity == "tanh":
        return dh * (1 - h**2)
    return dh * (h > 0)


def _rnn_backward(dh, cache):
    """dh (B, H), the gradient on this step's h -> StepGrads, dstate_prev = dh_prev (B, H)."""
    da = _through_activation(dh, cache.h, cache.nonlinearity)
    return StepGrads(da, da, da @ cache.params["weight_hh"])


def _checked_step_backward(step_backward):
    """Check rnn_step_backward's arguments at the boundary, keeping its body plain maths."""

    @functools.wraps(step_backward)
    def checked(dh, cache):
        cache = _validate.instance("cache", cache, RNNCache,
                                   "an RNNCache, one step of cells.unroll('rnn', ...).caches")
        dh = _validate.as_array("dh", dh, shape=cache.h.shape)
        return step_backward(dh, cache)

    return checked


@_checked_step_backward
def rnn_step_backward(dh, cache):
    """Backprop through one vanilla RNN step h = tanh(W_ih x + b_ih + W_hh h_prev + b_hh).

    dh (B, H): the total gradient on this step's h, both paths (the output at this step and
    the next step) already summed; cache: the RNNCache that ``unroll("rnn", ...)`` keeps for
    this step. Returns (dx (B, D), dh_prev (B, H), grads): grads has the keys and shapes of
    params, this step's share of the weight gradients (``unroll_backward`` sums the steps').
    """
    x, h_prev, p = cache.x, cache.h_prev, cache.params
    dh_raw = _through_activation(dh, cache.h, cache.nonlinearity)  # (B, H): tanh' = 1 - h^2
    grads = {
        "weight_ih": dh_raw.T @ x,  # (H, D): a sum over the batch of outer products
        "weight_hh": dh_raw.T @ h_prev,  # (H, H): h_prev, the state the weight multiplied
        "bias_ih": dh_raw.sum(axis=0),  # (H,): each example added the bias once
        "bias_hh": dh_raw.sum(axis=0),
    }
    dx = dh_raw @ p["weight_ih"]  # (B, D)
    dh_prev = dh_raw @ p["weight_hh"]  # (B, H): what this step sends back to the step before
    return dx, dh_prev, grads


def _lstm_forward(x_t, input_term, state, params, nonlinearity):
    """x_t (B, D), input_term (B, 4H), state (h_prev, c_prev) -> LSTMCache. (No nonlinearity.)"""
    h_prev, c_prev = state
    gates = _lstm_gates(input_term, h_prev, params)
    c = gates.f * c_prev + gates.i * gates.g  # the update of lstm_step
    h = gates.o * np.tanh(c)
    return LSTMCache(x=x_t, h_prev=h_prev, c_prev=c_prev, i=gates.i, f=gates.f, g=gates.g,
                     o=gates.o, c=c, h=h, params=params)


def _lstm_backward(dstate, cache):
    """dstate LSTMState(dh, dc), the gradients on this step's (h, c) -> StepGrads."""
    dh, dc = dstate
    tanh_c = np.tanh(cache.c)
    # c reaches the loss directly (dc, from the next step) and through h = o * tanh(c).
    dc = dc + dh * cache.o * (1 - tanh_c**2)
    d_gates = _stack_blocks("lstm", {  # w.r.t. the pre-activations, (B, 4H)
        "i": dc * cache.g * cache.i * (1 - cache.i),
        "f": dc * cache.c_prev * cache.f * (1 - cache.f),
        "g": dc * cache.i * (1 - cache.g**2),
        "o": dh * tanh_c * cache.o * (1 - cache.o),
    })
    dh_prev = d_gates @ cache.params["weight_hh"]
    return StepGrads(d_gates, d_gates, LSTMState(dh_prev, dc * cache.f))


def _gru_forward(x_t, input_term, h_prev, params, nonlinearity):
    """x_t (B, D), input_term (B, 3H), h_prev (B, H) -> GRUCache. nonlinearity is unused."""
    gates = _gru_gates(input_term, h_prev, params)
    h = (1 - gates.z) * gates.n + gates.z * h_prev  # the update of gru_step
    return GRUCache(x=x_t, h_prev=h_prev, r=gates.r, z=gates.z, n=gates.n, hn=gates.hn, h=h,
                    params=params)


def _gru_backward(dh, cache):
    """dh (B, H), the gradient on this step's h -> StepGrads, dstate_prev = dh_prev (B, H)."""
    r, z, n = cache.r, cache.z, cache.n
    da_n = dh * (1 - z) * (1 - n**2)  # w.r.t. n's pre-activation x_n + r * hn
    da_r = da_n * cache.hn * r * (1 - r)
    da_z = dh * (cache.h_prev - n) * z * (1 - z)
    d_input = _stack_blocks("gru", {"r": da_r, "z": da_z, "n": da_n})  # (B, 3H)
    # The reset gate sits between W_hn h and n, so the recurrent n-rows get da_n * r.
    d_recurrent = _stack_blocks("gru", {"r": da_r, "z": da_z, "n": da_n * r})  # (B, 3H)
    dh_prev = dh * z + d_recurrent @ cache.params["weight_hh"]
    return StepGrads(d_input, d_recurrent, dh_prev)


_FORWARD = {"rnn": _rnn_forward, "lstm": _lstm_forward, "gru": _gru_forward}
_BACKWARD = {"rnn": _rnn_backward, "lstm": _lstm_backward, "gru": _gru_backward}
CACHE_TYPES = {"rnn": RNNCache, "lstm": LSTMCache, "gru": GRUCache}  # what unroll keeps per step

# ----------------------------------------------------------------------------- sequences


def unroll(cell, x, state0, params, nonlinearity="tanh"):
    """Run ``cell`` over the sequence ``x``, keeping a cache per step for ``unroll_backward``.

    x (T, B, D); state0 h0 (B, H), or the pair (h0, c0) for the LSTM.
    nonlinearity: "tanh" (default) or "relu", for the "rnn" cell only.
    Returns Unrolled(hs (T, B, H), state, caches): state is h_T, or LSTMState(h_T, c_T);
    caches is a list of T named caches (see the module docstring), e.g. caches[t].f for the
    forget gate.
    """
    cell = _validate.cell("cell", cell)
    nonlinearity = _validate.nonlinearity(cell, nonlinearity)
    params, D, H = _validate.cell_params(cell, params)
    x = _validate.as_array("x", x, shape=(None, None, D))
    T, B, _ = x.shape
    if T == 0:
        raise ValueError(f"x: expected a non-empty sequence (T >= 1), got shape {x.shape}")
    _validate.batch("x", x, 1)
    state = _validate.cell_state(cell, "state0", state0, B, H)
    # The input term does not depend on the state: one matrix product for all T steps.
    input_terms = x.reshape(T * B, D) @ params["weight_ih"].T  # (T*B, G*H)
    input_terms += params["bias_ih"]  # in place: a second large temporary costs page faults
    input_terms = input_terms.reshape(T, B, -1)
    forward = _FORWARD[cell]
    caches = []
    for t in range(T):
        cache = forward(x[t], input_terms[t], state, params, nonlinearity)
        caches.append(cache)
        state = cache.state
    hs = np.stack([cache.h for cache in caches])
    return Unrolled(hs, state, caches)


def backward_steps(cell, dhs, caches, dstate_T=None):
    """Carry the gradient back through the steps; yield (t, StepGrads of step t), t = T-1..0.

    The loop of backprop through time on its own: ``unroll_backward`` sums its weight
    gradients, ``gradients.gradient_norms`` measures what reaches each step.
    cell: "rnn", "lstm" or "gru"; dhs (T, B, H), the loss's gradient w.r.t. each hs[t];
    caches: the T caches of ``unroll(cell, ...)``; dstate_T: a gradient on the final state
    (dh_T (B, H), or LSTMState(dh_T, dc_T)), or None for zero. Not checked here:
    ``unroll_backward`` and ``gradients.gradient_norms`` are its checked callers.

    The hidden state h_t feeds both the output at t and step t+1, so its gradient is the sum
    of dhs[t] and what step t+1 sends back.
    """
    backward = _BACKWARD[cell]
    if dstate_T is None:
        zeros = np.zeros_like(caches[-1].h)
        dstate_T = LSTMState(zeros, zeros) if cell == "lstm" else zeros
    dstate = dstate_T
    for t in reversed(range(len(caches))):
        if cell == "lstm":
            dstate = LSTMState(dstate.h + dhs[t], dstate.c)
        else:
            dstate = dstate + dhs[t]
        step = backward(dstate, caches[t])
        yield t, step
        dstate = step.dstate_prev


def unroll_backward(cell, dhs, caches, *, dstate_T=None):
    """Backprop through time: the gradients of a loss given dL/dhs, from ``unroll``'s caches.

    dhs (T, B, H): the loss's gradient w.r.t. each hidden state hs[t] (not counting its path
    through later steps). dstate_T: the loss's gradient w.r.t. the final state, dh_T (B, H), or
    for the LSTM the pair (dh_T, dc_T); it adds to what reaches the last step (so a loss on the
    last cell state c_T needs nothing else). None means zero.
    Returns UnrolledGrads(dx (T, B, D), dstate0, grads): dstate0 is
    dh0 (B, H), or LSTMState(dh0, dc0) for the LSTM; grads has the keys and shapes of params.
    """
    cell = _validate.cell("cell", cell)
    caches = _validate.caches(cell, caches)
    T = len(caches)
    B, H = caches[0].h.shape
    dhs = _validate.as_array("dhs", dhs, shape=(T, B, H))
    if dstate_T is not None:
        dstate_T = _validate.cell_state(cell, "dstate_T", dstate_T, B, H)
    params = caches[0].params
    GH = NUM_BLOCKS[cell] * H
    d_input = np.empty((T, B, GH), dtype=np.result_type(dhs, caches[0].h))
    # The two are the same array except in the GRU, whose reset gate sits inside its n-rows.
    d_recurrent = np.empty_like(d_input) if cell == "gru" else d_input
    for t, step in backward_steps(cell, dhs, caches, dstate_T):
        d_input[t] = step.d_input
        if cell == "gru":
            d_recurrent[t] = step.d_recurrent
        dstate0 = step.dstate_prev
    # The same weights act at every step, so their gradient is the sum over steps: one matrix
    # product over all T * B rows does the sum.
    xs = np.stack([c.x for c in caches]).reshape(T * B, -1)
    h_prevs = np.stack([c.h_prev for c in caches]).reshape(T * B, H)
    d_input_flat = d_input.reshape(T * B, GH)
    d_recurrent_flat = d_recurrent.reshape(T * B, GH)
    grads = {
        "weight_ih": d_input_flat.T @ xs,
        "weight_hh": d_recurrent_flat.T @ h_prevs,
        "bias_ih": d_input_flat.sum(axis=0),
        "bias_hh": d_recurrent_flat.sum(axis=0),
    }
    dx = (d_input_flat @ params["weight_ih"]).reshape(T, B, -1)
    return UnrolledGrads(dx, dstate0, grads)


# ---------------------------------------------------------------------------------------------
# Gates over time, read from an unroll's caches (what the gate heatmaps and inspector draw).

# The gated cells' series: every weight block's activation, plus the LSTM's cell state c.
CELL_STATE_SERIES = {"lstm": ("c",), "gru": ()}
GATE_SERIES = {cell: WEIGHT_BLOCKS[cell] + extra for cell, extra in CELL_STATE_SERIES.items()}


def gate_series(caches, cell, batch_index=0):
    """Collect each gate over time from an unroll's caches, for one batch element.

    caches: list of T per-step caches with (B, H) fields, as ``unroll`` returns them for an
    LSTM or a GRU. Returns {name: (T, H) array} for the names in GATE_SERIES[cell].
    """
    names = GATE_SERIES[_validate.choice("cell", cell, tuple(GATE_SERIES))]
    if not isinstance(caches, (list, tuple)) or not caches:
        raise TypeError(f"caches: expected a non-empty list of step caches, got {caches!r:.60}")
    missing = [n for n in names if not hasattr(caches[0], n)]
    if missing:
        raise ValueError(f"caches: expected {cell} caches with fields {names}, missing {missing}")
    return {n: np.stack([np.asarray(getattr(c, n))[batch_index] for c in caches]) for n in names}
