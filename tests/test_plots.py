"""rnnbook.plots: every figure drawn from real data, and asserted on its artists."""

from types import SimpleNamespace

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex
from matplotlib.patches import FancyBboxPatch

from rnnbook import cells, gradients, models, plots

H, D, T = 5, 3, 12


@pytest.fixture(autouse=True)
def no_figure_left_open():
    """Every figure function closes its figure in pyplot: none is left behind."""
    before = plt.get_fignums()
    yield
    assert plt.get_fignums() == before


def boxes(ax):
    return [p for p in ax.patches if isinstance(p, FancyBboxPatch)]


def unroll(cell, seed=0, nonlinearity="tanh"):
    rng = np.random.default_rng(seed)
    params = cells.init_params(cell, D, H, rng)
    x = rng.normal(size=(T, 2, D))
    return cells.unroll(cell, x, cells.zero_state(cell, 2, H), params, nonlinearity)


def test_use_style_sets_the_okabe_ito_cycle_and_is_idempotent():
    plots.use_style()
    first = dict(mpl.rcParams)
    plots.use_style()
    assert dict(mpl.rcParams) == first
    assert mpl.rcParams["axes.prop_cycle"].by_key()["color"] == list(plots.OKABE_ITO)
    assert mpl.rcParams["image.cmap"] == "viridis"


def test_rnn_graph_lights_up_to_the_step_and_outlines_it():
    fig = plots.rnn_graph(5, step=2)
    ax = fig.axes[0]
    nodes = boxes(ax)
    assert len(nodes) == 3 + 5 + 6 + 5  # the loop's x, h, y; then x_1..5, h_0..5, y_1..5
    dim = [b for b in nodes if to_hex(b.get_facecolor()) == to_hex(plots.DIM)]
    assert len(dim) == 3 * 3  # x, h, y of steps 3, 4, 5
    bold = [b for b in nodes if b.get_linewidth() > 1.0]
    assert len(bold) == 3  # x_2, h_2, y_2
    assert all(b.get_x() + plots.NODE / 2 == pytest.approx(2.8 + 2) for b in bold)
    assert "T = 5" in ax.get_title()
    labels = {t.get_text() for t in ax.texts}
    assert {"$x_{1}$", "$h_{0}$", "$y_{5}$", "input", "hidden", "output"} <= labels


def test_the_unrolled_graph_names_the_same_three_weights_on_every_step():
    fig = plots.rnn_graph(4)
    weights = [t for t in fig.axes[0].texts if (t.get_gid() or "").startswith("W_")]
    # the loop's three, then W_ih, W_hh and W_hy once per unrolled step
    for which, label in (("W_ih", "$W_{ih}$"), ("W_hh", "$W_{hh}$"), ("W_hy", "$W_{hy}$")):
        named = [t for t in weights if t.get_gid() == which]
        assert len(named) == 1 + 4 and {t.get_text() for t in named} == {label}
    steps = sorted(t.get_position()[0] for t in weights if t.get_gid() == "W_ih")[1:]
    assert steps == pytest.approx([2.8 + s + 0.06 for s in range(1, 5)])  # one per column


@pytest.mark.parametrize("T, step", [(5, None), (6, 3)])  # notebook 02's two figures
def test_the_weight_labels_meet_no_other_label_and_no_box(T, step):
    fig = plots.rnn_graph(T, step)
    renderer = FigureCanvasAgg(fig).get_renderer()
    ax = fig.axes[0]
    labels = [t.get_window_extent(renderer) for t in ax.texts
              if (t.get_gid() or "").startswith("W_")]
    boxes = [p.get_window_extent(renderer) for p in ax.patches if isinstance(p, FancyBboxPatch)]
    assert len(labels) == 3 * (T + 1) and len(boxes) == 3 * T + 4
    for i, label in enumerate(labels):
        assert not any(label.overlaps(other) for other in labels[i + 1:])
        assert not any(label.overlaps(box) for box in boxes)


def test_light_up_colours_each_row_and_dims_later_steps():
    fig, ax = plt.subplots()
    plt.close(fig)
    chain = plots.unrolled_axes(ax, 4)
    plots.light_up(chain, 3)
    assert to_hex(chain.x[3].get_facecolor()) == to_hex(plots.BLUE)
    assert to_hex(chain.h[0].get_facecolor()) == to_hex(plots.ORANGE)
    assert to_hex(chain.y[1].get_facecolor()) == to_hex(plots.GREEN)
    assert to_hex(chain.h[4].get_facecolor()) == to_hex(plots.DIM)
    plots.light_up(chain, 0)  # only h_0 is lit
    lit = [s for s, b in chain.h.items() if to_hex(b.get_facecolor()) != to_hex(plots.DIM)]
    assert lit == [0]


@pytest.mark.parametrize("name", list(plots.ARCHITECTURES))
def test_architecture_diagram_draws_its_inputs_outputs_and_shapes(name):
    arch = plots.ARCHITECTURES[name]
    ax = plots.architecture_diagram(name).axes[0]
    colours = [to_hex(b.get_facecolor()) for b in boxes(ax)]
    assert colours.count(to_hex(plots.BLUE)) == len(arch.x_steps)
    assert colours.count(to_hex(plots.GREEN)) == len(arch.y_steps)
    hidden = colours.count(to_hex(plots.ORANGE)) + colours.count(to_hex(plots.PURPLE))
    assert hidden == arch.steps + (0 in arch.x_steps)  # step 0: an h_0 set by the input
    texts = " ".join(t.get_text() for t in ax.texts)
    assert f"input x: {arch.input_shape}" in texts and f"output y: {arch.output_shape}" in texts
    assert ax.get_title() == name


def test_the_five_architectures_have_the_course_names_and_shapes():
    assert tuple(plots.ARCHITECTURES) == models.ARCHITECTURE_NAMES  # the one source of names
    assert all(arch.name == name for name, arch in plots.ARCHITECTURES.items())
    seq2seq = plots.ARCHITECTURES["seq2seq"]
    assert set(seq2seq.x_steps).isdisjoint(seq2seq.y_steps)  # the decoder reads no input
    assert plots.ARCHITECTURES["many-to-one"].y_steps == (4,)


@pytest.mark.parametrize("name", list(plots.ARCHITECTURES))
def test_decoder_steps_read_the_previous_output_and_the_context(name):
    """Notebook 03's decoder: h_t = cell([embed(y_{t-1}); h_0], h_{t-1}), y_0 = <bos>."""
    arch = plots.ARCHITECTURES[name]
    ax = plots.architecture_diagram(name).axes[0]
    decoder = [s for s in range(1, arch.steps + 1) if arch.decoder_from and s >= arch.decoder_from]
    centres = [b.get_x() + plots.NODE / 2 for b in boxes(ax)
               if to_hex(b.get_facecolor()) == to_hex(plots.PURPLE)]
    assert centres == pytest.approx(decoder)  # the decoder's h nodes, one per decoder step

    def ends(gid):  # (start, end) of each arrow tagged gid: its path's first and third vertex
        return [p.get_path().vertices[[0, 2]] for p in ax.patches if p.get_gid() == gid]

    feedback, context = ends("feedback"), ends("context")
    assert len(feedback) == len(context) == len(decoder)
    for s, (start, end) in zip(decoder, feedback, strict=True):
        assert start[1] > end[1] > 1.0  # from the output row (or <bos>) down into h_s ...
        assert start[0] < s - plots.NODE / 2 + 1e-9 and end[0] == pytest.approx(s - 0.3, abs=0.05)
    for s, (start, end) in zip(decoder, context, strict=True):
        assert start[0] == pytest.approx(s) and start[1] < end[1] <= 1.0  # up into h_s
    texts = [t.get_text() for t in ax.texts]
    assert ("<bos>" in texts) == bool(decoder) and ("context" in texts) == bool(decoder)


def test_architecture_diagram_rejects_an_unknown_name():
    with pytest.raises(ValueError, match="name: expected one of .*'seq2seq', got 'two-to-one'"):
        plots.architecture_diagram("two-to-one")


def test_state_heatmap_shows_the_hidden_states_of_one_batch_element():
    hs, _, _ = unroll("rnn")
    fig = plots.state_heatmap(hs, batch_index=1)
    ax = fig.axes[0]
    image = ax.images[0]
    np.testing.assert_array_equal(image.get_array(), hs[:, 1].T)  # units along y, time along x
    assert image.get_extent() == [0.5, T + 0.5, -0.5, H - 0.5]
    assert ax.get_xlabel() == "time step t" and ax.get_ylabel() == "hidden unit"
    assert len(fig.axes) == 2  # and its colour bar


def test_state_heatmap_rejects_a_batch_index_out_of_range():
    hs, _, _ = unroll("rnn")
    with pytest.raises(ValueError, match="batch_index: expected 0..1, got 2"):
        plots.state_heatmap(hs, batch_index=2)


def test_heatmap_rejects_a_vector():
    with pytest.raises(ValueError, match=r"values: expected shape 2 dimensions, got shape \(4,\)"):
        plots.heatmap(np.zeros(4))


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gate_heatmaps_show_every_gate_of_the_unroll(cell):
    _, _, caches = unroll(cell)
    fig = plots.gate_heatmaps(caches, cell, colorbar=False)
    assert len(fig.axes) == len(cells.GATE_SERIES[cell])
    for ax, name in zip(fig.axes, cells.GATE_SERIES[cell], strict=True):
        want = np.stack([getattr(c, name)[0] for c in caches])  # (T, H)
        np.testing.assert_array_equal(ax.images[0].get_array(), want.T)
        assert ax.get_title() == plots.GATE_TITLE[name]
        if name in ("i", "f", "o", "r", "z"):  # sigmoid gates: coloured on [0, 1]
            assert ax.images[0].get_clim() == (0, 1)
    assert fig.axes[-1].get_xlabel() == "time step t"


def test_gate_ranges_follow_the_cells_gates_and_candidates():
    for cell, names in cells.GATE_SERIES.items():
        for name in names:
            assert name in plots.GATE_TITLE
            if name in cells.GATES[cell]:
                assert plots.GATE_RANGE[name] == (0, 1) and "gate" in plots.GATE_TITLE[name]
            elif name in cells.WEIGHT_BLOCKS[cell]:  # a candidate: a tanh, not a gate
                assert plots.GATE_RANGE[name] == (-1, 1)
                assert plots.GATE_TITLE[name] == f"candidate {name}"
            else:
                assert plots.GATE_RANGE[name] is None  # the cell state: unbounded


def measured_norms(cell, rho, nonlinearity="tanh"):
    rng = np.random.default_rng(1)
    params = gradients.with_spectral_radius(cell, cells.init_params(cell, D, H, rng), rho, rng)
    x = 0.1 * rng.normal(size=(T, 1, D))
    return gradients.gradient_norms(cell, x, cells.zero_state(cell, 1, H), params,
                                    nonlinearity), params


def test_gradient_decay_plots_several_cells_and_the_bound_by_steps_back():
    norms = {cell: measured_norms(cell, 0.8)[0] for cell in ("rnn", "lstm", "gru")}
    bound = gradients.pascanu_bound(measured_norms("rnn", 0.8)[1], T)
    ax = plots.gradient_decay(norms, bound).axes[0]
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["rnn", "lstm", "gru", "Pascanu bound"]
    for line, values in zip(lines, [*norms.values(), bound], strict=True):
        np.testing.assert_array_equal(line.get_xdata(), np.arange(1, T + 1))
        np.testing.assert_array_equal(line.get_ydata(), values[::-1])  # entry T-1 is 1 step back
    assert ax.get_yscale() == "log"
    assert lines[-1].get_linestyle() == "--"
    assert ax.get_xlabel().startswith("steps back") and "partial" in ax.get_ylabel()
    # the bound holds for the vanilla RNN (tanh' <= 1)
    assert np.all(norms["rnn"] <= bound * (1 + 1e-12))


def test_gradient_decay_clips_zero_and_overflow_and_says_so():
    values = np.array([np.inf, 1e-40, 0.0, 1e-3, 1.0])
    ax = plots.gradient_decay({"relu": values}, low=1e-30, high=1e30).axes[0]
    line = ax.get_lines()[0]
    assert line.get_label() == "relu (3 clipped)"
    np.testing.assert_array_equal(line.get_ydata(), [1.0, 1e-3, 1e-30, 1e-30, 1e30])


def test_clip_for_log_counts_what_it_moves():
    clipped = plots.clip_for_log([0.0, 1e-20, 0.5, 1e20, np.inf, np.nan], low=1e-10, high=1e10)
    np.testing.assert_array_equal(clipped.values, [1e-10, 1e-10, 0.5, 1e10, 1e10, 1e10])
    assert (clipped.below, clipped.above, clipped.nonfinite, clipped.count) == (2, 1, 2, 5)


def test_gradient_decay_rejects_a_bare_array():
    with pytest.raises(TypeError, match="norms: expected a non-empty dict"):
        plots.gradient_decay(np.ones(3))


def logistic_regression_history(steps=60, seed=0):
    """A real training run: logistic regression by gradient descent on separable-ish data."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(200, 2))
    y = (x @ [1.5, -1.0] + 0.3 * rng.normal(size=200) > 0).astype(float)
    w = np.zeros(2)
    loss, accuracy = [], []
    for _ in range(steps):
        p = 1 / (1 + np.exp(-x @ w))
        loss.append(float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))))
        accuracy.append(float(np.mean((p > 0.5) == y)))
        w -= 0.5 * x.T @ (p - y) / len(y)
    return loss, accuracy


def test_training_curves_from_a_dict_with_accuracy():
    loss, accuracy = logistic_regression_history()
    fig = plots.training_curves({"loss": loss, "accuracy": accuracy, "steps": range(0, 120, 2)})
    ax, right = fig.axes
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), loss)
    np.testing.assert_array_equal(ax.get_lines()[0].get_xdata(), np.arange(0, 120, 2))
    np.testing.assert_array_equal(right.get_lines()[0].get_ydata(), accuracy)
    assert ax.get_ylabel() == "loss" and right.get_ylabel() == "fraction"
    assert ax.get_xlabel() == "training step" and ax.get_title() == "Training curves"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "loss", "accuracy (training batch)"]
    assert loss[-1] < loss[0] and accuracy[-1] > 0.9  # it did train


def test_training_curves_from_a_real_training_run():
    torch = pytest.importorskip("torch")
    from rnnbook import data, models, train

    torch.set_num_threads(1)
    ds = data.sentiment(n_train=300, n_test=100, seed=0)
    model = models.ManyToOne(ds.n_in, ds.n_out, cell="gru", hidden_size=16, seed=0)
    history = train.train(model, ds, steps=30, batch_size=32, eval_every=10, progress=False)
    ax, right = plots.training_curves(history).axes
    loss, accuracy = ax.get_lines()[0], right.get_lines()[0]
    np.testing.assert_array_equal(loss.get_xdata(), np.arange(1, 31))  # after steps 1..30
    np.testing.assert_array_equal(loss.get_ydata(), history.loss)
    np.testing.assert_array_equal(accuracy.get_ydata(), history.accuracy)
    scores = right.get_lines()[1]
    np.testing.assert_array_equal(scores.get_xdata(), [10, 20, 30])
    np.testing.assert_array_equal(scores.get_ydata(), history.scores)
    assert scores.get_label() == "test accuracy"


def test_training_curves_put_an_mse_on_the_loss_axis_and_skip_empty_accuracy():
    loss, _ = logistic_regression_history(steps=20)
    history = SimpleNamespace(loss=loss, accuracy=[], metric="mse", eval_steps=[10, 20],
                              scores=[0.17, 0.05])
    (ax,) = plots.training_curves(history, logy=True).axes  # no accuracy: no right axis
    assert [line.get_label() for line in ax.get_lines()] == ["loss", "test mse"]
    np.testing.assert_array_equal(ax.get_lines()[0].get_xdata(), np.arange(1, 21))
    assert ax.get_yscale() == "log"


def test_training_curves_with_accuracy_at_its_own_steps_on_given_axes():
    loss, accuracy = logistic_regression_history()
    fig, ax = plt.subplots()
    plt.close(fig)
    history = {"loss": loss, "accuracy": accuracy[::10], "accuracy_steps": range(0, 60, 10)}
    assert plots.training_curves(history, ax=ax) is fig
    np.testing.assert_array_equal(fig.axes[1].get_lines()[0].get_xdata(), range(0, 60, 10))


def test_training_curves_keep_a_diverged_loss():
    fig = plots.training_curves({"loss": [1.0, 10.0, np.inf, np.nan]})
    np.testing.assert_array_equal(fig.axes[0].get_lines()[0].get_ydata(),
                                  [1.0, 10.0, np.inf, np.nan])


def test_training_curves_name_what_is_missing_or_mismatched():
    with pytest.raises(TypeError, match="history: expected a non-empty .loss or \\['loss'\\], "
                                        "got dict"):
        plots.training_curves({"losses": [1.0]})
    with pytest.raises(ValueError, match=r"history.accuracy: expected one value per step \(3\), "
                                         r"got 2; give history.accuracy_steps"):
        plots.training_curves({"loss": [1.0, 0.5, 0.2], "accuracy": [0.5, 0.9]})
    with pytest.raises(ValueError, match=r"history.loss: expected one value per step \(2\), "
                                         r"got 3; give history.steps"):
        plots.training_curves({"loss": [1.0, 0.5, 0.2], "steps": [0, 1]})
    with pytest.raises(ValueError, match="history.eval_steps: expected the step of each of "
                                         "history.scores, got none"):
        plots.training_curves({"loss": [1.0], "scores": [0.5]})


def test_rnn_graph_names_a_bad_step():
    with pytest.raises(ValueError, match=r"step: expected an int in \[0, 3\], got 4"):
        plots.rnn_graph(3, step=4)
    with pytest.raises(TypeError, match=r"step: expected an int in \[0, 3\], got float 1.5"):
        plots.rnn_graph(3, step=1.5)


def test_figure_functions_reject_something_that_is_not_axes():
    with pytest.raises(TypeError, match="ax: expected a matplotlib Axes or None, got str"):
        plots.rnn_graph(3, ax="left")


def test_gradient_decay_panels_draw_one_setting_per_panel_on_a_shared_log_axis():
    panels = {}
    for rho in (0.8, 1.2):
        norms, params = measured_norms("rnn", rho)
        panels[f"rho = {rho}"] = (norms, gradients.pascanu_bound(params, T))
    fig = plots.gradient_decay_panels(panels)
    assert len(fig.axes) == 2
    for ax, (title, (norms, bound)) in zip(fig.axes, panels.items(), strict=True):
        assert ax.get_title() == title and ax.get_yscale() == "log"
        measured, drawn_bound = ax.get_lines()
        assert measured.get_label() == "measured" and drawn_bound.get_label() == "Pascanu bound"
        np.testing.assert_array_equal(measured.get_ydata(), norms[::-1])
        np.testing.assert_array_equal(drawn_bound.get_ydata(), bound[::-1])
    assert fig.axes[0].get_shared_y_axes().joined(*fig.axes)
    assert fig.axes[1].get_ylabel() == "" and "partial" in fig.axes[0].get_ylabel()
    # below 1 the bound shrinks with every step back, above 1 it grows
    assert panels["rho = 0.8"][1][0] < 1 < panels["rho = 1.2"][1][0]


def test_gradient_decay_panels_name_a_bad_panel():
    with pytest.raises(TypeError, match="panels: expected a non-empty dict"):
        plots.gradient_decay_panels({})
    with pytest.raises(TypeError, match=r"panels\['a'\]: expected a pair \(norms, bound\)"):
        plots.gradient_decay_panels({"a": np.ones(3)})


def test_clipping_curves_draw_each_run_and_the_threshold():
    torch = pytest.importorskip("torch")
    from rnnbook import data, models, train

    torch.set_num_threads(1)
    ds = data.sines(T=20, n_train=64, n_test=16, seed=0)
    runs = {}
    for clip in (None, 0.05):
        model = models.Tagger(1, 1, cell="rnn", hidden_size=8, embed=None, seed=0)
        runs[f"clip {clip}"] = train.train(model, ds, steps=15, batch_size=16, clip=clip,
                                           progress=False)
    fig = plots.clipping_curves(runs, clip=0.05)
    left, right = fig.axes
    assert left.get_yscale() == right.get_yscale() == "log"
    for ax, name in ((left, "grad_norm"), (right, "loss")):
        lines = ax.get_lines()
        assert [line.get_label() for line in lines[:2]] == ["clip None", "clip 0.05"]
        for line, history in zip(lines[:2], runs.values(), strict=True):
            np.testing.assert_array_equal(line.get_xdata(), np.arange(1, 16))
            np.testing.assert_array_equal(line.get_ydata(), getattr(history, name))
    threshold = left.get_lines()[2]
    assert threshold.get_label() == "clip = 0.05" and threshold.get_linestyle() == ":"
    np.testing.assert_array_equal(threshold.get_ydata(), [0.05, 0.05])
    # the runs part after the first clipped step: clipping changed the updates
    assert runs["clip 0.05"].grad_norm[0] > 0.05
    assert runs["clip None"].loss[1:] != runs["clip 0.05"].loss[1:]


def test_clipping_curves_name_what_is_missing():
    with pytest.raises(TypeError, match="runs: expected a non-empty dict"):
        plots.clipping_curves([])
    with pytest.raises(TypeError, match=r"runs\['a'\]: expected a history with .grad_norm"):
        plots.clipping_curves({"a": {"loss": [1.0, 0.5]}})
    with pytest.raises(ValueError, match="clip: expected a number >= 0"):
        plots.clipping_curves({"a": {"loss": [1.0], "grad_norm": [2.0]}}, clip=-1)


# --------------------------------------------------------------------------- sequence window

def line(ax, label):
    return next(line for line in ax.get_lines() if line.get_label() == label)


def test_sequence_window_draws_the_window_and_what_the_model_sees():
    series = np.sin(0.4 * np.arange(20))
    seen = series[5:9][::-1]  # the window's values, in the order a model might see them
    ax = plots.sequence_window(series, 5, seen, prediction=0.3).axes[0]
    np.testing.assert_array_equal(line(ax, "the series").get_ydata(), series)
    np.testing.assert_array_equal(line(ax, "the model sees").get_xydata(),
                                  np.column_stack([np.arange(5, 9), seen]))
    np.testing.assert_array_equal(line(ax, "next value").get_xydata(), [[9, series[9]]])
    np.testing.assert_array_equal(line(ax, "its guess").get_xydata(), [[9, 0.3]])
    span = next(p for p in ax.patches if isinstance(p, mpl.patches.Rectangle))
    assert (span.get_x(), span.get_width()) == (4.5, 4)
    low, high = ax.get_ylim()
    assert low < series.min() and high > series.max()


def test_show_window_at_the_end_has_no_next_value():
    fig = plots.sequence_window(np.arange(6.0), 0, [0.0, 1.0])
    artists = plots.window_axes(fig.axes[0], np.arange(6.0))
    plots.show_window(artists, 3, [3.0, 4.0, 5.0], prediction=6.0)
    assert len(artists.target.get_xdata()) == 0 and len(artists.prediction.get_xdata()) == 0
    with pytest.raises(ValueError, match=r"start: expected an int in \[0, 3\], got 4"):
        plots.show_window(artists, 4, [3.0, 4.0, 5.0])
    with pytest.raises(ValueError, match=r"seen: expected 1 to 6 values .*, got 7"):
        plots.show_window(artists, 0, np.zeros(7))


def test_window_errors_draws_both_curves_the_floor_and_the_width():
    widths, in_order, shuffled = np.arange(1, 5), [0.1, 0.05, 0.03, 0.03], [0.1, 0.2, 0.3, 0.4]
    ax = plots.window_errors(widths, in_order, shuffled, floor=0.01, width=3).axes[0]
    assert ax.get_yscale() == "log"
    np.testing.assert_array_equal(line(ax, "in order").get_xydata(),
                                  np.column_stack([widths, in_order]))
    np.testing.assert_array_equal(line(ax, "shuffled").get_ydata(), shuffled)
    np.testing.assert_array_equal(line(ax, "noise floor").get_ydata(), [0.01, 0.01])
    assert [list(ln.get_xdata()) for ln in ax.get_lines()][-1] == [3, 3]
    with pytest.raises(ValueError, match=r"shuffled: expected shape \(4\), got shape \(3,\)"):
        plots.window_errors(widths, in_order, shuffled[:3])


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_cell_diagram_panels_highlight_one_block_each(cell):
    """One panel per weight block; in each, exactly that block's path is bold and coloured."""
    fig = plots.cell_diagram_panels(cell)
    blocks = cells.WEIGHT_BLOCKS[cell]
    drawn = [ax for ax in fig.axes if ax.patches]
    assert len(drawn) == len(blocks)
    for ax, block in zip(drawn, blocks, strict=True):
        bold = [p for p in ax.patches if p.get_linewidth() > 2]
        colour = to_hex(plots.BLOCK_COLOUR[block])
        lit_boxes = [p for p in ax.patches if to_hex(p.get_facecolor()) == colour]
        assert lit_boxes, f"{cell} {block}: no box filled with its colour"
        assert all(p.get_linewidth() > 2 for p in lit_boxes)
        # Nothing of another block's colour is lit (the colours differ within a cell).
        others = {to_hex(plots.BLOCK_COLOUR[b]) for b in blocks if b != block}
        assert not [p for p in bold if to_hex(p.get_edgecolor()) in others
                    or to_hex(p.get_facecolor()) in others]
        assert f"{block}_t" in ax.get_title()  # the panel is titled with its block's equation


def test_highlight_lights_exactly_the_blocks_path():
    fig, ax = plots.closed_subplots()
    artists = plots.cell_axes(ax, "lstm")
    plots.highlight(artists, "f")
    f_path = set(map(id, artists.parts["f"]))
    assert {id(artists.boxes["f"]), id(artists.boxes["f_times"])} <= f_path
    for part in artists.parts.values():
        for artist in part:
            assert (artist.get_linewidth() > 2) == (id(artist) in f_path)
    assert to_hex(artists.boxes["f"].get_facecolor()) == to_hex(plots.VERMILLION)
    assert to_hex(artists.boxes["i"].get_facecolor()) == "#ffffff"
    # The candidate g and the input gate i share the product i * g and its wire to the sum.
    assert artists.boxes["ig_times"] in artists.parts["i"]
    assert artists.boxes["ig_times"] in artists.parts["g"]
    plots.highlight(artists, None)
    assert all(a.get_linewidth() == 1.0 for part in artists.parts.values() for a in part)
    # The carried state (the LSTM's cell state) is always the thick line.
    assert all(a.get_linewidth() > 2 for a in artists.carried)
    labels = {t.get_text() for t in ax.texts}
    assert {"$c_{t-1}$", "$c_t$", "$h_{t-1}$", "$h_t$", "$x_t$", "$f_t$", "$i_t$", "$g_t$",
            "$o_t$"} <= labels


def test_gru_diagram_draws_the_reset_gate_after_the_matrix_product():
    """PyTorch's convention: r_t multiplies W_hn h_{t-1} + b_hn, drawn as a wire into r's ⊙."""
    fig, ax = plots.closed_subplots()
    artists = plots.cell_axes(ax, "gru")
    labels = {t.get_text() for t in ax.texts}
    assert {"$h_{t-1}$", "$h_t$", "$x_t$", "$r_t$", "$z_t$", "$n_t$",
            r"$W_{hn} h_{t-1} + b_{hn}$"} <= labels
    assert artists.boxes["r_times"] in artists.parts["r"]
    assert artists.boxes["n_times"] in artists.parts["z"]
    assert artists.boxes["n_times"] in artists.parts["n"]


def test_cell_diagram_names_a_bad_cell_or_block():
    with pytest.raises(ValueError, match="cell: expected one of 'lstm', 'gru', got 'rnn'"):
        plots.cell_diagram("rnn")
    with pytest.raises(ValueError, match="block: expected one of 'r', 'z', 'n', got 'f'"):
        plots.cell_diagram("gru", block="f")
