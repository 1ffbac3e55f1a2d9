"""The course's plot style and figures.

``use_style()`` is called once by ``rnnbook.setup_notebook()`` in each notebook's first cell.

Every figure function takes data and either draws on a given ``ax=`` (and returns that axes'
figure) or makes a new Figure and returns it. New figures are closed in pyplot straight away,
so a notebook shows a figure once, as the value of its cell, and many calls never leak figures.

Shapes use the letters of the package docstring: T time, B batch, D input, H hidden, V vocab.
"""

from typing import NamedTuple

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle

from rnnbook import _validate as v

# Okabe & Ito (2008): eight colours that stay distinct under every common colour-vision
# deficiency. Blue and orange first, because most plots compare two things.
OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)
BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY, YELLOW, BLACK = OKABE_ITO
DIM = "#E8E8E8"  # a node not reached yet
GREY = "#BBBBBB"  # data drawn as a backdrop for what moves over it

STYLE = {
    "axes.prop_cycle": mpl.cycler(color=OKABE_ITO),
    "image.cmap": "viridis",  # perceptually uniform and colourblind-safe
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "lines.linewidth": 2.0,
    "figure.constrained_layout.use": True,
}


def use_style():
    """Apply the course style to matplotlib's global rcParams (idempotent)."""
    mpl.rcParams.update(STYLE)


def _new_figure(nrows=1, ncols=1, **kwargs):
    """(figure, axes) of ``plt.subplots(nrows, ncols, **kwargs)``, closed in pyplot."""
    fig, axes = plt.subplots(nrows, ncols, **kwargs)
    plt.close(fig)  # the caller shows it by returning it; closing stops pyplot showing it twice
    return fig, axes


def _figure_and_axes(ax, figsize):
    """Return (figure, axes): ``ax`` and its figure, or a new one-axes figure."""
    if ax is not None:
        if not isinstance(ax, mpl.axes.Axes):
            raise TypeError(f"ax: expected a matplotlib Axes or None, got {type(ax).__name__}")
        return ax.figure, ax
    return _new_figure(figsize=figsize)


# ---------------------------------------------------------------------------------------------
# Diagrams: the unrolled graph and the five architectures share one way of drawing a chain.

NODE = 0.6  # side of a node's box, in data units; columns are 1 apart, rows 1 apart
ROW = {"x": 0.0, "h": 1.0, "y": 2.0}
ROW_COLOUR = {"x": BLUE, "h": ORANGE, "y": GREEN}


class Chain(NamedTuple):
    """The artists of a drawn chain, so that a widget can recolour them (see ``light_up``).

    x, h, y: {step: FancyBboxPatch}; h may hold step 0, the initial state h_0.
    labels: the nodes' Text labels, which sit on top of the boxes.
    """

    x: dict
    h: dict
    y: dict
    labels: list

    def artists(self):
        """Every box, then every label: the order that draws the labels on top."""
        return [*self.x.values(), *self.h.values(), *self.y.values(), *self.labels]


def _node(ax, cx, cy, text, colour, chain=None, row=None, step=None):
    """A labelled box at (cx, cy); kept in ``chain`` (row "x", "h" or "y", step) if given."""
    box = FancyBboxPatch(
        (cx - NODE / 2, cy - NODE / 2), NODE, NODE, boxstyle="round,pad=0.04",
        facecolor=colour, edgecolor=BLACK, linewidth=1.0,
    )
    ax.add_patch(box)
    label = ax.text(cx, cy, text, ha="center", va="center", fontsize=10)
    if chain is not None:
        getattr(chain, row)[step] = box
        chain.labels.append(label)


def _arrow(ax, start, end, text=None, rad=0.0):
    ax.add_patch(FancyArrowPatch(
        start, end, arrowstyle="-|>", mutation_scale=9, linewidth=1.0, color=BLACK,
        connectionstyle=f"arc3,rad={rad}", shrinkA=0, shrinkB=0,
        zorder=0.9,  # under the boxes it touches, whichever is drawn first
    ))
    if text:
        mid = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2 + 0.12)
        ax.text(*mid, text, ha="center", va="bottom", fontsize=8)


def _draw_chain(ax, steps, x_steps, y_steps, x0=0.0, h0=False, subscripts=True, h_colours=None):
    """Draw x (bottom), h (middle) and y (top) nodes for ``steps`` columns; return a Chain.

    Step s (1-based) sits at column x0 + s. h_colours: {step: colour} overrides orange.
    """
    half = NODE / 2
    name = (lambda n, s: f"${n}_{{{s}}}$") if subscripts else (lambda n, s: f"${n}$")
    chain = Chain({}, {}, {}, [])
    if h0:
        _node(ax, x0, ROW["h"], name("h", 0), ORANGE, chain, "h", 0)
    for s in range(1, steps + 1):
        cx = x0 + s
        colour = (h_colours or {}).get(s, ORANGE)
        _node(ax, cx, ROW["h"], name("h", s), colour, chain, "h", s)
        if s > 1 or h0:
            _arrow(ax, (cx - 1 + half, ROW["h"]), (cx - half, ROW["h"]))
        if s in x_steps:
            _node(ax, cx, ROW["x"], name("x", s), BLUE, chain, "x", s)
            _arrow(ax, (cx, ROW["x"] + half), (cx, ROW["h"] - half))
        if s in y_steps:
            _node(ax, cx, ROW["y"], name("y", s), GREEN, chain, "y", s)
            _arrow(ax, (cx, ROW["h"] + half), (cx, ROW["y"] - half))
    return chain


def light_up(chain, step):
    """Colour the chain's nodes up to ``step``, dim later ones, and outline ``step`` in bold.

    step: 0 lights only h_0; len(chain.h) or more lights everything.
    """
    for row, nodes in (("x", chain.x), ("h", chain.h), ("y", chain.y)):
        for s, box in nodes.items():
            box.set_facecolor(ROW_COLOUR[row] if s <= step else DIM)
            box.set_linewidth(3.5 if s == step else 1.0)


def _diagram_axes(ax, xlim, title):
    ax.set_xlim(*xlim)
    ax.set_ylim(-0.75, 2.75)
    ax.set_aspect("equal")
    ax.set_axis_off()  # a diagram has no data axes; its rows are labelled in place instead
    ax.set_title(title)


def _draw_loop(ax, cx):
    """The folded RNN: x -> h -> y with a self-loop on h labelled W_hh."""
    half = NODE / 2
    _node(ax, cx, ROW["x"], "$x_t$", BLUE)
    _node(ax, cx, ROW["h"], "$h_t$", ORANGE)
    _node(ax, cx, ROW["y"], "$y_t$", GREEN)
    _arrow(ax, (cx, ROW["x"] + half), (cx, ROW["h"] - half))
    _arrow(ax, (cx, ROW["h"] + half), (cx, ROW["y"] - half))
    _arrow(ax, (cx + half, ROW["h"] + 0.15), (cx + half, ROW["h"] - 0.15), rad=-2.2)
    ax.text(cx + half + 0.45, ROW["h"], "$W_{hh}$", ha="left", va="center", fontsize=9)


def unrolled_axes(ax, T):
    """Draw the RNN loop and, right of it, its graph unrolled over T steps; return the Chain.

    The chain's nodes start all dim: call ``light_up(chain, t)`` to light steps 1..t.
    """
    T = v.positive_int("T", T)
    _draw_loop(ax, 0.0)
    ax.text(1.75, ROW["h"], "=", ha="center", va="center", fontsize=16)
    start = 2.8  # h_0 sits here, step t at start + t
    chain = _draw_chain(ax, T, range(1, T + 1), range(1, T + 1), x0=start, h0=True)
    for row, label in (("x", "input"), ("h", "hidden"), ("y", "output")):
        ax.text(start + T + 0.55, ROW[row], label, ha="left", va="center", fontsize=9)
    _diagram_axes(ax, (-0.6, start + T + 1.6), f"The RNN loop, unrolled over T = {T} steps")
    return chain


def rnn_graph(T, step=None, ax=None):
    """Figure: the RNN loop and its unrolled graph over T steps, lit up to ``step``.

    step: int in 0..T lights h_0 and steps 1..step and outlines ``step``; None lights all.
    """
    T = v.positive_int("T", T)
    if step is not None:
        step = v.int_in_range("step", step, 0, T)
    fig, ax = _figure_and_axes(ax, (0.75 * (T + 4), 2.8))
    chain = unrolled_axes(ax, T)
    light_up(chain, T + 1 if step is None else step)
    return fig


class Architecture(NamedTuple):
    """One of the five input/output architectures, as drawn by ``architecture_diagram``.

    steps: columns drawn; x_steps, y_steps: the steps that take an input / emit an output;
    decoder_from: seq2seq's first decoder step (None otherwise).
    """

    name: str
    steps: int
    x_steps: tuple
    y_steps: tuple
    input_shape: str
    output_shape: str
    example: str
    decoder_from: int | None = None


ARCHITECTURES = {
    a.name: a
    for a in (
        Architecture("one-to-one", 1, (1,), (1,), "(B, D)", "(B, V)",
                     "a single input to a single output, with no recurrence: the baseline"),
        Architecture("one-to-many", 4, (1,), (1, 2, 3, 4), "(B, D)", "(T, B, V)",
                     "caption a small synthetic image with a few words"),
        Architecture("many-to-one", 4, (1, 2, 3, 4), (4,), "(T, B, D)", "(B, V)",
                     "the sentiment of a sentence, with negation and intensifiers"),
        Architecture("many-to-many (synced)", 4, (1, 2, 3, 4), (1, 2, 3, 4),
                     "(T, B, D)", "(T, B, V)",
                     "a label for each step: the sense of each ambiguous word"),
        Architecture("seq2seq", 6, (1, 2, 3), (4, 5, 6), "(T_in, B, D)", "(T_out, B, V)",
                     "translate a date: '25 November 2026' to '2026-11-25'", decoder_from=4),
    )
}


def architecture_diagram(name, ax=None):
    """Figure: the named architecture's unrolled diagram with its input and output shapes.

    name: one of ARCHITECTURES ("one-to-one", "one-to-many", "many-to-one",
    "many-to-many (synced)", "seq2seq").
    """
    arch = ARCHITECTURES[v.choice("name", name, tuple(ARCHITECTURES))]
    fig, ax = _figure_and_axes(ax, (5.5, 3.4))
    decoder = {s: PURPLE for s in range(arch.decoder_from or arch.steps + 1, arch.steps + 1)}
    _draw_chain(ax, arch.steps, arch.x_steps, arch.y_steps, subscripts=False, h_colours=decoder)
    if arch.decoder_from:
        ax.text(arch.decoder_from - 0.5, ROW["h"] - 0.5, "context", ha="center", fontsize=8)
        ax.text(1 + (arch.decoder_from - 2) / 2, ROW["y"], "encoder", ha="center", fontsize=9)
        ax.text((arch.decoder_from + arch.steps) / 2, ROW["x"], "decoder", ha="center",
                fontsize=9)
    left, right = 0.3, arch.steps + 0.7
    ax.text((left + right) / 2, ROW["x"] - 0.55, f"input x: {arch.input_shape}",
            ha="center", va="top", fontsize=9)
    ax.text((left + right) / 2, ROW["y"] + 0.55, f"output y: {arch.output_shape}",
            ha="center", va="bottom", fontsize=9)
    _diagram_axes(ax, (min(left, 0.3) - 0.9, max(right, 2.0) + 0.9), arch.name)
    return fig


# ---------------------------------------------------------------------------------------------
# Heatmaps of hidden states and gates over time.

# The gate fields of each gated cell's cache, and the range each one lives in: sigmoid gates
# in [0, 1], tanh candidates in [-1, 1]; the LSTM cell state c is unbounded (None).
GATES = {"lstm": ("i", "f", "g", "o", "c"), "gru": ("r", "z", "n")}
GATE_RANGE = {"i": (0, 1), "f": (0, 1), "o": (0, 1), "r": (0, 1), "z": (0, 1),
              "g": (-1, 1), "n": (-1, 1), "h": (-1, 1), "c": None}
GATE_TITLE = {"i": "input gate i", "f": "forget gate f", "g": "candidate g",
              "o": "output gate o", "c": "cell state c", "r": "reset gate r",
              "z": "update gate z", "n": "candidate n", "h": "hidden state h"}


def gate_series(caches, cell, batch_index=0):
    """Collect each gate over time from an unroll's caches.

    caches: list of T per-step NamedTuples with (B, H) fields, as ``cells.unroll`` returns.
    Returns {gate name: (T, H) array} for the gates in GATES[cell], for one batch element.
    """
    names = GATES[v.choice("cell", cell, tuple(GATES))]
    if not isinstance(caches, (list, tuple)) or not caches:
        raise TypeError(f"caches: expected a non-empty list of step caches, got {caches!r:.60}")
    missing = [n for n in names if not hasattr(caches[0], n)]
    if missing:
        raise ValueError(f"caches: expected {cell} caches with fields {names}, missing {missing}")
    return {n: np.stack([np.asarray(getattr(c, n))[batch_index] for c in caches]) for n in names}


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
    fig, ax = _figure_and_axes(ax, (6.0, 2.6))
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
    """Figure: one heatmap per gate of an LSTM or GRU unroll, stacked, sharing the time axis.

    caches: list of T step caches from ``cells.unroll``; axes: optional sequence of one
    Axes per gate in GATES[cell] (a new figure otherwise). Sigmoid gates are coloured on
    [0, 1] (closed to open), tanh candidates on [-1, 1], the cell state c symmetrically.
    """
    series = gate_series(caches, cell, batch_index)
    if axes is None:
        fig, axes = _new_figure(len(series), 1, sharex=True, figsize=(6.0, 1.3 * len(series)))
    elif len(axes) != len(series):
        raise ValueError(f"axes: expected {len(series)} axes for {cell}, got {len(axes)}")
    for ax, (name, values) in zip(axes, series.items(), strict=True):
        vmin, vmax = gate_limits(name, values)
        heatmap(values, ax=ax, title=GATE_TITLE[name], ylabel="unit", vmin=vmin, vmax=vmax,
                colorbar=colorbar)
        ax.set_xlabel("")
    axes[-1].set_xlabel("time step t")
    return axes[0].figure


# ---------------------------------------------------------------------------------------------
# Gradient norm against steps back in time.

class Clipped(NamedTuple):
    """Values made drawable on a log axis: ``values`` within [low, high], and how many moved."""

    values: np.ndarray
    below: int  # were < low, or exactly 0 (a dead ReLU stops the gradient completely)
    above: int  # were > high
    nonfinite: int  # were inf or NaN (overflow); drawn at ``high``

    @property
    def count(self):
        return self.below + self.above + self.nonfinite


def clip_for_log(values, low=1e-30, high=1e30):
    """Clip ``values`` into [low, high] so a log axis never shows a gap; NaN goes to ``high``.

    A log axis cannot draw 0, inf or NaN: it silently leaves a gap, which reads as "no data".
    """
    values = v.as_array("values", values, finite=False)
    nonfinite = ~np.isfinite(values)
    safe = np.where(nonfinite, high, values)
    below, above = safe < low, safe > high
    return Clipped(np.clip(safe, low, high), int(below.sum()), int((above & ~nonfinite).sum()),
                   int(nonfinite.sum()))


def steps_back(values):
    """Reorder a (T,) series indexed by step k (as ``gradient_norms`` returns it) by steps back.

    Entry k of ``gradient_norms`` has passed T - k steps, so entry T-1 comes first (1 step
    back) and entry 0 last (T steps back). Returns (steps 1..T, values in that order).
    """
    values = v.as_array("values", values, ndim=1, finite=False)
    return np.arange(1, len(values) + 1), values[::-1]


def gradient_decay(norms, bound=None, ax=None, title="Gradient norm vs steps back in time",
                   low=1e-30, high=1e30):
    """Figure: measured gradient norms against steps back, log scale, with the Pascanu bound.

    norms: {label: (T,) array} in ``gradients.gradient_norms`` order (entry k = norm reaching
    the state before step k), one line per cell; bound: optional (T,) array in the same order,
    e.g. ``gradients.pascanu_bound``, drawn dashed. Values outside [low, high] are clipped
    and the line's label says so.
    """
    if not isinstance(norms, dict) or not norms:
        raise TypeError(f"norms: expected a non-empty dict {{label: (T,) array}}, "
                        f"got {norms!r:.60}")
    fig, ax = _figure_and_axes(ax, (6.0, 3.6))
    curves = dict(norms) if bound is None else {**norms, "Pascanu bound": bound}
    for label, values in curves.items():
        x, y = steps_back(values)
        clipped = clip_for_log(y, low, high)
        suffix = f" ({clipped.count} clipped)" if clipped.count else ""
        style = {"linestyle": "--", "color": BLACK} if label == "Pascanu bound" else {}
        ax.plot(x, clipped.values, label=label + suffix, **style)
    ax.set_yscale("log")
    ax.set_title(title)
    ax.set_xlabel("steps back in time, T - k")
    ax.set_ylabel(r"gradient norm $\|\partial L / \partial h_k\|$")
    ax.legend()
    return fig


# ---------------------------------------------------------------------------------------------
# Training curves.

def _series(history, name, **checks):
    """history[name] (dict) or history.name (object) as a float array; None if absent or empty."""
    value = history.get(name) if isinstance(history, dict) else getattr(history, name, None)
    if value is None or len(value) == 0:
        return None
    if isinstance(value, range):
        value = list(value)
    return v.as_array(f"history.{name}", value, ndim=1, **checks)


def _paired(history, values_name, steps_name, default_steps, **checks):
    """(steps, values) of a series, or (None, None) if absent; steps default to default_steps
    (None: the steps are required)."""
    values = _series(history, values_name, **checks)
    if values is None:
        return None, None
    steps = _series(history, steps_name)
    if steps is None and default_steps is None:
        raise ValueError(f"history.{steps_name}: expected the step of each of "
                         f"history.{values_name}, got none")
    steps = default_steps if steps is None else steps
    if len(values) != len(steps):
        raise ValueError(f"history.{values_name}: expected one value per step ({len(steps)}), "
                         f"got {len(values)}; give history.{steps_name} if it was measured "
                         f"at other steps")
    return steps, values


LOSS_METRICS = ("mse", "loss")  # scores drawn on the loss axis; any other metric is a fraction


def training_curves(history, ax=None, title="Training curves", logy=False):
    """Figure: loss (left axis) and accuracy and test scores (right axis) against steps.

    history: duck-typed; any object with these attributes (e.g. ``train.History``), or a dict
    with these keys; lists, ranges, arrays and tensors all do, and an empty one is absent:
        loss            one value per step (required); NaN/inf (a diverged run) leave gaps
        steps           the step of each loss value (default 1, 2, 3, ...: after step 1)
        accuracy        optional fractions in [0, 1], one per step
        accuracy_steps  the step of each accuracy value (default: ``steps``)
        scores          optional test scores, at ``eval_steps`` (required with them)
        metric          the scores' name (default "score"); "mse" or "loss" put them on the
                        loss axis, any other name on the fractions' axis
    """
    loss = _series(history, "loss", finite=False)
    if loss is None:
        raise TypeError(f"history: expected a non-empty .loss or ['loss'], "
                        f"got {type(history).__name__}")
    steps, loss = _paired(history, "loss", "steps", np.arange(1, len(loss) + 1), finite=False)
    acc_steps, accuracy = _paired(history, "accuracy", "accuracy_steps", steps)
    eval_steps, scores = _paired(history, "scores", "eval_steps", None)
    metric = (history.get("metric") if isinstance(history, dict)
              else getattr(history, "metric", None)) or "score"
    fig, ax = _figure_and_axes(ax, (6.0, 3.4))
    lines = ax.plot(steps, loss, color=BLUE, label="loss")
    if logy:
        ax.set_yscale("log")
    ax.set_title(title)
    ax.set_xlabel("training step")
    ax.set_ylabel("loss")
    right = None
    if accuracy is not None or (scores is not None and metric not in LOSS_METRICS):
        right = ax.twinx()
        right.grid(False)
        right.set_ylabel("fraction")
        right.set_ylim(0, 1.02)
    if accuracy is not None:
        lines += right.plot(acc_steps, accuracy, color=ORANGE, linestyle="--",
                            label="accuracy (training batch)")
    if scores is not None:
        target = ax if metric in LOSS_METRICS else right
        lines += target.plot(eval_steps, scores, "o-", color=GREEN, label=f"test {metric}")
    ax.legend(lines, [line.get_label() for line in lines], loc="center right")
    return fig


# ---------------------------------------------------------------------------------------------
# Notebook 04: gradient decay in several settings side by side, and gradient clipping.

def gradient_decay_panels(panels, low=1e-30, high=1e30):
    """Figure: one ``gradient_decay`` panel per setting, side by side, sharing the log y axis.

    panels: {title: (norms, bound)}, each pair as ``gradient_decay`` takes them (bound may be
    None), e.g. one panel per spectral radius; each panel's measured line is "measured".
    """
    if not isinstance(panels, dict) or not panels:
        raise TypeError(f"panels: expected a non-empty dict {{title: (norms, bound)}}, "
                        f"got {panels!r:.60}")
    for title, pair in panels.items():
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise TypeError(f"panels[{title!r}]: expected a pair (norms, bound), "
                            f"got {pair!r:.60}")
    fig, axes = _new_figure(1, len(panels), sharey=True, squeeze=False,
                            figsize=(3.3 * len(panels) + 0.7, 3.4))
    for ax, (title, (norms, bound)) in zip(axes[0], panels.items(), strict=True):
        gradient_decay({"measured": norms}, bound, ax=ax, title=title, low=low, high=high)
    for ax in axes[0, 1:]:
        ax.set_ylabel("")  # the shared y axis is labelled once, on the left
    return fig


def clipping_curves(runs, clip=None, title="Gradient clipping"):
    """Figure: each run's gradient norm (before clipping, left) and training loss (right).

    runs: {label: history}, each with one ``grad_norm`` and one ``loss`` per step, e.g. a
    ``train.History``. clip: the clipping threshold, drawn dotted on the left. Both panels
    use a log scale, so that spikes and a slow loss both show.
    """
    if not isinstance(runs, dict) or not runs:
        raise TypeError(f"runs: expected a non-empty dict {{label: history}}, got {runs!r:.60}")
    clip = None if clip is None else v.number("clip", clip, low=0)
    fig, (left, right) = _new_figure(1, 2, figsize=(10.0, 3.4))
    for label, history in runs.items():
        for ax, name in ((left, "grad_norm"), (right, "loss")):
            values = _series(history, name, finite=False)
            if values is None:
                raise TypeError(f"runs[{label!r}]: expected a history with .{name} or "
                                f"['{name}'], got {type(history).__name__}")
            ax.plot(np.arange(1, len(values) + 1), values, label=label, linewidth=1.2)
    if clip is not None:
        left.axhline(clip, color=BLACK, linestyle=":", label=f"clip = {clip:g}")
    for ax, ylabel in ((left, "gradient norm (before clipping)"), (right, "training loss")):
        ax.set_yscale("log")
        ax.set_xlabel("training step")
        ax.set_ylabel(ylabel)
        ax.legend()
    fig.suptitle(title)
    return fig


# ---------------------------------------------------------------------------------------------
# Notebook 01: a window over a sequence, and what a model loses without the order.

class WindowArtists(NamedTuple):
    """A window drawn over a series (by ``window_axes``), moved by ``show_window``."""

    series: np.ndarray  # (T,) the values drawn in grey
    line: object  # Line2D: the series, drawn over the span (so it moves with it in a blit)
    span: object  # Rectangle: the steps inside the window
    seen: object  # Line2D: the window's values in the order a model sees them
    target: object  # Line2D: one marker, the value just after the window
    prediction: object  # Line2D: one marker, a model's guess of that value

    def artists(self):
        """The artists a moving window redraws, in drawing order: the series' line lies on the
        span, so it is drawn again after it."""
        return [self.span, self.line, self.seen, self.target, self.prediction]


def window_axes(ax, series, title="What a model sees through the window"):
    """Draw a series (T,) in grey on ``ax``; return its WindowArtists, empty until
    ``show_window`` places the window. The y limits are fixed from the series, so that a
    moving window never rescales the axes.
    """
    series = v.as_array("series", series, ndim=1)
    steps = np.arange(len(series))
    line, = ax.plot(steps, series, ".-", color=GREY, linewidth=1.0, label="the series")
    # zorder 1.6: above the grid (1.5), below the lines (2), in a full draw as in a blit
    span = Rectangle((0, 0), 0, 1, transform=ax.get_xaxis_transform(), facecolor=SKY,
                     alpha=0.25, linewidth=0, zorder=1.6)
    ax.add_patch(span)
    seen, = ax.plot([], [], "o-", color=BLUE, markersize=5, label="the model sees")
    target, = ax.plot([], [], "o", color=BLACK, markerfacecolor="none", markersize=10,
                      markeredgewidth=1.5, label="next value")
    prediction, = ax.plot([], [], "X", color=VERMILLION, markersize=9, label="its guess")
    low, high = series.min(), series.max()
    margin = 0.15 * (high - low) + 1e-9
    ax.set_ylim(low - margin, high + margin)
    ax.set_xlim(-0.5, len(series) - 0.5)
    ax.set_xlabel("time step t")
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))  # outside: the window goes anywhere
    return WindowArtists(series, line, span, seen, target, prediction)


def show_window(artists, start, seen, prediction=None):
    """Place the window at steps start .. start + len(seen) - 1 of the series.

    seen: (width,) the values the model sees, in its order (a shuffled window shows them
    scrambled in place); the next value, series[start + width], is marked if it exists, and
    ``prediction`` beside it (None: no marker).
    """
    seen = v.as_array("seen", seen, ndim=1)
    width, T = len(seen), len(artists.series)
    if not 1 <= width <= T:
        raise ValueError(f"seen: expected 1 to {T} values (the series' length), got {width}")
    start = v.int_in_range("start", start, 0, T - width)
    artists.span.set_x(start - 0.5)
    artists.span.set_width(width)
    artists.seen.set_data(start + np.arange(width), seen)
    after = [start + width] if start + width < T else []
    artists.target.set_data(after, artists.series[after])
    if prediction is None or not after:
        artists.prediction.set_data([], [])
    else:
        artists.prediction.set_data(after, [v.number("prediction", prediction)])


def sequence_window(series, start, seen, prediction=None, ax=None,
                    title="What a model sees through the window"):
    """Figure: a series (T,) with a window at ``start`` and what a model sees in it.

    seen: (width,) the window's values in the order the model sees them; prediction: a
    model's guess of the next value (optional). See ``show_window``.
    """
    fig, ax = _figure_and_axes(ax, (7.0, 3.0))
    show_window(window_axes(ax, series, title), start, seen, prediction)
    return fig


def window_errors(widths, in_order, shuffled, floor=None, width=None, ax=None,
                  title="Next-value error: in order vs shuffled"):
    """Figure: test MSE of next-value predictions against the window's width, log scale.

    widths (W,); in_order, shuffled (W,): the MSE of predictors that see each window in
    order and shuffled. floor: the noise variance, drawn dashed (no predictor beats it on
    average); width: a window width to mark with a dotted line.
    """
    widths = v.as_array("widths", widths, ndim=1)
    curves = {"in order": (in_order, BLUE), "shuffled": (shuffled, ORANGE)}
    fig, ax = _figure_and_axes(ax, (5.0, 3.0))
    for label, (values, colour) in curves.items():
        values = v.as_array(label.replace(" ", "_"), values, shape=widths.shape)
        ax.plot(widths, values, "o-", color=colour, markersize=4, label=label)
    if floor is not None:
        ax.axhline(v.number("floor", floor, low=0), color=BLACK, linestyle="--", linewidth=1.0,
                   label="noise floor")
    if width is not None:
        ax.axvline(v.number("width", width), color=VERMILLION, linestyle=":", linewidth=1.5)
    ax.set_yscale("log")
    ax.set_xlabel("window width (values seen)")
    ax.set_ylabel("test MSE")
    ax.set_title(title)
    ax.legend(loc="center right")
    return fig
