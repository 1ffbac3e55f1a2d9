"""Small PyTorch models for the five input/output architectures (notebook 03), and baselines.

Every model has one interface: ``model(batch) -> out``, where ``batch`` is an
:class:`rnnbook.data.Batch` and ``out`` is compared with ``batch.y`` by the loss: logits
(B, n_out) for one label per example, (T, B, n_out) for one per step, or values for the
adding problem. So :func:`rnnbook.train.train` serves all of them.

The recurrent models take ``cell="rnn" | "lstm" | "gru"`` (``torch.nn.RNN``, ``LSTM``,
``GRU``: the LSTM's state is the pair (h, c), the others' is h) and ``seed``, which fixes
their initial weights without touching torch's global generator.

    OneToOne    an MLP: a vector to a label, no recurrence (the baseline)
    OneToMany   an image encoder whose output starts a decoder RNN: captions
    ManyToOne   reads a sequence, answers from the hidden state at its last valid step
    Tagger      synced many-to-many: one output per step (also the delayed echo)
    WindowTagger  one output per step from the last ``width`` inputs only: feed-forward
    Seq2Seq     an encoder RNN reads the input, a decoder RNN writes the output
    BagOfWords  an MLP over word counts: order-blind, whatever its capacity

and, for notebook 07:

    DeepTagger        a synced tagger with stacked layers, in one or both directions
    AttentionSeq2Seq  seq2seq whose decoder attends over every encoder state
"""

import collections
import contextlib
import math

import torch
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode

from rnnbook import _validate, attention
from rnnbook.cells import block_rows
from rnnbook.containers import BOS, EOS, IGNORE, PAD, SPECIALS
from rnnbook.data import IMAGE_SHAPE, word_counts

# The five input/output architectures of notebook 03, in the course's order; each has a model
# class below (OneToOne, OneToMany, ManyToOne, Tagger, Seq2Seq). The one source of these names.
ARCHITECTURE_NAMES = (
    "one-to-one",
    "one-to-many",
    "many-to-one",
    "many-to-many (synced)",
    "seq2seq",
)
_TORCH_CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
BOS_ID, EOS_ID, PAD_ID = (SPECIALS.index(t) for t in (BOS, EOS, PAD))


@contextlib.contextmanager
def _seeded(seed):
    """Draw initial weights from ``seed`` (checked by the caller), leaving torch's global
    generator as it was."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


def recurrent(cell, n_in, hidden_size, forget_bias=1.0):
    """A one-layer ``torch.nn.RNN``/``LSTM``/``GRU``, time-major: (T, B, n_in) -> (T, B, H).

    forget_bias: the LSTM's initial forget-gate bias (ignored by the other cells). At 1 the
    forget gate starts mostly open, sigmoid(1) = 0.73, so the cell state and its gradient
    survive many steps from the start (Gers et al. 2000; Jozefowicz et al. 2015; notebook
    05). None keeps PyTorch's default, small random biases around 0.
    """
    cell = _validate.cell("cell", cell)
    n_in = _validate.positive_int("n_in", n_in)
    hidden_size = _validate.positive_int("hidden_size", hidden_size)
    if forget_bias is not None:
        forget_bias = _validate.number("forget_bias", forget_bias)
    return _recurrent(cell, n_in, hidden_size, forget_bias)


def _recurrent(cell, n_in, H, forget_bias=1.0):
    """recurrent without the checks, for the models here, which check their arguments."""
    rnn = _TORCH_CELLS[cell](n_in, H)
    if cell == "lstm" and forget_bias is not None:
        forget = block_rows("lstm", "f", H)  # rows H:2H, in PyTorch's order i, f, g, o
        with torch.no_grad():
            rnn.bias_ih_l0[forget] = forget_bias
            rnn.bias_hh_l0[forget] = 0.0  # the gate sees b_ih + b_hh
    return rnn


class _Inputs(nn.Module):
    """Token ids (T, B) -> embeddings (T, B, E), or features (T, B, D) passed through.

    ``embed=None`` means the inputs are already vectors of size ``n_in``.
    """

    def __init__(self, n_in, embed):
        super().__init__()
        if embed is None:
            self.embed, self.size = None, n_in
        else:
            self.embed = nn.Embedding(n_in, embed, padding_idx=PAD_ID)
            self.size = embed

    def forward(self, x):
        return x if self.embed is None else self.embed(x)


class Model(nn.Module):
    """The base of every model here: what the training loop checks before it starts.

    kinds: the Dataset kinds the model can learn; n_in, n_out: the sizes it was built for.
    """

    kinds = ()  # the Dataset kinds the model can learn

    def _check_arguments(self, n_in, n_out, seed, cell=None, **sizes):
        """Check and keep n_in, n_out and the cell (for recurrent models); check ``seed`` and
        the other positive ``sizes`` (None allowed for embed): the one place the models check
        their arguments, so that the layers they build need not."""
        self.n_in = _validate.positive_int("n_in", n_in)
        self.n_out = _validate.positive_int("n_out", n_out)
        if cell is not None:
            self.cell = _validate.cell("cell", cell)
        _validate.non_negative_int("seed", seed)
        for name, value in sizes.items():
            if not (name == "embed" and value is None):
                _validate.positive_int(name, value)


class OneToOne(Model):
    """One-to-one: an MLP from a vector to class logits. No recurrence: the baseline.

    forward: batch.x (B, D) -> logits (B, n_out).
    """

    kinds = ("vector",)

    def __init__(self, n_in, n_out, hidden_size=64, seed=0):
        super().__init__()
        self._check_arguments(n_in, n_out, seed, hidden_size=hidden_size)
        with _seeded(seed):
            self.net = nn.Sequential(nn.Linear(n_in, hidden_size), nn.ReLU(),
                                     nn.Linear(hidden_size, n_out))

    def forward(self, batch):
        return self.net(batch.x)


class BagOfWords(Model):
    """An order-blind baseline: an MLP over the word counts of a sentence.

    Two hidden layers, so that it fails for lack of order, not of capacity. Sentences with
    the same words get the same answer, bit for bit.
    forward: batch.x (T, B) token ids -> logits (B, n_out).
    """

    kinds = ("sequence",)

    def __init__(self, n_in, n_out=2, hidden_size=64, seed=0):
        super().__init__()
        self._check_arguments(n_in, n_out, seed, hidden_size=hidden_size)
        H = hidden_size
        with _seeded(seed):
            self.net = nn.Sequential(nn.Linear(n_in, H), nn.ReLU(),
                                     nn.Linear(H, H), nn.ReLU(),
                                     nn.Linear(H, n_out))

    def forward(self, batch):
        return self.net(word_counts(batch.x, self.n_in))  # (T, B) ids -> (B, V) -> (B, n_out)


class _Reader(Model):
    """An RNN over the inputs and a linear head: what many-to-one and synced models share."""

    def __init__(self, n_in, n_out, cell, hidden_size, embed, seed):
        super().__init__()
        self._check_arguments(n_in, n_out, seed, cell, hidden_size=hidden_size, embed=embed)
        with _seeded(seed):
            self.inputs = _Inputs(n_in, embed)
            self.rnn = _recurrent(cell, self.inputs.size, hidden_size)
            self.head = nn.Linear(hidden_size, n_out)


class ManyToOne(_Reader):
    """Many-to-one: read the sequence, answer from the hidden state at its last valid step.

    In a padded batch the last row of the output belongs to the padding for every sequence
    but the longest, so we pick row ``lengths - 1`` of each column instead.
    forward: batch.x (T, B) ids or (T, B, D) features, batch.lengths (B,) or None
    -> logits (B, n_out), or values (B,) when ``n_out`` is 1.
    ``embed=None`` for feature inputs (the adding problem: n_in = 2, n_out = 1).
    """

    kinds = ("sequence",)

    def __init__(self, n_in, n_out=2, cell="lstm", hidden_size=32, embed=16, seed=0):
        super().__init__(n_in, n_out, cell, hidden_size, embed, seed)

    def forward(self, batch):
        hs, _ = self.rnn(self.inputs(batch.x))  # (T, B, H)
        if batch.lengths is None:
            last = hs[-1]
        else:
            last = hs[batch.lengths - 1, torch.arange(hs.shape[1])]  # (B, H)
        out = self.head(last)  # (B, n_out)
        return out.squeeze(-1) if self.n_out == 1 else out


class Tagger(_Reader):
    """Synced many-to-many: one output per input step, from the hidden state at that step.

    forward: batch.x (T, B) ids or (T, B, D) features -> logits (T, B, n_out).
    :meth:`chunk` carries the state across calls, for truncated backprop through time.
    """

    kinds = ("synced",)

    def __init__(self, n_in, n_out, cell="lstm", hidden_size=32, embed=16, seed=0):
        super().__init__(n_in, n_out, cell, hidden_size, embed, seed)

    def chunk(self, x, state=None):
        """Run steps ``x`` from ``state`` (None: zeros); return (out (T, B, n_out), state)."""
        hs, state = self.rnn(self.inputs(x), state)  # (T, B, H)
        return self.head(hs), state

    def forward(self, batch):
        return self.chunk(batch.x)[0]


class WindowTagger(Model):
    """A feed-forward tagger: the output at step t sees only the inputs x_{t-width+1..t}.

    The feed-forward rival of :class:`Tagger` (notebook 01): one hidden layer over a sliding
    window, the same weights at every step (a causal 1-d convolution), and no state, so
    nothing older than ``width`` steps can reach an output, however long it trains.
    forward: batch.x (T, B) ids -> logits (T, B, n_out).
    """

    kinds = ("synced",)

    def __init__(self, n_in, n_out, width, hidden_size=32, embed=16, seed=0):
        super().__init__()
        self._check_arguments(n_in, n_out, seed, width=width, hidden_size=hidden_size,
                              embed=embed)
        self.width = width
        with _seeded(seed):
            self.inputs = _Inputs(n_in, embed)
            self.window = nn.Conv1d(self.inputs.size, hidden_size, width)
            self.head = nn.Linear(hidden_size, n_out)

    def forward(self, batch):
        e = self.inputs(batch.x).permute(1, 2, 0)  # (B, E, T)
        e = nn.functional.pad(e, (self.width - 1, 0))  # zeros before step 1: the window is causal
        hidden = torch.tanh(self.window(e)).permute(2, 0, 1)  # (T, B, H)
        return self.head(hidden)


class _Decoder(nn.Module):
    """A decoder RNN that writes tokens from an initial state: shared by captions and seq2seq.

    Every step reads the previous token and the *context*, the initial hidden state h_0
    (Cho et al. 2014): the encoder's summary then need not survive the whole output inside the
    state. Training feeds the true previous token (teacher forcing); :meth:`generate` feeds
    the model's own choice, the most probable token (greedy decoding).
    """

    def __init__(self, n_out, cell, hidden_size, embed):
        super().__init__()
        self.embed = nn.Embedding(n_out, embed, padding_idx=PAD_ID)
        self.rnn = _recurrent(cell, embed + hidden_size, hidden_size)
        self.head = nn.Linear(hidden_size, n_out)

    def _step_inputs(self, tokens, context):
        """tokens (T, B), context (1, B, H) -> the RNN's inputs (T, B, E + H)."""
        emb = self.embed(tokens)
        return torch.cat([emb, context.expand(emb.shape[0], -1, -1)], -1)

    def forward(self, state, y):
        """state: the initial state; y (T, B) target ids -> logits (T, B, V)."""
        context = state[0] if isinstance(state, tuple) else state  # h_0 (1, B, H)
        prev = torch.roll(y, 1, dims=0)  # step t reads target t-1 ...
        prev[0] = BOS_ID  # ... and step 0 reads <bos>
        prev[prev == IGNORE] = PAD_ID
        hs, _ = self.rnn(self._step_inputs(prev, context), state)  # (T, B, H)
        return self.head(hs)

    def generate(self, state, max_len):
        """Greedy decoding: -> ids (T, B), T <= max_len; each row after an <eos> is <eos>."""
        context = state[0] if isinstance(state, tuple) else state
        B = context.shape[1]
        token = torch.full((1, B), BOS_ID, dtype=torch.long, device=context.device)
        done = torch.zeros(B, dtype=torch.bool, device=context.device)
        out = []
        for _ in range(max_len):
            hs, state = self.rnn(self._step_inputs(token, context), state)
            token = self.head(hs).argmax(-1)  # (1, B)
            token[0, done] = EOS_ID
            out.append(token)
            done |= token[0] == EOS_ID
            if done.all():
                break
        return torch.cat(out)


def _state(cell, h):
    """The initial state for ``cell`` from a vector h (1, B, H): the LSTM's c starts at 0."""
    return (h, torch.zeros_like(h)) if cell == "lstm" else h


class ImageEncoder(nn.Module):
    """A small image to a vector (B, H) along two paths, *what* and *where*.

    what: 3x3 convolutions, max-pooled over the whole image: colour and shape, wherever
    the shape is. where: a linear map of the grey image: the position, whatever the colour.
    Neither path ever sees a whole (shape, colour, position) triple, so a triple held out of
    training is no harder than the pairs it is made of. A plain linear map of the pixels must
    learn each colour anew at each place: with it, the captioner got 77-93% of the held-out
    captions exactly right in our runs; with this encoder, 99-100%.
    """

    def __init__(self, hidden_size, image_shape, channels=16):
        super().__init__()
        self.image_shape = tuple(image_shape)
        height, width, colours = self.image_shape
        self.what = nn.Conv2d(colours, channels, 3, padding=1)
        self.where = nn.Linear(height * width, 32)
        self.out = nn.Linear(channels + 32, hidden_size)

    def forward(self, x):
        """x (B, D) flat images, D = height * width * colours -> (B, H)."""
        image = x.reshape(-1, *self.image_shape).permute(0, 3, 1, 2)  # (B, colours, h, w)
        what = torch.relu(self.what(image)).amax((2, 3))  # (B, channels)
        where = torch.relu(self.where(image.mean(1).flatten(1)))  # (B, 32)
        return self.out(torch.cat([what, where], 1))


class OneToMany(Model):
    """One-to-many: an image encoder sets the initial state of a decoder RNN, which then
    writes the caption word by word.

    forward: batch.x (B, D) images, batch.y (T, B) caption ids -> logits (T, B, V).
    :meth:`generate`: x (B, D) -> ids (T, B), greedy.
    """

    kinds = ("caption",)

    def __init__(self, n_in, n_out, cell="lstm", hidden_size=64, embed=16, seed=0,
                 image_shape=IMAGE_SHAPE):
        super().__init__()
        self._check_arguments(n_in, n_out, seed, cell, hidden_size=hidden_size, embed=embed)
        if math.prod(image_shape) != n_in:
            raise ValueError(f"image_shape: expected {n_in} values in all (n_in), "
                             f"got {tuple(image_shape)}")
        with _seeded(seed):
            self.encoder = ImageEncoder(hidden_size, image_shape)
            self.decoder = _Decoder(n_out, cell, hidden_size, embed)

    def encode(self, x):
        """x (B, D) -> the decoder's initial state, h (1, B, H) (and c for an LSTM)."""
        return _state(self.cell, torch.tanh(self.encoder(x))[None])

    def forward(self, batch):
        return self.decoder(self.encode(batch.x), batch.y)

    def generate(self, x, lengths=None, max_len=12):
        return self.decoder.generate(self.encode(x), max_len)


class Seq2Seq(Model):
    """Encoder-decoder: the encoder reads the whole input; its state at the last valid step
    starts the decoder, which writes the output.

    forward: batch.x (T, B) ids, batch.lengths (B,), batch.y (T', B) ids -> logits (T', B, V).
    :meth:`generate`: x, lengths -> ids (T', B), greedy.
    """

    kinds = ("seq2seq",)

    def __init__(self, n_in, n_out, cell="lstm", hidden_size=64, embed=32, seed=0):
        super().__init__()
        self._check_arguments(n_in, n_out, seed, cell, hidden_size=hidden_size, embed=embed)
        with _seeded(seed):
            self.inputs = _Inputs(n_in, embed)
            self.encoder = _recurrent(cell, self.inputs.size, hidden_size)
            self.decoder = _Decoder(n_out, cell, hidden_size, embed)

    def encode(self, x, lengths=None):
        """x (T, B) ids -> the final state at each sequence's last valid step."""
        emb = self.inputs(x)  # (T, B, E)
        if lengths is not None:
            # packing makes the returned state that of step lengths-1, not of the padding
            emb = nn.utils.rnn.pack_padded_sequence(emb, lengths.cpu(), enforce_sorted=False)
        _, state = self.encoder(emb)
        return state

    def forward(self, batch):
        return self.decoder(self.encode(batch.x, batch.lengths), batch.y)

    def generate(self, x, lengths=None, max_len=12):
        return self.decoder.generate(self.encode(x, lengths), max_len)


def count_parameters(model):
    """The number of trainable parameters of a model."""
    _validate.instance("model", model, nn.Module, "a torch.nn.Module")
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


class _OperatorCounter(TorchDispatchMode):
    """Counts the ATen operators dispatched inside a ``with`` block, by name."""

    def __init__(self):
        super().__init__()
        self.counts = collections.Counter()

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.counts[func.overloadpacket.__name__] += 1
        return func(*args, **(kwargs or {}))


def aten_ops(module, x):
    """Which PyTorch (ATen) operators one forward pass of ``module`` on ``x`` calls, and how
    often: a Counter {operator name: calls}, e.g. {'addmm': 51, 'tanh': 50, ...}.

    Deterministic (it counts calls, it does not time them): it shows whether a layer runs as
    one fused kernel (an LSTM on a CPU: ``mkldnn_rnn_layer``) or as small operations step by
    step. x: the module's input, e.g. (T, B, D) for a recurrent layer.
    """
    _validate.instance("module", module, nn.Module, "a torch.nn.Module")
    _validate.instance("x", x, torch.Tensor, "a torch.Tensor")
    with torch.no_grad(), _OperatorCounter() as counter:
        module(x)
    return counter.counts


# --------------------------------------------------------------------------------------------
# Notebook 07: beyond one direction. A tagger with layers and directions, and seq2seq with
# attention.
# --------------------------------------------------------------------------------------------


class DeepTagger(Model):
    """Synced many-to-many with ``layers`` stacked recurrent layers, one or both directions.

    The sequences are packed, so the backward direction starts at each sentence's own last
    word, not in its padding. The head reads [forward h_t ; backward h_t] (2H) when
    bidirectional, else h_t (H).
    forward: batch.x (T, B) ids, batch.lengths (B,) or None -> logits (T, B, n_out).
    """

    kinds = ("synced",)

    def __init__(self, n_in, n_out, cell="lstm", hidden_size=32, embed=16, layers=1,
                 bidirectional=False, seed=0):
        super().__init__()
        self._check_arguments(n_in, n_out, seed, cell, hidden_size=hidden_size, embed=embed,
                              layers=layers)
        bidirectional = _validate.boolean("bidirectional", bidirectional)
        with _seeded(seed):
            self.inputs = _Inputs(n_in, embed)
            self.rnn = _TORCH_CELLS[cell](self.inputs.size, hidden_size, num_layers=layers,
                                          bidirectional=bidirectional)
            self.head = nn.Linear(hidden_size * (2 if bidirectional else 1), n_out)

    def forward(self, batch):
        emb = self.inputs(batch.x)  # (T, B, E)
        T = emb.shape[0]
        if batch.lengths is None:
            hs, _ = self.rnn(emb)
        else:
            packed = nn.utils.rnn.pack_padded_sequence(emb, batch.lengths.cpu(),
                                                       enforce_sorted=False)
            hs, _ = nn.utils.rnn.pad_packed_sequence(self.rnn(packed)[0], total_length=T)
        return self.head(hs)  # (T, B, n_out)


class AttentionSeq2Seq(Model):
    """Encoder-decoder whose decoder attends over every encoder state (notebook 07).

    The encoder reads the input; its final state starts the decoder, as in :class:`Seq2Seq`.
    At each output step the decoder's state h_t is the query of ``attention.attention_step``
    over the encoder states (keys = values; projected to the decoder's width if the two
    differ), and the next token is read from tanh(W_c [h_t ; context_t]) (Luong et al. 2015's
    output layer). Padding of the input gets weight 0.
    forward: batch.x (S, B) ids, batch.lengths (B,), batch.y (T', B) -> logits (T', B, V).
    :meth:`generate` -> ids (T', B), greedy; :meth:`attend` also returns the weights.
    """

    kinds = ("seq2seq",)

    def __init__(self, n_in, n_out, cell="lstm", hidden_size=64, embed=32, encoder_size=None,
                 seed=0):
        super().__init__()
        H = hidden_size
        E = H if encoder_size is None else encoder_size
        self._check_arguments(n_in, n_out, seed, cell, hidden_size=H, embed=embed,
                              encoder_size=E)
        with _seeded(seed):
            self.inputs = _Inputs(n_in, embed)
            self.encoder = _recurrent(cell, self.inputs.size, E)
            # the decoder's state starts from the encoder's, so it needs the decoder's width
            self.bridge = None if E == H else nn.Linear(E, H)
            # keys W_k s: a learned key lets the scores grow as sharp as needed (an LSTM's
            # states lie in (-1, 1): unprojected, softmax(s . h / sqrt(H)) stayed nearly flat
            # after 2000 steps of copying); values at the decoder's width H
            self.keys = nn.Linear(E, H, bias=False)
            self.values = None if E == H else nn.Linear(E, H, bias=False)
            self.embed = nn.Embedding(n_out, embed, padding_idx=PAD_ID)
            self.decoder = _recurrent(cell, embed, H)
            self.combine = nn.Linear(2 * H, H)
            self.head = nn.Linear(H, n_out)

    def encode(self, x, lengths=None):
        """x (S, B) -> (keys, values (S, B, H), mask (B, S) or None, the initial state)."""
        emb = self.inputs(x)
        S = emb.shape[0]
        if lengths is None:
            states, final = self.encoder(emb)
            mask = None
        else:
            packed = nn.utils.rnn.pack_padded_sequence(emb, lengths.cpu(), enforce_sorted=False)
            states, final = self.encoder(packed)
            states, _ = nn.utils.rnn.pad_packed_sequence(states, total_length=S)
            mask = torch.arange(S, device=x.device)[None, :] < lengths[:, None]  # (B, S)
        if self.bridge is not None:
            final = tuple(torch.tanh(self.bridge(s)) for s in final) if isinstance(
                final, tuple) else torch.tanh(self.bridge(final))
        values = states if self.values is None else self.values(states)
        return self.keys(states), values, mask, final

    def _read(self, hs, keys, values, mask):
        """Decoder states hs (T', B, H) -> (logits (T', B, V), weights (T', B, S)).

        Each h_t queries the encoder states alone; all T' steps go in one call, which
        attention_step_torch allows (the same numbers as T' calls, about 3x faster).
        """
        context, weights = attention.attention_step_torch(hs, keys, values, mask)
        return self.head(torch.tanh(self.combine(torch.cat([hs, context], -1)))), weights

    def forward(self, batch):
        keys, values, mask, state = self.encode(batch.x, batch.lengths)
        prev = torch.roll(batch.y, 1, dims=0)  # teacher forcing: step t reads target t-1
        prev[0] = BOS_ID
        prev[prev == IGNORE] = PAD_ID
        hs, _ = self.decoder(self.embed(prev), state)  # (T', B, H)
        return self._read(hs, keys, values, mask)[0]

    def attend(self, x, lengths=None, max_len=12):
        """Greedy decoding: -> (ids (T', B), weights (T', B, S)); rows after <eos> are <eos>."""
        keys, values, mask, state = self.encode(x, lengths)
        B = x.shape[1]
        token = torch.full((1, B), BOS_ID, dtype=torch.long, device=x.device)
        done = torch.zeros(B, dtype=torch.bool, device=x.device)
        out, weights = [], []
        for _ in range(max_len):
            hs, state = self.decoder(self.embed(token), state)
            logits, w = self._read(hs, keys, values, mask)
            token = logits.argmax(-1)  # (1, B)
            token[0, done] = EOS_ID
            out.append(token)
            weights.append(w)
            done |= token[0] == EOS_ID
            if done.all():
                break
        return torch.cat(out), torch.cat(weights)

    def generate(self, x, lengths=None, max_len=12):
        return self.attend(x, lengths, max_len)[0]
