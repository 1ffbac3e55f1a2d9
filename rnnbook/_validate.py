"""Argument checks shared by the public functions.

Every public function checks its arguments here, at the boundary, so that a learner sees
which argument is wrong and what was expected, never a numpy broadcasting error from inside.
"""

import numbers
import os
from pathlib import Path

import numpy as np


def as_array(name, value, ndim=None, shape=None, finite=True):
    """Return ``value`` as a float ndarray, or raise naming ``name``.

    shape: a tuple whose entries are ints (that size is required) or None (any size).
    """
    if isinstance(value, (list, tuple)) or (
        hasattr(value, "__array__") and not isinstance(value, np.ndarray)
    ):
        value = np.asarray(value)
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{name}: expected a numpy array, got {type(value).__name__}")
    if not np.issubdtype(value.dtype, np.number) or np.issubdtype(value.dtype, np.complexfloating):
        raise TypeError(f"{name}: expected a real numeric array, got dtype {value.dtype}")
    if not np.issubdtype(value.dtype, np.floating):
        value = value.astype(np.float64)
    if shape is not None:
        ndim = len(shape)
    if ndim is not None and value.ndim != ndim:
        want = _shape_str(shape) if shape is not None else f"{ndim} dimensions"
        raise ValueError(f"{name}: expected shape {want}, got shape {value.shape}")
    mismatch = shape is not None and any(
        w is not None and w != g for w, g in zip(shape, value.shape, strict=True)
    )
    if mismatch:
        raise ValueError(f"{name}: expected shape {_shape_str(shape)}, got shape {value.shape}")
    if finite and not np.all(np.isfinite(value)):
        raise ValueError(f"{name}: contains NaN or infinite values")
    return value


def _shape_str(shape):
    return "(" + ", ".join("?" if s is None else str(s) for s in shape) + ")"


def positive_int(name, value):
    """Return ``value`` if it is a positive int, else raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name}: expected a positive int, got {type(value).__name__} {value!r}")
    if value <= 0:
        raise ValueError(f"{name}: expected a positive int, got {value}")
    return int(value)


def number(name, value, low=None, high=None):
    """Return ``value`` as a float if it is a finite real in [low, high], else raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: expected a number, got {type(value).__name__} {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name}: expected a finite number, got {value}")
    if (low is not None and value < low) or (high is not None and value > high):
        if high is None:
            want = f">= {low}"
        elif low is None:
            want = f"<= {high}"
        else:
            want = f"in [{low}, {high}]"
        raise ValueError(f"{name}: expected a number {want}, got {value}")
    return value


def choice(name, value, choices):
    """Return ``value`` if it is one of ``choices``, else raise naming ``name``."""
    if value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name}: expected one of {options}, got {value!r}")
    return value


def folder_outside(name, value, root, except_in=None):
    """Return ``value`` as a Path if it lies outside ``root`` (or inside ``except_in``), else
    raise naming ``name``: what a command writes stays out of the tracked tree."""
    if not isinstance(value, (str, os.PathLike)) or not str(value):
        raise TypeError(f"{name}: expected a folder path, got {type(value).__name__} {value!r}")
    path = Path(value).expanduser()
    resolved = path.resolve()
    if resolved.is_relative_to(root) and not (except_in and resolved.is_relative_to(except_in)):
        allowed = f" (or {except_in})" if except_in else ""
        raise ValueError(f"{name}: expected a folder outside {root}{allowed}, got {value}")
    return path


def rng(name, value):
    """Return a numpy Generator from a Generator, an int seed or None (seed 0)."""
    if value is None:
        return np.random.default_rng(0)
    if isinstance(value, np.random.Generator):
        return value
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return np.random.default_rng(int(value))
    raise TypeError(
        f"{name}: expected a numpy Generator or an int seed, got {type(value).__name__}"
    )


def non_negative_int(name, value):
    """Return ``value`` if it is an int >= 0 (e.g. a seed), else raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name}: expected a non-negative int, got {type(value).__name__} "
                        f"{value!r}")
    if value < 0:
        raise ValueError(f"{name}: expected a non-negative int, got {value}")
    return int(value)


def int_in_range(name, value, low, high):
    """Return ``value`` if it is an int in [low, high] (e.g. a step), else raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name}: expected an int in [{low}, {high}], got "
                        f"{type(value).__name__} {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name}: expected an int in [{low}, {high}], got {value}")
    return int(value)
