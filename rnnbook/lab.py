"""Open the course in JupyterLab, safely: ``python -m rnnbook.lab`` (what ``make lab`` runs).

The learner works in ``workspace/``, a git-ignored copy of ``notebooks/`` made on first launch,
so their edits never break the tests or a ``git pull``. ``restore NAME`` puts one notebook back
to the original (the learner's version is kept beside it as ``NAME.ipynb.bak``).

The server binds 127.0.0.1 with a fresh random token: never an empty token, never 0.0.0.0.
"""

import argparse
import os
import secrets
import shutil
import sys
from pathlib import Path

from rnnbook import _validate

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
WORKSPACE = ROOT / "workspace"
START = "00_start_here.ipynb"


def copy_missing(src=NOTEBOOKS, dst=WORKSPACE):
    """Copy each notebook of ``src`` that ``dst`` lacks; return the names copied."""
    dst.mkdir(parents=True, exist_ok=True)
    copied = []
    for nb in sorted(src.glob("*.ipynb")):
        if not (dst / nb.name).exists():
            shutil.copy2(nb, dst / nb.name)
            copied.append(nb.name)
    return copied


def restore(name, src=NOTEBOOKS, dst=WORKSPACE):
    """Restore the notebook whose name starts with ``name`` (e.g. "02") to the original."""
    matches = sorted(src.glob(f"{name}*.ipynb"))
    if len(matches) != 1:
        names = ", ".join(p.stem for p in sorted(src.glob("*.ipynb")))
        raise SystemExit(f"restore: {name!r} matches {len(matches)} notebooks; use one of: {names}")
    original = matches[0]
    target = dst / original.name
    if target.exists():
        shutil.copy2(target, target.with_suffix(".ipynb.bak"))
    dst.mkdir(parents=True, exist_ok=True)
    shutil.copy2(original, target)
    return target


def lab_command(root_dir, token, port=8888, open_browser=True, ip="127.0.0.1"):
    """The argv that starts JupyterLab on ``ip`` with token authentication (never without)."""
    token = _validate.non_empty_str("token", token)
    argv = [
        sys.executable, "-m", "jupyterlab",
        f"--ServerApp.ip={ip}",
        f"--ServerApp.port={port}",
        f"--ServerApp.root_dir={root_dir}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.default_url=/lab/tree/{START}",
    ]
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
    parser.add_argument("--port", type=int, default=8888)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args(argv)

    if args.command == "restore":
        print(f"restored {restore(args.name).relative_to(ROOT)}")
        return
    copied = copy_missing()
    if copied:
        print(f"copied {len(copied)} notebooks into workspace/ (your working copy)")
    token = secrets.token_hex(24)
    # JupyterLab hides a token it did not generate from its own log, so say the URL here.
    print(f"The course: http://127.0.0.1:{args.port}/lab/tree/{START}?token={token}", flush=True)
    cmd = lab_command(WORKSPACE, port=args.port, token=token, open_browser=not args.no_browser)
    os.execv(cmd[0], cmd)


if __name__ == "__main__":
    main()
