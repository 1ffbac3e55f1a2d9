"""Every notebook opened, run and played with in JupyterLab, in a real browser (Chromium).

nbval proves that the kernel side runs; these tests prove that the widgets render and respond.
See conftest.py for the server, the browser and the skip rules, labdriver.py for how a notebook
is driven. All tests share one server and one browser, so they must run in one process: under
pytest-xdist, use ``--dist loadscope`` (this module is then one unit of work).
"""

import json
import os
import time
from pathlib import Path

import labdriver
import pytest

# README's pictures: file name -> (notebook number, CSS class of the widget's outer box).
# The widget builders add the class with ``box.add_class(...)``.
README_PICTURES = {
    "unroll_explorer": ("02", "rnnbook-unroll-explorer"),
    "gradient_decay": ("04", "rnnbook-gradient-decay"),
    "gate_inspector": ("05", "rnnbook-gate-inspector"),
}


def run_notebook(page, lab, name, screenshot=None):
    """Open ``name``, run all its cells, screenshot it, and fail if anything shows an error."""
    labdriver.open_notebook(page, lab.notebook_url(name))
    labdriver.run_all(page)
    if screenshot:
        labdriver.screenshot_notebook(page, screenshot)
    assert_no_errors(page, "after Run All Cells")


def assert_no_errors(page, when):
    errors = labdriver.errors(page)
    assert not errors, f"errors shown {when}:\n" + "\n".join(errors)


def describe(kinds, interactions, seconds):
    widgets = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()) if n)
    used = ", ".join(f"{i.kind} '{i.label}' {i.seconds:.1f} s" for i in interactions)
    return (f"{sum(kinds.values())} widgets rendered ({widgets or 'none'}); "
            f"{len(interactions)} interactions ({used or 'none'}); {seconds:.0f} s")


def test_notebook_runs_renders_and_responds(notebook, lab, page, shots, record_property):
    start = time.monotonic()
    run_notebook(page, lab, notebook, screenshot=shots / f"{Path(notebook).stem}.png")
    kinds = labdriver.check_rendered(page)
    interactions = labdriver.interact_with_all(page)
    assert_no_errors(page, "after using the widgets")
    controls = sum(kinds[kind] for kind in labdriver.CONTROLS)
    assert len(interactions) == controls, f"{controls} controls, {len(interactions)} used"
    seconds = time.monotonic() - start
    record_property("browser", f"{notebook}: {describe(kinds, interactions, seconds)}")


# Presenter mode (``make present``) on two notebooks, not every one: the unroll explorer
# (slider, Play, numbers) and the gradient-decay animator (sliders, dropdown, toggle buttons).
PRESENTED = ("02", "04")
PROJECTOR = {"width": 1280, "height": 720}


def one_notebook(lab, number):
    matches = sorted(p.name for p in lab.root.glob(f"{number}_*.ipynb"))
    assert len(matches) == 1, f"expected one notebook {number}_*.ipynb, found {matches}"
    return matches[0]


def px(sizes):
    return "/".join(f"{sizes[k]:g}" for k in ("prose", "code", "label"))


@pytest.mark.parametrize("number", PRESENTED)
def test_presenter_mode_is_readable_on_a_projector(number, lab, presenter_lab, browser, shots,
                                                   record_property):
    """At 1,280 x 720: prose and widget labels 1.5 times as large as in `make lab`, every
    widget drawn and responding, nothing wider than the screen. Also measured, not asserted:
    the sizes once JupyterLab's own Presentation Mode is turned on (which presenter mode
    does not do, as it makes them smaller)."""
    name = one_notebook(lab, number)
    sizes = {}
    for mode, server in (("normal", lab), ("presenter", presenter_lab)):
        context = browser.new_context(viewport=PROJECTOR)
        page = context.new_page()
        try:
            run_notebook(page, server, name)
            sizes[mode] = labdriver.font_sizes(page)
            if mode == "presenter":
                kinds = labdriver.check_rendered(page)
                interactions = labdriver.interact_with_all(page)
                assert_no_errors(page, "after using the widgets")
                controls = sum(kinds[kind] for kind in labdriver.CONTROLS)
                assert controls and len(interactions) == controls, \
                    f"{controls} controls, {len(interactions)} used"
                cut = labdriver.cut_off(page)
                page.screenshot(path=shots / f"presenter-{number}.png")
                page.evaluate("() => window.jupyterapp.commands.execute("
                              "'application:toggle-presentation-mode')")
                sizes["presentation mode"] = labdriver.font_sizes(page)
        finally:
            context.close()
            server.shutdown_kernels()
    record_property("browser", f"{name}: font px prose/code/widget label: "
                    + ", ".join(f"{mode} {px(s)}" for mode, s in sizes.items()))
    assert not cut, "cut off at 1,280 px:\n" + "\n".join(cut)
    normal, presenter = sizes["normal"], sizes["presenter"]
    for what in ("prose", "code", "label"):
        assert normal[what] and presenter[what] >= 1.5 * normal[what], (what, sizes)


def test_lab_refuses_requests_without_the_token(lab):
    assert lab.request("/api/contents")[0] == 403
    assert lab.request("/api/contents", token="not-the-token")[0] == 403
    status, body = lab.request("/api/contents", token=lab.token)
    assert status == 200
    served = {item["name"] for item in json.loads(body)["content"] if item["type"] == "notebook"}
    assert served == {p.name for p in lab.root.glob("*.ipynb")}


@pytest.mark.skipif(not os.environ.get("RNNBOOK_SCREENSHOTS"),
                    reason="screenshot mode is off: RNNBOOK_SCREENSHOTS=<dir> "
                           "(make browser-screenshots)")
@pytest.mark.parametrize("picture", sorted(README_PICTURES))
def test_readme_screenshots(picture, lab, page, shots):
    """Regenerate README's pictures from the real notebooks (``make browser-screenshots``)."""
    folder = os.environ["RNNBOOK_SCREENSHOTS"]
    number, css_class = README_PICTURES[picture]
    matches = sorted(p.name for p in lab.root.glob(f"{number}_*.ipynb"))
    assert len(matches) == 1, f"expected one notebook {number}_*.ipynb, found {matches}"
    run_notebook(page, lab, matches[0])
    widget = page.locator(f".{css_class}")
    assert widget.count() == 1, f"{matches[0]}: expected one .{css_class}, found {widget.count()}"
    Path(folder).mkdir(parents=True, exist_ok=True)
    labdriver.screenshot_widget(page, widget, Path(folder) / f"{picture}.png")
