"""Beyond one direction (notebook 07): bidirectional and stacked unrolls, and attention.

    hs = bidirectional_unroll(cell, x, lengths, params_fwd, params_bwd)   # (T, B, 2H)
    hs = stacked_unroll(cell, x, [params_1, params_2, ...])               # (T, B, H)
    context, weights = attention_step(query, keys, values, mask=None)     # numpy, the exercise
    context, weights = attention_step_torch(query, keys, values, mask)    # the same in torch

The unrolls are built from ``cells.unroll`` alone, so they are the course's own cells run in
another order; tests show them equal to ``torch.nn.LSTM(bidirectional=True)`` and
``torch.nn.LSTM(num_layers=2)``. ``attention_step`` is the one decoder step of scaled
dot-product attention that the attention model of ``rnnbook.models`` calls (through its torch
twin, which autograd can differentiate; the two are tested equal).

Letters: T time, B batch, D input, H hidden; S the source (encoder) steps that a decoder
attends over. Keys and values are time-major, (S, B, H), like every sequence in the course.
"""

import math

import numpy as np
import torch

from rnnbook import _validate, cells
from rnnbook.containers import EOS, Dataset

# ----------------------------------------------------------------------------- two directions


def reverse_padded(x, lengths):
    """Each sequence of x (T, B, ...) reversed within its own length; padding stays at the end.

    lengths (B,) ints in 1..T. Reversing twice gives x back. ``x[::-1]`` would be wrong for
    every sequence shorter than T: it would start with the padding.
    """
    x = _validate.as_array("x", x, finite=False)
    lengths = _lengths(lengths, *x.shape[:2])
    out = x.copy()
    for b, n in enumerate(lengths):
        out[:n, b] = x[:n, b][::-1]
    return out


def _lengths(lengths, T, B):
    """lengths as an int array (B,) with values in 1..T (None: all T), or raise naming it."""
    if lengths is None:
        return np.full(B, T)
    return _validate.int_array("lengths", lengths, size=B, low=1, high=T)


def bidirectional_unroll(cell, x, lengths, params_fwd, params_bwd):
    """A bidirectional layer: one ``cells.unroll`` reads x forwards, another backwards.

    x (T, B, D); lengths (B,) valid steps (None: all T). The backward pass reads each sequence
    reversed within its own length, so it starts at that sequence's last real step, as
    ``torch.nn.LSTM(bidirectional=True)`` does on a packed sequence; its states are reversed
    back so that row t of both halves belongs to step t. Both start from zero states.
    Returns hs (T, B, 2H): [forward h_t ; backward h_t], zero past each sequence's length
    (as ``pad_packed_sequence`` pads torch's output).
    """
    cell = _validate.cell("cell", cell)
    x = _validate.as_array("x", x, ndim=3)
    T, B, _ = x.shape
    lengths = _lengths(lengths, T, B)
    _, _, H = _validate.cell_params(cell, params_fwd, "params_fwd")
    _validate.cell_params(cell, params_bwd, "params_bwd")
    zero = cells.zero_state(cell, B, H, dtype=x.dtype)
    forward, _, _ = cells.unroll(cell, x, zero, params_fwd)
    backward, _, _ = cells.unroll(cell, reverse_padded(x, lengths), zero, params_bwd)
    hs = np.concatenate([forward, reverse_padded(backward, lengths)], axis=-1)
    hs[np.arange(T)[:, None] >= lengths[None, :]] = 0  # padding: no state, as in torch
    return hs


def stacked_unroll(cell, x, layers):
    """Stacked layers: layer k + 1 is ``cells.unroll`` over the hidden states of layer k.

    x (T, B, D); layers: a list of params dicts, the first with input size D, each next one
    with input size H (the previous layer's width). All start from zero states.
    Returns hs (T, B, H) of the top layer, as ``torch.nn.LSTM(num_layers=len(layers))``.
    """
    cell = _validate.cell("cell", cell)
    _validate.instance("layers", layers, (list, tuple), "a list of params dicts")
    _validate.length("layers", layers, low=1)
    hs = _validate.as_array("x", x, ndim=3)
    for k, params in enumerate(layers):
        _, _, H = _validate.cell_params(cell, params, f"layers[{k}]")
        hs, _, _ = cells.unroll(cell, hs, cells.zero_state(cell, hs.shape[1], H, hs.dtype), params)
    return hs


# ----------------------------------------------------------------------------- attention


def attention_step(query, keys, values, mask=None):
    """One decoder step of scaled dot-product attention (the exercise's reference).

    query (B, H): the decoder's state; keys, values (S, B, H): the encoder's states, time-major;
    mask: None, or bool (B, S), True where a source step is real (padding gets weight 0).
    scores (B, S) = keys . query / sqrt(H); weights = softmax of the scores over S;
    context (B, H) = sum over s of weights[:, s] * values[s]. Returns (context, weights).

    The dot score is Luong et al. (2015)'s; dividing it by sqrt(H) is Vaswani et al. (2017)'s:
    a dot product of H terms grows like sqrt(H), and unscaled scores saturate the softmax.
    """
    query = _validate.as_array("query", query, ndim=2)
    B, H = query.shape
    keys = _validate.as_array("keys", keys, shape=(None, B, H))
    values = _validate.as_array("values", values, shape=(keys.shape[0], B, H))
    scores = np.einsum("sbh,bh->bs", keys, query) / np.sqrt(H)  # (B, S)
    if mask is not None:
        mask = _validate.row_mask("mask", mask, scores.shape)
        scores = np.where(mask, scores, -np.inf)  # exp(-inf) = 0: padding gets no weight
    scores = scores - scores.max(axis=1, keepdims=True)  # softmax is shift-invariant; no overflow
    weights = np.exp(scores)
    weights /= weights.sum(axis=1, keepdims=True)  # (B, S), each row sums to 1
    context = np.einsum("bs,sbh->bh", weights, values)  # (B, H)
    return context, weights


def attention_step_torch(query, keys, values, mask=None):
    """``attention_step`` in torch, line for line, so that autograd can train through it.

    query (B, H), keys and values (S, B, H) tensors, mask None or bool (B, S) tensor.
    Returns (context (B, H), weights (B, S)); tested equal to the numpy reference.
    query may also be (T', B, H), T' decoder steps at once (teacher forcing knows them all):
    then context is (T', B, H) and weights (T', B, S), each step as if called alone.
    """
    H = query.shape[-1]
    scores = torch.einsum("sbh,...bh->...bs", keys, query) / math.sqrt(H)  # (B, S)
    if mask is not None:
        scores = scores.masked_fill(~mask, -math.inf)
    weights = torch.softmax(scores, dim=-1)  # (B, S)
    context = torch.einsum("...bs,sbh->...bh", weights, values)  # (B, H)
    return context, weights


# ----------------------------------------------------------------------------- the road ahead


def sequential_steps(T, hidden_size=64):
    """What one layer over a sequence of length T costs, for an RNN and for self-attention.

    Returns {"rnn": {...}, "self-attention": {...}}, each with
    sequential: steps that must wait for the one before (an RNN's h_t needs h_{t-1});
    path: the recurrent steps (RNN: h_1 to h_T) or attention hops a signal crosses from x_1
        to the output at T;
    multiply_adds: of the recurrent (RNN, T H^2) or the score-and-mix products (2 T^2 H).
    """
    T = _validate.positive_int("T", T)
    H = _validate.positive_int("hidden_size", hidden_size)
    return {"rnn": {"sequential": T, "path": T - 1, "multiply_adds": T * H * H},
            "self-attention": {"sequential": 1, "path": 1, "multiply_adds": 2 * T * T * H}}


def exact_by_length(model, data, split="test"):
    """Exact-match accuracy of greedy decoding, by input length: (lengths (L,), accuracy (L,)).

    model: any seq2seq model of ``rnnbook.models`` (``generate(x, lengths, max_len)``);
    data: a seq2seq Dataset. An output is right when every token and the <eos> are.
    """
    _validate.function("model.generate", getattr(model, "generate", None))
    _validate.instance("data", data, Dataset, "a seq2seq Dataset")
    part = getattr(data, _validate.name_of("split", split, ("train", "test")))
    batch = part.batch()
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            pred = model.generate(batch.x, batch.lengths, max_len=batch.y.shape[0] + 2)
    finally:
        model.train(was_training)
    T = batch.y.shape[0]
    if pred.shape[0] < T:  # generation stops once every row has written <eos>
        pred = torch.cat([pred, pred.new_full((T - pred.shape[0], pred.shape[1]),
                                              data.out_vocab.ids[EOS])])
    right = ((pred[:T] == batch.y) | (batch.y < 0)).all(0)  # (N,); IGNORE (< 0) is padding
    lengths = batch.lengths.numpy()
    sizes = np.unique(lengths)
    return sizes, np.array([right.numpy()[lengths == n].mean() for n in sizes])
