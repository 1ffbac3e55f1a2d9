"""Notebook 07's numpy paths against PyTorch, attention's maths, its data and its models."""

import numpy as np
import pytest
import torch

from rnnbook import attention, baselines, cells, data, gradcheck, models, train

T, B, D, H = 6, 3, 4, 5


def lstm_and_input(**kwargs):
    torch.manual_seed(0)
    module = torch.nn.LSTM(D, H, dtype=torch.float64, **kwargs)
    x = torch.randn(T, B, D, dtype=torch.float64)
    return module, x


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_bidirectional_unroll_equals_torch_on_packed_sequences(cell):
    torch.manual_seed(0)
    module = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell](
        D, H, bidirectional=True, dtype=torch.float64)
    x = torch.randn(T, B, D, dtype=torch.float64)
    lengths = torch.tensor([T, 2, 4])
    packed = torch.nn.utils.rnn.pack_padded_sequence(x, lengths, enforce_sorted=False)
    expected, _ = torch.nn.utils.rnn.pad_packed_sequence(module(packed)[0], total_length=T)
    ours = attention.bidirectional_unroll(
        cell, x.numpy(), lengths.numpy(), cells.params_from_torch(module, layer=0),
        cells.params_from_torch(module, layer=0, reverse=True))
    assert ours.shape == (T, B, 2 * H)
    np.testing.assert_allclose(ours, expected.detach().numpy(), rtol=0, atol=1e-9)


def test_bidirectional_without_lengths_equals_torch_on_a_full_batch():
    module, x = lstm_and_input(bidirectional=True)
    ours = attention.bidirectional_unroll("lstm", x.numpy(), None,
                                          cells.params_from_torch(module, layer=0),
                                          cells.params_from_torch(module, layer=0, reverse=True))
    np.testing.assert_allclose(ours, module(x)[0].detach().numpy(), rtol=0, atol=1e-9)


def test_the_backward_half_differs_from_reading_the_padding_first():
    """x[::-1] would start the backward pass in the padding: a different (wrong) answer."""
    module, x = lstm_and_input(bidirectional=True)
    lengths = np.array([T, 2, 4])
    fwd = cells.params_from_torch(module, layer=0)
    bwd = cells.params_from_torch(module, layer=0, reverse=True)
    ours = attention.bidirectional_unroll("lstm", x.numpy(), lengths, fwd, bwd)
    naive, _, _ = cells.unroll("lstm", x.numpy()[::-1], cells.zero_state("lstm", B, H), bwd)
    assert np.allclose(ours[:, 0, H:], naive[::-1, 0])  # the full-length sequence agrees
    assert not np.allclose(ours[:2, 1, H:], naive[::-1][:2, 1])  # the short one does not


def test_reverse_padded_keeps_padding_at_the_end_and_is_its_own_inverse():
    x = np.arange(8.0).reshape(4, 2)
    out = attention.reverse_padded(x, [4, 2])
    assert out[:, 0].tolist() == [6, 4, 2, 0] and out[:, 1].tolist() == [3, 1, 5, 7]
    np.testing.assert_array_equal(attention.reverse_padded(out, [4, 2]), x)


def test_stacked_unroll_equals_torch_two_layers():
    module, x = lstm_and_input(num_layers=2)
    layers = [cells.params_from_torch(module, layer=k) for k in range(2)]
    ours = attention.stacked_unroll("lstm", x.numpy(), layers)
    np.testing.assert_allclose(ours, module(x)[0].detach().numpy(), rtol=0, atol=1e-9)
    assert layers[1]["weight_ih"].shape == (4 * H, H)  # layer 2 reads layer 1's states


# ----------------------------------------------------------------------------- attention_step


def random_attention(S=7, seed=0):
    g = np.random.default_rng(seed)
    return g.normal(size=(B, H)), g.normal(size=(S, B, H)), g.normal(size=(S, B, H))


def test_attention_step_equals_torch_scaled_dot_product_attention():
    query, keys, values = random_attention()
    mask = np.ones((B, 7), dtype=bool)
    mask[1, 4:] = False
    context, weights = attention.attention_step(query, keys, values, mask)
    q, k, v = (torch.from_numpy(a) for a in (query[:, None], keys.transpose(1, 0, 2),
                                              values.transpose(1, 0, 2)))
    expected = torch.nn.functional.scaled_dot_product_attention(
        q, k, v, attn_mask=torch.from_numpy(mask)[:, None])  # (B, 1, H)
    np.testing.assert_allclose(context, expected[:, 0].numpy(), rtol=0, atol=1e-12)
    by_hand = np.exp(np.einsum("sbh,bh->bs", keys, query) / np.sqrt(H))
    by_hand = np.where(mask, by_hand, 0)
    np.testing.assert_allclose(weights, by_hand / by_hand.sum(1, keepdims=True), atol=1e-12)


def test_attention_weights_are_a_distribution_and_padding_gets_none():
    query, keys, values = random_attention(S=5)
    mask = np.array([[True] * 5, [True, True, False, False, False], [False, True] * 2 + [True]])
    _, weights = attention.attention_step(query, keys, values, mask)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, atol=1e-12)
    assert np.all(weights[~mask] == 0) and np.all(weights[mask] > 0)
    # changing what sits in the padding changes nothing
    keys2, values2 = keys.copy(), values.copy()
    keys2[2:, 1] = 100.0
    values2[2:, 1] = -100.0
    context, _ = attention.attention_step(query, keys, values, mask)
    context2, _ = attention.attention_step(query, keys2, values2, mask)
    np.testing.assert_allclose(context2[1], context[1], atol=1e-12)


def test_attention_step_torch_equals_the_numpy_reference_and_takes_many_steps():
    query, keys, values = random_attention()
    mask = np.ones((B, 7), dtype=bool)
    mask[2, 3:] = False
    ours = attention.attention_step(query, keys, values, mask)
    theirs = attention.attention_step_torch(*map(torch.from_numpy, (query, keys, values, mask)))
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b.numpy(), rtol=0, atol=1e-12)
    queries = np.stack([query, 2 * query])  # (T', B, H): two steps in one call
    many = attention.attention_step_torch(*map(torch.from_numpy, (queries, keys, values, mask)))
    one = attention.attention_step_torch(*map(torch.from_numpy, (2 * query, keys, values, mask)))
    np.testing.assert_allclose(many[0][1].numpy(), one[0].numpy(), atol=1e-12)


def test_attention_step_gradient_through_torch_matches_a_numerical_gradient():
    query, keys, values = random_attention(S=4)
    g = np.random.default_rng(1).normal(size=(B, H))  # dL/dcontext

    def loss(q):
        return float(np.sum(attention.attention_step(q, keys, values)[0] * g))

    q = torch.from_numpy(query.copy()).requires_grad_()
    context, _ = attention.attention_step_torch(q, *map(torch.from_numpy, (keys, values)))
    (context * torch.from_numpy(g)).sum().backward()
    numeric = gradcheck.numerical_gradient(loss, query.copy())
    assert gradcheck.rel_error(q.grad.numpy(), numeric) < 1e-8


@pytest.mark.parametrize("args, error, match", [
    ((np.ones((2, 3)), np.ones((4, 2, 5)), np.ones((4, 2, 5))), ValueError,
     r"keys: expected shape \(\?, 2, 3\), got shape \(4, 2, 5\)"),
    ((np.ones((2, 3)), np.ones((4, 2, 3)), np.ones((5, 2, 3))), ValueError,
     r"values: expected shape \(4, 2, 3\)"),
    ((np.ones(3), np.ones((4, 2, 3)), np.ones((4, 2, 3))), ValueError, "query: expected shape"),
    ((np.ones((2, 3)), np.ones((4, 2, 3)), np.ones((4, 2, 3)), np.ones((2, 4))), ValueError,
     r"mask: expected None or a bool array of shape \(2, 4\), got float64 \(2, 4\)"),
    ((np.ones((2, 3)), np.ones((4, 2, 3)), np.ones((4, 2, 3)), np.zeros((2, 4), bool)),
     ValueError, "mask: every row needs at least one True, got none in row 0"),
])
def test_attention_step_errors_name_the_argument(args, error, match):
    with pytest.raises(error, match=match):
        attention.attention_step(*args)


def test_unroll_helpers_name_bad_arguments():
    with pytest.raises(ValueError, match=r"lengths: expected values in 1 .. 4, got \[5, 1\]"):
        attention.reverse_padded(np.zeros((4, 2)), [5, 1])
    with pytest.raises(ValueError, match="layers: expected at least 1 item, got 0"):
        attention.stacked_unroll("lstm", np.zeros((2, 1, 3)), [])
    with pytest.raises(ValueError, match="cell: expected one of"):
        attention.bidirectional_unroll("cnn", np.zeros((2, 1, 3)), None, {}, {})
    with pytest.raises(TypeError, match="params_bwd: expected a dict with keys"):
        attention.bidirectional_unroll("lstm", np.zeros((2, 1, 3)), None,
                                       cells.init_params("lstm", 3, 2), None)
    with pytest.raises(TypeError, match=r"layers\[1\]: expected a dict with keys"):
        attention.stacked_unroll("lstm", np.zeros((2, 1, 3)),
                                 [cells.init_params("lstm", 3, 2), [1]])


def test_sequential_steps_grow_with_T_for_the_rnn_only():
    for T in (10, 100):
        steps = attention.sequential_steps(T)
        assert steps["rnn"]["sequential"] == T and steps["self-attention"]["sequential"] == 1
        assert steps["rnn"]["path"] == T - 1 and steps["self-attention"]["path"] == 1
    # the count is the number of steps cells.unroll takes one after another
    _, _, caches = cells.unroll("rnn", np.zeros((10, 1, 2)), np.zeros((1, 3)),
                                cells.init_params("rnn", 2, 3))
    assert len(caches) == attention.sequential_steps(10)["rnn"]["sequential"]


# ----------------------------------------------------------------------------- data


@pytest.mark.parametrize("make", [data.tagging_after, data.copying])
def test_notebook_07_datasets_are_deterministic_and_splits_disjoint(make):
    a, b = make(seed=1), make(seed=1)
    assert torch.equal(a.train.x, b.train.x) and torch.equal(a.test.y, b.test.y)
    assert not torch.equal(make(seed=2).train.x[:, :50], a.train.x[:, :50])

    def texts(split):
        return {tuple(split.x[: int(n), j].tolist()) for j, n in enumerate(split.lengths)}

    assert not texts(a.train) & texts(a.test)


def test_tagging_after_puts_the_cue_after_the_word_and_nothing_before_it_informs():
    ds = data.tagging_after(seed=0)
    ceiling = baselines.context_free_ceiling(ds)
    assert 0.45 < ceiling < 0.6
    words = [ds.vocab.tokens[i] for i in ds.train.x[: int(ds.train.lengths[0]), 0]]
    word = next(w for w in words if w in data.SENSES)
    cue = next(w for w in words if any(w in cues for cues in data._TOPICS.values()))
    assert words.index(word) < words.index(cue)


def test_copying_test_set_has_every_length_equally():
    ds = data.copying(min_len=3, max_len=9, n_per_length=10, n_train=200)
    assert torch.bincount(ds.test.lengths).tolist()[3:] == [10] * 7
    assert ds.train.lengths.min() >= 3 and ds.train.lengths.max() <= 9
    j = 0
    src = ds.vocab.decode(ds.test.x[:, j].tolist())
    assert ds.vocab.decode(ds.test.y[:, j].tolist()) == src
    with pytest.raises(ValueError, match="max_len: expected an int >= 5, got 3"):
        data.copying(min_len=5, max_len=3)


# ----------------------------------------------------------------------------- models


def test_bidirectional_tagger_beats_the_context_free_ceiling_and_the_left_to_right_does_not():
    """About 3 s of CPU: the left-to-right tagger cannot pass the ceiling however long it
    trains (nothing before the word informs), so it gets 100 steps; the bidirectional 250."""
    torch.set_num_threads(1)
    ds = data.tagging_after(seed=0)
    ceiling = baselines.context_free_ceiling(ds)
    scores = {}
    for bi, steps in ((False, 100), (True, 250)):
        model = models.DeepTagger(ds.n_in, ds.n_out, bidirectional=bi, seed=0)
        train.train(model, ds, steps=steps, seed=0, progress=False, eval_every=steps)
        scores[bi] = train.evaluate(model, ds)["ambiguous"]
    assert scores[False] <= ceiling + 0.02
    assert scores[True] >= 0.95


def test_deep_tagger_matches_its_numpy_unroll_on_padded_sentences():
    ds = data.tagging_after(n_train=20, n_test=10)
    model = models.DeepTagger(ds.n_in, ds.n_out, bidirectional=True, layers=2, seed=0).double()
    batch = ds.test.batch(range(5))
    with torch.no_grad():
        emb = model.inputs(batch.x).numpy()
    lengths = batch.lengths.numpy()
    hs = emb
    for k in range(2):
        hs = attention.bidirectional_unroll(
            "lstm", hs, lengths, cells.params_from_torch(model.rnn, layer=k),
            cells.params_from_torch(model.rnn, layer=k, reverse=True))
    with torch.no_grad():
        expected = model(batch).numpy()
    ours = hs @ model.head.weight.detach().numpy().T + model.head.bias.detach().numpy()
    valid = np.arange(emb.shape[0])[:, None] < lengths[None, :]
    np.testing.assert_allclose(ours[valid], expected[valid], rtol=0, atol=1e-9)


def test_attention_seq2seq_attends_with_the_reference_step_and_masks_padding():
    ds = data.copying(max_len=6, n_train=50, n_per_length=2)
    model = models.AttentionSeq2Seq(ds.n_in, ds.n_out, hidden_size=8, embed=4,
                                    encoder_size=12, seed=0).double()
    batch = ds.test.batch(range(6))
    with torch.no_grad():
        ids, weights = model.attend(batch.x, batch.lengths, max_len=4)
        keys, values, mask, state = model.encode(batch.x, batch.lengths)
    assert keys.shape[-1] == values.shape[-1] == 8  # encoder states projected to H
    S = batch.x.shape[0]
    assert weights.shape == (ids.shape[0], 6, S)
    np.testing.assert_allclose(weights.sum(-1).numpy(), 1.0, atol=1e-12)
    padding = ~mask.numpy()
    assert padding.any() and np.all(weights.numpy()[:, padding] == 0)
    assert model(batch).shape == (batch.y.shape[0], 6, ds.n_out)


def test_new_models_name_bad_arguments():
    with pytest.raises(TypeError, match="bidirectional: expected True or False"):
        models.DeepTagger(5, 3, bidirectional=1)
    with pytest.raises(ValueError, match="hidden_size: expected a positive int"):
        models.AttentionSeq2Seq(5, 5, hidden_size=0)
    with pytest.raises(ValueError, match="layers: expected a positive int"):
        models.DeepTagger(5, 3, layers=0)
