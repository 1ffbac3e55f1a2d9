"""Notebook 03: the architecture chooser, and live boxes in which a trained model answers."""

import html
from collections.abc import Callable, Sequence
from typing import NamedTuple

import ipywidgets as widgets
import numpy as np

from rnnbook import _validate as v
from rnnbook import plots
from rnnbook.widgets import core


def architecture_caption(arch):
    """HTML: the architecture's name, input and output shapes and example task."""
    return core.table_html([("architecture", arch.name), ("input x", arch.input_shape),
                   ("output y", arch.output_shape), ("example", arch.example)])


def architecture_chooser(value="many-to-one"):
    """Pick one of the five architectures; see its diagram and the shapes of its data.

    Control "architecture". Returns an Explorer whose state is a plots.Architecture. Each
    diagram is drawn once, on first view, and its PNG kept: the five differ in structure,
    so there are no artists to move, and a kept image costs nothing to show again.
    """
    v.choice("value", value, tuple(plots.ARCHITECTURES))
    figure = core.new_figure((5.0, 3.0))
    ax = figure.subplots()
    pngs = {}

    def show(explorer, arch):
        if arch.name not in pngs:
            ax.clear()
            plots.architecture_diagram(arch.name, ax=ax)
            pngs[arch.name] = core.render_png(figure)
        explorer.image.value = pngs[arch.name]
        explorer.text.value = architecture_caption(arch)

    choice = widgets.ToggleButtons(options=list(plots.ARCHITECTURES), value=value,
                                   description="architecture", style={"button_width": "auto"})
    return core.Explorer([choice], {"architecture": choice},
                    lambda architecture: plots.ARCHITECTURES[architecture], show, figure,
                    name="architecture-chooser")


# ---------------------------------------------------------------------------------------------
# Live model boxes: a trained model answers what the learner types or picks.

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


def live_model_box(predict: Callable[[str], str], examples: Sequence[str] = (),
                   description="input", placeholder="type here"):
    """A text box whose every edit shows ``predict(text)``, e.g. a trained model's answer.

    predict: str -> str; examples: strings offered in a dropdown (picking one fills the box;
    the first fills it at the start). Control "text". Returns an Explorer whose state is
    an Answer.
    """
    v.function("predict", predict)
    examples = v.strings("examples", examples)
    text_box = widgets.Text(value="", placeholder=placeholder, description=description,
                            continuous_update=True)
    children = [text_box]
    if examples:
        menu = widgets.Dropdown(options=list(examples), description="examples")
        widgets.dlink((menu, "value"), (text_box, "value"))
        children.insert(0, menu)

    def show(explorer, result):
        explorer.text.value = answer_html(result)

    return core.Explorer(children, {"text": text_box}, lambda text: answer(predict, text), show,
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
    return core.png_bytes(np.repeat(np.repeat(pixels, scale, axis=0), scale, axis=1))


def image_model_box(images, predict: Callable[[object], str], labels=None, to_picture=None):
    """Pick a picture; see it and ``predict(picture)``, e.g. a trained captioning model's caption.

    images: a sequence (or array, or tensor) of N model inputs; predict receives images[i]
    exactly as given. to_picture: optional callable that turns one input into a picture,
    e.g. ``data.to_image`` for flat image vectors; without it each input is the picture.
    A picture is (h, w), (h, w, 3) or (3, h, w), floats in [0, 1] or uint8. labels: optional
    N true answers shown beside the prediction. Control "index" (0..N-1). Returns an
    Explorer whose state is an Answer (its input is the index).
    """
    v.function("predict", predict)
    v.function("to_picture", to_picture, optional=True)
    v.length("images", images, low=1)
    # Each picture is drawn once, here; that also checks every one of them.
    pngs = [picture_png(image if to_picture is None else to_picture(image)) for image in images]
    if labels is not None:
        v.length("labels", labels, exactly=len(images))

    def show(explorer, result):
        explorer.image.value = pngs[result.input]
        truth = "" if labels is None else f" (true: {html.escape(str(labels[result.input]))})"
        explorer.text.value = answer_html(result) + truth

    slider = widgets.IntSlider(value=0, min=0, max=len(images) - 1, description="picture")
    return core.Explorer([slider], {"index": slider},
                    lambda index: answer(lambda i: predict(images[i]), index), show,
                    name="image-model-box")

