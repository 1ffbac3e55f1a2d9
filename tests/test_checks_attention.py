"""The checker of notebook 07's exercise, attention_step: each mutant is a learner's function
with one classic mistake, and the keyword the checker's message must contain.
test_checks_engine runs them all with the other exercises' mutants."""

import numpy as np
from checks_testing import assert_names

from rnnbook import attention, checks


def attend(query, keys, values, mask=None, scores="keys", scale="sqrt", axis=1,
           weigh="softmax", shift=True, masking="-inf", context="values", context_axis=0,
           keys_first=False, transposed=False):
    """A learner's attention_step with knobs for the mistakes below, written independently of
    the checker's variant."""
    H = query.shape[1]
    source = {"keys": keys, "values": values}[scores]
    if keys_first:
        s = np.einsum("bsh,bh->bs", source, query)
    else:
        s = (source * query[None]).sum(-1).T  # (S, B, H) * (1, B, H) -> (S, B) -> (B, S)
    s = s / {"sqrt": np.sqrt(H), "none": 1.0, "H": H, "times_sqrt": 1 / np.sqrt(H)}[scale]
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
    v = {"keys": keys, "values": values}[context]
    context = (w.T[:, :, None] * v).sum(context_axis)  # (S, B, H) summed over S (or B)
    return context, (w.T if transposed else w)


def learner(name, **mistakes):
    """A learner's attention_step(query, keys, values, mask=None) with these mistakes."""

    def fn(query, keys, values, mask=None):
        return attend(query, keys, values, mask, **mistakes)

    fn.__name__ = name  # the test's id
    return fn


ATTENTION_MUTANTS = (
    (learner("softmax_over_batch", axis=0), "the softmax runs over the batch axis B"),
    (learner("unscaled", scale="none"), "the scores are not scaled"),
    (learner("divided_by_H", scale="H"), "the scores are divided by H"),
    (learner("times_sqrt_H", scale="times_sqrt"), "multiplied by sqrt(H)"),
    (learner("raw_scores", weigh="raw", masking="none"), "the raw scores are used as weights"),
    (learner("not_normalised", weigh="exp"), "the weights are not normalised"),
    (learner("context_from_keys", context="keys"), "the context is built from the keys"),
    (learner("scores_from_values", scores="values"), "the scores are built from the values"),
    (learner("hard_argmax", weigh="argmax"), "the attention is hard"),
    (learner("weights_transposed", transposed=True), "the weights are returned transposed"),
    (learner("mask_ignored", masking="none"), "the mask is ignored"),
    (learner("mask_inverted", masking="inverted"), "the mask is inverted"),
    (learner("zeroed_after_softmax", masking="zeroed"), "zeroed after the softmax"),
    (learner("no_max_subtracted", shift=False),
     "without each row's maximum subtracted overflows"),
    (learner("keys_batch_first", keys_first=True), "the keys are read as batch-first"),
    (learner("context_over_batch", context_axis=1), "the context sums over the batch axis B"),
)
MUTANTS = {"attention_step": (checks.check_attention_step, ATTENTION_MUTANTS)}


def test_the_learner_written_answer_passes(capsys):
    checks.check_attention_step(learner("right"))
    assert capsys.readouterr().out == (
        "attention_step: correct, it agrees with the reference on all 5 test cases.\n")


def test_large_scores_overflow_only_without_the_max_subtracted():
    ex = checks.EXERCISES["attention_step"]
    large = ex.cases()[-1]
    with np.errstate(all="ignore"):
        assert not np.isfinite(learner("unshifted", shift=False)(*large.args)[1]).all()
    assert np.isfinite(attention.attention_step(*large.args)[1]).all()


def test_a_crash_on_every_case_names_the_arguments():
    def crashes(q, k, v, mask=None):
        return q @ k  # (B, H) @ (S, B, H): never the right shapes
    message = assert_names(checks.check_attention_step, crashes, "your function raised")
    assert "keys and values (S, B, H), time-major" in message
