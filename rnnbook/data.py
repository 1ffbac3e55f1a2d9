"""Synthetic datasets for the trained examples, generated from a seed (nothing is downloaded).

Each function returns a :class:`Dataset`: a train and a test :class:`Split`, the vocabulary
that turns a learner's text into ids (and ids back into text), and the names of the outputs.
The test set is disjoint from the training set, and it holds out *combinations* never seen in
training, so a test score measures generalisation rather than memory:

    shapes, captions   (shape, colour, position) triples           notebook 03: one-to-one, -many
    sentiment          pairs of sentiment words in one sentence     notebooks 01, 03: many-to-one
    tagging            pairs of (context word, ambiguous word)      notebook 03: synced
    dates              pairs of (date format, month)                notebook 03: seq2seq
    adding, echo       fresh random sequences (long time lags)      notebooks 04, 05
    sines              held-out frequency bands (a time series)     notebook 01
    tagging_after      tagging with the context after the word      notebook 07: bidirectional
    copying            strings of widely varying length, copied     notebook 07: attention

Shapes use the package's letters (T time, B batch, D input, V vocabulary); N is the number of
examples in a split. Sequences are time-major: token ids (T, N), features (T, N, D).
Variable-length sequences are padded with id 0 (``<pad>``) and come with ``lengths`` (N,).
Targets that must not be scored (padding, the first d steps of an echo) hold ``IGNORE``.
The containers (``Vocab``, ``Batch``, ``Split``, ``Dataset``) and the special tokens are
defined in ``rnnbook.containers`` and re-exported here.
"""

import dataclasses
import datetime

import numpy as np
import torch
from torch.nn.utils.rnn import pad_sequence

from rnnbook import _validate
from rnnbook.containers import (  # noqa: F401 (re-exported: data.Dataset, data.IGNORE, ...)
    BOS,
    EOS,
    IGNORE,
    PAD,
    SPECIALS,
    Batch,
    Dataset,
    Split,
    Vocab,
    tokenize,
)


def _pad(seqs, value=0):
    """Stack lists of ids into a time-major (T, N) tensor padded with ``value``."""
    return pad_sequence([torch.tensor(s, dtype=torch.long) for s in seqs], padding_value=value)


def _lengths(seqs):
    return torch.tensor([len(s) for s in seqs], dtype=torch.long)


def _sample(rng, make, held_out, n):
    """Draw ``n`` examples from ``make(rng)`` whose held-out flag equals ``held_out``.

    ``make`` returns (example, is_held_out). Rejection keeps one generator for both splits,
    so every example has the same distribution apart from the held-out combinations.
    """
    out = []
    while len(out) < n:
        example, flag = make(rng)
        if flag == held_out:
            out.append(example)
    return out


def _check_sizes(n_train, n_test):
    return _validate.positive_int("n_train", n_train), _validate.positive_int("n_test", n_test)


# --------------------------------------------------------------------------------------------
# Toy images: one-to-one (shape class) and one-to-many (captions)
# --------------------------------------------------------------------------------------------

SHAPES = ("circle", "cross", "square", "triangle")
COLOURS = ("blue", "green", "red", "yellow")
POSITIONS = ("at the bottom", "at the top", "on the left", "on the right")
IMAGE_SHAPE = (12, 12, 3)  # height, width, RGB
_NOISE = 0.1  # pixel noise (standard deviation)
# Every colour has some of each channel, so that a shape shows in all three: with pure
# colours a held-out blue shape lies in pixels that training never lit, and an MLP named
# only 43% of the held-out shapes. Brightness varies little (x 0.9-1.0): more made yellow
# and red hard to tell apart.
_RGB = {"blue": (0.5, 0.5, 1), "green": (0.5, 1, 0.5), "red": (1, 0.5, 0.5), "yellow": (1, 1, 0.5)}
_MASKS = {  # four shapes that differ in most of their pixels
    "circle": ["01110", "10001", "10001", "10001", "01110"],
    "cross": ["00100", "00100", "11111", "00100", "00100"],
    "square": ["11111", "11111", "11111", "11111", "11111"],
    "triangle": ["00100", "00100", "01110", "01110", "11111"],
}
# Top-left corner of the 5x5 shape for each position: (rows, columns) to draw from.
_CORNERS = {
    "at the bottom": ((6, 7), (3, 4)),
    "at the top": ((0, 1), (3, 4)),
    "on the left": ((3, 4), (0, 1)),
    "on the right": ((3, 4), (6, 7)),
}


def _scene_held_out(s, c, p):
    """A Latin square over the triples: each pair of attributes is still seen in training."""
    return (s + c + p) % 4 == 0


def _scene(rng):
    """One image (12, 12, 3) with a jittered, noisy shape, and its (shape, colour, position)."""
    s, c, p = (int(i) for i in rng.integers(4, size=3))
    mask = np.array([[int(ch) for ch in row] for row in _MASKS[SHAPES[s]]], dtype=float)
    rows, cols = _CORNERS[POSITIONS[p]]
    r, k = int(rng.choice(rows)), int(rng.choice(cols))
    image = np.zeros(IMAGE_SHAPE)
    colour = np.array(_RGB[COLOURS[c]]) * rng.uniform(0.9, 1.0)
    image[r : r + 5, k : k + 5] = mask[:, :, None] * colour
    image = np.clip(image + rng.normal(0, _NOISE, IMAGE_SHAPE), 0, 1)
    return ((image.reshape(-1), (s, c, p)), _scene_held_out(s, c, p))


def to_image(x):
    """Return a flat image vector (D,) = (432,) as an (H, W, 3) array for plotting."""
    x = np.asarray(x, dtype=float)
    if x.size != np.prod(IMAGE_SHAPE):
        raise ValueError(f"x: expected {np.prod(IMAGE_SHAPE)} values (an image), got {x.size}")
    return x.reshape(IMAGE_SHAPE)


def caption_of(s, c, p):
    """The caption of a scene, e.g. 'a red square on the left'."""
    return f"a {COLOURS[c]} {SHAPES[s]} {POSITIONS[p]}"


def _scene_splits(n_train, n_test, seed):
    g = _validate.seed("seed", seed)
    train = _sample(g, _scene, False, n_train)
    test = _sample(g, _scene, True, n_test)
    return train, test


def _images(scenes):
    return torch.tensor(np.stack([img for img, _ in scenes]), dtype=torch.float32)


def _held_out_scenes():
    return [caption_of(s, c, p) for s in range(4) for c in range(4) for p in range(4)
            if _scene_held_out(s, c, p)]


def shapes(n_train=2000, n_test=500, seed=0):
    """One-to-one: a small image, flattened, to the class of the shape in it.

    x: (N, D) float images, D = 12 * 12 * 3 (see :func:`to_image`); y: (N,) shape class.
    The test images show (shape, colour, position) triples never seen in training.
    """
    n_train, n_test = _check_sizes(n_train, n_test)
    train, test = _scene_splits(n_train, n_test, seed)

    def split(scenes):
        y = torch.tensor([triple[0] for _, triple in scenes], dtype=torch.long)
        return Split(_images(scenes), y, x_seq=False, y_seq=False)

    return Dataset("shapes", "vector", "class", split(train), split(test),
                   n_in=int(np.prod(IMAGE_SHAPE)), n_out=len(SHAPES), labels=SHAPES,
                   info={"held_out": _held_out_scenes()})


def captions(n_train=2000, n_test=500, seed=0):
    """One-to-many: a small image to its caption, e.g. 'a red square on the left'.

    x: (N, D) float images; y: (T, N) caption word ids ending with ``<eos>``, T = 7.
    The test images show (shape, colour, position) triples never seen in training.
    """
    n_train, n_test = _check_sizes(n_train, n_test)
    train, test = _scene_splits(n_train, n_test, seed)
    words = {w for s in range(4) for c in range(4) for p in range(4)
             for w in caption_of(s, c, p).split()}
    out_vocab = Vocab(words)

    def split(scenes):
        ids = [out_vocab.encode(caption_of(*t)) + [out_vocab.ids[EOS]] for _, t in scenes]
        return Split(_images(scenes), _pad(ids, IGNORE), x_seq=False, y_seq=True)

    return Dataset("captions", "caption", "class", split(train), split(test),
                   n_in=int(np.prod(IMAGE_SHAPE)), n_out=len(out_vocab), out_vocab=out_vocab,
                   labels=out_vocab.tokens, info={"held_out": _held_out_scenes()})


# --------------------------------------------------------------------------------------------
# Sentiment with negation and intensifiers: many-to-one
# --------------------------------------------------------------------------------------------

POSITIVE = ("fun", "good", "great", "lovely")
NEGATIVE = ("awful", "bad", "boring", "dull")
_SUBJECTS = ("the film", "the movie", "the plot", "the acting", "the story", "this show")
_VERBS = ("was", "is", "felt", "seemed")
_INTENSIFIERS = ("really", "so", "very")
_LINKS = (",", ", just", ", it was", "and", "and it was", ", and")
SENTIMENTS = ("negative", "positive")


def _clause(intensifier, negated, word):
    """[not] [intensifier] word: 'not very good'. 'not' flips the clause; 'very' does not."""
    return (["not"] if negated else []) + ([intensifier] if intensifier else []) + [word]


def _word_index(word):
    return (POSITIVE + NEGATIVE).index(word) % 4


def _sentiment_held_out(word1, word2):
    """Pairs of sentiment words held out of training; symmetric, so a twin shares the flag."""
    return (_word_index(word1) + _word_index(word2)) % 4 == 0


@dataclasses.dataclass(frozen=True)
class _Review:
    """A two-clause review. Both clauses agree, so the label is that of the first clause."""

    frame: tuple  # (subject, verb, link, ending): words that carry no sentiment
    intensifiers: tuple  # one per clause, "" for none
    negated: tuple  # one bool per clause
    words: tuple  # one sentiment word per clause

    def text(self):
        subject, verb, link, end = self.frame
        clauses = zip(self.intensifiers, self.negated, self.words, strict=True)
        first, second = (_clause(*c) for c in clauses)
        return " ".join([subject, verb, *first, link, *second]) + end

    def label(self):
        return int((self.words[0] in POSITIVE) != self.negated[0])

    def twin(self):
        """Swap the sentiment words: the same bag of words, the opposite label."""
        return dataclasses.replace(self, words=self.words[::-1])


def _review(rng):
    positive = bool(rng.integers(2))
    negated = tuple(bool(b) for b in rng.integers(2, size=2))
    # each clause's word is chosen so that the clause has the review's polarity
    words = tuple(str(rng.choice(POSITIVE if positive != n else NEGATIVE)) for n in negated)
    intensifiers = tuple(str(rng.choice(_INTENSIFIERS)) if rng.random() < 0.3 else ""
                         for _ in range(2))
    frame = (str(rng.choice(_SUBJECTS)), str(rng.choice(_VERBS)), str(rng.choice(_LINKS)),
             str(rng.choice(["", " .", " !"])))
    review = _Review(frame, intensifiers, negated, words)
    return review, _sentiment_held_out(*words)


def _sentiment_test(rng, n):
    """Held-out reviews, like training's: half have one 'not' and come in order-twin pairs.

    Returns (reviews, twin_of): twin_of[i] is the index of review i's twin, or -1.
    """
    reviews, twin_of = [], []
    pairs, singles = n // 4, n - 2 * (n // 4)
    while pairs or singles:
        review, held = _review(rng)
        one_not = review.negated[0] != review.negated[1]
        if held and one_not and pairs:
            k = len(reviews)
            reviews += [review, review.twin()]
            twin_of += [k + 1, k]
            pairs -= 1
        elif held and not one_not and singles:
            reviews.append(review)
            twin_of.append(-1)
            singles -= 1
    return reviews, twin_of


def sentiment(n_train=3000, n_test=1000, seed=0):
    """Many-to-one: a two-clause review to its sentiment, e.g. 'the film was not good, just bad'.

    'not' flips its clause ('not good', 'not very good'); intensifiers ('really', 'so',
    'very') change nothing. Both clauses agree, so a review with one 'not' has one positive
    and one negative word, and only their order says which one is negated: an order-blind
    model cannot beat 75% on this data (see ``baselines.order_blind_ceiling``).

    x: (T, N) word ids, padded; lengths: (N,); y: (N,) 0 negative, 1 positive.
    test.twin_of: (N,) the index of each test review's order twin (same words, opposite label,
    e.g. 'not good, just bad' / 'not bad, just good'), or -1.
    The test reviews pair sentiment words never paired in training.
    """
    n_train, n_test = _check_sizes(n_train, n_test)
    g = _validate.seed("seed", seed)
    train = _sample(g, _review, False, n_train)
    test, twin_of = _sentiment_test(g, n_test)
    texts = [r.text() for r in train + test]
    vocab = Vocab({tok for t in texts for tok in tokenize(t)})

    def split(reviews, twins=None):
        ids = [vocab.encode(r.text()) for r in reviews]
        y = torch.tensor([r.label() for r in reviews], dtype=torch.long)
        twins = None if twins is None else torch.tensor(twins, dtype=torch.long)
        return Split(_pad(ids), y, x_seq=True, y_seq=False, lengths=_lengths(ids),
                     twin_of=twins)

    held = [f"{a} + {b}" for a in POSITIVE + NEGATIVE for b in POSITIVE + NEGATIVE
            if a < b and _sentiment_held_out(a, b)]
    return Dataset("sentiment", "sequence", "class", split(train), split(test, twin_of),
                   n_in=len(vocab), n_out=2, vocab=vocab, labels=SENTIMENTS,
                   info={"held_out": held})


def word_counts(x, n_words):
    """Word counts (B, V) of token ids x (T, B), padding excluded: what an order-blind model
    sees. Reviews with the same words in any order have the same counts."""
    counts = torch.zeros(x.shape[1], n_words, device=x.device)
    counts.scatter_add_(1, x.T, torch.ones(x.T.shape, device=x.device))
    counts[:, SPECIALS.index(PAD)] = 0
    return counts


# --------------------------------------------------------------------------------------------
# Tagging the sense of ambiguous words from earlier context: synced many-to-many
# --------------------------------------------------------------------------------------------

_TOPICS = {  # topic -> the context words that set it
    "nature": ("forest", "garden", "lake", "meadow", "river", "stream"),
    "money": ("cash", "loan", "rent", "salary", "savings", "tax"),
}
CUES = tuple(cue for cues in _TOPICS.values() for cue in cues)  # every context word
SENSES = {  # ambiguous word -> its sense under each topic
    "bank": {"nature": "shore", "money": "finance"},
    "bill": {"nature": "beak", "money": "invoice"},
    "branch": {"nature": "tree", "money": "office"},
}
NO_TAG = "-"  # the tag of every word that is not ambiguous
# Each context word comes with the words that lead to it, chosen so that the sentences read
# as English: "by the river we saw the old bank", "for the loan we visited the bank".
_LEADS = {"forest": "in the", "garden": "in the", "lake": "by the", "meadow": "in the",
          "river": "by the", "stream": "by the", "cash": "with the", "loan": "for the",
          "rent": "for the", "salary": "for my", "savings": "for our", "tax": "for the"}
_ACTIONS = ("we saw", "we found", "she noticed", "he checked", "they visited", "i looked at")
_ADJECTIVES = ("old", "big", "small", "new")


def _tagging_held_out(topic, cue, word):
    cue_index = _TOPICS[topic].index(cue)
    return (cue_index + sorted(SENSES).index(word)) % 3 == 0


def _segment(rng):
    """'by the river we saw the old bank [and the branch]': the cue sets every sense after it.

    Returns (words, tags, held_out).
    """
    topic = str(rng.choice(sorted(_TOPICS)))
    cue = str(rng.choice(_TOPICS[topic]))
    words = [*_LEADS[cue].split(), cue, *str(rng.choice(_ACTIONS)).split()]
    held = False
    for k in range(1 + int(rng.random() < 0.5)):
        word = str(rng.choice(sorted(SENSES)))
        adjective = [str(rng.choice(_ADJECTIVES))] if rng.random() < 0.5 else []
        words += (["and"] if k else []) + ["the", *adjective, word]
        held = held or _tagging_held_out(topic, cue, word)
    tags = [SENSES[w][topic] if w in SENSES else NO_TAG for w in words]
    return words, tags, held


def _tagged_sentence(rng, segment=_segment):
    """One or two segments; in two, the second cue overrides the first ('then for the loan')."""
    words, tags, held = segment(rng)
    if rng.random() < 0.5:
        more, more_tags, more_held = segment(rng)
        words, tags, held = words + ["then"] + more, tags + [NO_TAG] + more_tags, held or more_held
    return (words, tags), held


def _tagging_dataset(name, train, test):
    """The Dataset of tagged sentences: (words, tags) pairs of the train and test splits."""
    vocab = Vocab({w for words, _ in train + test for w in words})
    labels = (NO_TAG,) + tuple(sorted({s for senses in SENSES.values() for s in senses.values()}))

    def split(sentences):
        ids = [vocab.encode(" ".join(words)) for words, _ in sentences]
        tags = [[labels.index(t) for t in tags] for _, tags in sentences]
        x = _pad(ids)
        ambiguous = torch.zeros(x.shape, dtype=torch.bool)
        for j, (words, _) in enumerate(sentences):
            for t, w in enumerate(words):
                ambiguous[t, j] = w in SENSES
        return Split(x, _pad(tags, IGNORE), x_seq=True, y_seq=True, lengths=_lengths(ids),
                     ambiguous=ambiguous)

    held = [f"{cue} + {w}" for topic, cues in sorted(_TOPICS.items()) for cue in cues
            for w in sorted(SENSES) if _tagging_held_out(topic, cue, w)]
    return Dataset(name, "synced", "class", split(train), split(test), n_in=len(vocab),
                   n_out=len(labels), vocab=vocab, labels=labels, info={"held_out": held})


def tagging(n_train=2000, n_test=500, seed=0):
    """Synced many-to-many: tag the sense of each ambiguous word from the words before it.

    'by the river we saw the bank' -> bank is 'shore'; 'for the loan ... the bank' -> bank
    is 'finance'. Every other word is tagged '-'. A tagger that sees only the current word
    scores about 50% on the ambiguous words (see ``baselines.context_free_ceiling``).

    x: (T, N) word ids, padded; lengths: (N,); y: (T, N) tag ids (IGNORE on padding);
    test.ambiguous: (T, N) bool, the steps holding an ambiguous word.
    The test sentences pair a context word with an ambiguous word never paired in training.
    """
    n_train, n_test = _check_sizes(n_train, n_test)
    g = _validate.seed("seed", seed)
    train = _sample(g, _tagged_sentence, False, n_train)
    test = _sample(g, _tagged_sentence, True, n_test)
    return _tagging_dataset("tagging", train, test)


# --------------------------------------------------------------------------------------------
# Dates to ISO: seq2seq
# --------------------------------------------------------------------------------------------

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december")
DATE_FORMATS = (
    "{d} {month} {y}",  # 25 november 2026
    "{month} {d}, {y}",  # november 25, 2026
    "{mon} {d}, {y}",  # nov 25, 2026
    "{d} {mon} {y}",  # 25 nov 2026
    "{dd}/{mm}/{y}",  # 25/11/2026
    "{dd}.{mm}.{y}",  # 25.11.2026
)
_FIRST_DAY = datetime.date(1950, 1, 1).toordinal()
_LAST_DAY = datetime.date(2049, 12, 31).toordinal()


# The format each month (January first) never shows in training: each format misses two
# months, and each month one format. May's held-out format is a numeric one, since May's
# abbreviation is its name: "may 25, 2026" is both format 1 and format 2.
HELD_OUT_FORMAT = (0, 5, 2, 3, 4, 1, 0, 5, 4, 3, 2, 1)


def _date_held_out(fmt, month):
    return HELD_OUT_FORMAT[month] == fmt


def format_date(date, fmt):
    """Write a datetime.date in format ``fmt`` (an index into DATE_FORMATS)."""
    month = MONTHS[date.month - 1]
    return DATE_FORMATS[fmt].format(d=date.day, dd=f"{date.day:02d}", mm=f"{date.month:02d}",
                                    month=month, mon=month[:3], y=date.year)


def _date(rng):
    date = datetime.date.fromordinal(int(rng.integers(_FIRST_DAY, _LAST_DAY + 1)))
    fmt = int(rng.integers(len(DATE_FORMATS)))
    return (format_date(date, fmt), date.isoformat()), _date_held_out(fmt, date.month - 1)


def dates(n_train=5000, n_test=500, seed=0):
    """Seq2seq: a date written one of six ways to ISO, '25 november 2026' -> '2026-11-25'.

    Characters in, characters out (the input is lower-cased). Years 1950-2049.
    x: (T, N) character ids, padded; lengths: (N,); y: (T, N) output ids ending with <eos>.
    The test dates write a month in a format never used for that month in training.
    """
    n_train, n_test = _check_sizes(n_train, n_test)
    g = _validate.seed("seed", seed)
    train = _sample(g, _date, False, n_train)
    test = _sample(g, _date, True, n_test)
    vocab = Vocab({ch for src, _ in train + test for ch in src}
                  | {ch for m in MONTHS for ch in m} | set("0123456789 ,./"), level="char")
    out_vocab = Vocab(set("0123456789-"), level="char")

    def split(pairs):
        src = [vocab.encode(s) for s, _ in pairs]
        tgt = [out_vocab.encode(t) + [out_vocab.ids[EOS]] for _, t in pairs]
        return Split(_pad(src), _pad(tgt, IGNORE), x_seq=True, y_seq=True,
                     lengths=_lengths(src))

    # a held-out (month, format) pair, written out on the 25th of that month in 2026
    held = [f"{MONTHS[m]} as '{format_date(datetime.date(2026, m + 1, 25), f)}'"
            for f in range(len(DATE_FORMATS)) for m in range(12) if _date_held_out(f, m)]
    return Dataset("dates", "seq2seq", "class", split(train), split(test), n_in=len(vocab),
                   n_out=len(out_vocab), vocab=vocab, out_vocab=out_vocab,
                   labels=out_vocab.tokens, info={"held_out": held})


# --------------------------------------------------------------------------------------------
# Long time lags: the adding problem and the delayed echo
# --------------------------------------------------------------------------------------------


def _adding_split(g, n, T):
    values = torch.tensor(g.uniform(0, 1, (T, n)), dtype=torch.float32)
    first = g.integers(0, T // 2, n)  # one marker in each half
    second = g.integers(T // 2, T, n)
    markers = torch.zeros(T, n)
    markers[first, np.arange(n)] = 1
    markers[second, np.arange(n)] = 1
    y = (values * markers).sum(0)
    return Split(torch.stack([values, markers], -1), y, x_seq=True, y_seq=False)


def adding(T=50, n_train=10000, n_test=1000, seed=0):
    """The adding problem, in the form of Le, Jaitly & Hinton 2015: sum the two marked numbers.

    x: (T, N, 2): channel 0 values from U[0, 1], channel 1 the markers, one in each half.
    y: (N,) the sum of the two marked values. Always answering the mean, 1, scores MSE 1/6
    (the variance of a sum of two U[0, 1]); remembering the last marker only, 1/12
    (``baselines.last_marker_mse``). Hochreiter & Schmidhuber 1997, who introduced the task,
    drew values from [-1, 1] and put the first marker among the first ten steps.
    """
    T = _validate.positive_int("T", T)
    if T < 2:
        raise ValueError(f"T: expected at least 2 steps (one marker in each half), got {T}")
    n_train, n_test = _check_sizes(n_train, n_test)
    g = _validate.seed("seed", seed)
    return Dataset("adding", "sequence", "value", _adding_split(g, n_train, T),
                   _adding_split(g, n_test, T), n_in=2, n_out=1, labels=("sum",),
                   info={"T": T, "baseline_mse": 1 / 6})


def _echo_split(g, n, T, d, symbols):
    x = torch.tensor(g.integers(0, symbols, (T, n)), dtype=torch.long)
    y = torch.full((T, n), IGNORE, dtype=torch.long)
    y[d:] = x[:-d]  # y_t = x_{t-d}; the first d steps have nothing to echo
    return Split(x, y, x_seq=True, y_seq=True)


def echo(d=5, T=30, symbols=4, n_train=2000, n_test=500, seed=0):
    """The delayed echo: y_t = x_{t-d}, random symbols 0..symbols-1 (chance 1/symbols).

    x: (T, N) symbol ids; y: (T, N) the symbol d steps back, IGNORE for t < d.
    Four symbols by default, not two: the state an LSTM carries across truncation chunks
    holds some of the last few inputs even untrained, and with bits it scored up to 90%
    (chance 50%) at chunk length k = d in our runs; with four symbols notebook 04's runs score
    33-40% (chance 25%) for k <= d (see ``baselines.untrained_state_readout``).
    """
    d = _validate.positive_int("d", d)
    T = _validate.positive_int("T", T)
    symbols = _validate.positive_int("symbols", symbols)
    if T <= d:
        raise ValueError(f"T: expected more steps than the delay d={d}, got {T}")
    if symbols < 2:
        raise ValueError(f"symbols: expected at least 2, got {symbols}")
    n_train, n_test = _check_sizes(n_train, n_test)
    g = _validate.seed("seed", seed)
    labels = tuple(str(i) for i in range(symbols))
    return Dataset("echo", "synced", "class", _echo_split(g, n_train, T, d, symbols),
                   _echo_split(g, n_test, T, d, symbols), n_in=symbols, n_out=symbols,
                   labels=labels, info={"d": d, "T": T, "chance": 1 / symbols})


# --------------------------------------------------------------------------------------------
# A short time series: noisy sines
# --------------------------------------------------------------------------------------------


def _sine_split(g, n, T, bands, noise):
    band = g.integers(len(bands), size=n)
    low, high = np.array(bands)[band].T
    freq = g.uniform(low, high)  # cycles per step
    phase = g.uniform(0, 2 * np.pi, n)
    t = np.arange(T + 1)[:, None]
    series = np.sin(2 * np.pi * freq * t + phase) + g.normal(0, noise, (T + 1, n))
    series = torch.tensor(series, dtype=torch.float32)[:, :, None]
    return Split(series[:-1], series[1:], x_seq=True, y_seq=True)


def sines(T=60, n_train=500, n_test=100, noise=0.1, seed=0):
    """Noisy sines, for next-step prediction: x is the series, y the same shifted by one.

    x: (T, N, 1); y: (T, N, 1), y_t = x_{t+1}. Frequencies in cycles per step: training draws
    from [0.02, 0.04) and [0.06, 0.08), the test set from the held-out band [0.04, 0.06).
    """
    T = _validate.positive_int("T", T)
    n_train, n_test = _check_sizes(n_train, n_test)
    noise = _validate.number("noise", noise, 0, 10)
    g = _validate.seed("seed", seed)
    train = _sine_split(g, n_train, T, [(0.02, 0.04), (0.06, 0.08)], noise)
    test = _sine_split(g, n_test, T, [(0.04, 0.06)], noise)
    return Dataset("sines", "synced", "value", train, test, n_in=1, n_out=1, labels=("next",),
                   info={"T": T, "noise": noise, "test_band": (0.04, 0.06)})


def whole_series(split):
    """Every value of a ``sines`` split: x's T steps, then the last target: (T + 1, N)."""
    if not isinstance(split, Split) or split.x.ndim != 3 or split.x.shape[2] != 1:
        raise TypeError(f"split: expected a split of rnnbook.data.sines(), got {split!r:.60}")
    return np.concatenate([split.x[:, :, 0].numpy(), split.y[-1:, :, 0].numpy()]).astype(float)


# --------------------------------------------------------------------------------------------
# Notebook 07: context that comes after (bidirectional tagging), and sequences of widely varying
# length (seq2seq with attention).
# --------------------------------------------------------------------------------------------

_LATER_PREPS = ("of", "near", "by", "beside", "with")
_OPENINGS = ("", "we saw", "i passed", "they watched", "she liked", "he reached")
_ENDINGS = ("", "was old", "was new", "was there")


def _segment_after(rng):
    """'we saw the old bank of the river was old': the cue comes after the word it settles.

    Returns (words, tags, held_out). Nothing before the ambiguous word depends on the topic.
    """
    topic = str(rng.choice(sorted(_TOPICS)))
    cue = str(rng.choice(_TOPICS[topic]))
    word = str(rng.choice(sorted(SENSES)))
    words = str(rng.choice(_OPENINGS)).split() + ["the"]
    words += [str(rng.choice(_ADJECTIVES))] if rng.random() < 0.5 else []
    words += [word, str(rng.choice(_LATER_PREPS)), "the", cue]
    words += str(rng.choice(_ENDINGS)).split()
    tags = [SENSES[w][topic] if w in SENSES else NO_TAG for w in words]
    return words, tags, _tagging_held_out(topic, cue, word)


def _tagged_after(rng):
    """One or two segments joined by 'then'; each segment's cue settles only its own word."""
    return _tagged_sentence(rng, _segment_after)


def tagging_after(n_train=2000, n_test=500, seed=0):
    """Synced many-to-many where the context comes *after* the ambiguous word (notebook 07).

    'the bank of the river' -> bank is 'shore'; 'the bank by the loan' -> 'finance'. The words
    before an ambiguous word never depend on its sense, so a tagger that reads left to right
    can do no better than one that sees the word alone (``baselines.context_free_ceiling``,
    about 50%); a bidirectional one can read the cue.

    x: (T, N) word ids, padded; lengths: (N,); y: (T, N) tag ids (IGNORE on padding);
    ambiguous: (T, N) bool. The test sentences pair a context word with an ambiguous word never
    paired in training (the pairs held out of :func:`tagging`).
    """
    n_train, n_test = _check_sizes(n_train, n_test)
    g = _validate.seed("seed", seed)
    train = _sample(g, _tagged_after, False, n_train)
    test = _sample(g, _tagged_after, True, n_test)
    return _tagging_dataset("tagging_after", train, test)


SYMBOLS = "abcdefghijklmnopqrst"  # the 20 letters of the copying task


def _letters_held_out(string):
    """A fifth of all strings, at every length, held out of training: by the sum of letters."""
    return sum(SYMBOLS.index(ch) for ch in string) % 5 == 0


def _strings(n):
    """Strings of length n: each an example for :func:`_sample`, with its held-out flag."""

    def make(g):
        s = "".join(g.choice(list(SYMBOLS), size=int(n)))
        return s, _letters_held_out(s)

    return make


def copying(min_len=2, max_len=16, n_train=4000, n_per_length=50, seed=0):
    """Seq2seq: copy a string of letters a-t whose length varies widely, 'abc' -> 'abc'.

    The first letter out is the first in, read longest ago: all of the input must reach the
    decoder. Training lengths are uniform in [min_len, max_len]; the test set holds
    ``n_per_length`` strings of each length, so accuracy can be read by length. The strings
    whose letter indices sum to a multiple of 5 are only ever in the test set.
    x: (T, N) character ids, padded; lengths: (N,); y: (T, N) output ids ending with <eos>.
    """
    min_len = _validate.positive_int("min_len", min_len)
    max_len = _validate.int_at_least("max_len", max_len, min_len)
    n_train = _validate.positive_int("n_train", n_train)
    n_per_length = _validate.positive_int("n_per_length", n_per_length)
    g = _validate.seed("seed", seed)
    train = [_sample(g, _strings(n), False, 1)[0]
             for n in g.integers(min_len, max_len + 1, n_train)]
    test = [s for n in range(min_len, max_len + 1)
            for s in _sample(g, _strings(n), True, n_per_length)]
    vocab = Vocab(set(SYMBOLS), level="char")

    def split(strings):
        src = [vocab.encode(s) for s in strings]
        tgt = [ids + [vocab.ids[EOS]] for ids in src]
        return Split(_pad(src), _pad(tgt, IGNORE), x_seq=True, y_seq=True,
                     lengths=_lengths(src))

    return Dataset("copying", "seq2seq", "class", split(train), split(test), n_in=len(vocab),
                   n_out=len(vocab), vocab=vocab, out_vocab=vocab, labels=vocab.tokens,
                   info={"min_len": min_len, "max_len": max_len})
