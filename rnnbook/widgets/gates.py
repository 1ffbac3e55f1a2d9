"""Gate inspector (notebook 05): every gate of an LSTM and a GRU, step by step, on one input."""

from typing import NamedTuple

import ipywidgets as widgets
import numpy as np
from matplotlib.patches import Rectangle

from rnnbook import _validate as v
from rnnbook import cells, plots
from rnnbook.widgets import core


class GateRuns(NamedTuple):
    """An LSTM and a GRU run on the same input, for one batch element.

    x (T, D); lstm, gru: {name: (T, H)}, the series of ``cells.gate_series`` and then "h".
    """

    x: np.ndarray
    lstm: dict
    gru: dict


class GateStep(NamedTuple):
    """What the gate inspector shows at step t (1..T): each gate's values at that step."""

    t: int
    lstm: dict  # {gate: (H,)}
    gru: dict  # {gate: (H,)}


def scaled(params, factor):
    """A copy of a params dict with every array multiplied by ``factor``."""
    return {key: factor * np.asarray(value) for key, value in params.items()}


def gate_runs(x, lstm_params, gru_params):
    """Unroll an LSTM and a GRU over the same x (T, 1, D) from zero states: GateRuns."""
    x = v.as_array("x", x, shape=(None, 1, None))
    runs = {}
    for cell, params in (("lstm", lstm_params), ("gru", gru_params)):
        v.instance(f"{cell}_params", params, dict,
                   f"a dict of {cell} params (cells.init_params)")
        # cells.unroll checks the arrays, and names one that is missing or misshapen.
        H = np.shape(params["weight_hh"])[-1] if "weight_hh" in params else 1
        hs, _, caches = cells.unroll(cell, x, cells.zero_state(cell, 1, H), params)
        runs[cell] = {**cells.gate_series(caches, cell), "h": hs[:, 0]}
    return GateRuns(x[:, 0], runs["lstm"], runs["gru"])


def gate_step(runs, t):
    """Every gate's activations at step t (1..T)."""
    t = v.int_in_range("t", t, 1, len(runs.x))
    return GateStep(t, {n: s[t - 1] for n, s in runs.lstm.items()},
                    {n: s[t - 1] for n, s in runs.gru.items()})


def gate_table(step):
    """HTML table: each gate's mean over the units at step t, and its values."""
    rows = []
    for cell, values in (("LSTM", step.lstm), ("GRU", step.gru)):
        for name, at_t in values.items():
            rows.append((f"{cell} {plots.GATE_TITLE[name]}",
                         f"mean {at_t.mean():+.2f} | {core.vector_text(at_t)}"))
    return f"<b>step t = {step.t}</b>{GATE_COLOURS}" + core.table_html(rows)


GATE_COLOURS = ("<br>Colours: sigmoid gates from dark (0, closed) to yellow (1, open); "
                "tanh values, h, c and x from purple (negative) through white (0) to orange "
                "(positive). Blank: steps not taken yet.")


def _gate_axes(figure, runs):
    """One heatmap per series: the LSTM's six (3 gates, candidate g, c, h) on the left, the
    GRU's four (2 gates, candidate n, h) and x on the right.

    Returns ({(cell, gate): AxesImage}, [cursor lines], [blanks]): each blank a rectangle in
    the axes' own colour over the steps not taken yet, its left edge to be moved.
    """
    grid = figure.add_gridspec(6, 2)
    left = [figure.add_subplot(grid[r, 0]) for r in range(6)]
    right = [figure.add_subplot(grid[r, 1], sharex=left[0]) for r in range(4)]
    x_ax = figure.add_subplot(grid[4:, 1], sharex=left[0])
    images = {}
    panels = [(("lstm", n), ax) for n, ax in zip(runs.lstm, left, strict=True)]
    panels += [(("gru", n), ax) for n, ax in zip(runs.gru, right, strict=True)]
    for (cell, name), ax in panels:
        values = getattr(runs, cell)[name]
        vmin, vmax = plots.gate_limits(name, values)
        plots.heatmap(values, ax=ax, title=f"{cell.upper()} {plots.GATE_TITLE[name]}",
                      ylabel="", vmin=vmin, vmax=vmax, colorbar=False)
        images[cell, name] = ax.images[0]
    plots.heatmap(runs.x, ax=x_ax, title="input x (both cells)", ylabel="", colorbar=False)
    cursors, blanks = [], []
    T = len(runs.x)
    for ax in left + right + [x_ax]:
        ax.set_yticks([])  # the units' indices say nothing; fewer labels also draw faster
        ax.set_xlabel("time step t" if ax in (left[-1], x_ax) else "")
        ax.tick_params(labelbottom=ax in (left[-1], x_ax))
        cursors.append(ax.axvline(1, color=plots.VERMILLION, linewidth=1.5))
    for ax in left + right:  # the input x is known ahead: shown whole
        # x in steps, y over the whole height of the axes
        blanks.append(ax.add_patch(Rectangle((T + 0.5, 0), 0, 1, facecolor=ax.get_facecolor(),
                                             edgecolor="none", transform=ax.get_xaxis_transform())))
    return images, cursors, blanks


def gate_inspector(T=20, input_size=3, hidden_size=6, seed=0, weight_scale=3.0, x=None,
                   lstm_params=None, gru_params=None):
    """Step through a sequence; see every gate of an LSTM and a GRU on the same input.

    Heatmaps (units by time) are filled up to step t, with a cursor at t; the table lists
    each gate's values at t. Control "t" (1..T), animated by a Play button.

    By default x (T, 1, D) is standard normal noise and the params are PyTorch's random
    initialisation times ``weight_scale``: at PyTorch's scale every gate sits near 0.5, while
    larger weights make them open and close visibly, as a trained network's do. Pass x and
    trained ``lstm_params``/``gru_params`` (same D and H) to inspect those instead; a given
    x (T, 1, D) sets T and D. Returns an Explorer whose state is a GateStep; ``.runs`` holds
    the GateRuns, ``.images`` the heatmaps and ``.blanks`` the rectangles over their steps
    after t.
    """
    rng = v.rng("seed", seed)
    D, H = v.positive_int("input_size", input_size), v.positive_int("hidden_size", hidden_size)
    scale = v.number("weight_scale", weight_scale, low=0)
    if x is None:
        x = rng.normal(size=(v.positive_int("T", T), 1, D))
    else:
        x = v.as_array("x", x, shape=(None, 1, None))
        D = x.shape[2]
    if lstm_params is None:
        lstm_params = scaled(cells.init_params("lstm", D, H, rng), scale)
    if gru_params is None:
        gru_params = scaled(cells.init_params("gru", D, H, rng), scale)
    runs = gate_runs(x, lstm_params, gru_params)
    T = len(runs.x)

    figure = core.new_figure((8.0, 6.2))
    images, cursors, blanks = _gate_axes(figure, runs)
    core.freeze_layout(figure)
    # The heatmaps are drawn whole, once, in the background; each frame blanks the steps after
    # t (cheap rectangles, where re-sampling ten masked images took most of a frame).
    blit = core.Blit(figure, [*blanks, *cursors])

    def show(explorer, step):
        for blank in blanks:
            blank.set_x(step.t + 0.5)
            blank.set_width(T - step.t)
        for cursor in cursors:
            cursor.set_xdata([step.t, step.t])
        explorer.image.value = blit.render(key=step.t)
        explorer.text.value = gate_table(step)

    # Start on the whole sequence, so every gate's story is visible at once; Play replays it.
    slider = widgets.IntSlider(value=T, min=1, max=T, description="step t")
    play = core.play_for(slider, core.PLAY_INTERVAL_MS["gates"])
    explorer = core.Explorer([widgets.HBox([play, slider])], {"t": slider},
                        lambda t: gate_step(runs, t), show, figure, play, name="gate-inspector")
    explorer.runs, explorer.images, explorer.blanks = runs, images, blanks
    return explorer

