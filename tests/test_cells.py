"""rnnbook.cells: equal to PyTorch in float64, gradient-checked, and strict about bad input."""

import numpy as np
import pytest
import torch
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from rnnbook import cells
from rnnbook.gradcheck import numerical_gradient, rel_error

TORCH_MODULES = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}
VARIANTS = [("rnn", "tanh"), ("rnn", "relu"), ("lstm", "tanh"), ("gru", "tanh")]
TOL = 1e-9


# ----------------------------------------------------------------------------- helpers


def make_case(cell, T, B, D, H, seed):
    """Random params, x (T, B, D), state0 and dhs (T, B, H), all float64."""
    rng = np.random.default_rng(seed)
    params = cells.init_params(cell, D, H, rng)
    x = rng.standard_normal((T, B, D))
    h0 = rng.standard_normal((B, H))
    state0 = cells.LSTMState(h0, rng.standard_normal((B, H))) if cell == "lstm" else h0
    dhs = rng.standard_normal((T, B, H))
    return params, x, state0, dhs


def torch_module(cell, params, nonlinearity="tanh"):
    """A float64 torch module carrying exactly these params."""
    D, H = params["weight_ih"].shape[1], params["weight_hh"].shape[1]
    kwargs = {"nonlinearity": nonlinearity} if cell == "rnn" else {}
    module = TORCH_MODULES[cell](D, H, **kwargs).double()
    with torch.no_grad():
        for key, value in params.items():
            getattr(module, f"{key}_l0").copy_(torch.from_numpy(value))
    return module


def torch_reference(cell, params, x, state0, dhs, nonlinearity="tanh"):
    """Forward and autograd backward of the torch module: a dict of numpy arrays."""
    module = torch_module(cell, params, nonlinearity)
    x_t = torch.tensor(x, requires_grad=True)
    states = [torch.tensor(s[None], requires_grad=True) for s in _as_list(state0)]
    hs, state_T = module(x_t, tuple(states) if cell == "lstm" else states[0])
    hs.backward(torch.from_numpy(dhs))
    out = {"hs": hs.detach().numpy(), "dx": x_t.grad.numpy()}
    for name, s, final in zip(("h", "c"), states, _as_list(state_T), strict=False):
        out[f"{name}_T"] = final.detach().numpy()[0]
        out[f"d{name}0"] = s.grad.numpy()[0]
    for key in cells.PARAM_KEYS:
        out[key] = getattr(module, f"{key}_l0").grad.numpy()
    return out


def numpy_result(cell, params, x, state0, dhs, nonlinearity="tanh"):
    """The same quantities from unroll and unroll_backward."""
    hs, state_T, caches = cells.unroll(cell, x, state0, params, nonlinearity)
    dx, dstate0, grads = cells.unroll_backward(cell, dhs, caches)
    out = {"hs": hs, "dx": dx, **grads}
    for name, final, d0 in zip(("h", "c"), _as_list(state_T), _as_list(dstate0), strict=False):
        out[f"{name}_T"] = final
        out[f"d{name}0"] = d0
    return out


def _as_list(state):
    return list(state) if isinstance(state, tuple) else [state]


def preactivations(params, x, caches):
    """The relu RNN's pre-activations at every step (T, B, H), to keep tests off the kink."""
    return np.stack([
        x[t] @ params["weight_ih"].T + params["bias_ih"]
        + c.h_prev @ params["weight_hh"].T + params["bias_hh"]
        for t, c in enumerate(caches)
    ])


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


# ----------------------------------------------------------------------------- agreement with torch


@settings(max_examples=25, deadline=None, derandomize=True)  # the same examples in every run
@given(
    variant=st.sampled_from(VARIANTS),
    T=st.integers(1, 6),
    B=st.integers(1, 4),
    D=st.integers(1, 5),
    H=st.integers(1, 5),
    seed=st.integers(0, 2**32 - 1),
)
@example(variant=("lstm", "tanh"), T=1, B=1, D=3, H=1, seed=0)
@example(variant=("gru", "tanh"), T=1, B=1, D=1, H=1, seed=1)
@example(variant=("rnn", "relu"), T=5, B=1, D=4, H=2, seed=2)
def test_unroll_and_backward_equal_torch(variant, T, B, D, H, seed):
    cell, nonlinearity = variant
    params, x, state0, dhs = make_case(cell, T, B, D, H, seed)
    if nonlinearity == "relu":
        _, _, caches = cells.unroll(cell, x, state0, params, nonlinearity)
        assume(np.min(np.abs(preactivations(params, x, caches))) > 1e-6)
    ours = numpy_result(cell, params, x, state0, dhs, nonlinearity)
    theirs = torch_reference(cell, params, x, state0, dhs, nonlinearity)
    assert ours.keys() == theirs.keys()
    for key in theirs:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=TOL, atol=TOL, err_msg=key)


@pytest.mark.parametrize("cell, nonlinearity", VARIANTS)
def test_step_functions_equal_torch_cells(cell, nonlinearity):
    params, x, state0, _ = make_case(cell, 1, 3, 4, 5, seed=7)
    kwargs = {"nonlinearity": nonlinearity} if cell == "rnn" else {}
    torch_cell = {"rnn": torch.nn.RNNCell, "lstm": torch.nn.LSTMCell, "gru": torch.nn.GRUCell}[
        cell](4, 5, **kwargs).double()
    with torch.no_grad():
        for key, value in params.items():
            getattr(torch_cell, key).copy_(torch.from_numpy(value))
    torch_state = tuple(torch.from_numpy(s) for s in state0) if cell == "lstm" else (
        torch.from_numpy(state0))
    want = torch_cell(torch.from_numpy(x[0]), torch_state)
    step = {"rnn": cells.rnn_step, "lstm": cells.lstm_step, "gru": cells.gru_step}[cell]
    got = step(x[0], state0, params, nonlinearity) if cell == "rnn" else step(x[0], state0, params)
    for g, w in zip(_as_list(got), _as_list(want), strict=True):
        np.testing.assert_allclose(g, w.detach().numpy(), rtol=TOL, atol=TOL)


@pytest.mark.parametrize("cell", cells.CELLS)
def test_step_equals_one_step_of_unroll(cell):
    params, x, state0, _ = make_case(cell, 3, 2, 3, 4, seed=11)
    _, _, caches = cells.unroll(cell, x, state0, params)
    step = {"rnn": cells.rnn_step, "lstm": cells.lstm_step, "gru": cells.gru_step}[cell]
    # Keyword-free, as the exercise checkers call it.
    got = step(x[1], caches[1].h_prev if cell != "lstm" else (caches[1].h_prev,
                                                              caches[1].c_prev), params)
    np.testing.assert_array_equal(_as_list(got)[0], caches[1].h)
    if cell == "lstm":
        np.testing.assert_array_equal(got.c, caches[1].c)


@pytest.mark.parametrize("cell, nonlinearity", VARIANTS)
def test_stepper_is_the_checked_step(cell, nonlinearity):
    params, x, state0, _ = make_case(cell, 4, 2, 3, 5, seed=13)
    kwargs = {"nonlinearity": nonlinearity} if cell == "rnn" else {}
    checked = {"rnn": cells.rnn_step, "lstm": cells.lstm_step, "gru": cells.gru_step}[cell]
    step = cells.stepper(cell, params, **kwargs)
    want = got = state0
    for t in range(4):
        want, got = checked(x[t], want, params, **kwargs), step(x[t], got)
        for g, w in zip(_as_list(got), _as_list(want), strict=True):
            np.testing.assert_array_equal(g, w)
    assert type(got) is type(want)


def test_stepper_checks_its_arguments_once():
    params, _, _, _ = _good("rnn")
    with pytest.raises(ValueError, match=r"these look like 'rnn' params"):
        cells.stepper("lstm", params)
    with pytest.raises(ValueError, match=r"nonlinearity: "):
        cells.stepper("rnn", params, "softplus")
    with pytest.raises(ValueError, match=r"cell: "):
        cells.stepper("elman", params)


def test_lstm_cache_names_the_gates():
    params, x, state0, _ = make_case("lstm", 4, 2, 3, 5, seed=3)
    _, _, caches = cells.unroll("lstm", x, state0, params)
    H = 5
    t = 2
    a = (x[t] @ params["weight_ih"].T + params["bias_ih"]
         + caches[t].h_prev @ params["weight_hh"].T + params["bias_hh"])
    rows = {"i": slice(0, H), "f": slice(H, 2 * H), "g": slice(2 * H, 3 * H),
            "o": slice(3 * H, 4 * H)}
    for name, rows_of in rows.items():
        want = np.tanh(a[:, rows_of]) if name == "g" else sigmoid(a[:, rows_of])
        np.testing.assert_allclose(getattr(caches[t], name), want, rtol=1e-12, err_msg=name)
    c = caches[t].f * caches[t - 1].c + caches[t].i * caches[t].g
    np.testing.assert_allclose(caches[t].c, c, rtol=1e-12)
    np.testing.assert_array_equal(caches[t].h_prev, caches[t - 1].h)


def test_gru_cache_names_the_gates():
    params, x, state0, _ = make_case("gru", 3, 2, 4, 3, seed=4)
    _, _, caches = cells.unroll("gru", x, state0, params)
    H, t = 3, 1
    ax = x[t] @ params["weight_ih"].T + params["bias_ih"]
    ah = caches[t].h_prev @ params["weight_hh"].T + params["bias_hh"]
    r = sigmoid(ax[:, :H] + ah[:, :H])
    z = sigmoid(ax[:, H:2 * H] + ah[:, H:2 * H])
    n = np.tanh(ax[:, 2 * H:] + r * ah[:, 2 * H:])
    for name, want in {"r": r, "z": z, "n": n, "hn": ah[:, 2 * H:]}.items():
        np.testing.assert_allclose(getattr(caches[t], name), want, rtol=1e-12, err_msg=name)
    np.testing.assert_allclose(caches[t].h, (1 - z) * n + z * caches[t].h_prev, rtol=1e-12)


@pytest.mark.parametrize("cell", cells.CELLS)
def test_float32_stays_float32(cell):
    params, x, state0, dhs = make_case(cell, 4, 2, 3, 5, seed=5)
    f32 = {k: v.astype(np.float32) for k, v in params.items()}
    state32 = type(state0)(*(s.astype(np.float32) for s in state0)) if cell == "lstm" else (
        state0.astype(np.float32))
    hs, _, caches = cells.unroll(cell, x.astype(np.float32), state32, f32)
    dx, _, grads = cells.unroll_backward(cell, dhs.astype(np.float32), caches)
    assert hs.dtype == dx.dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads.values())
    hs64, _, _ = cells.unroll(cell, x, state0, params)
    np.testing.assert_allclose(hs, hs64, atol=1e-5)


# ----------------------------------------------------------------------------- gradient checks


@pytest.mark.parametrize("cell, nonlinearity", VARIANTS)
def test_backward_matches_numerical_gradients(cell, nonlinearity):
    # D != H and B > 1 so that a transposed or mixed-up axis cannot pass.
    params, x, state0, dhs = make_case(cell, 4, 2, 3, 5, seed=21)
    _, _, caches = cells.unroll(cell, x, state0, params, nonlinearity)
    if nonlinearity == "relu":  # centred differences are wrong across the kink
        assert np.min(np.abs(preactivations(params, x, caches))) > 1e-4
    dx, dstate0, grads = cells.unroll_backward(cell, dhs, caches)

    def loss(x=x, state0=state0, params=params):
        hs, _, _ = cells.unroll(cell, x, state0, params, nonlinearity)
        return np.sum(hs * dhs)  # so that dL/dhs = dhs

    checks = {"x": (numerical_gradient(lambda v: loss(x=v), x), dx)}
    for key in cells.PARAM_KEYS:
        def loss_of_key(v, key=key):
            return loss(params={**params, key: v})
        checks[key] = (numerical_gradient(loss_of_key, params[key]), grads[key])
    if cell == "lstm":
        h0, c0 = state0
        checks["h0"] = (numerical_gradient(lambda v: loss(state0=(v, c0)), h0), dstate0.h)
        checks["c0"] = (numerical_gradient(lambda v: loss(state0=(h0, v)), c0), dstate0.c)
    else:
        checks["h0"] = (numerical_gradient(lambda v: loss(state0=v), state0), dstate0)
    for name, (numerical, analytic) in checks.items():
        assert rel_error(numerical, analytic) < 1e-6, name


# ------------------------------------------------------------------------ parameters and states


@pytest.mark.parametrize("cell, gates", [("rnn", 1), ("lstm", 4), ("gru", 3)])
def test_init_params_shapes_and_pytorch_range(cell, gates):
    params = cells.init_params(cell, input_size=3, hidden_size=16, rng=0)
    assert list(params) == list(cells.PARAM_KEYS)
    assert params["weight_ih"].shape == (gates * 16, 3)
    assert params["weight_hh"].shape == (gates * 16, 16)
    assert params["bias_ih"].shape == params["bias_hh"].shape == (gates * 16,)
    values = np.concatenate([v.ravel() for v in params.values()])
    assert values.dtype == np.float64
    assert np.max(np.abs(values)) <= 0.25  # 1 / sqrt(16)
    assert np.max(np.abs(values)) > 0.24  # and it fills the range
    again = cells.init_params(cell, 3, 16, np.random.default_rng(0))
    assert all(np.array_equal(params[k], again[k]) for k in params)


@pytest.mark.parametrize("cell", cells.CELLS)
def test_params_from_torch_copies_weights(cell):
    torch.manual_seed(0)
    module = TORCH_MODULES[cell](3, 4)
    params = cells.params_from_torch(module)
    for key in cells.PARAM_KEYS:
        assert params[key].dtype == np.float64
        np.testing.assert_array_equal(params[key], getattr(module, f"{key}_l0").detach().numpy())
    assert cells.params_from_torch(module, dtype=np.float32)["weight_hh"].dtype == np.float32


def test_params_from_torch_without_bias_gives_zero_biases():
    params = cells.params_from_torch(torch.nn.GRU(2, 3, bias=False))
    np.testing.assert_array_equal(params["bias_ih"], np.zeros(9))
    np.testing.assert_array_equal(params["bias_hh"], np.zeros(9))


def test_params_from_torch_reads_layers_and_directions_and_keeps_its_old_default():
    module = torch.nn.GRU(2, 3, num_layers=2, bidirectional=True)
    p = cells.params_from_torch(module, layer=1, reverse=True)
    np.testing.assert_array_equal(p["weight_ih"], module.weight_ih_l1_reverse.detach().numpy())
    assert p["weight_ih"].shape == (9, 6)  # layer 2 of a bidirectional stack reads 2H
    with pytest.raises(ValueError, match="module: expected one unidirectional layer"):
        cells.params_from_torch(module)
    with pytest.raises(ValueError, match=r"layer: expected an int in \[0, 1\], got 2"):
        cells.params_from_torch(module, layer=2)
    with pytest.raises(ValueError, match="reverse: the module is not bidirectional"):
        cells.params_from_torch(torch.nn.LSTM(2, 3), layer=0, reverse=True)


def test_zero_state():
    state = cells.zero_state("lstm", batch_size=2, hidden_size=3)
    assert isinstance(state, cells.LSTMState)
    assert state.h.shape == state.c.shape == (2, 3)
    assert not state.h.any() and not state.c.any()
    h = cells.zero_state("gru", 2, 3, dtype=np.float32)
    assert h.shape == (2, 3) and h.dtype == np.float32 and not h.any()


def test_readout():
    rng = np.random.default_rng(0)
    hs, weight, bias = rng.standard_normal((4, 2, 3)), rng.standard_normal((5, 3)), rng.normal(
        size=5)
    y = cells.readout(hs, weight, bias)
    assert y.shape == (4, 2, 5)
    np.testing.assert_allclose(y[2, 1], weight @ hs[2, 1] + bias, rtol=1e-12)


# ----------------------------------------------------------------------------- bad input


def _good(cell="rnn", T=3, B=2, D=4, H=5):
    params, x, state0, dhs = make_case(cell, T, B, D, H, seed=0)
    return params, x, state0, dhs


def _bad_unroll_cases():
    params, x, h0, _ = _good("rnn")
    lstm_params, _, lstm_state, _ = _good("lstm")
    gru_params, _, _, _ = _good("gru")
    nan_x = x.copy()
    nan_x[1, 0, 2] = np.nan
    missing = {k: v for k, v in params.items() if k != "bias_hh"}
    return {
        "x rank": (("rnn", x[0], h0, params), ValueError, r"x: expected shape \(\?, \?, 4\), got"),
        "x size": (("rnn", x[..., :3], h0, params), ValueError, r"x: .*\(3, 2, 3\)"),
        "empty sequence": (("rnn", x[:0], h0, params), ValueError, r"x: expected a non-empty"),
        "empty batch": (("rnn", x[:, :0], h0[:0], params), ValueError, r"x: .*batch"),
        "x not finite": (("rnn", nan_x, h0, params), ValueError, r"x: contains NaN"),
        "x not numeric": (("rnn", np.full((3, 2, 4), "a"), h0, params), TypeError, r"x: "),
        "state batch": (("rnn", x, h0[:1], params), ValueError, r"state0: .*\(2, 5\).*\(1, 5\)"),
        "state hidden": (("rnn", x, h0[:, :4], params), ValueError, r"state0: .*\(2, 5\)"),
        "state not finite": (("rnn", x, h0 * np.inf, params), ValueError, r"state0: .*infinite"),
        "lstm state not a pair": (("lstm", x, lstm_state.h, lstm_params), TypeError,
                                  r"state0: expected the pair \(h, c\).*got ndarray"),
        "lstm state triple": (("lstm", x, (*lstm_state, lstm_state.h), lstm_params), TypeError,
                              r"state0: .*length 3"),
        "lstm c misshapen": (("lstm", x, (lstm_state.h, lstm_state.c[:, :2]), lstm_params),
                             ValueError, r"state0\[1\] \(c\): expected shape \(2, 5\)"),
        "params not a dict": (("rnn", x, h0, [1, 2]), TypeError, r"params: expected a dict"),
        "params key missing": (("rnn", x, h0, missing), ValueError,
                               r"params: .*missing \['bias_hh'\]"),
        "params extra key": (("rnn", x, h0, {**params, "w": 1}), ValueError,
                             r"params: .*unexpected \['w'\]"),
        "params key misshapen": (("rnn", x, h0, {**params, "bias_hh": np.zeros(4)}), ValueError,
                                 r"params\['bias_hh'\]: expected shape \(5\), got shape \(4,\)"),
        "params not finite": (("rnn", x, h0, {**params, "weight_hh": params["weight_hh"] * np.nan}),
                              ValueError, r"params\['weight_hh'\]: contains NaN"),
        "params of another cell": (("lstm", x, lstm_state, gru_params), ValueError,
                                   r"params\['weight_hh'\]: expected shape \(20, 5\).*"
                                   r"got \(15, 5\): these look like 'gru' params"),
        "unknown cell": (("transformer", x, h0, params), ValueError,
                         r"cell: expected one of 'rnn', 'lstm', 'gru', got 'transformer'"),
        "cell not a string": ((3, x, h0, params), TypeError, r"cell: "),
        "unknown nonlinearity": (("rnn", x, h0, params, "sigmoid"), ValueError,
                                 r"nonlinearity: expected one of 'tanh', 'relu', got 'sigmoid'"),
        "relu for the lstm": (("lstm", x, lstm_state, lstm_params, "relu"), ValueError,
                              r"nonlinearity: only the 'rnn' cell"),
    }


BAD_UNROLL = _bad_unroll_cases()


@pytest.mark.parametrize("case", list(BAD_UNROLL))
def test_unroll_rejects_bad_input(case):
    args, error, message = BAD_UNROLL[case]
    with pytest.raises(error, match=message):
        cells.unroll(*args)


def test_unroll_backward_rejects_bad_input():
    params, x, h0, dhs = _good("rnn")
    _, _, caches = cells.unroll("rnn", x, h0, params)
    with pytest.raises(ValueError, match=r"dhs: expected shape \(3, 2, 5\), got shape \(3, 2, 4\)"):
        cells.unroll_backward("rnn", dhs[..., :4], caches)
    with pytest.raises(ValueError, match=r"dhs: contains NaN"):
        cells.unroll_backward("rnn", dhs * np.nan, caches)
    with pytest.raises(TypeError, match=r"caches: expected a list of LSTMCache.*got RNNCache"):
        cells.unroll_backward("lstm", dhs, caches)
    with pytest.raises(TypeError, match=r"caches: expected the non-empty list"):
        cells.unroll_backward("rnn", dhs, [])
    with pytest.raises(ValueError, match=r"cell: "):
        cells.unroll_backward("cnn", dhs, caches)


def test_step_functions_reject_bad_input():
    params, x, h0, _ = _good("rnn")
    lstm_params, _, lstm_state, _ = _good("lstm")
    with pytest.raises(ValueError, match=r"x_t: expected shape \(\?, 4\), got shape \(3, 2, 4\)"):
        cells.rnn_step(x, h0, params)
    with pytest.raises(ValueError, match=r"h_prev: expected shape \(2, 5\), got shape \(1, 5\)"):
        cells.rnn_step(x[0], h0[:1], params)
    with pytest.raises(ValueError, match=r"nonlinearity: "):
        cells.rnn_step(x[0], h0, params, "softplus")
    with pytest.raises(TypeError, match=r"state: expected the pair \(h, c\)"):
        cells.lstm_step(x[0], lstm_state.h, lstm_params)
    with pytest.raises(ValueError, match=r"these look like 'lstm' params"):
        cells.gru_step(x[0], h0, lstm_params)


@pytest.mark.parametrize("call, error, message", [
    (lambda: cells.init_params("rnn", 0, 4), ValueError, r"input_size: expected a positive int"),
    (lambda: cells.init_params("rnn", 3, -1), ValueError, r"hidden_size: .*got -1"),
    (lambda: cells.init_params("rnn", 3, 2.5), TypeError, r"hidden_size: .*float"),
    (lambda: cells.init_params("rnn", 3, 4, rng="seed"), TypeError, r"rng: "),
    (lambda: cells.init_params("elman", 3, 4), ValueError, r"cell: "),
    (lambda: cells.zero_state("gru", 0, 4), ValueError, r"batch_size: .*got 0"),
    (lambda: cells.zero_state("gru", 1, 0), ValueError, r"hidden_size: .*got 0"),
    (lambda: cells.params_from_torch(torch.nn.Linear(2, 3)), TypeError,
     r"module: expected a torch.nn.RNN, LSTM or GRU, got Linear"),
    (lambda: cells.params_from_torch(torch.nn.LSTM(2, 3, num_layers=2)), ValueError,
     r"module: expected one unidirectional layer, got num_layers=2"),
    (lambda: cells.params_from_torch(torch.nn.GRU(2, 3), dtype=np.int64), TypeError,
     r"dtype: expected a float dtype"),
    (lambda: cells.readout(np.ones((2, 3)), np.ones((4, 5)), np.ones(4)), ValueError,
     r"h: expected shape \(\.\.\., 5\)"),
    (lambda: cells.readout(np.ones((2, 3)), np.ones((4, 3)), np.ones(3)), ValueError,
     r"bias: expected shape \(4\)"),
    (lambda: cells.readout(np.ones((2, 3)), np.ones(3), np.ones(3)), ValueError, r"weight: "),
])
def test_other_functions_reject_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()


# ----------------------------------------------------------------------------- the block layout


@pytest.mark.parametrize("cell", cells.CELLS)
def test_each_gate_is_the_sigmoid_of_its_block_rows(cell):
    """The caches' gates come from the rows block_rows names, in WEIGHT_BLOCKS order."""
    D, H, B = 3, 4, 2
    rng = np.random.default_rng(5)
    params = cells.init_params(cell, D, H, rng)
    x_t, h_prev = rng.normal(size=(B, D)), rng.normal(size=(B, H))
    state = cells.LSTMState(h_prev, rng.normal(size=(B, H))) if cell == "lstm" else h_prev
    (step,) = cells.unroll(cell, x_t[None], state, params).caches
    a = x_t @ params["weight_ih"].T + params["bias_ih"] + h_prev @ params["weight_hh"].T \
        + params["bias_hh"]
    blocks = cells.WEIGHT_BLOCKS[cell]
    assert [cells.block_rows(cell, b, H) for b in blocks] == [
        slice(k * H, (k + 1) * H) for k in range(cells.NUM_BLOCKS[cell])]
    assert set(cells.GATES[cell]) <= set(blocks)
    for gate in cells.GATES[cell]:
        np.testing.assert_allclose(getattr(step, gate),
                                   cells.sigmoid(a[:, cells.block_rows(cell, gate, H)]),
                                   rtol=0, atol=1e-14)


@pytest.mark.parametrize("call, error, match", [
    (lambda: cells.block_rows("lstm", "z", 4), ValueError, r"block: expected one of 'i'"),
    (lambda: cells.block_rows("cnn", "f", 4), ValueError, r"cell: "),
    (lambda: cells.block_rows("gru", "z", 0), ValueError, r"hidden_size: "),
])
def test_block_rows_names_the_bad_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --------------------------------------------------------------------------- gate_series

def caches_of(cell, T=12, B=2, D=3, H=5, seed=0):
    rng = np.random.default_rng(seed)
    params = cells.init_params(cell, D, H, rng)
    x = rng.normal(size=(T, B, D))
    return cells.unroll(cell, x, cells.zero_state(cell, B, H), params)[2]


def test_gate_series_collects_each_gate_over_time():
    caches = caches_of("lstm")
    series = cells.gate_series(caches, "lstm", batch_index=1)
    assert list(series) == [*cells.WEIGHT_BLOCKS["lstm"], "c"] == ["i", "f", "g", "o", "c"]
    assert series["f"].shape == (12, 5)
    np.testing.assert_array_equal(series["f"][4], caches[4].f[1])
    assert list(cells.gate_series(caches_of("gru"), "gru")) == list(cells.WEIGHT_BLOCKS["gru"])


def test_gate_series_names_a_cell_mismatch():
    with pytest.raises(ValueError, match=r"caches: expected lstm caches .* missing \['i', 'f'"):
        cells.gate_series(caches_of("rnn"), "lstm")
    with pytest.raises(ValueError, match="cell: expected one of 'lstm', 'gru', got 'rnn'"):
        cells.gate_series(caches_of("rnn"), "rnn")
    with pytest.raises(TypeError, match="caches: expected a non-empty list of step caches"):
        cells.gate_series([], "gru")


# ----------------------------------------------------------------------------- one step by hand


def test_rnn_step_backward_equals_a_one_step_unroll_backward():
    params, x, h0, dhs = make_case("rnn", 1, 3, 2, 4, seed=5)
    _, _, caches = cells.unroll("rnn", x, h0, params)
    dx, dh_prev, grads = cells.rnn_step_backward(dhs[0], caches[0])
    whole = cells.unroll_backward("rnn", dhs, caches)
    np.testing.assert_allclose(dx, whole.dx[0], rtol=0, atol=1e-15)
    np.testing.assert_allclose(dh_prev, whole.dstate0, rtol=0, atol=1e-15)
    assert list(grads) == list(cells.PARAM_KEYS)
    for key in cells.PARAM_KEYS:
        assert grads[key].shape == params[key].shape
        np.testing.assert_allclose(grads[key], whole.grads[key], rtol=0, atol=1e-15, err_msg=key)


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_rnn_step_backward_equals_torch_and_numerical_gradients(nonlinearity):
    params, x, h0, dhs = make_case("rnn", 1, 3, 2, 4, seed=6)
    _, _, caches = cells.unroll("rnn", x, h0, params, nonlinearity)
    if nonlinearity == "relu":
        assert np.min(np.abs(preactivations(params, x, caches))) > 1e-4
    dx, dh_prev, grads = cells.rnn_step_backward(dhs[0], caches[0])
    theirs = torch_reference("rnn", params, x, h0, dhs, nonlinearity)
    ours = {"dx": dx[None], "dh0": dh_prev, **grads}
    for key, value in ours.items():
        np.testing.assert_allclose(value, theirs[key], rtol=TOL, atol=TOL, err_msg=key)

    def loss(x_t=x[0], h_prev=h0, p=params):
        return np.sum(cells.rnn_step(x_t, h_prev, p, nonlinearity) * dhs[0])

    assert rel_error(numerical_gradient(lambda v: loss(x_t=v), x[0]), dx) < 1e-6
    assert rel_error(numerical_gradient(lambda v: loss(h_prev=v), h0), dh_prev) < 1e-6
    for key in cells.PARAM_KEYS:
        numerical = numerical_gradient(lambda v, key=key: loss(p={**params, key: v}),
                                       params[key])
        assert rel_error(numerical, grads[key]) < 1e-6, key


def test_rnn_step_backward_rejects_bad_input():
    params, x, h0, dhs = make_case("rnn", 1, 3, 2, 4, seed=5)
    _, _, caches = cells.unroll("rnn", x, h0, params)
    with pytest.raises(ValueError, match=r"dh: expected shape \(3, 4\), got shape \(3, 2\)"):
        cells.rnn_step_backward(dhs[0][:, :2], caches[0])
    with pytest.raises(TypeError, match=r"cache: expected an RNNCache.*got list"):
        cells.rnn_step_backward(dhs[0], caches)
    _, _, lstm_caches = cells.unroll("lstm", x, cells.LSTMState(h0, h0),
                                     cells.init_params("lstm", 2, 4))
    with pytest.raises(TypeError, match=r"cache: expected an RNNCache.*got LSTMCache"):
        cells.rnn_step_backward(dhs[0], lstm_caches[0])


# ----------------------------------------------------------------------------- dstate_T


def torch_reference_with_final(cell, params, x, state0, dhs, dstate_T):
    """torch autograd of sum(hs * dhs) + sum(state_T * dstate_T): what dstate_T stands for."""
    module = torch_module(cell, params)
    x_t = torch.tensor(x, requires_grad=True)
    states = [torch.tensor(s[None], requires_grad=True) for s in _as_list(state0)]
    hs, state_T = module(x_t, tuple(states) if cell == "lstm" else states[0])
    loss = (hs * torch.from_numpy(dhs)).sum()
    for final, d in zip(_as_list(state_T), _as_list(dstate_T), strict=True):
        loss = loss + (final[0] * torch.from_numpy(d)).sum()
    loss.backward()
    out = {"dx": x_t.grad.numpy()}
    for name, s in zip(("h", "c"), states, strict=False):
        out[f"d{name}0"] = s.grad.numpy()[0]
    for key in cells.PARAM_KEYS:
        out[key] = getattr(module, f"{key}_l0").grad.numpy()
    return out


@pytest.mark.parametrize("cell", cells.CELLS)
@pytest.mark.parametrize("with_dhs", [True, False])
def test_unroll_backward_with_dstate_T_equals_torch(cell, with_dhs):
    params, x, state0, dhs = make_case(cell, 4, 2, 3, 5, seed=31)
    rng = np.random.default_rng(32)
    dh_T = rng.standard_normal((2, 5))
    # For the LSTM a plain (h, c) tuple, to show that it need not be an LSTMState.
    dstate_T = (dh_T, rng.standard_normal((2, 5))) if cell == "lstm" else dh_T
    if not with_dhs:
        dhs = np.zeros_like(dhs)
    _, _, caches = cells.unroll(cell, x, state0, params)
    dx, dstate0, grads = cells.unroll_backward(cell, dhs, caches, dstate_T=dstate_T)
    theirs = torch_reference_with_final(cell, params, x, state0, dhs, dstate_T)
    ours = {"dx": dx, **grads}
    for name, d0 in zip(("h", "c"), _as_list(dstate0), strict=False):
        ours[f"d{name}0"] = d0
    assert ours.keys() == theirs.keys()
    for key in theirs:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=TOL, atol=TOL, err_msg=key)
    if not with_dhs:  # and the gradient really came from dstate_T
        assert np.abs(dx).max() > 1e-3


def test_dstate_T_none_is_zero():
    params, x, state0, dhs = make_case("lstm", 3, 2, 3, 4, seed=33)
    _, _, caches = cells.unroll("lstm", x, state0, params)
    zeros = np.zeros((2, 4))
    a = cells.unroll_backward("lstm", dhs, caches)
    b = cells.unroll_backward("lstm", dhs, caches, dstate_T=(zeros, zeros))
    np.testing.assert_array_equal(a.dx, b.dx)


def test_unroll_backward_rejects_a_bad_dstate_T():
    params, x, state0, dhs = make_case("lstm", 3, 2, 3, 4, seed=33)
    _, _, caches = cells.unroll("lstm", x, state0, params)
    with pytest.raises(TypeError, match=r"dstate_T: expected the pair \(h, c\)"):
        cells.unroll_backward("lstm", dhs, caches, dstate_T=np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"dstate_T\[1\] \(c\): expected shape \(2, 4\)"):
        cells.unroll_backward("lstm", dhs, caches, dstate_T=(np.zeros((2, 4)), np.zeros((2, 3))))
    params, x, h0, dhs = make_case("rnn", 3, 2, 3, 4, seed=33)
    _, _, caches = cells.unroll("rnn", x, h0, params)
    with pytest.raises(ValueError, match=r"dstate_T: expected shape \(2, 4\), got shape \(4,\)"):
        cells.unroll_backward("rnn", dhs, caches, dstate_T=np.zeros(4))
    with pytest.raises(TypeError, match=r"unroll_backward\(\) takes 3 positional"):
        cells.unroll_backward("rnn", dhs, caches, np.zeros((2, 4)))
