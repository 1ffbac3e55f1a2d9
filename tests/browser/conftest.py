"""Fixtures of the browser suite: a throwaway JupyterLab server and a headless Chromium.

- The server (one per test session) serves a temporary copy of ``notebooks/`` on 127.0.0.1
  with a token, a free port and throwaway config, data, runtime, settings and workspace
  folders, so nothing it saves or caches lands in the repository or in ``~/.jupyter``.
- The browser is Debian's ``chromium``. Outside CI, with no Chromium (or no Playwright), the
  browser tests are skipped with the reason; in CI (``CI=true``) that is a failure.
- Screenshots go to a temporary folder outside the repository, kept (and its path given in
  the failure report) when a test fails, removed when all pass.

``RNNBOOK_BROWSER_NOTEBOOKS=<dir>`` serves another folder of notebooks instead of
``notebooks/``: for working on this suite itself.
"""

import contextlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from rnnbook.lab import lab_command

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI containers run as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-background-networking",  # no network: nothing may be fetched
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 900}
# The user settings the served lab starts with: no news or update checks (no network, and
# their pop-up would cover the widgets in screenshots).
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}
STARTUP_TIMEOUT = 60.0  # s


def notebooks_dir():
    """The folder of notebooks under test: notebooks/, unless RNNBOOK_BROWSER_NOTEBOOKS says."""
    return Path(os.environ.get("RNNBOOK_BROWSER_NOTEBOOKS") or ROOT / "notebooks")


def pytest_generate_tests(metafunc):
    """Give a test that takes ``notebook`` one run per notebook (by file name)."""
    if "notebook" in metafunc.fixturenames:
        names = sorted(p.name for p in notebooks_dir().glob("*.ipynb"))
        metafunc.parametrize("notebook", names)


# --- the server -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Lab:
    """A running JupyterLab: where it is, its token, and the folder it serves."""

    url: str
    token: str
    root: Path
    log: Path

    def notebook_url(self, name):
        # ``reset`` starts from an empty layout: no tabs restored from an earlier page.
        return f"{self.url}/lab/tree/{name}?reset&token={self.token}"

    def request(self, path, token=None, method="GET"):
        """HTTP status and body of ``path``, sent with ``token`` in the Authorization header."""
        headers = {"Authorization": f"token {token}"} if token else {}
        req = urllib.request.Request(f"{self.url}{path}", headers=headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def shutdown_kernels(self):
        """End every session, so each notebook's kernel stops when its test ends."""
        status, body = self.request("/api/sessions", self.token)
        for session in json.loads(body) if status == 200 else []:
            self.request(f"/api/sessions/{session['id']}", self.token, method="DELETE")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def throwaway_env(home):
    """The environment of a lab whose config, data, runtime and settings live under ``home``.

    Kernelspecs and lab extensions (ipywidgets' among them) are still found: Jupyter looks in
    sys.prefix as well as in JUPYTER_DATA_DIR.
    """
    env = dict(os.environ)
    for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR",
                "JUPYTERLAB_SETTINGS_DIR", "JUPYTERLAB_WORKSPACES_DIR", "IPYTHONDIR"):
        env[var] = str(home / var.lower())
        Path(env[var]).mkdir()
    for name, values in LAB_SETTINGS.items():
        path = Path(env["JUPYTERLAB_SETTINGS_DIR"]) / name
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps(values))
    return env


def wait_until_up(lab, process):
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"JupyterLab exited with {process.returncode}:\n{lab.log.read_text()}")
        try:
            if lab.request("/api/status", lab.token)[0] == 200:
                return
        except OSError:
            pass  # not listening yet
        time.sleep(0.2)
    pytest.fail(f"JupyterLab did not answer in {STARTUP_TIMEOUT:.0f} s:\n{lab.log.read_text()}")


@contextlib.contextmanager
def running_lab(home, notebooks):
    """A JupyterLab serving a copy of the folder ``notebooks`` under ``home``; stopped on exit.

    Also used outside pytest, by benchmarks/browser_latency.py.
    """
    root = home / "notebooks"
    shutil.copytree(notebooks, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    port, token = free_port(), os.urandom(24).hex()
    lab = Lab(f"http://127.0.0.1:{port}", token, root, home / "server.log")
    argv = lab_command(root, port=port, token=token, open_browser=False) + [
        "--ServerApp.port_retries=0",  # fail rather than move to a port we do not know
        "--LabApp.expose_app_in_browser=True",  # labdriver reads window.jupyterapp
    ]
    with open(lab.log, "w") as log:
        process = subprocess.Popen(argv, env=throwaway_env(home), stdout=log,
                                   stderr=subprocess.STDOUT, cwd=home)
    try:
        wait_until_up(lab, process)
        yield lab
    finally:
        process.terminate()  # the server shuts its kernels down on SIGTERM
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """A JupyterLab serving a temporary copy of the notebooks; stopped after the session."""
    with running_lab(tmp_path_factory.mktemp("lab"), notebooks_dir()) as lab:
        yield lab


# --- the browser ------------------------------------------------------------------------------

def in_ci():
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


def browser_missing(reason):
    """Skip, or fail in CI, where the browser suite must run."""
    if in_ci():
        pytest.fail(f"{reason}; CI=true, so the browser suite must run (.ci/run installs it)")
    pytest.skip(f"{reason}: browser tests skipped (Debian/Ubuntu: apt-get install chromium)")


@pytest.fixture(scope="session")
def chromium():
    """The path of Chromium, and Playwright's sync API; or skip/fail as the module says."""
    path = shutil.which("chromium")
    if path is None:
        browser_missing("no `chromium` on PATH")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        browser_missing("Python Playwright is not installed")
    return path, sync_playwright


@pytest.fixture(scope="session")
def browser(chromium):
    path, sync_playwright = chromium
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, lab):
    """A fresh browser tab (own cookies); its notebook's kernel is shut down afterwards."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    yield page
    context.close()
    lab.shutdown_kernels()


# --- screenshots ------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def shots(request):
    """A folder outside the repository for screenshots; kept only if a test failed."""
    folder = Path(tempfile.mkdtemp(prefix="rnnbook-browser-"))
    yield folder
    if request.session.testsfailed == 0:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On failure, screenshot the page as it is and name the folder in the report."""
    outcome = yield
    report = outcome.get_result()
    page, folder = item.funcargs.get("page"), item.funcargs.get("shots")
    if report.when != "call" or not report.failed or page is None or folder is None:
        return
    name = "".join(c if c.isalnum() or c in "._-" else "_" for c in item.name)
    try:
        page.screenshot(path=folder / f"{name}-failure.png")
    except Exception as exc:  # a failed screenshot must not hide the failure itself
        report.sections.append(("browser screenshots", f"failure screenshot failed: {exc}"))
    report.sections.append(("browser screenshots", f"kept in {folder}"))


# --- summary ----------------------------------------------------------------------------------

SUMMARY = []


def pytest_runtest_logreport(report):
    if report.when == "call":
        SUMMARY.extend(value for key, value in report.user_properties if key == "browser")


def pytest_terminal_summary(terminalreporter):
    """One line per notebook: widgets rendered, interactions made, seconds taken.

    Shown when the suite runs in one process (``-p no:xdist``); under xdist the controller
    does not load this conftest.
    """
    if SUMMARY:
        terminalreporter.section("browser suite")
        for line in SUMMARY:
            terminalreporter.write_line(line)
