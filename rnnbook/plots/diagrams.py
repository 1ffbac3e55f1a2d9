"""Diagrams: the RNN loop, its unrolled graph and the five input/output architectures.

All of them share one way of drawing a chain of x (bottom), h (middle) and y (top) nodes;
``unrolled_axes`` returns the chain's artists so that a widget can light it up step by step.
"""

from typing import NamedTuple

from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from rnnbook import _validate as v
from rnnbook import models
from rnnbook.plots.style import BLACK, BLUE, DIM, GREEN, ORANGE, PURPLE, figure_and_axes

NODE = 0.5  # side of a node's box, in data units; columns are 1 apart, rows 1 apart
ROW = {"x": 0.0, "h": 1.0, "y": 2.0}
ROW_COLOUR = {"x": BLUE, "h": ORANGE, "y": GREEN}


class Chain(NamedTuple):
    """The artists of a drawn chain, so that a widget can recolour them (see ``light_up``).

    x, h, y: {step: FancyBboxPatch}; h may hold step 0, the initial state h_0.
    labels: the Text labels that sit on top of the boxes: the nodes' (and the weights').
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


def _arrow(ax, start, end, text=None, rad=0.0, colour=BLACK, linestyle="-", gid=None):
    arrow = FancyArrowPatch(
        start, end, arrowstyle="-|>", mutation_scale=9, linewidth=1.0, color=colour,
        connectionstyle=f"arc3,rad={rad}", shrinkA=0, shrinkB=0, linestyle=linestyle,
        zorder=0.9,  # under the boxes it touches, whichever is drawn first
    )
    arrow.set_gid(gid)  # tests find the decoder's "feedback" and "context" arrows by it
    ax.add_patch(arrow)
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
        if 0 in x_steps:  # an input that sets h_0 (the one-to-many's image)
            _node(ax, x0, ROW["x"], name("x", 0), BLUE, chain, "x", 0)
            _arrow(ax, (x0, ROW["x"] + half), (x0, ROW["h"] - half))
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


# The three weight matrices, named on every arrow that applies them: one set serves every step.
WEIGHT_LABELS = {"ih": "$W_{ih}$", "hh": "$W_{hh}$", "hy": "$W_{hy}$"}


def _weight_label(ax, x, y, which, **kwargs):
    """The name of weight ``which`` ("ih", "hh" or "hy") at (x, y), in the weights' colour."""
    style = {"ha": "left", "va": "center", "fontsize": 9, **kwargs}
    return ax.text(x, y, WEIGHT_LABELS[which], color=PURPLE, gid=f"W_{which}", **style)


def _draw_loop(ax, cx):
    """The folded RNN: x -> h -> y with a self-loop on h, each arrow named by its weight."""
    half = NODE / 2
    _node(ax, cx, ROW["x"], "$x_t$", BLUE)
    _node(ax, cx, ROW["h"], "$h_t$", ORANGE)
    _node(ax, cx, ROW["y"], "$y_t$", GREEN)
    _arrow(ax, (cx, ROW["x"] + half), (cx, ROW["h"] - half))
    _arrow(ax, (cx, ROW["h"] + half), (cx, ROW["y"] - half))
    _arrow(ax, (cx + half, ROW["h"] + 0.15), (cx + half, ROW["h"] - 0.15), rad=-2.2)
    _weight_label(ax, cx + half + 0.45, ROW["h"], "hh", fontsize=9)
    _weight_label(ax, cx + 0.06, (ROW["x"] + ROW["h"]) / 2, "ih")
    _weight_label(ax, cx + 0.06, (ROW["h"] + ROW["y"]) / 2, "hy")


def _label_weights(ax, x0, T):
    """Name W_ih, W_hh and W_hy on every arrow of the chain unrolled from column x0 (h_0);
    return the Text labels."""
    labels = []
    for s in range(1, T + 1):
        cx = x0 + s
        # W_ih beside its arrow, clear of x's border (bold when lit), and W_hh just under its
        # arrow, between the h boxes: so that no label meets a neighbour or a box.
        labels += [
            _weight_label(ax, cx + 0.06, ROW["x"] + NODE / 2 + 0.22, "ih"),
            _weight_label(ax, cx + 0.06, (ROW["h"] + ROW["y"]) / 2, "hy"),
            _weight_label(ax, cx - 0.5, ROW["h"] - NODE / 2 + 0.17, "hh", ha="center", va="top"),
        ]
    return labels


def unrolled_axes(ax, T):
    """Draw the RNN loop and, right of it, its graph unrolled over T steps; return the Chain.

    Every step's arrows are named W_ih, W_hh and W_hy: the same three matrices at every step.

    The chain's nodes start all dim: call ``light_up(chain, t)`` to light steps 1..t.
    """
    T = v.positive_int("T", T)
    _draw_loop(ax, 0.0)
    ax.text(1.75, ROW["h"], "=", ha="center", va="center", fontsize=16)
    start = 2.8  # h_0 sits here, step t at start + t
    chain = _draw_chain(ax, T, range(1, T + 1), range(1, T + 1), x0=start, h0=True)
    # On top of the boxes they touch, also when a widget redraws only the chain's artists.
    chain.labels.extend(_label_weights(ax, start, T))
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
    fig, ax = figure_and_axes(ax, (0.9 * (T + 4), 3.2))
    chain = unrolled_axes(ax, T)
    light_up(chain, T + 1 if step is None else step)
    return fig


class Architecture(NamedTuple):
    """One of the five input/output architectures, as drawn by ``architecture_diagram``.

    steps: columns drawn; x_steps, y_steps: the steps that take an input / emit an output
    (step 0: an input that sets the initial state h_0, drawn left of step 1);
    decoder_from: the first step of a decoder (one-to-many, seq2seq; None otherwise). Each
    decoder step reads the previous output y_{t-1} (``<bos>`` at the first) and the context.
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
        Architecture("one-to-many", 4, (0,), (1, 2, 3, 4), "(B, D)", "(T, B, V)",
                     "caption a small synthetic image with a few words", decoder_from=1),
        Architecture("many-to-one", 4, (1, 2, 3, 4), (4,), "(T, B, D)", "(B, V)",
                     "the sentiment of a sentence, with negation and intensifiers"),
        Architecture("many-to-many (synced)", 4, (1, 2, 3, 4), (1, 2, 3, 4),
                     "(T, B, D)", "(T, B, V)",
                     "a label for each step: the sense of each ambiguous word"),
        Architecture("seq2seq", 6, (1, 2, 3), (4, 5, 6), "(T_in, B, D)", "(T_out, B, V)",
                     "translate a date: '25 November 2026' to '2026-11-25'", decoder_from=4),
    )
}
# The order and names are models.ARCHITECTURE_NAMES': the one source, checked here.
assert tuple(ARCHITECTURES) == models.ARCHITECTURE_NAMES, "plots and models name them differently"


def _decoder_inputs(ax, arch):
    """Draw what every decoder step reads besides h_{t-1}, as notebook 03's equations say.

    Feedback (dashed): y_{t-1}, the previous output, into h_t; the first step reads <bos>.
    Context (purple): the encoder's last state h_0 into every decoder step, along a line
    drawn between the x and h rows.
    """
    half, first = NODE / 2, arch.decoder_from
    ax.text(first - 1, ROW["y"], "<bos>", ha="center", va="center", fontsize=8)
    for s in range(first, arch.steps + 1):
        _arrow(ax, (s - 1 + (half if s > first else 0.25), ROW["y"] - (half if s > first else 0.1)),
               (s - half, ROW["h"] + half), linestyle="--", gid="feedback")
    source, bus = first - 1, ROW["h"] - half - 0.12  # the encoder's last state; the line's height
    line = ax.plot([source + 0.2, source + 0.2, arch.steps], [ROW["h"] - half, bus, bus],
                   color=PURPLE, linewidth=1.0, zorder=0.9)[0]
    line.set_gid("context line")
    for s in range(first, arch.steps + 1):
        _arrow(ax, (s, bus), (s, ROW["h"] - half), colour=PURPLE, gid="context")
    ax.text(source + 0.3, bus - 0.05, "context", ha="left", va="top", fontsize=8,
            color=PURPLE)


def architecture_diagram(name, ax=None):
    """Figure: the named architecture's unrolled diagram with its input and output shapes.

    name: one of ``models.ARCHITECTURE_NAMES`` (the keys of ARCHITECTURES).
    Decoders draw the previous output fed back (dashed) and the context line (purple).
    """
    arch = ARCHITECTURES[v.choice("name", name, tuple(ARCHITECTURES))]
    fig, ax = figure_and_axes(ax, (5.5, 3.4))
    decoder = {s: PURPLE for s in range(arch.decoder_from or arch.steps + 1, arch.steps + 1)}
    h0 = 0 in arch.x_steps
    _draw_chain(ax, arch.steps, arch.x_steps, arch.y_steps, h0=h0, subscripts=False,
                h_colours=decoder)
    if arch.decoder_from:
        _decoder_inputs(ax, arch)
        encoder_mid = (arch.decoder_from - 1) / 2 if h0 else 1 + (arch.decoder_from - 2) / 2
        ax.text(encoder_mid, ROW["y"] + 0.45 if h0 else ROW["y"], "encoder", ha="center",
                fontsize=9)
        ax.text((arch.decoder_from + arch.steps) / 2, ROW["x"], "decoder", ha="center",
                fontsize=9)
    left, right = (-0.7 if h0 else 0.3), arch.steps + 0.7
    ax.text((left + right) / 2, ROW["x"] - 0.55, f"input x: {arch.input_shape}",
            ha="center", va="top", fontsize=9)
    ax.text((left + right) / 2, ROW["y"] + 0.55, f"output y: {arch.output_shape}",
            ha="center", va="bottom", fontsize=9)
    _diagram_axes(ax, (min(left, 0.3) - 0.9, max(right, 2.0) + 0.9), arch.name)
    return fig
