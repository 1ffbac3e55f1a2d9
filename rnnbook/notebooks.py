"""Re-execute the course's notebooks in place, deterministically: ``python -m rnnbook.notebooks``.

What ``make notebooks`` runs. Running it twice in a row changes no byte: it drops what varies
from run to run and carries no lesson (execution timings, saved widget state, and the widget
views, whose model ids are random and which no static render can show; each widget has a static
figure beside it instead).
"""

import sys
from pathlib import Path

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def normalize(nb):
    """Strip volatile metadata and widget views from ``nb`` (an nbformat node), in place."""
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        outputs = []
        for out in cell.outputs:
            data = out.get("data", {})
            if WIDGET_VIEW in data:
                continue  # a widget's text/plain is only its repr: drop the whole output
            outputs.append(out)
        cell.outputs = outputs
    return nb


def execute(path, timeout=300):
    """Execute the notebook at ``path`` in its own folder and save it normalized."""
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    nbformat.write(normalize(nb), path)


def main(argv=None):
    paths = sys.argv[1:] if argv is None else argv
    if not paths:
        raise SystemExit("usage: python -m rnnbook.notebooks NOTEBOOK.ipynb ...")
    for p in paths:
        print(f"executing {p}", flush=True)
        execute(p)


if __name__ == "__main__":
    main()
