"""The widget of notebook 07: step through an attention decoder and see where it looks.

Follows the ``Explorer`` pattern of ``rnnbook.widgets``: pure functions compute what is shown
(``attention_run``, ``decoder_step``), a thin observer calls them, and ``explorer.state`` holds
what is on screen, for tests without a browser.
"""

import html
from typing import NamedTuple

import ipywidgets
import numpy as np
import torch
from matplotlib.patches import Rectangle

from rnnbook import _validate as v
from rnnbook import models, plots
from rnnbook.widgets import core


class AttentionRun(NamedTuple):
    """One input decoded greedily by an attention model.

    source: the S input tokens; output: the T' tokens written (the last may be '<eos>');
    weights (T', S): where each output step attended, each row summing to 1.
    """

    source: tuple
    output: tuple
    weights: np.ndarray


class DecoderStep(NamedTuple):
    """What the explorer shows at decoder step t (1..T'): the token written and its weights."""

    t: int
    token: str
    weights: np.ndarray  # (S,)
    top: int  # the source position with the largest weight (0-based)
    note: str  # '' or why t was moved into range


def attention_run(model, data, text):
    """Decode ``text`` with an ``models.AttentionSeq2Seq`` trained on ``data``: AttentionRun.

    Unknown tokens raise ValueError naming them (``data.vocab.encode``)."""
    v.instance("model", model, models.AttentionSeq2Seq, "a models.AttentionSeq2Seq")
    ids = data.vocab.encode(text)
    x, lengths = torch.tensor(ids)[:, None], torch.tensor([len(ids)])
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            out, weights = model.attend(x, lengths, max_len=len(ids) + 2)
    finally:
        model.train(was_training)
    output = [data.out_vocab.tokens[i] for i in out[:, 0].tolist()]
    if "<eos>" in output:
        output = output[: output.index("<eos>") + 1]
    source = tuple(data.vocab.tokens[i] for i in ids)
    return AttentionRun(source, tuple(output), weights[: len(output), 0].double().numpy())


def decoder_step(run, t):
    """The decoder's step t (1..T') of ``run``; a t past the end shows the last step."""
    t = v.positive_int("t", t)
    note = ""
    if t > len(run.output):
        note = f"(this output has {len(run.output)} steps: showing the last)"
        t = len(run.output)
    w = run.weights[t - 1]
    return DecoderStep(t, run.output[t - 1], w, int(np.argmax(w)), note)


def step_html(run, step):
    """HTML: the token written at step t and the source tokens it weighed most."""
    order = np.argsort(-step.weights)[:3]
    top = ", ".join(f"'{run.source[s]}' at {s + 1} ({step.weights[s]:.2f})" for s in order)
    return (f"<b>decoder step {step.t}</b> writes <b>{html.escape(step.token)}</b>; "
            f"it attends most to {html.escape(top, quote=False)} {html.escape(step.note)}")


def attention_explorer(model, data, examples):
    """Pick an input, step through the decoder, and see where each step attends.

    Top: the attention weights of step t over the source tokens (bars). Bottom: the whole
    alignment, with step t's row outlined. Controls "example" and "t" (with a Play button).
    Returns an Explorer whose state is a DecoderStep; ``.runs`` {example: AttentionRun}.
    """
    examples = v.length("examples", v.strings("examples", examples), low=1)
    runs = {text: attention_run(model, data, text) for text in examples}
    S = max(len(r.source) for r in runs.values())
    T = max(len(r.output) for r in runs.values())
    figure = core.new_figure((max(5.0, 0.32 * S + 2.2), 2.0 + 0.3 * T + 1.2))
    top, bottom = figure.subplots(2, 1, height_ratios=(1.6, 0.3 * T + 0.6))
    bars = top.bar(range(S), np.zeros(S), color=plots.BLUE)
    top.set(ylim=(0, 1), xlim=(-0.6, S - 0.4), ylabel="weight")
    top.grid(False)
    image = bottom.imshow(np.zeros((T, S)), cmap="viridis", vmin=0, vmax=1, aspect="auto",
                          interpolation="nearest", extent=(-0.5, S - 0.5, T - 0.5, -0.5))
    bottom.set(xlabel="source (encoder steps)", ylabel="output")
    bottom.grid(False)
    outline = bottom.add_patch(Rectangle(
        (-0.5, -0.5), S, 1, fill=False, edgecolor=plots.VERMILLION, linewidth=2))

    # Only the bars, the outline and the title move with t: they are blitted over a background
    # drawn once for each input (a full draw took ~350 ms a frame on a loaded 2-core machine),
    # and each (input, t)'s frame is kept.
    # Room for the widest title and labels, before the layout is frozen
    top.set_title("step 1 writes '<eos>': its attention over the input")
    bottom.set_yticks(range(T), ["<eos>"] * T)
    core.freeze_layout(figure)
    blit = core.Blit(figure, [*bars, outline, top.title])

    def draw_input(example):  # its heatmap and labels, on a background kept for each input
        run = runs[example]
        n, m = len(run.source), len(run.output)
        padded = np.full((T, S), np.nan)
        padded[:m, :n] = run.weights
        image.set_data(np.ma.masked_invalid(padded))
        top.set_xticks(range(S), [*run.source, *[""] * (S - n)])
        bottom.set_xticks(range(S), [*run.source, *[""] * (S - n)])
        bottom.set_yticks(range(T), [*run.output, *[""] * (T - m)])
        blit.redraw(key=example)

    # Drawn now (a full draw each, ~50 ms): then choosing an input costs just a frame.
    for example in list(runs)[:core.KEPT_BACKGROUNDS]:
        draw_input(example)

    def show(explorer, step):
        example = explorer.controls["example"].value
        run = runs[example]
        n, m = len(run.source), len(run.output)
        if blit.key != example:
            draw_input(example)
        for s, bar in enumerate(bars):
            bar.set_height(step.weights[s] if s < n else 0)
            bar.set_color(plots.VERMILLION if s == step.top else plots.BLUE)
        top.set_title(f"step {step.t} writes '{step.token}': its attention over the input")
        outline.set_y(step.t - 1.5)
        outline.set_width(n)
        explorer.image.value = blit.render(key=step.t)
        explorer.text.value = step_html(run, step)
        explorer.controls["t"].max = m  # after showing: a lower max may move t, and update

    choice = ipywidgets.Dropdown(options=list(runs), value=examples[0], description="input")
    slider = ipywidgets.IntSlider(value=1, min=1, max=len(runs[examples[0]].output),
                                  description="step t")
    play = core.play_for(slider, core.PLAY_INTERVAL_MS["attention"])
    explorer = core.Explorer([choice, ipywidgets.HBox([play, slider])],
                                {"example": choice, "t": slider},
                                lambda example, t: decoder_step(runs[example], t), show,
                                figure, play, name="attention-explorer")
    explorer.runs = runs
    return explorer


def alignment_figure(run, ax=None, title=None, colorbar=True):
    """The static twin of the explorer: ``plots.alignment`` of one AttentionRun."""
    return plots.alignment(run.weights, run.source, run.output, ax=ax, title=title,
                                     colorbar=colorbar)
