"""Curves: gradient norms against steps back in time, training curves, gradient clipping."""

from typing import NamedTuple

import numpy as np

from rnnbook import _validate as v
from rnnbook.plots.style import BLACK, BLUE, GREEN, ORANGE, closed_subplots, figure_and_axes

# ---------------------------------------------------------------------------------------------
# Gradient norm against steps back in time (notebooks 04 and 05).

class ClippedForLog(NamedTuple):
    """Values made drawable on a log axis: ``values`` within [low, high], and how many moved."""

    values: np.ndarray
    below: int  # were < low, or exactly 0 (a dead ReLU stops the gradient completely)
    above: int  # were > high
    nonfinite: int  # were inf or NaN (overflow); drawn at ``high``

    @property
    def count(self):
        return self.below + self.above + self.nonfinite


def clip_for_log(values, low=1e-30, high=1e30):
    """Clip ``values`` into [low, high] so a log axis never shows a gap; NaN goes to ``high``.

    A log axis cannot draw 0, inf or NaN: it silently leaves a gap, which reads as "no data".
    """
    values = v.as_array("values", values, finite=False)
    nonfinite = ~np.isfinite(values)
    safe = np.where(nonfinite, high, values)
    below, above = safe < low, safe > high
    return ClippedForLog(np.clip(safe, low, high), int(below.sum()),
                         int((above & ~nonfinite).sum()), int(nonfinite.sum()))


def steps_back(values):
    """Reorder a (T,) series indexed by step k (as ``gradient_norms`` returns it) by steps back.

    Entry k of ``gradient_norms`` has passed T - k steps, so entry T-1 comes first (1 step
    back) and entry 0 last (T steps back). Returns (steps 1..T, values in that order).
    """
    values = v.as_array("values", values, ndim=1, finite=False)
    return np.arange(1, len(values) + 1), values[::-1]


def gradient_decay(norms, bound=None, ax=None, title="Gradient norm vs steps back in time",
                   low=1e-30, high=1e30):
    """Figure: measured gradient norms against steps back, log scale, with the Pascanu bound.

    norms: {label: (T,) array} in ``gradients.gradient_norms`` order (entry k = norm reaching
    the state before step k), one line per cell; bound: optional (T,) array in the same order,
    e.g. ``gradients.pascanu_bound``, drawn dashed. Values outside [low, high] are clipped
    and the line's label says so.
    """
    if not isinstance(norms, dict) or not norms:
        raise TypeError(f"norms: expected a non-empty dict {{label: (T,) array}}, "
                        f"got {norms!r:.60}")
    fig, ax = figure_and_axes(ax, (6.0, 3.6))
    curves = dict(norms) if bound is None else {**norms, "Pascanu bound": bound}
    for label, values in curves.items():
        x, y = steps_back(values)
        clipped = clip_for_log(y, low, high)
        suffix = f" ({clipped.count} clipped)" if clipped.count else ""
        style = {"linestyle": "--", "color": BLACK} if label == "Pascanu bound" else {}
        ax.plot(x, clipped.values, label=label + suffix, **style)
    ax.set_yscale("log")
    ax.set_title(title)
    ax.set_xlabel("steps back in time, T - k")
    ax.set_ylabel(r"gradient norm $\|\partial L / \partial h_k\|$")
    ax.legend()
    return fig


# ---------------------------------------------------------------------------------------------
# Training curves.

def _series(history, name, **checks):
    """history[name] (dict) or history.name (object) as a float array; None if absent or empty."""
    value = history.get(name) if isinstance(history, dict) else getattr(history, name, None)
    if value is None or len(value) == 0:
        return None
    if isinstance(value, range):
        value = list(value)
    return v.as_array(f"history.{name}", value, ndim=1, **checks)


def _paired(history, values_name, steps_name, default_steps, **checks):
    """(steps, values) of a series, or (None, None) if absent; steps default to default_steps
    (None: the steps are required)."""
    values = _series(history, values_name, **checks)
    if values is None:
        return None, None
    steps = _series(history, steps_name)
    if steps is None and default_steps is None:
        raise ValueError(f"history.{steps_name}: expected the step of each of "
                         f"history.{values_name}, got none")
    steps = default_steps if steps is None else steps
    if len(values) != len(steps):
        raise ValueError(f"history.{values_name}: expected one value per step ({len(steps)}), "
                         f"got {len(values)}; give history.{steps_name} if it was measured "
                         f"at other steps")
    return steps, values


LOSS_METRICS = ("mse", "loss")  # scores drawn on the loss axis; any other metric is a fraction


def training_curves(history, ax=None, title="Training curves", logy=False):
    """Figure: loss (left axis) and accuracy and test scores (right axis) against steps.

    history: duck-typed; any object with these attributes (e.g. ``train.History``), or a dict
    with these keys; lists, ranges, arrays and tensors all do, and an empty one is absent:
        loss            one value per step (required); NaN/inf (a diverged run) leave gaps
        steps           the step of each loss value (default 1, 2, 3, ...: after step 1)
        accuracy        optional fractions in [0, 1], one per step
        accuracy_steps  the step of each accuracy value (default: ``steps``)
        scores          optional test scores, at ``eval_steps`` (required with them)
        metric          the scores' name (default "score"); "mse" or "loss" put them on the
                        loss axis, any other name on the fractions' axis
    """
    loss = _series(history, "loss", finite=False)
    if loss is None:
        raise TypeError(f"history: expected a non-empty .loss or ['loss'], "
                        f"got {type(history).__name__}")
    steps, loss = _paired(history, "loss", "steps", np.arange(1, len(loss) + 1), finite=False)
    acc_steps, accuracy = _paired(history, "accuracy", "accuracy_steps", steps)
    eval_steps, scores = _paired(history, "scores", "eval_steps", None)
    metric = (history.get("metric") if isinstance(history, dict)
              else getattr(history, "metric", None)) or "score"
    fig, ax = figure_and_axes(ax, (6.0, 3.4))
    lines = ax.plot(steps, loss, color=BLUE, label="loss")
    if logy:
        ax.set_yscale("log")
    ax.set_title(title)
    ax.set_xlabel("training step")
    ax.set_ylabel("loss")
    right = None
    if accuracy is not None or (scores is not None and metric not in LOSS_METRICS):
        right = ax.twinx()
        right.grid(False)
        right.set_ylabel("fraction")
        right.set_ylim(0, 1.02)
    if accuracy is not None:
        lines += right.plot(acc_steps, accuracy, color=ORANGE, linestyle="--",
                            label="accuracy (training batch)")
    if scores is not None:
        target = ax if metric in LOSS_METRICS else right
        lines += target.plot(eval_steps, scores, "o-", color=GREEN, label=f"test {metric}")
    ax.legend(lines, [line.get_label() for line in lines], loc="center right")
    return fig


# ---------------------------------------------------------------------------------------------
# Notebook 04: gradient decay in several settings side by side, and gradient clipping.

def gradient_decay_panels(panels, low=1e-30, high=1e30):
    """Figure: one ``gradient_decay`` panel per setting, side by side, sharing the log y axis.

    panels: {title: (norms, bound)}, each pair as ``gradient_decay`` takes them (bound may be
    None), e.g. one panel per spectral radius; each panel's measured line is "measured".
    """
    if not isinstance(panels, dict) or not panels:
        raise TypeError(f"panels: expected a non-empty dict {{title: (norms, bound)}}, "
                        f"got {panels!r:.60}")
    for title, pair in panels.items():
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise TypeError(f"panels[{title!r}]: expected a pair (norms, bound), "
                            f"got {pair!r:.60}")
    fig, axes = closed_subplots(1, len(panels), sharey=True, squeeze=False,
                            figsize=(3.3 * len(panels) + 0.7, 3.4))
    for ax, (title, (norms, bound)) in zip(axes[0], panels.items(), strict=True):
        gradient_decay({"measured": norms}, bound, ax=ax, title=title, low=low, high=high)
    for ax in axes[0, 1:]:
        ax.set_ylabel("")  # the shared y axis is labelled once, on the left
    return fig


def clipping_curves(runs, clip=None, title="Gradient clipping"):
    """Figure: each run's gradient norm (before clipping, left) and training loss (right).

    runs: {label: history}, each with one ``grad_norm`` and one ``loss`` per step, e.g. a
    ``train.History``. clip: the clipping threshold, drawn dotted on the left. Both panels
    use a log scale, so that spikes and a slow loss both show.
    """
    if not isinstance(runs, dict) or not runs:
        raise TypeError(f"runs: expected a non-empty dict {{label: history}}, got {runs!r:.60}")
    clip = None if clip is None else v.number("clip", clip, low=0)
    fig, (left, right) = closed_subplots(1, 2, figsize=(10.0, 3.4))
    for label, history in runs.items():
        for ax, name in ((left, "grad_norm"), (right, "loss")):
            values = _series(history, name, finite=False)
            if values is None:
                raise TypeError(f"runs[{label!r}]: expected a history with .{name} or "
                                f"['{name}'], got {type(history).__name__}")
            ax.plot(np.arange(1, len(values) + 1), values, label=label, linewidth=1.2)
    if clip is not None:
        left.axhline(clip, color=BLACK, linestyle=":", label=f"clip = {clip:g}")
    for ax, ylabel in ((left, "gradient norm (before clipping)"), (right, "training loss")):
        ax.set_yscale("log")
        ax.set_xlabel("training step")
        ax.set_ylabel(ylabel)
        ax.legend()
    fig.suptitle(title)
    return fig

