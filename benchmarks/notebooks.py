"""Run-All of every notebook of the course, one fresh kernel each, against the course's budget.

    .venv/bin/python benchmarks/notebooks.py

Each notebook of notebooks/ is copied into a temporary folder and executed there by the
package's executor (rnnbook.notebooks.execute: a fresh kernel, every cell in order), so the
committed notebooks are never rewritten. The time of a notebook is the wall time of the whole
Run-All, kernel start included: what a learner waits for, and what the budget is in. Wall
times grow on a busy machine, so the load average is printed beside them, and the kernel's
CPU time ("cpu s", not budgeted), which grows much less. Notebooks 06 and 07 are budgeted when
they exist and shown as "not present" otherwise. Exits 1 if a notebook fails or a hard limit
is exceeded.
"""

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from rnnbook.notebooks import execute

ROOT = Path(__file__).resolve().parent.parent
EACH_CORE = (30, 45)  # seconds (goal, hard limit) for each of 00-05: issue 17
CORE = ("00", "01", "02", "03", "04", "05")
# (row, the notebooks' number prefixes or None for all, goal, hard limit)
TOTALS = [
    ("00-05 together", CORE, 90, 120),
    ("06 capstone", ("06",), 75, 90),
    ("07 beyond", ("07",), 40, 60),
    ("the whole course", None, 205, 240),
]


def cpu_of_children():
    t = os.times()
    return t.children_user + t.children_system


def run_all(paths):
    """{notebook path: wall seconds for its Run-All, or the error it raised}, and {notebook
    path: its kernel's CPU seconds}, executed on copies."""
    times, cpu = {}, {}
    with tempfile.TemporaryDirectory(prefix="rnnbook-bench-") as tmp:
        for path in paths:
            copy = Path(tmp) / path.name
            shutil.copy2(path, copy)
            start, start_cpu = time.perf_counter(), cpu_of_children()
            try:
                execute(copy)
                times[path] = time.perf_counter() - start
            except Exception as error:  # report every notebook, then fail
                times[path] = error
            cpu[path] = cpu_of_children() - start_cpu  # the kernel is a child, waited for
            print(f"  ran {path.name}", file=sys.stderr, flush=True)
    return times, cpu


def verdict(seconds, goal, hard):
    if seconds <= goal:
        return "ok"
    return "over the goal" if seconds <= hard else "OVER THE HARD LIMIT"


def table(times, cpu):
    """The lines of the budget table, and whether every hard limit holds."""
    rows, ok = [], True
    seconds = {p.name[:2]: t for p, t in times.items() if not isinstance(t, Exception)}
    for path, t in times.items():
        if isinstance(t, Exception):
            rows.append(f"{path.stem:32} FAILED: {type(t).__name__}: {str(t)[:200]}")
            ok = False
        elif path.name[:2] in CORE:
            v = verdict(t, *EACH_CORE)
            ok &= v != "OVER THE HARD LIMIT"
            rows.append(f"{path.stem:32} {t:7.1f} {EACH_CORE[0]:6} {EACH_CORE[1]:6}   "
                        f"{cpu[path]:6.1f}   {v}")
        else:
            rows.append(f"{path.stem:32} {t:7.1f}      -      -   {cpu[path]:6.1f}   "
                        "(in its row below)")
    for name, prefixes, goal, hard in TOTALS:
        parts = [t for p, t in seconds.items() if prefixes is None or p in prefixes]
        if not parts:
            rows.append(f"{name:32} not present")
            continue
        total = sum(parts)
        total_cpu = sum(c for p, c in cpu.items()
                        if prefixes is None or p.name[:2] in prefixes)
        v = verdict(total, goal, hard)
        ok &= v != "OVER THE HARD LIMIT"
        rows.append(f"{name:32} {total:7.1f} {goal:6} {hard:6}   {total_cpu:6.1f}   {v}")
    return rows, ok


def main():
    paths = sorted((ROOT / "notebooks").glob("*.ipynb"))
    times, cpu = run_all(paths)
    rows, ok = table(times, cpu)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"Run-All, one fresh kernel per notebook ({os.cpu_count()} cores, load average {load})")
    print(f"{'notebook':32} {'wall s':>7} {'goal':>6} {'hard':>6}   {'cpu s':>6}")
    print("\n".join(rows))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
