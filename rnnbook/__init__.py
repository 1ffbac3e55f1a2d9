"""rnnbook: the helper package of an interactive course on recurrent neural networks.

One set of letters names the shapes everywhere in the package:

    T  time steps (sequence length)
    B  batch size
    D  input size (features per step)
    H  hidden size
    V  vocabulary size

Sequences are time-major, as in ``torch.nn.RNN``: ``x`` has shape (T, B, D) and the hidden
states ``hs`` have shape (T, B, H).

Modules, split by job (the notebooks import them; nothing is copied into a notebook):

    cells      numpy RNN, LSTM and GRU cells, their unroll and backprop through time
    gradcheck  centred-difference numerical gradients and relative errors
    gradients  gradient flow through time: measured norms, the Pascanu bound
    data       synthetic datasets, generated from a seed (nothing is downloaded)
    models     small PyTorch models for the five architectures
    train      one training loop for every model, and prediction helpers
    plots      the course's plot style and figures
    widgets    the interactive widgets (builders that return a widget, never display it)
    checks     exercise checkers, hints and solutions
    charlm     notebook 06's character language model: the text, training stream, sampler
    ngram      counting baselines: character n-grams with Kneser-Ney smoothing
    probe      exact labels of Python source, and the units that track them
    charlm_plots, charlm_widgets   notebook 06's figures and widgets
    lab        opens the course in JupyterLab (``make lab``)
"""

from rnnbook.setup import setup_notebook

__version__ = "0.1.0"
__all__ = ["setup_notebook", "__version__"]
