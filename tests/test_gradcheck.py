"""rnnbook.gradcheck: centred differences and relative errors."""

import numpy as np
import pytest

from rnnbook.gradcheck import numerical_gradient, rel_error


def test_numerical_gradient_of_a_known_function():
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    grad = numerical_gradient(lambda v: np.sum(np.sin(v) * w), x)
    assert grad.shape == (3, 4) and grad.dtype == np.float64
    np.testing.assert_allclose(grad, np.cos(x) * w, rtol=0, atol=1e-9)


def test_numerical_gradient_is_second_order_accurate():
    # f = x^3: the centred difference is 3x^2 + eps^2 exactly, a forward one 3x^2 + O(eps).
    grad = numerical_gradient(lambda v: float(v[0] ** 3), np.array([2.0]), eps=1e-3)
    assert abs(grad[0] - 12.0) < 2e-6


def test_numerical_gradient_leaves_the_input_alone_and_works_in_float64():
    x = np.linspace(-1, 1, 5, dtype=np.float32)
    before = x.copy()
    seen = []

    def f(v):
        seen.append(v.dtype)
        return np.sum(v**2)

    grad = numerical_gradient(f, x)
    np.testing.assert_array_equal(x, before)
    assert set(seen) == {np.dtype(np.float64)}
    np.testing.assert_allclose(grad, 2 * before.astype(np.float64), atol=1e-8)


def test_numerical_gradient_exposes_a_wrong_backward():
    rng = np.random.default_rng(1)
    x = rng.standard_normal(6)
    numerical = numerical_gradient(lambda v: np.sum(np.tanh(v)), x)
    assert rel_error(numerical, 1 - np.tanh(x) ** 2) < 1e-8
    assert rel_error(numerical, 1 - np.tanh(x)) > 1e-2  # a common slip: tanh' = 1 - tanh


def test_rel_error_values():
    a = np.array([1.0, 0.0])
    assert rel_error(a, a) == 0.0
    assert rel_error(np.zeros(3), np.zeros(3)) == 0.0
    assert rel_error(a, np.array([0.0, 1.0])) == pytest.approx(np.sqrt(2) / 2)
    assert rel_error(a, -a) == pytest.approx(1.0)
    b = np.array([1.0 + 1e-9, 0.0])
    assert rel_error(a, b) == pytest.approx(rel_error(b, a)) == pytest.approx(1e-9 / 2, rel=1e-6)


@pytest.mark.parametrize("call, error, message", [
    (lambda: numerical_gradient("sum", np.ones(2)), TypeError, r"f: expected a callable"),
    (lambda: numerical_gradient(lambda v: v, np.ones(2)), TypeError,
     r"f: expected it to return one real number, got float64 array of shape \(2,\)"),
    (lambda: numerical_gradient(np.sum, np.ones(2), eps=0), ValueError,
     r"eps: expected a positive number, got 0"),
    (lambda: numerical_gradient(np.sum, np.array([1.0, np.inf])), ValueError, r"x: contains"),
    (lambda: numerical_gradient(np.sum, "abc"), TypeError, r"x: expected a numpy array"),
    (lambda: rel_error(np.ones(2), np.ones(3)), ValueError,
     r"b: expected the shape of a, \(2,\), got \(3,\)"),
    (lambda: rel_error(None, np.ones(3)), TypeError, r"a: "),
])
def test_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()
