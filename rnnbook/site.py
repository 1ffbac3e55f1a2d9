"""The course as an offline static site: ``python -m rnnbook.site [--out PATH]`` (``make site``).

One HTML page per notebook, with its committed outputs (nbconvert's ``lab`` template), and
``index.html``: README's table of notebooks, linking the pages. Everything a page loads is in
the site: MathJax comes from the ``jupyter-server-mathjax`` package, copied into
``assets/mathjax``; no page names a CDN.

Each widget cell (tagged ``nbval-ignore-output``, calling ``widgets.<builder>(``) gets its
kernel-free twin (``rnnbook.twins``): the build runs the notebook's code cells, up to its
last widget or figure, builds each widget with the notebook's own call, and records it.
Pages are built ``--jobs`` at a time (default 2), each in a fresh process of its own. A
widget without a twin fails the build. Each figure's text alternative is read from the
figure the code drew: its titles.

The output folder is wiped and rebuilt only if it is empty or a previous site (it holds the
marker file ``MARKER``); any other non-empty folder is refused.
"""

import argparse
import ast
import concurrent.futures
import contextlib
import html
import io
import multiprocessing
import os
import re
import resource
import shutil
import sys
import time
from importlib import resources
from pathlib import Path
from typing import NamedTuple

from rnnbook import _validate as v
from rnnbook import twins
from rnnbook.lab import NOTEBOOKS, ROOT
from rnnbook.notebooks import IGNORE_OUTPUT_TAG

MARKER = ".rnnbook-site"  # written into every built site; what makes a folder safe to wipe
MATHJAX = "assets/mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe"
JOBS = min(2, os.cpu_count() or 1)  # pages built at once: the course's machine has 2 cores
# The pages whose code takes longest, by number: built first when pages run in parallel.
# CPU seconds measured on the course's 2-core machine: 06 47, 07 19, 03 18, 05 17, 04 9.
SLOW_FIRST = {"06": 0, "07": 1, "03": 2, "05": 3, "04": 4, "01": 5}
NOTEBOOK_LINK = re.compile(r'href="(\d\d_[\w-]+)\.ipynb(#[^"]*)?"')

# The lab template, minus what it would load from CDNs: require.js and the widget manager
# (the site has no live widgets), mermaid (no notebook uses it); MathJax from the site.
TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_js_mathjax -%}
<script>
// jupyter-server-mathjax ships the STIX-Web fonts only; MathJax 2 looks for TeX's otherwise.
window.MathJax = {"HTML-CSS": {availableFonts: ["STIX-Web"], preferredFont: "STIX-Web",
                               webFont: "STIX-Web", imageFont: null},
                  SVG: {font: "STIX-Web"}};
</script>
{{ mathjax("MATHJAX_URL") }}{%- endblock -%}
{%- block extra_css -%}
<link rel="stylesheet" href="assets/twin.css"><script src="assets/twin.js" defer></script>
{%- endblock extra_css -%}
{%- block data_png scoped -%}
<div class="jp-RenderedImage jp-OutputArea-output {{ extra_class }}">
<img src="data:image/png;base64,{{ output.data['image/png'] | escape_html }}"
 alt="{{ output.metadata.get('rnnbook_alt', 'a figure') | escape_html }}"></div>
{%- endblock data_png -%}
{%- block body_header -%}{{ super() }}
<nav class="rnnbook-nav"><a href="index.html">rnnbook: all notebooks</a></nav>
{%- endblock body_header -%}
""".replace("MATHJAX_URL", MATHJAX)


class Entry(NamedTuple):
    """One row of README's table: number, title, notebook file name, what it teaches."""

    number: str
    title: str
    notebook: str
    summary: str

    @property
    def page(self):
        return Path(self.notebook).with_suffix(".html").name


def readme_table(text):
    """The rows of README's notebook table (``| 00 | [Title](notebooks/x.ipynb) | what |``)."""
    text = v.non_empty_str("text", text)
    row = re.compile(r"^\|\s*(\d+)\s*\|\s*\[([^\]]+)\]\(([^)]+\.ipynb)\)\s*\|\s*(.*?)\s*\|\s*$")
    entries = [Entry(m[1], m[2], Path(m[3]).name, m[4])
               for m in map(row.match, text.splitlines()) if m]
    if not entries:
        raise ValueError("text: expected a Markdown table with rows like "
                         "'| 00 | [Title](notebooks/00_x.ipynb) | summary |', found none")
    return entries


def prepare_out(out):
    """Make ``out`` an empty folder with the site marker; refuse a non-empty non-site folder."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise SystemExit(f"--out {out}: exists and is not a folder; refusing to build there")
    if out.is_dir() and any(out.iterdir()):
        if not (out / MARKER).is_file():
            raise SystemExit(f"--out {out}: a non-empty folder that is not a site built by "
                             f"rnnbook (no {MARKER} in it); refusing to wipe it. Name an "
                             f"empty or new folder.")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("Built by python -m rnnbook.site; rebuilding wipes this folder.\n")
    (out / ".nojekyll").write_text("")  # GitHub Pages: serve the files as they are
    return out


def widget_cells(nb, name, registry=None):
    """[(index, builder)] of the notebook's widget cells; fails on a widget without a twin."""
    registry = twins.TWINS if registry is None else registry
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or IGNORE_OUTPUT_TAG not in cell.metadata.get("tags", []):
            continue
        called = twins.builders_called(cell.source)
        if not called:
            continue
        missing = twins.missing_twins(cell.source, registry)
        if missing:
            raise SystemExit(
                f"{name}, cell {i}: calls widgets.{missing[0]}(...), which has no kernel-free "
                f"twin: add an entry for {missing[0]!r} to rnnbook.twins.TWINS")
        found.append((i, called[-1]))
    return found


def _with_result(source, name):
    """The cell's code, with its last expression (what the cell displays) kept as ``_shown_``."""
    tree = ast.parse(source)
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = tree.body[-1]
        tree.body[-1] = ast.Assign(targets=[ast.Name("_shown_", ast.Store())], value=last.value)
    return compile(ast.fix_missing_locations(tree), name, "exec")


def has_figure(cell):
    return cell.cell_type == "code" and any("image/png" in out.get("data", {})
                                            for out in cell.outputs)


def figure_text(figure):
    """What a matplotlib figure shows, in words: its titles (or its axes' labels)."""
    parts = [figure.get_suptitle()] if hasattr(figure, "get_suptitle") else []
    for ax in figure.axes:
        parts.append(ax.get_title() or ax.get_title("left"))
        if not parts[-1] and (ax.get_xlabel() or ax.get_ylabel()):
            parts.append(f"{ax.get_ylabel()} against {ax.get_xlabel()}")
    parts = list(dict.fromkeys(" ".join(part.split()) for part in parts if part and part.strip()))
    return "Figure: " + "; ".join(parts) if parts else ""


@contextlib.contextmanager
def _working_dir(folder):
    """Run in ``folder``, as a notebook's kernel does in the notebook's own folder."""
    before = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def run_cells(nb, path, cells):
    """Run the notebook's code cells here, in one namespace (as a kernel would), up to its
    last widget or figure cell; record each widget with its registered twin.

    Returns ({cell index: twin HTML}, {cell index: [figure_text of each figure it drew]}).
    """
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    last = max([i for i, _ in cells] + [i for i, cell in enumerate(nb.cells) if has_figure(cell)],
               default=-1)
    namespace = {"__name__": "__main__", "display": lambda *a, **k: None}
    printed = io.StringIO()  # the cells' printed output is in the page already
    builder = dict(cells)
    made, texts = {}, {}
    for i, cell in enumerate(nb.cells[:last + 1]):
        if cell.cell_type != "code":
            continue
        with contextlib.redirect_stdout(printed), _working_dir(path.parent):
            exec(_with_result(cell.source, f"{path.name} cell {i}"), namespace)
        shown = namespace.pop("_shown_", None)
        if i in builder:
            if shown is None:
                raise SystemExit(f"{path.name}, cell {i}: a widget cell must end with the "
                                 f"widget it shows")
            made[i] = twins.TWINS[builder[i]](shown)
        drawn = [plt.figure(n) for n in plt.get_fignums()]  # pyplot's, shown at the cell's end
        drawn += [shown] if isinstance(shown, Figure) else []
        texts[i] = [figure_text(figure) for figure in drawn]
        plt.close("all")
    return made, texts


def export(nb, name):
    """HTML of a notebook: nbconvert's lab template, local assets, links to sibling pages."""
    import jinja2
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab",
                            extra_loaders=[jinja2.DictLoader({"rnnbook_site.j2": TEMPLATE})],
                            template_file="rnnbook_site.j2")
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": name}})
    body = NOTEBOOK_LINK.sub(lambda m: f'href="{m[1]}.html{m[2] or ""}"', body)
    return body


def describe_figures(nb, texts):
    """Give each figure output its text alternative: what ``run_cells`` read from the
    figures the cell drew (their titles), else the code line that drew it."""
    for i, cell in enumerate(nb.cells):
        if not has_figure(cell):
            continue
        lines = [line.strip() for line in cell.source.splitlines()
                 if line.strip() and not line.lstrip().startswith("#")]
        outs = [out for out in cell.outputs if "image/png" in out.get("data", {})]
        found = texts.get(i, [])
        for k, out in enumerate(outs):
            text = found[k] if len(found) == len(outs) else ""
            out.setdefault("metadata", {})["rnnbook_alt"] = (
                text or f"Figure drawn by the code: {lines[-1] if lines else 'above'}")


def index_html(entries, readme):
    """The site's front page: README's first paragraph and its table of notebooks."""
    intro = readme.split("\n\n")[1].replace("\n", " ")
    rows = "".join(f"<tr><td>{e.number}</td><td><a href='{e.page}'>{html.escape(e.title)}</a>"
                   f"</td><td>{html.escape(e.summary)}</td></tr>" for e in entries)
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1.0'>"
        "<title>rnnbook</title><link rel='stylesheet' href='assets/twin.css'></head>"
        "<body class='rnnbook-index'><main><h1>rnnbook</h1>"
        f"<p>{html.escape(intro)}</p>"
        "<p>This site shows every notebook with its outputs. Its widgets are recordings "
        "that play without Python; to run the code and drive the widgets yourself you need "
        "JupyterLab: clone the repository and run <code>make lab</code>.</p>"
        "<table><thead><tr><th></th><th>notebook</th><th></th></tr></thead>"
        f"<tbody>{rows}</tbody></table></main></body></html>")


def copy_assets(out):
    """MathJax (from jupyter-server-mathjax) and the twins' player into ``out/assets``."""
    assets = out / "assets"
    mathjax = resources.files("jupyter_server_mathjax") / "static"
    shutil.copytree(str(mathjax), assets / "mathjax",
                    ignore=shutil.ignore_patterns("localization", "*.py"))
    here = Path(__file__).with_name("site_assets")
    for name in ("twin.js", "twin.css"):
        shutil.copy(here / name, assets / name)


def build_page(entry, notebooks_dir, out):
    """Write the page of one README ``entry``: (page name, animations, widget twins, CPU s).

    Runs in its own process when the build runs pages in parallel (``build(jobs=2)``).
    """
    import matplotlib

    matplotlib.use("Agg")
    import nbformat

    cpu = time.process_time()
    path = Path(notebooks_dir) / entry.notebook
    nb = nbformat.read(path, as_version=4)
    cells = widget_cells(nb, entry.notebook)
    recorded, texts = run_cells(nb, path, cells)
    describe_figures(nb, texts)
    for i, twin in recorded.items():
        nb.cells[i].outputs = [nbformat.v4.new_output("display_data", {"text/html": twin})]
    (Path(out) / entry.page).write_text(export(nb, f"{entry.number} {entry.title}"))
    count = sum(twin.count("class='rnnbook-twin'") for twin in recorded.values())
    return entry.page, count, len(recorded), time.process_time() - cpu


def build(out, notebooks_dir=None, readme=None, log=print, jobs=1):
    """Build the site into ``out``; returns the list of (page, number of animations).

    jobs: pages built at once, each in its own process (a fresh interpreter: one notebook's
    code never sees another's); 1: one after the other, in this process.
    """
    import nbformat

    jobs = v.positive_int("jobs", jobs)
    notebooks_dir = Path(notebooks_dir or NOTEBOOKS)
    readme_text = Path(readme or ROOT / "README.md").read_text()
    entries = readme_table(readme_text)
    on_disk = sorted(p.name for p in notebooks_dir.glob("*.ipynb"))
    listed = [e.notebook for e in entries]
    if sorted(listed) != on_disk:
        raise SystemExit(f"README's table lists {listed}, but {notebooks_dir} holds {on_disk}: "
                         f"every notebook needs one row")
    for entry in entries:  # a widget without a twin fails now, before anything is run
        widget_cells(nbformat.read(notebooks_dir / entry.notebook, as_version=4),
                     entry.notebook)
    out = prepare_out(out)
    copy_assets(out)

    def report(result):
        page, count, widgets, cpu = result
        log(f"{page}: {count} animations, {widgets} widget twins ({cpu:.0f} s of CPU)")
        return page, count

    if jobs == 1:
        made = [report(build_page(entry, notebooks_dir, out)) for entry in entries]
    else:
        # The slowest pages first (they train models), so that no process is left alone at
        # the end with a long one; results are reported as they come.
        order = sorted(entries, key=lambda e: SLOW_FIRST.get(e.number, len(SLOW_FIRST)))
        context = multiprocessing.get_context("spawn")
        with concurrent.futures.ProcessPoolExecutor(jobs, mp_context=context) as pool:
            futures = [pool.submit(build_page, entry, notebooks_dir, out) for entry in order]
            done = dict(report(f.result()) for f in concurrent.futures.as_completed(futures))
        made = [(e.page, done[e.page]) for e in entries]
    (out / "index.html").write_text(index_html(entries, readme_text))
    return made


def folder_size(folder):
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m rnnbook.site", description=__doc__.split(
        "\n")[0])
    parser.add_argument("--out", default=str(ROOT / "site"), help="folder to build into")
    parser.add_argument("--jobs", type=int, default=JOBS,
                        help=f"pages built at once, in separate processes (default {JOBS})")
    args = parser.parse_args(argv)
    start = time.monotonic()
    build(args.out, jobs=args.jobs)
    # CPU time too (this process's and its page processes'): on a machine shared with other
    # jobs the wall-clock time says little.
    cpu = sum(resource.getrusage(who).ru_utime + resource.getrusage(who).ru_stime
              for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    print(f"site built in {args.out}: {time.monotonic() - start:.0f} s "
          f"({cpu:.0f} s of CPU), {folder_size(args.out) / 1e6:.1f} MB")


if __name__ == "__main__":
    sys.exit(main())
