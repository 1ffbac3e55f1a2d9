"""Notebook 06's language model: the corpus, the stream, the model, the sampler and the probe."""

import re

import numpy as np
import pytest
import torch
from matplotlib import colormaps
from matplotlib.colors import to_hex

from rnnbook import cells, charlm, plots, probe, widgets


@pytest.fixture(scope="module")
def corpus():
    return charlm.load_corpus()


@pytest.fixture(scope="module")
def model(corpus):
    torch.set_num_threads(1)
    return charlm.CharModel(corpus.vocab.size, hidden_size=16, embed_size=8, seed=0)


# --------------------------------------------------------------------------- the corpus


def test_corpus_is_the_listed_files_split_by_position(corpus):
    assert len(corpus.text) == sum(size for _, size in charlm.FILES) == 433_370
    bounds = [corpus.bounds[name] for name in charlm.SPLITS]
    assert bounds[0][0] == 0 and bounds[-1][1] == len(corpus.text)
    assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:], strict=False))  # contiguous
    sizes = [stop - start for start, stop in bounds]
    assert sizes == [346_696, 43_337, 43_337]
    assert "".join(corpus.split(name) for name in charlm.SPLITS) == corpus.text
    assert corpus.files("test") == ["contextlib.py", "pprint.py"]
    assert corpus.vocab.size == 96 and corpus.text.isascii()
    assert corpus.split("train").startswith("# Author: Steven J. Bethard")
    assert (charlm.TEXTS / "LICENSE-PSF.txt").exists()


def test_vocab_round_trips_and_names_unknown_characters(corpus):
    ids = corpus.vocab.encode("def f(x):\n")
    assert ids.dtype == np.int64 and corpus.vocab.decode(ids) == "def f(x):\n"
    with pytest.raises(ValueError, match="not in the vocabulary"):
        corpus.vocab.encode("caf\u00e9")


def test_split_structure_is_cut_from_whole_files(corpus):
    labels = corpus.structure("test")
    assert all(len(field) == len(corpus.split("test")) for field in labels)
    # pprint.py lies wholly in the test split: its labels are those of the file alone.
    start = sum(size for _, size in charlm.FILES[:-1]) - corpus.bounds["test"][0]
    alone = probe.structure(corpus.text[-charlm.FILES[-1][1]:])
    for got, want in zip(labels, alone, strict=True):
        np.testing.assert_array_equal(got[start:], want)


# --------------------------------------------------------------------------- softmax


def test_softmax_temperature_is_the_softmax_of_scaled_logits():
    logits = np.random.default_rng(0).normal(size=(4, 7))
    for T in (0.5, 1.0, 3.0):
        p = charlm.softmax_temperature(logits, T)
        want = np.exp(logits / T) / np.exp(logits / T).sum(axis=1, keepdims=True)
        np.testing.assert_allclose(p, want, rtol=1e-12)
        np.testing.assert_allclose(p.sum(axis=1), 1.0)
    # Higher temperature, flatter distribution: its entropy rises.
    h = [charlm.entropy_bits(charlm.softmax_temperature(logits, T)).mean()
         for T in (0.5, 1, 3)]
    assert h[0] < h[1] < h[2]


def test_softmax_temperature_is_stable():
    big = np.array([[1e4, 0.0, -1e4], [3.0, 3.0, 1.0]])
    p = charlm.softmax_temperature(big, 1.0)
    assert np.all(np.isfinite(p))
    np.testing.assert_allclose(p[0], [1, 0, 0])
    cold = charlm.softmax_temperature(np.array([[1.0, 2.0, 0.5]]), 1e-4)
    np.testing.assert_allclose(cold, [[0, 1, 0]])  # temperature -> 0: all on the argmax
    tie = charlm.softmax_temperature(big[1:], 1e-4)
    np.testing.assert_allclose(tie, [[0.5, 0.5, 0]])
    np.testing.assert_allclose(charlm.softmax_temperature(np.zeros((2, 4)), 1e6), 0.25)


@pytest.mark.parametrize("temperature", [0, -1.0])
def test_softmax_temperature_rejects_a_temperature_not_above_zero(temperature):
    with pytest.raises(ValueError, match="temperature: expected a number > 0"):
        charlm.softmax_temperature(np.zeros((1, 3)), temperature)


def test_softmax_temperature_names_a_bad_logits_shape():
    with pytest.raises(ValueError, match="logits: expected shape"):
        charlm.softmax_temperature(np.zeros(3), 1.0)


def test_entropy_top_k_and_draw():
    assert charlm.entropy_bits(np.full((1, 8), 1 / 8))[0] == pytest.approx(3.0)
    assert charlm.entropy_bits(np.array([[0.0, 1.0]]))[0] == 0.0
    probs = np.array([[0.1, 0.4, 0.2, 0.3]])
    np.testing.assert_allclose(charlm.top_k_filter(probs, 2), [[0, 4 / 7, 0, 3 / 7]])
    rng = np.random.default_rng(0)
    assert set(charlm.draw(np.array([[0.0, 1.0, 0.0]] * 50), rng)) == {1}
    draws = charlm.draw(np.tile(probs, (20_000, 1)), np.random.default_rng(1))
    np.testing.assert_allclose(np.bincount(draws) / 20_000, probs[0], atol=0.01)


# --------------------------------------------------------------------------- stream and model


def test_stream_chunks_continue_each_other_and_restart():
    ids = np.arange(1000)
    stream = charlm.Stream(ids, batch_size=4, chunk=10)
    x1, y1, reset1 = stream.next()
    x2, _, _ = stream.next()
    assert x1.shape == (10, 4) and not reset1
    np.testing.assert_array_equal(y1[:-1], x1[1:])  # y is x one character on
    np.testing.assert_array_equal(x2[0], y1[-1])  # the next chunk starts where this one ended
    assert x1[0].tolist() == [0, 249, 498, 747]  # four stripes of the text
    for _ in range(stream.chunks - 2):
        assert not stream.next()[2]
    x, _, reset = stream.next()
    assert reset and x[0].tolist() == [0, 249, 498, 747]


def test_run_text_gives_the_losses_of_one_sequential_pass(corpus, model):
    ids = corpus.ids("val")[:300]
    run = charlm.run_text(model, ids, streams=1)
    with torch.no_grad():
        logits, _ = model(torch.as_tensor(ids[:-1])[:, None])
        want = torch.nn.functional.cross_entropy(logits[:, 0], torch.as_tensor(ids[1:]),
                                                 reduction="none").numpy() / np.log(2)
    np.testing.assert_allclose(run.losses, want, rtol=1e-5)
    # In pieces: the first piece is the same; later pieces start from a zero state.
    pieces = charlm.run_text(model, ids, streams=4)
    np.testing.assert_allclose(pieces.losses[:74], run.losses[:74], rtol=1e-5)
    assert not np.allclose(pieces.losses[74:80], run.losses[74:80])


def test_lstm_states_match_torch_and_the_numpy_cell(corpus, model):
    ids = corpus.ids("val")[:101]
    hs, cs = charlm.lstm_states(model, ids, streams=3)
    np.testing.assert_allclose(hs, charlm.run_text(model, ids, streams=3).hs, atol=1e-6)
    # The course's numpy LSTM (notebook 05) on the same weights, for the first piece.
    params = cells.params_from_torch(model.rnn)
    x = model.embed.weight.detach().double().numpy()[ids[:33]][:, None]  # (33, 1, E)
    np_hs, state, caches = cells.unroll("lstm", x, cells.zero_state("lstm", 1, 16), params)
    np.testing.assert_allclose(hs[:33], np_hs[:, 0], atol=1e-5)
    np.testing.assert_allclose(cs[:33], np.stack([c.c[0] for c in caches]), atol=1e-5)


def test_training_is_deterministic_and_learns(corpus):
    runs = []
    for _ in range(2):
        model = charlm.CharModel(corpus.vocab.size, hidden_size=32, seed=1)
        runs.append(charlm.train_model(model, corpus, steps=40, batch_size=8, chunk=32,
                                       eval_every=20, eval_chars=2000))
    assert runs[0].val_bpc == runs[1].val_bpc and runs[0].train_bpc == runs[1].train_bpc
    assert runs[0].eval_steps == [20, 40]
    assert runs[0].train_bpc[0] > 6.0 > 4.8 > runs[0].val_bpc[-1]  # log2(96) = 6.6 at first
    assert runs[0].characters == 40 * 8 * 32


def test_sampling_is_deterministic_for_a_seed(corpus, model):
    a = charlm.sample(model, corpus.vocab, "def ", length=50, temperature=1.0, seed=3)
    b = charlm.sample(model, corpus.vocab, "def ", length=50, temperature=1.0, seed=3)
    c = charlm.sample(model, corpus.vocab, "def ", length=50, temperature=1.0, seed=4)
    assert a.text == b.text and a.text != c.text and len(a.text) == 50
    assert a.entropy.shape == (50,) and np.all(a.entropy > 0)
    greedy = charlm.sample(model, corpus.vocab, "def ", length=30, greedy=True)
    top1 = charlm.sample(model, corpus.vocab, "def ", length=30, top_k=1, seed=9)
    assert greedy.text == top1.text
    with pytest.raises(ValueError, match="temperature: expected a number > 0"):
        charlm.sample(model, corpus.vocab, "x", temperature=0)


@pytest.mark.parametrize("cell", cells.CELLS)
@pytest.mark.parametrize("top_k", [None, 5])
def test_sampling_follows_the_models_own_forward(corpus, cell, top_k):
    """The numpy loop of sample() draws what the torch model itself would: each step's scores
    are the model's logits for the prompt and the text so far, and the same draws pick the
    same characters."""
    model = charlm.CharModel(corpus.vocab.size, hidden_size=24, cell=cell, dropout=0.2, seed=2)
    model.train()  # sample() reads in eval mode and puts the mode back
    out = charlm.sample(model, corpus.vocab, "def f", length=40, temperature=0.7, top_k=top_k,
                        seed=5)
    assert model.training
    ids = corpus.vocab.encode("def f" + out.text)
    model.eval()
    with torch.no_grad():
        logits, _ = model(torch.as_tensor(ids)[:, None])
    scores = logits[4:-1, 0].double().numpy()  # the scores before each sampled character
    rng = np.random.default_rng(5)
    for t, row in enumerate(scores):
        probs = charlm.softmax_temperature(row[None], 0.7)
        if top_k:
            probs = charlm.top_k_filter(probs, top_k)
        assert charlm.draw(probs, rng)[0] == ids[5 + t], f"step {t}"
    want = charlm.entropy_bits(charlm.softmax_temperature(scores, 1.0))
    np.testing.assert_allclose(out.entropy, want, atol=1e-4)


def test_greedy_sampling_takes_the_argmax_at_every_step(corpus, model):
    out = charlm.sample(model, corpus.vocab, "if ", length=10, greedy=True)
    ids = corpus.vocab.encode("if " + out.text)
    with torch.no_grad():
        logits, _ = model(torch.as_tensor(ids)[:, None])
    assert (logits[2:-1, 0].argmax(-1).numpy() == ids[3:]).all()


# --------------------------------------------------------------------------- probe


def test_structure_labels_are_exact():
    source = 'x = f("a#(", [1,\n    2])  # c(\nif x:\n    y = {1: 2}\n'
    labels = probe.structure(source)
    at = {ch: source.index(ch) for ch in "#[2y{}"}
    string = source.index('"a#(",')
    assert labels.in_string[string:string + 5].all() and not labels.in_string[string + 5]
    assert not labels.in_comment[at["#"]]  # a '#' in a string starts no comment
    comment = source.index("# c(")
    assert labels.in_comment[comment:comment + 4].all() and not labels.in_comment[comment + 4]
    assert labels.bracket_depth[source.index("(")] == 0  # the open bracket is outside itself
    assert labels.bracket_depth[at["2"]] == 2  # inside f( and [ : "(" in the string is not code
    assert labels.bracket_distance[at["2"]] == at["2"] - at["["]
    assert labels.bracket_depth[comment + 3] == 0  # "(" in the comment is not code
    assert labels.bracket_depth[at["}"]] == 1 and labels.bracket_depth[at["}"] + 1] == 0
    assert labels.indent[at["2"]] == 4 and labels.indent[at["#"]] == 0
    assert labels.indent[at["y"]] == 4 and labels.column[at["y"]] == 4
    assert labels.column[source.index("if")] == 0


def test_structure_of_an_fstring_and_of_broken_code():
    labels = probe.structure('s = f"{a(1)}"\n')
    assert labels.in_string[4:13].all() and labels.bracket_depth.max() == 0
    with pytest.raises(ValueError, match="source: not complete Python code"):
        probe.structure("f(1,\n")


def test_the_probe_finds_a_planted_unit():
    rng = np.random.default_rng(0)
    feature = (rng.random(2000) < 0.3).astype(float)
    activations = rng.normal(size=(2000, 40))
    activations[:, 17] = -2 * feature + 0.3 * rng.normal(size=2000)
    activations[:, 3] = 1.0  # constant: correlates with nothing
    named = {name: rng.normal(size=2000) for name in probe.FEATURES}
    named["in_comment"] = feature
    r = probe.correlations(activations, named)
    assert r.shape == (5, 40) and np.all(r[:, 3] == 0)
    best = {b.feature: b for b in probe.best_units(r)}
    assert best["in_comment"].unit == 17 and best["in_comment"].r < -0.9
    assert abs(best["column"].r) < 0.15
    np.testing.assert_allclose(r[1, 17], np.corrcoef(feature, activations[:, 17])[0, 1])


def test_the_linear_probe_reads_a_feature_spread_over_units():
    rng = np.random.default_rng(0)
    feature = rng.normal(size=4000)
    activations = rng.normal(size=(4000, 30))
    activations[:, :20] += 0.5 * feature[:, None]  # spread: no one unit is a good copy
    named = {"spread": feature, "absent": rng.normal(size=4000), "constant": np.ones(4000)}
    r2 = probe.linear_probe(activations, named)
    assert np.abs(probe.correlations(activations, {"spread": feature})).max() < 0.5
    assert r2["spread"] > 0.75 and abs(r2["absent"]) < 0.05 and r2["constant"] == 0.0
    # Held out: fitted on the even blocks of 500 characters, scored on the odd ones.
    fit = (np.arange(4000) // 500) % 2 == 0
    x = np.hstack([activations, np.ones((4000, 1))])
    w = np.linalg.lstsq(x[fit], feature[fit], rcond=None)[0]
    pred, test = x[~fit] @ w, feature[~fit]
    want = 1 - ((pred - test) ** 2).sum() / ((test - test.mean()) ** 2).sum()
    np.testing.assert_allclose(probe.linear_probe(activations, named, block=500)["spread"], want)
    with pytest.raises(ValueError, match="block"):
        probe.linear_probe(activations, named, block=4000)


def test_loss_by_distance():
    table = probe.loss_by_distance({"a": np.array([1.0, 2, 3, 4, 5]), "b": np.zeros(5)},
                                   np.array([-1, 1, 2, 5, 9]), [(1, 2), (3, 10), (11, 20)])
    assert table.counts.tolist() == [2, 2, 0]
    np.testing.assert_allclose(table.bits["a"][:2], [2.5, 4.5])
    assert np.isnan(table.bits["a"][2])


# --------------------------------------------------------------------------- widgets, plots


def test_sampler_generates_on_the_button_only(corpus, model):
    box = widgets.sampler_box(model, corpus.vocab, prompt="def ", length=40, seed=0)
    first = box.state
    assert first.fresh and first.sample.text == widgets.generate(
        model, corpus.vocab, first.settings).text
    box.controls["temperature"].value = 1.5
    assert not box.state.fresh and box.state.sample is first.sample  # nothing sampled yet
    assert "Generate</b> will sample at temperature 1.50" in box.text.value
    box.generate_button.click()
    assert box.state.fresh and box.state.settings.temperature == 1.5
    assert box.state.sample.text == charlm.sample(model, corpus.vocab, "def ", 40, 1.5,
                                                  seed=0).text
    box.controls["prompt"].value = "caf\u00e9"
    box.generate_button.click()  # an unknown character is shown, not raised
    assert "not in the vocabulary" in box.text.value


def test_unit_explorer_follows_the_feature_menu():
    rng = np.random.default_rng(0)
    text = "def f(x):\n    return x  # y\n" * 40
    activations = rng.normal(size=(len(text), 12))
    r = rng.uniform(-1, 1, size=(5, 12))
    r[3, 7] = 0.99  # the best unit for "indent"
    box = widgets.unit_explorer(text, activations, r, feature="in_string", width=100)
    box.controls["feature"].value = "indent"
    assert box.state.unit == 7 and box.state.r["indent"] == 0.99
    box.controls["start"].value = 50
    np.testing.assert_array_equal(box.state.values, activations[50:150, 7])
    assert box.state.passage == text[50:150] and "unit 7" in box.text.value
    assert len(box.state.high) == 8 and box.state.high[0][1] == box.state.values.max()
    want = widgets.unit_view(text, activations, r, "indent", 7, 50, width=100)  # the checked way
    np.testing.assert_equal(box.state._asdict(), want._asdict())
    with pytest.raises(ValueError, match="unit: expected"):
        widgets.unit_view(text, activations, r, "indent", 12, 0)


def test_coloured_html_gives_each_character_its_colour_map_colour():
    passage = "a b\n<c>"
    values = np.array([-2.0, -0.7, 0.0, 0.3, 1.0, 1.25, 2.0])
    spans = re.findall(r"<span style='background:(#[0-9a-f]{6})'>(.*?)</span>",
                       widgets.coloured_html(passage, values, 2.0))
    cmap = colormaps[plots.DIVERGING]
    assert spans == [(to_hex(cmap(0.5 + 0.5 * value / 2.0)), shown) for value, shown in
                     zip(values, ["a", "&nbsp;", "b", "&crarr;<br>", "&lt;", "c", "&gt;"],
                         strict=True)]
    flat = re.findall("#[0-9a-f]{6}", widgets.coloured_html("ab", np.zeros(2), 0.0))
    assert flat == [to_hex(cmap(0.5))] * 2  # a unit that never moves: all white


def test_figures_draw(corpus):
    history = charlm.CharHistory(train_bpc=[6.0, 5.0, 4.0], eval_steps=[3], val_bpc=[4.5])
    assert plots.learning_curve(history, {"n-gram": 2.3}).axes
    fig = plots.learning_curve(history, val_label="validation, first 10 chars")
    assert "validation, first 10 chars" in [t.get_text() for t in fig.axes[0].get_legend().texts]
    fig = plots.coloured_text("ab\ncd", np.array([-1.0, 0, 1, 2, -2]))
    assert fig.axes[0].images[0].get_array().shape == (2, 3)
    np.testing.assert_allclose(plots.smooth(np.array([1.0, 3, 5]), 2), [1, 2, 4])
