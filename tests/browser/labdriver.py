"""Drive one notebook in JupyterLab through Playwright, the way a learner would.

Open it, run all cells from the Run menu, wait for the kernel, then read what is on screen:
errors, rendered widgets, and whether each control changes what is shown when used.

"What is shown" (``shown()``) is the text and the image sources of every cell output, minus the
controls' own state (a slider's readout, a text box's value): moving a slider must change
something *else* on screen, such as a plot or the numbers beside it.

The page must come from a server started with ``--LabApp.expose_app_in_browser=True``: the
suite reads the notebook model and the kernel's messages through ``window.jupyterapp``.
"""

import time
from collections import Counter
from typing import NamedTuple

# CSS classes that ipywidgets 8 puts on each widget's element, by the kind of widget.
CONTROLS = {  # widgets a learner acts on
    "slider": ".widget-hslider, .widget-vslider",
    "play": ".widget-play",
    "dropdown": ".widget-dropdown",
    "toggle-buttons": ".widget-toggle-buttons",
    "text": ".widget-text, .widget-textarea",
    "button": "button.widget-button",
    # a lone ToggleButton, not one of the buttons inside ToggleButtons
    "toggle": "button.widget-toggle-button:not(.widget-toggle-buttons button)",
}
DISPLAYS = {  # widgets that show something
    "image": "img.widget-image",
    "output": ".widget-output",
    "html": ".widget-html, .widget-htmlmath",
}
NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden)"
OUTPUTS = f"{NOTEBOOK} .jp-Cell-outputArea"  # each cell's own output area
CONTROL_SELECTOR = ", ".join(f"{OUTPUTS} :is({sel})" for sel in CONTROLS.values())

RUN_TIMEOUT = 600.0  # s: a kernel side takes < 30 s of CPU, 06 (it trains an LSTM) about a
#   minute; on a machine shared with other jobs (load 10 on 2 cores) 06 runs for 4-5 minutes
CHANGE_TIMEOUT = 15.0  # s: an instructor's demo must respond at once; this is generous
SETTLE_TIMEOUT = 20.0  # s: for pending redraws to finish before the next interaction
POLL = 0.15  # s


class Interaction(NamedTuple):
    """One control used once, and how long until the display changed (seconds)."""

    kind: str
    label: str
    seconds: float


class BrowserCheckError(AssertionError):
    """What the learner would see go wrong, in words."""


def poll(check, timeout, what):
    """Call ``check()`` every POLL seconds until it returns a truthy value; return that value."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise BrowserCheckError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(POLL)


# --- opening and running -----------------------------------------------------------------------

_LISTEN = """() => {
    // Collect every error the kernel reports: cell errors, and tracebacks printed by widget
    // callbacks, which JupyterLab shows only in its log console, never in the notebook.
    window.rnnbookErrors = [];
    const session = window.jupyterapp.shell.currentWidget.sessionContext;
    session.iopubMessage.connect((_, msg) => {
        const c = msg.content;
        if (msg.header.msg_type === 'error') {
            window.rnnbookErrors.push(`${c.ename}: ${c.evalue}`);
        } else if (msg.header.msg_type === 'stream' && c.name === 'stderr'
                   && c.text.includes('Traceback (most recent call last)')) {
            window.rnnbookErrors.push(c.text.trim().split('\\n').slice(-1)[0]);
        }
    });
}"""

_STATE = f"""() => {{
    const dialog = document.querySelector('.jp-Dialog');
    // The toolbar's indicator says idle before the kernel exists, so ask the session itself.
    const session = window.jupyterapp.shell.currentWidget.sessionContext.session;
    const kernel = session && session.kernel;
    const prompts = Array.from(
        document.querySelectorAll('{NOTEBOOK} .jp-CodeCell .jp-InputPrompt'));
    return {{
        dialog: dialog ? dialog.textContent : null,
        kernel: !kernel ? 'none'
            : kernel.connectionStatus === 'connected' ? kernel.status : kernel.connectionStatus,
        prompts: prompts.map(p => p.textContent.trim()),
    }};
}}"""


def _state(page):
    state = page.evaluate(_STATE)
    if state["dialog"]:
        raise BrowserCheckError(f"JupyterLab shows a dialog: {state['dialog'][:300]}")
    if state["kernel"] == "dead":
        raise BrowserCheckError("the kernel died")
    return state


def open_notebook(page, url):
    """Load JupyterLab at ``url`` (a notebook), wait for its kernel and start listening to it."""
    page.goto(url)
    page.locator(f"{NOTEBOOK} .jp-Cell").first.wait_for(timeout=60_000)
    poll(lambda: _state(page)["kernel"] == "idle", 60, "the kernel to start")
    # The file browser takes a quarter of the width; learners close it to read, and so do we.
    page.evaluate("() => window.jupyterapp.shell.collapseLeft()")
    page.evaluate(_LISTEN)


def menu(page, menu_name, command):
    """Click ``command`` (a JupyterLab command id) in the menu bar's ``menu_name`` menu."""
    page.locator(".lm-MenuBar-itemLabel", has_text=menu_name).click()
    page.locator(f".lm-Menu-item[data-command='{command}']").click()


def run_all(page, timeout=RUN_TIMEOUT):
    """Clear every output, then Run > Run All Cells, and wait until the kernel is done.

    Clearing first blanks the execution counts, so a numbered first cell proves that this run
    started; the run is over when no cell waits (``[*]``) and the kernel is idle. After an
    error JupyterLab leaves the remaining cells unrun (``[ ]``), which also ends the wait.
    """
    menu(page, "Edit", "editmenu:clear-all")
    menu(page, "Run", "runmenu:run-all")

    def done():
        state = _state(page)
        prompts = state["prompts"]
        started = bool(prompts) and any(ch.isdigit() for ch in prompts[0])
        return started and state["kernel"] == "idle" and not any("*" in p for p in prompts)

    poll(done, timeout, "Run All Cells to finish")


# --- what is on screen ------------------------------------------------------------------------

_EXPECTED = """() => window.jupyterapp.shell.currentWidget.content.widgets
    // Errors of cells tagged raises-exception are the lesson (nbval and JupyterLab agree).
    .filter(c => (c.model.getMetadata('tags') || []).includes('raises-exception'))
    .flatMap(c => c.model.outputs.toJSON())
    .filter(o => o.output_type === 'error').map(o => `${o.ename}: ${o.evalue}`)"""


def errors(page):
    """Every error shown: kernel errors (cells and widget callbacks), widgets that failed.

    The errors of cells tagged ``raises-exception`` are expected, and left out.
    """
    expected = set(page.evaluate(_EXPECTED))
    found = [e for e in page.evaluate("() => window.rnnbookErrors") if e not in expected]
    texts = page.locator(OUTPUTS).evaluate_all("els => els.map(e => e.textContent)")
    found += [line.strip() for text in texts for line in text.splitlines()
              if "Error displaying widget" in line]
    return list(dict.fromkeys(found))  # once each, in order: a drag may repeat an error


_SHOWN = f"""() => {{
    // A 32-bit FNV-1a hash of the outputs' text and image sources, without the controls'
    // own readouts: what a learner sees change when a control does its job.
    let h = 0x811c9dc5;
    const add = s => {{ for (let i = 0; i < s.length; i++) {{
        h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0; }} }};
    for (const area of document.querySelectorAll('{OUTPUTS}')) {{
        const walk = document.createTreeWalker(
            area, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
        for (let n = walk.currentNode; n; n = walk.nextNode()) {{
            if (n.nodeType === Node.TEXT_NODE) {{
                if (!n.parentElement.closest('.widget-readout, select')) add(n.data);
            }} else if (n.tagName === 'IMG') {{
                add('<img ' + n.src + '>');
            }}
        }}
    }}
    return h;
}}"""


def shown(page):
    """A fingerprint of what the notebook's outputs show (see the module docstring)."""
    return page.evaluate(_SHOWN)


def settle(page, timeout=SETTLE_TIMEOUT):
    """Wait until the kernel is idle and the display stays the same for two polls in a row."""
    last = [None]

    def still():
        now = shown(page)
        quiet = now == last[0] and _state(page)["kernel"] == "idle"
        last[0] = now
        return quiet

    poll(still, timeout, "the display to stop changing")
    return last[0]


# --- rendering --------------------------------------------------------------------------------

_WIDGET_OUTPUTS = f"""() => {{
    // Widget views the kernel displayed (from the notebook model), and those on screen.
    const cells = window.jupyterapp.shell.currentWidget.content.widgets;
    const mime = 'application/vnd.jupyter.widget-view+json';
    const displayed = cells.filter(c => c.model.type === 'code')
        .flatMap(c => c.model.outputs.toJSON())
        .filter(o => o.data && o.data[mime]).length;
    const outputs = document.querySelectorAll(
        '{OUTPUTS} > .jp-OutputArea-child > .jp-OutputArea-output');
    const views = Array.from(outputs).map(o => o.firstElementChild)
        .filter(el => el && /\\bwidget-/.test(el.className));
    return {{displayed, views: views.length}};
}}"""

_UNKNOWN = f"""(known) => {{
    // Inputs inside widgets of a kind this suite cannot use: they would go untested.
    const inputs = document.querySelectorAll(
        '{OUTPUTS} :is(input, select, textarea, button, [role=slider])');
    return Array.from(inputs)
        .filter(el => el.closest('.jupyter-widgets') && !el.closest(known))
        .map(el => el.closest('.jupyter-widgets').className);
}}"""


_ON_SCREEN = """el => {
    if (el.getClientRects().length === 0) return null;  // display: none, hidden on purpose
    el.scrollIntoView({block: 'center'});
    const box = el.getBoundingClientRect();
    // An Output widget that shows nothing yet (say, until a button is clicked) has no height.
    const empty = el.matches('.widget-output') && !el.querySelector('.jp-OutputArea-output');
    return box.width > 0 && (box.height > 0 || empty);
}"""


def on_screen(locator):
    """Scroll the element into view; True if it takes room, None if its layout hides it."""
    return locator.evaluate(_ON_SCREEN)


def check_rendered(page):
    """Assert every widget the kernel displayed is on screen; return the count of each kind."""
    counts = page.evaluate(_WIDGET_OUTPUTS)
    if counts["views"] != counts["displayed"]:
        raise BrowserCheckError(
            f"the kernel displayed {counts['displayed']} widgets, "
            f"but {counts['views']} are on screen")
    kinds = Counter()
    for kind, selector in {**CONTROLS, **DISPLAYS}.items():
        items = page.locator(f"{OUTPUTS} :is({selector})")
        for i in range(items.count()):
            seen = on_screen(items.nth(i))
            if seen is False:
                raise BrowserCheckError(f"{kind} widget #{i + 1} has not rendered (no size)")
            kinds[kind] += seen is True
    _check_images(page)
    unknown = page.evaluate(_UNKNOWN, ", ".join(CONTROLS.values()))
    if unknown:
        raise BrowserCheckError(f"no interaction is defined for these widgets: {unknown}")
    return kinds


def _check_images(page):
    """Every image in the outputs (Image widgets, plots in Output widgets) has loaded."""
    images = page.locator(f"{OUTPUTS} img")
    for i in range(images.count()):
        image = images.nth(i)
        if on_screen(image) is None:
            continue
        if not image.evaluate("img => img.complete && img.naturalWidth > 0"):
            raise BrowserCheckError(f"image #{i + 1} in the outputs did not load")


# --- interactions -----------------------------------------------------------------------------

def _drag_slider(page, control):
    """Drag the slider's handle to a quarter from the far end of its track."""
    handle = control.locator(".noUi-handle").first
    track = control.locator(".noUi-base").first
    before = handle.get_attribute("aria-valuenow")
    on_screen(control)
    h, t = handle.bounding_box(), track.bounding_box()
    x, y = h["x"] + h["width"] / 2, h["y"] + h["height"] / 2
    if handle.get_attribute("aria-orientation") == "vertical":
        frac = (y - t["y"]) / t["height"]
        to = (x, t["y"] + t["height"] * (0.25 if frac > 0.5 else 0.75))
    else:
        frac = (x - t["x"]) / t["width"]
        to = (t["x"] + t["width"] * (0.25 if frac > 0.5 else 0.75), y)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(*to, steps=8)
    page.mouse.up()
    if handle.get_attribute("aria-valuenow") == before:
        raise BrowserCheckError("dragging its handle did not move the slider")


def _press_play(page, control):
    """Click Play (the first button, which turns into Pause while playing)."""
    control.locator("button").first.click()


def _pause(page, control):
    """Pause a Play that still plays, so that the next check starts from a still display."""
    if control.locator(".fa-pause").count():
        control.locator("button").first.click()


def _choose_other_option(page, control):
    """Choose another option; returns how to choose the first one again."""
    select = control.locator("select")
    current = select.input_value()
    values = select.locator("option").evaluate_all("os => os.map(o => o.value)")
    others = [v for v in values if v != current]
    if not others:
        raise BrowserCheckError("it has no other option to choose")
    select.select_option(others[0])
    return lambda: select.select_option(current)


def _toggle_other_button(page, control):
    """Press another button; returns how to press the first one again."""
    active = control.locator("button.mod-active")
    current = active.first.get_attribute("data-value") if active.count() else None
    others = control.locator("button:not(.mod-active)")
    if not others.count():
        raise BrowserCheckError("it has no other button to press")
    others.first.click()
    if current is None:
        return None
    return lambda: control.locator(f"button[data-value='{current}']").click()


def _toggle(page, control):
    """Switch a toggle button, and leave it so: it may enable the controls after it."""
    control.click()


def _type_text(page, control):
    """Type into the box, then press Enter.

    A number box gets ArrowUp. A text box is cleared and gets its value minus the last word
    (a shorter, still sensible input: the same vocabulary), or, if empty, its placeholder.
    """
    box = control.locator("input, textarea").first
    box.click()
    if box.get_attribute("type") == "number":
        box.press("ArrowUp")
    else:
        words = box.input_value().split()
        text = " ".join(words[:-1]) if words else box.get_attribute("placeholder") or ""
        box.press("ControlOrMeta+a")
        box.press("Backspace")
        box.press_sequentially(text, delay=20)
    box.press("Enter")


def _click(page, control):
    control.click()


ACTIONS = {
    "slider": _drag_slider,
    "play": _press_play,
    "dropdown": _choose_other_option,
    "toggle-buttons": _toggle_other_button,
    "text": _type_text,
    "button": _click,
    "toggle": _toggle,
}
AFTER = {"play": _pause}  # once the display has changed


def _kind(control):
    return control.evaluate(
        "(el, kinds) => Object.keys(kinds).find(k => el.matches(kinds[k]))", CONTROLS)


def _label(control):
    text = control.evaluate(
        "el => (el.querySelector('.widget-label') || el).textContent || el.title || ''")
    return " ".join(text.split())[:40]


def interact(page, control, number):
    """Use one control as a learner would; return the Interaction once the display changed.

    ``number`` (the control's place on the page, from 1) only serves the failure message.
    """
    kind, label = _kind(control), _label(control)
    before = settle(page)
    start = time.monotonic()
    try:
        undo = ACTIONS[kind](page, control)
        poll(lambda: shown(page) != before, CHANGE_TIMEOUT, "the display to change")
        seconds = time.monotonic() - start
        AFTER.get(kind, lambda page, control: None)(page, control)
        if undo:
            # Put a choice back (and see the display change again): a choice may disable
            # other controls, such as the activation for a gated cell.
            before = settle(page)
            undo()
            poll(lambda: shown(page) != before, CHANGE_TIMEOUT, "the display to change back")
    except BrowserCheckError as exc:
        where = f"control #{number}, {kind} '{label}'"
        shown_errors = "".join(f"\n  shown: {e}" for e in errors(page))
        raise BrowserCheckError(f"{where}: {exc}{shown_errors}") from None
    return Interaction(kind, label, seconds)


def interact_with_all(page):
    """Use every control on screen once, in page order; return the Interactions.

    A control that its layout hides is left out; one that is disabled at its turn fails.
    """
    controls = page.locator(CONTROL_SELECTOR)
    done = []
    for i in range(controls.count()):
        control = controls.nth(i)
        if not on_screen(control):
            continue
        if control.evaluate("el => el.matches('[disabled], :has([disabled])')"):
            raise BrowserCheckError(f"control #{i + 1}, {_kind(control)} '{_label(control)}' "
                                    "is disabled: it cannot be tried")
        done.append(interact(page, control, i + 1))
    settle(page)
    return done


# --- pictures ---------------------------------------------------------------------------------

_HEIGHTS = f"""() => {{
    const scroller = document.querySelector('{NOTEBOOK} .jp-WindowedPanel-outer');
    return {{content: scroller.scrollHeight, shown: scroller.clientHeight}};
}}"""
_TWO_FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


def screenshot_notebook(page, path, max_height=16_000):
    """Screenshot the whole notebook, by making the window as tall as it for a moment.

    The notebook scrolls inside JupyterLab, so a full-page screenshot would show one screen.
    """
    size = page.viewport_size
    heights = page.evaluate(_HEIGHTS)
    tall = size["height"] - heights["shown"] + heights["content"]
    page.set_viewport_size({"width": size["width"], "height": min(tall, max_height)})
    try:
        page.evaluate(_TWO_FRAMES)  # let the cells that just came into view paint
        page.screenshot(path=path)
    finally:
        page.set_viewport_size(size)


_CONTENT_BOX = """(el, margin) => {
    // The box around what the widget draws (text, images, inputs, sliders): its outer box is
    // often as wide as the notebook, and so are the blocks inside it.
    const rects = [];
    const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
        if (!n.data.trim()) continue;
        const range = document.createRange();
        range.selectNodeContents(n);
        rects.push(range.getBoundingClientRect());
    }
    const drawn = 'img, svg, canvas, input, select, button, textarea, .noUi-target';
    for (const child of el.querySelectorAll(drawn)) rects.push(child.getBoundingClientRect());
    const shown = rects.filter(r => r.width > 0 && r.height > 0);
    // With a margin, but never past the widget's own box: that would show its neighbours.
    const outer = el.getBoundingClientRect();
    const left = Math.max(outer.left, Math.min(...shown.map(r => r.left)) - margin);
    const top = Math.max(outer.top, Math.min(...shown.map(r => r.top)) - margin);
    const right = Math.min(outer.right, Math.max(...shown.map(r => r.right)) + margin);
    const bottom = Math.min(outer.bottom, Math.max(...shown.map(r => r.bottom)) + margin);
    return {x: left, y: top, width: right - left, height: bottom - top};
}"""


def screenshot_widget(page, widget, path, margin=8, height=2400):
    """Screenshot what ``widget`` (a locator) draws, cropped tight, with a small margin.

    The window is made tall for the picture, so that the whole widget fits above the status
    bar whatever its height (its images may still be loading when it is first measured).
    """
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], height)})
    try:
        on_screen(widget)
        page.mouse.move(0, 0)  # no hover highlight in the picture
        settle(page)
        clip = widget.evaluate(_CONTENT_BOX, margin)
        page.screenshot(path=path, clip=clip, animations="disabled")
    finally:
        page.set_viewport_size(size)


# --- reading a projector ----------------------------------------------------------------------

_FONT_SIZES = f"""() => {{
    // Rendered font sizes (px) of the first prose paragraph, line of code and widget label.
    const px = selector => {{
        const el = document.querySelector(`{NOTEBOOK} ${{selector}}`);
        return el ? parseFloat(getComputedStyle(el).fontSize) : null;
    }};
    return {{
        prose: px('.jp-MarkdownCell .jp-RenderedMarkdown p'),
        code: px('.jp-CodeCell .jp-InputArea .cm-line'),
        label: px('.jp-OutputArea-output .widget-label'),
    }};
}}"""


def font_sizes(page):
    """{"prose", "code", "label"}: the rendered font size (px) of each, as a learner sees it."""
    return page.evaluate(_FONT_SIZES)


_CUT_OFF = f"""async () => {{
    // Each cell, scrolled into view (off-screen cells are not laid out), and the boxes in it
    // whose content is cut off sideways: clipped or scrolled inside a box that hides its
    // overflow, or reaching past the right edge of what the notebook panel shows.
    // MathJax's copy of each formula for screen readers (mjx-assistive-mml) is clipped to
    // nothing on screen, yet counts in scrollWidth: it is left out while measuring.
    const hide = document.createElement('style');
    hide.textContent = 'mjx-assistive-mml {{ display: none !important; }}';
    document.head.appendChild(hide);
    const found = [];
    const inner = '.jp-OutputArea-output, .jp-RenderedMarkdown, .cm-scroller, .jupyter-widgets';
    const panel = document.querySelector('{NOTEBOOK} .jp-WindowedPanel-outer');
    const edge = panel.getBoundingClientRect().left + panel.clientWidth;
    const cells = document.querySelectorAll('{NOTEBOOK} .jp-Cell');
    for (const [i, cell] of cells.entries()) {{
        cell.scrollIntoView({{block: 'start'}});
        await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
        for (const el of [cell, ...cell.querySelectorAll(inner)]) {{
            const wide = el.scrollWidth > el.clientWidth + 1;
            const hides = getComputedStyle(el).overflowX !== 'visible';
            const right = el.getBoundingClientRect().left + el.scrollWidth;
            if ((wide && hides) || right > edge + 1) {{
                const what = Array.from(el.classList).filter(c => c.startsWith('jp-')
                    || c.startsWith('cm-') || c.startsWith('widget')).join('.');
                found.push(`cell ${{i + 1}} ${{what}}: ${{el.scrollWidth}} px in `
                           + `${{el.clientWidth}} px, ends at ${{Math.round(right)}} of ${{edge}}`);
            }}
        }}
    }}
    hide.remove();
    return found;
}}"""


def cut_off(page):
    """Every box in the notebook whose content is cut off sideways (see _CUT_OFF), in words."""
    return page.evaluate(_CUT_OFF)
