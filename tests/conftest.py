"""Fixtures shared by several test modules."""

import pytest

from rnnbook import baselines, data


@pytest.fixture(scope="session")
def sines_predictors():
    """(series (61,), predictors): the first test series of ``data.sines()`` and window
    predictors up to width 8 fitted on its training series, as notebook 01 builds them."""
    sines = data.sines()
    test = data.whole_series(sines.test)
    predictors = baselines.window_predictors(data.whole_series(sines.train), test,
                                             max_width=8, noise=sines.info["noise"])
    return test[:, 0], predictors
