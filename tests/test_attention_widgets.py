"""Notebook 07's figures and its attention explorer, without a browser."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from test_widgets import full_render, pixels  # noqa: E402

from rnnbook import data, models, plots, widgets  # noqa: E402


@pytest.fixture(scope="module")
def copier():
    ds = data.copying(max_len=8, n_train=50, n_per_length=2)
    return models.AttentionSeq2Seq(ds.n_in, ds.n_out, hidden_size=8, embed=4, seed=0), ds


def test_attention_run_decodes_and_keeps_one_distribution_per_output_step(copier):
    model, ds = copier
    run = widgets.attention_run(model, ds, "abcd")
    assert run.source == ("a", "b", "c", "d")
    assert run.weights.shape == (len(run.output), 4)
    np.testing.assert_allclose(run.weights.sum(1), 1.0, atol=1e-6)
    assert len(run.output) <= 6 and (run.output[-1] == "<eos>" or len(run.output) == 6)
    with pytest.raises(ValueError, match="unknown char 'z'"):
        widgets.attention_run(model, ds, "abz")
    with pytest.raises(TypeError, match="model: expected a models.AttentionSeq2Seq"):
        widgets.attention_run(models.Seq2Seq(ds.n_in, ds.n_out), ds, "ab")


def test_decoder_step_picks_the_row_and_moves_a_late_t_into_range():
    run = widgets.AttentionRun(("a", "b"), ("b", "a", "<eos>"),
                                         np.array([[0.2, 0.8], [0.9, 0.1], [0.5, 0.5]]))
    step = widgets.decoder_step(run, 2)
    assert (step.t, step.token, step.top) == (2, "a", 0) and step.note == ""
    late = widgets.decoder_step(run, 7)
    assert late.t == 3 and "3 steps" in late.note
    assert "'a' at 1 (0.90)" in widgets.step_html(run, step)
    with pytest.raises(ValueError, match="t: expected a positive int"):
        widgets.decoder_step(run, 0)


def test_explorer_follows_its_controls(copier):
    model, ds = copier
    explorer = widgets.attention_explorer(model, ds, ["abcdef", "ab"])
    first = explorer.image.value
    assert explorer.state.t == 1
    assert explorer.controls["t"].max == len(explorer.runs["abcdef"].output)
    explorer.controls["t"].value = 3
    run = explorer.runs["abcdef"]
    assert explorer.state.t == 3
    np.testing.assert_array_equal(explorer.state.weights, run.weights[2])
    assert explorer.image.value != first
    assert "decoder step 3" in explorer.text.value
    explorer.controls["example"].value = "ab"  # a shorter output: t and its slider follow
    assert explorer.controls["t"].max == len(explorer.runs["ab"].output)
    assert explorer.state.t <= explorer.controls["t"].max
    np.testing.assert_array_equal(explorer.state.weights,
                                  explorer.runs["ab"].weights[explorer.state.t - 1])
    with pytest.raises(TypeError, match="examples: expected a sequence of str, got 'ab'"):
        widgets.attention_explorer(model, ds, "ab")


def test_explorer_frames_on_kept_backgrounds_match_a_full_draw(copier):
    """Each input's heatmap and labels are drawn once, when the explorer is built, and each
    (input, t)'s frame once: what is shown, going back and forth, is the whole figure drawn."""
    model, ds = copier
    explorer = widgets.attention_explorer(model, ds, ["abcdef", "ab", "bca"])
    controls = explorer.controls
    seen = {}
    for example, t in [("abcdef", 1), ("abcdef", 4), ("ab", 2), ("bca", 1), ("abcdef", 4),
                       ("ab", 1), ("abcdef", 1)]:
        controls["example"].value = example
        controls["t"].value = t
        assert (explorer.state.t, controls["example"].value) == (t, example)
        shown = explorer.image.value
        # All equal but (at most) the outline's corner on the left spine, which the blitted
        # spine covers once more (a shade darker); another input's labels would move hundreds.
        differ = np.any(pixels(shown) != full_render(explorer.figure), axis=2)
        assert np.count_nonzero(differ) <= 1
        assert seen.setdefault((example, t), bytes(shown)) == bytes(shown)


def test_alignment_and_accuracy_figures_check_their_data():
    fig = plots.alignment(np.eye(3), "abc", "abc")
    assert fig.axes[0].images[0].get_array().shape == (3, 3)
    with pytest.raises(ValueError, match=r"weights: expected shape \(3, 2\), got shape \(3, 3\)"):
        plots.alignment(np.eye(3), "ab", "abc")
    fig = plots.accuracy_by_length([2, 3], {"a": [1.0, 0.5], "b": [1.0, 1.0]})
    assert [line.get_label() for line in fig.axes[0].lines] == ["a", "b"]
    with pytest.raises(ValueError, match=r"curves\['a'\]: expected shape \(2\), got shape \(1,\)"):
        plots.accuracy_by_length([2, 3], {"a": [1.0]})


def test_bidirectional_diagram_draws_both_passes():
    fig = plots.bidirectional_diagram(["the", "bank"], tags=["-", "shore"])
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "forward pass" in texts and "backward pass" in texts and "shore" in texts
    with pytest.raises(ValueError, match=r"tags: expected 2 items, got 1"):
        plots.bidirectional_diagram(["the", "bank"], tags=["-"])
