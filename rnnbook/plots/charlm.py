"""The character language model's figures (notebook 06): the learning curve, text coloured
character by character, and the loss by distance to the open bracket.

Like every figure of ``rnnbook.plots``: each function draws on ``ax=`` if given, else on a new
figure that is closed in pyplot at once (the notebook shows it as the cell's value), and
returns the figure.

Colours. A unit's activation is signed, so it is drawn with a diverging palette, PuOr:
purple below 0, white at 0, orange above. PuOr is one of the diverging schemes that
ColorBrewer (Brewer & Harrower, colorbrewer2.org) marks colour-blind safe: purple and orange
stay apart under red-green and blue-yellow colour blindness, and darkness grows the same way
on both sides. (RdYlGn and Spectral, often used, are not safe.) The course already draws
signed gate values in purple and orange (notebook 05). Values that only go up, such as an
entropy, use viridis, the course's sequential map.
"""

import numpy as np

from rnnbook import _validate
from rnnbook.plots.style import BLACK, BLUE, GREY, OKABE_ITO, ORANGE, figure_and_axes

DIVERGING = "PuOr_r"  # reversed, so that positive is orange, as the course draws gates
SEQUENTIAL = "viridis"


def smooth(values, width=25):
    """Moving average over ``width`` steps (shorter at the start): (N,)."""
    values = _validate.as_array("values", values, ndim=1)
    width = _validate.positive_int("width", width)
    sums = np.cumsum(np.concatenate([[0.0], values]))
    lo = np.maximum(np.arange(1, len(values) + 1) - width, 0)
    return (sums[1:] - sums[lo]) / (np.arange(1, len(values) + 1) - lo)


def learning_curve(history, lines=None, ax=None, title="Learning curve of the character LSTM",
                   val_label="validation"):
    """Bits per character against training steps: each batch's (smoothed), and validation's.

    history: a ``charlm.CharHistory``; lines: {label: bpc} drawn as horizontal references
    (e.g. the best n-gram's score on the same validation characters); val_label: the legend
    of the validation points (say which text they score).
    """
    fig, ax = figure_and_axes(ax, (6.4, 3.6))
    steps = np.arange(1, len(history.train_bpc) + 1)
    ax.plot(steps, history.train_bpc, color=GREY, linewidth=0.8, label="training batch")
    ax.plot(steps, smooth(history.train_bpc), color=BLUE,
            label="training batch, mean of 25 steps")
    ax.plot(history.eval_steps, history.val_bpc, "o-", color=ORANGE, label=val_label)
    for k, (label, bpc) in enumerate((lines or {}).items()):
        ax.axhline(bpc, color=BLACK, linestyle=("--", ":", "-.")[k % 3], linewidth=1.2,
                   label=label)
    ax.set_xlabel("training step")
    ax.set_ylabel("bits per character")
    ax.set_ylim(1.0, 5.0)
    ax.set_title(title)
    ax.legend(loc="upper right")
    return fig


def _grid(text, values, wrap):
    """The text laid out in lines (each cut at ``wrap`` columns): (rows, cols) of values, NaN
    where there is no character, and the (row, col, char) of every character."""
    rows, cells, r, c = [], [], 0, 0
    rows.append([])
    for ch, value in zip(text, values, strict=True):
        if c >= wrap:
            rows.append([])
            r, c = r + 1, 0
        rows[r].append(value)
        cells.append((r, c, ch))
        c += 1
        if ch == "\n":
            rows.append([])
            r, c = r + 1, 0
    width = max(len(row) for row in rows)
    grid = np.full((len(rows), max(width, 1)), np.nan)
    for k, row in enumerate(rows):
        grid[k, :len(row)] = row
    return grid, cells


def coloured_text(text, values, ax=None, title="", cmap=DIVERGING, limit=None, wrap=80,
                  label="activation"):
    """Each character of ``text`` on a background coloured by its value (the classic figure).

    values (N,), one per character; cmap: DIVERGING (centred on 0, from -limit to +limit;
    limit defaults to max |values|) or any sequential map (from min to max). A newline's
    value colours the cell after its line's last character.
    """
    values = _validate.as_array("values", values, shape=(len(text),))
    grid, cells = _grid(text, values, _validate.positive_int("wrap", wrap))
    rows, cols = grid.shape
    fig, ax = figure_and_axes(ax, (0.105 * cols + 1.2, 0.2 * rows + 0.7))
    if cmap == DIVERGING:
        limit = float(np.abs(values).max()) if limit is None else limit
        vmin, vmax = -limit, limit
    else:
        vmin, vmax = float(values.min()), float(values.max())
    image = ax.imshow(grid, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto",
                      interpolation="nearest")
    for r, c, ch in cells:
        if ch not in " \n":
            red, green, blue, _ = image.cmap(image.norm(grid[r, c]))
            dark = 0.299 * red + 0.587 * green + 0.114 * blue < 0.5  # white on dark cells
            ax.text(c, r, ch, ha="center", va="center", fontsize=8, family="monospace",
                    color="white" if dark else "black")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_title(title, loc="left", fontsize=10)
    fig.colorbar(image, ax=ax, shrink=0.8, pad=0.01, label=label)
    return fig


def distance_curves(table, ax=None, xlabel="characters since the innermost open bracket",
                    title="Loss by distance to the open bracket"):
    """Bits per character by distance bin, one line per model (a probe.DistanceTable)."""
    fig, ax = figure_and_axes(ax, (6.4, 3.4))
    x = np.arange(len(table.bins))
    for k, (name, bits) in enumerate(table.bits.items()):
        ax.plot(x, bits, "o-", color=OKABE_ITO[k], label=name)
    ax.set_xticks(x, [f"{lo}-{hi}" if hi < 10 ** 6 else f"{lo}+" for lo, hi in table.bins])
    ax.set_xlabel(xlabel)
    ax.set_ylabel("bits per character")
    ax.set_title(title)
    ax.legend()
    return fig


def entropy_trace(text, entropy, ax=None, title="Entropy of the next character, along a sample"):
    """A sample coloured by the entropy (bits) of the model's distribution before each char."""
    return coloured_text(text, entropy, ax=ax, title=title, cmap=SEQUENTIAL,
                         label="entropy (bits)")
