"""Open the course in JupyterLab, safely: ``python -m rnnbook.lab`` (what ``make lab`` runs).

The learner works in ``workspace/``, a git-ignored copy of ``notebooks/`` made on first launch,
so their edits never break the tests or a ``git pull``. ``restore NAME`` puts one notebook back
to the original; the learner's version is kept beside it as ``NAME.bak1.ipynb`` (then ``bak2``,
...: a backup is never replaced, and it opens in JupyterLab like any notebook).

``workspace/.course-versions.json`` records, for each copy, a hash of the course notebook it was
made from (file times mean nothing after a clone or a pull), so that each launch can say which
copies were made from an older version of the course and how to get the new one.
``present NAME`` opens the workspace copy of one notebook for presenting to a class
(``make present NB=04``): larger prose, code and widget labels through JupyterLab's settings,
the simple interface, no news prompt, and the package's figures drawn larger
(``RNNBOOK_PRESENT=1``, which ``rnnbook.setup_notebook`` reads).

The server binds 127.0.0.1 with a fresh random token: never an empty token, never 0.0.0.0.
"""

import argparse
import hashlib
import json
import os
import secrets
import shutil
import socket
import sys
from pathlib import Path

from rnnbook import _validate

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
WORKSPACE = ROOT / "workspace"
START = "00_start_here.ipynb"
MANIFEST = ".course-versions.json"  # in the workspace: {notebook name: sha256 of its source}


def digest(path):
    """The sha256 (hex) of the file at ``path``: which version of a course notebook it is."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_manifest(dst=WORKSPACE):
    """{name: sha256 of the course notebook the workspace copy was made from}; {} if none."""
    path = dst / MANIFEST
    return json.loads(path.read_text()) if path.exists() else {}


def _record(dst, name, sha):
    versions = read_manifest(dst)
    versions[name] = sha
    (dst / MANIFEST).write_text(json.dumps(versions, indent=1, sort_keys=True) + "\n")
# Where presenter mode writes the JupyterLab settings it starts with (hidden in the lab).
PRESENTER_SETTINGS = WORKSPACE / ".presenter"
# JupyterLab's defaults are prose 14 px, code 13 px, interface and widget labels 13 px;
# presenting, each is 1.5 times as large or more (ipywidgets' labels follow ui-font-size1).
PRESENTER_FONTS = {"content-font-size1": "21px", "code-font-size": "20px",
                   "ui-font-size1": "20px"}
# JupyterLab settings (plugin id -> values) of presenter mode, written as user settings:
# the fonts above, the simple (single-document) interface, code lines wrapped (at 20 px a
# 100-character line is wider than a 1,280-pixel screen), and no "Jupyter news" prompt,
# which would cover a corner of the screen. JupyterLab's own Presentation Mode is not turned
# on: its CSS sets the notebook's prose to 17 px and code to 16 px, smaller than the above.
# (User settings, not app-level defaults in an overrides.json: JupyterLab applies the theme's
# CSS overrides from the user's settings only.)
PRESENTER_OVERRIDES = {
    "@jupyterlab/apputils-extension:themes": {"overrides": PRESENTER_FONTS},
    "@jupyterlab/application-extension:shell": {"startMode": "single"},
    "@jupyterlab/notebook-extension:tracker": {"codeCellConfig": {"lineNumbers": False,
                                                                  "lineWrap": True}},
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false",
                                                     "checkForUpdates": False},
}


def copy_missing(src=NOTEBOOKS, dst=WORKSPACE):
    """Copy each notebook of ``src`` that ``dst`` lacks, recording which version it copied;
    return the names copied. A copy the workspace has already is never touched."""
    dst.mkdir(parents=True, exist_ok=True)
    copied = []
    for nb in sorted(src.glob("*.ipynb")):
        if not (dst / nb.name).exists():
            shutil.copy2(nb, dst / nb.name)
            _record(dst, nb.name, digest(nb))
            copied.append(nb.name)
    return copied


def stale(src=NOTEBOOKS, dst=WORKSPACE):
    """The names of the workspace copies made from another version of the course notebook
    than the one in ``src`` now, sorted. A copy made before versions were recorded counts as
    stale unless it is byte for byte the course's notebook (then its version is recorded
    in the manifest)."""
    versions = read_manifest(dst)
    names = []
    for nb in sorted(src.glob("*.ipynb")):
        if not (dst / nb.name).exists():
            continue
        sha = digest(nb)
        if nb.name not in versions and digest(dst / nb.name) == sha:
            _record(dst, nb.name, sha)
        elif versions.get(nb.name) != sha:
            names.append(nb.name)
    return names


def stale_notes(src=NOTEBOOKS, dst=WORKSPACE):
    """One line for the learner per stale copy: what it was made from, how to get the new one."""
    versions = read_manifest(dst)
    notes = []
    for name in stale(src, dst):
        made = ("an older version of the course" if name in versions
                else "a version of the course that was not recorded")
        notes.append(f"workspace/{name} was made from {made} (your copy is left as it is); "
                     f"to get the new one: make restore NB={name.split('_')[0]}")
    return notes


def backup_path(path):
    """The first free numbered backup of ``path``: NAME.bak1.ipynb, NAME.bak2.ipynb, ..."""
    path = Path(path)
    n = 1
    while (backup := path.with_name(f"{path.stem}.bak{n}{path.suffix}")).exists():
        n += 1
    return backup


def restore(name, src=NOTEBOOKS, dst=WORKSPACE):
    """Restore the notebook whose name starts with ``name`` (e.g. "02") to the original.

    Return (the restored path, the backup of the learner's version or None if there was none).
    """
    matches = sorted(src.glob(f"{name}*.ipynb"))
    if len(matches) != 1:
        names = ", ".join(p.stem for p in sorted(src.glob("*.ipynb")))
        raise SystemExit(f"restore: {name!r} matches {len(matches)} notebooks; use one of: {names}")
    original = matches[0]
    target = dst / original.name
    backup = backup_path(target) if target.exists() else None
    if backup is not None:
        shutil.copy2(target, backup)
    dst.mkdir(parents=True, exist_ok=True)
    shutil.copy2(original, target)
    _record(dst, original.name, digest(original))
    return target, backup


def find_notebook(name, folder):
    """The one notebook of ``folder`` whose name starts with ``name`` (e.g. "04")."""
    matches = sorted(folder.glob(f"{name}*.ipynb"))
    if len(matches) != 1:
        names = ", ".join(p.stem for p in sorted(folder.glob("*.ipynb")))
        raise SystemExit(f"{name!r} matches {len(matches)} notebooks; use one of: {names}")
    return matches[0]


def free_port(ip="127.0.0.1"):
    """A TCP port free on ``ip`` now (the server is told to fail, not move, if it is taken)."""
    with socket.socket() as s:
        s.bind((ip, 0))
        return s.getsockname()[1]


def write_presenter_settings(folder=None):
    """Write presenter mode's JupyterLab user settings into ``folder`` (PRESENTER_SETTINGS if
    None), one ``<package>/<plugin>.jupyterlab-settings`` file per plugin; return ``folder``.

    The launcher points JupyterLab at it (``--LabApp.user_settings_dir``), so presenting starts
    from these settings, not from the presenter's own; whatever is changed while presenting is
    saved there, and replaced at the next launch.
    """
    folder = Path(folder or PRESENTER_SETTINGS)
    for plugin, values in PRESENTER_OVERRIDES.items():
        package, name = plugin.split(":")
        path = folder / package / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values, indent=2) + "\n")
    return folder


def lab_command(root_dir, token, port=8888, open_browser=True, ip="127.0.0.1", notebook=START,
                settings_dir=None):
    """The argv that starts JupyterLab on ``ip`` with token authentication (never without).

    It opens ``notebook`` (a path under ``root_dir``), and fails rather than move to another
    port if ``port`` is taken, so that the URL printed before it starts is the right one.
    ``settings_dir``: a folder of JupyterLab user settings to use instead of the user's own.
    """
    token = _validate.non_empty_str("token", token)
    argv = [
        sys.executable, "-m", "jupyterlab",
        f"--ServerApp.ip={ip}",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root_dir}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.default_url=/lab/tree/{notebook}",
    ]
    if settings_dir is not None:
        argv.append(f"--LabApp.user_settings_dir={settings_dir}")
    if not open_browser:
        argv.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.append("--allow-root")
    return argv


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m rnnbook.lab", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    r = sub.add_parser("restore", help="restore one notebook of workspace/ to the original")
    r.add_argument("name", help="the notebook's number or name, e.g. 02")
    p = sub.add_parser("present", help="open one notebook of workspace/ for presenting")
    p.add_argument("name", help="the notebook's number or name, e.g. 04")
    parser.add_argument("--port", type=int, default=None,
                        help="the port to serve on (default: a free one)")
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args(argv)

    if args.command == "restore":
        target, backup = restore(args.name)
        print(f"restored {target.relative_to(ROOT)}")
        if backup is not None:
            print(f"your version is kept as {backup.relative_to(ROOT)}")
        return
    copied = copy_missing()
    if copied:
        print(f"copied {len(copied)} notebooks into workspace/ (your working copy)")
    for line in stale_notes():
        print(line)
    notebook, settings_dir, what = START, None, "The course"
    if args.command == "present":
        notebook = find_notebook(args.name, WORKSPACE).name
        settings_dir = write_presenter_settings()
        os.environ["RNNBOOK_PRESENT"] = "1"  # the kernels inherit it: larger figures
        what = "Presenting"
    port = args.port or free_port()
    token = secrets.token_hex(24)
    # JupyterLab hides a token it did not generate from its own log, so say the URL here.
    # With port_retries=0 it serves on this port or stops with an error: the URL is right.
    print(f"{what}: http://127.0.0.1:{port}/lab/tree/{notebook}?token={token}", flush=True)
    cmd = lab_command(WORKSPACE, port=port, token=token, open_browser=not args.no_browser,
                      notebook=notebook, settings_dir=settings_dir)
    os.execv(cmd[0], cmd)


if __name__ == "__main__":
    main()
