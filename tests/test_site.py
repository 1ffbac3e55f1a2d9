"""rnnbook.site and rnnbook.twins: README's table, the output folder's safety, the registry
of twins, and twins' frames equal to what the widget computes. The built site itself is
tested in a browser by tests/browser/test_static_site.py."""

import html
import json
import re

import ipywidgets
import nbformat
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from rnnbook import charlm, data, gradients, models, probe, site, twins, widgets
from rnnbook.site import ROOT


def test_readme_table_lists_every_notebook_in_order():
    entries = site.readme_table((ROOT / "README.md").read_text())
    assert [e.notebook for e in entries] == sorted(p.name for p in
                                                   (ROOT / "notebooks").glob("*.ipynb"))
    first = entries[0]
    assert (first.number, first.title, first.page) == ("00", "Start here", "00_start_here.html")
    assert first.summary == "how the course works; check your setup"


def test_readme_table_reads_a_table_and_rejects_text_without_one():
    text = ("intro\n\n| | notebook | |\n|---|---|---|\n"
            "| 07 | [Attention](notebooks/07_attention.ipynb) | where to look |\n")
    assert site.readme_table(text) == [
        site.Entry("07", "Attention", "07_attention.ipynb", "where to look")]
    with pytest.raises(ValueError, match="text: expected a Markdown table"):
        site.readme_table("no table here")


def test_out_folder_refused_unless_empty_or_a_previous_site(tmp_path):
    precious = tmp_path / "mine"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    with pytest.raises(SystemExit, match="not a site built by rnnbook"):
        site.prepare_out(precious)
    assert (precious / "notes.txt").read_text() == "keep me"  # never wiped

    built = site.prepare_out(tmp_path / "new" / "site")  # a new folder is made
    assert (built / site.MARKER).is_file()
    (built / "old.html").write_text("from the last build")
    site.prepare_out(built)  # a previous site is wiped and rebuilt
    assert not (built / "old.html").exists() and (built / site.MARKER).is_file()


def notebook_with(source):
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": ["nbval-ignore-output"]})
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1"), cell])


def test_widget_cell_without_a_twin_fails_the_build_naming_it():
    nb = notebook_with("widgets.new_explorer(T=5)")
    with pytest.raises(SystemExit, match=r"08_x.ipynb, cell 1: calls "
                       r"widgets.new_explorer\(...\), which has no kernel-free twin"):
        site.widget_cells(nb, "08_x.ipynb")
    registry = {**twins.TWINS, "new_explorer": twins.sweep("t", "New")}
    assert site.widget_cells(nb, "08_x.ipynb", registry) == [(1, "new_explorer")]


def test_every_widget_cell_of_the_course_has_a_twin():
    found = {}
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        found[path.name] = site.widget_cells(nbformat.read(path, as_version=4), path.name)
    assert all(found.values()), f"a notebook without widget cells: {found}"


def test_control_values_cover_the_range_and_thin_it_keeping_both_ends():
    explorer = widgets.unroll_explorer(T=6)
    assert twins.control_values(explorer.controls["t"]) == [1, 2, 3, 4, 5, 6]
    assert twins.control_values(explorer.controls["t"], max_frames=3) == [1, 3, 6]
    chooser = widgets.architecture_chooser()
    assert twins.control_values(chooser.controls["architecture"]) == list(
        chooser.controls["architecture"].options)


def test_unroll_twin_frames_are_the_widgets_own_states():
    explorer = widgets.unroll_explorer(T=6, seed=0)
    recorded = twins.frames(explorer, "t", [1, 3, 6])
    for frame in recorded:
        step = widgets.unroll_step(explorer.run, frame.value)
        assert frame.state.t == frame.value
        for name in ("x_t", "h_prev", "h_t", "y_t"):
            np.testing.assert_array_equal(getattr(frame.state, name), getattr(step, name))
        assert frame.text == widgets.unroll_table(step)
    explorer.controls["t"].value = 3
    assert recorded[1].png == explorer.image.value  # the picture the widget shows at t = 3
    assert recorded[0].png != recorded[2].png


def test_gradient_twin_frames_equal_the_computed_state():
    explorer = widgets.gradient_decay_explorer(gradients.gradient_curves, max_T=60)
    recorded = twins.frames(explorer, "rho", [0.8, 1.2])
    for frame in recorded:
        settings = gradients.GradientSettings("rnn", frame.value, 50, "tanh", 0.01)
        expected = widgets.gradient_decay_state(settings, gradients.gradient_curves(settings), 50)
        assert frame.state.caption == expected.caption
        np.testing.assert_array_equal(frame.state.curves.norms, expected.curves.norms)
    assert explorer.controls["rho"].value == 0.9  # left as it was


def test_setup_check_twin_plays_every_step_in_a_player():
    explorer = widgets.setup_check(w=0.5, T=10)
    page = twins.TWINS["setup_check"](explorer)
    data = re.search(r"<script type='application/json' class='rnnbook-twin-data'>(.*?)</script>",
                     page, re.S)[1]
    frames = json.loads(data)
    states = widgets.one_unit_states(w=0.5, T=10)
    assert [f["value"] for f in frames] == [str(t) for t in range(11)]
    assert [f["text"] for f in frames] == [f"h_{t} = {states[t]:.4f}" for t in range(11)]
    assert "needs JupyterLab" in page


def test_live_box_twin_is_a_table_of_its_examples_and_answers():
    box = widgets.live_model_box(lambda text: text.upper(), examples=["ab", "c d"])
    page = twins.TWINS["live_model_box"](box)
    rows = re.findall(r"<tr><td><code>(.*?)</code></td><td>(.*?)</td></tr>", page)
    assert rows == [(text, widgets.answer_html(widgets.answer(str.upper, text)))
                    for text in ("ab", "c d")]
    assert "needs JupyterLab" in page
    with pytest.raises(ValueError, match="no examples"):
        twins.TWINS["live_model_box"](widgets.live_model_box(str.upper))


def test_picture_box_twin_shows_every_picture_with_its_answer_and_alt_text():
    pictures = np.zeros((3, 4, 4))
    box = widgets.image_model_box(pictures, lambda picture: "dark", labels=["a", "b", "c"])
    page = twins.TWINS["image_model_box"](box)
    assert page.count("<img ") == 3 and page.count("alt='Image model box: picture") == 3
    assert page.count("&rarr; <b style='font-family:monospace'>dark</b> (true: a)") == 1



def test_control_values_of_a_toggle_are_off_and_on():
    assert twins.control_values(ipywidgets.ToggleButton(value=True)) == [False, True]
    assert twins.control_values(ipywidgets.Checkbox(value=False)) == [False, True]


def test_figure_text_reads_the_titles_or_the_axis_labels():
    figure = Figure()
    left, right = figure.subplots(1, 2)
    left.set_title("Gradient\nnorm")  # a title on two lines is one line of text
    right.set_xlabel("steps back")
    right.set_ylabel("norm")
    assert site.figure_text(figure) == "Figure: Gradient norm; norm against steps back"
    assert site.figure_text(Figure()) == ""


def test_each_figure_output_gets_the_text_read_from_its_figure_else_its_code_line():
    def cell():
        png = nbformat.v4.new_output("display_data", {"image/png": "iVBORw0KGgo="})
        return nbformat.v4.new_code_cell("fig = draw()\nfig", outputs=[png])

    nb = nbformat.v4.new_notebook(cells=[cell(), cell()])
    site.describe_figures(nb, {0: ["Figure: Gradient norm"]})
    assert nb.cells[0].outputs[0].metadata["rnnbook_alt"] == "Figure: Gradient norm"
    assert nb.cells[1].outputs[0].metadata["rnnbook_alt"] == "Figure drawn by the code: fig"


def player_frames(page):
    """[(JSON frames of each player)] in a twin's HTML."""
    return [json.loads(data) for data in re.findall(
        r"<script type='application/json' class='rnnbook-twin-data'>(.*?)</script>", page, re.S)]


def test_attention_twin_plays_every_step_of_each_input_as_the_widget_draws_it():
    ds = data.copying(max_len=8, n_train=50, n_per_length=2)
    model = models.AttentionSeq2Seq(ds.n_in, ds.n_out, hidden_size=8, embed=4, seed=0)
    explorer = widgets.attention_explorer(model, ds, ["abcdef", "ab"])
    page = twins.TWINS["attention_explorer"](explorer)
    players = player_frames(page)
    assert len(players) == 2 and "(input: 'abcdef')" in page and "(input: 'ab')" in page
    for example, frames in zip(["abcdef", "ab"], players, strict=True):
        run = explorer.runs[example]
        assert [f["value"] for f in frames] == [str(t) for t in range(1, len(run.output) + 1)]
        for t in (1, len(run.output)):
            explorer.controls["example"].value = example
            explorer.controls["t"].value = t
            assert frames[t - 1]["text"] == widgets.step_html(run, widgets.decoder_step(run, t))
            assert frames[t - 1]["img"] == twins.data_uri(explorer.image.value)
            assert f"input: '{example}'" in frames[t - 1]["alt"]
        assert frames[0]["img"] != frames[-1]["img"]
    assert explorer.controls["example"].value == "ab"  # (moved by this test, not the twin)


def test_unit_twin_shows_each_features_best_unit_on_the_passage():
    rng = np.random.default_rng(0)
    text = "def f(x):\n    return x  # y\n" * 40
    activations = rng.normal(size=(len(text), 12))
    r = rng.uniform(-1, 1, size=(5, 12))
    explorer = widgets.unit_explorer(text, activations, r, feature="in_string", width=100)
    [frames] = player_frames(twins.TWINS["unit_explorer"](explorer))
    assert [f["value"] for f in frames] == list(probe.FEATURES)
    best = {b.feature: b.unit for b in probe.best_units(r)}
    for frame in frames:
        view = widgets.unit_view(text, activations, r, frame["value"], best[frame["value"]], 0,
                                 100)
        assert frame["text"] == widgets.unit_html(view)
    assert explorer.state.feature == "in_string"  # left as it was


def test_sampler_twin_is_a_table_of_prompts_and_temperatures_sampled_by_the_widget():
    torch.set_num_threads(1)
    corpus = charlm.load_corpus()
    model = charlm.CharModel(corpus.vocab.size, hidden_size=16, embed_size=8, seed=0)
    box = widgets.sampler_box(model, corpus.vocab, prompt="class ", length=40, seed=3)
    page = twins.TWINS["sampler_box"](box)
    rows = re.findall(r"<tr><td><code>(.*?)</code></td><td><code>(.*?)</code></td>"
                      r"<td>(.*?)</td></tr>", page, re.S)
    assert len(rows) == len(twins.SAMPLER_PROMPTS) * len(twins.SAMPLER_TEMPERATURES)
    for (prompt, temperature, answer), (p, t) in zip(rows, [
            (p, t) for p in twins.SAMPLER_PROMPTS for t in twins.SAMPLER_TEMPERATURES],
            strict=True):
        assert (prompt, temperature) == (html.escape(repr(p)), repr(t))
        settings = widgets.SamplerSettings(p, t, 0, 40, 3)
        sample = charlm.sample(model, corpus.vocab, p, 40, t, seed=3)
        assert answer == widgets.sampler_html(widgets.sampler_state(settings, settings, sample))
    assert len({answer for *_, answer in rows}) == len(rows)
    assert box.values()["prompt"] == "class " and box.values()["temperature"] == 0.8


def test_pages_built_in_two_processes_equal_those_built_one_after_the_other(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for name, source in (("00_a.ipynb", "widgets.unroll_explorer(T=4)"),
                         ("01_b.ipynb", "widgets.setup_check(w=0.5, T=3)")):
        nb = notebook_with(source)
        nb.cells[0].source = "from rnnbook import widgets"
        nbformat.write(nb, folder / name)
    readme = tmp_path / "README.md"
    readme.write_text("# x\n\nintro\n\n| 00 | [A](notebooks/00_a.ipynb) | a |\n"
                      "| 01 | [B](notebooks/01_b.ipynb) | b |\n")
    one = site.build(tmp_path / "one", folder, readme, log=lambda line: None)
    two = site.build(tmp_path / "two", folder, readme, log=lambda line: None, jobs=2)
    assert one == two == [("00_a.html", 1), ("01_b.html", 1)]
    for page in ("00_a.html", "01_b.html", "index.html"):
        assert (tmp_path / "one" / page).read_text() == (tmp_path / "two" / page).read_text()
    with pytest.raises(ValueError, match="jobs: expected a positive int"):
        site.build(tmp_path / "three", folder, readme, jobs=0)
