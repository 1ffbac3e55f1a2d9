"""The character language model's widgets (notebook 06): a sampler, and a unit explorer that
colours text by a unit.

Both follow the course's ``Explorer`` pattern (``widgets.core``): a pure computation
(``sampler_state``, ``unit_view``) that tests call directly, a thin observer, and a ``.state``
to read.

The sampler samples only when its Generate button is pressed, so that a text stays on the
screen while the class reads it and the next settings are chosen. Moving a control says what
Generate will do; the text shown stays the last sample until then.
"""

import html
from typing import NamedTuple

import ipywidgets
import numpy as np
from matplotlib import colormaps

from rnnbook import _validate, charlm, plots, probe
from rnnbook.widgets import core

# ---------------------------------------------------------------------------------------------
# Sampler


class SamplerSettings(NamedTuple):
    """What a sample depends on: the same settings always give the same text."""

    prompt: str
    temperature: float
    top_k: int  # 0: every character
    length: int
    seed: int


class SamplerState(NamedTuple):
    """What the sampler shows: the settings of its controls, and the last sample generated
    (None before the first); ``fresh`` says whether that sample was made with these settings."""

    settings: SamplerSettings
    shown: SamplerSettings | None
    sample: charlm.Sample | None

    @property
    def fresh(self):
        return self.sample is not None and self.shown == self.settings


def generate(model, vocab, settings):
    """The sample of ``settings`` (pure: the same settings give the same text)."""
    return charlm.sample(model, vocab, settings.prompt, settings.length, settings.temperature,
                         top_k=settings.top_k or None, seed=settings.seed)


def sampler_state(settings, shown=None, sample=None):
    """The sampler's state for its controls' ``settings``, still showing ``sample`` (made with
    ``shown``) until Generate is pressed."""
    return SamplerState(settings, shown, sample)


def _describe(settings):
    k = "every character" if not settings.top_k else f"the top {settings.top_k}"
    return (f"temperature {settings.temperature:.2f}, from {k}, {settings.length} characters, "
            f"seed {settings.seed}, prompt {settings.prompt!r}")


def sampler_html(state):
    """HTML: the sample (prompt in bold), its mean entropy, and what Generate will do."""
    parts = []
    if state.sample is None:
        parts.append("<i>Press Generate.</i>")
    else:
        shown, sample = state.shown, state.sample
        parts.append(f"<pre style='line-height:1.25'><b>{html.escape(shown.prompt)}</b>"
                     f"{html.escape(sample.text)}</pre>")
        parts.append(f"Sampled at {html.escape(_describe(shown))}. Mean entropy of the next "
                     f"character: {sample.entropy.mean():.2f} bits.")
    if not state.fresh:
        parts.append(f"<b>Generate</b> will sample at {html.escape(_describe(state.settings))}.")
    return "<br>".join(parts)


def sampler_box(model, vocab, prompt="def ", temperature=0.8, length=300, seed=0):
    """Sample text from a trained CharModel: temperature, top-k, prompt, length, seed, and a
    Generate button. Controls "prompt", "temperature", "top_k", "length", "seed"; the
    button is ``.generate_button`` (``.generate_button.click()`` presses it). Returns an
    Explorer whose state is a SamplerState; it shows the first sample from the start.
    """
    if not isinstance(model, charlm.CharModel):
        raise TypeError(f"model: expected a charlm.CharModel, got {type(model).__name__}")
    controls = {
        "prompt": ipywidgets.Text(value=prompt, description="prompt", placeholder="def "),
        "temperature": ipywidgets.FloatSlider(value=temperature, min=0.1, max=2.0, step=0.05,
                                              description="temperature",
                                              readout_format=".2f"),
        "top_k": ipywidgets.Dropdown(options=[("all", 0), ("5", 5), ("10", 10), ("20", 20)],
                                     value=0, description="top-k"),
        "length": ipywidgets.IntSlider(value=length, min=20, max=1000, step=20,
                                       description="length"),
        "seed": ipywidgets.IntSlider(value=seed, min=0, max=20, description="seed"),
    }
    last = {"shown": None, "sample": None}

    def compute(prompt, temperature, top_k, length, seed):
        settings = SamplerSettings(prompt, round(temperature, 4), top_k, length, seed)
        return sampler_state(settings, last["shown"], last["sample"])

    def show(explorer, state):
        explorer.text.value = sampler_html(state)

    button = ipywidgets.Button(description="Generate", button_style="primary", icon="play")
    rows = [ipywidgets.HBox([controls["prompt"], controls["top_k"], button]),
            ipywidgets.HBox([controls["temperature"], controls["length"], controls["seed"]])]
    explorer = core.Explorer(rows, controls, compute, show, name="sampler",
                                with_image=False)

    def on_generate(_button=None):
        settings = explorer.state.settings
        try:
            last["sample"], last["shown"] = generate(model, vocab, settings), settings
        except ValueError as error:  # e.g. a character the model has never seen
            explorer.text.value = (f"<span style='color:#D55E00'>{html.escape(str(error))}"
                                   "</span>")
            return
        explorer.state = sampler_state(settings, last["shown"], last["sample"])
        show(explorer, explorer.state)

    button.on_click(on_generate)
    explorer.generate_button = button
    on_generate()
    return explorer


# ---------------------------------------------------------------------------------------------
# Unit explorer


class UnitView(NamedTuple):
    """What the unit explorer shows: a unit, its r with every feature, and a passage of text
    coloured by its activation, with the characters where it is highest and lowest."""

    feature: str  # the feature chosen in the menu, whose best unit the menu picked
    unit: int
    r: dict  # {feature: r of this unit}
    start: int
    passage: str
    values: np.ndarray  # (len(passage),) the unit's activation at each character
    limit: float  # the colour scale's limit: max |activation| of this unit over the whole text
    high: list  # [(char, value)] where it is highest in the passage
    low: list


def unit_view(text, activations, r, feature, unit, start, width=600):
    """The UnitView of ``unit`` (a column of activations (N, U)) on text[start:start+width].

    r (F, U): ``probe.correlations`` in the order of probe.FEATURES.
    """
    activations = _validate.as_array("activations", activations, shape=(len(text), None))
    unit = _validate.int_in_range("unit", unit, 0, activations.shape[1] - 1)
    _validate.choice("feature", feature, tuple(probe.FEATURES))
    start = _validate.non_negative_int("start", start)
    return _unit_view(text, activations, r, feature, unit, start, width)


def _unit_view(text, activations, r, feature, unit, start, width):
    """unit_view without the checks of the whole activations (a few ms each time): for the
    explorer, which checks them once."""
    start = min(start, max(len(text) - width, 0))
    passage = text[start:start + width]
    values = activations[start:start + width, unit]
    high, low = probe.extremes(passage, values, count=8)
    column = {name: float(r[k, unit]) for k, name in enumerate(probe.FEATURES)}
    return UnitView(feature, unit, column, start, passage, values,
                    float(np.abs(activations[:, unit]).max()), high, low)


def coloured_html(passage, values, limit):
    """The passage as HTML, each character on a background coloured by its value (PuOr)."""
    values = np.asarray(values, dtype=float)
    scaled = 0.5 + 0.5 * values / limit if limit else np.full(len(values), 0.5)
    # The colour map's RGB of every character at once, as colors.to_hex rounds them
    rgb = np.round(colormaps[plots.DIVERGING](scaled)[:, :3] * 255).astype(int)
    spans = []
    for ch, (red, green, blue) in zip(passage, rgb.tolist(), strict=True):
        shown = "&nbsp;" if ch == " " else ("&crarr;<br>" if ch == "\n" else html.escape(ch))
        spans.append(f"<span style='background:#{red:02x}{green:02x}{blue:02x}'>{shown}</span>")
    return ("<div style='font-family:monospace;font-size:12px;line-height:1.35;"
            "color:black'>" + "".join(spans) + "</div>")


def _chars(pairs):
    return ", ".join(f"{ch!r} {value:+.2f}" for ch, value in pairs)


def unit_html(view):
    rs = ", ".join(f"{probe.FEATURES[name]} {value:+.2f}" for name, value in view.r.items())
    return (f"<b>unit {view.unit}</b> (chosen from the menu: the unit that tracks "
            f"<i>{probe.FEATURES[view.feature]}</i> best, or moved by hand). Its r with each "
            f"feature: {html.escape(rs)}.<br>Purple: negative, white: 0, orange: positive "
            f"(scale &plusmn;{view.limit:.2f})."
            f"{coloured_html(view.passage, view.values, view.limit)}"
            f"Highest at: {html.escape(_chars(view.high))}<br>"
            f"Lowest at: {html.escape(_chars(view.low))}")


def unit_explorer(text, activations, r, feature="in_string", width=600, unit_names=None):
    """Choose a feature (its best unit) or any unit, and a place in the text; see the text
    coloured by that unit's activation. activations (N, U) over text (N characters); r (F, U)
    from ``probe.correlations``. Controls "feature", "unit", "start". Returns an Explorer
    whose state is a UnitView.
    """
    activations = _validate.as_array("activations", activations, shape=(len(text), None))
    r = _validate.as_array("r", r, shape=(len(probe.FEATURES), activations.shape[1]))
    best = {b.feature: b.unit for b in probe.best_units(r)}
    controls = {
        "feature": ipywidgets.Dropdown(options=[(label, name) for name, label in
                                                probe.FEATURES.items()],
                                       value=_validate.choice("feature", feature,
                                                              tuple(probe.FEATURES)),
                                       description="feature"),
        "unit": ipywidgets.IntSlider(value=best[feature], min=0, max=activations.shape[1] - 1,
                                     description="unit"),
        "start": ipywidgets.IntSlider(value=0, min=0, max=max(len(text) - width, 0),
                                      step=50, description="passage at"),
    }

    def follow_feature(change):  # registered before the Explorer's observer, so runs first
        controls["unit"].value = best[change.new]

    controls["feature"].observe(follow_feature, names="value")

    def show(explorer, view):
        explorer.text.value = unit_html(view)

    rows = [ipywidgets.HBox([controls["feature"], controls["unit"], controls["start"]])]
    return core.Explorer(rows, controls,
                            lambda feature, unit, start: _unit_view(text, activations, r,
                                                                    feature, unit, start, width),
                            show, name="unit-explorer", with_image=False)
