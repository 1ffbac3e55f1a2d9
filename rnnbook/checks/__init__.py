"""Exercise checkers, hints and solutions (the exercises of notebooks 01-06).

    from rnnbook import checks
    checks.check_rnn_step(rnn_step)    # one line if right; an AssertionError naming the culprit
    checks.hint("rnn_step")            # the next hint, one at a time
    checks.show_solution("rnn_step")   # prints the reference's source

Exercises: "one_hot" (01), "rnn_step" and "rnn_step_backward" (02), "architectures" and
"last_valid_state" (03), "clip_by_global_norm" (04), "lstm_step" and "gru_step" (05),
"softmax_temperature" (06), "attention_step" (07). The references are the package's own
functions: ``cells.rnn_step``, ``cells.rnn_step_backward``, ``cells.lstm_step``,
``cells.gru_step``, ``charlm.softmax_temperature``, ``attention.attention_step`` and those of
``rnnbook.solutions``.

How a checker finds the culprit, the way good autograders do:

1. It calls the learner's function on a main case built from a fixed seed: float64, B > 1,
   D != H and random non-zero biases, so that no identity-like coincidence hides a mistake.
2. If the answer is wrong, it recomputes the answer under each classic mistake, and under each
   pair of them, as variants of the reference (bias_hh left out, W_hh transposed, z and 1 - z
   swapped, ...). A variant that matches names the mistake exactly.
3. Otherwise it isolates terms: zero the weights to test each bias alone, zero one weight
   matrix to test the other term alone, shut or open gates to test them one by one. The
   probes that fail, against those that pass, name the culprit.
4. If the function crashes, it tries the other cases (D == H, B = 1, no full-length sequence):
   one that runs tells which size or index is mixed up.
5. Last, it calls the function on the arguments it must refuse (``Reject``, e.g. a temperature
   <= 0): it must raise the error expected, and name the argument.

A function that still raises NotImplementedError (the stub as shipped) gets a friendly line
instead of an error, so the shipped notebooks run cleanly in CI. Under a grader (nbgrader sets
NBGRADER_EXECUTION; any other grader sets RNNBOOK_GRADING=1) the stub fails like a wrong answer,
"not attempted", so that it scores 0.

The package: ``engine`` (the records Exercise, Case, Mistake, Probe, Reject, and the marking
every exercise shares), one module per exercise (``one_hot``, ``steps`` for the three step
cells, ``rnn_step_backward``, ``architectures``, ``last_valid_state``, ``clip_by_global_norm``,
``softmax_temperature``, ``attention_step``) and ``hints``.

To add an exercise ``<name>``:
1. write ``rnnbook/checks/<name>.py``, on the model of ``last_valid_state.py`` (or of
   ``softmax_temperature.py``, whose function must also refuse bad arguments): a
   ``_variant(*args, **recipe)`` that equals the reference without a recipe, a table of
   ``Mistake(culprit, recipe)``, ``_cases()`` (the main case first), a ``_locate`` for what no
   mistake explains, one ``Exercise(...)`` record with its hints and solution, and
   ``check_<name>(fn)`` that calls ``mark``;
2. add the record to ``EXERCISES`` below and the checker to the imports and ``__all__``;
3. tests: its mutants in a tests/test_checks_*.py, joined to ``ALL_MUTANTS`` and its reference
   to ``REFERENCES`` in tests/test_checks_engine.py; the registry tests then cover its hints
   and solution.
"""

from rnnbook import _validate
from rnnbook.checks import hints
from rnnbook.checks.architectures import (
    ARCHITECTURE_NAMES,
    ARCHITECTURE_TASKS,
    ARCHITECTURES_EXERCISE,
    check_architectures,
)
from rnnbook.checks.attention_step import ATTENTION_STEP, check_attention_step
from rnnbook.checks.clip_by_global_norm import CLIP_BY_GLOBAL_NORM, check_clip_by_global_norm
from rnnbook.checks.last_valid_state import LAST_VALID_STATE, check_last_valid_state
from rnnbook.checks.one_hot import ONE_HOT, check_one_hot
from rnnbook.checks.rnn_step_backward import RNN_STEP_BACKWARD, check_rnn_step_backward
from rnnbook.checks.softmax_temperature import SOFTMAX_TEMPERATURE, check_softmax_temperature
from rnnbook.checks.steps import (
    GRU_STEP,
    LSTM_STEP,
    RNN_STEP,
    check_gru_step,
    check_lstm_step,
    check_rnn_step,
)

__all__ = [
    "ARCHITECTURE_NAMES",
    "ARCHITECTURE_TASKS",
    "EXERCISES",
    "check_architectures",
    "check_attention_step",
    "check_clip_by_global_norm",
    "check_gru_step",
    "check_last_valid_state",
    "check_lstm_step",
    "check_one_hot",
    "check_rnn_step",
    "check_rnn_step_backward",
    "check_softmax_temperature",
    "hint",
    "show_solution",
]

# The registry, in the course's order: exercise name -> its record.
EXERCISES = {ex.name: ex for ex in (
    ONE_HOT,
    RNN_STEP,
    RNN_STEP_BACKWARD,
    ARCHITECTURES_EXERCISE,
    LAST_VALID_STATE,
    CLIP_BY_GLOBAL_NORM,
    LSTM_STEP,
    GRU_STEP,
    SOFTMAX_TEMPERATURE,  # 06
    ATTENTION_STEP,  # 07
)}


def hint(name, reset=False):
    """Print the next hint for exercise ``name``, one more per call; reset=True starts over."""
    ex = EXERCISES[_validate.name_of("name", name, EXERCISES)]
    hints.print_hint(ex, _validate.boolean("reset", reset))


def show_solution(name):
    """Print the source of the reference solution of exercise ``name``."""
    hints.print_solution(EXERCISES[_validate.name_of("name", name, EXERCISES)])
