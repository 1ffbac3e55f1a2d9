"""How the course is installed (tools/install.py): uv is told what pip is told, both install
the same pinned versions, and PyTorch is the CPU build."""

import importlib.util
import json
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("install", ROOT / "tools" / "install.py")
install = importlib.util.module_from_spec(spec)
spec.loader.exec_module(install)

# `pip config list` on a machine whose pip is pointed at local wheels (this project's CI)
PIP_CONFIG = """\
:env:.default-timeout='180'
:env:.find-links='/opt/wheels'
global.cert='/etc/ssl/certs/ca-certificates.crt'
global.constraint='/etc/xdg/pip/constraints.txt'
global.extra-index-url='file:///opt/pypi/simple file:///opt/pypi-more/simple'
global.find-links='/somewhere/else'
"""


def pinned():
    """{name: version} from constraints.txt, names normalized."""
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split(";")[0].strip().split("==")
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


def test_uv_is_told_pips_find_links_indexes_constraints_and_certificates():
    config = install.parse_config(PIP_CONFIG)
    assert config["find-links"] == "/opt/wheels"  # the environment overrides the file
    assert install.uv_options(config) == [
        "--index-strategy", "unsafe-best-match",
        "--find-links", "/opt/wheels",
        "--extra-index-url", "file:///opt/pypi/simple",
        "--extra-index-url", "file:///opt/pypi-more/simple",
        "--constraint", "/etc/xdg/pip/constraints.txt",
    ]
    cert = "/etc/ssl/certs/ca-certificates.crt"
    assert install.uv_environment(config) == {"SSL_CERT_FILE": cert}


@pytest.mark.parametrize("option", ["pre", "no-index", "only-binary"])
def test_a_pip_option_uv_is_not_told_means_pip_installs(option):
    config = install.parse_config(PIP_CONFIG + f"global.{option}='true'\n")
    with pytest.raises(ValueError, match=f"pip is configured with {option}, which uv is not"):
        install.uv_options(config)


def test_pytorch_is_the_cpu_build():
    import torch

    assert torch.version.cuda is None, f"torch {torch.__version__} is a CUDA build"


@pytest.mark.skipif(sys.version_info < (3, 11), reason="constraints.txt pins Python 3.11+")
def test_this_environment_has_the_pinned_versions():
    pins = pinned()
    installed = {re.sub(r"[-_.]+", "-", d.metadata["Name"]).lower(): d.version
                 for d in metadata.distributions()}
    wrong = {name: (version, installed[name]) for name, version in pins.items()
             if name in installed and installed[name].split("+")[0] != version}
    assert not wrong, f"(pinned, installed) differ: {wrong}"
    assert all(name in installed for name in ("torch", "jupyterlab", "ipywidgets"))


UV = Path(sys.executable).parent / "uv"


@pytest.mark.skipif(not UV.exists(), reason="this environment was installed with pip, not uv")
def test_uv_and_pip_choose_the_same_pytorch_wheel():
    """Both installers, asked what they would install for the pinned torch, pick one build."""
    python, constraints = sys.executable, str(ROOT / "constraints.txt")
    uv = subprocess.run(
        [str(UV), "pip", "install", "--dry-run", "--no-deps", "--python", python,
         "--reinstall-package", "torch", *install.uv_options(install.pip_config(python)),
         "--constraint", constraints, "torch"],
        capture_output=True, text=True, check=True)
    [by_uv] = re.findall(r"^ \+ torch==(\S+)$", uv.stdout + uv.stderr, re.M)
    pip = subprocess.run(
        [python, "-m", "pip", "install", "--dry-run", "--no-deps", "--ignore-installed",
         "--quiet", "--report", "-", "--constraint", constraints, "torch"],
        capture_output=True, text=True, check=True)
    [by_pip] = [p["metadata"]["version"] for p in json.loads(pip.stdout)["install"]]
    assert by_uv == by_pip
    assert by_pip.split("+")[0] == pinned()["torch"]
