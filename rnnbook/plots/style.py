"""The course's plot style, palette and the figure helpers every plots module shares.

``use_style()`` is called once by ``rnnbook.setup_notebook()`` in each notebook's first cell.
"""

import matplotlib as mpl
import matplotlib.pyplot as plt

# Okabe & Ito (2008): eight colours that stay distinct under every common colour-vision
# deficiency. Blue and orange first, because most plots compare two things.
OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)
BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY, YELLOW, BLACK = OKABE_ITO
DIM = "#E8E8E8"  # a node not reached yet
GREY = "#BBBBBB"  # data drawn as a backdrop for what moves over it

STYLE = {
    "axes.prop_cycle": mpl.cycler(color=OKABE_ITO),
    "image.cmap": "viridis",  # perceptually uniform and colourblind-safe
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "lines.linewidth": 2.0,
    "figure.constrained_layout.use": True,
}


# Presenting to a room (``RNNBOOK_PRESENT=1``), figures and their text are drawn this much larger.
PRESENT_SCALE = 1.5


def use_style(present=False):
    """Apply the course style to matplotlib's global rcParams (idempotent).

    present=True: for a projector, every figure (and its text) drawn PRESENT_SCALE times as
    large, by its dots per inch; the widgets follow through ``scale()``.
    """
    mpl.rcParams.update(STYLE)
    if present:
        mpl.rcParams["figure.dpi"] = STYLE["figure.dpi"] * PRESENT_SCALE


def scale():
    """How much larger than the course style figures are drawn now: 1.0, or PRESENT_SCALE."""
    return mpl.rcParams["figure.dpi"] / STYLE["figure.dpi"]


def closed_subplots(nrows=1, ncols=1, **kwargs):
    """(figure, axes) of ``plt.subplots(nrows, ncols, **kwargs)``, closed in pyplot."""
    fig, axes = plt.subplots(nrows, ncols, **kwargs)
    plt.close(fig)  # the caller shows it by returning it; closing stops pyplot showing it twice
    return fig, axes


def figure_and_axes(ax, figsize):
    """Return (figure, axes): ``ax`` and its figure, or a new one-axes figure."""
    if ax is not None:
        if not isinstance(ax, mpl.axes.Axes):
            raise TypeError(f"ax: expected a matplotlib Axes or None, got {type(ax).__name__}")
        return ax.figure, ax
    return closed_subplots(figsize=figsize)

