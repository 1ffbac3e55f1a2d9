"""Reference solutions of the exercises that have no other home in the package.

``checks.show_solution(name)`` prints these functions' source, so each is short and reads like
the answer a learner would write; the argument checks live in small private helpers below.
The step exercises of sections 02 and 05 use the package's own cells instead:
``cells.rnn_step``, ``cells.lstm_step`` and ``cells.gru_step``.

Shapes use the package's letters (T time, B batch, H hidden, V vocabulary).
"""

from typing import NamedTuple

import numpy as np

from rnnbook._validate import as_array, number

__all__ = [
    "ARCHITECTURE_NAMES",
    "ARCHITECTURES",
    "Clipped",
    "clip_by_global_norm",
    "last_valid_state",
    "one_hot_batch",
]


# -- 01 Sequential data ----------------------------------------------------------------------


def one_hot_batch(sentences, vocab):
    """Encode a batch of sentences as one time-major one-hot tensor, padded at the end.

    sentences: a list of B sentences, each a non-empty list of tokens (str), lengths may differ.
    vocab: dict token -> index, the indices being 0 .. V-1.
    Returns x (T, B, V) float64, T = the longest sentence's length. Step t of sentence b is the
    one-hot vector of vocab[token]; steps after a sentence's end (padding) are all-zero vectors,
    so that a padded step feeds nothing into the input term W_ih @ x_t.
    """
    _check_sentences(sentences, vocab)
    T, B, V = max(len(s) for s in sentences), len(sentences), len(vocab)
    x = np.zeros((T, B, V))  # padded steps stay all-zero
    for b, sentence in enumerate(sentences):
        for t, token in enumerate(sentence):
            x[t, b, vocab[token]] = 1.0
    return x


def _check_sentences(sentences, vocab):
    if not isinstance(vocab, dict) or not vocab:
        raise TypeError(f"vocab: expected a non-empty dict token -> index, got {vocab!r:.80}")
    if sorted(vocab.values()) != list(range(len(vocab))):
        raise ValueError(
            f"vocab: expected the indices 0 .. {len(vocab) - 1}, each once, "
            f"got {sorted(vocab.values())!r:.80}"
        )
    if not isinstance(sentences, list) or not sentences:
        raise TypeError(
            f"sentences: expected a non-empty list of token lists, got {sentences!r:.80}"
        )
    for b, sentence in enumerate(sentences):
        if not isinstance(sentence, list) or not sentence:
            raise TypeError(
                f"sentences[{b}]: expected a non-empty list of tokens, got {sentence!r:.80}"
            )
        for t, token in enumerate(sentence):
            if token not in vocab:
                raise ValueError(f"sentences[{b}][{t}]: token {token!r} is not in vocab")


# -- 03 The five architectures ---------------------------------------------------------------

ARCHITECTURE_NAMES = (
    "one-to-one",
    "one-to-many",
    "many-to-one",
    "many-to-many (synced)",
    "seq2seq",
)

# One input or a sequence in; one output, one output per input step (synced), or an output
# sequence written after the whole input has been read (seq2seq, any length).
ARCHITECTURES = {
    "predict a house's price from its size and its location": "one-to-one",
    "say which digit a single 8x8 image shows": "one-to-one",
    "caption a small image with a few words": "one-to-many",
    "compose a melody from one chosen mood": "one-to-many",
    "say whether a film review is positive or negative": "many-to-one",
    "predict tomorrow's temperature from the last 30 days": "many-to-one",
    "tag the sense of each ambiguous word in a sentence": "many-to-many (synced)",
    "label each frame of an audio signal as speech or silence": "many-to-many (synced)",
    "translate '25 November 2026' into '2026-11-25'": "seq2seq",
    "summarise a paragraph in one short sentence": "seq2seq",
}


def last_valid_state(hs, lengths):
    """Each sequence's hidden state at its last valid (unpadded) step: the many-to-one readout.

    hs: (T, B, H) hidden states of a padded batch. lengths: (B,) ints in 1 .. T.
    Returns (B, H): row b is hs[lengths[b] - 1, b]. Steps count from 0, and hs[-1] would be a
    padded step for every sequence shorter than T.
    """
    hs, lengths = _check_hs_lengths(hs, lengths)
    return hs[lengths - 1, np.arange(hs.shape[1])]  # (B, H): both axes indexed at once


def _check_hs_lengths(hs, lengths):
    hs = as_array("hs", hs, ndim=3)
    T, B, _ = hs.shape
    lengths = np.asarray(lengths)
    if lengths.shape != (B,) or not np.issubdtype(lengths.dtype, np.integer):
        raise ValueError(
            f"lengths: expected {B} ints (one per sequence, B = hs.shape[1]), "
            f"got {lengths.dtype} array of shape {lengths.shape}"
        )
    if lengths.min() < 1 or lengths.max() > T:
        raise ValueError(f"lengths: expected values in 1 .. T = {T}, got {lengths.tolist()}")
    return hs, lengths


# -- 04 Vanishing and exploding gradients ----------------------------------------------------


class Clipped(NamedTuple):
    """What ``clip_by_global_norm`` returns."""

    grads: dict  # the same keys as the input, every tensor scaled by one common factor
    total_norm: float  # the global norm *before* clipping, as torch.nn.utils.clip_grad_norm_


def clip_by_global_norm(grads, max_norm):
    """Scale every gradient by one factor so that their global L2 norm is at most ``max_norm``.

    grads: dict name -> array (any shapes). max_norm: a positive number.
    Returns Clipped(grads, total_norm): new arrays (the input is not modified), and the norm
    sqrt(sum over all tensors of sum(g ** 2)) measured before clipping. One common factor keeps
    the direction of the whole update; clipping each tensor alone would turn it.
    """
    grads, max_norm = _check_grads(grads, max_norm)
    total_norm = float(np.sqrt(sum(np.sum(g**2) for g in grads.values())))
    scale = min(1.0, max_norm / total_norm) if total_norm > 0 else 1.0
    return Clipped({name: g * scale for name, g in grads.items()}, total_norm)


def _check_grads(grads, max_norm):
    if not isinstance(grads, dict) or not grads:
        raise TypeError(f"grads: expected a non-empty dict name -> array, got {grads!r:.80}")
    grads = {name: as_array(f"grads[{name!r}]", g) for name, g in grads.items()}
    max_norm = number("max_norm", max_norm)
    if max_norm <= 0:
        raise ValueError(f"max_norm: expected a positive number, got {max_norm}")
    return grads, max_norm
