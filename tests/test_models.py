"""rnnbook.models: output shapes, the last valid step, order blindness, seeding, bad input."""

import pytest
import torch

from rnnbook import cells, data, models
from rnnbook.data import Batch

CELLS = cells.CELLS
T, B, V = 7, 5, 11


def tokens(seed=0, T=T, B=B):
    """Random ids (T, B) that avoid <pad>, and lengths (B,) with padding written in."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randint(3, V, (T, B), generator=g)
    lengths = torch.randint(2, T + 1, (B,), generator=g)
    lengths[0] = T
    x[torch.arange(T)[:, None] >= lengths[None]] = 0
    return x, lengths


@pytest.mark.parametrize("cell", CELLS)
def test_output_shapes(cell):
    x, lengths = tokens()
    y = torch.randint(3, 9, (4, B))
    image = torch.rand(B, 432)
    cases = [
        (models.ManyToOne(V, 3, cell=cell), Batch(x, None, lengths), (B, 3)),
        (models.ManyToOne(2, 1, cell=cell, embed=None), Batch(torch.rand(T, B, 2), None), (B,)),
        (models.Tagger(V, 4, cell=cell), Batch(x, None), (T, B, 4)),
        (models.OneToMany(432, 9, cell=cell), Batch(image, y), (4, B, 9)),
        (models.Seq2Seq(V, 9, cell=cell), Batch(x, y, lengths), (4, B, 9)),
    ]
    for model, batch, shape in cases:
        assert model(batch).shape == shape, type(model).__name__


def test_baseline_shapes():
    x, lengths = tokens()
    assert models.OneToOne(432, 4)(Batch(torch.rand(B, 432), None)).shape == (B, 4)
    assert models.BagOfWords(V)(Batch(x, None, lengths)).shape == (B, 2)
    assert models.WindowTagger(V, 4, width=3)(Batch(x, None)).shape == (T, B, 4)


def test_window_tagger_sees_only_its_window():
    """Step t's output depends on x_{t-width+1..t} and on nothing else, before or after."""
    model, width, t = models.WindowTagger(V, 4, width=3), 3, 4
    x, _ = tokens()
    out = model(Batch(x, None))
    for s in range(T):
        changed = x.clone()
        changed[s] = torch.where(x[s] == 3, 4, 3)  # another word at step s only
        moved = (model(Batch(changed, None))[t] - out[t]).abs().max() > 0
        assert bool(moved) == (t - width < s <= t), s


@pytest.mark.parametrize("cell", CELLS)
def test_many_to_one_reads_the_last_valid_step_not_the_padding(cell):
    model = models.ManyToOne(V, 2, cell=cell)
    x, lengths = tokens()
    padded = model(Batch(x, None, lengths))
    for j in range(B):
        alone = model(Batch(x[: lengths[j], j : j + 1], None, lengths[j : j + 1]))
        assert torch.allclose(padded[j], alone[0], atol=1e-6)
    # ...which differs from blindly reading the last row
    blind = model(Batch(x, None, None))
    assert not torch.allclose(blind[1:], padded[1:], atol=1e-3)


@pytest.mark.parametrize("cell", CELLS)
def test_seq2seq_encoder_state_ignores_padding(cell):
    model = models.Seq2Seq(V, 9, cell=cell)
    x, lengths = tokens()
    padded = model.encode(x, lengths)
    padded = padded[0] if cell == "lstm" else padded
    for j in range(B):
        alone = model.encode(x[: lengths[j], j : j + 1])
        alone = alone[0] if cell == "lstm" else alone
        assert torch.allclose(padded[:, j], alone[:, 0], atol=1e-6)


def test_bag_of_words_is_blind_to_order_and_padding():
    model = models.BagOfWords(V)
    x, lengths = tokens()
    shuffled = x.clone()
    for j in range(B):
        n = int(lengths[j])
        shuffled[:n, j] = x[:n, j][torch.randperm(n, generator=torch.Generator().manual_seed(j))]
    assert torch.equal(model(Batch(x, None, lengths)), model(Batch(shuffled, None, lengths)))
    extra = torch.cat([x, torch.zeros(3, B, dtype=torch.long)])  # more padding
    assert torch.equal(model(Batch(x, None, lengths)), model(Batch(extra, None, lengths)))
    same_word = torch.where(x > 0, 3, 0)  # other words, same lengths
    assert not torch.equal(model(Batch(x, None)), model(Batch(same_word, None)))


def test_tagger_chunks_carry_the_state():
    model = models.Tagger(V, 4, cell="lstm")
    x, _ = tokens()
    whole = model(Batch(x, None))
    first, state = model.chunk(x[:3])
    second, _ = model.chunk(x[3:], state)
    assert torch.allclose(torch.cat([first, second]), whole, atol=1e-6)
    restarted, _ = model.chunk(x[3:])
    assert not torch.allclose(restarted, whole[3:], atol=1e-3)


@pytest.mark.parametrize("model", [
    models.OneToMany(432, 9, cell="gru"), models.Seq2Seq(V, 9, cell="rnn")])
def test_greedy_generation_stops_at_eos_and_matches_teacher_forcing(model):
    x, lengths = tokens()
    source = torch.rand(B, 432) if isinstance(model, models.OneToMany) else x
    ids = model.generate(source, lengths, max_len=6)
    assert ids.shape[0] <= 6 and ids.shape[1] == B
    # feeding the greedy output back as targets, every step's argmax is that output
    logits = model(Batch(source, ids, lengths))
    finished = torch.cumsum(ids == models.EOS_ID, 0) - (ids == models.EOS_ID).long() > 0
    assert torch.equal(logits.argmax(-1)[~finished], ids[~finished])


def test_lstm_forget_bias_starts_at_one():
    rnn = models.recurrent("lstm", 3, 4)
    assert torch.equal(rnn.bias_ih_l0[4:8] + rnn.bias_hh_l0[4:8], torch.ones(4))
    default = models.recurrent("lstm", 3, 4, forget_bias=None)
    assert not torch.equal(default.bias_ih_l0[4:8] + default.bias_hh_l0[4:8], torch.ones(4))


def test_seed_fixes_the_weights_without_touching_the_global_generator():
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a = models.ManyToOne(V, cell="gru", seed=4)
    assert torch.equal(torch.rand(1), before)  # the global stream is untouched
    b, c = models.ManyToOne(V, cell="gru", seed=4), models.ManyToOne(V, cell="gru", seed=5)
    for pa, pb, pc in zip(a.parameters(), b.parameters(), c.parameters(), strict=True):
        assert torch.equal(pa, pb) and not torch.equal(pa, pc)


def test_parameter_counts():
    # an LSTM has 4 gates, a GRU 3, an RNN 1, each with W_ih, W_hh and two biases
    sizes = {c: models.count_parameters(models.recurrent(c, 10, 20)) for c in CELLS}
    assert sizes == {c: k * (20 * 10 + 20 * 20 + 2 * 20)
                     for c, k in (("rnn", 1), ("lstm", 4), ("gru", 3))}


@pytest.mark.parametrize("call, error, message", [
    (lambda: models.ManyToOne(V, cell="transformer"), ValueError, "cell: expected one of"),
    (lambda: models.Tagger(0, 3), ValueError, "n_in: expected a positive int"),
    (lambda: models.WindowTagger(V, 3, width=0), ValueError, "width: expected a positive int"),
    (lambda: models.Seq2Seq(V, 9, hidden_size=2.5), TypeError,
     "hidden_size: expected a positive int"),
    (lambda: models.OneToOne(432, 4, seed=-1), ValueError, "seed: expected a non-negative"),
    (lambda: models.OneToMany(100, 9), ValueError, "image_shape: expected 100 values"),
    (lambda: models.recurrent("lstm", 3, 4, forget_bias="1"), TypeError, "forget_bias"),
    (lambda: models.count_parameters("model"), TypeError, "model: expected a torch.nn"),
])
def test_bad_arguments_are_named(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_models_accept_their_dataset_sizes():
    ds = data.sentiment(n_train=50, n_test=20)
    model = models.ManyToOne(ds.vocab_size, cell="rnn")
    assert model(ds.test.batch()).shape == (20, 2)


def test_aten_ops_counts_the_fused_lstm_kernel_and_the_gru_steps():
    x = torch.randn(7, 3, 2)
    lstm = models.aten_ops(models.recurrent("lstm", 2, 4), x)
    gru = models.aten_ops(models.recurrent("gru", 2, 4), x)
    assert lstm["mkldnn_rnn_layer"] == 1 and "mkldnn_rnn_layer" not in gru
    assert gru["sigmoid_"] == 2 * 7  # r and z at each of the 7 steps
    assert sum(gru.values()) > 10 * sum(lstm.values())


def test_aten_ops_names_a_bad_argument():
    with pytest.raises(TypeError, match="module: expected a torch.nn.Module"):
        models.aten_ops("lstm", torch.randn(2, 1, 2))
    with pytest.raises(TypeError, match="x: expected a torch.Tensor"):
        models.aten_ops(models.recurrent("lstm", 2, 4), [[0.0]])
