"""Opening a character model up: exact labels of Python source, and the units that track them.

    labels = structure(source)           # per character: in a string? in a comment? depth...
    r = correlations(activations, features(labels))       # (F, U) Pearson r per unit
    best = best_units(r)                  # the unit that tracks each feature best
    r2 = linear_probe(activations, features(labels))   # all units at once, held-out R^2
    table = loss_by_distance(losses, labels.bracket_distance, bins)    # where memory shows

Labels come from Python's own tokenizer (``tokenize``), so they are exact, not guessed by
pattern: a ``#`` inside a string is not a comment, a bracket inside a comment does not count.
Karpathy, Johnson & Fei-Fei (2015), "Visualizing and Understanding Recurrent Networks", found
cells that track quotes, line length and indentation in this way.
"""

import io
import tokenize
from typing import NamedTuple

import numpy as np

from rnnbook import _validate as v

# The features the probe correlates with every unit, and how prose and figures say them.
FEATURES = {
    "in_string": "inside a string literal",
    "in_comment": "inside a comment",
    "bracket_depth": "bracket depth",
    "indent": "indentation of the line",
    "column": "position in the line",
}
OPEN, CLOSE = "([{", ")]}"
# Python 3.12 splits an f-string into these tokens, with the expressions between them as
# ordinary tokens; 3.11 and earlier make it one STRING token. Both are labelled as 3.11 does:
# everything from the f-string's opening quote to its closing quote is inside the string.
_FSTRING_START = getattr(tokenize, "FSTRING_START", None)
_FSTRING_END = getattr(tokenize, "FSTRING_END", None)


class Structure(NamedTuple):
    """Exact labels of every character of a Python source of N characters, each (N,).

    in_string, in_comment: bool; bracket_depth: how many brackets ( [ { opened before the
    character are still open (so the opening bracket itself is outside, its closing one
    inside); bracket_distance: characters since the innermost of those opened (-1: none);
    indent: spaces at the start of the character's line; column: characters since the
    line began (0 for its first).
    """

    in_string: np.ndarray
    in_comment: np.ndarray
    bracket_depth: np.ndarray
    bracket_distance: np.ndarray
    indent: np.ndarray
    column: np.ndarray


def structure(source):
    """Label every character of ``source`` (complete Python code, as ``tokenize`` reads it)."""
    if not isinstance(source, str):
        raise TypeError(f"source: expected a str, got {type(source).__name__}")
    N = len(source)
    line_starts = np.concatenate([[0], np.flatnonzero(np.frombuffer(
        source.encode("utf-32-le"), dtype=np.uint32) == ord("\n")) + 1])

    def offset(row, col):  # tokenize's (row from 1, column) -> index into source
        return int(line_starts[row - 1]) + col

    in_string, in_comment = np.zeros(N, bool), np.zeros(N, bool)
    opens, closes = [], []  # positions of the brackets that are code
    fstrings = []  # start offsets of the f-strings open (3.12+)
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            start, end = offset(*tok.start), offset(*tok.end)
            if tok.type == tokenize.STRING:
                in_string[start:end] = True
            elif tok.type == tokenize.COMMENT:
                in_comment[start:end] = True
            elif _FSTRING_START is not None and tok.type == _FSTRING_START:
                fstrings.append(start)
            elif _FSTRING_START is not None and tok.type == _FSTRING_END:
                in_string[fstrings.pop():end] = True
            elif tok.type == tokenize.OP and tok.string in OPEN and not fstrings:
                opens.append(start)
            elif tok.type == tokenize.OP and tok.string in CLOSE and not fstrings:
                closes.append(start)
    except (tokenize.TokenError, IndentationError, SyntaxError) as error:
        raise ValueError(f"source: not complete Python code ({error})") from None

    # Depth and distance: walk the characters with a stack of the open brackets' positions.
    depth, distance = np.zeros(N, np.int64), np.full(N, -1, np.int64)
    events = {p: +1 for p in opens} | {p: -1 for p in closes}
    stack = []
    for i in range(N):
        if stack:
            depth[i], distance[i] = len(stack), i - stack[-1]
        step = events.get(i)
        if step == 1:
            stack.append(i)
        elif step == -1 and stack:
            stack.pop()

    rows = np.searchsorted(line_starts, np.arange(N), side="right") - 1  # each char's line
    column = np.arange(N) - line_starts[rows]
    widths = np.array([len(line) - len(line.lstrip(" ")) for line in source.split("\n")])
    return Structure(in_string, in_comment, depth, distance, widths[rows], column)


def features(labels):
    """{feature name: (N,) float} of a Structure, for the features of FEATURES."""
    if not isinstance(labels, Structure):
        raise TypeError(f"labels: expected a Structure, got {type(labels).__name__}")
    return {name: getattr(labels, name).astype(float) for name in FEATURES}


def correlations(activations, named_features):
    """Pearson r of every unit with every feature: (F, U), rows in the order of the dict.

    activations (N, U): each unit's value at each of N characters; named_features {name:
    (N,)}. A constant unit or feature correlates with nothing: its r is 0.
    """
    a = v.as_array("activations", activations, ndim=2).astype(np.float64)
    N = len(a)
    f = np.stack([v.as_array(f"named_features[{name!r}]", x, shape=(N,))
                  for name, x in named_features.items()])
    a = a - a.mean(0)
    f = f - f.mean(1, keepdims=True)
    a_norm, f_norm = np.sqrt((a ** 2).sum(0)), np.sqrt((f ** 2).sum(1))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (f @ a) / (f_norm[:, None] * a_norm[None, :])
    return np.nan_to_num(r, nan=0.0)


def linear_probe(activations, named_features, block=1000):
    """How well a linear read-out of all units recovers each feature: {name: R^2}.

    activations (N, U), named_features {name: (N,)}. The N characters are cut into blocks of
    ``block`` consecutive characters; least squares (with a constant) from all U units is
    fitted on the even blocks and scored on the odd ones: R^2 = 1 - (squared error) /
    (squared deviation from the scored characters' mean). 1 is a perfect read-out, 0 no
    better than guessing the mean, below 0 worse. Alternating blocks rather than two halves,
    so that the fit and the score see the same mix of files (a half of a text can hold many
    more strings or comments than the other half).
    """
    a = v.as_array("activations", activations, ndim=2).astype(np.float64)
    N = len(a)
    block = v.positive_int("block", block)
    fit = (np.arange(N) // block) % 2 == 0
    if fit.all() or fit.sum() < 2:
        raise ValueError(f"block: {block} leaves no characters to fit or to score, N = {N}")
    f = np.stack([v.as_array(f"named_features[{name!r}]", x, shape=(N,))
                  for name, x in named_features.items()], axis=1)  # (N, F)
    x = np.hstack([a, np.ones((N, 1))])
    weights, *_ = np.linalg.lstsq(x[fit], f[fit], rcond=None)  # (U + 1, F)
    error = ((x[~fit] @ weights - f[~fit]) ** 2).sum(0)
    spread = ((f[~fit] - f[~fit].mean(0)) ** 2).sum(0)
    with np.errstate(invalid="ignore", divide="ignore"):
        r2 = np.where(spread > 0, 1 - error / spread, 0.0)
    return {name: float(r2[k]) for k, name in enumerate(named_features)}


class Best(NamedTuple):
    """The unit whose activation correlates most strongly (|r|) with a feature."""

    feature: str
    unit: int
    r: float


def best_units(r, names=tuple(FEATURES)):
    """For each row of r (F, U): the Best unit, by |r|."""
    r = v.as_array("r", r, ndim=2)
    if len(names) != len(r):
        raise ValueError(f"names: expected {len(r)} names, got {len(names)}")
    units = np.abs(r).argmax(axis=1)
    return [Best(name, int(u), float(r[k, u]))
            for k, (name, u) in enumerate(zip(names, units, strict=True))]


def extremes(text, activation, count=10):
    """The text alternative of a coloured passage: the characters at which a unit is highest
    and lowest, each with a little context. Returns (high, low): lists of (char, value)."""
    activation = v.as_array("activation", activation, shape=(len(text),))
    order = np.argsort(activation, kind="stable")
    pick = lambda idx: [(text[i], float(activation[i])) for i in idx]  # noqa: E731
    return pick(order[::-1][:count]), pick(order[:count])


class DistanceTable(NamedTuple):
    """Mean loss (bits per character) by distance bin, for several models on the same chars.

    bins: the bins' (low, high) distances, high included; counts (K,): characters in each;
    bits: {model name: (K,)}.
    """

    bins: list
    counts: np.ndarray
    bits: dict


def loss_by_distance(losses, distance, bins):
    """Bits per character by distance bin: a DistanceTable.

    losses: {model name: (N,) bits per character}, all on the same N characters; distance
    (N,) ints (-1: none, left out); bins: a list of (low, high), both included.
    """
    distance = np.asarray(distance)
    counts, bits = [], {name: [] for name in losses}
    for low, high in bins:
        mask = (distance >= low) & (distance <= high)
        counts.append(int(mask.sum()))
        for name, loss in losses.items():
            loss = v.as_array(f"losses[{name!r}]", loss, shape=(len(distance),))
            bits[name].append(float(loss[mask].mean()) if mask.any() else float("nan"))
    return DistanceTable(list(bins), np.array(counts),
                         {name: np.array(b) for name, b in bits.items()})
