"""The course's interactive widgets: builders that return a widget and never display it.

One module per widget family, each named for what it shows, plus the shared machinery:

    core            Explorer, Blit, render_png/png_bytes, play_for, table helpers, DPI,
                    PLAY_INTERVAL_MS
    setup_check     setup_check: does a widget work here?                    (notebook 00)
    window          sequence_window_explorer: a window over a sine, shuffled (notebook 01)
    unroll          unroll_explorer: the numpy RNN step by step              (notebook 02)
    architectures   architecture_chooser, live_model_box, image_model_box    (notebook 03)
    gradient_decay  gradient_decay_explorer: gradient norms, steps back      (notebook 04)
    gates           gate_inspector: every LSTM and GRU gate, step by step    (notebook 05)
    charlm          sampler_box, unit_explorer: sampling, a unit on the text (notebook 06)
    attention       attention_explorer: where an attention decoder looks     (notebook 07)

A new notebook's widget goes in a new module ``widgets/<name>.py`` and is re-exported here,
so that ``widgets.<builder>(...)`` keeps working. Modules share only ``core``'s public names.
Its kernel-free twin for the static site is one entry in ``rnnbook.twins.TWINS`` (``make
site`` fails on a widget cell whose builder has none).

Widgets only show: what they show is computed elsewhere (``cells``, ``gradients``,
``baselines``, ``charlm``, ``probe``) and handed to them, e.g.
``sequence_window_explorer(series, predictors)``,
``gradient_decay_explorer(gradients.gradient_curves)``.

Every builder returns an ``Explorer``, a VBox that also exposes what it shows:

    explorer.controls  {name: control widget}; setting a control's ``.value`` updates it
    explorer.state     the NamedTuple the last update computed: what is on screen now
    explorer.figure    the matplotlib Figure behind ``explorer.image`` (None if it has none)
    explorer.image     a widgets.Image: the figure (or picture) as PNG bytes (None: text only)
    explorer.text      a widgets.HTML with the numbers and messages
    explorer.play      the widgets.Play that animates the steps (None if it has no steps)

The logic lives in pure functions (``unroll_step``, ``gradient_decay_state``, ``gate_step``,
``answer``, ...) that tests call directly. The observer is thin: it calls ``update()``, which
computes the state from the controls' values and hands it to a ``show`` function. ``show``
moves the figure's existing artists (set_data, set_facecolor), never rebuilds the figure,
and renders it to PNG with Agg, off-screen, so the widgets work the same under any
matplotlib backend and in headless tests.

Speed: each Play button's interval is above the measured p95 of one update, kernel side
(``benchmarks/widgets.py``), so that frames never queue; ``benchmarks/browser_latency.py``
measures the whole path in JupyterLab, input event to picture, and Play's frames per second.
A ``Blit`` draws only the changing artists and keeps each keyed frame (a step t) once drawn,
and each keyed background (an input, a length T), whose ``layers`` alone are drawn again.
"""

from rnnbook.widgets.architectures import (
    Answer,
    answer,
    answer_html,
    architecture_caption,
    architecture_chooser,
    image_model_box,
    live_model_box,
    picture_png,
)
from rnnbook.widgets.attention import (
    AttentionRun,
    DecoderStep,
    alignment_figure,
    attention_explorer,
    attention_run,
    decoder_step,
    step_html,
)
from rnnbook.widgets.charlm import (
    SamplerSettings,
    SamplerState,
    UnitView,
    coloured_html,
    generate,
    sampler_box,
    sampler_html,
    sampler_state,
    unit_explorer,
    unit_html,
    unit_view,
)
from rnnbook.widgets.core import (
    DPI,
    PLAY_INTERVAL_MS,
    Blit,
    Explorer,
    freeze_layout,
    new_figure,
    play_for,
    png_bytes,
    render_png,
    table_html,
    vector_text,
)
from rnnbook.widgets.gates import (
    GATE_COLOURS,
    GateRuns,
    GateStep,
    gate_inspector,
    gate_runs,
    gate_step,
    gate_table,
    scaled,
)
from rnnbook.widgets.gradient_decay import (
    LOG_RANGE,
    GradientArtists,
    GradientDecayState,
    gradient_decay_explorer,
    gradient_decay_state,
)
from rnnbook.widgets.setup_check import one_unit_states, setup_check
from rnnbook.widgets.unroll import (
    UnrollRun,
    UnrollStep,
    unroll_explorer,
    unroll_run,
    unroll_step,
    unroll_table,
)
from rnnbook.widgets.window import sequence_window_explorer, sequence_window_table

__all__ = [
    "DPI", "GATE_COLOURS", "LOG_RANGE", "PLAY_INTERVAL_MS", "Answer", "Blit", "Explorer",
    "GateRuns", "GateStep", "GradientArtists", "GradientDecayState", "SamplerSettings",
    "SamplerState", "UnitView", "UnrollRun", "UnrollStep", "answer", "answer_html",
    "architecture_caption", "architecture_chooser", "coloured_html", "freeze_layout",
    "gate_inspector", "gate_runs", "gate_step", "gate_table", "generate",
    "gradient_decay_explorer", "gradient_decay_state", "image_model_box", "live_model_box",
    "new_figure", "one_unit_states", "picture_png", "play_for", "png_bytes", "render_png",
    "scaled", "sequence_window_explorer", "sequence_window_table", "setup_check",
    "table_html", "unroll_explorer", "unroll_run", "unroll_step", "unroll_table",
    "vector_text",
    "AttentionRun", "DecoderStep", "alignment_figure", "attention_explorer", "attention_run",
    "decoder_step", "step_html",  # notebook 07
    "sampler_box", "sampler_html", "sampler_state", "unit_explorer", "unit_html",
    "unit_view",  # notebook 06
]
