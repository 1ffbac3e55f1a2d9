"""Numerical gradients and relative errors: how a backward is proven right (notebooks 02, 05).

A backward written by hand is checked against centred differences,

    df/dx_j  ~  (f(x + eps e_j) - f(x - eps e_j)) / (2 eps),

whose error shrinks like eps**2, computed in float64 so that rounding stays far below it.
"""

import numpy as np

from rnnbook import _validate


def numerical_gradient(f, x, eps=1e-6):
    """The centred-difference gradient of the scalar function ``f`` at ``x``.

    f: callable taking an array shaped like x and returning a real number.
    x: array of any shape; it is not modified (f receives a float64 copy).
    Returns an array of x's shape, float64.
    """
    f = _validate.function("f", f, returning="a number")
    x = np.array(_validate.as_array("x", x), dtype=np.float64)  # a copy we may nudge
    eps = _validate.positive_number("eps", eps)
    grad = np.empty_like(x)
    flat, grad_flat = x.reshape(-1), grad.reshape(-1)  # views of the copy and the result
    for j in range(flat.size):
        original = flat[j]
        flat[j] = original + eps
        f_plus = _scalar(f(x))
        flat[j] = original - eps
        f_minus = _scalar(f(x))
        flat[j] = original
        grad_flat[j] = (f_plus - f_minus) / (2 * eps)
    return grad


def _scalar(value):
    value = np.asarray(value)
    if value.size != 1 or not np.issubdtype(value.dtype, np.number):
        raise TypeError(f"f: expected it to return one real number, got {value.dtype} "
                        f"array of shape {value.shape}")
    return float(value.reshape(()))


def rel_error(a, b):
    """||a - b|| / (||a|| + ||b||): 0 when equal, about 1e-8 or less for a correct backward.

    Norms over the whole array rather than entry by entry, so that an entry that is
    almost zero in both (where centred differences are pure rounding noise) cannot dominate.
    Two all-zero arrays give 0.
    """
    a = _validate.as_array("a", a)
    b = _validate.as_array("b", b)
    if a.shape != b.shape:
        raise ValueError(f"b: expected the shape of a, {a.shape}, got {b.shape}")
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if scale == 0 else float(np.linalg.norm(a - b) / scale)
