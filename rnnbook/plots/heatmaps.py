"""Heatmaps: hidden states and gates over time (units along y, steps along x)."""

import matplotlib as mpl
import numpy as np

from rnnbook import _validate as v
from rnnbook import cells
from rnnbook.plots.style import closed_subplots, figure_and_axes

# The range each series of ``cells.gate_series`` lives in: sigmoid gates in [0, 1], tanh
# candidates (and h) in [-1, 1]; the LSTM cell state c is unbounded (None: symmetric).
GATE_RANGE = {
    **{name: (0, 1) for gates in cells.GATES.values() for name in gates},
    **{name: (-1, 1) for cell, blocks in cells.WEIGHT_BLOCKS.items() if cell != "rnn"
       for name in blocks if name not in cells.GATES[cell]},
    "h": (-1, 1),
    **{name: None for names in cells.CELL_STATE_SERIES.values() for name in names},
}
# The words for each series in titles; g and n are candidates, not gates.
GATE_TITLE = {"i": "input gate i", "f": "forget gate f", "g": "candidate g",
              "o": "output gate o", "c": "cell state c", "r": "reset gate r",
              "z": "update gate z", "n": "candidate n", "h": "hidden state h"}
assert set(GATE_TITLE) == set(GATE_RANGE), "every series drawn needs a title and a range"


def gate_limits(name, values):
    """(vmin, vmax) for colouring a gate: its fixed range, or symmetric for the cell state."""
    span = GATE_RANGE.get(name)
    if span is not None:
        return span
    top = float(np.max(np.abs(values))) or 1.0  # symmetric, so 0 is the colour map's middle
    return -top, top


def heatmap(values, ax=None, title="Hidden state over time", ylabel="hidden unit",
            vmin=None, vmax=None, colorbar=True):
    """Figure: a (T, H) array as an image, time along x (steps 1..T) and units along y.

    Diverging colours (0 in the middle) when the values have both signs, viridis otherwise.
    """
    values = v.as_array("values", values, ndim=2)
    fig, ax = figure_and_axes(ax, (6.0, 2.6))
    T, H = values.shape
    signed = (vmin if vmin is not None else values.min()) < 0
    image = ax.imshow(values.T, aspect="auto", origin="lower", interpolation="nearest",
                      cmap="PuOr_r" if signed else "viridis", vmin=vmin, vmax=vmax,
                      extent=(0.5, T + 0.5, -0.5, H - 0.5))
    ax.set_title(title)
    ax.set_xlabel("time step t")
    ax.set_ylabel(ylabel)
    ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
    ax.grid(False)
    if colorbar:
        fig.colorbar(image, ax=ax, fraction=0.05, pad=0.02)
    return fig


def state_heatmap(hs, batch_index=0, ax=None, title="Hidden state $h_t$ over time"):
    """Figure: the hidden states hs (T, B, H) of one batch element as a heatmap."""
    hs = v.as_array("hs", hs, ndim=3)
    if not 0 <= batch_index < hs.shape[1]:
        raise ValueError(f"batch_index: expected 0..{hs.shape[1] - 1}, got {batch_index}")
    return heatmap(hs[:, batch_index], ax=ax, title=title)


def gate_heatmaps(caches, cell, batch_index=0, axes=None, colorbar=True):
    """Figure: one heatmap per series (gates, candidate, cell state) of an LSTM or GRU unroll,
    stacked, sharing the time axis.

    caches: list of T step caches from ``cells.unroll``; axes: optional sequence of one
    Axes per series in ``cells.GATE_SERIES[cell]`` (a new figure otherwise). Sigmoid gates
    are coloured on [0, 1] (closed to open), tanh candidates on [-1, 1], the cell state c
    symmetrically.
    """
    series = cells.gate_series(caches, cell, batch_index)
    if axes is None:
        fig, axes = closed_subplots(len(series), 1, sharex=True, figsize=(6.0, 1.3 * len(series)))
    elif len(axes) != len(series):
        raise ValueError(f"axes: expected {len(series)} axes for {cell}, got {len(axes)}")
    for ax, (name, values) in zip(axes, series.items(), strict=True):
        vmin, vmax = gate_limits(name, values)
        heatmap(values, ax=ax, title=GATE_TITLE[name], ylabel="unit", vmin=vmin, vmax=vmax,
                colorbar=colorbar)
        ax.set_xlabel("")
    axes[-1].set_xlabel("time step t")
    return axes[0].figure

