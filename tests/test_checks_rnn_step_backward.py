"""Tests of the rnn_step_backward checker (notebook 02): one RNN step's backward by hand.

As in test_checks_steps: each mutant is a learner's function with one classic mistake, written
the way a learner would write it, with the keyword the checker's message must contain.
test_checks_engine runs them all.
"""

import numpy as np
from checks_testing import assert_names

from rnnbook import cells, checks


def backward_with(dh, cache, dh_raw=None, dW_hh=None, db=None, dx=None, dh_prev=None):
    """A learner's rnn_step_backward; each keyword replaces one line with a wrong one."""
    x, h_prev, h, p = cache.x, cache.h_prev, cache.h, cache.params
    dh_raw = dh * (1 - h**2) if dh_raw is None else dh_raw
    db = dh_raw.sum(axis=0) if db is None else db
    grads = {
        "weight_ih": dh_raw.T @ x,
        "weight_hh": dh_raw.T @ h_prev if dW_hh is None else dW_hh,
        "bias_ih": db,
        "bias_hh": db,
    }
    dx = dh_raw @ p["weight_ih"] if dx is None else dx
    dh_prev = dh_raw @ p["weight_hh"] if dh_prev is None else dh_prev
    return dx, dh_prev, grads


def no_tanh_derivative(dh, cache):
    return backward_with(dh, cache, dh_raw=dh)


def one_minus_h(dh, cache):
    return backward_with(dh, cache, dh_raw=dh * (1 - cache.h))


def derivative_at_h(dh, cache):
    return backward_with(dh, cache, dh_raw=dh * (1 - np.tanh(cache.h) ** 2))


def dW_hh_from_h(dh, cache):
    dh_raw = dh * (1 - cache.h**2)
    return backward_with(dh, cache, dW_hh=dh_raw.T @ cache.h)


def dW_hh_transposed(dh, cache):
    dh_raw = dh * (1 - cache.h**2)
    return backward_with(dh, cache, dW_hh=cache.h_prev.T @ dh_raw)


def dW_ih_transposed(dh, cache):
    dx, dh_prev, grads = backward_with(dh, cache)
    dh_raw = dh * (1 - cache.h**2)
    return dx, dh_prev, {**grads, "weight_ih": cache.x.T @ dh_raw}


def bias_not_summed(dh, cache):
    return backward_with(dh, cache, db=dh * (1 - cache.h**2))


def bias_averaged(dh, cache):
    return backward_with(dh, cache, db=(dh * (1 - cache.h**2)).mean(axis=0))


def bias_hh_forgotten(dh, cache):
    dx, dh_prev, grads = backward_with(dh, cache)
    return dx, dh_prev, {**grads, "bias_hh": np.zeros_like(grads["bias_hh"])}


def dx_from_w_hh(dh, cache):
    return backward_with(dh, cache, dx=(dh * (1 - cache.h**2)) @ cache.params["weight_hh"])


def dx_transposed(dh, cache):  # (B, H) @ (D, H) crashes unless D == H: the square case tells
    return backward_with(dh, cache, dx=(dh * (1 - cache.h**2)) @ cache.params["weight_ih"].T)


def dh_prev_missing(dh, cache):
    return backward_with(dh, cache, dh_prev=np.zeros_like(dh))


def dh_prev_transposed(dh, cache):
    dh_raw = dh * (1 - cache.h**2)
    return backward_with(dh, cache, dh_prev=dh_raw @ cache.params["weight_hh"].T)


def dh_prev_skips_tanh(dh, cache):
    return backward_with(dh, cache, dh_prev=dh @ cache.params["weight_hh"])


def dh_added_to_dh_prev(dh, cache):
    dh_raw = dh * (1 - cache.h**2)
    return backward_with(dh, cache, dh_prev=dh_raw @ cache.params["weight_hh"] + dh)


def returns_dh_prev_first(dh, cache):
    dx, dh_prev, grads = backward_with(dh, cache)
    return dh_prev, dx, grads


def weights_of_one_example(dh, cache):  # the first example's gradient only: the B = 1 case passes
    dh_raw = dh * (1 - cache.h**2)
    dx, dh_prev, grads = backward_with(dh, cache)
    return dx, dh_prev, {**grads, "weight_ih": np.outer(dh_raw[0], cache.x[0])}


def dW_ih_doubled(dh, cache):  # no variant knows this one: _locate must name the result
    dx, dh_prev, grads = backward_with(dh, cache)
    return dx, dh_prev, {**grads, "weight_ih": 2 * grads["weight_ih"]}


def sign_flipped_everywhere(dh, cache):  # nor this one: every result wrong points at dh_raw
    return backward_with(dh, cache, dh_raw=-dh * (1 - cache.h**2))


BACKWARD_MUTANTS = [
    (no_tanh_derivative, "the tanh derivative is missing"),
    (one_minus_h, "the tanh derivative is (1 - h) where it is (1 - h**2)"),
    (derivative_at_h, "the tanh derivative is taken at h"),
    (dW_hh_from_h, "dW_hh uses h, this step's output"),
    (dW_hh_transposed, "dW_hh is transposed"),
    (dW_ih_transposed, "dW_ih is transposed"),
    (bias_not_summed, "not summed over the batch"),
    (bias_averaged, "averaged over the batch"),
    (bias_hh_forgotten, "grads['bias_hh'] is missing"),
    (dx_from_w_hh, "dx comes from the wrong weight"),
    (dx_transposed, "dx uses weight_ih transposed"),
    (dh_prev_missing, "dh_prev is missing"),
    (dh_prev_transposed, "dh_prev uses weight_hh transposed"),
    (dh_prev_skips_tanh, "dh_prev skips the tanh derivative"),
    (dh_added_to_dh_prev, "dh is added to dh_prev"),
    (returns_dh_prev_first, "returned as (dh_prev, dx, grads)"),
    (weights_of_one_example, "grads['weight_ih'] looks wrong"),
    (dW_ih_doubled, "it is dh_raw.T @ x, of shape (H, D)"),
    (sign_flipped_everywhere, "every result is wrong"),
]

BACKWARD_EXERCISE = {"rnn_step_backward": (checks.check_rnn_step_backward, BACKWARD_MUTANTS)}


def test_the_reference_is_the_learners_signature_on_an_unroll_cache(capsys):
    checks.check_rnn_step_backward(cells.rnn_step_backward)
    assert capsys.readouterr().out.startswith("rnn_step_backward: correct, ")


def test_the_plain_textbook_answer_passes(capsys):
    checks.check_rnn_step_backward(backward_with)
    assert "correct" in capsys.readouterr().out


def test_two_mistakes_at_once_are_both_named():
    def no_derivative_no_dh_prev(dh, cache):
        return backward_with(dh, cache, dh_raw=dh, dh_prev=np.zeros_like(dh))

    message = assert_names(checks.check_rnn_step_backward, no_derivative_no_dh_prev,
                           "the tanh derivative is missing")
    assert "dh_prev is missing" in message and message.count("; and ") == 1
