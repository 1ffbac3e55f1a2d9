"""The nbgrader round trip of ``make classroom-test``: the course's exercises, graded for real.

    .venv-classroom/bin/python classroom/roundtrip.py 02         # CI: notebook 02
    .venv-classroom/bin/python classroom/roundtrip.py            # every exercise notebook

In a temporary course folder: ``python -m rnnbook.classroom assignment`` writes the source
notebook, ``nbgrader generate_assignment`` makes the students' version (its answer cells must
be the course's own stubs; an answer given as a value, 03's ``answers``, gets the stub line
``raise NotImplementedError  # your code here`` after the course's lines), and
``nbgrader autograde`` grades three submissions:
- "reference": every answer cell holds the reference (the source's solution cell): full marks;
- "stubs": the students' version as released: zero (the checkers raise on a stub when
  nbgrader runs them, NBGRADER_EXECUTION=autograde);
- "mistake": the reference, but one exercise answered with a classic mistake written as a
  student would: that exercise's points are lost, the others kept.
``nbgrader generate_feedback`` must then show the checker's own message for the mistake (the
message is taken from the checker, run here on the same code). Prints the scores; exit status
1 on any failure.
"""

import argparse
import html
import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
from nbgrader.api import Gradebook

from rnnbook import cells, checks, classroom

BIN = Path(sys.executable).parent
# The autograder's cell timeout: the slowest cells of the course (06's training, about half a
# minute on one core; 03's seq2seq training, 24 s on a loaded 2-core machine) come too close to
# nbgrader's default, 30 s.
CELL_TIMEOUT = 180

# One classic mistake per exercise, as a student would write the answer cell.
MISTAKES = {
    "rnn_step": '''
        def rnn_step(x_t, h_prev, params):
            """One RNN step, the tanh forgotten."""
            return (x_t @ params["weight_ih"].T + params["bias_ih"]
                    + h_prev @ params["weight_hh"].T + params["bias_hh"])
        ''',
    "one_hot": '''
        def one_hot_batch(sentences, vocab):
            """Batch-major: (B, T, V) instead of (T, B, V)."""
            x = np.zeros((len(sentences), max(map(len, sentences)), len(vocab)))
            for b, sentence in enumerate(sentences):
                for t, token in enumerate(sentence):
                    x[b, t, vocab[token]] = 1.0
            return x
        ''',
    "last_valid_state": '''
        def last_valid_state(hs, lengths):
            """The last step of the padded batch, for every sequence."""
            return hs[-1]
        ''',
    "clip_by_global_norm": '''
        def clip_by_global_norm(grads, max_norm):
            """Each tensor clipped alone."""
            norms = {k: float(np.sqrt(np.sum(g ** 2))) for k, g in grads.items()}
            total = float(np.sqrt(sum(n ** 2 for n in norms.values())))
            return ({k: g * min(1.0, max_norm / norms[k]) if norms[k] > 0 else g
                     for k, g in grads.items()}, total)
        ''',
    "gru_step": '''
        def gru_step(x_t, h_prev, params):
            """z and 1 - z swapped (the convention of Chung et al., not PyTorch's)."""
            H = h_prev.shape[1]
            a_x = x_t @ params["weight_ih"].T + params["bias_ih"]  # (B, 3H)
            a_h = h_prev @ params["weight_hh"].T + params["bias_hh"]  # (B, 3H)
            r = 1 / (1 + np.exp(-(a_x[:, :H] + a_h[:, :H])))
            z = 1 / (1 + np.exp(-(a_x[:, H:2 * H] + a_h[:, H:2 * H])))
            n = np.tanh(a_x[:, 2 * H:] + r * a_h[:, 2 * H:])
            return z * n + (1 - z) * h_prev
        ''',
    "softmax_temperature": '''
        def softmax_temperature(logits, temperature):
            """The temperature multiplies the logits instead of dividing them."""
            if temperature <= 0:
                raise ValueError("temperature must be > 0")
            scaled = logits * temperature
            e = np.exp(scaled - scaled.max(axis=1, keepdims=True))
            return e / e.sum(axis=1, keepdims=True)
        ''',
    "attention_step": '''
        def attention_step(query, keys, values, mask=None):
            """The scores are not divided by sqrt(H)."""
            scores = np.einsum("sbh,bh->bs", keys, query)
            if mask is not None:
                scores = np.where(mask, scores, -np.inf)
            e = np.exp(scores - scores.max(axis=1, keepdims=True))
            weights = e / e.sum(axis=1, keepdims=True)
            return np.einsum("bs,sbh->bh", weights, values), weights
        ''',
}


def nbgrader(course, *args):
    """Run one nbgrader command in the course folder; raise with its log if it fails."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}  # it runs alembic
    done = subprocess.run([str(BIN / "nbgrader"), *args], cwd=course, capture_output=True,
                          text=True, timeout=900, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} exited {done.returncode}:\n"
                           + (done.stdout + done.stderr)[-3000:])
    return done.stdout + done.stderr


def checker_message(exercise, answer):
    """What the checker says about the answer cell's code, run here."""
    space = {"np": np, "cells": cells}
    exec(answer, space)  # the mistake's own code, as a kernel would run it
    name = re.match(r"def (\w+)", answer).group(1)
    try:
        getattr(checks, f"check_{exercise}")(space[name])
    except AssertionError as error:
        return str(error)
    raise AssertionError(f"the checker accepts the mistake of {exercise}")


def submit(course, student, assignment, nb):
    folder = course / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{assignment}.ipynb").write_text(json.dumps(nb, indent=1))
    # nbgrader reads the submission time from this file
    (folder / "timestamp.txt").write_text("2026-01-01 12:00:00.000000 UTC")


def one_assignment(course, assignment, exercises):
    """Generate, submit three times, autograde, give feedback; return (lines, failures)."""
    failures = []
    source = json.loads((course / "source" / assignment / f"{assignment}.ipynb").read_text())
    nbgrader(course, "generate_assignment", assignment, "--force", "--create")
    release = json.loads((course / "release" / assignment / f"{assignment}.ipynb").read_text())
    original = json.loads((classroom.NOTEBOOKS / f"{assignment}.ipynb").read_text())
    by_id = {c["id"]: c for c in original["cells"]}
    for cell in release["cells"]:
        if cell["metadata"]["nbgrader"]["solution"]:
            stub = "".join(by_id[cell["id"]]["source"])
            if not stub.startswith("def "):  # an answer given as a value: nbgrader's stub
                stub += "\n" + classroom.STUB  # line follows (the cell raises until answered)
            if "".join(cell["source"]) != stub:
                failures.append(f"{assignment}: the released answer cell {cell['id']} is not "
                                f"the course's stub:\n{''.join(cell['source'])}")
    answers = {c["id"]: c["source"] for c in source["cells"]
               if c["metadata"]["nbgrader"]["solution"]}
    reference = json.loads(json.dumps(release))
    for cell in reference["cells"]:
        if cell["id"] in answers:
            cell["source"] = answers[cell["id"]]
    wrong = next(e for e in reversed(exercises) if e in MISTAKES)  # the last one with a mistake
    mistake, expected = json.loads(json.dumps(reference)), {e: classroom.POINTS for e in exercises}
    expected[wrong] = 0
    code = textwrap.dedent(MISTAKES[wrong]).strip() + "\n"
    message = checker_message(wrong, code)
    answer_cells = [c for c in mistake["cells"] if c["metadata"]["nbgrader"]["solution"]]
    answer_cells[exercises.index(wrong)]["source"] = code
    submissions = {"reference": (reference, {e: classroom.POINTS for e in exercises}),
                   "stubs": (release, dict.fromkeys(exercises, 0)),
                   "mistake": (mistake, expected)}
    for student, (nb, _) in submissions.items():
        submit(course, student, assignment, nb)
    t0 = time.monotonic()
    nbgrader(course, "autograde", assignment, "--force", "--create")
    graded = time.monotonic() - t0
    nbgrader(course, "generate_feedback", assignment, "--force")
    lines = [f"{assignment}: {len(exercises)} exercises ({', '.join(exercises)}), "
             f"3 submissions autograded in {graded:.0f} s"]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student, (_, want) in submissions.items():
            got = {e: gb.find_grade(f"check-{e}", assignment, assignment, student).score
                   for e in exercises}
            total = gb.find_submission(assignment, student).score
            lines.append(f"  {student:9} {total:g} / {classroom.POINTS * len(exercises)}   "
                         + ", ".join(f"{e} {got[e]:g}" for e in exercises))
            if got != want:
                failures.append(f"{assignment}, {student}: scored {got}, expected {want}")
    feedback = course / "feedback" / "mistake" / assignment / f"{assignment}.html"
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", "", feedback.read_text())).split())
    if " ".join(message.split()) not in text:
        failures.append(f"{assignment}: the feedback lacks the checker's message: {message!r}")
    else:
        lines.append(f"  the feedback shows the checker's message for {wrong}: {message[:70]}...")
    return lines, failures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", help="notebook numbers (default: all)")
    args = parser.parse_args(argv)
    lines, failures = [], []
    with tempfile.TemporaryDirectory(prefix="rnnbook-course-") as folder:
        course = Path(folder)
        made = classroom.make_course(course, args.notebooks)
        (course / "nbgrader_config.py").write_text(textwrap.dedent(f"""\
            c = get_config()
            c.CourseDirectory.root = {str(course)!r}
            c.CourseDirectory.course_id = "rnnbook"
            # the students' version of an answer cell: the course's own stub
            c.ClearSolutions.code_stub = {{"python": {classroom.STUB!r}}}
            c.ExecutePreprocessor.timeout = {CELL_TIMEOUT}
            """))
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        for assignment, exercises in made.items():
            try:
                more, failed = one_assignment(course, assignment, exercises)
            except (RuntimeError, OSError, ValueError, AssertionError) as error:
                more, failed = [], [f"{assignment}: {error}"]
            lines += more
            failures += failed
    for failure in failures:
        print("FAILED", failure)
    print("nbgrader round trip (scores: reference answers, the stubs as released, "
          "one classic mistake)")
    print("\n".join(lines))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
