"""Gradient flow through time: measured norms against the Pascanu bound (notebooks 04 and 05).

Backprop through time multiplies the gradient by one Jacobian per step; for the vanilla RNN
that is W_hh^T diag(act'), so after T - k steps its norm is at most
(gamma * sigma_max(W_hh)) ** (T - k), gamma bounding |act'| (1 for tanh and relu):
Pascanu, Mikolov and Bengio, "On the difficulty of training recurrent neural networks", 2013.
``gradient_norms`` measures the real thing with the cells' own backward.
"""

from typing import NamedTuple

import numpy as np

from rnnbook import _validate, cells


def _direction(batch_size, hidden_size, dtype):
    """The fixed unit-norm gradient put on h_T: every entry 1 / sqrt(B * H)."""
    return np.full((batch_size, hidden_size), 1.0 / np.sqrt(batch_size * hidden_size), dtype)


def _state_norm(dstate):
    """The norm of a state gradient; for the LSTM, of the pair (dh, dc) taken together."""
    if isinstance(dstate, cells.LSTMState):
        return np.sqrt(np.sum(dstate.h**2) + np.sum(dstate.c**2))
    return np.sqrt(np.sum(dstate**2))


def gradient_norms(cell, x, state0, params, nonlinearity="tanh"):
    """How much of a unit gradient on the last hidden state reaches each earlier state.

    The gradient dL/dh_T = u, u (B, H) with every entry 1 / sqrt(B * H) (so ||u|| = 1), is
    carried back with ``cells``' backward in one pass. Entry k is the norm of what reaches
    the state before step k (h_{k-1}, with h_{-1} = state0; for the LSTM the pair (h, c)
    taken together, each differentiated as an input of step k, as backprop carries them), so
    entry T-1 has passed one step and entry 0 all T.

    x (T, B, D); state0 (B, H), or the pair (h0, c0) for the LSTM; arguments as
    ``cells.unroll``. Returns a (T,) float64 array.

    Overflow: with a large spectral radius (relu) the states or gradients can leave float64's
    range. That is expected here, so no warning is raised: the entries that overflow are
    returned as inf (never NaN), and a plot should clip them.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        hs, _, caches = cells.unroll(cell, x, state0, params, nonlinearity)
        T, B, H = hs.shape
        dhs = np.zeros_like(hs)
        dhs[-1] = _direction(B, H, hs.dtype)
        norms = np.empty(T)
        for t, step in cells.backward_steps(cell, dhs, caches):
            norms[t] = _state_norm(step.dstate_prev)
    norms[np.isnan(norms)] = np.inf  # NaN only arises from inf - inf or 0 * inf: an overflow
    return norms


def pascanu_bound(params, T, gamma=1.0):
    """(gamma * sigma_max(W_hh)) ** (T - k) for k = 0..T-1: the bound on ``gradient_norms``.

    params: vanilla RNN params (weight_hh (H, H)). gamma >= 0 bounds the activation's
    derivative: 1 for tanh and relu. Returns a (T,) float64 array; entries beyond float64's
    range are inf (without a warning).
    """
    params, _, _ = _validate.cell_params("rnn", params)
    T = _validate.positive_int("T", T)
    gamma = _validate.number("gamma", gamma, low=0)
    sigma_max = np.linalg.norm(params["weight_hh"].astype(np.float64), 2)
    with np.errstate(over="ignore"):
        return (gamma * sigma_max) ** np.arange(T, 0, -1, dtype=np.float64)


def scaled_orthogonal(hidden_size, rho, rng=None):
    """rho times a random orthogonal matrix (H, H): every singular value and |eigenvalue| is rho.

    The orthogonal matrix is uniform (Haar): the Q of a Gaussian matrix's QR decomposition,
    with its columns' signs fixed by R's diagonal. rng: a numpy Generator or an int seed.
    """
    H = _validate.positive_int("hidden_size", hidden_size)
    rho = _validate.number("rho", rho, low=0)
    return _scaled_orthogonal(H, rho, _validate.rng("rng", rng))


def _scaled_orthogonal(H, rho, rng):
    """scaled_orthogonal without the checks, for callers that have checked their arguments."""
    q, r = np.linalg.qr(rng.standard_normal((H, H)))
    return rho * q * np.sign(np.diag(r))


def with_spectral_radius(cell, params, rho, rng=None):
    """A copy of ``params`` whose weight_hh has each H x H weight block = rho * orthogonal.

    For the RNN that is W_hh itself; for the LSTM (4 blocks) and GRU (3 blocks) each block's
    recurrent matrix gets its own random orthogonal matrix. The other arrays are copied
    unchanged and the dtype is kept.
    """
    cell = _validate.cell("cell", cell)
    params, _, H = _validate.cell_params(cell, params)
    rho = _validate.number("rho", rho, low=0)
    rng = _validate.rng("rng", rng)
    blocks = [_scaled_orthogonal(H, rho, rng) for _ in cells.WEIGHT_BLOCKS[cell]]
    new = {key: value.copy() for key, value in params.items()}
    new["weight_hh"] = np.vstack(blocks).astype(params["weight_hh"].dtype)
    return new


# ---------------------------------------------------------------------------------------------
# The curves of notebook 04's gradient decay animator (and its static figures).

# The gate of each gated cell that decides how much of the old state is kept: the LSTM's forget
# gate f (c_t = f * c_prev + ...) and the GRU's update gate z (h_t = ... + z * h_prev). Its
# bias sets how much gradient survives each step, as the spectral radius does for the RNN.
KEEP_GATE = {"lstm": "f", "gru": "z"}


class GradientSettings(NamedTuple):
    """What defines one measured curve: the cell, W_hh's spectral radius rho, the length T,
    the vanilla RNN's nonlinearity, the scale of the inputs and, for the gated cells, the bias
    of their keep gate (``KEEP_GATE``: the LSTM's forget gate, the GRU's update gate)."""

    cell: str
    rho: float
    T: int
    nonlinearity: str
    input_scale: float
    gate_bias: float = 0.0


class GradientCurves(NamedTuple):
    """norms: ``gradient_norms`` (T,), entry k = norm reaching the state before step k;
    bound: ``pascanu_bound`` (T,) for the vanilla RNN, None for the gated cells (the bound
    is the vanilla RNN's; it says nothing about a cell with gates)."""

    norms: np.ndarray
    bound: np.ndarray | None


def gradient_curves(settings, hidden_size=16, input_size=8, seed=0):
    """Measure the gradient norms for ``settings`` (a GradientSettings) and, for the vanilla
    RNN, compute the Pascanu bound: a GradientCurves.

    W_hh's weight blocks are rho times random orthogonal matrices, always the same ones for a
    seed, so moving rho only rescales them. The biases are zero but the keep gate's, which is
    settings.gate_bias (in bias_hh; the vanilla RNN has none): then small inputs keep the
    state near 0, where tanh is linear and the RNN's norm follows rho^(T - k), and large
    inputs saturate it; near 0 the keep gate is about sigmoid(gate_bias), 0.5 at bias 0.
    x (T, 1, D) is input_scale times standard normal noise, fixed by the seed, so that T and
    the scale change nothing else. The gated cells take no nonlinearity (theirs are fixed).
    """
    cell, nonlinearity, params, x, state0 = _network(settings, hidden_size, input_size, seed)
    norms = gradient_norms(cell, x, state0, params, nonlinearity)
    if cell != "rnn":
        return GradientCurves(norms, None)
    return GradientCurves(norms, pascanu_bound(params, x.shape[0], gamma=1.0))


def tanh_slopes(settings, hidden_size=16, input_size=8, seed=0):
    """The mean slope tanh'(a_t) = 1 - h_t^2 over the units at each step (T,) of the tanh RNN
    that ``gradient_curves`` measures for the same arguments: 1 where the state sits at 0
    (tanh's linear middle), near 0 where it saturates."""
    cell, nonlinearity, params, x, state0 = _network(settings, hidden_size, input_size, seed)
    if cell != "rnn" or nonlinearity != "tanh":
        raise ValueError(f"settings: expected the vanilla RNN with tanh, got {cell!r} with "
                         f"{nonlinearity!r}")
    hs = cells.unroll(cell, x, state0, params)[0]                      # (T, 1, H)
    return np.mean(1 - hs[:, 0] ** 2, axis=1)


def _network(settings, hidden_size, input_size, seed):
    """The network and inputs of ``gradient_curves``: (cell, nonlinearity, params, x, state0)."""
    cell, rho, T, nonlinearity, input_scale, gate_bias = _validate.instance(
        "settings", settings, GradientSettings, "a GradientSettings")
    T = _validate.positive_int("settings.T", T)
    input_scale = _validate.number("settings.input_scale", input_scale, low=0)
    gate_bias = _validate.number("settings.gate_bias", gate_bias)
    seed = _validate.non_negative_int("seed", seed)  # an int, not a Generator: it seeds 3 rngs
    nonlinearity = nonlinearity if cell == "rnn" else "tanh"
    params = cells.init_params(cell, input_size, hidden_size, seed)
    params = with_spectral_radius(cell, params, rho, seed + 1)
    for key in ("bias_ih", "bias_hh"):
        params[key] = np.zeros_like(params[key])
    if cell in KEEP_GATE:
        params["bias_hh"][cells.block_rows(cell, KEEP_GATE[cell], hidden_size)] = gate_bias
    x = input_scale * np.random.default_rng(seed + 2).normal(size=(T, 1, input_size))
    return cell, nonlinearity, params, x, cells.zero_state(cell, 1, hidden_size)
