"""A character-level language model on real Python source (notebook 06, the capstone).

    corpus = load_corpus()                       # the shipped text, split by position
    model = CharModel(corpus.vocab.size, hidden_size=256)      # embedding, LSTM, readout
    history = train_model(model, corpus, steps=800)            # truncated BPTT on a stream
    run = run_text(model, corpus.ids("test"))    # per-character losses and hidden states
    text = sample(model, corpus.vocab, "def ", length=200, temperature=0.8, seed=0).text

The text is a dozen modules of CPython 3.11's standard library, shipped in ``rnnbook/texts``
with their licence (the PSF License 2.0): real text, the same on every machine, offline.
Python source has structure a library can label exactly (strings, comments, brackets,
indentation), which ``rnnbook.probe`` uses to open the trained model up.

Shapes: T time, B batch (parallel streams of text), H hidden, V vocabulary (characters).
Character ids are (T, B) int64 tensors, time-major like every sequence in the course.
"""

import dataclasses
import math
import time
from pathlib import Path
from typing import NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from rnnbook import _validate, cells, models, probe

TEXTS = Path(__file__).resolve().parent / "texts"
CORPUS_FILE = TEXTS / "python_stdlib.txt"
# The modules of /usr/lib/python3.11 (Debian's Python 3.11.2) that make up the corpus, in
# order, with their sizes in bytes: the one source of the corpus's layout (texts/README.md).
FILES = (
    ("argparse.py", 99612), ("dataclasses.py", 57852), ("difflib.py", 83308),
    ("pathlib.py", 48577), ("calendar.py", 24745), ("textwrap.py", 19718),
    ("string.py", 11786), ("copy.py", 8681), ("queue.py", 11496), ("csv.py", 16030),
    ("contextlib.py", 27076), ("pprint.py", 24489),
)
SPLITS = ("train", "val", "test")
LN2 = math.log(2.0)


# ---------------------------------------------------------------------------------------------
# The text


class CharVocab:
    """The characters of a text, sorted: id i is ``chars[i]``."""

    def __init__(self, text):
        self.chars = tuple(sorted(set(text)))
        self.index = {ch: i for i, ch in enumerate(self.chars)}

    @property
    def size(self):
        return len(self.chars)

    def encode(self, text):
        """The ids (N,) of a str; a character outside the vocabulary raises, naming it."""
        missing = sorted(set(text) - set(self.index))
        if missing:
            raise ValueError(f"text: characters not in the vocabulary: {missing[:5]!r}")
        return np.array([self.index[ch] for ch in text], dtype=np.int64)

    def decode(self, ids):
        return "".join(self.chars[i] for i in np.asarray(ids).tolist())

    def __repr__(self):
        return f"CharVocab({self.size} characters)"


@dataclasses.dataclass(frozen=True)
class Corpus:
    """A text, its vocabulary, and its split by position: bounds {split: (start, stop)}."""

    text: str
    vocab: CharVocab
    bounds: dict

    def split(self, name):
        """The text of one split ("train", "val" or "test")."""
        start, stop = self.bounds[_validate.choice("name", name, SPLITS)]
        return self.text[start:stop]

    def ids(self, name):
        """The ids (N,) of one split."""
        return self.vocab.encode(self.split(name))

    def files(self, name):
        """The names of the files that the split covers, whole or in part."""
        start, stop = self.bounds[_validate.choice("name", name, SPLITS)]
        names, at = [], 0
        for file, size in FILES:
            if at < stop and at + size > start:
                names.append(file)
            at += size
        return names

    def structure(self, name):
        """Exact labels (``probe.Structure``) of every character of one split.

        The tokenizer needs whole files, so each file the split touches is labelled whole,
        then the split's characters are cut out.
        """
        start, stop = self.bounds[_validate.choice("name", name, SPLITS)]
        parts, at = [], 0
        for _, size in FILES:
            if at < stop and at + size > start:
                labels = probe.structure(self.text[at:at + size])
                lo, hi = max(start, at) - at, min(stop, at + size) - at
                parts.append([field[lo:hi] for field in labels])
            at += size
        return probe.Structure(*(np.concatenate(column) for column in zip(*parts, strict=True)))

    def describe(self):
        """One line per split: its characters and the files it covers."""
        lines = [f"{len(self.text):,} characters, vocabulary of {self.vocab.size}"]
        for name in SPLITS:
            start, stop = self.bounds[name]
            lines.append(f"{name:5}  characters {start:>7,} .. {stop:>7,} ({stop - start:>7,})"
                         f"  {', '.join(self.files(name))}")
        return "\n".join(lines)


def load_corpus(fractions=(0.8, 0.1, 0.1)):
    """The shipped Python source, split by position: the first 80% trains, then validation,
    then test. The vocabulary is every character of the whole text (96 of them)."""
    if len(fractions) != 3 or abs(sum(fractions) - 1) > 1e-9:
        raise ValueError(f"fractions: expected three numbers summing to 1, got {fractions!r}")
    for f in fractions:
        _validate.number("fractions", f, low=0, high=1)
    text = CORPUS_FILE.read_text(encoding="utf-8")
    N = len(text)
    a, b = round(fractions[0] * N), round((fractions[0] + fractions[1]) * N)
    return Corpus(text, CharVocab(text), {"train": (0, a), "val": (a, b), "test": (b, N)})


# ---------------------------------------------------------------------------------------------
# Probabilities and the softmax with a temperature


def softmax_temperature(logits, temperature):
    """Next-character probabilities from scores, sharpened (T < 1) or flattened (T > 1).

    logits (B, V) -> probs (B, V), each row sums to 1: softmax(logits / temperature).
    Subtracting each row's maximum first changes nothing mathematically (it cancels in the
    ratio) but keeps exp() from overflowing when logits / temperature is large, e.g. at a
    temperature near 0. temperature must be > 0: greedy decoding (its limit) is argmax.
    """
    logits = _validate.as_array("logits", logits, ndim=2)
    temperature = _validate.number("temperature", temperature)
    if temperature <= 0:
        raise ValueError(f"temperature: expected a number > 0, got {temperature}")
    scaled = logits / temperature
    scaled = scaled - scaled.max(axis=1, keepdims=True)  # the largest becomes exp(0) = 1
    e = np.exp(scaled)
    return e / e.sum(axis=1, keepdims=True)


def entropy_bits(probs):
    """Entropy -sum p log2 p of each row of probs (B, V): (B,), in bits."""
    probs = _validate.as_array("probs", probs, ndim=2)
    logs = np.log2(np.where(probs > 0, probs, 1.0))  # 0 log 0 = 0
    return -(probs * logs).sum(axis=1)


# ---------------------------------------------------------------------------------------------
# The model


class CharModel(nn.Module):
    """Embedding, one recurrent layer, readout: ids (T, B) -> logits (T, B, V).

    cell: "lstm", "gru" or "rnn" (tanh), built by ``models.recurrent`` (the LSTM's forget
    bias starts at 1, as in notebook 05). embed_size E: each character becomes a learned
    vector of E numbers, the same as a one-hot vector times a (V, E) matrix, only cheaper.
    """

    def __init__(self, vocab_size, hidden_size=256, cell="lstm", embed_size=32, dropout=0.0,
                 seed=0):
        super().__init__()
        V = _validate.positive_int("vocab_size", vocab_size)
        H = _validate.positive_int("hidden_size", hidden_size)
        E = _validate.positive_int("embed_size", embed_size)
        self.cell = _validate.choice("cell", cell, cells.CELLS)
        self.vocab_size, self.hidden_size = V, H
        with torch.random.fork_rng(devices=[]):  # the weights come from seed alone
            torch.manual_seed(_validate.non_negative_int("seed", seed))
            self.embed = nn.Embedding(V, E)
            self.rnn = models.recurrent(self.cell, E, H)
            self.head = nn.Linear(H, V)
        self.drop = nn.Dropout(_validate.number("dropout", dropout, low=0, high=0.9))

    def forward(self, ids, state=None):
        """ids (T, B) -> (logits (T, B, V), state): state is h (1, B, H), or (h, c) for the
        LSTM, as torch's layers take and return it; None starts from zeros."""
        hs, state = self.rnn(self.embed(ids), state)  # hs (T, B, H)
        return self.head(self.drop(hs)), state


def detach(state):
    """The state's values, cut from the graph behind them: where truncated BPTT stops."""
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


# ---------------------------------------------------------------------------------------------
# Training: truncated backprop through time over one continuous stream


class Stream:
    """The training text as B parallel streams, read T characters at a time.

    The text (N,) is cut into B contiguous stripes of equal length; chunk j holds characters
    jT .. jT + T - 1 of every stripe (x) and the character after each (y). So chunk j + 1
    continues exactly where chunk j stopped, and the state a model ends chunk j with is the
    right one to start chunk j + 1 with. At the end of the stripes it starts again from the
    top, and ``next()`` says so (reset=True): the carried state belongs to the text's end.
    """

    def __init__(self, ids, batch_size=32, chunk=64):
        ids = np.asarray(ids)
        self.B = _validate.positive_int("batch_size", batch_size)
        self.T = _validate.positive_int("chunk", chunk)
        L = (len(ids) - 1) // self.B  # each stripe needs one extra character, its last target
        if L < self.T + 1:
            raise ValueError(f"ids: {len(ids)} characters are too few for {self.B} streams of "
                             f"chunks of {self.T}")
        starts = np.arange(self.B) * L
        self.stripes = torch.from_numpy(np.stack([ids[s:s + L + 1] for s in starts]).T.copy())
        self.chunks = L // self.T  # chunks per pass; the stripes' last L mod T are skipped
        self.position = 0

    def next(self):
        """(x (T, B), y (T, B), reset): the next chunk, and whether the stream started over."""
        reset = self.position == self.chunks
        if reset:
            self.position = 0
        t = self.position * self.T
        self.position += 1
        return self.stripes[t:t + self.T], self.stripes[t + 1:t + self.T + 1], reset


@dataclasses.dataclass
class CharHistory:
    """A training run: train_bpc per step (its batch), val_bpc after each of eval_steps, and
    its cost: cpu_seconds (this process), wall_seconds, characters read."""

    train_bpc: list = dataclasses.field(default_factory=list)
    eval_steps: list = dataclasses.field(default_factory=list)
    val_bpc: list = dataclasses.field(default_factory=list)
    cpu_seconds: float = 0.0
    wall_seconds: float = 0.0
    characters: int = 0


def train_model(model, corpus, steps=600, batch_size=32, chunk=64, lr=3e-3, clip=1.0,
                eval_every=100, eval_chars=10_000, seed=0, progress=False):
    """Train ``model`` on the corpus's training text for a fixed number of steps: a
    CharHistory.

    Each step reads the next chunk (T = chunk, B = batch_size) of the Stream, starting from the
    state the previous chunk ended with, detached (truncated BPTT, notebook 04: the state
    flows on, the gradient stops at the chunk's start). Adam with learning rate lr; gradients
    clipped to global norm ``clip`` (notebook 04). Every ``eval_every`` steps and at the end,
    the validation bits per character on the first ``eval_chars`` of the validation text.
    seed: the dropout masks' generator (the stream itself has no randomness), so the same call
    gives the same numbers. progress: print a line at each evaluation, with the time so far.
    """
    if not isinstance(model, CharModel):
        raise TypeError(f"model: expected a CharModel, got {type(model).__name__}")
    steps = _validate.positive_int("steps", steps)
    lr, clip = _validate.number("lr", lr, low=0), _validate.number("clip", clip, low=0)
    eval_every = _validate.positive_int("eval_every", eval_every)
    stream = Stream(corpus.ids("train"), batch_size, chunk)
    val = corpus.ids("val")[:_validate.positive_int("eval_chars", eval_chars)]
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = CharHistory()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(_validate.non_negative_int("seed", seed))
        _train_steps(model, stream, val, optimizer, steps, clip, eval_every, history, progress)
    history.cpu_seconds = time.process_time() - cpu0
    history.wall_seconds = time.perf_counter() - wall0
    return history


def _train_steps(model, stream, val, optimizer, steps, clip, eval_every, history, progress):
    wall0 = time.perf_counter()
    state = None
    for step in range(1, steps + 1):
        x, y, reset = stream.next()
        if reset:
            state = None
        model.train()
        logits, state = model(x, state)
        state = detach(state)  # the next chunk starts from these values, not through them
        loss = F.cross_entropy(logits.reshape(-1, model.vocab_size), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
        history.train_bpc.append(loss.item() / LN2)
        history.characters += x.numel()
        if step % eval_every == 0 or step == steps:
            history.eval_steps.append(step)
            history.val_bpc.append(float(run_text(model, val, streams=8).losses.mean()))
            if progress:
                print(f"step {step:4}/{steps}: train {np.mean(history.train_bpc[-eval_every:]):.3f}"
                      f" bpc, validation {history.val_bpc[-1]:.3f} bpc "
                      f"({time.perf_counter() - wall0:.0f} s)", flush=True)


# ---------------------------------------------------------------------------------------------
# Reading a text: per-character losses and states


class TextRun(NamedTuple):
    """The model run over ids (N,): the prediction of character i + 1 from characters 0..i.

    losses (N - 1,): -log2 p(c_{i+1} | c_0..c_i) in bits; hs (N - 1, H): the hidden state
    after reading character i.
    """

    losses: np.ndarray
    hs: np.ndarray


def _pieces(n, streams):
    """{length: [start, ...]}: ``streams`` equal pieces of n positions (the rest in one more),
    grouped by length, so that the pieces of one length run side by side as one batch."""
    m = n // streams
    groups = {m: [k * m for k in range(streams)]} if m else {}
    if n - streams * m:
        groups.setdefault(n - streams * m, []).append(streams * m)
    return groups


def run_text(model, ids, streams=16):
    """Run ``model`` over ids (N,) without training it: a TextRun.

    The text is read as ``streams`` contiguous pieces side by side (fast: one batch), each
    from a zero state, so the first characters of each piece are predicted from less
    context than the model could have had. The cost is small: a few characters in thousands.
    """
    if not isinstance(model, CharModel):
        raise TypeError(f"model: expected a CharModel, got {type(model).__name__}")
    ids = torch.as_tensor(np.asarray(ids), dtype=torch.long)
    if ids.ndim != 1 or len(ids) < 2:
        raise ValueError(f"ids: expected a 1-D array of at least 2 ids, got shape "
                         f"{tuple(ids.shape)}")
    n = len(ids) - 1
    losses, hs = np.empty(n), np.empty((n, model.hidden_size), dtype=np.float32)
    was_training = model.training
    model.eval()
    with torch.no_grad():
        for length, starts in _pieces(n, _validate.positive_int("streams", streams)).items():
            x = torch.stack([ids[s:s + length] for s in starts], dim=1)  # (T, B)
            y = torch.stack([ids[s + 1:s + 1 + length] for s in starts], dim=1)
            h, _ = model.rnn(model.embed(x))  # (T, B, H)
            logits = model.head(h)
            nats = F.cross_entropy(logits.reshape(-1, model.vocab_size), y.reshape(-1),
                                   reduction="none").reshape(y.shape)
            for b, s in enumerate(starts):
                losses[s:s + length] = nats[:, b].numpy() / LN2
                hs[s:s + length] = h[:, b].numpy()
    model.train(was_training)
    return TextRun(losses, hs)


def lstm_states(model, ids, streams=16):
    """The hidden and the cell states of a CharModel's LSTM over ids (N,): (hs, cs), each
    (N - 1, H), read in the same pieces as ``run_text`` (so hs equals its hs).

    torch's layer keeps the cell state c_t to itself, so the steps are written out here, with
    the gate maths of ``cells.lstm_step`` (notebook 05) and PyTorch's gate order i, f, g, o.
    """
    if not isinstance(model, CharModel) or model.cell != "lstm":
        raise TypeError("model: expected a CharModel with cell='lstm'")
    ids = torch.as_tensor(np.asarray(ids), dtype=torch.long)
    n, H = len(ids) - 1, model.hidden_size
    rnn = model.rnn
    hs, cs = np.empty((n, H), np.float32), np.empty((n, H), np.float32)
    with torch.no_grad():
        for length, starts in _pieces(n, _validate.positive_int("streams", streams)).items():
            x = torch.stack([ids[s:s + length] for s in starts], dim=1)  # (T, B)
            # The input term for every step at once; the recurrent term step by step.
            inputs = model.embed(x) @ rnn.weight_ih_l0.T + rnn.bias_ih_l0  # (T, B, 4H)
            h = c = torch.zeros(len(starts), H)
            h_all, c_all = [], []
            for t in range(length):
                gates = inputs[t] + h @ rnn.weight_hh_l0.T + rnn.bias_hh_l0  # (B, 4H)
                i, f, g, o = gates.chunk(4, dim=1)
                c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
                h = torch.sigmoid(o) * torch.tanh(c)
                h_all.append(h)
                c_all.append(c)
            h_all, c_all = torch.stack(h_all).numpy(), torch.stack(c_all).numpy()  # (T, B, H)
            for b, s in enumerate(starts):
                hs[s:s + length], cs[s:s + length] = h_all[:, b], c_all[:, b]
    return hs, cs


# ---------------------------------------------------------------------------------------------
# Sampling


class Sample(NamedTuple):
    """A generated text (without its prompt), and along it the entropy in bits of the model's
    next-character distribution (at temperature 1) before each generated character."""

    text: str
    entropy: np.ndarray


def top_k_filter(probs, k):
    """probs (B, V) with all but each row's k largest set to 0, renormalised. Ties keep the
    lower id, so the result is the same on every machine."""
    probs = _validate.as_array("probs", probs, ndim=2)
    k = _validate.int_in_range("k", k, 1, probs.shape[1])
    order = np.argsort(-probs, axis=1, kind="stable")[:, :k]
    kept = np.zeros_like(probs)
    np.put_along_axis(kept, order, np.take_along_axis(probs, order, axis=1), axis=1)
    return kept / kept.sum(axis=1, keepdims=True)


def draw(probs, rng):
    """One index per row of probs (B, V), drawn with numpy Generator ``rng``: (B,) ints.

    By inverting the cumulative sum with one uniform number per row, so that a seed gives the
    same characters wherever it runs.
    """
    cdf = np.cumsum(probs, axis=1)
    u = rng.random(len(probs))[:, None] * cdf[:, -1:]
    return np.minimum((cdf <= u).sum(axis=1), probs.shape[1] - 1)


def sample(model, vocab, prompt="", length=200, temperature=1.0, top_k=None, greedy=False,
           seed=0):
    """Generate ``length`` characters after ``prompt``: a Sample.

    The model reads the prompt (an empty prompt: a newline, as if at the start of a line),
    then writes one character at a time, feeding each back in. Each character is the most
    probable one (greedy=True), or drawn from ``softmax_temperature(logits, temperature)``,
    keeping only the top_k most probable characters if top_k is given. The same seed gives the
    same text.
    """
    if not isinstance(model, CharModel):
        raise TypeError(f"model: expected a CharModel, got {type(model).__name__}")
    if not isinstance(prompt, str):
        raise TypeError(f"prompt: expected a str, got {type(prompt).__name__}")
    length = _validate.positive_int("length", length)
    temperature = _validate.number("temperature", temperature)
    if temperature <= 0:
        raise ValueError(f"temperature: expected a number > 0, got {temperature}")
    if top_k is not None:
        top_k = _validate.int_in_range("top_k", top_k, 1, vocab.size)
    rng = _validate.rng("seed", seed)
    ids = torch.as_tensor(vocab.encode(prompt or "\n"))[:, None]  # (T, 1)
    was_training = model.training
    with torch.no_grad():
        logits, state = model.eval()(ids)  # the prompt in one pass
    model.train(was_training)
    # Then one character at a time, each fed back in: numpy's cells (notebook 05) with the
    # model's weights. For one sequence they step about three times faster than torch's
    # (300 characters at H = 256: about 20 ms against 56 ms on a 2-core CPU).
    embed, head_w, head_b = (p.detach().numpy()
                             for p in (model.embed.weight, model.head.weight, model.head.bias))
    step = cells.stepper(model.cell, cells.params_from_torch(model.rnn, dtype=head_w.dtype))
    state = (cells.LSTMState(*(s[0].numpy() for s in state)) if model.cell == "lstm"
             else state[0].numpy())  # (1, H) each
    scores = logits[-1].double().numpy()  # (1, V)
    out, scored = [], []
    for _ in range(length):
        scored.append(scores)
        if greedy:
            nxt = int(scores[0].argmax())
        else:
            probs = softmax_temperature(scores, temperature)
            if top_k is not None:
                probs = top_k_filter(probs, top_k)
            nxt = int(draw(probs, rng)[0])
        out.append(nxt)
        state = step(embed[nxt:nxt + 1], state)
        h = state.h if model.cell == "lstm" else state
        scores = (h @ head_w.T + head_b).astype(np.float64)  # model.head, an nn.Linear
    # The model's own uncertainty before each character (at temperature 1), all at once.
    entropy = entropy_bits(softmax_temperature(np.concatenate(scored), 1.0))
    return Sample(vocab.decode(out), entropy)
