"""The static site (``python -m rnnbook.site``) in Chromium, with the network cut off.

The site is built once per session into a temporary folder and served by ``http.server`` on
127.0.0.1. Every request that is not to that server is aborted and recorded. Each page must
load with no failed request, no HTTP error and no console error; its math must be typeset by
the site's own MathJax; each animation's step button must change the frame shown; no
widget placeholder text may show (a kernel-less page of live widgets shows those).

``RNNBOOK_BROWSER_SITE=<dir>`` tests a site already built there instead: for working on
this suite itself.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from rnnbook import site

PLACEHOLDERS = ("Loading widget", "Error displaying widget", "Explorer(children=",
                "VBox(children=", "A Jupyter widget could not be displayed")
PAGES = ["index.html"] + [e.page for e in site.readme_table((site.ROOT / "README.md").read_text())]


VIEWPORT = {"width": 1280, "height": 900}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def served_site(tmp_path_factory):
    """The URL of the freshly built site, served on 127.0.0.1; the server is stopped after."""
    if os.environ.get("RNNBOOK_BROWSER_SITE"):
        out = Path(os.environ["RNNBOOK_BROWSER_SITE"])
    else:
        # In its own process, as `make site` runs it: the notebooks' code it runs (seeds,
        # plot style, torch threads) stays out of this test process.
        out = tmp_path_factory.mktemp("site") / "site"
        built = subprocess.run([sys.executable, "-m", "rnnbook.site", "--out", str(out)],
                               capture_output=True, text=True, cwd=site.ROOT)
        if built.returncode:
            pytest.fail(f"python -m rnnbook.site failed:\n{built.stdout}\n{built.stderr}")
        print(built.stdout.splitlines()[-1])  # time and size, shown with -s
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind",
                               "127.0.0.1", "--directory", str(out)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/index.html", timeout=2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.parametrize("name", PAGES)
def test_site_page_works_offline(browser, served_site, name):
    context = browser.new_context(viewport=VIEWPORT)
    blocked, failed, errors = [], [], []

    def route(r):
        if r.request.url.startswith((served_site + "/", "data:", "about:blank")):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    # about:blank is no request (MathJax's hidden frame); anything else that fails counts.
    page.on("requestfailed", lambda request: request.url != "about:blank" and failed.append(
        f"{request.url}: {request.failure}"))
    page.on("response", lambda response: response.status >= 400 and failed.append(
        f"{response.status} {response.url}"))
    page.on("console", lambda msg: msg.type == "error" and errors.append(
        f"{msg.text} (at {msg.location.get('url')})"))
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{served_site}/{name}", wait_until="load")
        if name != "index.html":
            # MathJax typesets after load: wait until its queue is empty, then look.
            page.wait_for_function("window.MathJax && MathJax.Hub && MathJax.Hub.queue"
                                   " && MathJax.Hub.queue.pending === 0"
                                   " && !MathJax.Hub.queue.running", timeout=60_000)
            assert page.locator(".MathJax, .MathJax_Display").count() > 0, "no math typeset"
            assert page.locator(".MathJax_Error, .merror").count() == 0, "a math error"
        text = page.inner_text("body")
        for placeholder in PLACEHOLDERS:
            assert placeholder not in text
        alts = page.eval_on_selector_all("img", "els => els.map(e => e.alt)")
        assert all(alt.strip() for alt in alts), "an image without a text alternative"
        players = page.locator("figure.rnnbook-twin")
        for i in range(players.count()):
            player = players.nth(i)
            player.scroll_into_view_if_needed()
            before = player.evaluate(_frame_js)
            player.locator(".rnnbook-twin-step").click()
            after = player.evaluate(_frame_js)
            assert after != before, f"animation {i} of {name}: the step button changed nothing"
            assert player.locator(".rnnbook-twin-slider").input_value() == "1"
        assert not blocked, f"requests to outside the site: {blocked}"
        assert not failed, f"failed requests: {failed}"
        # MathJax 2 measures text with a blank font whose source is about:blank: Chromium
        # refuses it with a console error and fetches nothing. Any other error counts.
        errors = [e for e in errors if "about:blank" not in e]
        assert not errors, f"console errors: {errors}"
    finally:
        context.close()


# What a player shows: its picture (if it has one) and its text.
_frame_js = """figure => {
  const img = figure.querySelector('.rnnbook-twin-frame');
  return (img ? img.src : '') + figure.querySelector('.rnnbook-twin-text').innerHTML;
}"""
