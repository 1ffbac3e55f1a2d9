"""Baselines: the best a model without order, context or long memory can do (notebooks 01,
03, 04, 06).

A recurrent model earns its keep by using what these cannot. Each baseline here is computed
exactly, fitted in closed form or counted, never trained, so the notebooks can compare a
trained RNN with a fixed number:

    window predictors      least-squares next-value guesses from a window of the last
                           ``width`` values, in order or shuffled (notebook 01's sines)
    order_blind_ceiling    the best accuracy of any model that sees only a bag of words
    context_free_ceiling   the best accuracy of any tagger that sees only the current word
    last_marker_mse        the adding problem solved with a memory of the last marker only
    untrained_state_readout  what a readout alone decodes from an untrained network's state
    KneserNey              character n-grams with interpolated Kneser-Ney smoothing, and
                           bits per character of them and of the simplest guesses (notebook 06)

Each baseline has its own section. Shapes use the package's letters (T time, N series,
examples or characters, M windows, V vocabulary).
"""

import collections
import math
import numbers
import re
from typing import NamedTuple

import numpy as np
import torch

from rnnbook import _validate, data, models

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
    series = _validate.as_array("series", series, ndim=2)
    width = _validate.int_in_range("width", width, 1, len(series) - 1)
    return _windows(series, width, None if shuffle_seed is None
                    else _validate.rng("shuffle_seed", shuffle_seed))


def _windows(series, width, shuffler):
    windows = np.lib.stride_tricks.sliding_window_view(series[:-1], width, axis=0)
    windows = windows.reshape(-1, width)  # row s * N + n: steps s .. s + width - 1 of series n
    targets = series[width:].reshape(-1)
    if shuffler is not None:
        windows = shuffler.permuted(windows, axis=1)
    return windows, targets


def fit_next_value(windows, targets):
    """Least-squares weights w (width + 1,) of the guess windows @ w[:-1] + w[-1]."""
    windows = _validate.as_array("windows", windows, ndim=2)
    targets = _validate.as_array("targets", targets, shape=(len(windows),))
    return _fit(windows, targets)


def _fit(windows, targets):
    inputs = np.column_stack([windows, np.ones(len(windows))])
    # The normal equations: (width + 1)^2 numbers, quick to solve for tens of thousands of rows.
    return np.linalg.solve(inputs.T @ inputs, inputs.T @ targets)


def predict_next_value(weights, windows):
    """The guesses (M,) for windows (M, width) from ``fit_next_value``'s weights (width + 1,)."""
    windows = _validate.as_array("windows", windows, ndim=2)
    weights = _validate.as_array("weights", weights, shape=(windows.shape[1] + 1,))
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
    train = _validate.as_array("train", train, ndim=2)
    test = _validate.as_array("test", test, ndim=2)
    max_width = _validate.int_in_range("max_width", max_width, 1, min(len(train), len(test)) - 1)
    floor = _validate.number("noise", noise, low=0) ** 2
    shuffler = _validate.rng("seed", seed)
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
    width = _validate.positive_int("width", width)
    draw = _validate.rng("seed", seed)
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
    series = _validate.as_array("series", series, ndim=1)
    predictors = _validate.instance("predictors", predictors, WindowPredictors,
                                    "a WindowPredictors")
    width = _validate.int_in_range("width", width, 1, min(len(predictors.errors.widths),
                                                          len(series) - 1))
    start = min(_validate.non_negative_int("start", start), len(series) - 1 - width)
    shuffle = _validate.boolean("shuffle", shuffle)
    order = shuffle_order(width, seed) if shuffle else np.arange(width)
    seen = series[start:start + width][order]
    prediction = float(_predict(predictors.weights[width, shuffle], seen[None])[0])
    errors = predictors.errors.shuffled if shuffle else predictors.errors.in_order
    return WindowGuess(start, width, shuffle, seen, float(series[start + width]), prediction,
                       float(errors[width - 1]))


# ---------------------------------------------------------------------------------------------
# Ceilings (notebooks 01 and 03): the best accuracy without order, or without context.

def _split_of(dataset, split):
    _validate.instance("dataset", dataset, data.Dataset, "an rnnbook.data.Dataset")
    return getattr(dataset, _validate.choice("split", split, ("train", "test")))


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


# ---------------------------------------------------------------------------------------------
# Long time lags (notebook 04): what a short memory, or no learning through time, reaches.

def last_marker_guess(x):
    """The best guess of the adding problem's sum from the last marked value alone.

    x (T, N, 2), channel 0 the values, channel 1 the markers (``data.adding``). The first
    marked value is U[0, 1] and unseen, so the best guess is the last one plus its mean 1/2;
    its expected squared error is the first value's variance, 1/12 (half the mean's 1/6).
    Returns (N,).
    """
    x = _validate.as_array("x", x, shape=(None, None, 2))
    values, markers = x[..., 0], x[..., 1]  # (T, N) each
    last = x.shape[0] - 1 - np.argmax(markers[::-1] > 0, axis=0)  # the last marked step
    return values[last, np.arange(x.shape[1])] + 0.5


def last_marker_mse(dataset, split="test"):
    """The MSE of ``last_marker_guess`` on a split of ``data.adding``: a memory of the last
    marker only, which sits at most T/2 steps before the end."""
    part = _split_of(dataset, split)
    if dataset.name != "adding":
        raise ValueError(f"dataset: expected the adding problem, got {dataset.name!r}")
    guess = last_marker_guess(part.x.double().numpy())
    return float(np.mean((guess - part.y.double().numpy()) ** 2))


def untrained_state_readout(dataset, cell="lstm", hidden_size=32, seed=0, ridge=1e-3):
    """Test accuracy of a linear readout fitted to an *untrained* network's hidden states.

    dataset: a synced task of token ids, x (T, N) and labels y (T, N) with IGNORE where there
    is nothing to predict (e.g. ``data.echo``). The network is a fresh ``models.Tagger``
    (its weights as initialised by ``seed``); only the readout is fitted, by least squares on
    one-hot labels (ridge ``ridge``), over the valid steps of the train split. No gradient
    passes through time at all: what it reaches is what the forward state happens to hold.
    """
    _validate.instance("dataset", dataset, data.Dataset, "an rnnbook.data.Dataset")
    if dataset.kind != "synced" or dataset.train.x.ndim != 2:
        raise ValueError(f"dataset: expected a synced task of token ids, got {dataset.name!r}")
    ridge = _validate.number("ridge", ridge, low=0)
    model = models.Tagger(dataset.n_in, dataset.n_out, cell=cell,
                          hidden_size=_validate.positive_int("hidden_size", hidden_size),
                          seed=_validate.non_negative_int("seed", seed))

    def features(part):
        with torch.no_grad():
            hs, _ = model.rnn(model.inputs(part.x))  # (T, N, H)
        valid = (part.y != data.IGNORE).numpy()
        h = hs.double().numpy()[valid]  # (M, H), the steps with a label
        return np.hstack([h, np.ones((len(h), 1))]), part.y.numpy()[valid]

    (h_train, y_train), (h_test, y_test) = features(dataset.train), features(dataset.test)
    targets = np.eye(dataset.n_out)[y_train]  # (M, n_out) one-hot
    weights = np.linalg.solve(h_train.T @ h_train + ridge * np.eye(h_train.shape[1]),
                              h_train.T @ targets)
    return float(np.mean((h_test @ weights).argmax(axis=1) == y_test))


# Counting models of text (notebook 06): character n-grams with interpolated Kneser-Ney
# smoothing, the baselines with no recurrence that notebook 06 sets against its character LSTM.
#
# A model of order n predicts a character from the n - 1 characters before it, and from nothing
# else:
#
#     model = KneserNey(train_ids, vocab_size=V, max_order=8)   # counts every order up to 8
#     p = model.probs(test_ids, order=5)       # (N,) p(c_i | the 4 characters before c_i)
#     dist = model.distribution(context_ids, order=5)    # (V,) sums to 1
#
# Interpolated Kneser-Ney (Chen & Goodman 1999, section 3) mixes every order down to a uniform
# distribution. Level k (contexts of k - 1 characters) gives
#
#     P_k(w | h) = max(a_k(h w) - D_k, 0) / a_k(h)  +  D_k * N_k(h) / a_k(h) * P_{k-1}(w | h')
#
# where h' is h without its first character, a_k(h) = sum over w of a_k(h w), N_k(h) is the
# number of characters w with a_k(h w) > 0, and P_0 = 1 / V. A context never seen (a_k(h) = 0)
# passes straight down: P_k(w | h) = P_{k-1}(w | h'). The top level counts how often h w
# occurred; every lower level counts the *continuations* of h w instead, the number of distinct
# characters seen just before it. That is Kneser-Ney's idea: a lower level is consulted only
# when the longer context was rare, so it should score how many contexts a string completes,
# not how often it occurs (which the top level already knows). The discount D_k = n1 / (n1 +
# 2 n2) comes from the numbers n1, n2 of n-grams counted once and twice at that level.
#
# The counts are kept in dicts keyed by strings: a sequence of ids becomes a str with one
# character per id (``chr(id)``), so that a context is a string slice, quick to hash.


def _as_text(ids, vocab_size, name):
    """ids (N,) ints in [0, V) as a str with one character per id."""
    ids = np.asarray(ids)
    if ids.ndim != 1 or not (ids.size == 0 or np.issubdtype(ids.dtype, np.integer)):
        raise TypeError(f"{name}: expected a 1-D array of int ids, got {ids.dtype} "
                        f"shape {ids.shape}")
    if ids.size and (ids.min() < 0 or ids.max() >= vocab_size):
        raise ValueError(f"{name}: expected ids in [0, {vocab_size}), got "
                         f"[{ids.min()}, {ids.max()}]")
    return "".join(map(chr, ids.tolist()))


class KneserNey:
    """Character n-grams of every order 1..max_order with interpolated Kneser-Ney smoothing.

    ids: (N,) int ids of the training text; vocab_size V. ``order`` in ``probs`` and
    ``distribution`` picks the model (1 = unigram, 2 = bigram, ...): they share the counts.
    """

    def __init__(self, ids, vocab_size, max_order=8):
        self.vocab_size = _validate.positive_int("vocab_size", vocab_size)
        self.max_order = _validate.positive_int("max_order", max_order)
        text = _as_text(ids, self.vocab_size, "ids")
        N = len(text)
        # raw[k]: how often each k-gram occurs; cont[k]: how many distinct characters precede it.
        self.raw = {k: collections.Counter(text[i:i + k] for i in range(N - k + 1))
                    for k in range(1, self.max_order + 1)}
        self.cont = {k: collections.Counter(gram[1:] for gram in self.raw[k + 1])
                     for k in range(1, self.max_order)}
        # Per level and per kind: the context totals a_k(h), types N_k(h) and the discount D_k.
        self._levels = {}
        for k in range(1, self.max_order + 1):
            for top in (True, False):
                if not top and k == self.max_order:
                    continue
                counts = self.raw[k] if top else self.cont[k]
                self._levels[k, top] = self._summarise(counts)

    @staticmethod
    def _summarise(counts):
        totals, types = collections.Counter(), collections.Counter()
        for gram, a in counts.items():
            totals[gram[:-1]] += a
            types[gram[:-1]] += 1
        n1 = sum(1 for a in counts.values() if a == 1)
        n2 = sum(1 for a in counts.values() if a == 2)
        discount = n1 / (n1 + 2 * n2) if n1 else 0.5
        return counts, totals, types, discount

    def unseen_fraction(self, ids, length):
        """The fraction of the strings of ``length`` consecutive ids in ids (N,) (one at each
        position) that never occur in the training text; length <= max_order."""
        length = _validate.int_in_range("length", length, 1, self.max_order)
        text = _as_text(ids, self.vocab_size, "ids")
        grams = [text[i:i + length] for i in range(len(text) - length + 1)]
        if not grams:
            raise ValueError(f"ids: expected at least {length} ids, got {len(text)}")
        return sum(gram not in self.raw[length] for gram in grams) / len(grams)

    def _check_order(self, order):
        return _validate.int_in_range("order", order, 1, self.max_order)

    def _prob(self, history, w, order):
        """P(w | history) for the model of ``order``; history: the str of up to order-1 chars."""
        p = 1.0 / self.vocab_size
        # From the shortest context (level 1, h = "") up to the longest one available.
        for k in range(1, min(order, len(history) + 1) + 1):
            h = history[len(history) - (k - 1):] if k > 1 else ""
            counts, totals, types, discount = self._levels[k, k == order]
            total = totals.get(h, 0)
            if total:
                a = counts.get(h + w, 0)
                p = (max(a - discount, 0.0) + discount * types[h] * p) / total
        return p

    def probs(self, ids, order):
        """p(c_i | the order - 1 characters before c_i) for every c_i of ids (N,): (N,).

        The first characters have fewer characters before them, and use what there is.
        """
        order = self._check_order(order)
        text = _as_text(ids, self.vocab_size, "ids")
        n = order - 1
        return np.array([self._prob(text[max(0, i - n):i], text[i], order)
                         for i in range(len(text))])

    def distribution(self, context, order):
        """p(w | context) for every character w: (V,), summing to 1.

        context: (k,) int ids; the model reads its last order - 1.
        """
        order = self._check_order(order)
        text = _as_text(context, self.vocab_size, "context")
        history = text[max(0, len(text) - (order - 1)):] if order > 1 else ""
        return np.array([self._prob(history, chr(w), order) for w in range(self.vocab_size)])


def bits_per_char(probs):
    """Mean of -log2 p over the probabilities that a model gave the true characters (N,)."""
    probs = _validate.as_array("probs", probs, ndim=1)
    if probs.size == 0 or np.any(probs <= 0) or np.any(probs > 1):
        raise ValueError("probs: expected probabilities in (0, 1], at least one")
    return float(-np.mean(np.log2(probs)))


def unigram_bits(train_ids, test_ids, vocab_size):
    """Bits per character of the unigram with add-one counts (Laplace): no context at all."""
    vocab_size = _validate.positive_int("vocab_size", vocab_size)
    counts = np.bincount(np.asarray(train_ids), minlength=vocab_size) + 1.0
    return bits_per_char((counts / counts.sum())[np.asarray(test_ids)])


def uniform_bits(vocab_size):
    """Bits per character of guessing uniformly among V characters: log2 V."""
    return math.log2(_validate.positive_int("vocab_size", vocab_size))


def best_order(model, val_ids, orders=None):
    """The order with the fewest bits per character on val_ids, and {order: bpc} of each."""
    if not isinstance(model, KneserNey):
        raise TypeError(f"model: expected a KneserNey, got {type(model).__name__}")
    orders = range(1, model.max_order + 1) if orders is None else orders
    if not all(isinstance(o, numbers.Integral) for o in orders):
        raise TypeError(f"orders: expected ints, got {orders!r}")
    scores = {int(o): bits_per_char(model.probs(val_ids, o)) for o in orders}
    return min(scores, key=scores.get), scores


def date_form(text, iso):
    """How a date of ``data.dates`` is written, as its test set holds it out: (month, the text
    with each number as '#'), e.g. ('11', 'nov #, #') for 'nov 25, 2026' -> '2026-11-25'.
    The test set writes each month in a form never used for that month in training."""
    for name, value in (("text", text), ("iso", iso)):
        if not isinstance(value, str):
            raise TypeError(f"{name}: expected a str, got {type(value).__name__}")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", iso):
        raise ValueError(f"iso: expected a date as YYYY-MM-DD, got {iso!r}")
    return iso[5:7], re.sub(r"\d+", "#", text)


def context_pairs(words):
    """The pairs 'context word + ambiguous word' of one tagging sentence, in the form of
    ``data.tagging().info["held_out"]``: each ambiguous word with the latest context word before
    it. What a tagger needs to read, and what the tagging test set holds out.

    words: the sentence as a list of str, e.g. ``data.tokenize(vocab.decode(x[:, j].tolist()))``.
    Returns a set of str; an ambiguous word with no context word before it pairs with None.
    """
    pairs, cue = set(), None
    for word in _validate.strings("words", words):
        if word in data.CUES:
            cue = word
        elif word in data.SENSES:
            pairs.add(f"{cue} + {word}")
    return pairs
