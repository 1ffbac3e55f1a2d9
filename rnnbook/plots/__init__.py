"""The course's plot style and figures, one module per kind of figure.

    style      palette (Okabe & Ito), STYLE, use_style(), scale(), figure helpers shared by
               the others
    diagrams   the RNN loop, its unrolled graph, the five architectures  (notebooks 02, 03)
    cell_diagrams  one LSTM / GRU step, one weight block highlighted     (notebook 05)
    heatmaps   hidden states and gates over time                         (notebook 05)
    curves     gradient decay, training curves, gradient clipping        (notebooks 01-05)
    window     a window over a sequence, next-value errors by width      (notebook 01)
    charlm     learning curve, coloured text, loss by bracket distance   (notebook 06)
    attention  two passes, accuracy by length, attention's alignment     (notebook 07)

A new notebook's figures go in a new module ``plots/<name>.py``, re-exported here, so that
``plots.<figure>(...)`` keeps working. Modules share only the public names of ``style``.

``use_style()`` is called once by ``rnnbook.setup_notebook()`` in each notebook's first cell.

Every figure function takes data and either draws on a given ``ax=`` (and returns that axes'
figure) or makes a new Figure and returns it. New figures are closed in pyplot straight away,
so a notebook shows a figure once, as the value of its cell, and many calls never leak figures.

Shapes use the letters of the package docstring: T time, B batch, D input, H hidden, V vocab.
"""

from rnnbook.plots.attention import accuracy_by_length, alignment, bidirectional_diagram
from rnnbook.plots.cell_diagrams import (
    BLOCK_COLOUR,
    CellArtists,
    cell_axes,
    cell_diagram,
    cell_diagram_panels,
    highlight,
)
from rnnbook.plots.charlm import (
    DIVERGING,
    SEQUENTIAL,
    coloured_text,
    distance_curves,
    entropy_trace,
    learning_curve,
    smooth,
)
from rnnbook.plots.curves import (
    LOSS_METRICS,
    ClippedForLog,
    clip_for_log,
    clipping_curves,
    gradient_decay,
    gradient_decay_panels,
    steps_back,
    training_curves,
)
from rnnbook.plots.diagrams import (
    ARCHITECTURES,
    NODE,
    ROW,
    ROW_COLOUR,
    Architecture,
    Chain,
    architecture_diagram,
    light_up,
    rnn_graph,
    unrolled_axes,
)
from rnnbook.plots.heatmaps import (
    GATE_RANGE,
    GATE_TITLE,
    gate_heatmaps,
    gate_limits,
    heatmap,
    state_heatmap,
)
from rnnbook.plots.style import (
    BLACK,
    BLUE,
    DIM,
    GREEN,
    GREY,
    OKABE_ITO,
    ORANGE,
    PRESENT_SCALE,
    PURPLE,
    SKY,
    STYLE,
    VERMILLION,
    YELLOW,
    closed_subplots,
    figure_and_axes,
    scale,
    use_style,
)
from rnnbook.plots.window import (
    WindowArtists,
    sequence_window,
    show_window,
    window_axes,
    window_errors,
)

__all__ = [
    "ARCHITECTURES", "BLACK", "BLOCK_COLOUR", "BLUE", "CellArtists", "cell_axes", "cell_diagram",
    "cell_diagram_panels", "highlight", "DIM", "GATE_RANGE", "GATE_TITLE", "GREEN", "GREY",
    "LOSS_METRICS", "NODE", "OKABE_ITO", "ORANGE", "PRESENT_SCALE", "PURPLE", "ROW",
    "ROW_COLOUR", "SKY", "STYLE", "VERMILLION", "YELLOW", "Architecture", "Chain", "ClippedForLog",
    "WindowArtists", "architecture_diagram", "clip_for_log", "clipping_curves",
    "closed_subplots", "figure_and_axes", "gate_heatmaps", "gate_limits", "gradient_decay",
    "gradient_decay_panels", "heatmap", "light_up", "rnn_graph", "scale", "sequence_window",
    "show_window", "state_heatmap", "steps_back", "training_curves", "unrolled_axes",
    "use_style", "window_axes", "window_errors",
    "accuracy_by_length", "alignment", "bidirectional_diagram",  # notebook 07
    "DIVERGING", "SEQUENTIAL", "coloured_text", "distance_curves", "entropy_trace",
    "learning_curve", "smooth",  # notebook 06
]
