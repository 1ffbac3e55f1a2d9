"""Baselines: the best a model without order or without context can do (notebooks 01 and 03).

A recurrent model earns its keep by using what these cannot. Each baseline here is computed
exactly or fitted in closed form, never trained, so the notebooks can compare a trained RNN
with a fixed number:

    window predictors      least-squares next-value guesses from a window of the last
                           ``width`` values, in order or shuffled (notebook 01's sines)
    order_blind_ceiling    the best accuracy of any model that sees only a bag of words
    context_free_ceiling   the best accuracy of any tagger that sees only the current word

More baselines (e.g. an n-gram character model) belong here too, each in its own section.
Shapes use the package's letters (T time, N series or examples, M windows).
"""

from typing import NamedTuple

import numpy as np

from rnnbook import _validate as v
from rnnbook import data

# ---------------------------------------------------------------------------------------------
# Window predictors (notebook 01): what a model loses when it sees a window, or no order.


class WindowErrors(NamedTuple):
    """Next-value test MSE against window width, for the predictors of ``window_predictors``."""

    widths: np.ndarray  # (W,) 1 .. max_width
    in_order: np.ndarray  # (W,) predictors fitted on, and fed, windows in order
    shuffled: np.ndarray  # (W,) predictors fitted on, and fed, windows with shuffled steps
    floor: float  # the noise variance: on average no predictor can beat it


class WindowPredictors(NamedTuple):
    """weights: {(width, shuffled): (width + 1,) least-squares weights, the bias last}."""

    weights: dict
    errors: WindowErrors


class WindowGuess(NamedTuple):
    """One window of a series, what a predictor sees of it, and its guess of the next value."""

    start: int  # the window holds steps start .. start + width - 1
    width: int
    shuffled: bool
    seen: np.ndarray  # (width,) the window's values in the order the predictor sees them
    target: float  # the next value, series[start + width]
    prediction: float  # the guess of the predictor that sees windows this way
    mse: float  # that predictor's test MSE at this width (over every window of the test set)


def next_value_windows(series, width, shuffle_seed=None):
    """Every window of ``width`` steps of series (T, N), and the value just after each.

    Returns (windows (M, width), targets (M,)), M = (T - width) * N. shuffle_seed: None
    keeps each window in order; an int or Generator shuffles each window's steps with a
    permutation of its own, as a model that ignores order would see them.
    """
    series = v.as_array("series", series, ndim=2)
    width = v.int_in_range("width", width, 1, len(series) - 1)
    return _windows(series, width, None if shuffle_seed is None
                    else v.rng("shuffle_seed", shuffle_seed))


def _windows(series, width, shuffler):
    windows = np.lib.stride_tricks.sliding_window_view(series[:-1], width, axis=0)
    windows = windows.reshape(-1, width)  # row s * N + n: steps s .. s + width - 1 of series n
    targets = series[width:].reshape(-1)
    if shuffler is not None:
        windows = shuffler.permuted(windows, axis=1)
    return windows, targets


def fit_next_value(windows, targets):
    """Least-squares weights w (width + 1,) of the guess windows @ w[:-1] + w[-1]."""
    windows = v.as_array("windows", windows, ndim=2)
    targets = v.as_array("targets", targets, shape=(len(windows),))
    return _fit(windows, targets)


def _fit(windows, targets):
    inputs = np.column_stack([windows, np.ones(len(windows))])
    # The normal equations: (width + 1)^2 numbers, quick to solve for tens of thousands of rows.
    return np.linalg.solve(inputs.T @ inputs, inputs.T @ targets)


def predict_next_value(weights, windows):
    """The guesses (M,) for windows (M, width) from ``fit_next_value``'s weights (width + 1,)."""
    windows = v.as_array("windows", windows, ndim=2)
    weights = v.as_array("weights", weights, shape=(windows.shape[1] + 1,))
    return _predict(weights, windows)


def _predict(weights, windows):
    return windows @ weights[:-1] + weights[-1]


def window_predictors(train, test, max_width=12, noise=0.0, seed=0):
    """Fit a next-value predictor for every width 1..max_width, fed windows in order or
    shuffled, on the series ``train`` (T, N); score each on every window of ``test``.

    Each shuffled predictor is fitted on shuffled windows, so it is the best linear guess
    that can be made without the order, not an in-order model confused by a shuffle.
    noise: the series' noise level, whose square is WindowErrors.floor. Returns a
    WindowPredictors.
    """
    train, test = v.as_array("train", train, ndim=2), v.as_array("test", test, ndim=2)
    max_width = v.int_in_range("max_width", max_width, 1, min(len(train), len(test)) - 1)
    floor = v.number("noise", noise, low=0) ** 2
    shuffler = v.rng("seed", seed)
    weights, errors = {}, {False: [], True: []}
    for width in range(1, max_width + 1):
        for shuffled in (False, True):
            draw = shuffler if shuffled else None
            weights[width, shuffled] = _fit(*_windows(train, width, draw))
            windows, targets = _windows(test, width, draw)
            guesses = _predict(weights[width, shuffled], windows)
            errors[shuffled].append(float(np.mean((guesses - targets) ** 2)))
    return WindowPredictors(weights, WindowErrors(np.arange(1, max_width + 1),
                                                  np.array(errors[False]),
                                                  np.array(errors[True]), floor))


def shuffle_order(width, seed):
    """A permutation of range(width) drawn from ``seed``, never the identity (width >= 2):
    a 'shuffled' window always shows a changed order."""
    width = v.positive_int("width", width)
    draw = v.rng("seed", seed)
    while True:
        order = draw.permutation(width)
        if width == 1 or np.any(order != np.arange(width)):
            return order


def window_guess(series, predictors, start, width, shuffle, seed=0):
    """The window of ``width`` steps at ``start`` of series (T,), as a predictor sees it: in
    order, or shuffled by ``shuffle_order(width, seed)``; with that predictor's guess of the
    next value. Returns a WindowGuess.

    A start too late for this width snaps back to the last one (a widget's start slider
    follows the width one step later).
    """
    series = v.as_array("series", series, ndim=1)
    predictors = v.instance("predictors", predictors, WindowPredictors, "a WindowPredictors")
    width = v.int_in_range("width", width, 1, min(len(predictors.errors.widths),
                                                  len(series) - 1))
    start = min(v.non_negative_int("start", start), len(series) - 1 - width)
    shuffle = v.boolean("shuffle", shuffle)
    order = shuffle_order(width, seed) if shuffle else np.arange(width)
    seen = series[start:start + width][order]
    prediction = float(_predict(predictors.weights[width, shuffle], seen[None])[0])
    errors = predictors.errors.shuffled if shuffle else predictors.errors.in_order
    return WindowGuess(start, width, shuffle, seen, float(series[start + width]), prediction,
                       float(errors[width - 1]))


# ---------------------------------------------------------------------------------------------
# Ceilings (notebooks 01 and 03): the best accuracy without order, or without context.

def _split_of(dataset, split):
    v.instance("dataset", dataset, data.Dataset, "an rnnbook.data.Dataset")
    return getattr(dataset, v.choice("split", split, ("train", "test")))


def _majority_accuracy(keys, labels):
    """The accuracy of answering each key with its majority label: the best any model that
    sees only the key can reach."""
    counts = {}
    for key, label in zip(keys, labels, strict=True):
        per_label = counts.setdefault(key, {})
        per_label[label] = per_label.get(label, 0) + 1
    return sum(max(c.values()) for c in counts.values()) / len(labels)


def order_blind_ceiling(dataset, split="test"):
    """The best accuracy any order-blind model can reach on a split of a many-to-one task.

    Reviews with the same bag of words (``data.word_counts``) get the same answer from such a
    model, so it can at best give each bag its majority label.
    """
    part = _split_of(dataset, split)
    if dataset.kind != "sequence" or dataset.target != "class":
        raise ValueError(f"dataset: expected a many-to-one classification task, "
                         f"got {dataset.name!r}")
    bags = map(tuple, data.word_counts(part.x, dataset.n_in).tolist())
    return _majority_accuracy(list(bags), part.y.tolist())


def context_free_ceiling(dataset, split="test"):
    """The best accuracy on the ambiguous steps of any tagger that sees only the current word.

    Such a tagger gives a word the same tag everywhere, so at best each word's majority tag.
    """
    part = _split_of(dataset, split)
    if part.ambiguous is None:
        raise ValueError(f"dataset: expected a tagging task, got {dataset.name!r}")
    return _majority_accuracy(part.x[part.ambiguous].tolist(), part.y[part.ambiguous].tolist())


def context_pairs(words):
    """The pairs 'context word + ambiguous word' of one tagging sentence, in the form of
    ``data.tagging().info["held_out"]``: each ambiguous word with the latest context word before
    it. What a tagger needs to read, and what the tagging test set holds out.

    words: the sentence as a list of str, e.g. ``data.tokenize(vocab.decode(x[:, j].tolist()))``.
    Returns a set of str; an ambiguous word with no context word before it pairs with None.
    """
    pairs, cue = set(), None
    for word in v.strings("words", words):
        if word in data.CUES:
            cue = word
        elif word in data.SENSES:
            pairs.add(f"{cue} + {word}")
    return pairs
