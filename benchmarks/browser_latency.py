"""Time every widget control in real JupyterLab, in Chromium: from input event to new picture.

For each notebook: start a throwaway JupyterLab (tests/browser/conftest.py's ``serving``),
open the notebook, Run All (tests/browser/labdriver.py), then for every control of every
widget on the page:

- latency: N moves (a slider: arrow-key presses on its handle, turning at its ends; a dropdown
  or toggle buttons: the other option; a button or toggle: a click), each timed in the page
  from ``performance.now()`` in a capture listener of the input event to ``performance.now()``
  in a MutationObserver callback on the widget's box when the picture is swapped (the <img>'s
  src; for a widget without an image, the first change outside its controls). One move at a
  time: the next starts after the picture has come and the display has been quiet a moment.
  Only the move is timed: a text box gets the focus before (then one key press edits it),
  and a control that shows something new only after another one has moved (NEEDS: the
  window's seed needs shuffle on; Generate needs new settings) has that one moved first.
- Play: the Play button pressed for a few seconds; frames shown per second (picture swaps
  counted by the observer) against the nominal rate 1000 / interval (play_for puts the
  interval on the button as the class ``rnnbook-play-<ms>ms``).

Prints one table per widget: median, p95 and max ms per control; fps per Play. Goals (issue
17): median <= 50 ms and p95 <= 100 ms per control; fps >= 90% of the nominal rate.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/browser_latency.py [NOTEBOOK ...]
        [--moves N] [--play-seconds S] [--present]

NOTEBOOK: file names or their number prefixes (02 04 05); default: every notebook.
--present: JupyterLab as ``make present`` starts it (its settings, RNNBOOK_PRESENT=1: figures
1.5 times larger). The kernels import the rnnbook that PYTHONPATH names (to compare two
versions, run twice with PYTHONPATH pointing at each). Timings depend on the machine and its
load (printed); they are not tested.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from rnnbook.lab import write_presenter_settings

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

import conftest  # noqa: E402  (tests/browser: the server and Chromium settings)
import labdriver  # noqa: E402  (tests/browser: opening and running a notebook)

PICTURE_TIMEOUT_MS = 5000
QUIET_S = 0.25  # after a picture, before the next move: the kernel has answered everything

# Sets up one measurement in the page: window.rnnbookBench collects the time of the first
# input event on the control (t0) and of each picture swap in the box after it.
_ARM = """([control, box, controls]) => {
    const old = window.rnnbookBench;
    if (old) { old.observer.disconnect(); old.stop(); }
    const b = window.rnnbookBench = {t0: null, swaps: [], others: [],
                                     hasImage: !!box.querySelector('img')};
    const start = e => {
        if (b.t0 === null && control.contains(e.target)) b.t0 = performance.now();
    };
    const types = ['keydown', 'input', 'change', 'click'];
    types.forEach(t => document.addEventListener(t, start, {capture: true}));
    b.stop = () => types.forEach(t => document.removeEventListener(t, start, {capture: true}));
    b.observer = new MutationObserver(records => {
        const now = performance.now();
        if (b.t0 === null) return;
        for (const r of records) {
            const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
            if (!el || el.closest(controls)) continue;  // a control's own readout
            if (r.type === 'attributes' && el.tagName === 'IMG') b.swaps.push(now);
            else b.others.push(now);
        }
    });
    b.observer.observe(box, {subtree: true, childList: true, characterData: true,
                             attributes: true, attributeFilter: ['src']});
}"""

_PICTURE_CAME = """() => {
    const b = window.rnnbookBench;
    return (b.hasImage ? b.swaps : b.others).length > 0;
}"""

_READ = """() => {
    const b = window.rnnbookBench;
    return {t0: b.t0, swaps: b.swaps, others: b.others, hasImage: b.hasImage};
}"""

# The box a control belongs to: the nearest element with an rnnbook-<name> class (the
# builders add one), else the whole widget of its output; and that name.
_BOX = """el => {
    const named = e => Array.from(e.classList)
        .find(c => c.startsWith('rnnbook-') && !c.startsWith('rnnbook-play-'));
    for (let e = el; e; e = e.parentElement) {
        if (named(e)) return [e, named(e).slice('rnnbook-'.length)];
        if (e.parentElement && e.parentElement.matches('.jp-OutputArea-output')) {
            return [e, null];
        }
    }
    return [null, null];
}"""

_LABEL = """el => {
    const label = el.querySelector('.widget-label');
    const text = (label && label.textContent.trim()) || el.textContent.trim() || el.title;
    return (text || '').replace(/\\s+/g, ' ').slice(0, 24);
}"""


_KIND = "(el, kinds) => Object.keys(kinds).find(k => el.matches(kinds[k]))"

# Controls that show something new only after another control of their widget has moved:
# (widget, control's label) -> (the other's label, moved "once" before the control's moves or
# before "each" move). The window's seed is disabled until shuffle is on; the gradient
# animator's keep bias is hidden until a gated cell is chosen (the cell buttons' one move goes
# from rnn to lstm); the sampler's same settings always give the same sample, so Generate is
# timed after a new seed.
NEEDS = {
    ("sequence-window", "shuffle seed"): ("shuffle", "once"),
    ("gradient-decay", "keep bias"): ("cell", "once"),
    ("sampler", "Generate"): ("seed", "each"),
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="file names or number prefixes")
    parser.add_argument("--moves", type=int, default=20, help="moves per control")
    parser.add_argument("--play-seconds", type=float, default=5.0)
    parser.add_argument("--present", action="store_true",
                        help="in presenter mode, as `make present` starts JupyterLab")
    return parser.parse_args()


def chosen_notebooks(names):
    every = sorted(p.name for p in conftest.notebooks_dir().glob("*.ipynb"))
    if not names:
        return every
    return [nb for nb in every if any(nb == n or nb.startswith(n) for n in names)]


# --- moves ------------------------------------------------------------------------------------

class Mover:
    """Moves one control back and forth, one input event per ``move()``."""

    def __init__(self, page, control, kind):
        self.page, self.control, self.kind = page, control, kind
        self.forward = True
        if kind == "slider":
            self.handle = control.locator(".noUi-handle").first
            self.handle.focus()
        elif kind == "dropdown":
            select = control.locator("select")
            values = select.locator("option").evaluate_all("os => os.map(o => o.value)")
            current = select.input_value()
            self.cycle = [current] + [v for v in values if v != current][:1]
        elif kind == "toggle-buttons":
            self.cycle = control.locator("button").evaluate_all(
                "bs => bs.map(b => b.getAttribute('data-value'))")

    def prepare(self):
        """What comes before a move and is not timed: a text box gets the focus, caret at the
        end (a learner's edit is one key press; the box sends every edit)."""
        if self.kind == "text":
            box = self.control.locator("input, textarea").first
            box.click()
            box.press("End")

    def move(self, i):
        if self.kind == "slider":
            value, low, high = (float(self.handle.get_attribute(a)) for a in
                                ("aria-valuenow", "aria-valuemin", "aria-valuemax"))
            if value >= high:
                self.forward = False
            elif value <= low:
                self.forward = True
            self.handle.focus()
            self.page.keyboard.press("ArrowRight" if self.forward else "ArrowLeft")
        elif self.kind == "dropdown":
            self.control.locator("select").select_option(self.cycle[(i + 1) % 2])
        elif self.kind == "toggle-buttons":
            active = self.control.locator("button.mod-active").first.get_attribute("data-value")
            other = [v for v in self.cycle if v != active][0]
            self.control.locator(f"button[data-value='{other}']").click()
        elif self.kind == "text":  # the caret is at the end already (prepare)
            self.page.keyboard.press("Backspace" if i % 2 else "Space")
        else:  # button, toggle
            self.control.click()


def time_moves(page, control, box, kind, moves, before=None):
    """Milliseconds from input event to picture for each of ``moves`` moves (None: none came).

    before: a Mover of another control, moved (untimed) before each move, for a control
    that shows something new only after another has changed (e.g. Generate after the seed).
    """
    mover = Mover(page, control, kind)
    times = []
    for i in range(moves):
        if before is not None:
            untimed(page, box, before, i)
        mover.prepare()
        page.evaluate(_ARM, [control.element_handle(), box, labdriver.CONTROL_SELECTOR])
        mover.move(i)
        try:
            page.wait_for_function(_PICTURE_CAME, timeout=PICTURE_TIMEOUT_MS, polling=10)
        except Exception:  # Playwright's TimeoutError: this move changed no picture
            times.append(None)
            continue
        time.sleep(QUIET_S)
        seen = page.evaluate(_READ)
        first = (seen["swaps"] if seen["hasImage"] else seen["others"])[0]
        times.append(first - seen["t0"])
    page.evaluate("() => { const b = window.rnnbookBench; b.observer.disconnect(); b.stop(); }")
    return times


def untimed(page, box, mover, i):
    """Move another control of the widget once, and wait until its picture has come."""
    mover.prepare()
    page.evaluate(_ARM, [mover.control.element_handle(), box, labdriver.CONTROL_SELECTOR])
    mover.move(i)
    page.wait_for_function(_PICTURE_CAME, timeout=PICTURE_TIMEOUT_MS, polling=10)
    time.sleep(QUIET_S)


def other_control(page, controls, box, label):
    """A Mover of the control labelled ``label`` in the widget ``box``."""
    for i in range(controls.count()):
        control = controls.nth(i)
        if control.evaluate("(el, box) => box.contains(el)", box) and \
                control.evaluate(_LABEL) == label:
            return Mover(page, control, control.evaluate(_KIND, labdriver.CONTROLS))
    raise labdriver.BrowserCheckError(f"no control labelled {label!r} in the widget")


def play_rate(page, control, box, seconds):
    """(frames per second shown, nominal frames per second) while Play runs ``seconds``."""
    interval = control.evaluate(
        "el => +(Array.from(el.classList).find(c => /^rnnbook-play-\\d+ms$/.test(c)) || '')"
        ".replace(/\\D/g, '')")
    page.evaluate(_ARM, [control.element_handle(), box, labdriver.CONTROL_SELECTOR])
    button = control.locator("button").first
    # Start from the first step, so that the whole run has steps to play.
    button.click()
    time.sleep(seconds)
    seen = page.evaluate(_READ)
    if control.locator(".fa-pause").count():
        button.click()
    frames = [t for t in (seen["swaps"] if seen["hasImage"] else seen["others"])
              if t - seen["t0"] <= 1000 * seconds]
    # From the second frame on: a Play at its end first jumps back to its start (one more
    # frame at once), and the rate over whole intervals is what a learner watches.
    frames = frames[1:]
    if len(frames) < 2:
        return 0.0, (1000 / interval if interval else None)
    fps = (len(frames) - 1) / ((frames[-1] - frames[0]) / 1000)
    return fps, (1000 / interval if interval else None)


# --- a notebook -------------------------------------------------------------------------------

def measure_notebook(browser, lab, name, moves, play_seconds):
    """Rows (widget, control, kind, times or (fps, nominal)) for every control on the page."""
    context = browser.new_context(viewport=conftest.VIEWPORT)
    page = context.new_page()
    rows = []
    try:
        labdriver.open_notebook(page, lab.notebook_url(name))
        labdriver.run_all(page)
        labdriver.settle(page)
        labdriver.check_rendered(page)  # scrolls each widget into view: all are on the page
        controls = page.locator(labdriver.CONTROL_SELECTOR)
        print(f"  {name}: {controls.count()} controls", file=sys.stderr, flush=True)
        errors = labdriver.errors(page)
        if errors:
            raise labdriver.BrowserCheckError(f"{name}: errors shown after Run All: {errors}")
        for i in range(controls.count()):
            control = controls.nth(i)
            kind = control.evaluate(_KIND, labdriver.CONTROLS)
            box, widget = control.evaluate_handle(_BOX).get_properties().values()
            widget = widget.json_value() or f"widget of control #{i + 1}"
            label = control.evaluate(_LABEL) or kind
            labdriver.settle(page)
            before = None
            if (widget, label) in NEEDS:  # may show a hidden control: before the check below
                other, when = NEEDS[widget, label]
                before = other_control(page, controls, box, other)
                if when == "once":
                    untimed(page, box, before, 0)
                    before = None
            if not labdriver.on_screen(control):
                continue
            if kind == "play":
                rows.append((name, widget, label, kind,
                             play_rate(page, control, box, play_seconds)))
            else:
                rows.append((name, widget, label, kind,
                             time_moves(page, control, box, kind, moves, before)))
            print(f"  {name} {widget} {label}: done", file=sys.stderr, flush=True)
    finally:
        context.close()
        lab.shutdown_kernels()
    return rows


def print_tables(rows, moves):
    current = None
    for notebook, widget, label, kind, result in rows:
        if (notebook, widget) != current:
            current = (notebook, widget)
            print(f"\n{notebook}  {widget}")
            print(f"  {'control':<28}{'n':>4}{'median ms':>11}{'p95 ms':>9}{'max ms':>9}  goal")
        if kind == "play":
            fps, nominal = result
            verdict = "ok" if nominal and fps >= 0.9 * nominal else "SLOW"
            print(f"  {'Play':<28}{'':>4}{fps:>8.2f} fps of {nominal or float('nan'):.2f} "
                  f"nominal ({fps / nominal:.0%})  {verdict}" if nominal else
                  f"  {'Play':<28} {fps:.2f} fps (interval unknown)")
            continue
        done = np.array([t for t in result if t is not None], dtype=float)
        missing = len(result) - len(done)
        name = f"{kind} {label}"[:27]
        if not len(done):
            print(f"  {name:<28}{0:>4}  no picture changed ({missing} moves)")
            continue
        median, p95 = np.median(done), np.percentile(done, 95)
        verdict = "ok" if median <= 50 and p95 <= 100 else "SLOW"
        extra = f" ({missing} moves without a new picture)" if missing else ""
        print(f"  {name:<28}{len(done):>4}{median:>11.1f}{p95:>9.1f}{done.max():>9.1f}"
              f"  {verdict}{extra}")


def main():
    args = parse_args()
    notebooks = chosen_notebooks(args.notebooks)
    from playwright.sync_api import sync_playwright

    path = "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else "chromium"
    load_before = os.getloadavg()
    rows, failed = [], []
    with tempfile.TemporaryDirectory(prefix="rnnbook-latency-") as home:
        # Presenter mode: its JupyterLab settings, and RNNBOOK_PRESENT=1 (larger figures).
        present = {"settings_dir": write_presenter_settings(Path(home) / "presenter"),
                   "env": {"RNNBOOK_PRESENT": "1"}} if args.present else {}
        with conftest.serving(conftest.notebooks_dir(), Path(home), **present) as lab, \
                sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=path,
                                                 args=conftest.CHROMIUM_ARGS)
            try:
                for name in notebooks:
                    try:
                        rows += measure_notebook(browser, lab, name, args.moves,
                                                 args.play_seconds)
                    except labdriver.BrowserCheckError as exc:  # the others still count
                        failed.append(f"{name}: not measured: {exc}")
            finally:
                browser.close()
    load_after = os.getloadavg()
    mode = "presenter mode" if args.present else "normal mode"
    print(f"input event -> picture swap in Chromium ({mode}), {args.moves} moves per control; "
          f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after "
          f"({os.cpu_count()} CPUs); goal: median <= 50 ms, p95 <= 100 ms, "
          f"Play >= 90% of its nominal fps")
    print_tables(rows, args.moves)
    for line in failed:
        print(f"\n{line}")


if __name__ == "__main__":
    main()
