"""rnnbook.gradients: measured gradient flow, the Pascanu bound, spectral-radius weights."""

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnbook import cells, gradients

TORCH_CELLS = {"rnn": torch.nn.RNNCell, "lstm": torch.nn.LSTMCell, "gru": torch.nn.GRUCell}


def make_case(cell, T, B, D, H, seed, rho=None):
    rng = np.random.default_rng(seed)
    params = cells.init_params(cell, D, H, rng)
    if rho is not None:
        params = gradients.with_spectral_radius(cell, params, rho, rng)
    x = rng.standard_normal((T, B, D))
    h0 = rng.standard_normal((B, H))
    state0 = cells.LSTMState(h0, rng.standard_normal((B, H))) if cell == "lstm" else h0
    return params, x, state0


def autograd_norms(cell, params, x, state0, nonlinearity="tanh"):
    """Entry k: norm of d(u . h_T)/d(state before step k), by torch autograd, u = 1/sqrt(B*H).

    Each state is made a fresh leaf and the steps after it are rerun, so that for the LSTM the
    pair (h, c) is differentiated as the two inputs of the next step (autograd's total
    derivative w.r.t. an intermediate c would also count its path through the h beside it).
    """
    D, H = params["weight_ih"].shape[1], params["weight_hh"].shape[1]
    kwargs = {"nonlinearity": nonlinearity} if cell == "rnn" else {}
    torch_cell = TORCH_CELLS[cell](D, H, **kwargs).double()
    with torch.no_grad():
        for key, value in params.items():
            getattr(torch_cell, key).copy_(torch.from_numpy(value))
    xs = torch.from_numpy(x)
    states = [[torch.tensor(s) for s in cells_state_list(state0)]]
    with torch.no_grad():
        for x_t in xs:
            states.append(list(cells_state_list(_step(torch_cell, cell, x_t, states[-1]))))
    norms = []
    for k in range(len(xs)):
        leaves = [s.clone().requires_grad_(True) for s in states[k]]
        state = leaves
        for x_t in xs[k:]:
            state = cells_state_list(_step(torch_cell, cell, x_t, state))
        h_T = state[0]
        u = torch.full_like(h_T, 1 / np.sqrt(h_T.numel()))
        grads = torch.autograd.grad((u * h_T).sum(), leaves)
        norms.append(torch.sqrt(sum((g**2).sum() for g in grads)).item())
    return np.array(norms)


def _step(torch_cell, cell, x_t, state):
    return torch_cell(x_t, tuple(state) if cell == "lstm" else state[0])


def cells_state_list(state):
    return list(state) if isinstance(state, tuple) else [state]


# ----------------------------------------------------------------------------- gradient_norms


@pytest.mark.parametrize("cell, nonlinearity", [("rnn", "tanh"), ("rnn", "relu"),
                                                ("lstm", "tanh"), ("gru", "tanh")])
def test_gradient_norms_agree_with_autograd(cell, nonlinearity):
    params, x, state0 = make_case(cell, T=7, B=2, D=3, H=4, seed=1, rho=1.2)
    norms = gradients.gradient_norms(cell, x, state0, params, nonlinearity)
    assert norms.shape == (7,) and norms.dtype == np.float64
    np.testing.assert_allclose(norms, autograd_norms(cell, params, x, state0, nonlinearity),
                               rtol=1e-9)


def test_gradient_norms_start_from_a_unit_gradient():
    # With one step, entry 0 is the norm of u times one Jacobian; with T steps, entry T-1 is
    # the same one-step quantity for the last step.
    params, x, state0 = make_case("rnn", T=5, B=3, D=2, H=4, seed=2)
    _, _, caches = cells.unroll("rnn", x, state0, params)
    u = np.full((3, 4), 1 / np.sqrt(12))
    jacobian_step = (u * (1 - caches[-1].h ** 2)) @ params["weight_hh"]
    norms = gradients.gradient_norms("rnn", x, state0, params)
    assert norms[-1] == pytest.approx(np.linalg.norm(jacobian_step), rel=1e-12)


@settings(max_examples=25, deadline=None, derandomize=True)  # the same examples in every run
@given(
    rho=st.floats(0.3, 1.6),
    nonlinearity=st.sampled_from(["tanh", "relu"]),
    T=st.integers(1, 30),
    B=st.integers(1, 3),
    H=st.integers(1, 8),
    seed=st.integers(0, 2**32 - 1),
)
def test_rnn_gradient_norms_never_exceed_the_pascanu_bound(rho, nonlinearity, T, B, H, seed):
    params, x, state0 = make_case("rnn", T, B, 3, H, seed, rho=rho)
    norms = gradients.gradient_norms("rnn", x, state0, params, nonlinearity)
    bound = gradients.pascanu_bound(params, T, gamma=1.0)
    assert np.all(norms <= bound * (1 + 1e-10))


@pytest.mark.parametrize("rho", [0.5, 0.9, 1.0, 1.3])
def test_gradient_norms_equal_the_bound_when_the_activation_is_linear(rho):
    # x = 0, h0 = 0 and zero biases keep every pre-activation at 0, where tanh' = 1 exactly:
    # the Jacobian is W_hh^T = rho * Q^T, and an orthogonal Q keeps the norm.
    T, B, H = 40, 2, 6
    params, x, _ = make_case("rnn", T, B, 3, H, seed=3, rho=rho)
    params = {**params, "bias_ih": np.zeros(H), "bias_hh": np.zeros(H)}
    norms = gradients.gradient_norms("rnn", np.zeros_like(x), np.zeros((B, H)), params)
    bound = gradients.pascanu_bound(params, T)
    np.testing.assert_allclose(norms, bound, rtol=1e-8)
    np.testing.assert_allclose(bound, rho ** np.arange(T, 0, -1), rtol=1e-12)


def test_gradient_norms_overflow_gives_inf_without_warnings():
    params, x, state0 = make_case("rnn", T=200, B=1, D=1, H=32, seed=4, rho=10.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        norms = gradients.gradient_norms("rnn", x, state0, params, "relu")
    assert not np.any(np.isnan(norms))
    assert np.isinf(norms[0])  # 10 ** 200 steps back is far beyond float64
    assert np.all(norms[-5:] > 0) and np.all(np.isfinite(norms[-5:]))


def test_forget_gate_bias_carries_the_gradient_further():
    # Notebook 05's claim, computed: with a forget-gate bias of 1 instead of 0, orders of
    # magnitude more gradient survives 50 steps at initialisation.
    H = 8
    params, x, state0 = make_case("lstm", T=50, B=1, D=2, H=H, seed=5)
    survived = {}
    for bias in (0.0, 1.0):
        p = {k: v.copy() for k, v in params.items()}
        p["bias_ih"][H:2 * H] = bias  # the f rows
        p["bias_hh"][H:2 * H] = 0.0
        survived[bias] = gradients.gradient_norms("lstm", x, state0, p)[0]
    assert survived[1.0] > 1000 * survived[0.0]


# ----------------------------------------------------------------------------- pascanu_bound


def test_pascanu_bound_values():
    rng = np.random.default_rng(6)
    params = cells.init_params("rnn", 2, 5, rng)
    sigma = np.linalg.svd(params["weight_hh"], compute_uv=False)[0]
    bound = gradients.pascanu_bound(params, T=4, gamma=0.5)
    np.testing.assert_allclose(bound, (0.5 * sigma) ** np.array([4, 3, 2, 1]), rtol=1e-12)


def test_pascanu_bound_overflows_to_inf_quietly():
    params = gradients.with_spectral_radius("rnn", cells.init_params("rnn", 1, 4), 3.0, 0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bound = gradients.pascanu_bound(params, T=1000)
    assert np.isinf(bound[0]) and bound[-1] == pytest.approx(3.0)


# ----------------------------------------------------------------------------- spectral radius


@pytest.mark.parametrize("rho", [0.0, 0.7, 2.5])
def test_scaled_orthogonal(rho):
    W = gradients.scaled_orthogonal(6, rho, rng=np.random.default_rng(7))
    assert W.shape == (6, 6)
    np.testing.assert_allclose(W.T @ W, rho**2 * np.eye(6), atol=1e-12)
    np.testing.assert_allclose(np.abs(np.linalg.eigvals(W)), rho, atol=1e-12)
    again = gradients.scaled_orthogonal(6, rho, rng=7)
    np.testing.assert_array_equal(W, again)


def test_scaled_orthogonal_differs_between_seeds():
    assert not np.allclose(gradients.scaled_orthogonal(4, 1.0, 0),
                           gradients.scaled_orthogonal(4, 1.0, 1))


@pytest.mark.parametrize("cell, gates", [("rnn", 1), ("lstm", 4), ("gru", 3)])
def test_with_spectral_radius_sets_every_gate_block(cell, gates):
    H = 5
    params = {k: v.astype(np.float32) for k, v in cells.init_params(cell, 3, H, 0).items()}
    original = {k: v.copy() for k, v in params.items()}
    new = gradients.with_spectral_radius(cell, params, 0.8, rng=1)
    blocks = np.split(new["weight_hh"].astype(np.float64), gates)
    for block in blocks:
        np.testing.assert_allclose(block.T @ block, 0.64 * np.eye(H), atol=1e-6)
    if gates > 1:
        assert not np.allclose(blocks[0], blocks[1])
    assert new["weight_hh"].dtype == np.float32
    for key in ("weight_ih", "bias_ih", "bias_hh"):
        np.testing.assert_array_equal(new[key], params[key])
        assert new[key] is not params[key]
    for key in params:
        np.testing.assert_array_equal(params[key], original[key])


# ----------------------------------------------------------------------------- bad input


def _rnn():
    return make_case("rnn", T=3, B=1, D=2, H=4, seed=0)


@pytest.mark.parametrize("call, error, message", [
    (lambda: gradients.gradient_norms("cnn", *_rnn()[1:], _rnn()[0]), ValueError, r"cell: "),
    (lambda: gradients.gradient_norms("rnn", _rnn()[1][:0], _rnn()[2], _rnn()[0]), ValueError,
     r"x: expected a non-empty sequence"),
    (lambda: gradients.gradient_norms("lstm", _rnn()[1], _rnn()[2],
                                      cells.init_params("lstm", 2, 4)), TypeError,
     r"state0: expected the pair \(h, c\)"),
    (lambda: gradients.gradient_norms("rnn", *_rnn()[1:], _rnn()[0], "gelu"), ValueError,
     r"nonlinearity: "),
    (lambda: gradients.pascanu_bound(cells.init_params("lstm", 2, 4), 5), ValueError,
     r"params\['weight_hh'\]: .*these look like 'lstm' params"),
    (lambda: gradients.pascanu_bound(_rnn()[0], 0), ValueError, r"T: expected a positive int"),
    (lambda: gradients.pascanu_bound(_rnn()[0], 5, gamma=-1), ValueError, r"gamma: "),
    (lambda: gradients.scaled_orthogonal(0, 1.0), ValueError, r"hidden_size: .*got 0"),
    (lambda: gradients.scaled_orthogonal(3, -0.5), ValueError, r"rho: .*got -0.5"),
    (lambda: gradients.scaled_orthogonal(3, float("nan")), ValueError, r"rho: .*finite"),
    (lambda: gradients.with_spectral_radius("gru", _rnn()[0], 1.0), ValueError,
     r"params\['weight_hh'\]: expected shape \(12, 4\)"),
    (lambda: gradients.with_spectral_radius("rnn", _rnn()[0], "big"), TypeError, r"rho: "),
    (lambda: gradients.with_spectral_radius("rnn", _rnn()[0], 1.0, rng=1.5), TypeError,
     r"rng: "),
])
def test_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()


# --------------------------------------------------------------------------- gradient_curves

CURVE_SETTINGS = [  # the animator's extremes and the middle
    gradients.GradientSettings("rnn", 0.5, 5, "tanh", 0.001),
    gradients.GradientSettings("rnn", 1.5, 100, "relu", 10.0),
    gradients.GradientSettings("lstm", 1.5, 60, "tanh", 1.0),
    gradients.GradientSettings("lstm", 0.9, 50, "tanh", 1.0, 3.0),
    gradients.GradientSettings("gru", 0.5, 100, "tanh", 0.001),
    gradients.GradientSettings("gru", 1.5, 5, "tanh", 10.0, 5.0),
]


@pytest.mark.parametrize("setting", CURVE_SETTINGS, ids=lambda s: "-".join(map(str, s)))
def test_gradient_curves_measure_the_documented_network(setting):
    cell, rho, T, nonlinearity, input_scale, gate_bias = setting
    params = cells.init_params(cell, 8, 16, 0)
    params = gradients.with_spectral_radius(cell, params, rho, 1)
    params["bias_ih"][:] = 0
    params["bias_hh"][:] = 0
    if cell != "rnn":  # the keep gate: the LSTM's forget gate, the GRU's update gate
        params["bias_hh"][cells.block_rows(cell, {"lstm": "f", "gru": "z"}[cell], 16)] = gate_bias
    x = input_scale * np.random.default_rng(2).normal(size=(T, 1, 8))
    want = gradients.gradient_norms(cell, x, cells.zero_state(cell, 1, 16), params,
                                    nonlinearity)
    curves = gradients.gradient_curves(setting)
    np.testing.assert_array_equal(curves.norms, want)
    if cell == "rnn":
        np.testing.assert_allclose(curves.bound, rho ** np.arange(T, 0, -1.0), rtol=1e-12)
    else:  # the Pascanu bound is the vanilla RNN's: none is drawn for a gated cell
        assert curves.bound is None


def test_a_larger_keep_gate_bias_lets_more_gradient_through_the_gated_cells():
    for cell in ("lstm", "gru"):
        reach = [gradients.gradient_curves(
            gradients.GradientSettings(cell, 0.9, 50, "tanh", 1.0, b)).norms[0]
            for b in (0.0, 3.0)]
        assert reach[0] < 1e-6 < 1e-2 < reach[1], (cell, reach)  # forget gate ~0.5 vs ~0.95


def test_gradient_curves_vanish_below_one_and_explode_above_at_small_inputs():
    small = {rho: gradients.gradient_curves(gradients.GradientSettings("rnn", rho, 30, "tanh",
                                                                      0.001))
             for rho in (0.7, 1.2)}
    assert small[0.7].norms[0] < 1e-3 and small[1.2].norms[0] > 1e1
    saturated = gradients.gradient_curves(gradients.GradientSettings("rnn", 1.2, 30, "tanh",
                                                                     10.0))
    assert saturated.norms[0] < 1e-6  # a saturated tanh passes almost nothing


def test_tanh_slopes_are_one_minus_h_squared_of_the_measured_network():
    settings = gradients.GradientSettings("rnn", 1.1, 20, "tanh", 0.01)
    slopes = gradients.tanh_slopes(settings)
    params = gradients.with_spectral_radius("rnn", cells.init_params("rnn", 8, 16, 0), 1.1, 1)
    params = {**params, "bias_ih": np.zeros(16), "bias_hh": np.zeros(16)}
    x = 0.01 * np.random.default_rng(2).normal(size=(20, 1, 8))
    hs = cells.unroll("rnn", x, cells.zero_state("rnn", 1, 16), params)[0]
    np.testing.assert_allclose(slopes, np.mean(1 - hs[:, 0] ** 2, axis=1), rtol=0, atol=1e-15)
    assert slopes[0] > 0.999 and slopes[-1] < slopes[0]  # the state grows out of tanh's middle
    with pytest.raises(ValueError, match="settings: expected the vanilla RNN with tanh"):
        gradients.tanh_slopes(gradients.GradientSettings("lstm", 0.9, 5, "tanh", 1.0))


@pytest.mark.parametrize("call, error, message", [
    (lambda: gradients.gradient_curves(("rnn", 0.9, 5, "tanh", 0.1)), TypeError,
     "settings: expected a GradientSettings, got tuple"),
    (lambda: gradients.gradient_curves(gradients.GradientSettings("rnn", 0.9, 0, "tanh", 1.0)),
     ValueError, "settings.T: expected a positive int"),
    (lambda: gradients.gradient_curves(gradients.GradientSettings("lstm", 0.9, 5, "tanh", 1.0,
                                                                  "big")),
     TypeError, "settings.gate_bias: expected a number"),
    (lambda: gradients.gradient_curves(gradients.GradientSettings("rnn", 0.9, 5, "tanh", 1.0),
                                       seed=-1), ValueError,
     "seed: expected a non-negative int, got -1"),
    (lambda: gradients.gradient_curves(gradients.GradientSettings("rnn", 0.9, 5, "tanh", 1.0),
                                       seed=1.5), TypeError,
     "seed: expected a non-negative int, got float 1.5"),
])
def test_gradient_curves_name_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()
