"""The one-hot batch exercise of notebook 01: ``one_hot(sentences, vocab) -> x (T, B, V)``."""

import numpy as np

from rnnbook import solutions
from rnnbook.checks.engine import Case, Exercise, Mistake, close, mark


def _variant(sentences, vocab, batch_first=False, length="longest", pad="zeros",
             index="vocab", reverse=False, first_only=False):
    """one_hot_batch as a learner with these mistakes would write it."""
    lengths = [len(s) for s in sentences]
    T = {"longest": max(lengths), "shortest": min(lengths), "first": lengths[0]}[length]
    tokens = list(dict.fromkeys(tok for s in sentences for tok in s))
    position = {
        "vocab": vocab,
        "appearance": {tok: k for k, tok in enumerate(tokens)},
        "alphabetical": {tok: k for k, tok in enumerate(sorted(vocab))},
        "one_based": {tok: k - 1 for tok, k in vocab.items()},  # -1 wraps to the last column
    }[index]
    x = np.zeros((T, len(sentences), len(vocab)))
    for b, sentence in enumerate(sentences):
        sentence = (sentence[::-1] if reverse else sentence)[:T]
        start = T - len(sentence) if pad == "start" else 0
        for t, token in enumerate(sentence):
            x[start + t, b, position[token]] = 1.0
        if pad == "index0":
            x[len(sentence):, b, 0] = 1.0
        if pad == "repeat":
            x[len(sentence):, b] = x[len(sentence) - 1, b]
    if first_only:
        x[:] = x[:, :1]
    return x.transpose(1, 0, 2) if batch_first else x


_MISTAKES = (
    Mistake("the axes are batch-first (B, T, V); the course's sequences are time-major "
            "(T, B, V)", {"batch_first": True}),
    Mistake("T is the shortest sentence's length; it should be the longest's, the shorter "
            "sentences padded", {"length": "shortest"}),
    Mistake("T is the first sentence's length; it should be the longest's", {"length": "first"}),
    Mistake("padded steps have a 1 at index 0; padding should be all-zero vectors (index 0 is "
            "a real token)", {"pad": "index0"}),
    Mistake("padded steps repeat the last token; padding should be all-zero vectors",
            {"pad": "repeat"}),
    Mistake("the padding is at the start; each sentence begins at t = 0 and is padded at the "
            "end", {"pad": "start"}),
    Mistake("tokens are numbered in order of appearance; the one-hot position is "
            "vocab[token]", {"index": "appearance"}),
    Mistake("tokens are numbered alphabetically; the one-hot position is vocab[token]",
            {"index": "alphabetical"}),
    Mistake("the one-hot positions are shifted by one: vocab[token] already counts from 0",
            {"index": "one_based"}),
    Mistake("each sentence is reversed in time; token t goes to step t", {"reverse": True}),
    Mistake("every batch column holds the first sentence; column b is sentence b",
            {"first_only": True}),
)

_VOCAB = {"good": 0, "not": 1, "the": 2, "was": 3, "film": 4, "bad": 5, "it": 6}


def _cases():
    sentences = [
        ["the", "film", "was"],
        ["the", "film", "was", "not", "good"],
        ["not", "bad"],
        ["it", "was", "not", "good"],
    ]
    return (
        Case("4 sentences of lengths 3, 5, 2, 4", (sentences, dict(_VOCAB)),
             {"T": 5, "B": 4, "V": 7}),
        Case("one sentence", ([["it", "was", "bad"]], dict(_VOCAB)), {"T": 3, "B": 1, "V": 7},
             "so it handles one sentence but not a batch"),
    )


def _locate(fn, ex, case, got, want):
    """The first step of the first sentence whose vector is wrong."""
    sentences, vocab = case.args
    (got,), (want,) = got, want
    for b, sentence in enumerate(sentences):
        for t in range(want.shape[0]):
            if close(got[t, b], want[t, b]):
                continue
            yours = _describe_row(got[t, b])
            if t >= len(sentence):
                return (f"x[{t}, {b}] is padding (sentence {b} has {len(sentence)} tokens) and "
                        f"should be all zeros; yours {yours}")
            token = sentence[t]
            return (f"x[{t}, {b}] (token {token!r}) should be one-hot at vocab[{token!r}] = "
                    f"{vocab[token]}; yours {yours}")
    return "x differs from the reference"


def _describe_row(row):
    ones = np.flatnonzero(row)
    if ones.size == 0:
        return "is all zeros"
    if ones.size == 1 and row[ones[0]] == 1:
        return f"has its 1 at index {ones[0]}"
    return f"is {np.round(row, 3).tolist()}"


ONE_HOT = Exercise(
    name="one_hot",
    hints=(
        "Start from x = np.zeros((T, B, V)): T the longest sentence's length, B = "
        "len(sentences), V = len(vocab). The zeros are already the padding.",
        "Loop over the sentences with enumerate (b) and over their tokens with enumerate (t); "
        "time is the first axis.",
        "For the token at step t of sentence b, set x[t, b, vocab[token]] = 1.0, and leave "
        "every step after the sentence's end alone.",
    ),
    solution=(solutions.one_hot_batch,),
    reference=solutions.one_hot_batch,
    variant=_variant,
    cases=_cases,
    mistakes=_MISTAKES,
    outputs=("x",),
    arg_names=("sentences", "vocab"),
    help="The arguments: sentences, a list of B lists of tokens (str); vocab, a dict token -> "
    "index in 0 .. V-1. Return x (T, B, V) = ({T}, {B}, {V}), floats.",
    locate=_locate,
)


def check_one_hot(fn):
    """Mark ``fn(sentences, vocab) -> x (T, B, V)``, the padded one-hot batch (notebook 01)."""
    __tracebackhide__ = True
    mark(ONE_HOT, fn)
