"""Setup check (notebook 00): the smallest RNN there is, one unit, one input."""

import ipywidgets as widgets
import numpy as np

from rnnbook import _validate as v
from rnnbook import cells
from rnnbook.widgets import core


def one_unit_states(w=0.5, x=1.0, T=10):
    """h_0 .. h_T of the one-unit RNN h_t = tanh(w h_{t-1} + x) from h_0 = 0: a (T + 1,) array.

    Computed by cells.unroll with 1 x 1 weights (W_ih = 1, W_hh = w, no biases), so the
    setup check runs the course's own cell.
    """
    w, x, T = v.number("w", w), v.number("x", x), v.positive_int("T", T)
    params = {"weight_ih": np.ones((1, 1)), "weight_hh": np.full((1, 1), w),
              "bias_ih": np.zeros(1), "bias_hh": np.zeros(1)}
    hs, _, _ = cells.unroll("rnn", np.full((T, 1, 1), x), np.zeros((1, 1)), params)
    return np.concatenate([[0.0], hs[:, 0, 0]])


def setup_check(w=0.5, T=10):
    """A slider and a Play button over the steps of the one-unit RNN: do widgets work here?

    Control "t". Returns an Explorer (text only) whose state is (t, h_t).
    """
    states = one_unit_states(w=w, T=T)

    def show(explorer, state):
        t, h = state
        explorer.text.value = f"h_{t} = {h:.4f}"

    slider = widgets.IntSlider(value=0, min=0, max=T, description="step t")
    play = core.play_for(slider, core.PLAY_INTERVAL_MS["unroll"])
    return core.Explorer([widgets.HBox([play, slider])], {"t": slider},
                    lambda t: (t, float(states[t])), show, play=play, name="setup-check",
                    with_image=False)

