"""Open the course in JupyterLab, safely: ``python -m rnnbook.lab`` (what ``make lab`` runs).

The learner works in ``workspace/``, a git-ignored copy of ``notebooks/`` made on first launch,
so their edits never break the tests or a ``git pull``. ``restore NAME`` puts one notebook back
to the original; the learner's version is kept beside it as ``NAME.bak1.ipynb`` (then ``bak2``,
...: a backup is never replaced, and it opens in JupyterLab like any notebook).

``workspace/.course-versions.json`` records, for each copy, a hash of the course notebook it was
made from (file times mean nothing after a clone or a pull), so that each launch can say which
copies were made from an older version of the course and how to get the new one.

The server binds 127.0.0.1 with a fresh random token: never an empty token, never 0.0.0.0.
"""

import argparse
import hashlib
import json
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
    token = secrets.token_hex(24)
    # JupyterLab hides a token it did not generate from its own log, so say the URL here.
    print(f"The course: http://127.0.0.1:{args.port}/lab/tree/{START}?token={token}", flush=True)
    cmd = lab_command(WORKSPACE, port=args.port, token=token, open_browser=not args.no_browser)
    os.execv(cmd[0], cmd)


if __name__ == "__main__":
    main()
