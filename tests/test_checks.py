"""Tests of the exercise checkers: references pass, classic mistakes are caught and named.

Each mutant below is a learner's function with one classic mistake, written the way a learner
would write it (plain numpy, not the checker's variants), together with a keyword that the
checker's message must contain: the name of the culprit.
"""

import ast
import time

import numpy as np
import pytest

from rnnbook import cells, checks, solutions


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


def gates_of(x, h, p, n):
    """The n stacked pre-activation blocks W_ih x + b_ih + W_hh h + b_hh, each (B, H)."""
    a = x @ p["weight_ih"].T + p["bias_ih"] + h @ p["weight_hh"].T + p["bias_hh"]
    return np.split(a, n, axis=1)


def assert_names(check, fn, keyword):
    """The checker raises an AssertionError whose message names the culprit by ``keyword``."""
    with pytest.raises(AssertionError) as caught:
        check(fn)
    message = str(caught.value)
    assert keyword in message, message
    assert "Traceback" not in message
    return message


# ============================================================================ 02 RNN step


def rnn_no_bias_hh(x, h, p):
    return np.tanh(x @ p["weight_ih"].T + p["bias_ih"] + h @ p["weight_hh"].T)


def rnn_no_bias_ih(x, h, p):
    return np.tanh(x @ p["weight_ih"].T + h @ p["weight_hh"].T + p["bias_hh"])


def rnn_sigmoid(x, h, p):
    return sigmoid(x @ p["weight_ih"].T + p["bias_ih"] + h @ p["weight_hh"].T + p["bias_hh"])


def rnn_relu(x, h, p):
    a = x @ p["weight_ih"].T + p["bias_ih"] + h @ p["weight_hh"].T + p["bias_hh"]
    return np.maximum(a, 0)


def rnn_linear(x, h, p):
    return x @ p["weight_ih"].T + p["bias_ih"] + h @ p["weight_hh"].T + p["bias_hh"]


def rnn_w_hh_transposed(x, h, p):
    return np.tanh(x @ p["weight_ih"].T + p["bias_ih"] + h @ p["weight_hh"] + p["bias_hh"])


def rnn_w_ih_transposed(x, h, p):
    return np.tanh(x @ p["weight_ih"] + p["bias_ih"] + h @ p["weight_hh"].T + p["bias_hh"])


def rnn_weights_swapped(x, h, p):
    return np.tanh(x @ p["weight_hh"].T + p["bias_ih"] + h @ p["weight_ih"].T + p["bias_hh"])


def rnn_no_recurrent_term(x, h, p):
    return np.tanh(x @ p["weight_ih"].T + p["bias_ih"] + p["bias_hh"])


def rnn_no_input_term(x, h, p):
    return np.tanh(p["bias_ih"] + h @ p["weight_hh"].T + p["bias_hh"])


def rnn_bias_outside(x, h, p):
    return np.tanh(x @ p["weight_ih"].T + h @ p["weight_hh"].T) + p["bias_ih"] + p["bias_hh"]


def rnn_column_vectors(x, h, p):
    # W @ x with examples as columns: the result is (H, B), the transpose of what is asked.
    a = p["weight_ih"] @ x.T + p["bias_ih"][:, None] + p["weight_hh"] @ h.T
    return np.tanh(a + p["bias_hh"][:, None])


def rnn_half_bias_hh(x, h, p):  # no variant knows this one: term isolation must find it
    return np.tanh(x @ p["weight_ih"].T + p["bias_ih"] + h @ p["weight_hh"].T + 0.5 * p["bias_hh"])


def rnn_double_recurrent(x, h, p):  # nor this one
    return np.tanh(x @ p["weight_ih"].T + p["bias_ih"] + 2 * h @ p["weight_hh"].T + p["bias_hh"])


RNN_MUTANTS = [
    (rnn_no_bias_hh, "bias_hh is missing"),
    (rnn_no_bias_ih, "bias_ih is missing"),
    (rnn_sigmoid, "tanh was expected where sigmoid is used"),
    (rnn_relu, "tanh was expected where relu is used"),
    (rnn_linear, "the nonlinearity is missing"),
    (rnn_w_hh_transposed, "weight_hh is used transposed"),
    (rnn_w_ih_transposed, "weight_ih is used transposed"),
    (rnn_weights_swapped, "weight_ih and weight_hh are swapped"),
    (rnn_no_recurrent_term, "the recurrent term is missing"),
    (rnn_no_input_term, "the input term is missing"),
    (rnn_bias_outside, "outside tanh"),
    (rnn_column_vectors, "axes are in the wrong order"),
    (rnn_half_bias_hh, "bias_hh looks wrong"),
    (rnn_double_recurrent, "the recurrent term looks wrong"),
]

# ============================================================================ 05 LSTM step


def lstm_from(i, f, g, o, c_prev):
    c = f * c_prev + i * g
    return o * np.tanh(c), c


def lstm_order_ifog(x, state, p):
    h, c = state
    a_i, a_f, a_o, a_g = gates_of(x, h, p, 4)  # g and o swapped
    return lstm_from(sigmoid(a_i), sigmoid(a_f), np.tanh(a_g), sigmoid(a_o), c)


def lstm_order_figo(x, state, p):
    h, c = state
    a_f, a_i, a_g, a_o = gates_of(x, h, p, 4)  # i and f swapped
    return lstm_from(sigmoid(a_i), sigmoid(a_f), np.tanh(a_g), sigmoid(a_o), c)


def lstm_g_sigmoid(x, state, p):
    h, c = state
    a_i, a_f, a_g, a_o = gates_of(x, h, p, 4)
    return lstm_from(sigmoid(a_i), sigmoid(a_f), sigmoid(a_g), sigmoid(a_o), c)


def lstm_forget_on_h(x, state, p):
    h, c = state
    a_i, a_f, a_g, a_o = gates_of(x, h, p, 4)
    i, f, g, o = sigmoid(a_i), sigmoid(a_f), np.tanh(a_g), sigmoid(a_o)
    c_t = f * h + i * g
    return o * np.tanh(c_t), c_t


def lstm_no_output_gate(x, state, p):
    h, c = state
    a_i, a_f, a_g, _ = gates_of(x, h, p, 4)
    c_t = sigmoid(a_f) * c + sigmoid(a_i) * np.tanh(a_g)
    return np.tanh(c_t), c_t


def lstm_no_tanh_c(x, state, p):
    h, c = state
    a_i, a_f, a_g, a_o = gates_of(x, h, p, 4)
    c_t = sigmoid(a_f) * c + sigmoid(a_i) * np.tanh(a_g)
    return sigmoid(a_o) * c_t, c_t


def lstm_h_from_c_prev(x, state, p):
    h, c = state
    a_i, a_f, a_g, a_o = gates_of(x, h, p, 4)
    c_t = sigmoid(a_f) * c + sigmoid(a_i) * np.tanh(a_g)
    return sigmoid(a_o) * np.tanh(c), c_t


def lstm_returns_c_h(x, state, p):
    h_t, c_t = cells.lstm_step(x, state, p)
    return c_t, h_t


def lstm_no_bias_hh(x, state, p):
    h, c = state
    a = x @ p["weight_ih"].T + p["bias_ih"] + h @ p["weight_hh"].T
    a_i, a_f, a_g, a_o = np.split(a, 4, axis=1)
    return lstm_from(sigmoid(a_i), sigmoid(a_f), np.tanh(a_g), sigmoid(a_o), c)


def lstm_no_input_gate(x, state, p):
    h, c = state
    a_i, a_f, a_g, a_o = gates_of(x, h, p, 4)
    c_t = sigmoid(a_f) * c + np.tanh(a_g)
    return sigmoid(a_o) * np.tanh(c_t), c_t


def lstm_blocks_transposed(x, state, p):
    h, c = state
    H = h.shape[1]
    gates = []
    for k in range(4):  # each gate's (H, H) block, used as h @ W_k instead of h @ W_k.T
        rows = slice(k * H, (k + 1) * H)
        gates.append(x @ p["weight_ih"][rows].T + p["bias_ih"][rows] + h @ p["weight_hh"][rows]
                     + p["bias_hh"][rows])
    a_i, a_f, a_g, a_o = gates
    return lstm_from(sigmoid(a_i), sigmoid(a_f), np.tanh(a_g), sigmoid(a_o), c)


def lstm_off_by_one_slices(x, state, p):
    h, c = state
    H = h.shape[1]
    a = x @ p["weight_ih"].T + p["bias_ih"] + h @ p["weight_hh"].T + p["bias_hh"]
    a_i, a_f, a_g, a_o = (a[:, k * H + 1:(k + 1) * H + 1] for k in range(4))
    return lstm_from(sigmoid(a_i), sigmoid(a_f), np.tanh(a_g), sigmoid(a_o), c)


def lstm_g_shifted(x, state, p):  # no variant knows this one: the gate probes must find it
    h, c = state
    a_i, a_f, a_g, a_o = gates_of(x, h, p, 4)
    return lstm_from(sigmoid(a_i), sigmoid(a_f), np.tanh(a_g + 1), sigmoid(a_o), c)


def lstm_o_squared(x, state, p):  # nor this one
    h, c = state
    a_i, a_f, a_g, a_o = gates_of(x, h, p, 4)
    return lstm_from(sigmoid(a_i), sigmoid(a_f), np.tanh(a_g), sigmoid(a_o) ** 2, c)


LSTM_MUTANTS = [
    (lstm_order_ifog, "taken in the order i, f, o, g"),
    (lstm_order_figo, "taken in the order f, i, g, o"),
    (lstm_g_sigmoid, "tanh was expected where sigmoid is used (the candidate g)"),
    (lstm_forget_on_h, "the forget gate multiplies the wrong thing"),
    (lstm_no_output_gate, "the output gate is missing"),
    (lstm_no_tanh_c, "tanh of the cell state is missing"),
    (lstm_h_from_c_prev, "old cell state"),
    (lstm_returns_c_h, "returned as (c_t, h_t)"),
    (lstm_no_bias_hh, "bias_hh is missing"),
    (lstm_no_input_gate, "the input gate is missing"),
    (lstm_blocks_transposed, "block of weight_hh is used transposed"),
    (lstm_off_by_one_slices, "off-by-one"),
    (lstm_g_shifted, "the input path looks wrong"),
    (lstm_o_squared, "the output gate looks wrong"),
]

# ============================================================================ 05 GRU step


def gru_parts(x, h, p):
    """The r, z, n blocks of the input and the recurrent products, kept apart."""
    gi = np.split(x @ p["weight_ih"].T + p["bias_ih"], 3, axis=1)
    gh = np.split(h @ p["weight_hh"].T + p["bias_hh"], 3, axis=1)
    return gi, gh


def gru_z_swapped(x, h, p):
    (x_r, x_z, x_n), (h_r, h_z, h_n) = gru_parts(x, h, p)
    r, z = sigmoid(x_r + h_r), sigmoid(x_z + h_z)
    n = np.tanh(x_n + r * h_n)
    return z * n + (1 - z) * h


def gru_reset_before_matmul(x, h, p):  # Cho et al. 2014
    (x_r, x_z, x_n), (h_r, h_z, _) = gru_parts(x, h, p)
    r, z = sigmoid(x_r + h_r), sigmoid(x_z + h_z)
    H = h.shape[1]
    n = np.tanh(x_n + (r * h) @ p["weight_hh"][2 * H:].T + p["bias_hh"][2 * H:])
    return (1 - z) * n + z * h


def gru_b_hn_outside(x, h, p):
    (x_r, x_z, x_n), (h_r, h_z, _) = gru_parts(x, h, p)
    r, z = sigmoid(x_r + h_r), sigmoid(x_z + h_z)
    H = h.shape[1]
    n = np.tanh(x_n + r * (h @ p["weight_hh"][2 * H:].T) + p["bias_hh"][2 * H:])
    return (1 - z) * n + z * h


def gru_order_zrn(x, h, p):
    (x_z, x_r, x_n), (h_z, h_r, h_n) = gru_parts(x, h, p)
    r, z = sigmoid(x_r + h_r), sigmoid(x_z + h_z)
    n = np.tanh(x_n + r * h_n)
    return (1 - z) * n + z * h


def gru_n_sigmoid(x, h, p):
    (x_r, x_z, x_n), (h_r, h_z, h_n) = gru_parts(x, h, p)
    r, z = sigmoid(x_r + h_r), sigmoid(x_z + h_z)
    n = sigmoid(x_n + r * h_n)
    return (1 - z) * n + z * h


def gru_no_reset(x, h, p):
    (_, x_z, x_n), (_, h_z, h_n) = gru_parts(x, h, p)
    z = sigmoid(x_z + h_z)
    n = np.tanh(x_n + h_n)
    return (1 - z) * n + z * h


def gru_no_update(x, h, p):
    (x_r, _, x_n), (h_r, _, h_n) = gru_parts(x, h, p)
    r = sigmoid(x_r + h_r)
    return np.tanh(x_n + r * h_n)


def gru_no_bias_ih(x, h, p):
    x_r, x_z, x_n = np.split(x @ p["weight_ih"].T, 3, axis=1)
    h_r, h_z, h_n = np.split(h @ p["weight_hh"].T + p["bias_hh"], 3, axis=1)
    r, z = sigmoid(x_r + h_r), sigmoid(x_z + h_z)
    n = np.tanh(x_n + r * h_n)
    return (1 - z) * n + z * h


def gru_reset_on_everything(x, h, p):
    (x_r, x_z, x_n), (h_r, h_z, h_n) = gru_parts(x, h, p)
    r, z = sigmoid(x_r + h_r), sigmoid(x_z + h_z)
    n = np.tanh(r * (x_n + h_n))
    return (1 - z) * n + z * h


def gru_off_by_one_slices(x, h, p):
    H = h.shape[1]
    gi = x @ p["weight_ih"].T + p["bias_ih"]
    gh = h @ p["weight_hh"].T + p["bias_hh"]
    x_r, x_z, x_n = (gi[:, k * H:(k + 1) * H - 1] for k in range(3))
    h_r, h_z, h_n = (gh[:, k * H:(k + 1) * H - 1] for k in range(3))
    r, z = sigmoid(x_r + h_r), sigmoid(x_z + h_z)
    n = np.tanh(x_n + r * h_n)
    return (1 - z) * n + z * h


def gru_z_bias_twice(x, h, p):  # no variant knows this one: term isolation must find it
    (x_r, x_z, x_n), (h_r, h_z, h_n) = gru_parts(x, h, p)
    H = h.shape[1]
    r, z = sigmoid(x_r + h_r), sigmoid(x_z + h_z + p["bias_hh"][H:2 * H])
    n = np.tanh(x_n + r * h_n)
    return (1 - z) * n + z * h


def gru_blend_with_half_h(x, h, p):  # nor this one
    (x_r, x_z, x_n), (h_r, h_z, h_n) = gru_parts(x, h, p)
    r, z = sigmoid(x_r + h_r), sigmoid(x_z + h_z)
    n = np.tanh(x_n + r * h_n)
    return (1 - z) * n + z * h / 2


GRU_MUTANTS = [
    (gru_z_swapped, "z and (1 - z) are swapped relative to PyTorch's convention"),
    (gru_reset_before_matmul, "before the matrix product, as in Cho et al. 2014"),
    (gru_b_hn_outside, "b_hn is left outside the reset gate"),
    (gru_order_zrn, "taken in the order z, r, n"),
    (gru_n_sigmoid, "tanh was expected where sigmoid is used (the candidate n)"),
    (gru_no_reset, "the reset gate is missing"),
    (gru_no_update, "the update gate is missing"),
    (gru_no_bias_ih, "bias_ih is missing"),
    (gru_reset_on_everything, "the reset gate multiplies the input term too"),
    (gru_off_by_one_slices, "off-by-one"),
    (gru_z_bias_twice, "bias_hh looks wrong"),
    (gru_blend_with_half_h, "the blend looks wrong"),
]

# ============================================================================ 01 one-hot batch


def one_hot_with(sentences, vocab, T=None, index=None, pad_value=None, left=False, dtype=float):
    """A learner's one_hot_batch with knobs for the mistakes below."""
    T = T or max(len(s) for s in sentences)
    x = np.zeros((T, len(sentences), len(vocab)), dtype=dtype)
    for b, sentence in enumerate(sentences):
        sentence = sentence[:T]
        start = T - len(sentence) if left else 0
        for t, token in enumerate(sentence):
            x[start + t, b, (index or vocab)[token]] = 1
        if pad_value is not None:
            x[len(sentence):, b, pad_value] = 1
    return x


def one_hot_batch_first(sentences, vocab):
    return one_hot_with(sentences, vocab).transpose(1, 0, 2)


def one_hot_shortest(sentences, vocab):
    return one_hot_with(sentences, vocab, T=min(len(s) for s in sentences))


def one_hot_first_length(sentences, vocab):
    return one_hot_with(sentences, vocab, T=len(sentences[0]))


def one_hot_pad_index0(sentences, vocab):
    return one_hot_with(sentences, vocab, pad_value=0)


def one_hot_pad_left(sentences, vocab):
    return one_hot_with(sentences, vocab, left=True)


def one_hot_own_numbering(sentences, vocab):
    index = {}
    for sentence in sentences:
        for token in sentence:
            index.setdefault(token, len(index))
    return one_hot_with(sentences, vocab, index=index)


def one_hot_one_based(sentences, vocab):
    return one_hot_with(sentences, vocab, index={tok: k - 1 for tok, k in vocab.items()})


def one_hot_reversed(sentences, vocab):
    return one_hot_with([s[::-1] for s in sentences], vocab)


def one_hot_ints(sentences, vocab):
    return one_hot_with(sentences, vocab, dtype=int)


def one_hot_nested_list(sentences, vocab):
    return one_hot_with(sentences, vocab).tolist()


def one_hot_all_first(sentences, vocab):
    return one_hot_with([sentences[0]] * len(sentences), vocab, T=max(map(len, sentences)))


def one_hot_twos(sentences, vocab):  # no variant knows this one
    return 2 * one_hot_with(sentences, vocab)


ONE_HOT_MUTANTS = [
    (one_hot_batch_first, "batch-first"),
    (one_hot_shortest, "shortest sentence"),
    (one_hot_first_length, "first sentence's length"),
    (one_hot_pad_index0, "padded steps have a 1 at index 0"),
    (one_hot_pad_left, "the padding is at the start"),
    (one_hot_own_numbering, "order of appearance"),
    (one_hot_one_based, "shifted by one"),
    (one_hot_reversed, "reversed in time"),
    (one_hot_ints, "dtype int"),
    (one_hot_nested_list, "should be a numpy array, got a list"),
    (one_hot_all_first, "every batch column holds the first sentence"),
    (one_hot_twos, "should be one-hot at vocab['the'] = 2"),
]

# ============================================================================ 03 last valid state


def last_padded(hs, lengths):
    return hs[-1]


def one_late(hs, lengths):
    return hs[lengths, np.arange(hs.shape[1])]


def time_index_only(hs, lengths):
    return hs[lengths - 1]


def first_step(hs, lengths):
    return hs[0]


def mean_over_time(hs, lengths):
    return hs.mean(axis=0)


def batch_major(hs, lengths):
    return np.stack([hs[b, lengths[b] - 1] for b in range(hs.shape[1])])


def first_length_for_all(hs, lengths):
    return hs[lengths[0] - 1]


def one_early(hs, lengths):
    return np.stack([hs[length - 2, b] for b, length in enumerate(lengths)])


def transposed_result(hs, lengths):
    return hs[lengths - 1, np.arange(hs.shape[1])].T


def valid_mean(hs, lengths):
    return np.stack([hs[:length, b].mean(axis=0) for b, length in enumerate(lengths)])


def doubled(hs, lengths):  # no variant knows this one
    return 2 * hs[lengths - 1, np.arange(hs.shape[1])]


LAST_VALID_MUTANTS = [
    (last_padded, "the last padded step hs[-1]"),
    (one_late, "one step too late"),
    (time_index_only, "picks whole time steps"),
    (first_step, "the first step hs[0]"),
    (mean_over_time, "averages over all T steps"),
    (batch_major, "batch-major"),
    (first_length_for_all, "lengths[0] for every sequence"),
    (one_early, "one step too early"),
    (transposed_result, "axes are in the wrong order"),
    (valid_mean, "averages over the valid steps"),
    (doubled, "none of sequence 0's hidden states"),
]

# ============================================================================ 04 clipping


def global_norm(grads):
    return float(np.sqrt(sum(np.sum(g**2) for g in grads.values())))


def clip_per_tensor(grads, max_norm):
    clipped = {}
    for name, g in grads.items():
        norm = np.linalg.norm(g)
        clipped[name] = g * max_norm / norm if norm > max_norm else g.copy()
    return clipped, global_norm(grads)


def clip_by_value(grads, max_norm):
    return {k: np.clip(g, -max_norm, max_norm) for k, g in grads.items()}, global_norm(grads)


def clip_sum_of_norms(grads, max_norm):
    total = sum(np.linalg.norm(g) for g in grads.values())
    scale = min(1.0, max_norm / total)
    return {k: g * scale for k, g in grads.items()}, total


def clip_no_sqrt(grads, max_norm):
    total = sum(np.sum(g**2) for g in grads.values())
    scale = min(1.0, max_norm / total)
    return {k: g * scale for k, g in grads.items()}, total


def clip_always(grads, max_norm):
    total = global_norm(grads)
    return {k: g * max_norm / total for k, g in grads.items()}, total


def clip_inverted(grads, max_norm):
    total = global_norm(grads)
    scale = total / max_norm if total > max_norm else 1.0
    return {k: g * scale for k, g in grads.items()}, total


def clip_forgets_to_scale(grads, max_norm):
    return {k: g.copy() for k, g in grads.items()}, global_norm(grads)


def clip_reports_after(grads, max_norm):
    clipped, _ = solutions.clip_by_global_norm(grads, max_norm)
    return clipped, global_norm(clipped)


def clip_in_place(grads, max_norm):
    total = global_norm(grads)
    for g in grads.values():
        g *= min(1.0, max_norm / total)
    return grads, total


def clip_returns_dict_only(grads, max_norm):
    return solutions.clip_by_global_norm(grads, max_norm).grads


def clip_drops_biases(grads, max_norm):
    clipped, total = solutions.clip_by_global_norm(grads, max_norm)
    return {k: g for k, g in clipped.items() if k.startswith("weight")}, total


def clip_plus_one(grads, max_norm):  # no variant knows this one
    total = global_norm(grads)
    scale = min(1.0, max_norm / (total + 1))
    return {k: g * scale for k, g in grads.items()}, total


CLIP_MUTANTS = [
    (clip_per_tensor, "clipped per tensor"),
    (clip_by_value, "clipping by value"),
    (clip_sum_of_norms, "adds up the tensors' norms"),
    (clip_no_sqrt, "missing its square root"),
    (clip_always, "rescales even when total_norm <= max_norm"),
    (clip_inverted, "upside down"),
    (clip_forgets_to_scale, "the gradients are not scaled"),
    (clip_reports_after, "measured after clipping"),
    (clip_in_place, "changed its argument grads in place"),
    (clip_returns_dict_only, "expected 2 results"),
    (clip_drops_biases, "should have the keys of grads"),
    (clip_plus_one, "every tensor is scaled by"),
]

# ============================================================================ 03 architectures


def answers_with(**changes):
    answers = dict(solutions.ARCHITECTURES)
    for task in list(answers):
        for key, value in changes.items():
            if key in task:
                answers[task] = value
    return answers


def drop(answers, word):
    return {task: a for task, a in answers.items() if word not in task}


ARCHITECTURE_MUTANTS = [
    (list(solutions.ARCHITECTURES.items()), "expected a dict"),
    (answers_with(review="many to one"), "did you mean 'many-to-one'"),
    (drop(solutions.ARCHITECTURES, "melody"), "no answer yet for 'compose a melody"),
    ({**solutions.ARCHITECTURES, "caption an image": "one-to-many"},
     "did you mean 'caption a small image"),
    (answers_with(translate="many-to-many (synced)"), "translate '25 November 2026'"),
    (answers_with(caption="many-to-one"), "'caption a small image with a few words' is not"),
    (answers_with(review="many-to-many (synced)"), "'say whether a film review"),
    (dict.fromkeys(solutions.ARCHITECTURES, "seq2seq"), "(6 more answers wrong too)"),
    (answers_with(temperature=None), "no answer yet for \"predict tomorrow's temperature"),
    (answers_with(digit=3), "3 (for 'say which digit"),
]

# ============================================================================ the tests

ALL_MUTANTS = {
    "rnn_step": (checks.check_rnn_step, RNN_MUTANTS),
    "lstm_step": (checks.check_lstm_step, LSTM_MUTANTS),
    "gru_step": (checks.check_gru_step, GRU_MUTANTS),
    "one_hot": (checks.check_one_hot, ONE_HOT_MUTANTS),
    "last_valid_state": (checks.check_last_valid_state, LAST_VALID_MUTANTS),
    "clip_by_global_norm": (checks.check_clip_by_global_norm, CLIP_MUTANTS),
    "architectures": (checks.check_architectures, ARCHITECTURE_MUTANTS),
}
MUTANT_PARAMS = [
    pytest.param(name, k, id=f"{name}-{getattr(m[0], '__name__', k)}")
    for name, (_, mutants) in ALL_MUTANTS.items()
    for k, m in enumerate(mutants)
]

REFERENCES = {
    "rnn_step": cells.rnn_step,
    "lstm_step": cells.lstm_step,
    "gru_step": cells.gru_step,
    "one_hot": solutions.one_hot_batch,
    "last_valid_state": solutions.last_valid_state,
    "clip_by_global_norm": solutions.clip_by_global_norm,
    "architectures": dict(solutions.ARCHITECTURES),
}


@pytest.mark.parametrize("name", checks.EXERCISES)
def test_the_reference_passes_with_one_short_line(name, capsys):
    check, _ = ALL_MUTANTS[name]
    assert check(REFERENCES[name]) is None
    out = capsys.readouterr().out
    assert out.startswith(f"{name}: correct, ") and out.count("\n") == 1
    check(REFERENCES[name])
    assert capsys.readouterr().out == out  # deterministic, so that nbval can compare it


@pytest.mark.parametrize("name", checks.EXERCISES)
def test_at_least_eight_distinct_mistakes_per_exercise(name):
    _, mutants = ALL_MUTANTS[name]
    keywords = [keyword for _, keyword in mutants]
    assert len(mutants) >= 8 and len(set(keywords)) == len(keywords)


@pytest.mark.parametrize("name, k", MUTANT_PARAMS)
def test_each_mistake_is_caught_and_named(name, k):
    check, mutants = ALL_MUTANTS[name]
    mutant, keyword = mutants[k]
    message = assert_names(check, mutant, keyword)
    assert message.startswith(f"{name}: ")
    with pytest.raises(AssertionError) as again:
        check(mutant)
    assert str(again.value) == message  # deterministic


def test_a_diagnosis_names_one_culprit_or_two():
    for name, (check, mutants) in ALL_MUTANTS.items():
        for mutant, _ in mutants:
            with pytest.raises(AssertionError) as caught:
                check(mutant)
            assert str(caught.value).count("; and ") <= 1, (name, str(caught.value))


def test_two_mistakes_at_once_are_both_named():
    def no_biases(x, h, p):
        return np.tanh(x @ p["weight_ih"].T + h @ p["weight_hh"].T)

    message = assert_names(checks.check_rnn_step, no_biases, "bias_hh is missing")
    assert "bias_ih is missing" in message and message.count("; and ") == 1


def test_three_mistakes_at_once_are_narrowed_by_probes():
    def sigmoid_without_biases(x, h, p):
        return sigmoid(x @ p["weight_ih"].T + h @ p["weight_hh"].T)

    message = assert_names(checks.check_rnn_step, sigmoid_without_biases,
                           "tanh was expected where sigmoid is used")
    assert "; and bias_ih looks wrong" in message


def test_more_than_two_mistakes_name_two_and_say_there_are_more():
    def transposed_without_biases(x, h, p):
        return np.tanh(x @ p["weight_ih"] + h @ p["weight_hh"].T)

    message = assert_names(checks.check_rnn_step, transposed_without_biases,
                           "bias_ih is missing; and bias_hh is missing (and more: fix these two")
    assert "(seen with B = 2, D = 6, H = 6; with B = 2, D = 3, H = 6 your function" in message


def test_terms_combined_wrongly_point_at_what_they_share():
    def two_tanhs(x, h, p):
        return (np.tanh(x @ p["weight_ih"].T + p["bias_ih"])
                + np.tanh(h @ p["weight_hh"].T + p["bias_hh"]))

    assert_names(checks.check_rnn_step, two_tanhs, "what the terms share looks wrong")


def test_a_size_taken_from_the_wrong_argument_is_found_by_the_square_case():
    def hidden_size_from_x(x, state, p):
        h, c = state
        H = x.shape[1]  # D, not H
        a = x @ p["weight_ih"].T + p["bias_ih"] + h @ p["weight_hh"].T + p["bias_hh"]
        a_i, a_f, a_g, a_o = (a[:, k * H:(k + 1) * H] for k in range(4))
        return lstm_from(sigmoid(a_i), sigmoid(a_f), np.tanh(a_g), sigmoid(a_o), c)

    assert_names(checks.check_lstm_step, hidden_size_from_x,
                 "is right with B = 2, D = 6, H = 6, so a size or a matrix orientation mixes up")


def test_a_crash_is_summarised_without_a_traceback():
    def wrong_key(x, h, p):
        return np.tanh(x @ p["W_ih"].T)

    message = assert_names(checks.check_rnn_step, wrong_key, "KeyError: 'W_ih'")
    assert "at `return np.tanh(x @ p[\"W_ih\"].T)`" in message
    assert "weight_ih (H, D)" in message  # the arguments are described


def test_a_crash_on_the_main_case_says_where_the_function_does_run():
    message = assert_names(checks.check_rnn_step, rnn_w_ih_transposed, "ValueError: matmul")
    assert message.startswith("rnn_step: the input term looks wrong (W_ih @ x_t): weight_ih is")
    assert "(seen with B = 2, D = 6, H = 6; with B = 2, D = 3, H = 6 your function" in message
    assert "(size 6 is different from 3)" in message and "gufunc" not in message

    def single_example_only(x, h, p):
        x, h = x.ravel(), h.ravel()
        h_t = np.tanh(p["weight_ih"] @ x + p["bias_ih"] + p["weight_hh"] @ h + p["bias_hh"])
        return h_t[None, :]

    assert_names(checks.check_rnn_step, single_example_only,
                 "is right with B = 1, D = 3, H = 6, so it handles one example but not a batch")


@pytest.mark.parametrize("result, keyword", [
    (None, "should be a numpy array, got None"),
    (np.zeros((2, 6), dtype=np.int64), "dtype int64"),
    (np.full((2, 6), np.nan), "NaN"),
    (np.zeros((2, 24)), "(2, 24) = (B, 4H)"),
    (np.zeros(6), "expected (2, 6) = (B, H)"),
])
def test_a_wrong_type_or_shape_is_named(result, keyword):
    def returns(x, state, p):
        return result, state[1]

    assert_names(checks.check_lstm_step, returns, keyword)


def test_an_lstm_that_returns_one_array_is_told_to_return_two():
    def only_h(x, state, p):
        return cells.lstm_step(x, state, p).h

    assert_names(checks.check_lstm_step, only_h, "expected 2 results (h_t, c_t), got an array")


@pytest.mark.parametrize("name", [n for n in checks.EXERCISES if n != "architectures"])
def test_a_stub_prints_a_friendly_line_and_does_not_raise(name, capsys):
    def stub(*args):
        raise NotImplementedError("write your code here")

    check, _ = ALL_MUTANTS[name]
    assert check(stub) is None
    out = capsys.readouterr().out
    assert out == (f"{name}: not implemented yet. When it is, run this cell again; "
                   f'checks.hint("{name}") gives a hint, checks.show_solution("{name}") the '
                   "solution.\n")


def test_unanswered_architectures_are_the_stub(capsys):
    assert checks.check_architectures(dict.fromkeys(checks.ARCHITECTURE_TASKS)) is None
    assert "architectures: not implemented yet" in capsys.readouterr().out


def test_an_answer_in_float32_or_as_a_torch_tensor_passes(capsys):
    import torch

    def float32_step(x, h, p):
        return cells.rnn_step(x.astype(np.float32), h.astype(np.float32),
                              {k: v.astype(np.float32) for k, v in p.items()})

    def torch_step(x, h, p):
        t = {k: torch.from_numpy(v) for k, v in p.items()}
        x, h = torch.from_numpy(x), torch.from_numpy(h)
        return torch.tanh(x @ t["weight_ih"].T + t["bias_ih"] + h @ t["weight_hh"].T
                          + t["bias_hh"])

    checks.check_rnn_step(float32_step)
    checks.check_rnn_step(torch_step)
    assert capsys.readouterr().out.count("rnn_step: correct") == 2


def test_a_function_that_changes_its_params_in_place_is_told():
    def scales_params(x, h, p):
        p["weight_hh"] *= 1.0  # harmless on values, but it writes into the caller's array
        p["bias_hh"] = p["bias_hh"] + 0.0
        p["weight_ih"] += 1.0
        return cells.rnn_step(x, h, {k: v - (k == "weight_ih") for k, v in p.items()})

    assert_names(checks.check_rnn_step, scales_params, "changed its argument params in place")


def test_checkers_reject_a_non_function():
    with pytest.raises(TypeError, match="fn: expected your function, got int"):
        checks.check_rnn_step(3)


# The exercises whose checker recomputes classic mistakes as variants of the reference.
WITH_VARIANTS = pytest.mark.parametrize("ex", [
    checks._RNN, checks._LSTM, checks._GRU, checks._ONE_HOT, checks._LAST_VALID, checks._CLIP,
], ids=lambda ex: ex.name)


def expected(ex, case):
    return checks._as_outputs(ex.reference(*case.args), ex)


@WITH_VARIANTS
def test_every_variant_without_mistakes_equals_the_reference(ex):
    for case in ex.cases():
        assert checks._close(checks._as_outputs(ex.variant(*case.args), ex), expected(ex, case))


@WITH_VARIANTS
def test_every_known_mistake_changes_the_answer_on_some_case(ex):
    # Otherwise a learner could make it and still pass, or two mistakes could not be told apart.
    for mistake in ex.mistakes:
        matches = [checks._variant_matches(ex, case, expected(ex, case), mistake.recipe)
                   for case in ex.cases()]
        assert not all(matches), mistake.culprit


@WITH_VARIANTS
def test_the_main_case_tells_every_mistake_from_every_other(ex):
    case = ex.cases()[0]
    for a in ex.mistakes:
        try:
            got = checks._as_outputs(ex.variant(*case.args, **a.recipe), ex)
        except (ValueError, IndexError):
            continue  # this mistake is diagnosed on another case
        same = [b.culprit for b in ex.mistakes
                if b is not a and checks._variant_matches(ex, case, got, b.recipe)]
        assert not same, (a.culprit, same)


def test_hints_come_one_at_a_time_then_point_to_the_solution(capsys):
    checks.hint("lstm_step", reset=True)
    checks.hint("lstm_step")
    checks.hint("lstm_step")
    checks.hint("lstm_step")
    lines = capsys.readouterr().out.splitlines()
    assert [line[:24] for line in lines[:3]] == [
        "Hint 1/3 for lstm_step: ", "Hint 2/3 for lstm_step: ", "Hint 3/3 for lstm_step: "]
    assert lines[3].startswith("No more hints for lstm_step: checks.show_solution('lstm_step')")
    checks.hint("lstm_step", reset=True)
    assert capsys.readouterr().out.startswith("Hint 1/3 for lstm_step: ")
    checks.hint("gru_step", reset=True)  # each exercise keeps its own count
    assert capsys.readouterr().out.startswith("Hint 1/3 for gru_step: ")


@pytest.mark.parametrize("name", checks.EXERCISES)
def test_show_solution_prints_the_reference_source(name, capsys):
    checks.show_solution(name)
    out = capsys.readouterr().out
    if name == "architectures":
        assert out.startswith("# rnnbook.solutions.ARCHITECTURES\nARCHITECTURES = {")
        namespace = {}
        exec(out, namespace)  # the printed text is the real assignment
        assert namespace["ARCHITECTURES"] == solutions.ARCHITECTURES
    else:
        reference = REFERENCES[name]
        assert f"def {reference.__name__}(" in out and "return" in out


@pytest.mark.parametrize("name", ["rnn_step", "lstm_step", "gru_step"])
def test_a_step_solution_shows_every_helper_of_cells_it_calls(name, capsys):
    checks.show_solution(name)
    out = capsys.readouterr().out
    called = {node.id for node in ast.walk(ast.parse(out)) if isinstance(node, ast.Name)}
    helpers = {n for n in called if callable(getattr(cells, n, None))
               and getattr(getattr(cells, n), "__module__", "") == "rnnbook.cells"
               and not isinstance(getattr(cells, n), type) and not n.startswith("_check")}
    assert helpers and all(f"def {n}(" in out for n in helpers), helpers


@pytest.mark.parametrize("call", [checks.hint, checks.show_solution])
def test_an_unknown_exercise_name_lists_the_valid_ones(call):
    with pytest.raises(ValueError, match="name: expected one of 'one_hot', 'rnn_step'"):
        call("lstm")
    with pytest.raises(TypeError, match="name: expected one of"):
        call(5)


def test_hint_reset_must_be_a_bool():
    with pytest.raises(TypeError, match="reset: expected True or False"):
        checks.hint("rnn_step", reset="yes")


def test_each_check_takes_well_under_a_second():
    # CPU time, so that other processes on a busy machine do not count.
    slowest = 0.0
    for check, mutants in ALL_MUTANTS.values():
        for mutant, _ in mutants:
            start = time.process_time()
            with pytest.raises(AssertionError):
                check(mutant)
            slowest = max(slowest, time.process_time() - start)
    assert slowest < 0.5


# ============================================================================ solutions' inputs


def test_one_hot_batch_pads_with_zero_vectors():
    x = solutions.one_hot_batch([["a", "b"], ["b"]], {"b": 0, "a": 1})
    assert x.shape == (2, 2, 2) and x.dtype == np.float64
    np.testing.assert_array_equal(x[:, 0], [[0, 1], [1, 0]])
    np.testing.assert_array_equal(x[:, 1], [[1, 0], [0, 0]])


@pytest.mark.parametrize("sentences, vocab, error, match", [
    ("a b", {"a": 0}, TypeError, "sentences: expected a non-empty list"),
    ([["a"], []], {"a": 0}, TypeError, r"sentences\[1\]: expected a non-empty list"),
    ([["a", "c"]], {"a": 0}, ValueError, r"sentences\[0\]\[1\]: token 'c' is not in vocab"),
    ([["a"]], {"a": 1}, ValueError, "vocab: expected the indices 0 .. 0"),
    ([["a"]], ["a"], TypeError, "vocab: expected a non-empty dict"),
])
def test_one_hot_batch_names_bad_input(sentences, vocab, error, match):
    with pytest.raises(error, match=match):
        solutions.one_hot_batch(sentences, vocab)


def test_last_valid_state_reads_each_sequences_last_valid_step():
    hs = np.arange(3 * 2 * 1, dtype=float).reshape(3, 2, 1)
    np.testing.assert_array_equal(solutions.last_valid_state(hs, np.array([2, 3])), [[2], [5]])


@pytest.mark.parametrize("lengths, match", [
    (np.array([0, 1]), "lengths: expected values in 1 .. T = 3"),
    (np.array([1, 4]), "lengths: expected values in 1 .. T = 3"),
    (np.array([1.0, 2.0]), "lengths: expected 2 ints"),
    (np.array([1, 2, 3]), "lengths: expected 2 ints"),
])
def test_last_valid_state_names_bad_lengths(lengths, match):
    with pytest.raises(ValueError, match=match):
        solutions.last_valid_state(np.zeros((3, 2, 4)), lengths)


def test_clip_by_global_norm_agrees_with_torch():
    import torch

    rng = np.random.default_rng(0)
    grads = {"w": rng.normal(size=(3, 4)), "b": rng.normal(size=4)}
    tensors = [torch.zeros_like(torch.from_numpy(g), requires_grad=True) for g in grads.values()]
    for t, g in zip(tensors, grads.values(), strict=True):
        t.grad = torch.from_numpy(g.copy())
    total = torch.nn.utils.clip_grad_norm_(tensors, max_norm=1.0)
    clipped, total_norm = solutions.clip_by_global_norm(grads, 1.0)
    assert total_norm == pytest.approx(float(total), rel=1e-12)
    for t, g in zip(tensors, clipped.values(), strict=True):
        np.testing.assert_allclose(g, t.grad.numpy(), rtol=1e-5)  # torch adds 1e-6 to the norm
    assert grads["w"] is not clipped["w"] and np.linalg.norm(grads["w"]) > 1  # input untouched


@pytest.mark.parametrize("grads, max_norm, error, match", [
    ({}, 1.0, TypeError, "grads: expected a non-empty dict"),
    ({"w": "x"}, 1.0, TypeError, r"grads\['w'\]"),
    ({"w": np.ones(2)}, 0.0, ValueError, "max_norm: expected a positive number"),
    ({"w": np.ones(2)}, "1", TypeError, "max_norm: expected a number"),
])
def test_clip_by_global_norm_names_bad_input(grads, max_norm, error, match):
    with pytest.raises(error, match=match):
        solutions.clip_by_global_norm(grads, max_norm)


def test_clip_by_global_norm_leaves_zero_gradients_alone():
    clipped, total = solutions.clip_by_global_norm({"w": np.zeros(3)}, 1.0)
    assert total == 0.0 and not clipped["w"].any()


def test_architecture_answers_use_the_five_names():
    assert set(solutions.ARCHITECTURES.values()) == set(solutions.ARCHITECTURE_NAMES)


def test_every_task_has_its_reason_for_a_wrong_answer():
    # The tasks are written in solutions.ARCHITECTURES and again as the keys of checks._WHY.
    assert list(checks._WHY) == list(solutions.ARCHITECTURES)
