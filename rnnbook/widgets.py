"""The course's interactive widgets: builders that return a widget and never display it.

Every builder returns an ``Explorer``, a VBox that also exposes what it shows:

    explorer.controls  {name: control widget}; setting a control's ``.value`` updates it
    explorer.state     the NamedTuple the last update computed: what is on screen now
    explorer.figure    the matplotlib Figure behind ``explorer.image`` (None if it has none)
    explorer.image     a widgets.Image: the figure (or picture) as PNG bytes (None: text only)
    explorer.text      a widgets.HTML with the numbers and messages
    explorer.play      the widgets.Play that animates the steps (None if it has no steps)

The logic lives in pure functions (``unroll_step``, ``gradient_curves``,
``gradient_decay_state``, ``gate_step``, ``answer``, ...) that tests call directly. The
observer is thin: it calls ``update()``, which computes the state from the controls' values
and hands it to a ``show`` function. ``show`` moves the figure's existing artists (set_data,
set_facecolor), never rebuilds the figure, and renders it to PNG with Agg, off-screen, so
the widgets work the same under any matplotlib backend and in headless tests.

Speed (``benchmarks/widgets.py``): each Play button's interval is above the measured p95 of
one update, so that frames never queue.
"""

import html
import io
from collections.abc import Callable, Sequence
from typing import NamedTuple

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from rnnbook import _validate as v
from rnnbook import cells, gradients, plots

DPI = 72  # small figures render faster; the widgets show them at their pixel size

# Milliseconds between Play frames. Each is well above the p95 of one update measured by
# benchmarks/widgets.py on a 2-core CPU shared with other jobs (worst runs seen: unroll
# 11 ms, gradient steps back 7 ms, gates 57 ms), so that frames never queue. The unroll
# explorer plays slowly enough to read its numbers; the others take a few seconds a run.
PLAY_INTERVAL_MS = {"unroll": 400, "gradient": 100, "gates": 200, "window": 200}


# ---------------------------------------------------------------------------------------------
# The shared machinery: a VBox with controls, a pure compute and a show.

class Explorer(widgets.VBox):
    """A VBox whose controls drive a pure ``compute`` and a ``show`` (see the module doc).

    rows: the widgets above the image and text; controls: {name: widget};
    compute(**{name: value}) -> state; show(explorer, state). with_image=False: text only.
    """

    def __init__(self, rows, controls, compute, show, figure=None, play=None, name=None,
                 with_image=True):
        image = widgets.Image(format="png") if with_image else None
        text = widgets.HTML()
        super().__init__(children=[*rows, *([image] if with_image else []), text])
        # Images at their own pixel size: a box stretches them otherwise, and they blur.
        self.layout.align_items = "flex-start"
        if name:
            self.add_class(f"rnnbook-{name}")  # how the browser tests find each widget
        self.controls = controls
        self.figure, self.image, self.text, self.play = figure, image, text, play
        self._compute, self._show = compute, show
        self._values = None
        self.state = None
        for control in controls.values():
            control.observe(self._on_change, names="value")
        self.update()

    def _on_change(self, change):
        self.update()

    def values(self):
        """{name: value} of every control."""
        return {name: control.value for name, control in self.controls.items()}

    def update(self):
        """Recompute the state from the controls and show it (nothing if they did not change).

        One change can notify twice (a linked control moving with it): the second is a no-op.
        """
        values = self.values()
        if values == self._values:
            return
        self._values = values
        self.state = self._compute(**values)
        self._show(self, self.state)


def new_figure(figsize):
    """A Figure drawn off-screen by Agg, not known to pyplot (so it never leaks or shows)."""
    fig = Figure(figsize=figsize, dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def freeze_layout(fig):
    """Solve the constrained layout once, then keep it: re-solving costs ~10 ms a frame."""
    fig.canvas.draw()
    fig.set_layout_engine("none")


def render_png(fig):
    """The figure drawn by Agg, as PNG bytes.

    Drawing the canvas and encoding its pixels with light compression is about twice as fast
    as ``savefig``, which draws again and compresses hard.
    """
    fig.canvas.draw()
    return png_bytes(np.asarray(fig.canvas.buffer_rgba())[..., :3])


class Blit:
    """Renders a figure in which only ``artists`` change: everything else is drawn once.

    Axes, ticks and titles cost most of a full draw; here each frame restores the pixels
    drawn without the changing artists and draws just those on top (matplotlib's blitting).
    After a change to anything else (limits, other artists), call ``redraw``.
    """

    def __init__(self, figure, artists):
        axes = dict.fromkeys(a.axes for a in artists if a.axes is not None)
        # A full draw puts their axes' spines and legend on top of them: so must each frame.
        covers = [spine for ax in axes if ax.axison for spine in ax.spines.values()]
        covers += [ax.get_legend() for ax in axes if ax.get_legend() is not None]
        self.figure = figure
        self.artists = sorted([*artists, *covers], key=lambda a: a.get_zorder())  # as drawn
        for artist in self.artists:
            artist.set_animated(True)  # left out of the full draw
        self.redraw()

    def redraw(self):
        """Draw the background again: call it after anything but ``artists`` has changed."""
        self.figure.canvas.draw()
        self.background = self.figure.canvas.copy_from_bbox(self.figure.bbox)

    def render(self):
        """PNG bytes of the background with the artists drawn as they are now."""
        canvas = self.figure.canvas
        canvas.restore_region(self.background)
        for artist in self.artists:
            self.figure.draw_artist(artist)
        return png_bytes(np.asarray(canvas.buffer_rgba())[..., :3])


def png_bytes(pixels):
    """PNG bytes of a (height, width, 3) or (height, width) uint8 array."""
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


def play_for(slider, interval):
    """A Play button that moves ``slider`` in the browser every ``interval`` ms.

    jslink moves the slider without a round trip through the kernel; the bounds follow the
    slider kernel-side (dlink), so a slider whose max changes keeps its Play in step.
    """
    play = widgets.Play(value=slider.value, min=slider.min, max=slider.max, step=1,
                        interval=interval, description="Play")
    widgets.jslink((play, "value"), (slider, "value"))
    widgets.dlink((slider, "min"), (play, "min"))
    widgets.dlink((slider, "max"), (play, "max"))
    return play


def _vector(values):
    return " ".join(f"{value:+.2f}" for value in values)


def _table(rows):
    """HTML table of (label, text) rows, in a fixed-width font so the numbers line up."""
    body = "".join(f"<tr><td style='padding-right:1em'>{label}</td>"
                   f"<td style='font-family:monospace'>{html.escape(text)}</td></tr>"
                   for label, text in rows)
    return f"<table>{body}</table>"


# ---------------------------------------------------------------------------------------------
# Setup check (notebook 00): the smallest RNN there is, one unit, one input


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
    play = play_for(slider, PLAY_INTERVAL_MS["unroll"])
    return Explorer([widgets.HBox([play, slider])], {"t": slider},
                    lambda t: (t, float(states[t])), show, play=play, name="setup-check",
                    with_image=False)


# ---------------------------------------------------------------------------------------------
# Unroll explorer (notebook 02).

class UnrollRun(NamedTuple):
    """One RNN run over a sequence, for one batch element.

    x (T, D); hs (T + 1, H) with hs[0] = h_0, so that hs[t] is h_t; ys (T + 1, V) likewise.
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
    y_t: np.ndarray  # (V,)


def unroll_run(x, params, readout_weight, readout_bias, nonlinearity="tanh"):
    """Run the numpy RNN over x (T, 1, D) from h_0 = 0 and read out every h_t: an UnrollRun.

    params: rnn params (``cells.init_params("rnn", ...)``); readout_weight (V, H) and
    readout_bias (V,) give y_t = W_hy h_t + b_y (``cells.readout``, not part of the cell).
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
    return _table([
        (f"input x<sub>{t}</sub>", _vector(step.x_t)),
        (f"previous state h<sub>{p}</sub>", _vector(step.h_prev)),
        (f"h<sub>{t}</sub> = tanh(W<sub>ih</sub> x<sub>{t}</sub> + b<sub>ih</sub> + "
         f"W<sub>hh</sub> h<sub>{p}</sub> + b<sub>hh</sub>)", _vector(step.h_t)),
        (f"y<sub>{t}</sub> = W<sub>hy</sub> h<sub>{t}</sub> + b<sub>y</sub>", _vector(step.y_t)),
    ])


def unroll_explorer(T=6, input_size=3, hidden_size=4, output_size=2, seed=0):
    """Step through t = 1..T of a random sequence through the numpy RNN (tanh), with a readout.

    Shows the loop and its unrolled graph lit up to step t, and the numbers of x_t, h_{t-1},
    h_t and y_t. Control "t" (1..T), animated by a Play button. Returns an Explorer whose
    state is an UnrollStep; ``.run`` is its UnrollRun and ``.chain`` the diagram's nodes.
    """
    T = v.positive_int("T", T)
    D, H = v.positive_int("input_size", input_size), v.positive_int("hidden_size", hidden_size)
    V = v.positive_int("output_size", output_size)
    rng = v.rng("seed", seed)
    params = cells.init_params("rnn", D, H, rng)
    readout_weight = rng.uniform(-1, 1, size=(V, H)) / np.sqrt(H)  # as nn.Linear initialises
    run = unroll_run(rng.normal(size=(T, 1, D)), params, readout_weight, np.zeros(V))

    figure = new_figure((0.62 * (T + 5), 2.4))
    chain = plots.unrolled_axes(figure.subplots(), T)
    freeze_layout(figure)
    blit = Blit(figure, chain.artists())  # only the unrolled nodes change colour

    def show(explorer, step):
        plots.light_up(chain, step.t)
        explorer.image.value = blit.render()
        explorer.text.value = unroll_table(step)

    slider = widgets.IntSlider(value=1, min=1, max=T, description="step t")
    play = play_for(slider, PLAY_INTERVAL_MS["unroll"])
    explorer = Explorer([widgets.HBox([play, slider])], {"t": slider},
                        lambda t: unroll_step(run, t), show, figure, play, name="unroll-explorer")
    explorer.run, explorer.chain = run, chain
    return explorer


# ---------------------------------------------------------------------------------------------
# Gradient decay animator (notebooks 04 and 05).

# The plot's fixed log range: a fixed axis shows vanishing as a fall and exploding as a rise.
# Values beyond it (up to 0 or inf) are drawn at its edge, and the caption says so.
LOG_RANGE = (1e-16, 1e16)
CELL_NAMES = {"rnn": "vanilla RNN", "lstm": "LSTM", "gru": "GRU"}


class GradientSettings(NamedTuple):
    """The controls that change the measured curves (not the steps-back cursor)."""

    cell: str
    rho: float
    T: int
    nonlinearity: str
    input_scale: float


class GradientCurves(NamedTuple):
    """norms: ``gradients.gradient_norms`` (T,), entry k = norm reaching the state before step k;
    bound: ``gradients.pascanu_bound`` (T,) of a vanilla RNN with this spectral radius."""

    norms: np.ndarray
    bound: np.ndarray


class GradientDecayState(NamedTuple):
    """What the gradient decay animator shows.

    shown_norms, shown_bound: the curves by steps back (entry j = j + 1 steps back), clipped
    into LOG_RANGE; steps_back: how many of them are drawn (the Play cursor).
    """

    settings: GradientSettings
    curves: GradientCurves
    steps_back: int
    shown_norms: plots.Clipped
    shown_bound: plots.Clipped
    caption: str


def gradient_curves(settings, hidden_size=16, input_size=8, seed=0):
    """Measure the gradient norms for ``settings`` and compute the Pascanu bound.

    W_hh's gate blocks are rho times random orthogonal matrices, always the same ones for a
    seed, so moving rho only rescales them. The biases are zero: then small inputs keep the
    state near 0, where tanh is linear and the measured norm follows rho^(T - k), and large
    inputs saturate it. x (T, 1, D) is input_scale times standard normal noise, fixed by the
    seed, so that T and the scale change nothing else. The gated cells take no
    nonlinearity (theirs are fixed). The bound is a vanilla RNN's at this rho,
    (gamma * rho)^(T - k) with gamma = 1, drawn for the gated cells too for comparison.
    """
    if not isinstance(settings, GradientSettings):
        raise TypeError(f"settings: expected a GradientSettings, got {type(settings).__name__}")
    cell, rho, T, nonlinearity, input_scale = settings
    T = v.positive_int("settings.T", T)
    input_scale = v.number("settings.input_scale", input_scale, low=0)
    nonlinearity = nonlinearity if cell == "rnn" else "tanh"
    params = cells.init_params(cell, input_size, hidden_size, seed)
    params = gradients.with_spectral_radius(cell, params, rho, seed + 1)
    for key in ("bias_ih", "bias_hh"):
        params[key] = np.zeros_like(params[key])
    x = input_scale * np.random.default_rng(seed + 2).normal(size=(T, 1, input_size))
    state0 = cells.zero_state(cell, 1, hidden_size)
    norms = gradients.gradient_norms(cell, x, state0, params, nonlinearity)
    # pascanu_bound reads sigma_max of a vanilla RNN's W_hh: any rho * orthogonal one will do.
    rnn = gradients.with_spectral_radius("rnn", cells.init_params("rnn", 1, hidden_size), rho)
    return GradientCurves(norms, gradients.pascanu_bound(rnn, T, gamma=1.0))


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


def gradient_decay_state(settings, curves, steps_back):
    """The animator's state: curves by steps back, clipped, drawn up to ``steps_back``."""
    T = settings.T
    # A cursor left beyond a shorter T (before its slider follows) snaps back to T.
    steps_back = min(v.positive_int("steps_back", steps_back), T)
    shown_norms = plots.clip_for_log(plots.steps_back(curves.norms)[1], *LOG_RANGE)
    shown_bound = plots.clip_for_log(plots.steps_back(curves.bound)[1], *LOG_RANGE)
    act = f" ({settings.nonlinearity})" if settings.cell == "rnn" else ""
    caption = (f"{CELL_NAMES[settings.cell]}{act}, rho = {settings.rho:.2f}, T = {T}, "
               f"input scale {settings.input_scale:.3g}: after {steps_back} steps back "
               f"the gradient norm is {curves.norms[T - steps_back]:.2e} "
               f"(bound {curves.bound[T - steps_back]:.2e}).")
    notes = [f"measured: {_clip_note(shown_norms)}" if shown_norms.count else "",
             f"bound: {_clip_note(shown_bound)}" if shown_bound.count else ""]
    notes = "; ".join(note for note in notes if note)
    if notes:
        caption += (f" Clipped to the plot's range {LOG_RANGE[0]:.0e}..{LOG_RANGE[1]:.0e} "
                    f"and drawn at its edge: {notes}.")
    return GradientDecayState(settings, curves, steps_back, shown_norms, shown_bound, caption)


class GradientArtists(NamedTuple):
    measured: object  # Line2D: the measured norms up to the cursor
    bound: object  # Line2D: the Pascanu bound, whole
    cursor: object  # Line2D: one marker at the cursor
    clip_label: object  # Text: says "clipped" on the plot when anything is


def _gradient_axes(figure, max_T):
    ax = figure.subplots()
    ax.set_xlim(0.5, max_T + 0.5)  # the widest tick labels, for the layout solved once
    measured, = ax.plot([1], [1], color=plots.BLUE, label="measured gradient norm", zorder=3)
    bound, = ax.plot([1], [1], color=plots.BLACK, linestyle="--", linewidth=1.5,
                     label="Pascanu bound (vanilla RNN)")
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
    artists.bound.set_data(x, state.shown_bound.values)
    artists.cursor.set_data(x[n - 1:n], state.shown_norms.values[n - 1:n])
    count = state.shown_norms.count + state.shown_bound.count
    artists.clip_label.set_text(f"{count} values clipped at the edge" if count else "")
    ax.set_xlim(0.5, T + 0.5)


def gradient_decay_explorer(max_T=100, hidden_size=16, seed=0):
    """The gradient decay animator: measured gradient norms against the Pascanu bound.

    Controls: "cell" (rnn, lstm, gru), "rho" (spectral radius of W_hh, 0.5..1.5), "T"
    (5..max_T), "nonlinearity" (tanh or relu; the vanilla RNN only), "input_scale"
    (0.001..10: small keeps tanh linear, large saturates it), "steps_back" (1..T, animated by
    Play). Returns an Explorer whose state is a GradientDecayState; ``.artists`` holds the
    plotted lines.
    """
    max_T = v.positive_int("max_T", max_T)
    if max_T < 5:
        raise ValueError(f"max_T: expected at least 5, got {max_T}")
    hidden_size = v.positive_int("hidden_size", hidden_size)
    seed = v.non_negative_int("seed", seed)  # an int, not a Generator: it seeds three rngs
    T0 = min(50, max_T)
    controls = {
        "cell": widgets.ToggleButtons(options=list(CELL_NAMES), value="rnn",
                                      description="cell"),
        "rho": widgets.FloatSlider(value=0.9, min=0.5, max=1.5, step=0.05,
                                   description="rho", readout_format=".2f"),
        "T": widgets.IntSlider(value=T0, min=5, max=max_T, description="T"),
        "nonlinearity": widgets.ToggleButtons(options=["tanh", "relu"], value="tanh",
                                              description="activation"),
        "input_scale": widgets.FloatLogSlider(value=0.01, base=10, min=-3, max=1, step=0.1,
                                              description="input scale"),
        "steps_back": widgets.IntSlider(value=T0, min=1, max=T0, description="steps back"),
    }
    steps = controls["steps_back"]

    def follow_T(change):  # a new T shows its whole curve; registered before the Explorer's
        steps.max = change.new
        steps.value = change.new

    controls["T"].observe(follow_T, names="value")
    play = play_for(steps, PLAY_INTERVAL_MS["gradient"])
    memo = {}

    def compute(cell, rho, T, nonlinearity, input_scale, steps_back):
        settings = GradientSettings(cell, round(rho, 6), T, nonlinearity, input_scale)
        if settings not in memo:  # the cursor moves often; the curves change only with these
            memo.clear()
            memo[settings] = gradient_curves(settings, hidden_size, seed=seed)
        return gradient_decay_state(settings, memo[settings], steps_back)

    figure = new_figure((6.0, 3.3))
    ax, artists = _gradient_axes(figure, max_T)
    freeze_layout(figure)
    # Only the lines and the clip label change, except the x axis when T does: redraw the
    # axes then alone.
    blit = Blit(figure, artists)
    drawn = {}

    def show(explorer, state):
        _draw_gradient(ax, artists, state)
        if drawn.get("T") != state.settings.T:
            blit.redraw()
            drawn["T"] = state.settings.T
        controls["nonlinearity"].disabled = state.settings.cell != "rnn"
        explorer.image.value = blit.render()
        explorer.text.value = html.escape(state.caption)

    rows = [widgets.HBox([controls["cell"], controls["nonlinearity"]]),
            widgets.HBox([controls["rho"], controls["T"], controls["input_scale"]]),
            widgets.HBox([play, steps])]
    explorer = Explorer(rows, controls, compute, show, figure, play, name="gradient-decay")
    explorer.artists = artists
    return explorer


# ---------------------------------------------------------------------------------------------
# Gate inspector (notebook 05).

class GateRuns(NamedTuple):
    """An LSTM and a GRU run on the same input, for one batch element.

    x (T, D); lstm: {"i", "f", "g", "o", "c", "h": (T, H)}; gru: {"r", "z", "n", "h": (T, H)}.
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
        if not isinstance(params, dict) or "weight_hh" not in params:
            raise TypeError(f"{cell}_params: expected a dict of {cell} params "
                            f"(cells.init_params), got {type(params).__name__}")
        H = np.shape(params["weight_hh"])[1]  # cells.unroll checks the rest
        hs, _, caches = cells.unroll(cell, x, cells.zero_state(cell, 1, H), params)
        runs[cell] = {**plots.gate_series(caches, cell), "h": hs[:, 0]}
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
                         f"mean {at_t.mean():+.2f} | {_vector(at_t)}"))
    return f"<b>step t = {step.t}</b>{GATE_COLOURS}" + _table(rows)


GATE_COLOURS = ("<br>Colours: sigmoid gates from dark (0, closed) to yellow (1, open); "
                "tanh values, h, c and x from purple (negative) through white (0) to orange "
                "(positive). Blank: steps not taken yet.")


def _gate_axes(figure, runs):
    """One heatmap per gate: the LSTM's six on the left, the GRU's four and x on the right.

    Returns ({(cell, gate): AxesImage}, [cursor lines]).
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
    cursors = []
    for ax in left + right + [x_ax]:
        ax.set_yticks([])  # the units' indices say nothing; fewer labels also draw faster
        ax.set_xlabel("time step t" if ax in (left[-1], x_ax) else "")
        ax.tick_params(labelbottom=ax in (left[-1], x_ax))
        cursors.append(ax.axvline(1, color=plots.VERMILLION, linewidth=1.5))
    return images, cursors


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
    the GateRuns and ``.images`` the heatmaps.
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

    figure = new_figure((8.0, 6.2))
    images, cursors = _gate_axes(figure, runs)
    freeze_layout(figure)
    blit = Blit(figure, [*images.values(), *cursors])

    def show(explorer, step):
        for (cell, name), image in images.items():
            values = getattr(runs, cell)[name].T  # (H, T), as imshow drew it
            # Steps after t are masked (blank), not NaN: the data stay finite.
            later = np.broadcast_to(np.arange(T) >= step.t, values.shape)
            image.set_data(np.ma.masked_array(values, mask=later))
        for cursor in cursors:
            cursor.set_xdata([step.t, step.t])
        explorer.image.value = blit.render()
        explorer.text.value = gate_table(step)

    # Start on the whole sequence, so every gate's story is visible at once; Play replays it.
    slider = widgets.IntSlider(value=T, min=1, max=T, description="step t")
    play = play_for(slider, PLAY_INTERVAL_MS["gates"])
    explorer = Explorer([widgets.HBox([play, slider])], {"t": slider},
                        lambda t: gate_step(runs, t), show, figure, play, name="gate-inspector")
    explorer.runs, explorer.images = runs, images
    return explorer


# ---------------------------------------------------------------------------------------------
# Architecture chooser (notebook 03).

def architecture_caption(arch):
    """HTML: the architecture's name, input and output shapes and example task."""
    return _table([("architecture", arch.name), ("input x", arch.input_shape),
                   ("output y", arch.output_shape), ("example", arch.example)])


def architecture_chooser(value="many-to-one"):
    """Pick one of the five architectures; see its diagram and the shapes of its data.

    Control "architecture". Returns an Explorer whose state is a plots.Architecture. Each
    diagram is drawn once, on first view, and its PNG kept: the five differ in structure,
    so there are no artists to move, and a kept image costs nothing to show again.
    """
    v.choice("value", value, tuple(plots.ARCHITECTURES))
    figure = new_figure((5.0, 3.0))
    ax = figure.subplots()
    pngs = {}

    def show(explorer, arch):
        if arch.name not in pngs:
            ax.clear()
            plots.architecture_diagram(arch.name, ax=ax)
            pngs[arch.name] = render_png(figure)
        explorer.image.value = pngs[arch.name]
        explorer.text.value = architecture_caption(arch)

    choice = widgets.ToggleButtons(options=list(plots.ARCHITECTURES), value=value,
                                   description="architecture", style={"button_width": "auto"})
    return Explorer([choice], {"architecture": choice},
                    lambda architecture: plots.ARCHITECTURES[architecture], show, figure,
                    name="architecture-chooser")


# ---------------------------------------------------------------------------------------------
# Live model boxes (notebook 03).

class Answer(NamedTuple):
    """A model's answer to one input: output is "" when error is set, and the other way round."""

    input: object
    output: str
    error: str


def answer(predict, value):
    """Ask ``predict`` about ``value``; an exception becomes the Answer's error, not a crash.

    A widget callback that raises leaves the old answer on screen with no sign of the
    failure (the traceback goes to the browser's console), so in a live demo the error is
    shown where the answer would be.
    """
    if isinstance(value, str) and not value.strip():
        return Answer(value, "", "Type an input above.")
    try:
        output = predict(value)
    except Exception as error:  # any model failure is shown, never raised
        return Answer(value, "", f"{type(error).__name__}: {error}")
    if not isinstance(output, str):
        return Answer(value, "", f"predict returned {type(output).__name__}, expected str")
    return Answer(value, output, "")


def answer_html(result):
    """HTML of an Answer: the input it answers, then the output in bold or the error in red.

    The input is repeated so that two inputs with the same answer still look different.
    """
    if result.error:
        return f"<span style='color:{plots.VERMILLION}'>{html.escape(result.error)}</span>"
    asked = f"{html.escape(result.input)} " if isinstance(result.input, str) else ""
    return f"{asked}&rarr; <b style='font-family:monospace'>{html.escape(result.output)}</b>"


def _check_predict(predict):
    if not callable(predict):
        raise TypeError(f"predict: expected a callable, got {type(predict).__name__}")


def live_model_box(predict: Callable[[str], str], examples: Sequence[str] = (),
                   description="input", placeholder="type here"):
    """A text box whose every edit shows ``predict(text)``, e.g. a trained model's answer.

    predict: str -> str; examples: strings offered in a dropdown (picking one fills the box;
    the first fills it at the start). Control "text". Returns an Explorer whose state is
    an Answer.
    """
    _check_predict(predict)
    if isinstance(examples, str) or not all(isinstance(e, str) for e in examples):
        raise TypeError(f"examples: expected a sequence of str, got {examples!r:.80}")
    text_box = widgets.Text(value="", placeholder=placeholder, description=description,
                            continuous_update=True)
    children = [text_box]
    if examples:
        menu = widgets.Dropdown(options=list(examples), description="examples")
        widgets.dlink((menu, "value"), (text_box, "value"))
        children.insert(0, menu)

    def show(explorer, result):
        explorer.text.value = answer_html(result)

    return Explorer(children, {"text": text_box}, lambda text: answer(predict, text), show,
                    name="live-model-box", with_image=False)


def _as_pixels(image, name):
    """A picture as (height, width, 3) uint8: from (h, w), (h, w, C) or (C, h, w), C = 1 or 3.

    Floats are taken to lie in [0, 1].
    """
    array = v.as_array(name, image, finite=True)
    if array.ndim == 3 and array.shape[0] in (1, 3) and array.shape[-1] not in (1, 3):
        array = np.moveaxis(array, 0, -1)  # channels first (torch) to channels last
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.ndim == 2:
        array = np.repeat(array[..., None], 3, axis=-1)
    if array.ndim != 3 or array.shape[-1] != 3:
        raise ValueError(f"{name}: expected shape (h, w), (h, w, 3) or (3, h, w), "
                         f"got {array.shape}")
    if np.issubdtype(np.asarray(image).dtype, np.integer):
        return np.clip(array, 0, 255).astype(np.uint8)
    return (np.clip(array, 0, 1) * 255).round().astype(np.uint8)


def picture_png(image, size=128):
    """PNG bytes of a small picture scaled up to ``size`` pixels (nearest, so pixels stay)."""
    pixels = _as_pixels(image, "image")
    scale = max(1, size // max(pixels.shape[:2]))
    return png_bytes(np.repeat(np.repeat(pixels, scale, axis=0), scale, axis=1))


def image_model_box(images, predict: Callable[[object], str], labels=None, to_picture=None):
    """Pick a picture; see it and ``predict(picture)``, e.g. a trained captioning model's caption.

    images: a sequence (or array, or tensor) of N model inputs; predict receives images[i]
    exactly as given. to_picture: optional callable that turns one input into a picture,
    e.g. ``data.to_image`` for flat image vectors; without it each input is the picture.
    A picture is (h, w), (h, w, 3) or (3, h, w), floats in [0, 1] or uint8. labels: optional
    N true answers shown beside the prediction. Control "index" (0..N-1). Returns an
    Explorer whose state is an Answer (its input is the index).
    """
    _check_predict(predict)
    if to_picture is not None and not callable(to_picture):
        raise TypeError(f"to_picture: expected a callable or None, got {type(to_picture).__name__}")
    if len(images) == 0:
        raise ValueError("images: expected at least one picture, got none")
    # Each picture is drawn once, here; that also checks every one of them.
    pngs = [picture_png(image if to_picture is None else to_picture(image)) for image in images]
    if labels is not None and len(labels) != len(images):
        raise ValueError(f"labels: expected {len(images)} labels, got {len(labels)}")

    def show(explorer, result):
        explorer.image.value = pngs[result.input]
        truth = "" if labels is None else f" (true: {html.escape(str(labels[result.input]))})"
        explorer.text.value = answer_html(result) + truth

    slider = widgets.IntSlider(value=0, min=0, max=len(images) - 1, description="picture")
    return Explorer([slider], {"index": slider},
                    lambda index: answer(lambda i: predict(images[i]), index), show,
                    name="image-model-box")


# ---------------------------------------------------------------------------------------------
# Sequence window (notebook 01): slide a window over a noisy sine, or shuffle it.
#
# rnnbook.data is imported inside the two functions that need it: it imports torch, which
# the other widgets do without, and importing this module stays quick.

class WindowErrors(NamedTuple):
    """Next-value test MSE against window width, for the predictors of ``window_predictors``."""

    widths: np.ndarray  # (W,) 1 .. max_width
    in_order: np.ndarray  # (W,) predictors fitted on, and fed, windows in order
    shuffled: np.ndarray  # (W,) predictors fitted on, and fed, windows with shuffled steps
    floor: float  # the noise variance: on average no predictor can beat it


class WindowPredictors(NamedTuple):
    """weights: {(width, shuffled): (width + 1,) least-squares weights, the bias last}."""

    weights: dict
    errors: WindowErrors


class SequenceWindow(NamedTuple):
    """What the sequence window shows: the window, what a model sees of it, and its guess."""

    start: int  # the window holds steps start .. start + width - 1
    width: int
    shuffled: bool
    seen: np.ndarray  # (width,) the window's values in the order the model sees them
    target: float  # the next value, series[start + width]
    prediction: float  # the guess of the predictor that sees windows this way
    mse: float  # that predictor's test MSE at this width (over every window of the test set)


def whole_series(split):
    """Every value of a ``data.sines`` split: x's T steps, then the last target: (T + 1, N)."""
    from rnnbook import data

    if not isinstance(split, data.Split) or split.x.ndim != 3 or split.x.shape[2] != 1:
        raise TypeError(f"split: expected a split of rnnbook.data.sines(), got {split!r:.60}")
    return np.concatenate([split.x[:, :, 0].numpy(), split.y[-1:, :, 0].numpy()]).astype(float)


def next_value_windows(series, width, shuffle_seed=None):
    """Every window of ``width`` steps of series (T, N), and the value just after each.

    Returns (windows (M, width), targets (M,)), M = (T - width) * N. shuffle_seed: None
    keeps each window in order; an int or Generator shuffles each window's steps with a
    permutation of its own, as a model that ignores order would see them.
    """
    series = v.as_array("series", series, ndim=2)
    width = v.int_in_range("width", width, 1, len(series) - 1)
    windows = np.lib.stride_tricks.sliding_window_view(series[:-1], width, axis=0)
    windows = windows.reshape(-1, width)  # row s * N + n: steps s .. s + width - 1 of series n
    targets = series[width:].reshape(-1)
    if shuffle_seed is not None:
        windows = v.rng("shuffle_seed", shuffle_seed).permuted(windows, axis=1)
    return windows, targets


def fit_next_value(windows, targets):
    """Least-squares weights w (width + 1,) of the guess windows @ w[:-1] + w[-1]."""
    windows = v.as_array("windows", windows, ndim=2)
    targets = v.as_array("targets", targets, shape=(len(windows),))
    inputs = np.column_stack([windows, np.ones(len(windows))])
    # The normal equations: (width + 1)^2 numbers, quick to solve for tens of thousands of rows.
    return np.linalg.solve(inputs.T @ inputs, inputs.T @ targets)


def predict_next_value(weights, windows):
    """The guesses (M,) for windows (M, width) from ``fit_next_value``'s weights (width + 1,)."""
    windows = v.as_array("windows", windows, ndim=2)
    weights = v.as_array("weights", weights, shape=(windows.shape[1] + 1,))
    return windows @ weights[:-1] + weights[-1]


def window_predictors(train, test, max_width=12, noise=0.0, seed=0):
    """Fit a next-value predictor for every width 1..max_width, fed windows in order or
    shuffled, on the series ``train`` (T, N); score each on every window of ``test``.

    Each shuffled predictor is fitted on shuffled windows, so it is the best linear guess
    that can be made without the order, not an in-order model confused by a shuffle.
    noise: the series' noise level, whose square is WindowErrors.floor.
    """
    train, test = v.as_array("train", train, ndim=2), v.as_array("test", test, ndim=2)
    max_width = v.int_in_range("max_width", max_width, 1, min(len(train), len(test)) - 1)
    floor = v.number("noise", noise, low=0) ** 2
    shuffler = v.rng("seed", seed)
    weights, errors = {}, {False: [], True: []}
    for width in range(1, max_width + 1):
        for shuffled in (False, True):
            draw = shuffler if shuffled else None
            weights[width, shuffled] = fit_next_value(*next_value_windows(train, width, draw))
            windows, targets = next_value_windows(test, width, draw)
            guesses = predict_next_value(weights[width, shuffled], windows)
            errors[shuffled].append(float(np.mean((guesses - targets) ** 2)))
    return WindowPredictors(weights, WindowErrors(np.arange(1, max_width + 1),
                                                  np.array(errors[False]),
                                                  np.array(errors[True]), floor))


def shuffle_order(width, seed):
    """A permutation of range(width) drawn from ``seed``, never the identity (width >= 2):
    a 'shuffled' window always shows a changed order."""
    width = v.positive_int("width", width)
    draw = v.rng("seed", seed)
    while True:
        order = draw.permutation(width)
        if width == 1 or np.any(order != np.arange(width)):
            return order


def sequence_window_state(series, predictors, start, width, shuffle, seed=0):
    """The window of ``width`` steps at ``start`` of series (T,), as a model sees it: in order
    or shuffled by ``shuffle_order(width, seed)``; with that predictor's guess of the next value.

    A start too late for this width (before its slider follows) snaps back to the last one.
    """
    series = v.as_array("series", series, ndim=1)
    if not isinstance(predictors, WindowPredictors):
        raise TypeError(f"predictors: expected a WindowPredictors, got "
                        f"{type(predictors).__name__}")
    width = v.int_in_range("width", width, 1, len(predictors.errors.widths))
    if width >= len(series):
        raise ValueError(f"width: expected less than the series' {len(series)} steps, "
                         f"got {width}")
    start = min(v.non_negative_int("start", start), len(series) - 1 - width)
    if not isinstance(shuffle, (bool, np.bool_)):
        raise TypeError(f"shuffle: expected True or False, got {shuffle!r}")
    shuffle = bool(shuffle)
    order = shuffle_order(width, seed) if shuffle else np.arange(width)
    seen = series[start:start + width][order]
    prediction = float(predict_next_value(predictors.weights[width, shuffle], seen[None])[0])
    errors = predictors.errors.shuffled if shuffle else predictors.errors.in_order
    return SequenceWindow(start, width, shuffle, seen, float(series[start + width]), prediction,
                          float(errors[width - 1]))


def sequence_window_table(state, errors):
    """HTML table: the window, what the model sees, its guess, and what shuffling costs."""
    end = state.start + state.width - 1
    way = "shuffled" if state.shuffled else "in order"
    ordered, shuffled = errors.in_order[state.width - 1], errors.shuffled[state.width - 1]
    squared = (state.prediction - state.target) ** 2
    return _table([
        ("window", f"steps {state.start}..{end}: {state.width} values, {way}"),
        ("the model sees", _vector(state.seen)),
        (f"next value (step {end + 1})", f"{state.target:+.2f}; guessed {state.prediction:+.2f}"
         f" (squared error {squared:.3f})"),
        (f"test MSE at width {state.width}", f"in order {ordered:.3f}, shuffled "
         f"{shuffled:.3f} ({shuffled / ordered:.1f}x); noise floor {errors.floor:.3f}"),
    ])


def sequence_window_explorer(dataset=None, index=0, max_width=12, width=6, seed=0):
    """Slide a window over a noisy sine, or shuffle it, and watch what is lost.

    dataset: ``data.sines()`` (the default): the predictors are fitted on its training series
    and scored on its test series, whose frequencies training never saw; the window slides
    over test series ``index``. Controls: "start" (animated by Play), "width" (1..max_width),
    "shuffle" (on or off) and "seed" (which shuffle). Returns an Explorer whose state is a
    SequenceWindow; ``.series`` is the series shown, ``.predictors`` the WindowPredictors and
    ``.artists`` the plots.WindowArtists.
    """
    from rnnbook import data

    dataset = data.sines() if dataset is None else dataset
    if not isinstance(dataset, data.Dataset) or dataset.name != "sines":
        raise TypeError(f"dataset: expected rnnbook.data.sines(), got {dataset!r:.60}")
    test = whole_series(dataset.test)
    index = v.int_in_range("index", index, 0, test.shape[1] - 1)
    predictors = window_predictors(whole_series(dataset.train), test, max_width,
                                   dataset.info["noise"], seed)
    width = v.int_in_range("width", width, 1, max_width)
    series, errors = test[:, index], predictors.errors
    last = len(series) - 1  # the last start of a window of width w is last - w

    figure = new_figure((7.0, 5.2))
    top, bottom = figure.subplots(2, 1, height_ratios=[3, 2])
    artists = plots.window_axes(top, series)
    plots.window_errors(errors.widths, errors.in_order, errors.shuffled, errors.floor,
                        ax=bottom, title="Test MSE of the next-value guess, by window width")
    cursor, = bottom.plot([width], [errors.in_order[width - 1]], "o", color=plots.VERMILLION,
                          markersize=10, markerfacecolor="none", markeredgewidth=2)
    freeze_layout(figure)
    blit = Blit(figure, [*artists.artists(), cursor])  # nothing else ever changes

    def show(explorer, state):
        plots.show_window(artists, state.start, state.seen, state.prediction)
        cursor.set_data([state.width], [state.mse])
        controls["seed"].disabled = not state.shuffled
        explorer.image.value = blit.render()
        explorer.text.value = sequence_window_table(state, errors)

    controls = {
        "start": widgets.IntSlider(value=0, min=0, max=last - width, description="start"),
        "width": widgets.IntSlider(value=width, min=1, max=max_width, description="width"),
        "shuffle": widgets.ToggleButton(value=False, description="shuffle", icon="random"),
        "seed": widgets.IntSlider(value=0, min=0, max=9, description="shuffle seed"),
    }

    def follow_width(change):  # registered before the Explorer's observer, so runs first
        controls["start"].max = last - change.new  # clamps start, which updates once

    controls["width"].observe(follow_width, names="value")
    play = play_for(controls["start"], PLAY_INTERVAL_MS["window"])
    rows = [widgets.HBox([play, controls["start"], controls["width"]]),
            widgets.HBox([controls["shuffle"], controls["seed"]])]
    explorer = Explorer(rows, controls,
                        lambda start, width, shuffle, seed: sequence_window_state(
                            series, predictors, start, width, shuffle, seed),
                        show, figure, play, name="sequence-window")
    explorer.series, explorer.predictors, explorer.artists = series, predictors, artists
    return explorer
