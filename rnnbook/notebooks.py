"""Re-execute the course's notebooks in place, deterministically: ``python -m rnnbook.notebooks``.

What ``make notebooks`` runs. Running it twice in a row changes no byte, because it drops what
varies from run to run and carries no lesson:
- execution timings and saved widget state in the metadata;
- the outputs of cells tagged ``nbval-ignore-output`` after the setup cell: widget views (their
  model ids are random, and no static render can show them; each widget has a static figure
  beside it instead) and wall-clock timings. The setup cell keeps its line of versions;
- how the kernel happened to split printed text into chunks: consecutive stream outputs are
  merged, as a reader sees them.
"""

import sys
from pathlib import Path

IGNORE_OUTPUT_TAG = "nbval-ignore-output"  # the tag of cells whose output nbval skips


def _merge_streams(outputs):
    merged = []
    for out in outputs:
        last = merged[-1] if merged else None
        if (out.output_type == "stream" and last is not None
                and last.output_type == "stream" and last.name == out.name):
            last.text += out.text
        else:
            merged.append(out)
    return merged


def normalize(nb):
    """Strip what varies from run to run from ``nb`` (an nbformat node), in place."""
    nb.metadata.pop("widgets", None)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    for i, cell in enumerate(code):
        if i > 0 and IGNORE_OUTPUT_TAG in cell.metadata.get("tags", []):
            cell.outputs = []
        cell.outputs = _merge_streams(cell.outputs)
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
