"""Kernel-free twins of the widgets, for the static site (``rnnbook.site``).

A twin is what a widget shows, recorded: the real widget is built (by the notebook's own
call), its main control is moved through its values, and each frame is the widget's own
picture (``explorer.image``) and text (``explorer.text``) at that value, played back in the
page by ``assets/twin.js`` (play, step, slider) with no kernel. Widgets that answer typed
text or a picked picture become a table of example inputs and the model's answers.

``TWINS`` maps a widget builder's name (what a notebook cell calls as ``widgets.<name>(``)
to the function that turns the built widget into the twin's HTML. A notebook that adds a
widget adds one entry here, e.g. for an Explorer whose main control is "t":

    TWINS["my_explorer"] = sweep("t", "My explorer: the hidden state at each step")

A widget cell whose builder has no entry fails the build (``missing_twins``), so no widget
is left without a twin.
"""

import base64
import html
import itertools
import json
import re
from typing import NamedTuple

import numpy as np

from rnnbook import _validate as v
from rnnbook.widgets import core

LIVE_NOTE = ("A recording of the widget, computed by rnnbook's own code when this site was "
             "built. The live version, which you can drive yourself, needs JupyterLab "
             "(<code>make lab</code>).")
MAX_FRAMES = 50  # frames per animation: enough to see the motion, small enough to ship
BUILDER_CALL = re.compile(r"\bwidgets\.([A-Za-z_]\w*)\(")


class Frame(NamedTuple):
    """One frame of a twin: the control's value, the widget's state, PNG (or None) and HTML."""

    value: object
    state: object
    png: bytes | None
    text: str


def control_values(control, max_frames=MAX_FRAMES):
    """The values a twin moves ``control`` through: its options, off and on, or min..max by
    its step.

    A range with more than ``max_frames`` values is thinned evenly, keeping both ends.
    """
    max_frames = v.int_at_least("max_frames", max_frames, 2)
    if isinstance(control.value, bool):  # a toggle or a checkbox
        return [False, True]
    if hasattr(control, "options"):
        return [option if not isinstance(option, tuple) else option[1]
                for option in control.options]
    if hasattr(control, "base"):  # a FloatLogSlider: its exponents are the steps
        exponents = np.arange(control.min, control.max + control.step / 2, control.step)
        values = [float(control.base ** e) for e in exponents]
    elif isinstance(control.value, (int, np.integer)):
        values = list(range(control.min, control.max + 1, max(1, int(control.step))))
    else:
        values = [round(float(x), 10)
                  for x in np.arange(control.min, control.max + control.step / 2, control.step)]
    if len(values) > max_frames:
        keep = np.unique(np.linspace(0, len(values) - 1, max_frames).round().astype(int))
        values = [values[i] for i in keep]
    return values


def frames(explorer, name, values):
    """Set control ``name`` of ``explorer`` to each value; the Frames the widget then shows."""
    v.name_of("name", name, explorer.controls)
    control = explorer.controls[name]
    start = control.value
    recorded = []
    for value in values:
        control.value = value
        image = explorer.image.value if explorer.image is not None else None
        recorded.append(Frame(control.value, explorer.state, bytes(image) if image else None,
                              explorer.text.value))
    control.value = start  # leave the widget as it was
    return recorded


def data_uri(png):
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def player_html(frames_, label, title, interval_ms):
    """HTML of a self-contained player of ``frames_``: play, step back and forward, slider.

    The first frame is in the HTML itself; ``assets/twin.js`` plays the others, which are
    kept as JSON in the page. Each frame's picture has alt text: the title and the value.
    """
    def alt(frame):
        return f"{title}, {label} = {frame.value}"

    first = frames_[0]
    data = [{"value": str(f.value), "alt": alt(f), "text": f.text,
             "img": data_uri(f.png) if f.png else None} for f in frames_]
    picture = (f"<img class='rnnbook-twin-frame' src='{data_uri(first.png)}' "
               f"alt='{html.escape(alt(first), quote=True)}'>" if first.png else "")
    payload = json.dumps(data).replace("</", "<\\/")  # no "</script>" inside the script
    last = len(frames_) - 1
    return (
        f"<figure class='rnnbook-twin' data-interval='{int(interval_ms)}'>"
        f"<figcaption><b>{html.escape(title)}</b>, over {html.escape(label)} "
        f"({len(frames_)} frames). {LIVE_NOTE}</figcaption>"
        "<div class='rnnbook-twin-controls'>"
        "<button type='button' class='rnnbook-twin-back' aria-label='step back'>&#9664;</button>"
        "<button type='button' class='rnnbook-twin-play' aria-label='play'>&#9654; Play</button>"
        "<button type='button' class='rnnbook-twin-step' aria-label='step forward'>&#9654;|"
        "</button>"
        f"<input type='range' class='rnnbook-twin-slider' min='0' max='{last}' value='0' "
        f"aria-label='{html.escape(label, quote=True)}'>"
        f"<span class='rnnbook-twin-value'>{html.escape(label)} = "
        f"{html.escape(str(first.value))}</span></div>"
        f"{picture}<div class='rnnbook-twin-text'>{first.text}</div>"
        f"<script type='application/json' class='rnnbook-twin-data'>{payload}</script>"
        "</figure>"
    )


def sweep(name, title, interval_key=None, max_frames=MAX_FRAMES):
    """A twin that animates the widget over its control ``name`` (see the module docstring).

    interval_key: the widget's entry in ``core.PLAY_INTERVAL_MS`` (ms between frames when
    played); 400 ms without one.
    """
    interval = core.PLAY_INTERVAL_MS[interval_key] if interval_key else 400

    def twin(explorer):
        values = control_values(explorer.controls[name], max_frames)
        label = getattr(explorer.controls[name], "description", "") or name
        return player_html(frames(explorer, name, values), label, title, interval)

    return twin


def sweeps(*twins):
    """A twin made of several: e.g. one animation per control."""
    return lambda explorer: "".join(twin(explorer) for twin in twins)


def sweep_each(choice, name, title, interval_key=None, max_frames=MAX_FRAMES):
    """One animation over control ``name`` for each option of control ``choice`` (a menu).

    E.g. a widget with an input menu and a step slider whose range follows the input: each
    input gets its own animation over its steps. The menu is left as it was.
    """

    def twin(explorer):
        menu = explorer.controls[choice]
        start = menu.value
        label = getattr(menu, "description", "") or choice
        parts = []
        for option in control_values(menu):
            menu.value = option
            parts.append(sweep(name, f"{title} ({label}: {option!r})", interval_key,
                               max_frames)(explorer))
        menu.value = start
        return "".join(parts)

    return twin


def setting_table(title, grid, press=None, what="the answer the widget shows"):
    """A twin of a widget that answers typed text on request: a table of every combination of
    the values in ``grid`` ({control name: [values]}), each set in the widget's controls (and
    the button ``explorer.<press>`` pressed, if given), with the HTML the widget then shows.
    """
    names = list(grid)

    def twin(explorer):
        for name in names:
            v.name_of("grid", name, explorer.controls)
        start = explorer.values()
        rows = []
        for combination in itertools.product(*(grid[name] for name in names)):
            for name, value in zip(names, combination, strict=True):
                explorer.controls[name].value = value
            if press:
                getattr(explorer, press).click()
            cells = "".join(f"<td><code>{html.escape(repr(value))}</code></td>"
                            for value in combination)
            rows.append(f"<tr>{cells}<td>{explorer.text.value}</td></tr>")
        for name, value in start.items():  # leave the widget as it was
            explorer.controls[name].value = value
        labels = [getattr(explorer.controls[name], "description", "") or name
                  for name in names]
        head = "".join(f"<th>{html.escape(label)}</th>" for label in labels)
        return (f"<figure class='rnnbook-twin-table'><figcaption><b>{html.escape(title)}</b>"
                f": each combination of {html.escape(', '.join(labels))} set in the widget"
                f"{' and ' + html.escape(press.replace('_', ' ')) + ' pressed' if press else ''}"
                f", and {html.escape(what)}. {LIVE_NOTE}</figcaption><table><thead><tr>{head}"
                f"<th>answer</th></tr></thead><tbody>{''.join(rows)}</tbody></table></figure>")

    return twin


def example_table(title):
    """A twin of a live model box: its examples, each typed in, and the answer it shows."""

    def twin(explorer):
        menus = [child for child in explorer.children if hasattr(child, "options")]
        if not menus:
            raise ValueError(f"{title}: the live box has no examples to record")
        recorded = frames(explorer, "text", list(menus[0].options))
        rows = "".join(f"<tr><td><code>{html.escape(f.value)}</code></td><td>{f.text}</td></tr>"
                       for f in recorded)
        return (f"<figure class='rnnbook-twin-table'><figcaption><b>{html.escape(title)}</b>"
                f": each example typed into the box, and the trained model's answer. "
                f"{LIVE_NOTE}</figcaption><table><thead><tr><th>typed</th><th>answer</th>"
                f"</tr></thead><tbody>{rows}</tbody></table></figure>")

    return twin


def picture_table(title):
    """A twin of an image model box: every picture it offers and the model's answer."""

    def twin(explorer):
        control = explorer.controls["index"]
        recorded = frames(explorer, "index", list(range(control.min, control.max + 1)))
        rows = "".join(
            f"<tr><td>{f.value}</td><td><img src='{data_uri(f.png)}' "
            f"alt='{html.escape(title, quote=True)}: picture {f.value}'></td>"
            f"<td>{f.text}</td></tr>" for f in recorded)
        return (f"<figure class='rnnbook-twin-table'><figcaption><b>{html.escape(title)}</b>"
                f": every picture the box offers, and the trained model's answer beside the "
                f"true one. {LIVE_NOTE}</figcaption><table><thead><tr><th>picture</th>"
                f"<th></th><th>answer</th></tr></thead><tbody>{rows}</tbody></table></figure>")

    return twin


# The sampler's twin: each prompt at each temperature (notebook 06 samples "class ").
SAMPLER_PROMPTS = ("class ", "def ", "    for ", "import ")
SAMPLER_TEMPERATURES = (0.2, 0.8, 1.5)

TWINS = {
    "setup_check": sweep("t", "Setup check: the one-unit RNN's state h_t at each step",
                         "unroll"),
    "sequence_window_explorer": sweep(
        "start", "Sequence window: the window slides along the test series", "window"),
    "unroll_explorer": sweep("t", "Unroll explorer: the RNN lit up to step t", "unroll"),
    "architecture_chooser": sweep("architecture", "Architecture chooser: the five diagrams"),
    "image_model_box": picture_table("Image model box"),
    "live_model_box": example_table("Live model box"),
    "gradient_decay_explorer": sweeps(
        sweep("steps_back", "Gradient decay: the measured norm drawn back in time",
              "gradient"),
        sweep("rho", "Gradient decay: the whole curve as the spectral radius rho moves",
              "gradient")),
    "gate_inspector": sweep("t", "Gate inspector: every LSTM and GRU gate up to step t",
                            "gates"),
    "sampler_box": setting_table(
        "Sampler", {"prompt": SAMPLER_PROMPTS, "temperature": SAMPLER_TEMPERATURES},
        press="generate_button", what="the text the trained model then generated (its "
        "other controls as the notebook set them: the same seed, so the same text each build)"),
    "unit_explorer": sweep(
        "feature", "Unit explorer: the test text coloured by each feature's best unit"),
    "attention_explorer": sweep_each(
        "example", "t", "Attention explorer: where each decoder step attends", "attention"),
}


def builders_called(source):
    """The widget builders a cell's source calls as ``widgets.<name>(``, in order."""
    return BUILDER_CALL.findall(source)


def missing_twins(source, twins=None):
    """The builders ``source`` calls that have no twin in ``twins`` (default ``TWINS``)."""
    twins = TWINS if twins is None else twins
    return [name for name in builders_called(source) if name not in twins]
