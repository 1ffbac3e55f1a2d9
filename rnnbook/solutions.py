"""Reference solutions of the exercises that have no other home in the package.

``checks.show_solution(name)`` prints these functions' source, so each is short and reads like
the answer a learner would write, after a few lines that check its arguments (with
``rnnbook._validate``, as every public function does).
The step exercises of sections 02 and 05 use the package's own cells instead:
``cells.rnn_step``, ``cells.lstm_step`` and ``cells.gru_step``.

Shapes use the package's letters (T time, B batch, H hidden, V vocabulary).
"""

from typing import NamedTuple

import numpy as np

from rnnbook import _validate

__all__ = [
    "TASK_ARCHITECTURES",
    "ClippedGrads",
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
    vocab = _validate.index_dict("vocab", vocab)
    sentences = _validate.key_lists("sentences", sentences, vocab, "vocab")
    T, B, V = max(len(s) for s in sentences), len(sentences), len(vocab)
    x = np.zeros((T, B, V))  # padded steps stay all-zero
    for b, sentence in enumerate(sentences):
        for t, token in enumerate(sentence):
            x[t, b, vocab[token]] = 1.0
    return x


# -- 03 The five architectures ---------------------------------------------------------------

# One input or a sequence in; one output, one output per input step (synced), or an output
# sequence written after the whole input has been read (seq2seq, any length).
TASK_ARCHITECTURES = {
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
    hs = _validate.as_array("hs", hs, ndim=3)
    lengths = _validate.int_array("lengths", lengths, size=hs.shape[1], low=1, high=hs.shape[0])
    return hs[lengths - 1, np.arange(hs.shape[1])]  # (B, H): both axes indexed at once


# -- 04 Vanishing and exploding gradients ----------------------------------------------------


class ClippedGrads(NamedTuple):
    """What ``clip_by_global_norm`` returns."""

    grads: dict  # the same keys as the input, every tensor scaled by one common factor
    total_norm: float  # the global norm *before* clipping, as torch.nn.utils.clip_grad_norm_


def clip_by_global_norm(grads, max_norm):
    """Scale every gradient by one factor so that their global L2 norm is at most ``max_norm``.

    grads: dict name -> array (any shapes). max_norm: a positive number.
    Returns ClippedGrads(grads, total_norm): new arrays (the input is not modified), and the norm
    sqrt(sum over all tensors of sum(g ** 2)) measured before clipping. One common factor keeps
    the direction of the whole update; clipping each tensor alone would turn it.
    """
    grads = _validate.array_dict("grads", grads)
    max_norm = _validate.positive_number("max_norm", max_norm)
    total_norm = float(np.sqrt(sum(np.sum(g**2) for g in grads.values())))
    scale = min(1.0, max_norm / total_norm) if total_norm > 0 else 1.0
    return ClippedGrads({name: g * scale for name, g in grads.items()}, total_norm)
