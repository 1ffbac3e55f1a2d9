"""Sequence window (notebook 01): slide a window over a noisy sine, or shuffle it.

The predictors and their guesses are ``baselines``'; the widget only shows them.
"""

import ipywidgets as widgets

from rnnbook import _validate as v
from rnnbook import baselines, plots
from rnnbook.widgets import core


def sequence_window_table(guess, errors):
    """HTML table of a ``baselines.WindowGuess``: the window, what the predictor sees, its
    guess, and what shuffling costs at this width (``errors``: a ``baselines.WindowErrors``)."""
    end = guess.start + guess.width - 1
    way = "shuffled" if guess.shuffled else "in order"
    ordered, shuffled = errors.in_order[guess.width - 1], errors.shuffled[guess.width - 1]
    squared = (guess.prediction - guess.target) ** 2
    return core.table_html([
        ("window", f"steps {guess.start}..{end}: {guess.width} values, {way}"),
        ("the model sees", core.vector_text(guess.seen)),
        (f"next value (step {end + 1})", f"{guess.target:+.2f}; guessed {guess.prediction:+.2f}"
         f" (squared error {squared:.3f})"),
        (f"test MSE at width {guess.width}", f"in order {ordered:.3f}, shuffled "
         f"{shuffled:.3f} ({shuffled / ordered:.1f}x); noise floor {errors.floor:.3f}"),
    ])


def sequence_window_explorer(series, predictors, width=6):
    """Slide a window over a series, or shuffle it, and watch what is lost.

    series (T,): e.g. one test series of ``data.whole_series(data.sines().test)``;
    predictors: a ``baselines.WindowPredictors`` (``baselines.window_predictors``), fitted on
    other series. Controls: "start" (animated by Play), "width" (1..the predictors' widest),
    "shuffle" (on or off) and "seed" (which shuffle). Returns an Explorer whose state is a
    ``baselines.WindowGuess``; ``.series`` is the series shown, ``.predictors`` the
    predictors and ``.artists`` the plots.WindowArtists.
    """
    series = v.as_array("series", series, ndim=1)
    predictors = v.instance("predictors", predictors, baselines.WindowPredictors,
                            "a baselines.WindowPredictors")
    errors = predictors.errors
    max_width = v.int_in_range("predictors' widest window", len(errors.widths), 1,
                               len(series) - 1)
    width = v.int_in_range("width", width, 1, max_width)
    last = len(series) - 1  # the last start of a window of width w is last - w

    figure = core.new_figure((7.0, 5.2))
    top, bottom = figure.subplots(2, 1, height_ratios=[3, 2])
    artists = plots.window_axes(top, series)
    plots.window_errors(errors.widths, errors.in_order, errors.shuffled, errors.floor,
                        ax=bottom, title="Test MSE of the next-value guess, by window width")
    cursor, = bottom.plot([width], [errors.in_order[width - 1]], "o", color=plots.VERMILLION,
                          markersize=10, markerfacecolor="none", markeredgewidth=2)
    core.freeze_layout(figure)
    # The window moves every frame; the cursor only with the width and shuffle: it is drawn
    # into the background then, under the spines and legend it may touch, as a full draw does.
    blit = core.Blit(figure, artists.artists(),
                     layers=[cursor, *bottom.spines.values(), bottom.get_legend()])

    def show(explorer, guess):
        plots.show_window(artists, guess.start, guess.seen, guess.prediction)
        cursor.set_data([guess.width], [guess.mse])
        if blit.key != (guess.width, guess.shuffled):
            blit.redraw(key=(guess.width, guess.shuffled))
        controls["seed"].disabled = not guess.shuffled
        explorer.image.value = blit.render(key=tuple(explorer.values().values()))
        explorer.text.value = sequence_window_table(guess, errors)

    controls = {
        "start": widgets.IntSlider(value=0, min=0, max=last - width, description="start"),
        "width": widgets.IntSlider(value=width, min=1, max=max_width, description="width"),
        "shuffle": widgets.ToggleButton(value=False, description="shuffle", icon="random"),
        "seed": widgets.IntSlider(value=0, min=0, max=9, description="shuffle seed"),
    }

    def follow_width(change):  # registered before the Explorer's observer, so runs first
        controls["start"].max = last - change.new  # clamps start, which updates once

    controls["width"].observe(follow_width, names="value")
    play = core.play_for(controls["start"], core.PLAY_INTERVAL_MS["window"])
    rows = [widgets.HBox([play, controls["start"], controls["width"]]),
            widgets.HBox([controls["shuffle"], controls["seed"]])]
    explorer = core.Explorer(rows, controls,
                        lambda start, width, shuffle, seed: baselines.window_guess(
                            series, predictors, start, width, shuffle, seed),
                        show, figure, play, name="sequence-window")
    explorer.series, explorer.predictors, explorer.artists = series, predictors, artists
    return explorer
