"""The containers every dataset fills and the models and the training loop read (notebooks 01-05).

    Vocab     token <-> id, with the specials <pad>, <bos>, <eos> at ids 0, 1, 2
    Batch     what a model's forward takes: x, y, lengths
    Split     one split of a dataset (x, y, lengths, ...), which makes batches
    Dataset   a task: train and test splits, vocabularies, labels

``rnnbook.data`` generates the datasets and re-exports these names (``data.Dataset``), so
the notebooks need not know which module holds them. Shapes as in ``rnnbook.data``: N is the
number of examples in a split; sequences are time-major, token ids (T, N).
"""

import dataclasses
import re
from typing import NamedTuple, Optional

import torch

from rnnbook import _validate

PAD, BOS, EOS = "<pad>", "<bos>", "<eos>"
SPECIALS = (PAD, BOS, EOS)  # ids 0, 1, 2 in every vocabulary
IGNORE = -100  # target value that the loss and the scores skip (torch's ignore_index default)


# --------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------


def tokenize(text, level="word"):
    """Split ``text`` into lower-case tokens: words and punctuation marks, or characters."""
    _validate.instance("text", text, str, "a str")
    _validate.choice("level", level, ("word", "char"))
    text = text.lower().strip()
    if level == "char":
        return list(text)
    return re.findall(r"[a-z0-9]+|[^\sa-z0-9]", text)


class Vocab:
    """Token <-> id. The specials take ids 0, 1, 2; the other tokens follow in sorted order,
    so the ids never depend on the order in which examples were generated.
    """

    def __init__(self, tokens, level="word"):
        self.level = _validate.choice("level", level, ("word", "char"))
        self.tokens = SPECIALS + tuple(sorted(set(tokens) - set(SPECIALS)))
        self.ids = {tok: i for i, tok in enumerate(self.tokens)}

    def __len__(self):
        return len(self.tokens)

    def __repr__(self):
        return f"Vocab({len(self)} {self.level}s: {self.known(10)})"

    def known(self, n=12):
        """Up to ``n`` of the tokens a learner may type, words before punctuation."""
        tokens = sorted(self.tokens[len(SPECIALS):], key=lambda t: (not t.isalnum(), t))
        more = ", ..." if len(tokens) > n else ""
        return ", ".join(repr(t) for t in tokens[:n]) + more

    def encode(self, text):
        """Return the ids of ``text`` (a str), or raise ValueError naming an unknown token."""
        tokens = tokenize(text, self.level)
        if not tokens:
            raise ValueError(f"text: expected at least one {self.level}, got {text!r}")
        for tok in tokens:
            if tok not in self.ids:
                raise ValueError(
                    f"unknown {self.level} {tok!r} in {text!r}: this model knows "
                    f"{len(self) - len(SPECIALS)} {self.level}s: {self.known(40)}"
                )
        return [self.ids[tok] for tok in tokens]

    def decode(self, ids):
        """Return the text of ``ids``, stopping at ``<eos>`` and skipping ``<pad>``/``<bos>``."""
        words = []
        for i in ids:
            tok = self.tokens[int(i)]
            if tok == EOS:
                break
            if tok not in SPECIALS:
                words.append(tok)
        if self.level == "char":
            return "".join(words)
        return re.sub(r" ([,.;!?])", r"\1", " ".join(words))  # "good , just" -> "good, just"


# --------------------------------------------------------------------------------------------
# Containers
# --------------------------------------------------------------------------------------------


class Batch(NamedTuple):
    """What a model's forward takes: ``x``, ``y`` and ``lengths`` (None for fixed length)."""

    x: torch.Tensor
    y: torch.Tensor
    lengths: Optional[torch.Tensor] = None

    def to(self, device):
        lengths = None if self.lengths is None else self.lengths.to(device)
        return Batch(self.x.to(device), self.y.to(device), lengths)


@dataclasses.dataclass(frozen=True)
class Split:
    """One split of a dataset. The batch axis of ``x`` and ``y`` is 1 when they are
    time-major sequences (``x_seq``, ``y_seq``), else 0.

    x: (N, D) vectors, (T, N) token ids or (T, N, D) features.
    y: (N,) labels or values, or (T, N) per-step labels / output tokens.
    lengths: (N,) valid steps of x, or None when every sequence has the full length.
    twin_of: (N,) index of the order twin of each example (-1 for none); sentiment only.
    ambiguous: (T, N) bool, the steps whose label needs context; tagging only.
    """

    x: torch.Tensor
    y: torch.Tensor
    x_seq: bool
    y_seq: bool
    lengths: torch.Tensor = None
    twin_of: torch.Tensor = None
    ambiguous: torch.Tensor = None

    def __len__(self):
        return self.x.shape[1 if self.x_seq else 0]

    def batch(self, idx=None):
        """Return a :class:`Batch` of examples ``idx`` (all when None)."""
        if idx is None:
            idx = torch.arange(len(self))
        idx = torch.as_tensor(idx, dtype=torch.long)
        x = self.x[:, idx] if self.x_seq else self.x[idx]
        y = self.y[:, idx] if self.y_seq else self.y[idx]
        return Batch(x, y, None if self.lengths is None else self.lengths[idx])


@dataclasses.dataclass(frozen=True)
class Dataset:
    """A task: train and test splits, and the encodings between text and ids.

    kind: "vector" (one-to-one), "sequence" (many-to-one), "synced" (many-to-many, a label per
        step), "caption" (one-to-many) or "seq2seq" (encoder-decoder).
    target: "class" (cross-entropy over ``n_out`` classes) or "value" (mean squared error).
    n_in: input size: the vocabulary size V for token inputs, else the features D.
    n_out: number of classes or output tokens (1 for a value).
    vocab: the input vocabulary (None for images and numbers).
    out_vocab: the output vocabulary of captions and translations (else None).
    labels: the name of each class (or tag).
    info: the generator's settings and held-out combinations, for display.
    """

    name: str
    kind: str
    target: str
    train: Split
    test: Split
    n_in: int
    n_out: int
    vocab: Vocab = None
    out_vocab: Vocab = None
    labels: tuple = ()
    info: dict = dataclasses.field(default_factory=dict)

    @property
    def vocab_size(self):
        return self.n_in

    def __repr__(self):
        return (
            f"Dataset({self.name!r}, {self.kind}, train {len(self.train)}, test {len(self.test)},"
            f" n_in {self.n_in}, n_out {self.n_out})"
        )
