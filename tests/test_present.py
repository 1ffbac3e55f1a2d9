"""Presenter mode (``make present NB=04``) and the launcher's port: the command line built,
the JupyterLab settings written, the figures drawn larger. The browser side (font sizes as
rendered, widgets working, nothing cut off) is tests/browser/test_in_jupyterlab.py's."""

import io
import json
import socket
import subprocess
import sys
from pathlib import Path

import jsonschema
import matplotlib as mpl
import pytest
from PIL import Image

import rnnbook
from rnnbook import gradients, lab, plots, widgets

# JupyterLab's own sizes (its light and dark themes' CSS): prose, code, interface; the
# interface size is ipywidgets' label size (--jp-widgets-font-size: var(--jp-ui-font-size1)).
JUPYTERLAB_FONTS = {"content-font-size1": 14, "code-font-size": 13, "ui-font-size1": 13}
SCHEMAS = Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas"


def option(argv, name):
    values = [a.split("=", 1)[1] for a in argv if a.startswith(f"--{name}=")]
    assert len(values) == 1, f"--{name} given {len(values)} times in {argv}"
    return values[0]


@pytest.fixture
def launched(tmp_path, monkeypatch):
    """Run ``lab.main(args)`` on a workspace of two notebooks; return (argv, printed, env)."""
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    for name in ("02_loop.ipynb", "04_gradients.ipynb"):
        (workspace / name).write_text("{}")
    monkeypatch.setattr(lab, "WORKSPACE", workspace)
    monkeypatch.setattr(lab, "PRESENTER_SETTINGS", tmp_path / "presenter")
    monkeypatch.setattr(lab, "copy_missing", lambda: [])
    monkeypatch.setenv("RNNBOOK_PRESENT", "unset")  # restored after the test
    started = []
    monkeypatch.setattr(lab.os, "execv", lambda exe, argv: started.append(argv))

    def launch(args, capsys):
        lab.main(args)
        return started[-1], capsys.readouterr().out, lab.os.environ["RNNBOOK_PRESENT"]

    return launch


def test_present_opens_the_workspace_copy_with_the_presenter_settings(launched, capsys,
                                                                      tmp_path):
    argv, printed, env = launched(["--no-browser", "present", "04"], capsys)
    assert option(argv, "ServerApp.default_url") == "/lab/tree/04_gradients.ipynb"
    assert option(argv, "ServerApp.root_dir") == str(tmp_path / "workspace")
    assert option(argv, "LabApp.user_settings_dir") == str(tmp_path / "presenter")
    assert option(argv, "ServerApp.ip") == "127.0.0.1"
    assert env == "1"  # the server's kernels inherit it
    token = option(argv, "IdentityProvider.token")
    port = option(argv, "ServerApp.port")
    assert f"http://127.0.0.1:{port}/lab/tree/04_gradients.ipynb?token={token}" in printed
    for plugin, values in lab.PRESENTER_OVERRIDES.items():
        package, name = plugin.split(":")
        path = tmp_path / "presenter" / package / f"{name}.jupyterlab-settings"
        assert json.loads(path.read_text()) == values, plugin


def test_present_refuses_a_name_that_is_not_one_notebook(launched, capsys):
    with pytest.raises(SystemExit, match="'09' matches 0 notebooks; use one of: 02_loop"):
        launched(["present", "09"], capsys)
    with pytest.raises(SystemExit, match="'0' matches 2 notebooks"):
        launched(["present", "0"], capsys)


def test_lab_has_no_presenter_settings(launched, capsys):
    argv, printed, env = launched(["--no-browser"], capsys)
    assert not [a for a in argv if a.startswith("--LabApp.user_settings_dir")]
    assert env == "unset"
    assert option(argv, "ServerApp.default_url") == f"/lab/tree/{lab.START}"


@pytest.mark.parametrize("args", [["--no-browser"], ["--no-browser", "present", "02"]])
def test_the_printed_port_is_the_served_one_or_none(launched, capsys, args):
    """A free port is chosen, and the server may not move to another: the URL stays right."""
    argv, printed, _ = launched(args, capsys)
    port = int(option(argv, "ServerApp.port"))
    assert option(argv, "ServerApp.port_retries") == "0"
    assert f"http://127.0.0.1:{port}/" in printed
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))  # it was free
    argv, printed, _ = launched(["--no-browser", "--port", "8123", *args[1:]], capsys)
    assert option(argv, "ServerApp.port") == "8123" and "http://127.0.0.1:8123/" in printed


def test_a_taken_port_stops_the_server_instead_of_moving_it(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        argv = lab.lab_command(tmp_path, token="t" * 32, port=port, open_browser=False)
        env = {"JUPYTER_CONFIG_DIR": str(tmp_path / "cfg"),
               "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt"), "HOME": str(tmp_path),
               "PATH": str(Path(sys.executable).parent)}
        done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert f"{port}" in done.stdout + done.stderr


def test_presenter_settings_are_valid_jupyterlab_settings():
    """Each plugin's values validate against the installed JupyterLab's own schema."""
    assert SCHEMAS.is_dir(), f"no JupyterLab schemas in {SCHEMAS}"
    for plugin, values in lab.PRESENTER_OVERRIDES.items():
        package, name = plugin.split(":")
        schema = json.loads((SCHEMAS / package / f"{name}.json").read_text())
        jsonschema.validate(values, schema)


def test_presenter_fonts_are_at_least_one_and_a_half_times_jupyterlabs():
    fonts = lab.PRESENTER_OVERRIDES["@jupyterlab/apputils-extension:themes"]["overrides"]
    assert fonts.keys() == JUPYTERLAB_FONTS.keys()
    for key, normal in JUPYTERLAB_FONTS.items():
        assert fonts[key].endswith("px") and float(fonts[key][:-2]) >= 1.5 * normal, key
    notification = lab.PRESENTER_OVERRIDES["@jupyterlab/apputils-extension:notification"]
    assert notification["fetchNews"] == "false"  # no "Jupyter news" prompt


def png_size(png):
    return Image.open(io.BytesIO(png)).size


@pytest.fixture
def restore_style():
    yield
    plots.use_style()


def test_setup_notebook_draws_larger_only_when_presenting(monkeypatch, capsys, restore_style):
    sizes, printed = {}, {}
    for present in ("", "1"):
        monkeypatch.setenv("RNNBOOK_PRESENT", present)
        rnnbook.setup_notebook(seed=0)
        printed[present] = capsys.readouterr().out
        explorer = widgets.gradient_decay_explorer(gradients.gradient_curves)
        sizes[present] = (mpl.rcParams["figure.dpi"], png_size(explorer.image.value),
                          mpl.rcParams["font.size"])
    (dpi, (width, height), font), (big_dpi, (big_width, big_height), big_font) = sizes.values()
    assert big_dpi == plots.PRESENT_SCALE * dpi == 150
    assert big_width == pytest.approx(plots.PRESENT_SCALE * width, abs=2)
    assert big_height == pytest.approx(plots.PRESENT_SCALE * height, abs=2)
    assert big_font == font  # points: the text grows with the dots per inch
    assert printed[""] == printed["1"]  # nothing printed changes


def test_widget_figures_follow_the_style_scale(restore_style):
    plots.use_style()
    assert plots.scale() == 1.0 and widgets.new_figure((2.0, 1.0)).dpi == widgets.DPI
    plots.use_style(present=True)
    assert plots.scale() == plots.PRESENT_SCALE
    assert widgets.new_figure((2.0, 1.0)).dpi == widgets.DPI * plots.PRESENT_SCALE


def test_one_version_in_pyproject_the_package_and_the_changelog():
    """An instructor pins a term to a tag vX.Y.Z (docs/teaching.md): all three must agree."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    root = Path(__file__).resolve().parent.parent
    version = tomllib.loads((root / "pyproject.toml").read_text())["project"]["version"]
    assert rnnbook.__version__ == version
    changelog = (root / "CHANGELOG.md").read_text()
    assert f"\n## {version} " in changelog, f"CHANGELOG.md has no section for {version}"
