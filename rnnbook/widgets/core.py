"""The machinery every widget shares: the ``Explorer``, off-screen rendering, Play buttons,
and the HTML tables of numbers under the figures (see the package docstring).
"""

import html
import struct
import zlib

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from rnnbook import _validate, plots

DPI = 72  # small figures render faster; the widgets show them at their pixel size
KEPT_FRAMES = 256  # PNG frames a Blit keeps (each some 10-40 kB)
KEPT_BACKGROUNDS = 16  # backgrounds a Blit keeps (RGBA pixels, 0.5-1 MB; twice with a legend)
LINE_REACH = 4  # points: how far a line's stroke may reach beyond its path's box

# Milliseconds between Play frames. Each is well above the p95 of one update measured by
# benchmarks/widgets.py on a 2-core CPU shared with other jobs (worst runs seen: unroll
# 11 ms, gradient steps back 7 ms, gates 57 ms), so that frames never queue. The unroll
# explorer plays slowly enough to read its numbers; the others take a few seconds a run.
# attention (notebook 07): slow enough to follow the outlined row; one blitted update p95 69 ms
# (an input change costs a frame: each input's background is drawn when the explorer is built).
PLAY_INTERVAL_MS = {"unroll": 400, "gradient": 100, "gates": 200, "window": 200,
                    "attention": 400}


class Explorer(widgets.VBox):
    """A VBox whose controls drive a pure ``compute`` and a ``show`` (see the package docstring).

    rows: the widgets above the image and text; controls: {name: widget};
    compute(**{name: value}) -> state; show(explorer, state). with_image=False: text only.
    """

    def __init__(self, rows, controls, compute, show, figure=None, play=None, name=None,
                 with_image=True):
        image = widgets.Image(format="png") if with_image else None
        text = widgets.HTML()
        super().__init__(children=[*rows, *([image] if with_image else []), text])
        # Images at their own pixel size: a box stretches them otherwise, and they blur.
        self.layout.align_items = "flex-start"
        if name:
            self.add_class(f"rnnbook-{name}")  # how the browser tests find each widget
        self.controls = controls
        self.figure, self.image, self.text, self.play = figure, image, text, play
        self._compute, self._show = compute, show
        self._values = None
        self.state = None
        for control in controls.values():
            control.observe(self._on_change, names="value")
        self.update()

    def _on_change(self, change):
        self.update()

    def values(self):
        """{name: value} of every control."""
        return {name: control.value for name, control in self.controls.items()}

    def update(self):
        """Recompute the state from the controls and show it (nothing if they did not change).

        One change can notify twice (a linked control moving with it): the second is a no-op.
        """
        values = self.values()
        if values == self._values:
            return
        self._values = values
        self.state = self._compute(**values)
        self._show(self, self.state)


def new_figure(figsize):
    """A Figure drawn off-screen by Agg, not known to pyplot (so it never leaks or shows).

    Its dots per inch are DPI, times the plot style's scale (larger when presenting).
    """
    fig = Figure(figsize=figsize, dpi=DPI * plots.scale(), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def freeze_layout(fig):
    """Solve the constrained layout once, then keep it: re-solving costs ~10 ms a frame."""
    fig.canvas.draw()
    fig.set_layout_engine("none")


def render_png(fig):
    """The figure drawn by Agg, as PNG bytes.

    Drawing the canvas and encoding its pixels with light compression is about twice as fast
    as ``savefig``, which draws again and compresses hard.
    """
    fig.canvas.draw()
    return png_bytes(np.asarray(fig.canvas.buffer_rgba())[..., :3])


class Blit:
    """Renders a figure in which only ``artists`` change: everything else is drawn once.

    Axes, ticks and titles cost most of a full draw; here each frame restores the pixels
    drawn without the changing artists and draws just those on top (matplotlib's blitting).
    After a change to anything else (limits, other artists, a legend), call ``redraw``.

    layers: artists that change less often than ``artists`` (e.g. an axis whose limits follow
    a control) and are then the only other things that change: ``redraw`` draws just them
    again, over the rest of the figure drawn once.
    """

    def __init__(self, figure, artists, layers=()):
        axes = dict.fromkeys(a.axes for a in artists if a.axes is not None)
        # A full draw puts their axes' spines and legend on top of them: so must each frame.
        covers = [spine for ax in axes if ax.axison for spine in ax.spines.values()]
        # But a legend costs a few ms to draw, and is often in a corner the artists avoid:
        # it is drawn again only when one of them reaches it (_render), never when it lies
        # beside its axes, out of their reach, and always when it lies on their spines.
        self.figure = figure
        self.legends = {}  # {legend: the artists that may reach it, or None: always drawn}
        for ax in axes:
            legend, drawn = ax.get_legend(), [a for a in artists if a.axes is ax]
            if legend is None or not self._reaches(drawn, legend, anywhere=True):
                continue
            spines = [spine for spine in covers if spine.axes is ax]
            self.legends[legend] = None if self._reaches(spines, legend) else drawn
        self.artists = sorted([*artists, *covers], key=lambda a: a.get_zorder())  # as drawn
        self.with_legends = sorted([*self.artists, *self.legends], key=lambda a: a.get_zorder())
        self.layers = sorted(layers, key=lambda a: a.get_zorder())
        for artist in [*self.artists, *self.legends, *self.layers]:
            artist.set_animated(True)  # left out of the full draw
        self.frames = {}  # (background key, key) -> PNG bytes, see render
        self.backgrounds = {}  # background key -> (pixels without, with the legends)
        if self.layers:  # all but the artists and layers, drawn once
            self.figure.canvas.draw()
            self.base = self.figure.canvas.copy_from_bbox(self.figure.bbox)
        self.redraw()

    def redraw(self, key=None):
        """Draw the background again: call it after anything but ``artists`` has changed.

        key: what the background is a function of (e.g. the input shown), or None. A
        background with a key is drawn once and kept (the last KEPT_BACKGROUNDS), with the
        frames drawn on it: going back to that key costs nothing. Without a key, the
        background and its frames are drawn anew.
        """
        if key is None or key not in self.backgrounds:
            canvas = self.figure.canvas
            if self.layers:  # the rest never changes: draw the layers over it
                canvas.restore_region(self.base)
                for artist in self.layers:
                    self.figure.draw_artist(artist)
            else:
                canvas.draw()
            bare = canvas.copy_from_bbox(self.figure.bbox)
            for legend in self.legends:
                self.figure.draw_artist(legend)
            if key not in self.backgrounds and len(self.backgrounds) >= KEPT_BACKGROUNDS:
                del self.backgrounds[next(iter(self.backgrounds))]  # the oldest
            self.backgrounds[key] = (bare, canvas.copy_from_bbox(self.figure.bbox)
                                     if self.legends else bare)
        if key is None:
            self.frames = {k: png for k, png in self.frames.items() if k[0] is not None}
        self.key = key
        self.background = self.backgrounds[key]

    def render(self, key=None):
        """PNG bytes of the background with the artists drawn as they are now.

        key: what the artists' looks are a function of (e.g. the step t), or None. A frame
        with a key is drawn once and kept (the last KEPT_FRAMES): Play and a slider moved back
        and forth show frames already drawn, which costs nothing. ``redraw`` without a key
        forgets the frames of the background it replaces.
        """
        if key is None:
            return self._render()
        key = (self.key, key)
        if key not in self.frames:
            if len(self.frames) >= KEPT_FRAMES:
                del self.frames[next(iter(self.frames))]  # the oldest
            self.frames[key] = self._render()
        return self.frames[key]

    def _render(self):
        canvas = self.figure.canvas
        # The legends on top of the artists, as a full draw puts them, if any artist reaches
        # one; else the background with the legends already on it.
        reached = any(artists is None or self._reaches(artists, legend)
                      for legend, artists in self.legends.items())
        bare, with_legends = self.background
        canvas.restore_region(bare if reached else with_legends)
        for artist in self.with_legends if reached else self.artists:
            self.figure.draw_artist(artist)
        return png_bytes(np.asarray(canvas.buffer_rgba())[..., :3])

    def _reaches(self, artists, legend, anywhere=False):
        """Whether any of the visible ``artists`` may draw on ``legend``: where they are now
        (their boxes, widened by LINE_REACH for line widths and smoothing, cut to their clip
        boxes), or anywhere they may move (their clip boxes; an unclipped one, anywhere)."""
        renderer = self.figure.canvas.get_renderer()
        box = legend.get_window_extent(renderer)
        reach = LINE_REACH * self.figure.dpi / 72
        for artist in artists:
            clip = artist.get_clip_box() if artist.get_clip_on() else None
            if anywhere:
                if clip is None or box.overlaps(clip):
                    return True
            elif artist.get_visible():
                drawn = artist.get_window_extent(renderer).padded(reach)
                drawn = drawn if clip is None else Bbox.intersection(drawn, clip)
                if drawn is not None and box.overlaps(drawn):
                    return True
        return False


def png_bytes(pixels):
    """PNG bytes of a (height, width, 3) or (height, width) uint8 array.

    Written here rather than by PIL: PIL tries five row filters on every row, which costs
    three quarters of its encoding time; the course's flat-coloured figures compress about as
    well without them (filter 0 on every row, zlib level 1), in a quarter of the time.
    """
    pixels = _validate.uint8_image("pixels", pixels)
    height, width = pixels.shape[:2]
    rows = np.zeros((height, 1 + pixels[0].size), np.uint8)  # each row: filter byte 0, pixels
    rows[:, 1:] = pixels.reshape(height, -1)
    colour_type = 2 if pixels.ndim == 3 else 0  # RGB or grey, 8 bits a channel
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return b"".join([b"\x89PNG\r\n\x1a\n", _png_chunk(b"IHDR", header),
                     _png_chunk(b"IDAT", zlib.compress(rows.tobytes(), 1)),
                     _png_chunk(b"IEND", b"")])


def _png_chunk(kind, data):
    """One PNG chunk: length, type, data, CRC of type and data."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def play_for(slider, interval):
    """A Play button that moves ``slider`` in the browser every ``interval`` ms.

    jslink moves the slider without a round trip through the kernel; the bounds follow the
    slider kernel-side (dlink), so a slider whose max changes keeps its Play in step.
    """
    play = widgets.Play(value=slider.value, min=slider.min, max=slider.max, step=1,
                        interval=interval, description="Play")
    play.add_class(f"rnnbook-play-{interval}ms")  # its rate, read by benchmarks/browser_latency
    widgets.jslink((play, "value"), (slider, "value"))
    widgets.dlink((slider, "min"), (play, "min"))
    widgets.dlink((slider, "max"), (play, "max"))
    return play


def vector_text(values):
    """The values of a vector (n,) as text, signed, two decimals each."""
    return " ".join(f"{value:+.2f}" for value in values)


def table_html(rows):
    """HTML table of (label, text) rows, in a fixed-width font so the numbers line up."""
    body = "".join(f"<tr><td style='padding-right:1em'>{label}</td>"
                   f"<td style='font-family:monospace'>{html.escape(text)}</td></tr>"
                   for label, text in rows)
    return f"<table>{body}</table>"

