"""The checker of notebook 07's exercise, attention_step: each mutant is a learner's function
with one classic mistake, and the keyword the checker's message must contain.
test_checks_engine runs them all with the other exercises' mutants."""

import numpy as np
from checks_testing import assert_names

from rnnbook import attention, checks


def attend(query, keys, values, mask=None, scores=None, scale=None, axis=1, weigh="softmax",
           shift=True, masking="-inf", context_from=None, context_axis=0, keys_first=False,
           transposed=False):
    """A learner's attention_step with knobs for the mistakes below, written independently of
    the checker's variant."""
    H = query.shape[1]
    source = keys if scores is None else scores
    if keys_first:
        s = np.einsum("bsh,bh->bs", source, query)
    else:
        s = (source * query[None]).sum(-1).T  # (S, B, H) * (1, B, H) -> (S, B) -> (B, S)
    s = s / (np.sqrt(H) if scale is None else scale)
    if mask is not None and masking == "-inf":
        s = np.where(mask, s, -np.inf)
    if mask is not None and masking == "inverted":
        s = np.where(mask, -np.inf, s)
    if weigh == "raw":
        w = s
    elif weigh == "argmax":
        w = np.zeros_like(s)
        w[np.arange(s.shape[0]), s.argmax(1)] = 1.0
    else:
        e = np.exp(s - s.max(axis=axis, keepdims=True)) if shift else np.exp(s)
        w = e if weigh == "exp" else e / e.sum(axis=axis, keepdims=True)
    if mask is not None and masking == "zeroed":
        w = w * mask
    v = values if context_from is None else context_from
    if context_axis == 0:
        context = (w.T[:, :, None] * v).sum(0)
    else:
        context = (w.T[:, :, None] * v).sum(1)
    return context, (w.T if transposed else w)


def right(q, k, v, mask=None):
    return attend(q, k, v, mask)


def softmax_over_batch(q, k, v, mask=None):
    return attend(q, k, v, mask, axis=0)


def unscaled(q, k, v, mask=None):
    return attend(q, k, v, mask, scale=1.0)


def divided_by_H(q, k, v, mask=None):
    return attend(q, k, v, mask, scale=q.shape[1])


def times_sqrt_H(q, k, v, mask=None):
    return attend(q, k, v, mask, scale=1 / np.sqrt(q.shape[1]))


def raw_scores(q, k, v, mask=None):
    return attend(q, k, v, mask, weigh="raw", masking="none")


def not_normalised(q, k, v, mask=None):
    return attend(q, k, v, mask, weigh="exp")


def context_from_keys(q, k, v, mask=None):
    return attend(q, k, v, mask, context_from=k)


def scores_from_values(q, k, v, mask=None):
    return attend(q, k, v, mask, scores=v)


def hard_argmax(q, k, v, mask=None):
    return attend(q, k, v, mask, weigh="argmax")


def weights_transposed(q, k, v, mask=None):
    return attend(q, k, v, mask, transposed=True)


def mask_ignored(q, k, v, mask=None):
    return attend(q, k, v, None)


def mask_inverted(q, k, v, mask=None):
    return attend(q, k, v, mask, masking="inverted")


def zeroed_after_softmax(q, k, v, mask=None):
    return attend(q, k, v, mask, masking="zeroed")


def no_max_subtracted(q, k, v, mask=None):
    return attend(q, k, v, mask, shift=False)


def keys_batch_first(q, k, v, mask=None):
    return attend(q, k, v, mask, keys_first=True)


def context_over_batch(q, k, v, mask=None):
    return attend(q, k, v, mask, context_axis=1)


ATTENTION_MUTANTS = (
    (softmax_over_batch, "the softmax runs over the batch axis B"),
    (unscaled, "the scores are not scaled"),
    (divided_by_H, "the scores are divided by H"),
    (times_sqrt_H, "multiplied by sqrt(H)"),
    (raw_scores, "the raw scores are used as weights"),
    (not_normalised, "the weights are not normalised"),
    (context_from_keys, "the context is built from the keys"),
    (scores_from_values, "the scores are built from the values"),
    (hard_argmax, "the attention is hard"),
    (weights_transposed, "the weights are returned transposed"),
    (mask_ignored, "the mask is ignored"),
    (mask_inverted, "the mask is inverted"),
    (zeroed_after_softmax, "zeroed after the softmax"),
    (no_max_subtracted, "without each row's maximum subtracted overflows"),
    (keys_batch_first, "the keys are read as batch-first"),
    (context_over_batch, "the context sums over the batch axis B"),
)
MUTANTS = {"attention_step": (checks.check_attention_step, ATTENTION_MUTANTS)}


def test_the_learner_written_answer_passes(capsys):
    checks.check_attention_step(right)
    assert capsys.readouterr().out == (
        "attention_step: correct, it agrees with the reference on all 5 test cases.\n")


def test_large_scores_overflow_only_without_the_max_subtracted():
    ex = checks.EXERCISES["attention_step"]
    large = ex.cases()[-1]
    with np.errstate(all="ignore"):
        assert not np.isfinite(no_max_subtracted(*large.args)[1]).all()
    assert np.isfinite(attention.attention_step(*large.args)[1]).all()


def test_a_crash_on_every_case_names_the_arguments():
    def crashes(q, k, v, mask=None):
        return q @ k  # (B, H) @ (S, B, H): never the right shapes
    message = assert_names(checks.check_attention_step, crashes, "your function raised")
    assert "keys and values (S, B, H), time-major" in message
