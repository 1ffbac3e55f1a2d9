"""Gradient decay animator (notebook 04): measured gradient norms against the Pascanu bound."""

import functools
import html
from typing import NamedTuple

import ipywidgets as widgets
import numpy as np

from rnnbook import _validate as v
from rnnbook import cells, gradients, plots
from rnnbook.widgets import core

# The plot's fixed log range: a fixed axis shows vanishing as a fall and exploding as a rise.
# Values beyond it (up to 0 or inf) are drawn at its edge, and the caption says so.
LOG_RANGE = (1e-16, 1e16)


class GradientDecayState(NamedTuple):
    """What the gradient decay animator shows.

    shown_norms, shown_bound: the curves by steps back (entry j = j + 1 steps back), clipped
    into LOG_RANGE (shown_bound is None for the gated cells: the bound is the vanilla RNN's);
    steps_back: how many of them are drawn (the Play cursor).
    """

    settings: gradients.GradientSettings
    curves: gradients.GradientCurves
    steps_back: int
    shown_norms: plots.ClippedForLog
    shown_bound: plots.ClippedForLog | None
    caption: str


def _clip_note(clipped):
    low, high = LOG_RANGE
    parts = []
    if clipped.below:
        parts.append(f"{clipped.below} below {low:.0e} (vanished)")
    if clipped.above:
        parts.append(f"{clipped.above} above {high:.0e} (exploded)")
    if clipped.nonfinite:
        parts.append(f"{clipped.nonfinite} overflowed float64")
    return ", ".join(parts)


_GATE_NAMES = {"f": "forget-gate", "z": "update-gate"}  # KEEP_GATE's gates, as captions say them
BOUND_LABEL = {True: "Pascanu bound (vanilla RNN)", False: "no bound: a gated cell"}


def gradient_decay_state(settings, curves, steps_back):
    """The animator's state: curves by steps back, clipped, drawn up to ``steps_back``."""
    T = settings.T
    # A cursor left beyond a shorter T (before its slider follows) snaps back to T.
    steps_back = min(v.positive_int("steps_back", steps_back), T)
    shown_norms = plots.clip_for_log(plots.steps_back(curves.norms)[1], *LOG_RANGE)
    shown_bound = None if curves.bound is None else plots.clip_for_log(
        plots.steps_back(curves.bound)[1], *LOG_RANGE)
    reached = (f"after {steps_back} steps back the gradient norm is "
               f"{curves.norms[T - steps_back]:.2e}")
    if settings.cell == "rnn":
        caption = (f"{cells.CELL_NAMES['rnn']} ({settings.nonlinearity}), rho = "
                   f"{settings.rho:.2f}, T = {T}, input scale {settings.input_scale:.3g}: "
                   f"{reached} (bound {curves.bound[T - steps_back]:.2e}).")
    else:
        gate = gradients.KEEP_GATE[settings.cell]
        keep = cells.sigmoid(settings.gate_bias)
        caption = (f"{cells.CELL_NAMES[settings.cell]}, rho = {settings.rho:.2f}, T = {T}, "
                   f"input scale {settings.input_scale:.3g}, {_GATE_NAMES[gate]} bias "
                   f"{settings.gate_bias:.1f} ({gate} = sigmoid({settings.gate_bias:.1f}) = "
                   f"{keep:.2f} at a zero state): {reached}. No bound drawn: the Pascanu "
                   "bound is for the vanilla RNN only.")
    notes = [f"measured: {_clip_note(shown_norms)}" if shown_norms.count else "",
             f"bound: {_clip_note(shown_bound)}" if shown_bound and shown_bound.count else ""]
    notes = "; ".join(note for note in notes if note)
    if notes:
        caption += (f" Clipped to the plot's range {LOG_RANGE[0]:.0e}..{LOG_RANGE[1]:.0e} "
                    f"and drawn at its edge: {notes}.")
    return GradientDecayState(settings, curves, steps_back, shown_norms, shown_bound, caption)


class GradientArtists(NamedTuple):
    measured: object  # Line2D: the measured norms up to the cursor
    bound: object  # Line2D: the Pascanu bound, whole; empty for the gated cells
    cursor: object  # Line2D: one marker at the cursor
    clip_label: object  # Text: says "clipped" on the plot when anything is


def _gradient_axes(figure, max_T):
    ax = figure.subplots()
    # Fixed, as the log range is: a longer sequence's curves reach further to the right, and
    # a new T draws only the curves again.
    ax.set_xlim(0.5, max_T + 0.5)
    measured, = ax.plot([1], [1], color=plots.BLUE, label="measured gradient norm", zorder=3)
    bound, = ax.plot([1], [1], color=plots.BLACK, linestyle="--", linewidth=1.5,
                     label=BOUND_LABEL[True])
    cursor, = ax.plot([1], [1], "o", color=plots.VERMILLION, markersize=8)
    clip_label = ax.text(0.99, 0.02, "", transform=ax.transAxes, ha="right", va="bottom",
                         fontsize=9, color=plots.VERMILLION)
    ax.set_yscale("log")
    ax.set_ylim(*LOG_RANGE)
    ax.set_title("Gradient reaching $h_k$, against steps back in time")
    ax.set_xlabel("steps back in time, T - k")
    ax.set_ylabel(r"$\|\partial L / \partial h_k\|$")
    ax.legend(loc="upper left")
    return ax, GradientArtists(measured, bound, cursor, clip_label)


def _draw_gradient(ax, artists, state):
    T, n = state.settings.T, state.steps_back
    x = np.arange(1, T + 1)
    artists.measured.set_data(x[:n], state.shown_norms.values[:n])
    rnn = state.shown_bound is not None
    artists.bound.set_data(x if rnn else [], state.shown_bound.values if rnn else [])
    legend = ax.get_legend()  # part of the background (see core.Blit): drawn for each cell
    legend.get_texts()[1].set_text(BOUND_LABEL[rnn])
    legend.legend_handles[1].set_visible(rnn)
    artists.cursor.set_data(x[n - 1:n], state.shown_norms.values[n - 1:n])
    count = state.shown_norms.count + (state.shown_bound.count if rnn else 0)
    artists.clip_label.set_text(f"{count} values clipped at the edge" if count else "")


def gradient_decay_explorer(curves, max_T=100):
    """The gradient decay animator: measured gradient norms against the Pascanu bound.

    curves: the function that measures them, settings -> curves: ``gradients.gradient_curves``
    (H = 16, seed 0) or any callable that takes a ``gradients.GradientSettings`` and returns
    a ``gradients.GradientCurves``. It runs once per new setting; moving the cursor reuses it.
    Controls: "cell" (rnn, lstm, gru), "rho" (spectral radius of W_hh, 0.5..1.5), "T"
    (5..max_T), "nonlinearity" (tanh or relu; the vanilla RNN only), "input_scale"
    (0.001..10: small keeps tanh linear, large saturates it), "gate_bias" (0..5, shown for
    the gated cells only: the bias of the gate that keeps the old state, ``KEEP_GATE``),
    "steps_back" (1..T, animated by Play). The Pascanu bound is drawn for the vanilla RNN
    only. Returns an Explorer whose state is a GradientDecayState; ``.artists`` holds the
    plotted lines.
    """
    measure = v.function("curves", curves)
    max_T = v.int_at_least("max_T", max_T, 5)
    T0 = min(50, max_T)
    controls = {
        "cell": widgets.ToggleButtons(options=list(cells.CELLS), value="rnn",
                                      description="cell"),
        "rho": widgets.FloatSlider(value=0.9, min=0.5, max=1.5, step=0.05,
                                   description="rho", readout_format=".2f"),
        "T": widgets.IntSlider(value=T0, min=5, max=max_T, description="T"),
        "nonlinearity": widgets.ToggleButtons(options=["tanh", "relu"], value="tanh",
                                              description="activation"),
        "input_scale": widgets.FloatLogSlider(value=0.01, base=10, min=-3, max=1, step=0.1,
                                              description="input scale"),
        "gate_bias": widgets.FloatSlider(value=0.0, min=0.0, max=5.0, step=0.5,
                                         description="keep bias", readout_format=".1f",
                                         layout=widgets.Layout(display="none")),
        "steps_back": widgets.IntSlider(value=T0, min=1, max=T0, description="steps back"),
    }
    steps = controls["steps_back"]

    def follow_T(change):  # a new T shows its whole curve; registered before the Explorer's
        steps.max = change.new
        steps.value = change.new

    controls["T"].observe(follow_T, names="value")
    play = core.play_for(steps, core.PLAY_INTERVAL_MS["gradient"])
    # The cursor moves often; the curves change only with the settings: each is measured once
    # (the last few hundred, some kB each), so going back to a setting costs nothing.
    measured = functools.lru_cache(maxsize=256)(measure)

    def compute(cell, rho, T, nonlinearity, input_scale, gate_bias, steps_back):
        settings = gradients.GradientSettings(cell, round(rho, 6), T, nonlinearity, input_scale,
                                              round(gate_bias, 6) if cell != "rnn" else 0.0)
        return gradient_decay_state(settings, measured(settings), steps_back)

    figure = core.new_figure((6.0, 3.3))
    ax, artists = _gradient_axes(figure, max_T)
    core.freeze_layout(figure)
    # Only the lines and the clip label change, and the legend's bound entry with the kind of
    # cell: a background for each kind (the x axis stays, whatever T).
    blit = core.Blit(figure, artists)

    def show(explorer, state):
        _draw_gradient(ax, artists, state)
        background = state.shown_bound is not None  # the vanilla RNN's legend, or the gated
        if blit.key != background:
            blit.redraw(key=background)
        controls["nonlinearity"].disabled = state.settings.cell != "rnn"
        # Shown for the gated cells only: the vanilla RNN has no gate to bias.
        controls["gate_bias"].layout.display = "none" if state.settings.cell == "rnn" else None
        explorer.image.value = blit.render()
        explorer.text.value = html.escape(state.caption)

    rows = [widgets.HBox([controls["cell"], controls["nonlinearity"], controls["gate_bias"]]),
            widgets.HBox([controls["rho"], controls["T"], controls["input_scale"]]),
            widgets.HBox([play, steps])]
    explorer = core.Explorer(rows, controls, compute, show, figure, play, name="gradient-decay")
    explorer.artists = artists
    return explorer

