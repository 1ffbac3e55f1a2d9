"""Notebook 06's figures: bits per character of every model and baseline on the test text,
training time and characters per second; a GRU and a vanilla RNN of about the LSTM's size.

    .venv/bin/python benchmarks/charlm.py [--steps 800] [--cells lstm,gru,rnn]

One torch thread, as in the notebooks. "cpu s" is this process's CPU time, "wall s" the
elapsed time: on a busy machine wall time grows and CPU time much less, so the budget is
checked on CPU time. The recurrent models train with the notebook's settings (800 steps of
32 x 64 characters, Adam 4e-3, clip 1, dropout 0.3); the GRU's and the RNN's hidden sizes are
chosen to give about the LSTM's number of parameters, and they train for the same steps.
A row passes when its CPU time is within its budget (the notebook's: all trainings <= 45 s).
The scores are deterministic; the times are measured, never tested. Takes about two minutes
of CPU.
"""

import argparse
import time

import torch

from rnnbook import baselines, charlm, models

SETTINGS = dict(batch_size=32, chunk=64, lr=4e-3, clip=1.0, seed=0)
LSTM_BUDGET = 40.0  # s of CPU for the notebook's one training, within its 45 s for trainings


def matched_hidden_size(cell, vocab_size, target):
    """The hidden size that gives ``cell`` the number of parameters closest to ``target``."""
    def size(H):
        return models.count_parameters(charlm.CharModel(vocab_size, H, cell=cell))
    return min(range(64, 800, 2), key=lambda H: abs(size(H) - target))


def row(name, bpc, cpu=None, wall=None, chars=None, budget=None, note=""):
    speed = f"{chars / cpu:,.0f}" if chars else ""
    ok = "" if budget is None else ("pass" if cpu <= budget else "FAIL (time)")
    cpu_text = "" if cpu is None else f"{cpu:.1f}"
    wall_text = "" if wall is None else f"{wall:.1f}"
    print(f"| {name} | {bpc:.3f} | {cpu_text} | {wall_text} | {speed} | {note} | {ok} |",
          flush=True)
    return ok != "FAIL (time)"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=800)
    parser.add_argument("--cells", default="lstm,gru,rnn")
    parser.add_argument("--max-order", type=int, default=10)
    args = parser.parse_args()
    torch.set_num_threads(1)
    corpus = charlm.load_corpus()
    V = corpus.vocab.size
    train_ids, val_ids, test_ids = (corpus.ids(name) for name in charlm.SPLITS)
    print("| model | test bpc | cpu s | wall s | chars / cpu s | notes | budget |")
    print("|---|---|---|---|---|---|---|")
    ok = True
    row("uniform guess", baselines.uniform_bits(V))
    row("unigram, add-one", baselines.unigram_bits(train_ids, test_ids[1:], V))
    cpu, wall = time.process_time(), time.perf_counter()
    counter = baselines.KneserNey(train_ids, V, max_order=args.max_order)
    best, val = baselines.best_order(counter, val_ids)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    for n in range(1, args.max_order + 1):
        note = f"val {val[n]:.3f}" + (", best on val" if n == best else "")
        timing = (cpu, wall) if n == best else (None, None)
        row(f"Kneser-Ney {n}-gram", baselines.bits_per_char(counter.probs(test_ids, n)[1:]),
            *timing, note=note + (" (time: counting every order + choosing on val)"
                                  if n == best else ""))
    p_count = counter.probs(test_ids, best)[1:]

    lstm_size = None
    for cell in args.cells.split(","):
        if cell == "lstm":
            H = 256
        else:
            if lstm_size is None:
                lstm_size = models.count_parameters(charlm.CharModel(V, 256))
            H = matched_hidden_size(cell, V, lstm_size)
        model = charlm.CharModel(V, H, cell=cell, dropout=0.3, seed=0)
        history = charlm.train_model(model, corpus, steps=args.steps, **SETTINGS)
        run = charlm.run_text(model, test_ids)
        note = (f"H = {H}, {models.count_parameters(model):,} parameters, {args.steps} steps, "
                f"val {history.val_bpc[-1]:.3f}")
        ok &= row(f"{cell.upper()} char model", float(run.losses.mean()), history.cpu_seconds,
                  history.wall_seconds, history.characters,
                  LSTM_BUDGET if cell == "lstm" and args.steps == 800 else None, note)
        mix = baselines.bits_per_char((2.0 ** -run.losses + p_count) / 2)
        row(f"mean of {cell.upper()} and {best}-gram probabilities", mix)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
