"""rnnbook.train: short trainings beat trivial baselines; determinism; TBPTT; clipping; helpers.

The full targets (and their timings) live in benchmarks/train.py; here every architecture
gets one short run, small enough for the whole file to take a few seconds.
"""

import re

import pytest
import torch

from rnnbook import baselines, data, models, train

torch.set_num_threads(1)
S = {"n_train": 500, "n_test": 200}


def per_position_majority(ds):
    """Token accuracy of always writing each position's most common training token."""
    majority = torch.mode(ds.train.y, dim=1).values[:, None]
    scored = ds.test.y != data.IGNORE
    return float((ds.test.y == majority)[scored].float().mean())


# name -> (dataset, model, train kwargs, check of evaluate()'s dict against a trivial baseline)
RUNS = {
    "one-to-one": (
        lambda: data.shapes(**S), lambda ds: models.OneToOne(ds.n_in, ds.n_out),
        {"steps": 60}, lambda ds, s: s["accuracy"] > 0.9),  # chance 0.25
    "many-to-one": (
        lambda: data.sentiment(**S),
        lambda ds: models.ManyToOne(ds.n_in, cell="rnn", hidden_size=16),
        {"steps": 150}, lambda ds, s: s["accuracy"] > baselines.order_blind_ceiling(ds) + 0.15
        and s["twins"] > 0.9),
    "synced": (
        lambda: data.tagging(**S), lambda ds: models.Tagger(ds.n_in, ds.n_out, cell="gru"),
        {"steps": 300, "lr": 0.02},
        lambda ds, s: s["ambiguous"] > baselines.context_free_ceiling(ds) + 0.3),
    "one-to-many": (
        lambda: data.captions(**S), lambda ds: models.OneToMany(ds.n_in, ds.n_out, cell="rnn"),
        {"steps": 150}, lambda ds, s: s["exact"] > 0.5),  # one caption in 16 by chance
    "seq2seq": (
        lambda: data.dates(**S),
        lambda ds: models.Seq2Seq(ds.n_in, ds.n_out, cell="gru", hidden_size=32, embed=16),
        {"steps": 150}, lambda ds, s: s["token"] > per_position_majority(ds) + 0.15),
    "adding": (
        lambda: data.adding(T=10, **S),
        lambda ds: models.ManyToOne(2, 1, cell="lstm", embed=None),
        {"steps": 300, "lr": 0.02}, lambda ds, s: s["mse"] < s["baseline"] / 4),
}


@pytest.fixture(scope="module")
def trained():
    """Each architecture trained once for the whole module: {name: (ds, model, history)}."""
    runs = {}
    for name, (make_data, make_model, kwargs, _) in RUNS.items():
        ds = make_data()
        model = make_model(ds)
        runs[name] = ds, model, train.train(model, ds, progress=False, **kwargs)
    return runs


@pytest.mark.parametrize("name", sorted(RUNS))
def test_short_training_beats_the_trivial_baseline(trained, name):
    ds, model, history = trained[name]
    scores = train.evaluate(model, ds)
    assert scores == history.final
    assert RUNS[name][3](ds, scores), scores
    assert history.loss[-1] < history.loss[0]


def test_bag_of_words_scores_exactly_half_on_twins():
    ds = data.sentiment(**S)
    model = models.BagOfWords(ds.n_in)
    train.train(model, ds, steps=100, progress=False)
    scores = train.evaluate(model, ds)
    assert scores["twins"] == 0.5
    assert scores["accuracy"] <= baselines.order_blind_ceiling(ds) <= 0.8
    assert scores["accuracy"] >= 0.7  # it does learn everything a bag can tell


def test_truncated_bptt_reaches_only_lags_inside_its_chunks():
    ds = data.echo(d=3, T=12, **S)
    scores = train.echo_by_chunk(ds, chunks=(2, 6), steps=150)
    assert list(scores) == [2, 6]
    assert scores[2] < 0.6 < 0.9 < scores[6], scores  # chance is 0.25
    with pytest.raises(ValueError, match="data: expected the delayed echo"):
        train.echo_by_chunk(data.sentiment(**S))
    with pytest.raises(TypeError, match="chunks: expected a non-empty list"):
        train.echo_by_chunk(ds, chunks=5)


def test_truncated_bptt_with_one_chunk_is_full_bptt():
    ds = data.echo(d=2, T=8, **S)
    batch = ds.train.batch(range(16))

    def grads(k):
        model = models.Tagger(ds.n_in, ds.n_out, cell="gru")
        if k is None:
            train.loss_fn(model(batch), batch.y, "class").backward()
        else:
            train._truncated_backward(model, batch, k, "class")
        return [p.grad.clone() for p in model.parameters()]

    full, one_chunk, chunks = grads(None), grads(8), grads(2)
    assert all(torch.allclose(a, b, atol=1e-6) for a, b in zip(full, one_chunk, strict=True))
    assert not all(torch.allclose(a, b, atol=1e-4) for a, b in zip(full, chunks, strict=True))


def run(seed=0, **kwargs):
    ds = data.sentiment(n_train=200, n_test=50)
    model = models.ManyToOne(ds.n_in, cell="gru", hidden_size=8, seed=seed)
    return train.train(model, ds, seed=seed, progress=False, **{"steps": 20, **kwargs})


def test_same_seed_same_numbers_other_seed_other_numbers():
    a, b, c = run(), run(), run(seed=1)
    assert a.loss == b.loss and a.scores == b.scores and a.line == b.line
    assert a.loss != c.loss


def test_history_and_the_one_printed_line(capsys):
    ds = data.sentiment(n_train=200, n_test=50)
    history = train.train(models.ManyToOne(ds.n_in, hidden_size=8), ds, steps=30, eval_every=10)
    printed = capsys.readouterr().out
    assert printed == history.line + "\n"
    assert re.fullmatch(r"trained 30 steps: train loss \S+, test accuracy \d+\.\d%", history.line)
    assert len(history.loss) == len(history.accuracy) == len(history.grad_norm) == 30
    assert history.eval_steps == [10, 20, 30] and len(history.scores) == 3
    assert history.metric == "accuracy" and history.scores[-1] == history.final["accuracy"]
    run(steps=5)
    assert capsys.readouterr().out == ""  # progress=False prints nothing


def test_value_targets_print_the_mse():
    ds = data.adding(T=6, n_train=100, n_test=50)
    history = train.train(models.ManyToOne(2, 1, embed=None), ds, steps=5, progress=False)
    assert history.metric == "mse" and history.accuracy == []
    assert re.fullmatch(r".*test mse \d\.\d{4}", history.line)


def test_clipping_bounds_the_gradient_that_the_optimiser_sees():
    # the history keeps the norm *before* clipping; the update shows that clipping happened
    def first_update(clip):
        ds = data.sentiment(n_train=200, n_test=50)
        model = models.ManyToOne(ds.n_in, hidden_size=8)
        before = [p.detach().clone() for p in model.parameters()]
        history = train.train(model, ds, steps=1, clip=clip, progress=False)
        moved = sum(float((p.detach() - q).abs().sum()) for p, q in zip(model.parameters(), before,
                                                               strict=True))
        return history.grad_norm[0], moved

    norm, moved = first_update(None)
    clipped_norm, clipped_moved = first_update(1e-9)
    assert clipped_norm == norm > 1e-9
    # Adam divides by sqrt(v) + 1e-8: a gradient clipped to 1e-9 barely moves anything
    assert clipped_moved < moved / 10


def test_evaluate_returns_each_tasks_figures(trained):
    keys = {name: list(train.evaluate(model, ds)) for name, (ds, model, _) in trained.items()}
    assert keys == {"one-to-one": ["accuracy"], "many-to-one": ["accuracy", "twins"],
                    "synced": ["accuracy", "ambiguous"], "one-to-many": ["exact", "token"],
                    "seq2seq": ["exact", "token"], "adding": ["mse", "baseline"]}
    ds, model, _ = trained["adding"]
    assert abs(train.evaluate(model, ds)["baseline"] - 1 / 6) < 0.05


# ----------------------------------------------------------------------------- predictions


def test_predictions_are_readable(trained):
    ds, model, _ = trained["many-to-one"]
    assert re.fullmatch(r"(positive|negative) \(\d\.\d\d\)",
                        train.predict_sentiment(model, ds, "The film was NOT bad, just good!"))
    ds, model, _ = trained["synced"]
    tagged = train.tag(model, ds, "by the river we saw the bank")
    assert tagged.startswith("by the river we saw the bank(")
    assert tagged[len("by the river we saw the bank("):-1] in ("shore", "finance")
    ds, model, _ = trained["seq2seq"]
    assert re.fullmatch(r"[0-9-]*", train.translate_date(model, ds, "25 November 2026"))
    ds, model, _ = trained["one-to-many"]
    assert train.caption(model, ds, 0) == ds.out_vocab.decode(ds.test.y[:, 0].clamp(min=0))
    image = data.to_image(ds.test.x[0].numpy())
    assert train.caption(model, ds, image) == train.caption(model, ds, 0)
    ds, model, _ = trained["one-to-one"]
    assert train.classify_image(model, ds, 3).split()[0] in data.SHAPES


def test_predictor_is_a_plain_callable(trained):
    ds, model, _ = trained["many-to-one"]
    box = train.predictor(model, ds)
    assert box("not good") == train.predict_sentiment(model, ds, "not good")
    ds, model, _ = trained["adding"]
    with pytest.raises(ValueError, match="data: expected one of sentiment"):
        train.predictor(model, ds)


def test_learner_input_errors_are_clear(trained):
    ds, model, _ = trained["many-to-one"]
    with pytest.raises(ValueError, match="unknown word 'superb'"):
        train.predict_sentiment(model, ds, "the film was superb")
    with pytest.raises(TypeError, match="text: expected a str"):
        train.predict_sentiment(model, ds, None)
    tagging, tagger, _ = trained["synced"]
    with pytest.raises(ValueError, match="model: a Tagger learns synced tasks"):
        train.predict_sentiment(tagger, ds, "good")
    ds, model, _ = trained["one-to-many"]
    with pytest.raises(ValueError, match=r"image: expected a test index in \[0, 200\)"):
        train.caption(model, ds, 200)
    with pytest.raises(ValueError, match=r"image: expected a test index or 432 values"):
        train.caption(model, ds, [0.5] * 10)
    with pytest.raises(TypeError, match="image: expected a numpy array, got str"):
        train.caption(model, ds, "a red square")


# ----------------------------------------------------------------------------- bad arguments


DS = data.sentiment(n_train=50, n_test=20)
MODEL = models.ManyToOne(DS.n_in, hidden_size=4)
BAD_CALLS = [
    (lambda: train.train(MODEL, DS, steps=0), ValueError, "steps: expected a positive int"),
    (lambda: train.train(MODEL, DS, lr="0.1"), TypeError, "lr: expected a number"),
    (lambda: train.train(MODEL, DS, lr=0), ValueError, "lr: expected a positive number"),
    (lambda: train.train(MODEL, DS, batch_size=-1), ValueError, "batch_size: expected"),
    (lambda: train.train(MODEL, DS, clip=0), ValueError, "clip: expected a positive number"),
    (lambda: train.train(MODEL, DS, tbptt=5), ValueError, "tbptt: truncated BPTT needs"),
    (lambda: train.train(MODEL, DS, device="gpu9"), ValueError, "device: expected"),
    (lambda: train.train(MODEL, DS, device="cuda:7"), ValueError, "device: 'cuda:7' is not"),
    (lambda: train.train(MODEL, DS, progress="yes"), TypeError, "progress: expected"),
    (lambda: train.train(MODEL, DS, seed=1.5), TypeError, "seed: expected"),
    (lambda: train.train(MODEL, "sentiment"), TypeError, "data: expected an rnnbook"),
    (lambda: train.train(torch.nn.Linear(2, 2), DS), TypeError, "model: expected a model"),
    (lambda: train.train(models.ManyToOne(DS.n_in + 1), DS), ValueError,
     r"model: expected n_in=\d+ for data 'sentiment', got n_in=\d+"),
    (lambda: train.evaluate(MODEL, DS, split="dev"), ValueError, "split: expected one of"),
]


@pytest.mark.parametrize("call, error, message", BAD_CALLS)
def test_bad_arguments_are_named(call, error, message):
    with pytest.raises(error, match=message):
        call()
