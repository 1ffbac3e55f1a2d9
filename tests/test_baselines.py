"""rnnbook.baselines: the window predictors of notebook 01, the ceilings of notebooks 01 and 03,
the long-lag baselines of notebook 04, and the counting models of notebook 06 (Kneser-Ney
n-grams, checked against hand computation)."""

import math

import numpy as np
import pytest

from rnnbook import baselines, data

SMALL = {"n_train": 60, "n_test": 40}


def sine(T, freq=0.05, phase=0.3):
    return np.sin(2 * np.pi * freq * np.arange(T) + phase)


# --------------------------------------------------------------------------- window predictors

def test_next_value_windows_keep_the_steps_in_order_unless_shuffled():
    series = np.arange(10.0).reshape(5, 2)  # T = 5 steps of N = 2 series: 0, 2, 4, .. and 1, 3,
    windows, targets = baselines.next_value_windows(series, 3)
    np.testing.assert_array_equal(windows, [[0, 2, 4], [1, 3, 5], [2, 4, 6], [3, 5, 7]])
    np.testing.assert_array_equal(targets, [6, 7, 8, 9])
    shuffled, same_targets = baselines.next_value_windows(series, 3, shuffle_seed=0)
    np.testing.assert_array_equal(same_targets, targets)
    np.testing.assert_array_equal(np.sort(shuffled, axis=1), windows)  # the same values ...
    assert np.any(shuffled != windows)  # ... in another order


def test_fit_next_value_finds_the_recurrence_of_a_clean_sine():
    # sin(w(t + 1)) = 2 cos(w) sin(wt) - sin(w(t - 1)): two values in order give the next
    series = np.stack([sine(40, 0.05, p) for p in (0.0, 1.0, 2.0)], axis=1)  # (T, N)
    weights = baselines.fit_next_value(*baselines.next_value_windows(series, 2))
    np.testing.assert_allclose(weights, [-1, 2 * np.cos(2 * np.pi * 0.05), 0], atol=1e-9)
    windows, targets = baselines.next_value_windows(series, 2)
    np.testing.assert_allclose(baselines.predict_next_value(weights, windows), targets,
                               atol=1e-9)


def test_window_predictors_lose_accuracy_when_shuffled_except_at_width_one():
    train = np.stack([sine(41, f, p) for f, p in ((0.03, 0.0), (0.07, 1.0), (0.05, 2.5))], 1)
    test = np.stack([sine(41, 0.05, p) for p in (0.5, 2.0)], axis=1)
    predictors = baselines.window_predictors(train, test, max_width=6, noise=0.1, seed=0)
    errors = predictors.errors
    np.testing.assert_array_equal(errors.widths, np.arange(1, 7))
    assert errors.floor == pytest.approx(0.01)
    assert errors.in_order[0] == pytest.approx(errors.shuffled[0])  # one value has no order
    assert errors.in_order[2] < 1e-3  # three clean values in order pin the next down
    assert np.all(errors.shuffled[2:] > 100 * errors.in_order[2:])
    windows, targets = baselines.next_value_windows(test, 3)  # the errors are the weights'
    guesses = baselines.predict_next_value(predictors.weights[3, False], windows)
    assert errors.in_order[2] == pytest.approx(np.mean((guesses - targets) ** 2))


def test_shuffle_order_is_never_the_identity():
    for seed in range(20):
        order = baselines.shuffle_order(2, seed)
        np.testing.assert_array_equal(order, [1, 0])
    np.testing.assert_array_equal(baselines.shuffle_order(1, 0), [0])
    assert sorted(baselines.shuffle_order(6, 3)) == list(range(6))


def test_window_guess_in_order_and_shuffled(sines_predictors):
    series, predictors = sines_predictors
    weights, errors = predictors.weights, predictors.errors
    guess = baselines.window_guess(series, predictors, 20, 4, False)
    np.testing.assert_array_equal(guess.seen, series[20:24])
    assert guess.target == series[24] and guess.mse == errors.in_order[3]
    assert guess.prediction == pytest.approx(
        baselines.predict_next_value(weights[4, False], series[None, 20:24])[0])
    guess = baselines.window_guess(series, predictors, 20, 4, True, seed=5)
    np.testing.assert_array_equal(guess.seen, series[20:24][baselines.shuffle_order(4, 5)])
    assert guess.prediction == pytest.approx(
        baselines.predict_next_value(weights[4, True], guess.seen[None])[0])
    assert guess.mse == errors.shuffled[3] and guess.mse > 5 * errors.in_order[3]


def test_window_guess_snaps_a_late_start_back(sines_predictors):
    series, predictors = sines_predictors
    assert len(series) == 61  # data.sines(): T = 60 steps and the last target
    assert baselines.window_guess(series, predictors, 60, 8, False).start == 52


def test_window_functions_reject_bad_arguments(sines_predictors):
    series, predictors = sines_predictors
    with pytest.raises(ValueError, match=r"width: expected an int in \[1, 4\], got 5"):
        baselines.next_value_windows(np.zeros((5, 2)), 5)
    with pytest.raises(TypeError, match="predictors: expected a WindowPredictors, got dict"):
        baselines.window_guess(np.zeros(10), {}, 0, 2, False)
    with pytest.raises(TypeError, match="shuffle: expected True or False, got 'yes'"):
        baselines.window_guess(series, predictors, 0, 2, "yes")
    with pytest.raises(ValueError, match=r"width: expected an int in \[1, 8\], got 9"):
        baselines.window_guess(series, predictors, 0, 9, False)
    with pytest.raises(ValueError, match=r"targets: expected shape \(3\), got shape \(4,\)"):
        baselines.fit_next_value(np.zeros((3, 2)), np.zeros(4))


# --------------------------------------------------------------------------- ceilings

def test_order_blind_ceiling_is_three_quarters():
    # half the test reviews are twins (order-blind: 50%), the other half have a readable bag
    assert baselines.order_blind_ceiling(data.sentiment(n_train=100, n_test=400)) == 0.75
    with pytest.raises(ValueError, match="dataset: expected a many-to-one"):
        baselines.order_blind_ceiling(data.tagging(**SMALL))


def test_context_free_ceiling_is_each_words_majority_tag():
    ds = data.tagging(**SMALL)
    ambiguous = ds.test.ambiguous
    words, tags = ds.test.x[ambiguous].tolist(), ds.test.y[ambiguous].tolist()
    best = sum(max(tags_of.count(t) for t in set(tags_of))
               for tags_of in ([t for w2, t in zip(words, tags, strict=True) if w2 == w]
                               for w in set(words)))
    assert baselines.context_free_ceiling(ds) == best / len(words)
    assert baselines.context_free_ceiling(ds) <= 0.6  # the context decides, not the word


@pytest.mark.parametrize("call, error, message", [
    (lambda: baselines.context_free_ceiling(data.sentiment(**SMALL), "dev"), ValueError,
     "split: expected one of"),
    (lambda: baselines.context_free_ceiling("tagging"), TypeError,
     "dataset: expected an rnnbook.data.Dataset, got str"),
    (lambda: baselines.context_free_ceiling(data.sentiment(**SMALL)), ValueError,
     "dataset: expected a tagging task, got 'sentiment'"),
])
def test_ceilings_name_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


# ---------------------------------------------------------------------------------------------
# Long time lags (notebook 04)


def test_last_marker_guess_is_the_last_marked_value_plus_a_half():
    x = np.zeros((4, 2, 2))
    x[:, :, 0] = [[0.1, 0.5], [0.2, 0.6], [0.3, 0.7], [0.4, 0.8]]
    x[[0, 2], 0, 1] = 1  # sequence 0: markers at steps 0 and 2
    x[[1, 3], 1, 1] = 1  # sequence 1: markers at steps 1 and 3
    np.testing.assert_allclose(baselines.last_marker_guess(x), [0.3 + 0.5, 0.8 + 0.5])


def test_last_marker_mse_is_the_first_values_spread_about_one_twelfth():
    adding = data.adding(T=10, n_train=1, n_test=20000, seed=3)
    x, y = adding.test.x.double().numpy(), adding.test.y.double().numpy()
    first = x[:, :, 0][np.argmax(x[:, :, 1] > 0, axis=0), np.arange(x.shape[1])]
    mse = baselines.last_marker_mse(adding)
    assert mse == pytest.approx(np.mean((first - 0.5) ** 2))  # the error is the unseen value
    assert mse == pytest.approx(1 / 12, abs=0.003)
    assert y.var() == pytest.approx(1 / 6, abs=0.006)  # the mean predictor's, twice as large


def test_an_untrained_state_read_out_recalls_a_recent_symbol_above_chance():
    short, long = (data.echo(d=d, n_train=500, n_test=200) for d in (1, 5))
    assert baselines.untrained_state_readout(short) > 0.9  # one step back: the state holds it
    assert 0.3 < baselines.untrained_state_readout(long) < 0.9  # five back: some of it


def test_long_lag_baselines_name_a_wrong_dataset():
    with pytest.raises(ValueError, match="dataset: expected the adding problem"):
        baselines.last_marker_mse(data.echo())
    with pytest.raises(ValueError, match="dataset: expected a synced task of token ids"):
        baselines.untrained_state_readout(data.adding(T=4, n_train=2, n_test=2))
    with pytest.raises(ValueError, match=r"x: expected shape \(\?, \?, 2\)"):
        baselines.last_marker_guess(np.zeros((3, 2)))


# --------------------------------------------------------------------------- Kneser-Ney n-grams

# "aabab" over the vocabulary a, b, c (ids 0, 1, 2). Worked by hand (see baselines' comment):
#   bigram counts aa 1, ab 2, ba 1: n1 = 2, n2 = 1, so the top discount D2 = 2 / (2 + 2) = 1/2;
#   unigram continuation counts a 2 (after a and b), b 1: D1 = 1 / (1 + 2) = 1/3, total 3,
#   2 types: P1(a) = (2 - 1/3 + 1/3 * 2 / 3) / 3 = 17/27, P1(b) = 8/27, P1(c) = 2/27;
#   after "a" (total 3, 2 types): P2(a|a) = (1/2 + 1/2 * 2 * 17/27) / 3 = 61/162,
#   P2(b|a) = (3/2 + 8/27) / 3 = 97/162, P2(c|a) = (2/27) / 3 = 4/162;
#   after "b" (ba once): P2(a|b) = 1/2 + 1/2 * 17/27 = 44/54, P2(b|b) = 8/54, P2(c|b) = 2/54;
#   after "c" (never seen): P1.
TEXT = np.array([0, 0, 1, 0, 1])
HAND = {
    (): [17 / 27, 8 / 27, 2 / 27],
    (0,): [61 / 162, 97 / 162, 4 / 162],
    (1,): [44 / 54, 8 / 54, 2 / 54],
    (2,): [17 / 27, 8 / 27, 2 / 27],
}


@pytest.fixture(scope="module")
def tiny():
    return baselines.KneserNey(TEXT, vocab_size=3, max_order=2)


@pytest.mark.parametrize("context", sorted(HAND))
def test_kneser_ney_matches_the_hand_computation(tiny, context):
    want = HAND[context]
    got = tiny.distribution(np.array(context, dtype=int), order=2 if context else 1)
    if not context:  # the unigram *model* counts raw occurrences: a 3, b 2, D = 1/2 (n1 = 0)
        want = [(2.5 + 0.5 * 2 / 3) / 5, (1.5 + 0.5 * 2 / 3) / 5, (0.5 * 2 / 3) / 5]
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_the_lower_level_of_a_bigram_uses_continuation_counts(tiny):
    # With no context, the bigram model falls to its lower level: continuation counts
    # (P1(a) = 17/27), not the raw frequency that the unigram model uses (17/30).
    np.testing.assert_allclose(tiny.distribution(np.array([], dtype=int), 2), HAND[()])


def test_probs_reads_each_characters_own_history(tiny):
    got = tiny.probs(np.array([0, 0, 1]), order=2)
    np.testing.assert_allclose(got, [17 / 27, 61 / 162, 97 / 162])


def test_distributions_sum_to_one_for_every_order_and_context():
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 7, size=400)
    ids[::5] = 3  # some structure, so that the counts are uneven
    model = baselines.KneserNey(ids, vocab_size=9, max_order=5)  # ids 7 and 8 never occur
    for order in range(1, 6):
        for context in ([], [3], [1, 2, 8], rng.integers(0, 9, 6).tolist()):
            dist = model.distribution(np.array(context, dtype=int), order)
            assert dist.shape == (9,) and np.all(dist > 0)
            assert dist.sum() == pytest.approx(1.0, abs=1e-12)


def test_bits_per_char_and_best_order():
    assert baselines.bits_per_char(np.array([0.5, 0.25])) == pytest.approx(1.5)
    assert baselines.uniform_bits(8) == 3.0
    # A periodic text: the order that sees one whole period predicts it almost perfectly.
    ids = np.tile([0, 1, 2, 0, 2, 1], 50)
    model = baselines.KneserNey(ids, vocab_size=3, max_order=4)
    best, scores = baselines.best_order(model, ids[:60])
    assert best == min(scores, key=scores.get)
    assert scores[1] == pytest.approx(math.log2(3), abs=0.01)  # uniform frequencies
    assert scores[3] < 0.2 < scores[2]
    assert baselines.unigram_bits(ids, ids, 3) == pytest.approx(math.log2(3), abs=1e-9)


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="ids: expected ids in"):
        baselines.KneserNey(np.array([0, 5]), vocab_size=3)
    with pytest.raises(TypeError, match="ids: expected a 1-D array of int ids"):
        baselines.KneserNey(np.array([0.5, 1.0]), vocab_size=3)
    model = baselines.KneserNey(TEXT, vocab_size=3, max_order=2)
    with pytest.raises(ValueError, match=r"order: expected an int in \[1, 2\]"):
        model.probs(TEXT, order=3)
    with pytest.raises(ValueError, match="probs: expected probabilities"):
        baselines.bits_per_char(np.array([0.0, 0.5]))


def test_context_pairs_put_the_held_out_pairs_in_the_test_set_only():
    ds = data.tagging(n_train=200, n_test=100)
    held = set(ds.info["held_out"])
    assert baselines.context_pairs("then by the river we saw the bank and the bill".split()) == {
        "river + bank", "river + bill"}
    assert baselines.context_pairs(["the", "bank"]) == {"None + bank"}
    for part, expected in ((ds.train, False), (ds.test, True)):
        for j in range(len(part)):
            pairs = baselines.context_pairs(data.tokenize(ds.vocab.decode(part.x[:, j].tolist())))
            assert bool(pairs & held) == expected


def test_context_pairs_names_a_bad_argument():
    with pytest.raises(TypeError, match="words"):
        baselines.context_pairs("by the river")


def test_unseen_fraction_counts_the_strings_never_seen_in_training():
    model = baselines.KneserNey(np.array([0, 1, 2, 0, 1]), vocab_size=4, max_order=3)
    # the pairs of [0, 1, 3, 2]: (0, 1) seen, (1, 3) and (3, 2) not
    assert model.unseen_fraction(np.array([0, 1, 3, 2]), 2) == pytest.approx(2 / 3)
    assert model.unseen_fraction(np.array([2, 0, 1]), 3) == 0.0
    with pytest.raises(ValueError, match="length"):
        model.unseen_fraction(np.array([0, 1]), 4)


def test_no_test_date_is_written_as_its_month_was_in_training():
    """The (month, written form) pairs of the dates test set never occur in training, May
    included, whose abbreviation is its name ('may 25, 2026' is two formats at once)."""
    ds = data.dates(n_train=3000, n_test=500)

    def forms(split):
        return {baselines.date_form(ds.vocab.decode(split.x[:, j].tolist()),
                                    ds.out_vocab.decode(split.y[:, j].clamp(min=0).tolist()))
                for j in range(len(split))}

    test = forms(ds.test)
    assert len(test) == 12 and not test & forms(ds.train)
    assert baselines.date_form("nov 25, 2026", "2026-11-25") == ("11", "nov #, #")
    with pytest.raises(ValueError, match="iso: expected a date as YYYY-MM-DD"):
        baselines.date_form("nov 25, 2026", "25/11/2026")
    with pytest.raises(TypeError, match="text: expected a str"):
        baselines.date_form(25, "2026-11-25")
