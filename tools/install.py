"""Install rnnbook (editable) into a virtual environment: what `make lab` and `make test` run.

    python tools/install.py VENV_PYTHON [--extras test]

It installs with uv when it can: uv links files from its cache where pip unpacks every wheel
again (PyTorch alone is 750 MB unpacked), so a returning learner's `make lab` takes seconds.
uv is installed into the environment by pip, from pip's own index, on first use.

uv does not read pip's configuration. So pip's (``pip config list``: configuration files and
PIP_* variables) is passed to uv explicitly: find-links, index URLs, constraint files, the
certificate bundle; and uv is told to pick the best version across all indexes, as pip does.
Both then install exactly the same versions, the same build of PyTorch included (the CPU one
when pip is pointed at it).
If pip's configuration holds an option this script does not translate, or uv cannot be
installed, it says so and installs with pip. RNNBOOK_INSTALLER=pip chooses pip.
Only wheels are installed (nothing is compiled), with the versions of constraints.txt.
"""

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UV = "uv>=0.5,<1"
# pip options passed on to uv, and the flag uv takes for each value (pip separates values by
# whitespace); pip options that do not change what is installed are ignored.
TRANSLATED = {"find-links": "--find-links", "index-url": "--index-url",
              "extra-index-url": "--extra-index-url", "constraint": "--constraint"}
IGNORED = {"cert", "default-timeout", "timeout", "retries",
           "disable-pip-version-check", "progress-bar", "quiet", "verbose", "no-input",
           "no-color", "cache-dir", "no-cache-dir", "root-user-action"}
CONFIG_LINE = re.compile(r"^(?P<where>[^.]*)\.(?P<option>[\w-]+)='(?P<value>.*)'$")


def pip_config(python):
    """pip's effective options for ``python``'s pip: {option: value}."""
    out = subprocess.run([python, "-m", "pip", "config", "list"], check=True,
                         capture_output=True, text=True).stdout
    return parse_config(out)


def parse_config(text):
    """{option: value} from the lines of ``pip config list``. Environment variables override
    configuration files, and a later file overrides an earlier one, as in pip."""
    files, env = {}, {}
    for line in text.splitlines():
        if m := CONFIG_LINE.match(line.strip()):
            where, option = m["where"], m["option"]
            if where == ":env:":
                env[option] = m["value"]
            elif where in ("global", "install"):
                files[option] = m["value"]
    return {**files, **env}


def uv_options(config):
    """uv's command-line options that tell it what ``config`` (pip's options) tells pip;
    raise ValueError naming an option that would change what pip installs and uv is not told."""
    untold = sorted(set(config) - set(TRANSLATED) - IGNORED)
    if untold:
        raise ValueError(f"pip is configured with {', '.join(untold)}, which uv is not told")
    options = ["--index-strategy", "unsafe-best-match"]  # every index's best version, as pip
    for option, flag in TRANSLATED.items():
        for value in config.get(option, "").split():
            options += [flag, value]
    return options


def uv_environment(config):
    """The environment variables that tell uv the rest: pip's certificate bundle, if any."""
    return {"SSL_CERT_FILE": config["cert"]} if "cert" in config else {}


def with_pip(python, target):
    return [python, "-m", "pip", "install", "--quiet", "--only-binary=:all:",
            "--constraint", str(ROOT / "constraints.txt"), "--editable", target]


def with_uv(python, target):
    """The uv command line and its environment variables, installing uv with pip first if
    needed; raise ValueError if uv cannot be used here (the reason in the message)."""
    config = pip_config(python)
    options = uv_options(config)
    uv = Path(python).parent / "uv"
    if not uv.exists():
        installed = subprocess.run([python, "-m", "pip", "install", "--quiet", UV])
        if installed.returncode != 0:
            raise ValueError("uv could not be installed with pip")
    command = [str(uv), "pip", "install", "--quiet", "--python", python, *options,
               "--only-binary", ":all:",
               "--constraint", str(ROOT / "constraints.txt"), "--editable", target]
    return command, uv_environment(config)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("python", help="the virtual environment's python")
    parser.add_argument("--extras", default="", help="e.g. test")
    args = parser.parse_args(argv)
    target = str(ROOT) + (f"[{args.extras}]" if args.extras else "")
    command, env = with_pip(args.python, target), {}
    if os.environ.get("RNNBOOK_INSTALLER", "uv") == "uv":
        try:
            command, env = with_uv(args.python, target)
        except ValueError as reason:
            print(f"installing with pip: {reason}", file=sys.stderr)
    return subprocess.run(command, env={**os.environ, **env}).returncode


if __name__ == "__main__":
    sys.exit(main())
