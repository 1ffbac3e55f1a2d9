"""Notebook 01: a window over a sequence, and what a model loses without the order."""

from typing import NamedTuple

import numpy as np
from matplotlib.patches import Rectangle

from rnnbook import _validate as v
from rnnbook.plots.style import BLACK, BLUE, GREY, ORANGE, SKY, VERMILLION, figure_and_axes


class WindowArtists(NamedTuple):
    """A window drawn over a series (by ``window_axes``), moved by ``show_window``."""

    series: np.ndarray  # (T,) the values drawn in grey
    line: object  # Line2D: the series, drawn over the span (so it moves with it in a blit)
    span: object  # Rectangle: the steps inside the window
    seen: object  # Line2D: the window's values in the order a model sees them
    target: object  # Line2D: one marker, the value just after the window
    prediction: object  # Line2D: one marker, a model's guess of that value

    def artists(self):
        """The artists a moving window redraws, in drawing order: the series' line lies on the
        span, so it is drawn again after it."""
        return [self.span, self.line, self.seen, self.target, self.prediction]


def window_axes(ax, series, title="What a model sees through the window"):
    """Draw a series (T,) in grey on ``ax``; return its WindowArtists, empty until
    ``show_window`` places the window. The y limits are fixed from the series, so that a
    moving window never rescales the axes.
    """
    series = v.as_array("series", series, ndim=1)
    steps = np.arange(len(series))
    line, = ax.plot(steps, series, ".-", color=GREY, linewidth=1.0, label="the series")
    # zorder 1.6: above the grid (1.5), below the lines (2), in a full draw as in a blit
    span = Rectangle((0, 0), 0, 1, transform=ax.get_xaxis_transform(), facecolor=SKY,
                     alpha=0.25, linewidth=0, zorder=1.6)
    ax.add_patch(span)
    seen, = ax.plot([], [], "o-", color=BLUE, markersize=5, label="the model sees")
    target, = ax.plot([], [], "o", color=BLACK, markerfacecolor="none", markersize=10,
                      markeredgewidth=1.5, label="next value")
    prediction, = ax.plot([], [], "X", color=VERMILLION, markersize=9, label="its guess")
    low, high = series.min(), series.max()
    margin = 0.15 * (high - low) + 1e-9
    ax.set_ylim(low - margin, high + margin)
    ax.set_xlim(-0.5, len(series) - 0.5)
    ax.set_xlabel("time step t")
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))  # outside: the window goes anywhere
    return WindowArtists(series, line, span, seen, target, prediction)


def show_window(artists, start, seen, prediction=None):
    """Place the window at steps start .. start + len(seen) - 1 of the series.

    seen: (width,) the values the model sees, in its order (a shuffled window shows them
    scrambled in place); the next value, series[start + width], is marked if it exists, and
    ``prediction`` beside it (None: no marker).
    """
    seen = v.as_array("seen", seen, ndim=1)
    width, T = len(seen), len(artists.series)
    if not 1 <= width <= T:
        raise ValueError(f"seen: expected 1 to {T} values (the series' length), got {width}")
    start = v.int_in_range("start", start, 0, T - width)
    artists.span.set_x(start - 0.5)
    artists.span.set_width(width)
    artists.seen.set_data(start + np.arange(width), seen)
    after = [start + width] if start + width < T else []
    artists.target.set_data(after, artists.series[after])
    if prediction is None or not after:
        artists.prediction.set_data([], [])
    else:
        artists.prediction.set_data(after, [v.number("prediction", prediction)])


def sequence_window(series, start, seen, prediction=None, ax=None,
                    title="What a model sees through the window"):
    """Figure: a series (T,) with a window at ``start`` and what a model sees in it.

    seen: (width,) the window's values in the order the model sees them; prediction: a
    model's guess of the next value (optional). See ``show_window``.
    """
    fig, ax = figure_and_axes(ax, (7.0, 3.0))
    show_window(window_axes(ax, series, title), start, seen, prediction)
    return fig


def window_errors(widths, in_order, shuffled, floor=None, width=None, ax=None,
                  title="Next-value error: in order vs shuffled"):
    """Figure: test MSE of next-value predictions against the window's width, log scale.

    widths (W,); in_order, shuffled (W,): the MSE of predictors that see each window in
    order and shuffled. floor: the noise variance, drawn dashed (no predictor beats it on
    average); width: a window width to mark with a dotted line.
    """
    widths = v.as_array("widths", widths, ndim=1)
    curves = {"in order": (in_order, BLUE), "shuffled": (shuffled, ORANGE)}
    fig, ax = figure_and_axes(ax, (5.0, 3.0))
    for label, (values, colour) in curves.items():
        values = v.as_array(label.replace(" ", "_"), values, shape=widths.shape)
        ax.plot(widths, values, "o-", color=colour, markersize=4, label=label)
    if floor is not None:
        ax.axhline(v.number("floor", floor, low=0), color=BLACK, linestyle="--", linewidth=1.0,
                   label="noise floor")
    if width is not None:
        ax.axvline(v.number("width", width), color=VERMILLION, linestyle=":", linewidth=1.5)
    ax.set_yscale("log")
    ax.set_xlabel("window width (values seen)")
    ax.set_ylabel("test MSE")
    ax.set_title(title)
    ax.legend(loc="center right")
    return fig

