"""Diagrams of one LSTM step and one GRU step, with one weight block highlighted at a time.

Each cell is drawn from a small table: its boxes (a sigmoid gate or a tanh candidate, one per
weight block in ``cells.WEIGHT_BLOCKS``, plus the LSTM's tanh of c_t), its elementwise nodes
(``⊙`` products, ``+`` sums, ``1-``), and its wires. The thick line along the top is the state
that is carried from step to step by elementwise operations only: the LSTM's cell state c, the
GRU's h. Every box, node and wire belongs to the blocks whose value passes through it, so
``highlight(artists, block)`` can light up one block's path (notebook 05).

The labels are notebook 05's symbols: i_t, f_t, g_t, o_t, c_t, h_t; r_t, z_t, n_t.
The GRU is drawn in PyTorch's convention: r_t multiplies (W_hn h_{t-1} + b_hn), after the
matrix product.
"""

from typing import NamedTuple

from matplotlib.lines import Line2D
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from rnnbook import _validate as v
from rnnbook import cells
from rnnbook.plots.style import (
    BLACK,
    BLUE,
    GREEN,
    PURPLE,
    VERMILLION,
    closed_subplots,
    figure_and_axes,
)

DIAGRAM_CELLS = ("lstm", "gru")
BLOCK_COLOUR = {"i": BLUE, "f": VERMILLION, "g": GREEN, "o": PURPLE,
                "r": BLUE, "z": VERMILLION, "n": GREEN}
WHITE = "#FFFFFF"
LINE, BOLD = 1.0, 2.8  # the width of a wire, and of a highlighted one
BOX_W, BOX_H, OP_R = 0.7, 0.5, 0.2  # a box's width and height, an elementwise node's radius

# What each block is, in notebook 05's words and symbols (panel titles).
BLOCK_TITLE = {
    "i": r"input gate $i_t = \sigma(a_i)$",
    "f": r"forget gate $f_t = \sigma(a_f)$",
    "g": r"candidate $g_t = \tanh(a_g)$",
    "o": r"output gate $o_t = \sigma(a_o)$, $h_t = o_t \odot \tanh(c_t)$",
    "r": r"reset gate $r_t$: scales $W_{hn} h_{t-1} + b_{hn}$",
    "z": r"update gate $z_t$: keeps $z_t \odot h_{t-1}$",
    "n": r"candidate $n_t = \tanh(W_{in} x_t + b_{in} + r_t \odot (\cdot))$",
}
CARRIED_EQUATION = {
    "lstm": r"LSTM: $c_t = f_t \odot c_{t-1} + i_t \odot g_t$",
    "gru": r"GRU: $h_t = (1 - z_t) \odot n_t + z_t \odot h_{t-1}$",
}


class Node(NamedTuple):
    """A box (kind "box": its text is σ or tanh) or an elementwise node (kind "op")."""

    x: float
    y: float
    text: str
    kind: str
    blocks: tuple  # the blocks whose path runs through it


class Wire(NamedTuple):
    """A polyline ending in an arrow; label (a symbol) sits beside its first segment."""

    points: tuple
    blocks: tuple
    label: str = ""


S, T = r"$\sigma$", r"$\tanh$"
TIMES, PLUS = r"$\odot$", "$+$"

# Layout: the carried state runs along y = 3, the inputs h_{t-1} and x_t along y = 0,
# the boxes sit at y = 1.5. Coordinates are in data units, 0..10 wide.
_LSTM_NODES = {
    "f": Node(2.5, 1.5, S, "box", ("f",)),
    "i": Node(4.0, 1.5, S, "box", ("i",)),
    "g": Node(5.2, 1.5, T, "box", ("g",)),
    "o": Node(7.0, 1.5, S, "box", ("o",)),
    "tanh_c": Node(8.3, 2.3, T, "box", ("o",)),
    "f_times": Node(2.5, 3.0, TIMES, "op", ("f",)),
    "ig_times": Node(5.2, 2.3, TIMES, "op", ("i", "g")),
    "plus": Node(5.2, 3.0, PLUS, "op", ("i", "g")),
    "o_times": Node(8.3, 1.5, TIMES, "op", ("o",)),
}
_LSTM_WIRES = (
    Wire(((2.5, 0.0), (2.5, 1.25)), ("f",)),
    Wire(((2.5, 1.75), (2.5, 2.8)), ("f",), "$f_t$"),
    Wire(((4.0, 0.0), (4.0, 1.25)), ("i",)),
    Wire(((4.0, 1.75), (4.0, 2.3), (5.0, 2.3)), ("i",), "$i_t$"),
    Wire(((5.2, 0.0), (5.2, 1.25)), ("g",)),
    Wire(((5.2, 1.75), (5.2, 2.1)), ("g",), "$g_t$"),
    Wire(((5.2, 2.5), (5.2, 2.8)), ("i", "g")),
    Wire(((7.0, 0.0), (7.0, 1.25)), ("o",)),
    Wire(((7.35, 1.5), (8.1, 1.5)), ("o",), "$o_t$"),
    Wire(((8.3, 3.0), (8.3, 2.55)), ("o",)),
    Wire(((8.3, 2.05), (8.3, 1.7)), ("o",)),
    Wire(((8.3, 1.3), (8.3, 0.0), (9.5, 0.0)), ("o",)),
)
_LSTM_CARRIED = (((0.5, 3.0), (2.3, 3.0)), ((2.7, 3.0), (5.0, 3.0)), ((5.4, 3.0), (9.5, 3.0)))
_LSTM_ENDS = {"$c_{t-1}$": (0.0, 3.0), "$c_t$": (10.0, 3.0), "$h_{t-1}$": (0.0, 0.0),
              "$h_t$": (10.0, 0.0), "$x_t$": (1.2, -1.0)}
_LSTM_BUS = ((0.5, 0.0), (7.0, 0.0))

_GRU_NODES = {
    "z": Node(2.0, 1.5, S, "box", ("z",)),
    "r": Node(3.4, 1.5, S, "box", ("r",)),
    "n": Node(6.0, 1.5, T, "box", ("n",)),
    "r_times": Node(4.8, 1.5, TIMES, "op", ("r",)),
    "z_times": Node(2.0, 3.0, TIMES, "op", ("z",)),
    "one_minus": Node(6.8, 2.65, "$1-$", "op", ("z",)),
    "n_times": Node(7.5, 2.05, TIMES, "op", ("z", "n")),
    "plus": Node(7.5, 3.0, PLUS, "op", ("z", "n")),
}
_GRU_WIRES = (
    Wire(((2.0, 0.0), (2.0, 1.25)), ("z",)),
    Wire(((2.0, 1.75), (2.0, 2.8)), ("z",), "$z_t$"),
    Wire(((2.0, 2.65), (6.6, 2.65)), ("z",)),
    Wire(((6.94, 2.51), (7.36, 2.19)), ("z",)),
    Wire(((3.4, 0.0), (3.4, 1.25)), ("r",)),
    Wire(((3.75, 1.5), (4.6, 1.5)), ("r",), "$r_t$"),
    Wire(((4.8, 0.0), (4.8, 1.3)), ("r",), r"$W_{hn} h_{t-1} + b_{hn}$"),
    Wire(((5.0, 1.5), (5.65, 1.5)), ("r", "n")),
    Wire(((6.0, 0.0), (6.0, 1.25)), ("n",)),
    Wire(((6.35, 1.5), (7.5, 1.5), (7.5, 1.85)), ("n",), "$n_t$"),
    Wire(((7.5, 2.25), (7.5, 2.8)), ("z", "n")),
)
_GRU_CARRIED = (((0.5, 3.0), (1.8, 3.0)), ((2.2, 3.0), (7.3, 3.0)), ((7.7, 3.0), (9.5, 3.0)))
_GRU_ENDS = {"$h_{t-1}$": (0.0, 3.0), "$h_t$": (10.0, 3.0), "$x_t$": (1.2, -1.0)}
_GRU_BUS = ((0.8, 3.0), (0.8, 0.0), (6.0, 0.0))  # h_{t-1} also feeds the boxes

_LAYOUT = {
    "lstm": (_LSTM_NODES, _LSTM_WIRES, _LSTM_CARRIED, _LSTM_ENDS, _LSTM_BUS),
    "gru": (_GRU_NODES, _GRU_WIRES, _GRU_CARRIED, _GRU_ENDS, _GRU_BUS),
}
# Every block of the gated cells has its box: the layout and cells name them alike.
for _cell in DIAGRAM_CELLS:
    assert {n for n, node in _LAYOUT[_cell][0].items() if n in cells.WEIGHT_BLOCKS[_cell]} \
        == set(cells.WEIGHT_BLOCKS[_cell]), f"{_cell}: a weight block has no box"


class CellArtists(NamedTuple):
    """The artists of a drawn cell, so that ``highlight`` can light one block's path.

    cell: "lstm" or "gru"; boxes: {node name: patch} (boxes and elementwise nodes);
    parts: {block: [artists on its path]}; carried: the lines of the carried state.
    """

    cell: str
    boxes: dict
    parts: dict
    carried: list


def _wire(ax, points, width=LINE):
    """Lines through ``points`` with an arrow head on the last segment; returns the artists."""
    artists = []
    if len(points) > 2:
        xs, ys = zip(*points[:-1], strict=True)
        artists += ax.plot(xs, ys, color=BLACK, linewidth=width, solid_capstyle="butt",
                           zorder=1)
    artists.append(ax.add_patch(FancyArrowPatch(
        points[-2], points[-1], arrowstyle="-|>", mutation_scale=9, linewidth=width,
        color=BLACK, shrinkA=0, shrinkB=0, zorder=1)))
    return artists


def cell_axes(ax, cell):
    """Draw one step of ``cell`` ("lstm" or "gru") on ``ax``; return its CellArtists."""
    cell = v.choice("cell", cell, DIAGRAM_CELLS)
    nodes, wires, carried_lines, ends, bus = _LAYOUT[cell]
    boxes, parts = {}, {block: [] for block in cells.WEIGHT_BLOCKS[cell]}
    for name, node in nodes.items():
        if node.kind == "box":
            patch = FancyBboxPatch((node.x - BOX_W / 2, node.y - BOX_H / 2), BOX_W, BOX_H,
                                   boxstyle="round,pad=0.03", facecolor=WHITE,
                                   edgecolor=BLACK, linewidth=LINE, zorder=2)
        else:
            patch = Circle((node.x, node.y), OP_R, facecolor=WHITE, edgecolor=BLACK,
                           linewidth=LINE, zorder=2)
        boxes[name] = ax.add_patch(patch)
        ax.text(node.x, node.y, node.text, ha="center", va="center",
                fontsize=7 if node.text == "$1-$" else 9, zorder=3)
        for block in node.blocks:
            parts[block].append(patch)
    for wire in wires:
        artists = _wire(ax, wire.points)
        for block in wire.blocks:
            parts[block] += artists
        if wire.label:
            (x0, y0), (x1, y1) = wire.points[:2]
            vertical = x0 == x1
            x = x0 + 0.1 if vertical else (x0 + x1) / 2
            y = (y0 + y1) / 2 if vertical else y0 + 0.1
            ax.text(x, y, wire.label, ha="left" if vertical else "center",
                    va="center" if vertical else "bottom", fontsize=9)
    carried = []
    for points in carried_lines:
        carried += _wire(ax, points, width=BOLD)
    ax.plot(*zip(*bus, strict=True), color=BLACK, linewidth=LINE, zorder=1)  # the inputs
    x_end = ends["$x_t$"]
    _wire(ax, (x_end, (x_end[0], 0.0)))
    for text, (x, y) in ends.items():
        ax.text(x, y, text, ha="center", va="top" if text == "$x_t$" else "center",
                fontsize=11, zorder=3)
    ax.set_xlim(-0.5, 10.5)
    ax.set_ylim(-1.4, 3.6)
    ax.set_aspect("equal")
    ax.set_axis_off()  # a diagram has no data axes
    return CellArtists(cell, boxes, parts, carried)


def highlight(artists, block=None):
    """Light up ``block``'s path (its colour, bold) and leave the rest plain; None: none."""
    if block is not None:
        block = v.choice("block", block, cells.WEIGHT_BLOCKS[artists.cell])
    lit = set(map(id, artists.parts[block])) if block is not None else set()
    for part in artists.parts.values():
        for artist in part:
            on = id(artist) in lit
            colour = BLOCK_COLOUR[block] if on else BLACK
            artist.set_linewidth(BOLD if on else LINE)
            if isinstance(artist, Line2D):
                artist.set_color(colour)
            elif isinstance(artist, FancyArrowPatch):
                artist.set_color(colour)
            else:  # a box or an elementwise node: filled with the block's colour
                artist.set_edgecolor(BLACK)
                artist.set_facecolor(BLOCK_COLOUR[block] if on else WHITE)


def cell_diagram(cell, block=None, ax=None):
    """Figure: one step of ``cell`` ("lstm" or "gru"), ``block``'s path highlighted if given.

    block: one of ``cells.WEIGHT_BLOCKS[cell]`` (a gate or the candidate), or None.
    """
    cell = v.choice("cell", cell, DIAGRAM_CELLS)
    fig, ax = figure_and_axes(ax, (6.0, 3.0))
    artists = cell_axes(ax, cell)
    highlight(artists, block)
    ax.set_title(BLOCK_TITLE[block] if block else CARRIED_EQUATION[cell], fontsize=10)
    return fig


def cell_diagram_panels(cell):
    """Figure: one panel per weight block of ``cell``, each highlighting that block's path.

    The LSTM's four panels (i, f, g, o) sit in a 2 x 2 grid, the GRU's three (r, z, n) in a
    row; the figure's title is the update of the carried state.
    """
    cell = v.choice("cell", cell, DIAGRAM_CELLS)
    blocks = cells.WEIGHT_BLOCKS[cell]
    shape, size = ((2, 2), (11, 6.2)) if cell == "lstm" else ((1, 3), (14, 3.2))
    fig, axes = closed_subplots(*shape, figsize=size)
    for ax, block in zip(axes.flat, blocks, strict=True):
        cell_diagram(cell, block, ax=ax)
    fig.suptitle(CARRIED_EQUATION[cell] + "   (thick line: the carried state)", fontsize=12)
    return fig
