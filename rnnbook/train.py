"""One training loop for every model, the scores the notebooks print, and prediction helpers.

    train(model, data, steps=300, ...) -> History      every model of rnnbook.models
    evaluate(model, data) -> {"accuracy": ...}          the held-out scores of a task
    predict_sentiment, classify_image, caption, tag, translate_date
                                                        a learner's input -> readable output
    echo_by_chunk(data, chunks)                         truncated BPTT on the delayed echo

Training is deterministic: the batches are drawn from ``seed`` and the models draw their
initial weights from their own seed, so the same call gives the same numbers (with one torch
thread, as ``rnnbook.setup_notebook`` sets; more threads may change the last digits).
"""

import contextlib
import dataclasses
import functools
import math

import numpy as np
import torch
import torch.nn.functional as F

from rnnbook import _validate, models
from rnnbook.containers import IGNORE, Batch, Dataset
from rnnbook.data import IMAGE_SHAPE, NO_TAG


@dataclasses.dataclass
class History:
    """What a training run leaves for the plots.

    loss, accuracy, grad_norm: one entry per step (accuracy on the training batch, empty for
    value targets; grad_norm before clipping). eval_steps, scores: the test ``metric`` after
    those steps. final: :func:`evaluate` after the last step. line: the line printed.
    """

    metric: str
    loss: list = dataclasses.field(default_factory=list)
    accuracy: list = dataclasses.field(default_factory=list)
    grad_norm: list = dataclasses.field(default_factory=list)
    eval_steps: list = dataclasses.field(default_factory=list)
    scores: list = dataclasses.field(default_factory=list)
    final: dict = dataclasses.field(default_factory=dict)
    line: str = ""


# --------------------------------------------------------------------------------------------
# Loss and scores
# --------------------------------------------------------------------------------------------


def loss_fn(out, y, target, reduction="mean"):
    """Cross-entropy over the last axis of ``out`` (skipping IGNORE targets), or squared error.

    out: (B, V), (T, B, V) logits or values shaped like y; y: (B,) or (T, B) (+ (1,)).
    """
    if target == "value":
        return F.mse_loss(out.reshape(y.shape), y, reduction=reduction)
    return F.cross_entropy(out.reshape(-1, out.shape[-1]), y.reshape(-1),
                           ignore_index=IGNORE, reduction=reduction)


def _hits(out, y):
    """Correct predictions and the mask of scored targets, both shaped like y."""
    return out.argmax(-1) == y, y != IGNORE


def _fraction(hits, mask):
    return float(hits[mask].double().mean()) if mask.any() else math.nan  # 0.99, not 0.9900000095


def _generated_scores(pred, y):
    """Scores of generated ids ``pred`` (T', B) against targets ``y`` (T, B), <eos> included.

    exact: the whole output right, <eos> in its place; token: the share of right positions.
    """
    T = y.shape[0]
    if pred.shape[0] < T:  # generation stops once every row has written <eos>
        pad = pred.new_full((T - pred.shape[0], pred.shape[1]), models.EOS_ID)
        pred = torch.cat([pred, pad])
    hits, mask = pred[:T] == y, y != IGNORE
    return {"exact": float((hits | ~mask).all(0).double().mean()), "token": _fraction(hits, mask)}


@contextlib.contextmanager
def _inference(model):
    """Evaluation mode without gradients; the model's mode is restored afterwards."""
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            yield
    finally:
        model.train(was_training)


def _device(model):
    return next(model.parameters()).device


def evaluate(model, data, split="test"):
    """The scores of ``model`` on a split of ``data``, as fractions (accuracy) or MSEs.

    - classes: {"accuracy"}, plus "twins" (sentiment order twins) and "ambiguous" (tagging:
      the steps with an ambiguous word) when the split marks them;
    - captions and translations, decoded greedily: {"exact", "token"};
    - values: {"mse", "baseline"}: the baseline is the MSE of always answering the training
      mean (about 1/6 on the adding problem).
    The first key is the one that :func:`train` tracks (:func:`metric_of`).
    """
    _check_pair(model, data)
    part = getattr(data, _validate.choice("split", split, ("train", "test")))
    with _inference(model):
        batch = part.batch().to(_device(model))
        if data.kind in ("caption", "seq2seq"):
            pred = model.generate(batch.x, batch.lengths, max_len=batch.y.shape[0] + 2)
            return _generated_scores(pred, batch.y)
        out = model(batch)
    if data.target == "value":
        y = batch.y
        mse = float(loss_fn(out, y, "value"))
        mean = float(data.train.y.mean())
        return {"mse": mse, "baseline": float(((y - mean) ** 2).mean())}
    hits, mask = _hits(out, batch.y)
    scores = {"accuracy": _fraction(hits, mask)}
    if part.twin_of is not None:
        scores["twins"] = _fraction(hits, mask & (part.twin_of.to(mask.device) >= 0))
    if part.ambiguous is not None:
        scores["ambiguous"] = _fraction(hits, mask & part.ambiguous.to(mask.device))
    return scores


def metric_of(data):
    """The score that :func:`train` tracks: "mse", "exact" (generated text) or "accuracy"."""
    if data.target == "value":
        return "mse"
    return "exact" if data.kind in ("caption", "seq2seq") else "accuracy"


def _format(metric, value):
    return f"{value:.4f}" if metric == "mse" else f"{100 * value:.1f}%"


# --------------------------------------------------------------------------------------------
# The training loop
# --------------------------------------------------------------------------------------------


def _check_pair(model, data):
    """Raise unless ``model`` can learn ``data``: the right kind of task, the right sizes."""
    _validate.instance("data", data, Dataset, "an rnnbook.data.Dataset")
    _validate.instance("model", model, models.Model, "a model of rnnbook.models")
    if data.kind not in model.kinds:
        raise ValueError(f"model: a {type(model).__name__} learns {'/'.join(model.kinds)} "
                         f"tasks, but data {data.name!r} is a {data.kind} task")
    for size in ("n_in", "n_out"):
        if getattr(model, size) != getattr(data, size):
            raise ValueError(f"model: expected {size}={getattr(data, size)} for data "
                             f"{data.name!r}, got {size}={getattr(model, size)}")


def _detach(state):
    """Cut the graph behind a state (h, or the LSTM's (h, c)) but keep its values."""
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


def _truncated_backward(model, batch, k, target):
    """Backprop through time in chunks of ``k`` steps: the state flows on from chunk to chunk,
    the gradient does not, so no dependency longer than k steps gets a learning signal.

    Gradients of all chunks add up in .grad (one optimiser step per batch, as without
    truncation). Returns (mean loss, out (T, B, ...)).
    """
    n = batch.y.numel() if target == "value" else int((batch.y != IGNORE).sum())
    state, outs, total = None, [], 0.0
    for t in range(0, batch.x.shape[0], k):
        out, state = model.chunk(batch.x[t : t + k], state)
        state = _detach(state)
        loss = loss_fn(out, batch.y[t : t + k], target, reduction="sum") / max(n, 1)
        loss.backward()
        outs.append(out.detach())
        total += loss.item()
    return total, torch.cat(outs)


def _step(model, batch, target, tbptt):
    """One forward and backward pass; returns (loss, out)."""
    if tbptt is not None:
        return _truncated_backward(model, batch, tbptt, target)
    out = model(batch)
    loss = loss_fn(out, batch.y, target)
    loss.backward()
    return loss.item(), out.detach()


def _check_options(model, clip, tbptt, device):
    if clip is not None:
        clip = _validate.positive_number("clip", clip)
    if tbptt is not None:
        tbptt = _validate.positive_int("tbptt", tbptt)
        if not hasattr(model, "chunk"):
            raise ValueError(f"tbptt: truncated BPTT needs a synced model (Tagger), "
                             f"got {type(model).__name__}")
    try:
        device = torch.device(device)
    except (RuntimeError, TypeError) as err:
        raise ValueError(f"device: expected 'cpu', 'cuda' or a torch.device, got {device!r}") \
            from err
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device: {str(device)!r} is not available here; use 'cpu'")
    return clip, tbptt, device


def train(model, data, steps=300, lr=0.01, batch_size=64, seed=0, clip=None, tbptt=None,
          device="cpu", progress=True, eval_every=None):
    """Train ``model`` on ``data.train`` with Adam; score ``data.test`` along the way.

    steps: optimiser steps, each on ``batch_size`` examples drawn (with replacement) from
    ``seed``. clip: rescale the gradient to at most this norm (None: never). tbptt: truncated
    backprop through time in chunks of this many steps (synced models only). eval_every:
    score the test set every this many steps (default: ten times per run).
    progress: print one line at the end, the same on every run, e.g.
    "trained 300 steps: train loss 0.012, test accuracy 99.2%". Returns a :class:`History`.
    """
    _check_pair(model, data)
    steps = _validate.positive_int("steps", steps)
    lr = _validate.positive_number("lr", lr)
    batch_size = _validate.positive_int("batch_size", batch_size)
    eval_every = (max(steps // 10, 1) if eval_every is None
                  else _validate.positive_int("eval_every", eval_every))
    clip, tbptt, device = _check_options(model, clip, tbptt, device)
    progress = _validate.boolean("progress", progress)
    draw = _validate.seed("seed", seed)  # the numpy Generator that picks the batches

    model.to(device)
    model.train()
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    history = History(metric=metric_of(data))
    for step in range(1, steps + 1):
        batch = data.train.batch(draw.integers(0, len(data.train), batch_size)).to(device)
        optimiser.zero_grad()
        loss, out = _step(model, batch, data.target, tbptt)
        # the norm before clipping: what the clipping demo plots
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), clip or math.inf)
        optimiser.step()
        history.loss.append(loss)
        history.grad_norm.append(float(norm))
        if data.target == "class":
            history.accuracy.append(_fraction(*_hits(out, batch.y)))
        if step % eval_every == 0 or step == steps:
            scores = evaluate(model, data)
            history.eval_steps.append(step)
            history.scores.append(scores[history.metric])
    history.final = scores
    recent = float(np.mean(history.loss[-10:]))
    history.line = (f"trained {steps} steps: train loss {recent:.3g}, test {history.metric} "
                    f"{_format(history.metric, history.final[history.metric])}")
    if progress:
        print(history.line)
    return history


def echo_by_chunk(data, chunks=(2, 5, 10, 20), cell="lstm", hidden_size=32, steps=400, lr=0.01,
                  seed=0, progress=False):
    """Train a fresh Tagger on the delayed echo for each chunk length of truncated BPTT.

    Returns {k: test accuracy}: far below 1 (though above chance) for k <= d, near 1 for
    k >= 2d (notebook 04).
    """
    if not isinstance(data, Dataset) or data.name != "echo":
        raise ValueError(f"data: expected the delayed echo, rnnbook.data.echo(), got {data!r}")
    chunks = _validate.int_list("chunks", chunks, "chunk lengths")
    scores = {}
    for k in chunks:
        model = models.Tagger(data.n_in, data.n_out, cell=cell, hidden_size=hidden_size,
                              seed=seed)
        train(model, data, steps=steps, lr=lr, seed=seed, tbptt=k, progress=progress)
        scores[k] = evaluate(model, data)["accuracy"]
    return scores


# --------------------------------------------------------------------------------------------
# Predictions from a learner's input: each is a plain str -> str once partially applied,
#   box = functools.partial(predict_sentiment, model, data); box("not bad, just good")
# --------------------------------------------------------------------------------------------


def _check_task(model, data, name):
    _check_pair(model, data)
    if data.name != name:
        raise ValueError(f"data: expected the {name} task, got {data.name!r}")


def _tokens(data, text):
    """Ids (T, 1) and lengths (1,) of a learner's text; ValueError for unknown tokens."""
    ids = data.vocab.encode(text)
    return torch.tensor(ids)[:, None], torch.tensor([len(ids)])


def _run(model, x, lengths=None):
    """The model's output for inputs x alone (no targets), on the model's device."""
    with _inference(model):
        device = _device(model)
        return model(Batch(x.to(device), None, None if lengths is None else lengths.to(device)))


def _best(logits, labels):
    """'label (probability)' of the most probable class of logits (1, C)."""
    probs = torch.softmax(logits[0], -1)
    k = int(probs.argmax())
    return f"{labels[k]} ({float(probs[k]):.2f})"


def predict_sentiment(model, data, text):
    """'the film was not bad, just good' -> 'positive (0.99)': the label and its probability."""
    _check_task(model, data, "sentiment")
    x, lengths = _tokens(data, text)
    return _best(_run(model, x, lengths), data.labels)


def _image(data, image):
    """An image as (1, D): a test-set index, or values of shape (D,) or (12, 12, 3)."""
    if isinstance(image, (int, np.integer)) and not isinstance(image, bool):
        if not 0 <= image < len(data.test):
            raise ValueError(f"image: expected a test index in [0, {len(data.test)}), "
                             f"got {image}")
        return data.test.x[int(image)][None]
    values = _validate.as_array("image", image)
    if values.size != data.n_in:
        raise ValueError(f"image: expected a test index or {data.n_in} values "
                         f"(an image {IMAGE_SHAPE}), got shape {values.shape}")
    return torch.tensor(values.reshape(1, -1), dtype=torch.float32)


def classify_image(model, data, image):
    """A toy image -> 'square (0.99)'. image: a test index or an image array."""
    _check_task(model, data, "shapes")
    return _best(_run(model, _image(data, image)), data.labels)


def caption(model, data, image, max_len=12):
    """A toy image -> its caption, e.g. 'a red square on the left' (greedy decoding)."""
    _check_task(model, data, "captions")
    with _inference(model):
        ids = model.generate(_image(data, image).to(_device(model)), max_len=max_len)
    return data.out_vocab.decode(ids[:, 0].tolist())


def tag(model, data, text):
    """Tag each ambiguous word with its sense: 'by the river we saw the bank(shore)'."""
    _check_task(model, data, "tagging")
    x, _ = _tokens(data, text)
    tags = _run(model, x).argmax(-1)[:, 0].tolist()
    words = [data.vocab.tokens[i] for i in x[:, 0].tolist()]
    return " ".join(w if data.labels[t] == NO_TAG else f"{w}({data.labels[t]})"
                    for w, t in zip(words, tags, strict=True))


def translate_date(model, data, text, max_len=12):
    """'25 November 2026' -> '2026-11-25' (greedy decoding; the input is lower-cased)."""
    _check_task(model, data, "dates")
    x, lengths = _tokens(data, text)
    with _inference(model):
        device = _device(model)
        ids = model.generate(x.to(device), lengths.to(device), max_len=max_len)
    return data.out_vocab.decode(ids[:, 0].tolist())


def predictor(model, data):
    """The prediction helper of ``data``'s task with ``model`` and ``data`` filled in: str -> str.

    For the live-model boxes, e.g. ``predictor(model, ds)("not bad, just good")``.
    """
    helpers = {"sentiment": predict_sentiment, "shapes": classify_image, "captions": caption,
               "tagging": tag, "dates": translate_date}
    _check_pair(model, data)
    if data.name not in helpers:
        raise ValueError(f"data: expected one of {', '.join(helpers)}, got {data.name!r}")
    return functools.partial(helpers[data.name], model, data)
