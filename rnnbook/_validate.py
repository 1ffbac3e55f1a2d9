"""Argument checks shared by the public functions.

Every public function checks its arguments here, at the boundary, so that a learner sees
which argument is wrong and what was expected, never a numpy broadcasting error from inside.
This is the one place where argument checks are written; a public function checks each
argument once and calls unchecked private helpers from there on.

The cells' checks (``cell``, ``nonlinearity``, ``cell_params``, ``cell_state``, ``caches``)
read the layout constants of ``rnnbook.cells``, imported when they run (``cells`` imports
this module).
"""

import numbers
import os
from collections.abc import Mapping
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


def positive_number(name, value):
    """Return ``value`` as a float if it is a finite real > 0, else raise naming ``name``."""
    value = number(name, value)
    if value <= 0:
        raise ValueError(f"{name}: expected a positive number, got {value}")
    return value


def instance(name, value, kind, what):
    """Return ``value`` if it is an instance of ``kind``, else raise naming ``name``."""
    if not isinstance(value, kind):
        raise TypeError(f"{name}: expected {what}, got {type(value).__name__}")
    return value


def seed(name, value):
    """Return a numpy Generator seeded from ``value``, an int >= 0 (a seed, never a Generator)."""
    return np.random.default_rng(non_negative_int(name, value))
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
    """Return a numpy Generator from a Generator, an int seed >= 0 or None (seed 0)."""
    if value is None:
        return np.random.default_rng(0)
    if isinstance(value, np.random.Generator):
        return value
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        if value < 0:
            raise ValueError(f"{name}: expected a numpy Generator or an int seed >= 0, "
                             f"got {value}")
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


def non_empty_str(name, value):
    """Return ``value`` if it is a non-empty str (e.g. a token), else raise naming ``name``."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name}: expected a non-empty string, got {value!r}")
    return value


def int_list(name, value, what="positive ints"):
    """Return ``value`` as a list if it is a non-empty list or tuple of positive ints."""
    if not isinstance(value, (list, tuple)) or not value:
        raise TypeError(f"{name}: expected a non-empty list of {what}, got {value!r}")
    return [positive_int(name, v) for v in value]


def int_in_range(name, value, low, high):
    """Return ``value`` if it is an int in [low, high] (e.g. a step), else raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name}: expected an int in [{low}, {high}], got "
                        f"{type(value).__name__} {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name}: expected an int in [{low}, {high}], got {value}")
    return int(value)


# ----------------------------------------------------------------------------- the cells' arguments


def cell(name, value):
    """Return ``value`` if it names a cell of ``rnnbook.cells.CELLS``, else raise."""
    from rnnbook.cells import CELLS

    if not isinstance(value, str):
        raise TypeError(f"{name}: expected one of {CELLS}, got {type(value).__name__} {value!r}")
    return choice(name, value, CELLS)


def nonlinearity(cell_name, value):
    """Return the RNN's nonlinearity ``value`` ("tanh" or "relu"; only "tanh" for other cells)."""
    from rnnbook.cells import NONLINEARITIES

    if not isinstance(value, str):
        raise TypeError(f"nonlinearity: expected one of {NONLINEARITIES}, got "
                        f"{type(value).__name__} {value!r}")
    choice("nonlinearity", value, NONLINEARITIES)
    if cell_name != "rnn" and value != "tanh":
        raise ValueError(f"nonlinearity: only the 'rnn' cell takes one, got {value!r} "
                         f"for the {cell_name!r} cell")
    return value


def cell_params(cell_name, params, name="params"):
    """Return (params as a dict of float arrays, D, H), or raise naming the faulty key.

    The shapes follow ``rnnbook.cells``: weight_ih (G*H, D), weight_hh (G*H, H), biases (G*H,),
    G = cells.NUM_BLOCKS[cell_name].
    """
    from rnnbook.cells import NUM_BLOCKS, PARAM_KEYS

    if not isinstance(params, Mapping):
        raise TypeError(f"{name}: expected a dict with keys {PARAM_KEYS}, "
                        f"got {type(params).__name__}")
    missing = [k for k in PARAM_KEYS if k not in params]
    extra = sorted(str(k) for k in params if k not in PARAM_KEYS)
    if missing or extra:
        raise ValueError(f"{name}: expected keys {PARAM_KEYS}, missing {missing}, "
                         f"unexpected {extra}")
    weight_hh = as_array(f"{name}['weight_hh']", params["weight_hh"], ndim=2)
    H = weight_hh.shape[1]
    if H == 0:
        raise ValueError(f"{name}['weight_hh']: expected hidden size H >= 1, "
                         f"got shape {weight_hh.shape}")
    G = NUM_BLOCKS[cell_name]
    if weight_hh.shape[0] != G * H:
        raise ValueError(f"{name}['weight_hh']: expected shape ({G * H}, {H}) = "
                         f"({G}*H, H) for the {cell_name!r} cell, "
                         f"got {weight_hh.shape}{_other_cell_hint(weight_hh.shape)}")
    weight_ih = as_array(f"{name}['weight_ih']", params["weight_ih"], shape=(G * H, None))
    if weight_ih.shape[1] == 0:
        raise ValueError(f"{name}['weight_ih']: expected input size D >= 1, "
                         f"got shape {weight_ih.shape}")
    checked = {"weight_ih": weight_ih, "weight_hh": weight_hh}
    for key in ("bias_ih", "bias_hh"):
        checked[key] = as_array(f"{name}[{key!r}]", params[key], shape=(G * H,))
    return checked, weight_ih.shape[1], H


def _other_cell_hint(shape):
    from rnnbook.cells import CELLS, NUM_BLOCKS

    rows, H = shape
    others = [c for c in CELLS if NUM_BLOCKS[c] * H == rows]
    return f": these look like {others[0]!r} params" if others else ""


def cell_state(cell_name, name, state, B, H):
    """Return the state as arrays of shape (B, H) (LSTMState for the LSTM), or raise."""
    from rnnbook.cells import LSTMState

    if cell_name != "lstm":
        return as_array(name, state, shape=(B, H))
    if not isinstance(state, (tuple, list)) or len(state) != 2:
        got = type(state).__name__
        if isinstance(state, (tuple, list)):
            got += f" of length {len(state)}"
        raise TypeError(f"{name}: expected the pair (h, c) for the 'lstm' cell, got {got}")
    return LSTMState(as_array(f"{name}[0] (h)", state[0], shape=(B, H)),
                     as_array(f"{name}[1] (c)", state[1], shape=(B, H)))


def batch(name, array, axis):
    """Return ``array`` if its batch axis is not empty, else raise naming ``name``."""
    if array.shape[axis] == 0:
        raise ValueError(f"{name}: expected a batch size B >= 1, got shape {array.shape}")
    return array


def caches(cell_name, value):
    """Return the caches of ``cells.unroll(cell_name, ...)`` as a list, or raise."""
    from rnnbook.cells import CACHE_TYPES

    kind = CACHE_TYPES[cell_name]
    if not isinstance(value, (list, tuple)) or len(value) == 0:
        raise TypeError(f"caches: expected the non-empty list of caches returned by unroll, "
                        f"got {type(value).__name__}")
    wrong = [type(c).__name__ for c in value if not isinstance(c, kind)]
    if wrong:
        raise TypeError(f"caches: expected a list of {kind.__name__} from "
                        f"unroll({cell_name!r}, ...), got {wrong[0]}")
    return list(value)
def int_at_least(name, value, low):
    """Return ``value`` if it is an int >= low, else raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name}: expected an int >= {low}, got {type(value).__name__} {value!r}")
    if value < low:
        raise ValueError(f"{name}: expected an int >= {low}, got {value}")
    return int(value)


def boolean(name, value):
    """Return ``value`` as a bool if it is True or False (numpy's too), else raise."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}: expected True or False, got {value!r}")
    return bool(value)


def row_mask(name, value, shape):
    """Return ``value`` if it is a bool array of ``shape`` (rows, columns) with a True in every
    row (e.g. the real, unpadded source steps of each example), else raise naming ``name``."""
    mask = np.asarray(value)
    if mask.dtype != bool or mask.shape != tuple(shape):
        raise ValueError(f"{name}: expected None or a bool array of shape {_shape_str(shape)}, "
                         f"got {mask.dtype} {mask.shape}")
    if not mask.any(axis=1).all():
        raise ValueError(f"{name}: every row needs at least one True, got none in row "
                         f"{int(np.argmin(mask.any(axis=1)))}")
    return mask


def function(name, value, optional=False, returning=None):
    """Return ``value`` if it is callable (or None when ``optional``), else raise."""
    if callable(value) or (optional and value is None):
        return value
    want = "a callable" + (f" returning {returning}" if returning else "")
    want += " or None" if optional else ""
    raise TypeError(f"{name}: expected {want}, got {type(value).__name__}")


def strings(name, value):
    """Return ``value`` as a tuple if it is a sequence of str (not one str), else raise."""
    if isinstance(value, str) or not all(isinstance(item, str) for item in value):
        raise TypeError(f"{name}: expected a sequence of str, got {value!r:.80}")
    return tuple(value)


def length(name, value, low=None, exactly=None):
    """Return ``value`` if len(value) is at least ``low`` / exactly ``exactly``, else raise."""
    n = len(value)
    if exactly is not None and n != exactly:
        raise ValueError(f"{name}: expected {exactly} item{'s' * (exactly != 1)}, got {n}")
    if low is not None and n < low:
        raise ValueError(f"{name}: expected at least {low} item{'s' * (low != 1)}, got {n}")
    return value
def name_of(name, value, choices):
    """Return ``value`` if it is a str among ``choices``, else raise naming ``name``."""
    if not isinstance(value, str):
        options = ", ".join(repr(c) for c in choices)
        raise TypeError(f"{name}: expected one of {options}, got {type(value).__name__} {value!r}")
    return choice(name, value, choices)


def index_dict(name, value):
    """Return ``value`` if it is a non-empty dict key -> index whose indices are 0 .. N-1, each
    once (e.g. a vocabulary), else raise naming ``name``."""
    if not isinstance(value, dict) or not value:
        raise TypeError(f"{name}: expected a non-empty dict key -> index, got {value!r:.80}")
    if sorted(value.values()) != list(range(len(value))):
        raise ValueError(f"{name}: expected the indices 0 .. {len(value) - 1}, each once, "
                         f"got {sorted(value.values())!r:.80}")
    return value


def key_lists(name, value, mapping, mapping_name):
    """Return ``value`` if it is a non-empty list of non-empty lists of keys of ``mapping``
    (e.g. sentences of tokens of a vocabulary called ``mapping_name``), else raise naming
    ``name``, ``name[b]`` or ``name[b][t]``."""
    if not isinstance(value, list) or not value:
        raise TypeError(f"{name}: expected a non-empty list of lists, got {value!r:.80}")
    for b, keys in enumerate(value):
        if not isinstance(keys, list) or not keys:
            raise TypeError(f"{name}[{b}]: expected a non-empty list, got {keys!r:.80}")
        for t, key in enumerate(keys):
            if key not in mapping:
                raise ValueError(f"{name}[{b}][{t}]: {key!r:.60} is not in {mapping_name}")
    return value


def array_dict(name, value):
    """Return ``value`` as a new dict key -> float ndarray (see ``as_array``), else raise naming
    ``name`` or the entry ``name[key]``."""
    if not isinstance(value, dict) or not value:
        raise TypeError(f"{name}: expected a non-empty dict name -> array, got {value!r:.80}")
    return {key: as_array(f"{name}[{key!r}]", v) for key, v in value.items()}


def int_array(name, value, size, low, high):
    """Return ``value`` as an int ndarray of shape (size,) with values in [low, high], else raise
    naming ``name``."""
    array = np.asarray(value)
    if array.shape != (size,) or not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"{name}: expected {size} ints, got a {array.dtype} array of shape "
                         f"{array.shape}")
    if array.size and (array.min() < low or array.max() > high):
        raise ValueError(f"{name}: expected values in {low} .. {high}, got {array.tolist()}")
    return array


def uint8_image(name, value):
    """Return ``value``, a uint8 picture (h, w, 3) or (h, w), as an ndarray, or raise."""
    value = np.asarray(value)
    if value.dtype != np.uint8 or value.ndim not in (2, 3) or value.shape[2:] not in ((), (3,)):
        raise ValueError(f"{name}: expected a uint8 array (h, w, 3) or (h, w), "
                         f"got {value.dtype} {value.shape}")
    return value
