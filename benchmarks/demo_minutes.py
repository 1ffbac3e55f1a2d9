"""Time the machine's part of each notebook as a live demo: in JupyterLab, in Chromium, run all
its cells (Run > Run All Cells, from cleared outputs), then use every widget control once.

This is the measured part of the demo minutes in docs/teaching.md; the guide adds an
allowance for talking, stated there. It drives the notebooks with the browser suite's own
server and driver (tests/browser/conftest.py, labdriver.py) at a 1,280 x 720 window, and
prints, per notebook: seconds of Run All, seconds of the widget moves (the time until each
move's picture changed, summed), and their total.

    RNNBOOK_PRESENT=1 .venv/bin/python benchmarks/demo_minutes.py [NN ...]

(``RNNBOOK_BROWSER_NOTEBOOKS=<dir>`` times the notebooks of another folder, as in the suite.)

With RNNBOOK_PRESENT=1 the kernels draw for a projector, as under ``make present``. Takes
a few minutes; timings depend on the machine and its load, and are not tested.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "browser"))

import labdriver  # noqa: E402
from conftest import CHROMIUM_ARGS, notebooks_dir, serving  # noqa: E402

VIEWPORT = {"width": 1280, "height": 720}  # a projector's
RUN_TIMEOUT = 900.0  # s: a time is wanted here, however loaded the machine, not a verdict


def time_notebook(page, lab, name):
    """(seconds of Run All, seconds of the widget moves, number of moves) of one notebook."""
    labdriver.open_notebook(page, lab.notebook_url(name))
    start = time.monotonic()
    labdriver.run_all(page, timeout=RUN_TIMEOUT)
    run = time.monotonic() - start
    errors = labdriver.errors(page)
    if errors:
        raise SystemExit(f"{name}: errors after Run All: {errors}")
    labdriver.check_rendered(page)
    moves = labdriver.interact_with_all(page)
    return run, sum(m.seconds for m in moves), len(moves)


def main(numbers):
    from playwright.sync_api import sync_playwright

    folder = notebooks_dir()  # notebooks/, or the folder RNNBOOK_BROWSER_NOTEBOOKS names
    names = sorted(p.name for p in folder.glob("*.ipynb") if not numbers or p.name[:2] in numbers)
    env = {"RNNBOOK_PRESENT": os.environ.get("RNNBOOK_PRESENT", "")}
    with tempfile.TemporaryDirectory(prefix="rnnbook-demo-") as home, \
            serving(folder, Path(home), env=env) as lab, \
            sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=CHROMIUM_ARGS)
        print(f"{'notebook':34s} {'run all':>8s} {'moves':>6s} {'n':>3s} {'total':>6s}  (s)")
        for name in names:
            context = browser.new_context(viewport=VIEWPORT)
            page = context.new_page()
            run, moved, n = time_notebook(page, lab, name)
            context.close()
            lab.shutdown_kernels()
            print(f"{name:34s} {run:8.1f} {moved:6.1f} {n:3d} {run + moved:6.1f}", flush=True)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1:])
