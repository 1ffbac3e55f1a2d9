"""Figures of notebook 07: the two passes of a bidirectional RNN, accuracy by input length,
attention's alignment (as heatmaps, one row per output step).
"""

import matplotlib as mpl
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from rnnbook import _validate as v
from rnnbook.plots.style import (
    BLACK,
    BLUE,
    DIM,
    GREEN,
    GREY,
    ORANGE,
    PURPLE,
    figure_and_axes,
)

_NODE = 0.56  # side of a box, in data units (columns 1 apart)


def _box(ax, x, y, text, colour, width=_NODE):
    ax.add_patch(FancyBboxPatch((x - width / 2, y - _NODE / 2), width, _NODE,
                                boxstyle="round,pad=0.03", facecolor=colour,
                                edgecolor=BLACK, linewidth=1.0))
    ax.text(x, y, text, ha="center", va="center", fontsize=9)


def _arrow(ax, start, end, colour=BLACK):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=9, linewidth=1.0,
                                 color=colour, shrinkA=0, shrinkB=0, zorder=0.9))


def bidirectional_diagram(words, tags=None, ax=None):
    """Figure: a bidirectional RNN over ``words``: a forward pass (left to right), a backward
    pass (right to left), and at each step the two states joined, [h_fwd ; h_bwd], read by
    the tag. tags: the label drawn above each word (default '?')."""
    words = v.length("words", v.strings("words", words), low=1)
    tags = ("?",) * len(words) if tags is None else v.strings("tags", tags)
    v.length("tags", tags, exactly=len(words))
    T = len(words)
    fig, ax = figure_and_axes(ax, (1.35 * T + 1.5, 4.2))
    rows = {"x": 0.0, "fwd": 1.1, "bwd": 2.2, "join": 3.3, "y": 4.4}
    for t, (word, tag) in enumerate(zip(words, tags, strict=True)):
        _box(ax, t, rows["x"], word, BLUE, width=0.9)
        _box(ax, t, rows["fwd"], r"$\overrightarrow{h}_{%d}$" % (t + 1), ORANGE)
        _box(ax, t, rows["bwd"], r"$\overleftarrow{h}_{%d}$" % (t + 1), PURPLE)
        _box(ax, t, rows["join"], "[ ; ]", DIM, width=0.7)
        _box(ax, t, rows["y"], tag, GREEN, width=0.9)
        _arrow(ax, (t, rows["x"] + _NODE / 2), (t, rows["fwd"] - _NODE / 2))
        ax.add_patch(FancyArrowPatch((t + 0.2, rows["x"] + _NODE / 2),
                                     (t + 0.2, rows["bwd"] - _NODE / 2), arrowstyle="-|>",
                                     mutation_scale=9, linewidth=0.8, color=GREY,
                                     connectionstyle="arc3,rad=-0.25", zorder=0.8))
        _arrow(ax, (t - 0.15, rows["fwd"] + _NODE / 2), (t - 0.15, rows["join"] - _NODE / 2),
               ORANGE)
        _arrow(ax, (t, rows["bwd"] + _NODE / 2), (t, rows["join"] - _NODE / 2), PURPLE)
        _arrow(ax, (t, rows["join"] + _NODE / 2), (t, rows["y"] - _NODE / 2))
        if t + 1 < T:
            _arrow(ax, (t + _NODE / 2, rows["fwd"]), (t + 1 - _NODE / 2, rows["fwd"]), ORANGE)
            _arrow(ax, (t + 1 - _NODE / 2, rows["bwd"]), (t + _NODE / 2, rows["bwd"]), PURPLE)
    labels = {"x": "input", "fwd": "forward pass", "bwd": "backward pass",
              "join": "joined (2H)", "y": "tag"}
    for row, y in rows.items():
        ax.text(-0.75, y, labels[row], ha="right", va="center", fontsize=9)
    ax.set(xlim=(-2.6, T - 0.3), ylim=(-0.5, 4.9), aspect="equal")
    ax.set_title("A bidirectional RNN: two passes, joined at every step")
    ax.axis("off")
    return fig


def accuracy_by_length(lengths, curves, ax=None, title="Copying: accuracy by input length"):
    """Figure: exact-match accuracy (0..1) against input length, one line per model.

    lengths (L,); curves {name: (L,) accuracies}."""
    lengths = v.as_array("lengths", lengths, ndim=1)
    v.length("curves", v.instance("curves", curves, dict, "a dict name -> accuracies"), low=1)
    fig, ax = figure_and_axes(ax, (6.4, 3.6))
    for name, acc in curves.items():
        ax.plot(lengths, v.as_array(f"curves[{name!r}]", acc, shape=lengths.shape), "o-",
                label=name)
    ax.set(xlabel="input length", ylabel="outputs exactly right", ylim=(-0.03, 1.03),
           title=title)
    ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
    ax.legend()
    return fig


def alignment(weights, source, output, ax=None, title=None, colorbar=True):
    """Figure: attention weights (T', S) as a heatmap: one row per output token (``output``,
    T' labels), one column per source token (``source``, S labels); each row sums to 1."""
    weights = v.as_array("weights", weights, shape=(len(output), len(source)))  # (T', S)
    fig, ax = figure_and_axes(ax, (0.35 * len(source) + 1.6, 0.35 * len(output) + 1.2))
    image = ax.imshow(weights, cmap="viridis", vmin=0, vmax=1, aspect="equal",
                      interpolation="nearest")
    ax.set_xticks(range(len(source)), list(source))
    ax.set_yticks(range(len(output)), list(output))
    ax.set(xlabel="source (encoder steps)", ylabel="output (decoder steps)")
    ax.set_title(title or "Where each output step attends")
    ax.grid(False)
    if colorbar:
        fig.colorbar(image, ax=ax, fraction=0.05, pad=0.02, label="attention weight")
    return fig

