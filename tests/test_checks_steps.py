"""Tests of the step-cell checkers (rnn_step, lstm_step, gru_step): classic mistakes are caught
and named, and what no mistake explains is located by the probes.

Each mutant below is a learner's function with one classic mistake, written the way a learner
would write it (plain numpy, not the checker's variants), together with a keyword that the
checker's message must contain: the name of the culprit. test_checks_engine runs them all.
"""

import ast

import numpy as np
import pytest
from checks_testing import assert_names

from rnnbook import cells, checks


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


def gates_of(x, h, p, n):
    """The n stacked pre-activation blocks W_ih x + b_ih + W_hh h + b_hh, each (B, H)."""
    a = x @ p["weight_ih"].T + p["bias_ih"] + h @ p["weight_hh"].T + p["bias_hh"]
    return np.split(a, n, axis=1)


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

STEP_MUTANTS = {
    "rnn_step": (checks.check_rnn_step, RNN_MUTANTS),
    "lstm_step": (checks.check_lstm_step, LSTM_MUTANTS),
    "gru_step": (checks.check_gru_step, GRU_MUTANTS),
}

# ============================================================================ the tests


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


def test_no_message_calls_a_candidate_a_gate():
    # The LSTM's g and the GRU's n are candidates (cells.GATES): no culprit may say "gate g".
    for ex in (checks.EXERCISES[name] for name in ("lstm_step", "gru_step")):
        candidates = set(cells.WEIGHT_BLOCKS[ex.name[:-5]]) - set(cells.GATES[ex.name[:-5]])
        for text in [m.culprit for m in ex.mistakes] + [ex.help, *ex.hints[1:]]:
            for block in candidates:
                assert f"gate {block}" not in text and f"{block} gate" not in text, text
            assert "gate k" not in text and "gates' rows" not in text, text


@pytest.mark.parametrize("name", ["rnn_step", "lstm_step", "gru_step"])
def test_a_step_solution_shows_every_helper_of_cells_it_calls(name, capsys):
    checks.show_solution(name)
    out = capsys.readouterr().out
    called = {node.id for node in ast.walk(ast.parse(out)) if isinstance(node, ast.Name)}
    helpers = {n for n in called if callable(getattr(cells, n, None))
               and getattr(getattr(cells, n), "__module__", "") == "rnnbook.cells"
               and not isinstance(getattr(cells, n), type) and not n.startswith("_check")}
    assert helpers and all(f"def {n}(" in out for n in helpers), helpers
