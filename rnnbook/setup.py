"""The first cell of every notebook: one call that makes a run reproducible."""

import os
import platform
import random

import numpy as np

from rnnbook import _validate

PACKAGES = ("numpy", "torch", "matplotlib", "ipywidgets", "jupyterlab")


def package_versions():
    """Return {name: version} for Python and the packages the course uses."""
    from importlib.metadata import PackageNotFoundError, version

    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def setup_notebook(seed=0):
    """Seed every generator, use one torch thread, apply the plot style, print versions.

    With ``RNNBOOK_PRESENT=1`` in the environment (``make present`` sets it), the plot style
    draws figures and widget pictures larger, for a projector; nothing printed changes.

    One torch thread is as fast as two for the course's small models on a 2-core laptop,
    and it makes float results independent of the machine's core count.
    """
    seed = _validate.non_negative_int("seed", seed)
    import torch

    from rnnbook import plots

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(1)
    plots.use_style(present=os.environ.get("RNNBOOK_PRESENT") == "1")
    print("  ".join(f"{k} {v}" for k, v in package_versions().items()))
