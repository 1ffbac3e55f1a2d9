"""Counting models of text: character n-grams with interpolated Kneser-Ney smoothing (06).

The baselines with no recurrence that notebook 06 sets against its character LSTM. A model of
order n predicts a character from the n - 1 characters before it, and from nothing else:

    model = KneserNey(train_ids, vocab_size=V, max_order=8)   # counts every order up to 8
    p = model.probs(test_ids, order=5)       # (N,) p(c_i | the 4 characters before c_i)
    dist = model.distribution(context_ids, order=5)    # (V,) sums to 1

Interpolated Kneser-Ney (Chen & Goodman 1999, section 3) mixes every order down to a uniform
distribution. Level k (contexts of k - 1 characters) gives

    P_k(w | h) = max(a_k(h w) - D_k, 0) / a_k(h)  +  D_k * N_k(h) / a_k(h) * P_{k-1}(w | h')

where h' is h without its first character, a_k(h) = sum over w of a_k(h w), N_k(h) is the
number of characters w with a_k(h w) > 0, and P_0 = 1 / V. A context never seen (a_k(h) = 0)
passes straight down: P_k(w | h) = P_{k-1}(w | h'). The top level counts how often h w
occurred; every lower level counts the *continuations* of h w instead, the number of distinct
characters seen just before it. That is Kneser-Ney's idea: a lower level is consulted only
when the longer context was rare, so it should score how many contexts a string completes,
not how often it occurs (which the top level already knows). The discount D_k = n1 / (n1 +
2 n2) comes from the numbers n1, n2 of n-grams counted once and twice at that level.

The counts are kept in dicts keyed by strings: a sequence of ids becomes a str with one
character per id (``chr(id)``), so that a context is a string slice, quick to hash.
"""

import collections
import math
import numbers

import numpy as np

from rnnbook import _validate as v


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
        self.vocab_size = v.positive_int("vocab_size", vocab_size)
        self.max_order = v.positive_int("max_order", max_order)
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

    def _check_order(self, order):
        return v.int_in_range("order", order, 1, self.max_order)

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
    probs = v.as_array("probs", probs, ndim=1)
    if probs.size == 0 or np.any(probs <= 0) or np.any(probs > 1):
        raise ValueError("probs: expected probabilities in (0, 1], at least one")
    return float(-np.mean(np.log2(probs)))


def unigram_bits(train_ids, test_ids, vocab_size):
    """Bits per character of the unigram with add-one counts (Laplace): no context at all."""
    vocab_size = v.positive_int("vocab_size", vocab_size)
    counts = np.bincount(np.asarray(train_ids), minlength=vocab_size) + 1.0
    return bits_per_char((counts / counts.sum())[np.asarray(test_ids)])


def uniform_bits(vocab_size):
    """Bits per character of guessing uniformly among V characters: log2 V."""
    return math.log2(v.positive_int("vocab_size", vocab_size))


def best_order(model, val_ids, orders=None):
    """The order with the fewest bits per character on val_ids, and {order: bpc} of each."""
    if not isinstance(model, KneserNey):
        raise TypeError(f"model: expected a KneserNey, got {type(model).__name__}")
    orders = range(1, model.max_order + 1) if orders is None else orders
    if not all(isinstance(o, numbers.Integral) for o in orders):
        raise TypeError(f"orders: expected ints, got {orders!r}")
    scores = {int(o): bits_per_char(model.probs(val_ids, o)) for o in orders}
    return min(scores, key=scores.get), scores
