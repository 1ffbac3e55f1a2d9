"""Tests of notebook 06's checker, check_softmax_temperature: each mutant is a learner's
softmax_temperature with one classic mistake, and the words the checker's message must contain.
test_checks_engine runs them all (caught, named, deterministic, fast)."""

import numpy as np
import pytest
from checks_testing import assert_names

from rnnbook import charlm, checks


def stable(z, axis=1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def times_temperature(logits, temperature):
    return stable(logits * temperature)


def ignores_temperature(logits, temperature):
    return stable(logits)


def temperature_after_exp(logits, temperature):
    e = np.exp(logits - logits.max(axis=1, keepdims=True)) / temperature
    return e / e.sum(axis=1, keepdims=True)


def no_max_subtracted(logits, temperature):
    e = np.exp(logits / temperature)
    return e / e.sum(axis=1, keepdims=True)


def global_max_subtracted(logits, temperature):
    z = logits / temperature
    e = np.exp(z - z.max())
    return e / e.sum(axis=1, keepdims=True)


def over_axis_0(logits, temperature):
    return stable(logits / temperature, axis=0)


def whole_array(logits, temperature):
    z = logits / temperature
    e = np.exp(z - z.max())
    return e / e.sum()


def unnormalised(logits, temperature):
    z = logits / temperature
    return np.exp(z - z.max(axis=1, keepdims=True))


def log_probabilities(logits, temperature):
    z = logits / temperature
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def sharpened_after(logits, temperature):
    return stable(logits) ** (1 / temperature)


def no_value_error(logits, temperature):
    return stable(logits / temperature)


def only_zero_refused(logits, temperature):
    if temperature == 0:
        raise ValueError("temperature: must not be 0")
    return stable(logits / temperature)


def asserts_instead(logits, temperature):
    assert temperature > 0
    return stable(logits / temperature)


def error_without_the_name(logits, temperature):
    if temperature <= 0:
        raise ValueError("T must be positive")
    return stable(logits / temperature)


def in_place(logits, temperature):
    logits /= temperature
    logits -= logits.max(axis=1, keepdims=True)
    np.exp(logits, out=logits)
    logits /= logits.sum(axis=1, keepdims=True)
    return logits.copy()


def transposed(logits, temperature):
    return charlm.softmax_temperature(logits, temperature).T


def squeezed(logits, temperature):
    return np.squeeze(charlm.softmax_temperature(logits, temperature))


def smoothed(logits, temperature):  # no variant knows this one
    p = charlm.softmax_temperature(logits, temperature) + 0.01
    return p / p.sum(axis=1, keepdims=True)


MUTANTS = [
    (times_temperature, "multiplies the logits by the temperature"),
    (ignores_temperature, "the temperature has no effect"),
    (temperature_after_exp, "dividing the exponentials by it cancels out"),
    (no_max_subtracted, "np.exp overflows to inf"),
    (global_max_subtracted, "maximum of the whole array"),
    (over_axis_0, "softmax over axis 0"),
    (whole_array, "normalises over the whole array"),
    (unnormalised, "the exponentials are not normalised"),
    (log_probabilities, "returns log-probabilities"),
    (sharpened_after, "to the power 1 / temperature without renormalising"),
    (no_value_error, "temperature = 0 your function returned an array of shape (2, 5) instead "
                     "of raising: raise a ValueError that names temperature"),
    (only_zero_refused, "with temperature = -1 your function returned"),
    (asserts_instead, "raised AssertionError"),
    (error_without_the_name, "its message should name the argument temperature"),
    (in_place, "changed its argument logits in place"),
    (transposed, "has shape (5, 3) = (V, B); expected (3, 5) = (B, V): its axes are in the "
                 "wrong order"),
    (squeezed, "an axis of size 1 is gone"),
    (smoothed, "row 0 sums to 1 but is not softmax(logits[0] / 0.5)"),
]
SOFTMAX_MUTANTS = {"softmax_temperature": (checks.check_softmax_temperature, MUTANTS)}


def test_a_missing_keepdims_is_explained_by_the_one_row_case():
    def no_keepdims(logits, temperature):
        z = logits / temperature
        e = np.exp(z - z.max(axis=1))
        return e / e.sum(axis=1)

    message = assert_names(checks.check_softmax_temperature, no_keepdims, "keepdims=True")
    assert "right with one row (B = 1, V = 5)" in message


def test_the_main_case_breaks_naive_code_and_the_reference_stays_finite():
    logits, temperature = checks.EXERCISES["softmax_temperature"].cases()[0].args
    with np.errstate(all="ignore"):
        assert np.isnan(no_max_subtracted(logits, temperature)).any()
        assert np.isnan(global_max_subtracted(logits, temperature)).any()
    probs = charlm.softmax_temperature(logits, temperature)
    assert np.all(probs > 0) and np.allclose(probs.sum(axis=1), 1)


@pytest.mark.parametrize("temperature", [0, -1.0])
def test_the_reference_refuses_a_temperature_not_above_zero(temperature):
    with pytest.raises(ValueError, match="^temperature: expected a number > 0"):
        charlm.softmax_temperature(np.zeros((2, 3)), temperature)
