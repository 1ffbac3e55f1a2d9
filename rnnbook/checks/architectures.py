"""The architectures exercise of notebook 03: name the architecture of each of ten tasks.

The answer is data, not a function: a dict task -> one of ``ARCHITECTURE_NAMES``, marked by
``_grade``. The right answers are ``solutions.TASK_ARCHITECTURES``; ``_WHY`` says why, per task.
"""

import difflib
from collections.abc import Mapping

from rnnbook import solutions
from rnnbook.checks.engine import Exercise, Stub, Wrong, describe, mark
from rnnbook.models import ARCHITECTURE_NAMES

ARCHITECTURE_TASKS = tuple(solutions.TASK_ARCHITECTURES)

_WHY = {
    "predict a house's price from its size and its location":
        "a few numbers with no order in, one number out: no sequence on either side",
    "say which digit a single 8x8 image shows":
        "one image in, one label out: no sequence on either side",
    "caption a small image with a few words": "one image in, a sequence of words out",
    "compose a melody from one chosen mood": "one choice in, a sequence of notes out",
    "say whether a film review is positive or negative":
        "a sequence of words in, one label out after the last word",
    "predict tomorrow's temperature from the last 30 days":
        "30 values in order in, one number out after the last",
    "tag the sense of each ambiguous word in a sentence":
        "a sequence in, and one label per word, in step with the input",
    "label each frame of an audio signal as speech or silence":
        "a sequence in, and one label per frame, in step with the input",
    "translate '25 November 2026' into '2026-11-25'":
        "the output has its own length and order, written after the whole input is read",
    "summarise a paragraph in one short sentence":
        "the output is a shorter sequence of its own, written after the whole input is read",
}


def _grade(answers):
    """Say so if ``answers`` is right, else raise Wrong (or Stub when none is given)."""
    if not isinstance(answers, Mapping):
        raise Wrong(f"expected a dict task -> architecture name, got {describe(answers)}")
    if answers and all(v is None for v in answers.values()):
        raise Stub("every answer is still None")
    unknown = [task for task in answers if task not in solutions.TASK_ARCHITECTURES]
    if unknown:
        close = difflib.get_close_matches(str(unknown[0]), ARCHITECTURE_TASKS, n=1, cutoff=0.5)
        raise Wrong(f"{unknown[0]!r} is not one of the tasks"
                    + (f"; did you mean {close[0]!r}?" if close else
                       "; copy the tasks from checks.ARCHITECTURE_TASKS"))
    for task in ARCHITECTURE_TASKS:
        if answers.get(task) is None:
            raise Wrong(f"no answer yet for {task!r}")
        if answers[task] not in ARCHITECTURE_NAMES:
            raise Wrong(f"{answers[task]!r} (for {task!r}) is not one of the five names "
                        f"{', '.join(ARCHITECTURE_NAMES)}{_did_you_mean(answers[task])}")
    wrong = [t for t in ARCHITECTURE_TASKS if answers[t] != solutions.TASK_ARCHITECTURES[t]]
    if wrong:
        said = "; and ".join(f"{t!r} is not {answers[t]!r}: {_WHY[t]}" for t in wrong[:2])
        more = len(wrong) - 2
        raise Wrong(said + (f" ({more} more answer{'s' * (more > 1)} wrong too)" if more > 0
                            else ""))
    return f"all {len(ARCHITECTURE_TASKS)} answers are right"


def _did_you_mean(name):
    def squash(s):
        return "".join(ch for ch in str(s).lower() if ch.isalnum())

    matches = [n for n in ARCHITECTURE_NAMES if squash(n) == squash(name)]
    return f"; did you mean {matches[0]!r}?" if matches else ""


ARCHITECTURES_EXERCISE = Exercise(
    name="architectures",
    hints=(
        "For each task ask: is the input one thing or a sequence? Is the output one thing or a "
        "sequence?",
        "When both are sequences: is there one output per input step, in step with it "
        "(synced), or is the output written after the whole input is read, with its own "
        "length (seq2seq)?",
        "A single image or a few unordered numbers is one input; a review, a sentence, 30 days "
        "of temperatures or an audio signal is a sequence.",
    ),
    solution=("TASK_ARCHITECTURES",),
    grade=_grade,
)


def check_architectures(answers):
    """Mark ``answers``: a dict task -> one of ARCHITECTURE_NAMES, for every task of
    ARCHITECTURE_TASKS (notebook 03). A dict whose values are all None is the unanswered stub.
    """
    __tracebackhide__ = True
    mark(ARCHITECTURES_EXERCISE, answers)
