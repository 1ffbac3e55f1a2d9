"""The counting baselines of notebook 06: Kneser-Ney n-grams, checked against hand computation."""

import math

import numpy as np
import pytest

from rnnbook import ngram

# "aabab" over the vocabulary a, b, c (ids 0, 1, 2). Worked by hand (see the module doc):
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
    return ngram.KneserNey(TEXT, vocab_size=3, max_order=2)


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
    model = ngram.KneserNey(ids, vocab_size=9, max_order=5)  # ids 7 and 8 never occur
    for order in range(1, 6):
        for context in ([], [3], [1, 2, 8], rng.integers(0, 9, 6).tolist()):
            dist = model.distribution(np.array(context, dtype=int), order)
            assert dist.shape == (9,) and np.all(dist > 0)
            assert dist.sum() == pytest.approx(1.0, abs=1e-12)


def test_bits_per_char_and_best_order():
    assert ngram.bits_per_char(np.array([0.5, 0.25])) == pytest.approx(1.5)
    assert ngram.uniform_bits(8) == 3.0
    # A periodic text: the order that sees one whole period predicts it almost perfectly.
    ids = np.tile([0, 1, 2, 0, 2, 1], 50)
    model = ngram.KneserNey(ids, vocab_size=3, max_order=4)
    best, scores = ngram.best_order(model, ids[:60])
    assert best == min(scores, key=scores.get)
    assert scores[1] == pytest.approx(math.log2(3), abs=0.01)  # uniform frequencies
    assert scores[3] < 0.2 < scores[2]
    assert ngram.unigram_bits(ids, ids, 3) == pytest.approx(math.log2(3), abs=1e-9)


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="ids: expected ids in"):
        ngram.KneserNey(np.array([0, 5]), vocab_size=3)
    with pytest.raises(TypeError, match="ids: expected a 1-D array of int ids"):
        ngram.KneserNey(np.array([0.5, 1.0]), vocab_size=3)
    model = ngram.KneserNey(TEXT, vocab_size=3, max_order=2)
    with pytest.raises(ValueError, match=r"order: expected an int in \[1, 2\]"):
        model.probs(TEXT, order=3)
    with pytest.raises(ValueError, match="probs: expected probabilities"):
        ngram.bits_per_char(np.array([0.0, 0.5]))
