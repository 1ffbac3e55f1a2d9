"""The course's plot style and figures.

``use_style()`` is called once by ``rnnbook.setup_notebook()`` in each notebook's first cell.
Every figure function takes data and either returns a new Figure or draws on a given ``ax=``.
"""

import matplotlib as mpl

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
    "figure.autolayout": False,
    "figure.constrained_layout.use": True,
}


def use_style():
    """Apply the course style to matplotlib's global rcParams (idempotent)."""
    mpl.rcParams.update(STYLE)
