"""rnnbook.data: shapes, determinism, disjoint splits, held-out combinations, vocabularies."""

import datetime

import numpy as np
import pytest
import torch

from rnnbook import data

# Small sizes keep the whole file fast; the generators are the same at any size.
SMALL = {"n_train": 300, "n_test": 100}
MAKERS = {
    "shapes": lambda seed=0: data.shapes(**SMALL, seed=seed),
    "captions": lambda seed=0: data.captions(**SMALL, seed=seed),
    "sentiment": lambda seed=0: data.sentiment(**SMALL, seed=seed),
    "tagging": lambda seed=0: data.tagging(**SMALL, seed=seed),
    "dates": lambda seed=0: data.dates(**SMALL, seed=seed),
    "adding": lambda seed=0: data.adding(T=20, **SMALL, seed=seed),
    "echo": lambda seed=0: data.echo(d=3, T=12, **SMALL, seed=seed),
    "sines": lambda seed=0: data.sines(T=30, **SMALL, seed=seed),
}


@pytest.fixture(scope="module", params=sorted(MAKERS))
def ds(request):
    return MAKERS[request.param]()


def examples(split):
    """Each example of a split as a hashable tuple of its input (what must not repeat)."""
    x = split.x.transpose(0, 1) if split.x_seq else split.x
    return [tuple(row.flatten().tolist()) for row in x]


# ----------------------------------------------------------------------------- every dataset


def test_sizes_and_shapes(ds):
    for split, n in ((ds.train, SMALL["n_train"]), (ds.test, SMALL["n_test"])):
        assert len(split) == n
        batch = split.batch([0, 2, 4])
        assert (batch.x.shape[1] if split.x_seq else batch.x.shape[0]) == 3
        assert (batch.y.shape[1] if split.y_seq else batch.y.shape[0]) == 3
        if split.lengths is not None:
            assert split.lengths.shape == (n,)
            assert int(split.lengths.max()) <= split.x.shape[0]
            # padding (id 0) sits exactly after each sequence's last valid step
            steps = torch.arange(split.x.shape[0])[:, None]
            assert torch.equal(split.x != 0, steps < split.lengths[None])
    if ds.target == "class":
        scored = ds.train.y[ds.train.y != data.IGNORE]
        assert 0 <= int(scored.min()) and int(scored.max()) < ds.n_out
        assert len(ds.labels) == ds.n_out
    if ds.vocab is not None:
        assert len(ds.vocab) == ds.n_in == ds.vocab_size
        assert int(ds.train.x.max()) < ds.n_in


def test_same_seed_same_data_other_seed_other_data(ds):
    again, other = MAKERS[ds.name](seed=0), MAKERS[ds.name](seed=1)
    for name in ("train", "test"):
        assert torch.equal(getattr(ds, name).x, getattr(again, name).x)
        assert torch.equal(getattr(ds, name).y, getattr(again, name).y)
    assert examples(ds.train) != examples(other.train)


def test_no_test_example_is_in_training(ds):
    assert not set(examples(ds.test)) & set(examples(ds.train))


# ------------------------------------------------------------------ held-out combinations


def test_scenes_hold_out_triples_whose_pairs_are_all_seen():
    ds = data.captions(**SMALL)
    words = ds.out_vocab
    train = {words.decode(ds.train.y[:, j].clamp(min=0).tolist()) for j in range(len(ds.train))}
    test = {words.decode(ds.test.y[:, j].clamp(min=0).tolist()) for j in range(len(ds.test))}
    assert test <= set(ds.info["held_out"]) and not test & train
    assert len(train) == 48  # 64 triples, a Latin square of 16 held out
    # every word pair of a held-out caption appears in training: only the triple is new
    for caption in ds.info["held_out"]:
        _, colour, shape, *position = caption.split()
        assert any(colour in t and shape in t for t in train)
        assert any(colour in t and " ".join(position) in t for t in train)


def test_shape_classes_match_the_captions_and_the_images_plot():
    shapes, captions = data.shapes(**SMALL), data.captions(**SMALL)
    assert torch.equal(shapes.test.x, captions.test.x)  # the same scenes
    for j in range(5):
        words = captions.out_vocab.decode(captions.test.y[:, j].clamp(min=0).tolist())
        assert shapes.labels[int(shapes.test.y[j])] in words.split()
    image = data.to_image(shapes.test.x[0].numpy())
    assert image.shape == data.IMAGE_SHAPE and 0 <= image.min() and image.max() <= 1
    with pytest.raises(ValueError, match="x: expected 432 values"):
        data.to_image(np.zeros(10))


def sentiment_words(text):
    return [w for w in data.tokenize(text) if w in data.POSITIVE + data.NEGATIVE]


def test_sentiment_test_pairs_words_never_paired_in_training():
    ds = data.sentiment(**SMALL)
    text = lambda split, j: ds.vocab.decode(split.x[:, j].tolist())  # noqa: E731
    train_pairs = {frozenset(sentiment_words(text(ds.train, j))) for j in range(len(ds.train))}
    for j in range(len(ds.test)):
        assert frozenset(sentiment_words(text(ds.test, j))) not in train_pairs


def test_sentiment_labels_follow_not_and_twins_swap_the_words():
    ds = data.sentiment(**SMALL)
    test = ds.test
    twins = test.twin_of.tolist()
    assert sum(t >= 0 for t in twins) == len(test) // 2  # half the test set are twins
    for j, k in enumerate(twins):
        words = data.tokenize(ds.vocab.decode(test.x[:, j].tolist()))
        first = next(i for i, w in enumerate(words) if w in data.POSITIVE + data.NEGATIVE)
        positive = (words[first] in data.POSITIVE) != ("not" in words[:first])
        assert int(test.y[j]) == int(positive)
        if k >= 0:
            assert twins[k] == j and int(test.y[k]) == 1 - int(test.y[j])
            assert sorted(test.x[:, j].tolist()) == sorted(test.x[:, k].tolist())
            assert sentiment_words(ds.vocab.decode(test.x[:, k].tolist())) == list(
                reversed(sentiment_words(ds.vocab.decode(test.x[:, j].tolist()))))


def test_tagging_senses_come_from_the_latest_context_word():
    ds = data.tagging(**SMALL)
    cues = {c: topic for topic, words in data._TOPICS.items() for c in words}
    for j in range(len(ds.test)):
        words = data.tokenize(ds.vocab.decode(ds.test.x[:, j].tolist()))
        topic = None
        for t, word in enumerate(words):
            topic = cues.get(word, topic)
            expected = data.SENSES[word][topic] if word in data.SENSES else data.NO_TAG
            assert ds.labels[int(ds.test.y[t, j])] == expected
            assert bool(ds.test.ambiguous[t, j]) == (word in data.SENSES)


def test_dates_hold_out_a_month_in_each_format():
    ds = data.dates(**SMALL)
    assert len(ds.info["held_out"]) == 12
    month_names = [data.format_date(datetime.date(2026, m, 25), 0).split()[1]
                   for m in range(1, 13)]
    assert month_names == list(data.MONTHS)
    for j in range(5):
        src = ds.vocab.decode(ds.test.x[:, j].tolist())
        iso = ds.out_vocab.decode(ds.test.y[:, j].clamp(min=0).tolist())
        year, month, day = (int(p) for p in iso.split("-"))
        assert str(year) in src and str(day) in src
        assert data.MONTHS[month - 1][:3] in src or f"{month:02d}" in src


def test_adding_targets_sum_the_two_marked_values():
    ds = data.adding(T=20, **SMALL)
    values, markers = ds.train.x[..., 0], ds.train.x[..., 1]
    assert torch.equal(markers.sum(0), torch.full((SMALL["n_train"],), 2.0))
    assert torch.equal(markers[:10].sum(0), torch.ones(SMALL["n_train"]))  # one in each half
    assert torch.allclose((values * markers).sum(0), ds.train.y)
    assert abs(float(((ds.test.y - 1) ** 2).mean()) - 1 / 6) < 0.05


def test_echo_targets_are_the_input_d_steps_back():
    ds = data.echo(d=3, T=12, **SMALL)
    assert torch.equal(ds.train.y[3:], ds.train.x[:-3])
    assert (ds.train.y[:3] == data.IGNORE).all()


def test_sines_test_frequencies_are_held_out():
    ds = data.sines(T=200, noise=0, **SMALL)
    assert torch.equal(ds.train.x[1:], ds.train.y[:-1])  # y is x one step ahead

    def frequency(split):  # a sine crosses zero twice a cycle; exact to 1/(2T) cycles per step
        return ((split.x[1:] * split.x[:-1]) < 0).float().sum(0).squeeze(-1) / (2 * 200)

    train, test = frequency(ds.train), frequency(ds.test)
    assert ((train < 0.04 + 0.003) | (train > 0.06 - 0.003)).all()
    assert ((test > 0.04 - 0.003) & (test < 0.06 + 0.003)).all()


# ----------------------------------------------------------------------------- vocabularies


@pytest.mark.parametrize("name, text", [
    ("sentiment", "the film was not good, just bad."),
    ("tagging", "by the river we saw the old bank"),
    ("dates", "25 november 2026"),
])
def test_vocab_round_trip(name, text):
    vocab = MAKERS[name]().vocab
    assert vocab.decode(vocab.encode(text)) == text
    assert vocab.encode(text.upper()) == vocab.encode(text)  # learners may type capitals


def test_vocab_is_sorted_with_specials_first():
    vocab = data.Vocab(["b", "a", "c", "a"])
    assert vocab.tokens == (data.PAD, data.BOS, data.EOS, "a", "b", "c")
    assert vocab.decode([3, 4, data.SPECIALS.index(data.EOS), 5]) == "a b"


def test_unknown_token_names_it_and_lists_known_ones():
    vocab = MAKERS["sentiment"]().vocab
    with pytest.raises(ValueError, match=r"unknown word 'fantastic'.*'awful', 'bad'"):
        vocab.encode("the film was fantastic")
    with pytest.raises(ValueError, match="unknown char 'x'"):
        MAKERS["dates"]().vocab.encode("25 xmas 2026")
    with pytest.raises(ValueError, match="text: expected at least one word"):
        vocab.encode("   ")
    with pytest.raises(TypeError, match="text: expected a str, got int"):
        vocab.encode(3)


# ----------------------------------------------------------------------------- bad arguments


@pytest.mark.parametrize("call, error, message", [
    (lambda: data.sentiment(n_train=0), ValueError, "n_train: expected a positive int"),
    (lambda: data.shapes(n_test=2.5), TypeError, "n_test: expected a positive int"),
    (lambda: data.dates(seed="x"), TypeError, "seed: expected a non-negative int"),
    (lambda: data.adding(T=1), ValueError, "T: expected at least 2"),
    (lambda: data.echo(d=5, T=5), ValueError, "T: expected more steps than the delay"),
    (lambda: data.echo(symbols=1), ValueError, "symbols: expected at least 2"),
    (lambda: data.sines(noise=-1), ValueError, "noise: expected a number in"),
    (lambda: data.tokenize("a", level="byte"), ValueError, "level: expected one of"),
])
def test_bad_arguments_are_named(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_whole_series_is_x_then_the_last_target():
    ds = data.sines(T=30, **SMALL)
    series = data.whole_series(ds.test)
    assert series.shape == (31, ds.test.x.shape[1]) and series.dtype == np.float64
    np.testing.assert_array_equal(series[:30], ds.test.x[:, :, 0].numpy())
    np.testing.assert_array_equal(series[1:], ds.test.y[:, :, 0].numpy())
    with pytest.raises(TypeError, match="split: expected a split of rnnbook.data.sines"):
        data.whole_series(data.adding(T=5, **SMALL).test)
