"""Unroll explorer (notebook 02): step through the numpy RNN, its loop and unrolled graph."""

from typing import NamedTuple

import ipywidgets as widgets
import numpy as np

from rnnbook import _validate as v
from rnnbook import cells, plots
from rnnbook.widgets import core


class UnrollRun(NamedTuple):
    """One RNN run over a sequence, for one batch element.

    x (T, D); hs (T + 1, H) with hs[0] = h_0, so that hs[t] is h_t; ys (T + 1, O) likewise.
    """

    x: np.ndarray
    hs: np.ndarray
    ys: np.ndarray


class UnrollStep(NamedTuple):
    """What the unroll explorer shows at step t (1..T): the step's four vectors."""

    t: int
    x_t: np.ndarray  # (D,)
    h_prev: np.ndarray  # (H,)
    h_t: np.ndarray  # (H,)
    y_t: np.ndarray  # (O,)


def unroll_run(x, params, readout_weight, readout_bias, nonlinearity="tanh"):
    """Run the numpy RNN over x (T, 1, D) from h_0 = 0 and read out every h_t: an UnrollRun.

    params: rnn params (``cells.init_params("rnn", ...)``); readout_weight (O, H) and
    readout_bias (O,) give y_t = W_hy h_t + b_y (``cells.readout``, not part of the cell).
    """
    readout_weight = v.as_array("readout_weight", readout_weight, ndim=2)
    H = readout_weight.shape[1]
    x = v.as_array("x", x, shape=(None, 1, None))
    hs, _, _ = cells.unroll("rnn", x, cells.zero_state("rnn", 1, H), params, nonlinearity)
    hs = np.concatenate([np.zeros((1, H)), hs[:, 0]])  # (T + 1, H), row 0 = h_0
    return UnrollRun(x[:, 0], hs, cells.readout(hs, readout_weight, readout_bias))


def unroll_step(run, t):
    """The vectors of step t (1..T) of an UnrollRun."""
    t = v.int_in_range("t", t, 1, len(run.x))
    return UnrollStep(t, run.x[t - 1], run.hs[t - 1], run.hs[t], run.ys[t])


def unroll_table(step):
    """HTML table of the step's vectors, each beside the equation that makes it."""
    t, p = step.t, step.t - 1
    return core.table_html([
        (f"input x<sub>{t}</sub>", core.vector_text(step.x_t)),
        (f"previous state h<sub>{p}</sub>", core.vector_text(step.h_prev)),
        (f"h<sub>{t}</sub> = tanh(W<sub>ih</sub> x<sub>{t}</sub> + b<sub>ih</sub> + "
         f"W<sub>hh</sub> h<sub>{p}</sub> + b<sub>hh</sub>)", core.vector_text(step.h_t)),
        (f"y<sub>{t}</sub> = W<sub>hy</sub> h<sub>{t}</sub> + b<sub>y</sub>",
         core.vector_text(step.y_t)),
    ])


def unroll_explorer(T=6, input_size=3, hidden_size=4, output_size=2, seed=0):
    """Step through t = 1..T of a random sequence through the numpy RNN (tanh), with a readout.

    Shows the loop and its unrolled graph lit up to step t, and the numbers of x_t, h_{t-1},
    h_t and y_t. Control "t" (1..T), animated by a Play button. Returns an Explorer whose
    state is an UnrollStep; ``.run`` is its UnrollRun and ``.chain`` the diagram's nodes.
    """
    T = v.positive_int("T", T)
    D, H = v.positive_int("input_size", input_size), v.positive_int("hidden_size", hidden_size)
    n_out = v.positive_int("output_size", output_size)  # O outputs (V means vocabulary size)
    rng = v.rng("seed", seed)
    params = cells.init_params("rnn", D, H, rng)
    readout_weight = rng.uniform(-1, 1, size=(n_out, H)) / np.sqrt(H)  # as nn.Linear initialises
    run = unroll_run(rng.normal(size=(T, 1, D)), params, readout_weight, np.zeros(n_out))

    figure = core.new_figure((0.75 * (T + 5), 2.8))  # room for the weight labels
    chain = plots.unrolled_axes(figure.subplots(), T)
    core.freeze_layout(figure)
    blit = core.Blit(figure, chain.artists())  # only the unrolled nodes change colour

    def show(explorer, step):
        plots.light_up(chain, step.t)
        explorer.image.value = blit.render(key=step.t)
        explorer.text.value = unroll_table(step)

    slider = widgets.IntSlider(value=1, min=1, max=T, description="step t")
    play = core.play_for(slider, core.PLAY_INTERVAL_MS["unroll"])
    explorer = core.Explorer([widgets.HBox([play, slider])], {"t": slider},
                        lambda t: unroll_step(run, t), show, figure, play, name="unroll-explorer")
    explorer.run, explorer.chain = run, chain
    return explorer

