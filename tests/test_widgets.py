"""rnnbook.widgets, headless: build each widget, set its controls, assert what changed.

As ipywidgets' own tests do: setting a control's ``.value`` runs the observer, and the test
reads the state, the plotted artists, the HTML and the PNG bytes it produced.
"""

import io

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex, to_rgb
from PIL import Image

from rnnbook import baselines, cells, data, gradients, plots, widgets


@pytest.fixture(autouse=True)
def no_pyplot_figure():
    """The widgets draw on Agg figures unknown to pyplot: none is ever left open."""
    yield
    assert plt.get_fignums() == []


def pixels(png):
    return np.asarray(Image.open(io.BytesIO(png)))


def descendants(widget):
    for child in getattr(widget, "children", ()):
        yield child
        yield from descendants(child)


def assert_play_drives(explorer, slider):
    play = explorer.play
    assert isinstance(play, ipywidgets.Play) and play in descendants(explorer)
    assert (play.min, play.max) == (slider.min, slider.max)
    assert play.interval > 0


# --------------------------------------------------------------------------- unroll explorer

def test_unroll_explorer_shows_the_numpy_rnn_step_by_step():
    explorer = widgets.unroll_explorer(T=5, input_size=3, hidden_size=4, output_size=2, seed=1)
    run, t = explorer.run, explorer.controls["t"]
    # the run is cells.unroll's, with h_0 = 0 in front and y_t = W_hy h_t + b_y
    assert run.hs.shape == (6, 4) and run.ys.shape == (6, 2)
    np.testing.assert_array_equal(run.hs[0], 0)
    params = cells.init_params("rnn", 3, 4, np.random.default_rng(1))
    np.testing.assert_allclose(run.hs[1], cells.rnn_step(run.x[:1], np.zeros((1, 4)), params)[0])
    np.testing.assert_allclose(run.hs[3], cells.rnn_step(run.x[2:3], run.hs[2:3], params)[0])

    first = explorer.image.value
    t.value = 3
    state = explorer.state
    assert state.t == 3
    np.testing.assert_array_equal(state.h_prev, run.hs[2])
    np.testing.assert_array_equal(state.h_t, run.hs[3])
    np.testing.assert_array_equal(state.x_t, run.x[2])
    assert f"{state.h_t[0]:+.2f}" in explorer.text.value and "h<sub>2</sub>" in explorer.text.value
    assert explorer.image.value != first
    assert to_hex(explorer.chain.h[3].get_facecolor()) == to_hex(plots.ORANGE)
    assert to_hex(explorer.chain.h[4].get_facecolor()) == to_hex(plots.DIM)
    assert explorer.chain.x[3].get_linewidth() > explorer.chain.x[2].get_linewidth()


def test_unroll_explorer_at_both_ends_of_the_slider():
    explorer = widgets.unroll_explorer(T=4)
    t = explorer.controls["t"]
    t.value = 4
    assert explorer.state.t == 4
    lit = [s for s, b in explorer.chain.y.items()
           if to_hex(b.get_facecolor()) != to_hex(plots.DIM)]
    assert lit == [1, 2, 3, 4]
    last = explorer.image.value
    t.value = 1
    np.testing.assert_array_equal(explorer.state.h_prev, 0)  # h_0
    assert explorer.image.value != last
    assert pixels(explorer.image.value).shape[2] == 3
    assert_play_drives(explorer, t)


def test_unroll_readout_is_cells_readout():
    explorer = widgets.unroll_explorer(T=3, hidden_size=4, output_size=2, seed=0)
    step = widgets.unroll_step(explorer.run, 2)
    rng = np.random.default_rng(0)
    cells.init_params("rnn", 3, 4, rng)
    weight = rng.uniform(-1, 1, size=(2, 4)) / 2
    np.testing.assert_allclose(step.y_t, cells.readout(step.h_t, weight, np.zeros(2)))


def test_unroll_step_rejects_a_step_out_of_range():
    explorer = widgets.unroll_explorer(T=3)
    with pytest.raises(ValueError, match=r"t: expected an int in \[1, 3\], got 4"):
        widgets.unroll_step(explorer.run, 4)


# --------------------------------------------------------------------------- gradient decay

def set_controls(explorer, **values):
    for name, value in values.items():
        explorer.controls[name].value = value


SETTINGS = [  # the controls' extremes and the middle
    dict(cell="rnn", rho=0.5, T=5, nonlinearity="tanh", input_scale=0.001),
    dict(cell="rnn", rho=1.5, T=100, nonlinearity="relu", input_scale=10.0),
    dict(cell="rnn", rho=1.5, T=100, nonlinearity="tanh", input_scale=0.001),
    dict(cell="rnn", rho=0.5, T=100, nonlinearity="tanh", input_scale=10.0),
    dict(cell="lstm", rho=1.5, T=60, nonlinearity="tanh", input_scale=1.0),
    dict(cell="gru", rho=0.5, T=100, nonlinearity="tanh", input_scale=0.001),
    dict(cell="rnn", rho=1.0, T=50, nonlinearity="relu", input_scale=0.1),
]


@pytest.fixture(scope="module")
def gradient_explorer():
    return widgets.gradient_decay_explorer(gradients.gradient_curves)


@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: "-".join(map(str, s.values())))
def test_plotted_gradient_norms_are_the_given_curves(gradient_explorer, settings):
    explorer = gradient_explorer
    set_controls(explorer, **settings)
    T = settings["T"]
    assert explorer.controls["steps_back"].value == T  # a new T shows its whole curve
    state = explorer.state
    curves = gradients.gradient_curves(gradients.GradientSettings(**settings))
    want = curves.norms
    np.testing.assert_array_equal(state.curves.norms, want)

    low, high = widgets.LOG_RANGE
    y = explorer.artists.measured.get_ydata()
    np.testing.assert_array_equal(explorer.artists.measured.get_xdata(), np.arange(1, T + 1))
    assert len(y) == T and np.all(np.isfinite(y)) and np.all((y >= low) & (y <= high))
    inside = (want[::-1] >= low) & (want[::-1] <= high)
    np.testing.assert_array_equal(y[inside], want[::-1][inside])  # drawn as measured
    np.testing.assert_array_equal(y[~inside], np.clip(want[::-1][~inside], low, high))

    bound = explorer.artists.bound.get_ydata()
    legend = [t.get_text() for t in explorer.figure.axes[0].get_legend().get_texts()]
    if settings["cell"] == "rnn":
        np.testing.assert_array_equal(bound, np.clip(curves.bound[::-1], low, high))
        assert np.all(np.isfinite(bound))
        assert legend[1] == "Pascanu bound (vanilla RNN)"
    else:  # the bound is the vanilla RNN's: a gated cell gets none
        assert curves.bound is None and len(bound) == 0
        assert legend[1] == "no bound: a gated cell" and "No bound drawn" in state.caption

    clipped = (~inside).sum() + (state.shown_bound.count if state.shown_bound else 0)
    if clipped:
        assert "Clipped to the plot's range" in state.caption
        assert explorer.artists.clip_label.get_text() == f"{clipped} values clipped at the edge"
    else:
        assert "Clipped" not in state.caption and explorer.artists.clip_label.get_text() == ""


def test_gradient_decay_shows_vanishing_and_exploding_at_small_input_scale(gradient_explorer):
    explorer = gradient_explorer
    set_controls(explorer, cell="rnn", nonlinearity="tanh", input_scale=0.001, T=30, rho=0.7)
    assert explorer.state.curves.norms[0] < 1e-3  # 30 steps back at rho = 0.7: vanished
    explorer.controls["rho"].value = 1.2
    assert explorer.state.curves.norms[0] > 1e1  # exploded
    explorer.controls["input_scale"].value = 10.0
    assert explorer.state.curves.norms[0] < 1e-6  # saturated tanh kills it


def test_gradient_decay_steps_back_moves_the_cursor_only(gradient_explorer):
    explorer = gradient_explorer
    set_controls(explorer, cell="gru", rho=0.9, T=40, input_scale=0.01)
    curves, image = explorer.state.curves, explorer.image.value
    explorer.controls["steps_back"].value = 7
    state = explorer.state
    assert state.curves is curves  # not recomputed
    assert len(explorer.artists.measured.get_ydata()) == 7
    np.testing.assert_array_equal(explorer.artists.cursor.get_xdata(), [7])
    np.testing.assert_array_equal(explorer.artists.cursor.get_ydata(), [curves.norms[40 - 7]])
    assert f"after 7 steps back the gradient norm is {curves.norms[33]:.2e}" in state.caption
    assert explorer.text.value == state.caption  # no HTML to escape in it
    assert explorer.image.value != image


def test_gradient_decay_play_follows_T_and_the_activation_is_rnn_only(gradient_explorer):
    explorer = gradient_explorer
    set_controls(explorer, cell="rnn", T=20)
    steps = explorer.controls["steps_back"]
    assert_play_drives(explorer, steps)
    assert steps.max == explorer.play.max == 20
    assert not explorer.controls["nonlinearity"].disabled
    assert explorer.controls["gate_bias"].layout.display == "none"  # no gate to bias
    explorer.controls["cell"].value = "lstm"
    assert explorer.controls["nonlinearity"].disabled
    assert explorer.controls["gate_bias"].layout.display is None
    assert explorer.state.caption.startswith("LSTM, rho")


def test_gradient_decay_keep_bias_gives_the_gated_cells_their_own_meaning(gradient_explorer):
    explorer = gradient_explorer
    set_controls(explorer, cell="lstm", rho=0.9, T=50, input_scale=1.0, gate_bias=0.0)
    low = explorer.state.curves.norms[0]
    assert "forget-gate bias 0.0 (f = sigmoid(0.0) = 0.50 at a zero state)" in (
        explorer.state.caption)
    explorer.controls["gate_bias"].value = 3.0
    state = explorer.state
    assert state.settings.gate_bias == 3.0 and "f = sigmoid(3.0) = 0.95" in state.caption
    assert low < 1e-6 and state.curves.norms[0] > 1e-2  # the gradient now survives 50 steps
    explorer.controls["cell"].value = "gru"
    assert "update-gate bias 3.0 (z = sigmoid(3.0) = 0.95" in explorer.state.caption
    explorer.controls["cell"].value = "rnn"  # the vanilla RNN has no such gate
    assert explorer.state.settings.gate_bias == 0.0


def test_gradient_decay_explorer_measures_with_the_function_it_is_given():
    asked = []

    def flat(settings):  # a stand-in measurement: every norm 0.5, every bound 2
        asked.append(settings)
        return gradients.GradientCurves(np.full(settings.T, 0.5), np.full(settings.T, 2.0))

    explorer = widgets.gradient_decay_explorer(flat, max_T=20)
    assert asked == [gradients.GradientSettings("rnn", 0.9, 20, "tanh", 0.01)]
    np.testing.assert_array_equal(explorer.artists.measured.get_ydata(), np.full(20, 0.5))
    explorer.controls["steps_back"].value = 3  # the cursor alone measures nothing new
    explorer.controls["rho"].value = 1.2
    assert len(asked) == 2 and asked[-1].rho == 1.2
    assert "the gradient norm is 5.00e-01 (bound 2.00e+00)" in explorer.state.caption


def test_gradient_decay_explorer_rejects_bad_arguments():
    with pytest.raises(ValueError, match="max_T: expected an int >= 5, got 3"):
        widgets.gradient_decay_explorer(gradients.gradient_curves, max_T=3)
    with pytest.raises(TypeError, match="curves: expected a callable, got int"):
        widgets.gradient_decay_explorer(100)


# --------------------------------------------------------------------------- gate inspector

def test_gate_inspector_shows_every_gate_of_both_cells_on_the_same_input():
    explorer = widgets.gate_inspector(T=8, input_size=3, hidden_size=4, seed=2)
    runs = explorer.runs
    x = runs.x[:, None]  # (T, 1, D)
    for cell in ("lstm", "gru"):
        rng = np.random.default_rng(2)
        rng.normal(size=(8, 1, 3))  # the same draws, in the same order, as the inspector
        lstm = widgets.scaled(cells.init_params("lstm", 3, 4, rng), 3.0)
        gru = widgets.scaled(cells.init_params("gru", 3, 4, rng), 3.0)
        params = lstm if cell == "lstm" else gru
        hs, _, caches = cells.unroll(cell, x, cells.zero_state(cell, 1, 4), params)
        for name in cells.GATE_SERIES[cell]:
            want = np.stack([getattr(c, name)[0] for c in caches])
            np.testing.assert_array_equal(getattr(runs, cell)[name], want)
        np.testing.assert_array_equal(getattr(runs, cell)["h"], hs[:, 0])
    assert set(explorer.images) == {("lstm", n) for n in "ifgoch"} | {("gru", n) for n in "rznh"}

    t = explorer.controls["t"]
    first = explorer.image.value
    t.value = 5
    state = explorer.state
    np.testing.assert_array_equal(state.lstm["f"], runs.lstm["f"][4])
    np.testing.assert_array_equal(state.gru["z"], runs.gru["z"][4])
    assert "step t = 5" in explorer.text.value
    assert f"mean {runs.lstm['f'][4].mean():+.2f}" in explorer.text.value
    assert explorer.image.value != first
    for (cell, name), image in explorer.images.items():  # drawn whole; blanked after t
        np.testing.assert_array_equal(image.get_array(), getattr(runs, cell)[name].T)


@pytest.mark.parametrize("t", [1, 5, 19, 20])
def test_gate_inspector_frame_shows_the_steps_up_to_t_and_blanks_the_rest(t):
    """Each frame is the picture of heatmaps masked after step t (blank: the axes' colour),
    the input x whole, drawn in full: the blanking rectangles change no other pixel."""
    explorer = widgets.gate_inspector()
    explorer.controls["t"].value = t
    figure, runs = explorer.figure, explorer.runs
    assert [blank.axes for blank in explorer.blanks] == [image.axes for image in
                                                         explorer.images.values()]
    for blank in explorer.blanks:  # one per gate heatmap, none on the input x
        blank.set_visible(False)
    for (cell, name), image in explorer.images.items():
        values = getattr(runs, cell)[name].T  # (H, T)
        image.set_data(np.ma.masked_array(values, np.broadcast_to(np.arange(20) >= t,
                                                                   values.shape)))
    want = full_render(figure)
    np.testing.assert_array_equal(pixels(explorer.image.value), want)
    white = np.asarray(to_rgb(figure.axes[0].get_facecolor())) * 255
    bbox = figure.axes[0].get_window_extent()  # the LSTM's input gate, whole steps after t
    x_after = bbox.x0 + (t + 0.5) / 20 * bbox.width
    columns = slice(int(np.ceil(x_after)) + 2, int(bbox.x1) - 2)
    rows = slice(int(want.shape[0] - bbox.y1) + 2, int(want.shape[0] - bbox.y0) - 2)
    assert np.all(want[rows, columns] == white)


def test_gate_inspector_at_both_ends_and_with_given_params():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(6, 1, 2))
    lstm, gru = cells.init_params("lstm", 2, 3, 5), cells.init_params("gru", 2, 3, 6)
    explorer = widgets.gate_inspector(x=x, lstm_params=lstm, gru_params=gru)
    t = explorer.controls["t"]
    assert t.max == 6
    _, _, caches = cells.unroll("gru", x, cells.zero_state("gru", 1, 3), gru)
    np.testing.assert_array_equal(explorer.runs.gru["r"][5], caches[5].r[0])
    t.value = 6
    assert all(blank.get_width() == 0 for blank in explorer.blanks)  # nothing blanked
    np.testing.assert_array_equal(explorer.figure.axes[0].lines[0].get_xdata(), [6, 6])
    full = explorer.image.value
    t.value = 1
    assert all((blank.get_x(), blank.get_width()) == (1.5, 5) for blank in explorer.blanks)
    assert explorer.image.value != full
    assert_play_drives(explorer, t)


def test_gate_inspector_rejects_mismatched_params():
    with pytest.raises(ValueError, match="params\\['weight_hh'\\]: expected shape \\(24, 6\\)"):
        widgets.gate_inspector(lstm_params=cells.init_params("gru", 3, 6))
    with pytest.raises(TypeError, match="gru_params: expected a dict of gru params"):
        widgets.gate_inspector(gru_params=[1, 2])


def test_gate_inspector_takes_its_input_size_from_a_given_x():
    x = np.random.default_rng(3).normal(size=(7, 1, 5))
    explorer = widgets.gate_inspector(x=x)
    assert explorer.runs.x.shape == (7, 5) and explorer.controls["t"].max == 7


# --------------------------------------------------------------------------- architectures

def test_architecture_chooser_shows_each_diagram_and_its_shapes():
    explorer = widgets.architecture_chooser()
    choice = explorer.controls["architecture"]
    assert list(choice.options) == list(plots.ARCHITECTURES)
    seen = {}
    for name, arch in plots.ARCHITECTURES.items():
        choice.value = name
        assert explorer.state is arch
        assert arch.input_shape in explorer.text.value
        assert arch.output_shape in explorer.text.value
        seen[name] = pixels(explorer.image.value)
        figure = widgets.new_figure((5.0, 3.0))  # the same diagram, drawn afresh
        plots.architecture_diagram(name, ax=figure.subplots())
        # the same picture, up to anti-aliasing where the layout differs by a rounding error
        assert different(seen[name], pixels(widgets.render_png(figure))) < 0.01
    names = list(seen)
    assert all(different(seen[a], seen[b]) > 0.02 for a in names for b in names if a != b)
    choice.value = "one-to-one"
    np.testing.assert_array_equal(pixels(explorer.image.value), seen["one-to-one"])


def different(a, b):
    """The fraction of pixels that differ between two pictures of the same size."""
    return float(np.mean(np.any(a != b, axis=-1)))


# --------------------------------------------------------------------------- model boxes

def test_live_model_box_answers_every_edit_and_shows_failures():
    def predict(text):
        if "?" in text:
            raise ValueError("unknown word '?'")
        return text.upper()

    explorer = widgets.live_model_box(predict, examples=["the film was not good", "3 May"])
    box = explorer.controls["text"]
    assert box.value == "the film was not good"  # the first example fills the box
    assert explorer.state == widgets.Answer("the film was not good", "THE FILM WAS NOT GOOD", "")
    assert "<b style='font-family:monospace'>THE FILM WAS NOT GOOD</b>" in explorer.text.value
    explorer.children[0].value = "3 May"  # pick the other example
    assert box.value == "3 May" and explorer.state.output == "3 MAY"
    box.value = "what?"
    assert explorer.state.error == "ValueError: unknown word '?'"
    assert "unknown word" in explorer.text.value and explorer.state.output == ""
    box.value = "   "
    assert explorer.state.error == "Type an input above."
    box.value = "<b>"
    assert "&lt;B&gt;" in explorer.text.value  # the answer is escaped, not rendered


def test_live_model_box_flags_a_predict_that_returns_no_string():
    explorer = widgets.live_model_box(len)
    explorer.controls["text"].value = "four"
    assert explorer.state.error == "predict returned int, expected str"


def test_live_model_box_rejects_bad_arguments():
    with pytest.raises(TypeError, match="predict: expected a callable, got str"):
        widgets.live_model_box("model")
    with pytest.raises(TypeError, match="examples: expected a sequence of str"):
        widgets.live_model_box(str.upper, examples="one example")


@pytest.fixture(scope="module")
def trained():
    """Two small models trained for a few steps by train.train: their predictors, str -> str."""
    torch = pytest.importorskip("torch")
    from rnnbook import models, train

    torch.set_num_threads(1)
    reviews = data.sentiment(n_train=300, n_test=50, seed=0)
    reader = models.ManyToOne(reviews.n_in, reviews.n_out, cell="gru", hidden_size=16, seed=0)
    train.train(reader, reviews, steps=30, batch_size=32, progress=False)
    shapes = data.shapes(n_train=300, n_test=6, seed=0)
    looker = models.OneToOne(shapes.n_in, shapes.n_out, hidden_size=16, seed=0)
    train.train(looker, shapes, steps=30, batch_size=32, progress=False)
    return train.predictor(reader, reviews), train.predictor(looker, shapes), shapes


def test_live_model_box_shows_a_trained_models_answer(trained):
    predict, _, _ = trained
    review = "the film was not good , it was bad"
    explorer = widgets.live_model_box(predict, examples=[review])
    assert explorer.state == widgets.Answer(review, predict(review), "")
    assert explorer.state.output.split()[0] in ("positive", "negative")
    explorer.controls["text"].value = "the film was zzz"  # a word the model never saw
    assert explorer.state.output == "" and explorer.state.error.startswith("ValueError")


def test_image_model_box_shows_each_picture_and_its_prediction(trained):
    _, classify, shapes = trained
    images = shapes.test.x  # (N, 432) flat float images, as the models take them
    labels = [shapes.labels[int(i)] for i in shapes.test.y]
    explorer = widgets.image_model_box(images, classify, labels=labels,
                                       to_picture=data.to_image)
    index = explorer.controls["index"]
    assert index.max == len(images) - 1
    shown = {}
    for i in range(len(images)):
        index.value = i
        assert explorer.state == widgets.Answer(i, classify(images[i]), "")
        assert f"(true: {labels[i]})" in explorer.text.value
        shown[i] = explorer.image.value
    picture = pixels(shown[2])
    assert picture.shape == (120, 120, 3)  # 12 x 12 pixels, each drawn 10 x 10
    want = (np.clip(data.to_image(images[2]), 0, 1) * 255).round().astype(np.uint8)
    np.testing.assert_array_equal(picture[::10, ::10], want)
    assert len(set(shown.values())) == len(images)


def test_image_model_box_rejects_no_pictures_and_wrong_labels():
    with pytest.raises(ValueError, match="images: expected at least 1 item, got 0"):
        widgets.image_model_box([], str)
    with pytest.raises(TypeError, match="to_picture: expected a callable or None, got int"):
        widgets.image_model_box(np.zeros((2, 4, 4)), str, to_picture=3)
    with pytest.raises(ValueError, match="labels: expected 2 items, got 1"):
        widgets.image_model_box(np.zeros((2, 4, 4)), str, labels=["a"])
    with pytest.raises(ValueError, match=r"image: expected shape \(h, w\), \(h, w, 3\)"):
        widgets.image_model_box(np.zeros((2, 4, 4, 2)), str)


# --------------------------------------------------------------------------- rendering

def full_render(figure):
    """The figure drawn whole, the animated artists included, as a picture."""
    animated = [a for a in figure.findobj() if a.get_animated()]
    for artist in animated:
        artist.set_animated(False)
    picture = pixels(widgets.render_png(figure))
    for artist in animated:
        artist.set_animated(True)
    return picture


@pytest.mark.parametrize("shape", [(7, 5, 3), (6, 9)])
def test_png_bytes_round_trip_exactly(shape):
    picture = np.random.default_rng(0).integers(0, 256, size=shape, dtype=np.uint8)
    png = widgets.png_bytes(picture)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    np.testing.assert_array_equal(pixels(png), picture)
    # A view, as Blit hands it the RGB channels of the RGBA canvas, encodes the same.
    rgba = np.dstack([picture, picture[..., :1]]) if picture.ndim == 3 else None
    if rgba is not None:
        assert widgets.png_bytes(rgba[..., :3]) == png


def test_png_bytes_refuses_what_is_not_a_uint8_picture():
    with pytest.raises(ValueError, match=r"pixels: expected a uint8 array \(h, w, 3\)"):
        widgets.png_bytes(np.zeros((4, 4, 3)))
    with pytest.raises(ValueError, match=r"got uint8 \(4, 4, 4\)"):
        widgets.png_bytes(np.zeros((4, 4, 4), np.uint8))


def test_flat_figures_compress_well():
    """Without PIL's row filters, a figure still compresses ~20x (what a class's network sees)."""
    explorer = widgets.unroll_explorer()
    width, height = explorer.figure.canvas.get_width_height()
    assert len(explorer.image.value) < width * height * 3 / 10


def test_a_control_that_leaves_the_picture_unchanged_sends_no_picture():
    figure = widgets.new_figure((2, 1))
    line, = figure.subplots().plot([0, 1], [0, 0])
    widgets.freeze_layout(figure)  # as every widget does: a re-solved layout moves pixels
    controls = {"a": ipywidgets.IntSlider(value=0, max=3), "b": ipywidgets.IntSlider(max=3)}

    def show(explorer, a):
        line.set_ydata([0, a])
        explorer.image.value = widgets.render_png(figure)

    explorer = widgets.Explorer(list(controls.values()), controls, lambda a, b: a, show, figure)
    sent = []
    explorer.image.observe(lambda change: sent.append(change), names="value")
    controls["b"].value = 2  # the same state, the same picture: no message to the browser
    assert sent == []
    controls["a"].value = 1
    assert len(sent) == 1


@pytest.mark.parametrize("build, control, values", [
    (widgets.unroll_explorer, "t", [4, 2, 6]),
    (widgets.gate_inspector, "t", [15, 3, 20]),
    (lambda: widgets.gradient_decay_explorer(gradients.gradient_curves), "steps_back",
     [10, 50, 1]),
    (lambda: widgets.gradient_decay_explorer(gradients.gradient_curves), "rho", [1.5, 0.5]),
    # The x axis stays over 1..max_T: a new T draws the curves alone.
    (lambda: widgets.gradient_decay_explorer(gradients.gradient_curves), "T", [5, 100, 5, 63]),
    (lambda: widgets.gradient_decay_explorer(gradients.gradient_curves), "cell",
     ["lstm", "rnn", "gru"]),
])
def test_blitted_frames_match_a_full_draw(build, control, values):
    explorer = build()
    for value in values:
        explorer.controls[control].value = value
        np.testing.assert_array_equal(pixels(explorer.image.value), full_render(explorer.figure))


@pytest.mark.parametrize("build, control, values", [
    (widgets.unroll_explorer, "t", [4, 2, 4, 6, 2]),
    (widgets.gate_inspector, "t", [15, 3, 15]),
])
def test_a_frame_shown_again_is_the_frame_drawn_for_it(build, control, values):
    """Blit keeps each step's frame: showing a step again sends the same, exact picture."""
    explorer = build()
    for value in values:
        explorer.controls[control].value = value
        np.testing.assert_array_equal(pixels(explorer.image.value), full_render(explorer.figure))


def test_blit_draws_a_keyed_frame_once_and_forgets_frames_on_redraw():
    figure = widgets.new_figure((2, 1))
    line, = figure.subplots().plot([0, 1], [0, 0])
    widgets.freeze_layout(figure)
    blit = widgets.Blit(figure, [line])
    first = blit.render(key=0)
    line.set_ydata([0, 1])  # a change the key does not name: the kept frame is shown
    assert blit.render(key=0) is first and blit.render() != first
    blit.redraw()
    assert blit.render(key=0) != first


def test_blit_draws_a_legend_again_only_over_an_artist_that_reaches_it():
    figure = widgets.new_figure((6, 2))
    inside, beside = figure.subplots(1, 2)
    moving, = inside.plot([0, 1], [0, 0], "o-")
    inside.set(xlim=(0, 1), ylim=(0, 1))
    inside.legend(["a line"], loc="upper right")
    other, = beside.plot([0, 1], [0, 1])
    beside.legend(["beside"], loc="upper left", bbox_to_anchor=(1.0, 1.0))  # out of reach
    widgets.freeze_layout(figure)
    blit = widgets.Blit(figure, [moving, other])
    assert list(blit.legends) == [inside.get_legend()]
    drawn = []
    legend_draw = inside.get_legend().draw
    inside.get_legend().draw = lambda renderer: drawn.append(1) or legend_draw(renderer)
    for y, reached in [(0.1, False), (0.95, True), (0.5, False)]:
        moving.set_ydata([y, y])
        drawn.clear()
        shown = blit.render()
        assert bool(drawn) == reached
        np.testing.assert_array_equal(pixels(shown), full_render(figure))
    inside.set_position([0.1, 0.1, 0.05, 0.8])  # narrower than the legend, now on the spines
    blit = widgets.Blit(figure, [moving, other])
    drawn.clear()
    shown = blit.render()
    assert blit.legends == {inside.get_legend(): None} and drawn  # drawn on every frame
    np.testing.assert_array_equal(pixels(shown), full_render(figure))


def test_blit_keeps_a_keyed_background_and_draws_only_its_layers_again():
    figure = widgets.new_figure((2, 1))
    ax = figure.subplots()
    line, = ax.plot([0, 1], [0, 0])
    widgets.freeze_layout(figure)
    blit = widgets.Blit(figure, [line], layers=[ax.xaxis])
    shown = {}
    for right in (1, 3, 1):
        ax.set_xlim(0, right)  # the layer changes with the key
        blit.redraw(key=right)
        shown.setdefault(right, blit.render(key="frame"))
        assert blit.render(key="frame") is shown[right]  # kept with its background
        np.testing.assert_array_equal(pixels(shown[right]), full_render(figure))
    assert shown[1] != shown[3]
    kept = blit.backgrounds[3]
    ax.set_xlim(0, 3)
    blit.redraw(key=3)  # a kept background is not drawn again
    assert blit.background is kept and blit.render(key="frame") is shown[3]
    blit.redraw()  # without a key: drawn again, and no frame kept for it
    assert blit.background is not kept
    np.testing.assert_array_equal(pixels(blit.render(key="frame")), full_render(figure))


# --------------------------------------------------------------------------- sequence window

@pytest.fixture
def window_explorer(sines_predictors):
    return widgets.sequence_window_explorer(*sines_predictors, width=4)


def test_sequence_window_shows_what_the_model_sees_in_order_and_shuffled(window_explorer):
    explorer, series = window_explorer, window_explorer.series
    weights, errors = explorer.predictors.weights, explorer.predictors.errors
    assert len(series) == 61  # data.sines(): T = 60 steps and the last target
    state = explorer.state
    assert (state.start, state.width, state.shuffled) == (0, 4, False)
    np.testing.assert_array_equal(state.seen, series[0:4])
    assert state.target == series[4]
    assert state.prediction == pytest.approx(
        baselines.predict_next_value(weights[4, False], series[None, 0:4])[0])
    assert explorer.controls["seed"].disabled

    first = explorer.image.value
    explorer.controls["start"].value = 20
    state = explorer.state
    np.testing.assert_array_equal(state.seen, series[20:24])
    np.testing.assert_array_equal(explorer.artists.seen.get_xdata(), [20, 21, 22, 23])
    assert explorer.artists.span.get_x() == 19.5
    np.testing.assert_array_equal(explorer.artists.target.get_xydata(), [[24, series[24]]])
    assert explorer.image.value != first
    assert "steps 20..23: 4 values, in order" in explorer.text.value

    in_order = explorer.image.value
    explorer.controls["shuffle"].value = True
    state = explorer.state
    np.testing.assert_array_equal(state.seen, series[20:24][baselines.shuffle_order(4, 0)])
    assert np.any(state.seen != series[20:24])
    assert state.prediction == pytest.approx(
        baselines.predict_next_value(weights[4, True], state.seen[None])[0])
    assert state.mse == errors.shuffled[3] and state.mse > 5 * errors.in_order[3]
    assert "4 values, shuffled" in explorer.text.value
    assert f"shuffled {errors.shuffled[3]:.3f}" in explorer.text.value
    assert not explorer.controls["seed"].disabled
    assert explorer.image.value != in_order

    explorer.controls["seed"].value = 5
    np.testing.assert_array_equal(explorer.state.seen,
                                  series[20:24][baselines.shuffle_order(4, 5)])
    np.testing.assert_array_equal(explorer.artists.seen.get_ydata(), explorer.state.seen)


def test_sequence_window_frames_match_a_full_draw(window_explorer):
    """The cursor and the legend over it are redrawn with the width and shuffle only; the
    window, every frame: what is shown is the whole figure drawn, going back and forth."""
    controls = window_explorer.controls
    for name, value in [("start", 20), ("width", 10), ("start", 3), ("shuffle", True),
                        ("width", 12), ("start", 40), ("width", 4), ("shuffle", False),
                        ("width", 10)]:
        controls[name].value = value
        np.testing.assert_array_equal(pixels(window_explorer.image.value),
                                      full_render(window_explorer.figure))


def test_sequence_window_width_moves_the_start_limit_and_the_cursor(window_explorer):
    explorer = window_explorer
    start, width = explorer.controls["start"], explorer.controls["width"]
    assert_play_drives(explorer, start)
    assert start.max == 60 - 4
    width.value = 1
    assert start.max == explorer.play.max == 59
    start.value = 59
    assert explorer.state.target == explorer.series[60]
    width.value = 8  # the window would run past the end: the start moves back
    assert (start.value, start.max, explorer.play.max) == (52, 52, 52)
    assert (explorer.state.start, explorer.state.width) == (52, 8)
    errors = explorer.predictors.errors
    assert explorer.state.mse == errors.in_order[7]
    cursor = explorer.figure.axes[1].get_lines()[-1]
    np.testing.assert_array_equal(cursor.get_xydata(), [[8, errors.in_order[7]]])
    np.testing.assert_array_equal(pixels(explorer.image.value), full_render(explorer.figure))


def test_sequence_window_explorer_rejects_bad_arguments(sines_predictors):
    series, predictors = sines_predictors
    with pytest.raises(TypeError, match="predictors: expected a baselines.WindowPredictors"):
        widgets.sequence_window_explorer(series, predictors.errors)
    with pytest.raises(ValueError, match=r"width: expected an int in \[1, 8\], got 9"):
        widgets.sequence_window_explorer(series, predictors, width=9)
    with pytest.raises(ValueError, match=r"predictors' widest window: expected an int in "
                                         r"\[1, 5\], got 8"):
        widgets.sequence_window_explorer(series[:6], predictors)
    with pytest.raises(ValueError, match=r"series: expected shape 1 dimensions, got shape \(61, 1"):
        widgets.sequence_window_explorer(series[:, None], predictors)


# --- setup check (notebook 00) ---------------------------------------------------------------


def test_one_unit_states_follow_the_recurrence():
    states = widgets.one_unit_states(w=0.5, x=1.0, T=6)
    h, expected = 0.0, [0.0]
    for _ in range(6):
        h = np.tanh(0.5 * h + 1.0)
        expected.append(h)
    np.testing.assert_allclose(states, expected, rtol=0, atol=1e-15)
    with pytest.raises(ValueError, match="T: expected a positive int"):
        widgets.one_unit_states(T=0)


def test_setup_check_shows_the_state_at_the_chosen_step():
    box = widgets.setup_check(w=0.5, T=10)
    assert box.text.value == "h_0 = 0.0000"
    assert box.play.max == 10 and "rnnbook-setup-check" in box._dom_classes
    box.controls["t"].value = 10
    assert box.state == (10, pytest.approx(widgets.one_unit_states()[10]))
    assert box.text.value == f"h_10 = {widgets.one_unit_states()[10]:.4f}"
