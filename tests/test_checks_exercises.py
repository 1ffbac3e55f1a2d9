"""Tests of the other exercises' checkers (one_hot, last_valid_state, clip_by_global_norm,
architectures) and of the reference solutions' own argument checks.

As in test_checks_steps: each mutant is a learner's function (or answer) with one classic
mistake and the keyword the checker's message must contain. test_checks_engine runs them all.
"""

import numpy as np
import pytest

from rnnbook import checks, models, solutions

# ============================================================================ 01 one-hot batch


def one_hot_with(sentences, vocab, T=None, index=None, pad_value=None, left=False, dtype=float):
    """A learner's one_hot_batch with knobs for the mistakes below."""
    T = T or max(len(s) for s in sentences)
    x = np.zeros((T, len(sentences), len(vocab)), dtype=dtype)
    for b, sentence in enumerate(sentences):
        sentence = sentence[:T]
        start = T - len(sentence) if left else 0
        for t, token in enumerate(sentence):
            x[start + t, b, (index or vocab)[token]] = 1
        if pad_value is not None:
            x[len(sentence):, b, pad_value] = 1
    return x


def one_hot_batch_first(sentences, vocab):
    return one_hot_with(sentences, vocab).transpose(1, 0, 2)


def one_hot_shortest(sentences, vocab):
    return one_hot_with(sentences, vocab, T=min(len(s) for s in sentences))


def one_hot_first_length(sentences, vocab):
    return one_hot_with(sentences, vocab, T=len(sentences[0]))


def one_hot_pad_index0(sentences, vocab):
    return one_hot_with(sentences, vocab, pad_value=0)


def one_hot_pad_left(sentences, vocab):
    return one_hot_with(sentences, vocab, left=True)


def one_hot_own_numbering(sentences, vocab):
    index = {}
    for sentence in sentences:
        for token in sentence:
            index.setdefault(token, len(index))
    return one_hot_with(sentences, vocab, index=index)


def one_hot_one_based(sentences, vocab):
    return one_hot_with(sentences, vocab, index={tok: k - 1 for tok, k in vocab.items()})


def one_hot_reversed(sentences, vocab):
    return one_hot_with([s[::-1] for s in sentences], vocab)


def one_hot_ints(sentences, vocab):
    return one_hot_with(sentences, vocab, dtype=int)


def one_hot_nested_list(sentences, vocab):
    return one_hot_with(sentences, vocab).tolist()


def one_hot_all_first(sentences, vocab):
    return one_hot_with([sentences[0]] * len(sentences), vocab, T=max(map(len, sentences)))


def one_hot_twos(sentences, vocab):  # no variant knows this one
    return 2 * one_hot_with(sentences, vocab)


ONE_HOT_MUTANTS = [
    (one_hot_batch_first, "batch-first"),
    (one_hot_shortest, "shortest sentence"),
    (one_hot_first_length, "first sentence's length"),
    (one_hot_pad_index0, "padded steps have a 1 at index 0"),
    (one_hot_pad_left, "the padding is at the start"),
    (one_hot_own_numbering, "order of appearance"),
    (one_hot_one_based, "shifted by one"),
    (one_hot_reversed, "reversed in time"),
    (one_hot_ints, "dtype int"),
    (one_hot_nested_list, "should be a numpy array, got a list"),
    (one_hot_all_first, "every batch column holds the first sentence"),
    (one_hot_twos, "should be one-hot at vocab['the'] = 2"),
]

# ============================================================================ 03 last valid state


def last_padded(hs, lengths):
    return hs[-1]


def one_late(hs, lengths):
    return hs[lengths, np.arange(hs.shape[1])]


def time_index_only(hs, lengths):
    return hs[lengths - 1]


def first_step(hs, lengths):
    return hs[0]


def mean_over_time(hs, lengths):
    return hs.mean(axis=0)


def batch_major(hs, lengths):
    return np.stack([hs[b, lengths[b] - 1] for b in range(hs.shape[1])])


def first_length_for_all(hs, lengths):
    return hs[lengths[0] - 1]


def one_early(hs, lengths):
    return np.stack([hs[length - 2, b] for b, length in enumerate(lengths)])


def transposed_result(hs, lengths):
    return hs[lengths - 1, np.arange(hs.shape[1])].T


def valid_mean(hs, lengths):
    return np.stack([hs[:length, b].mean(axis=0) for b, length in enumerate(lengths)])


def doubled(hs, lengths):  # no variant knows this one
    return 2 * hs[lengths - 1, np.arange(hs.shape[1])]


LAST_VALID_MUTANTS = [
    (last_padded, "the last padded step hs[-1]"),
    (one_late, "one step too late"),
    (time_index_only, "picks whole time steps"),
    (first_step, "the first step hs[0]"),
    (mean_over_time, "averages over all T steps"),
    (batch_major, "batch-major"),
    (first_length_for_all, "lengths[0] for every sequence"),
    (one_early, "one step too early"),
    (transposed_result, "axes are in the wrong order"),
    (valid_mean, "averages over the valid steps"),
    (doubled, "none of sequence 0's hidden states"),
]

# ============================================================================ 04 clipping


def global_norm(grads):
    return float(np.sqrt(sum(np.sum(g**2) for g in grads.values())))


def clip_per_tensor(grads, max_norm):
    clipped = {}
    for name, g in grads.items():
        norm = np.linalg.norm(g)
        clipped[name] = g * max_norm / norm if norm > max_norm else g.copy()
    return clipped, global_norm(grads)


def clip_by_value(grads, max_norm):
    return {k: np.clip(g, -max_norm, max_norm) for k, g in grads.items()}, global_norm(grads)


def clip_sum_of_norms(grads, max_norm):
    total = sum(np.linalg.norm(g) for g in grads.values())
    scale = min(1.0, max_norm / total)
    return {k: g * scale for k, g in grads.items()}, total


def clip_no_sqrt(grads, max_norm):
    total = sum(np.sum(g**2) for g in grads.values())
    scale = min(1.0, max_norm / total)
    return {k: g * scale for k, g in grads.items()}, total


def clip_always(grads, max_norm):
    total = global_norm(grads)
    return {k: g * max_norm / total for k, g in grads.items()}, total


def clip_inverted(grads, max_norm):
    total = global_norm(grads)
    scale = total / max_norm if total > max_norm else 1.0
    return {k: g * scale for k, g in grads.items()}, total


def clip_forgets_to_scale(grads, max_norm):
    return {k: g.copy() for k, g in grads.items()}, global_norm(grads)


def clip_reports_after(grads, max_norm):
    clipped, _ = solutions.clip_by_global_norm(grads, max_norm)
    return clipped, global_norm(clipped)


def clip_in_place(grads, max_norm):
    total = global_norm(grads)
    for g in grads.values():
        g *= min(1.0, max_norm / total)
    return grads, total


def clip_returns_dict_only(grads, max_norm):
    return solutions.clip_by_global_norm(grads, max_norm).grads


def clip_drops_biases(grads, max_norm):
    clipped, total = solutions.clip_by_global_norm(grads, max_norm)
    return {k: g for k, g in clipped.items() if k.startswith("weight")}, total


def clip_plus_one(grads, max_norm):  # no variant knows this one
    total = global_norm(grads)
    scale = min(1.0, max_norm / (total + 1))
    return {k: g * scale for k, g in grads.items()}, total


CLIP_MUTANTS = [
    (clip_per_tensor, "clipped per tensor"),
    (clip_by_value, "clipping by value"),
    (clip_sum_of_norms, "adds up the tensors' norms"),
    (clip_no_sqrt, "missing its square root"),
    (clip_always, "rescales even when total_norm <= max_norm"),
    (clip_inverted, "upside down"),
    (clip_forgets_to_scale, "the gradients are not scaled"),
    (clip_reports_after, "measured after clipping"),
    (clip_in_place, "changed its argument grads in place"),
    (clip_returns_dict_only, "expected 2 results"),
    (clip_drops_biases, "should have the keys of grads"),
    (clip_plus_one, "every tensor is scaled by"),
]

# ============================================================================ 03 architectures


def answers_with(**changes):
    answers = dict(solutions.TASK_ARCHITECTURES)
    for task in list(answers):
        for key, value in changes.items():
            if key in task:
                answers[task] = value
    return answers


def drop(answers, word):
    return {task: a for task, a in answers.items() if word not in task}


ARCHITECTURE_MUTANTS = [
    (list(solutions.TASK_ARCHITECTURES.items()), "expected a dict"),
    (answers_with(review="many to one"), "did you mean 'many-to-one'"),
    (drop(solutions.TASK_ARCHITECTURES, "melody"), "no answer yet for 'compose a melody"),
    ({**solutions.TASK_ARCHITECTURES, "caption an image": "one-to-many"},
     "did you mean 'caption a small image"),
    (answers_with(translate="many-to-many (synced)"), "translate '25 November 2026'"),
    (answers_with(caption="many-to-one"), "'caption a small image with a few words' is not"),
    (answers_with(review="many-to-many (synced)"), "'say whether a film review"),
    (dict.fromkeys(solutions.TASK_ARCHITECTURES, "seq2seq"), "(6 more answers wrong too)"),
    (answers_with(temperature=None), "no answer yet for \"predict tomorrow's temperature"),
    (answers_with(digit=3), "3 (for 'say which digit"),
]

OTHER_MUTANTS = {
    "one_hot": (checks.check_one_hot, ONE_HOT_MUTANTS),
    "last_valid_state": (checks.check_last_valid_state, LAST_VALID_MUTANTS),
    "clip_by_global_norm": (checks.check_clip_by_global_norm, CLIP_MUTANTS),
    "architectures": (checks.check_architectures, ARCHITECTURE_MUTANTS),
}

# ============================================================================ solutions' inputs


def test_one_hot_batch_pads_with_zero_vectors():
    x = solutions.one_hot_batch([["a", "b"], ["b"]], {"b": 0, "a": 1})
    assert x.shape == (2, 2, 2) and x.dtype == np.float64
    np.testing.assert_array_equal(x[:, 0], [[0, 1], [1, 0]])
    np.testing.assert_array_equal(x[:, 1], [[1, 0], [0, 0]])


@pytest.mark.parametrize("sentences, vocab, error, match", [
    ("a b", {"a": 0}, TypeError, "sentences: expected a non-empty list"),
    ([["a"], []], {"a": 0}, TypeError, r"sentences\[1\]: expected a non-empty list"),
    ([["a", "c"]], {"a": 0}, ValueError, r"sentences\[0\]\[1\]: 'c' is not in vocab"),
    ([["a"]], {"a": 1}, ValueError, "vocab: expected the indices 0 .. 0"),
    ([["a"]], ["a"], TypeError, "vocab: expected a non-empty dict"),
])
def test_one_hot_batch_names_bad_input(sentences, vocab, error, match):
    with pytest.raises(error, match=match):
        solutions.one_hot_batch(sentences, vocab)


def test_last_valid_state_reads_each_sequences_last_valid_step():
    hs = np.arange(3 * 2 * 1, dtype=float).reshape(3, 2, 1)
    np.testing.assert_array_equal(solutions.last_valid_state(hs, np.array([2, 3])), [[2], [5]])


@pytest.mark.parametrize("lengths, match", [
    (np.array([0, 1]), "lengths: expected values in 1 .. 3"),
    (np.array([1, 4]), "lengths: expected values in 1 .. 3"),
    (np.array([1.0, 2.0]), "lengths: expected 2 ints"),
    (np.array([1, 2, 3]), "lengths: expected 2 ints"),
])
def test_last_valid_state_names_bad_lengths(lengths, match):
    with pytest.raises(ValueError, match=match):
        solutions.last_valid_state(np.zeros((3, 2, 4)), lengths)


def test_clip_by_global_norm_agrees_with_torch():
    import torch

    rng = np.random.default_rng(0)
    grads = {"w": rng.normal(size=(3, 4)), "b": rng.normal(size=4)}
    tensors = [torch.zeros_like(torch.from_numpy(g), requires_grad=True) for g in grads.values()]
    for t, g in zip(tensors, grads.values(), strict=True):
        t.grad = torch.from_numpy(g.copy())
    total = torch.nn.utils.clip_grad_norm_(tensors, max_norm=1.0)
    clipped, total_norm = solutions.clip_by_global_norm(grads, 1.0)
    assert total_norm == pytest.approx(float(total), rel=1e-12)
    for t, g in zip(tensors, clipped.values(), strict=True):
        np.testing.assert_allclose(g, t.grad.numpy(), rtol=1e-5)  # torch adds 1e-6 to the norm
    assert grads["w"] is not clipped["w"] and np.linalg.norm(grads["w"]) > 1  # input untouched


@pytest.mark.parametrize("grads, max_norm, error, match", [
    ({}, 1.0, TypeError, "grads: expected a non-empty dict"),
    ({"w": "x"}, 1.0, TypeError, r"grads\['w'\]"),
    ({"w": np.ones(2)}, 0.0, ValueError, "max_norm: expected a positive number"),
    ({"w": np.ones(2)}, "1", TypeError, "max_norm: expected a number"),
])
def test_clip_by_global_norm_names_bad_input(grads, max_norm, error, match):
    with pytest.raises(error, match=match):
        solutions.clip_by_global_norm(grads, max_norm)


def test_clip_by_global_norm_leaves_zero_gradients_alone():
    result = solutions.clip_by_global_norm({"w": np.zeros(3)}, 1.0)
    assert isinstance(result, solutions.ClippedGrads)
    clipped, total = result
    assert total == 0.0 and not clipped["w"].any()


def test_architecture_answers_use_the_five_names():
    assert set(solutions.TASK_ARCHITECTURES.values()) == set(models.ARCHITECTURE_NAMES)
    assert checks.ARCHITECTURE_NAMES is models.ARCHITECTURE_NAMES  # one source


def test_every_task_has_its_reason_for_a_wrong_answer():
    # The tasks are written in solutions.TASK_ARCHITECTURES and again as the keys of the reasons.
    assert list(checks.architectures._WHY) == list(solutions.TASK_ARCHITECTURES)
