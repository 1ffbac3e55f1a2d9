"""rnnbook: the helper package of an interactive course on recurrent neural networks.

One set of letters names the shapes everywhere in the package:

    T  time steps (sequence length)
    B  batch size
    D  input size (features per step)
    H  hidden size
    V  vocabulary size

Sequences are time-major, as in ``torch.nn.RNN``: ``x`` has shape (T, B, D) and the hidden
states ``hs`` have shape (T, B, H).

Randomness has two names. ``seed`` is an int >= 0, everywhere: datasets, models, training,
widgets, ``setup_notebook``. ``rng`` is a numpy Generator (or an int seed for one), only in
the numpy functions whose draws a caller may want to continue from one stream:
``cells.init_params``, ``gradients.scaled_orthogonal``, ``gradients.with_spectral_radius``.

Modules, split by job, in the order the data flows (the notebooks import them; nothing is
copied into a notebook). Trained examples:

    containers  Vocab, Batch, Split, Dataset: what a dataset holds and a model reads   01, 03-05
    data        synthetic datasets, generated from a seed (nothing is downloaded)   01, 03-05, 07
    models      small PyTorch models for the five architectures and the baselines   01, 03-07
    train       one training loop for every model, scores, prediction helpers       01, 03-07

The numpy cells, from scratch, and what flows back through them:

    cells       RNN, LSTM and GRU cells, their unroll and backprop through time    00, 02, 04, 05
    gradcheck   centred-difference numerical gradients and relative errors             02, 05
    gradients   gradient flow through time: measured norms, the Pascanu bound          04, 05
    baselines   what a model without order, context or long memory reaches:      01, 03, 04, 06
                ceilings, windows, last-marker guesses, Kneser-Ney character n-grams
    attention   bidirectional and stacked unrolls of the cells; attention_step          07

The capstone, a character language model on real Python source:

    charlm      the text, its training stream, the char LSTM, the sampler                  06
    probe       exact labels of Python source, and the units that track them               06

Showing and exercising (these read the modules above; none of those reads these):

    plots       the course's plot style and figures                                     01-07
    widgets     the interactive widgets (builders that return a widget, never display)  00-07
    checks      exercise checkers, hints and solutions (solutions: the reference code)  00-07

Around the notebooks:

    setup       ``setup_notebook``: the first cell of every notebook (seeds, one thread)  00-07
    notebooks   runs a notebook in place, deterministically (``make notebooks``)
    lab         opens the course in JupyterLab (``make lab``, ``make present``)
    twins       kernel-free twins of the widgets: recordings, for the static site
    site        the course as an offline static site (``make site``)
    classroom   the course as an nbgrader source course (``make assignment``; docs/classroom.md)
    _validate   the argument checks every public function makes at its boundary
"""

import os

# The same trained numbers on every x86-64 machine. PyTorch picks its vector code, and MKL its
# matrix-product code, by the CPU it runs on (AVX-512 on one machine, AVX2 on another), and a
# 300-step training of notebook 01 then ends at train loss 0.310 on one and 0.317 on the other.
# Pinning both code paths makes the committed outputs, which nbval compares, the same everywhere.
# Both are read when torch loads, so this runs before any rnnbook module imports torch.
os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")
os.environ.setdefault("MKL_CBWR", "AVX2,STRICT")

from rnnbook.setup import setup_notebook  # noqa: E402

__version__ = "0.2.0"  # the same as pyproject.toml's version (tests/test_present.py checks)
__all__ = ["setup_notebook", "__version__"]
