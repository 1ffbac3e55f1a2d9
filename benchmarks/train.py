"""Train every model with the settings the notebooks use; print its time, score and target.

    .venv/bin/python benchmarks/train.py [--only TASK]

One torch thread, as in the notebooks (rnnbook.setup_notebook). "cpu s" is this process's
CPU time for the whole ``train`` call (including its ten test-set evaluations), "wall s" the
elapsed time; on a busy machine wall time grows and CPU time much less. A row passes when its
score meets the target and its CPU time the notebook budget. The scores are deterministic;
the times are not (they are measured, never tested). Takes one to two minutes.
"""

import argparse
import time

import torch

from rnnbook import baselines, cells, data, models, train


def timed(model, ds, **settings):
    """Train; return (cpu seconds, wall seconds, evaluate's scores)."""
    cpu, wall = time.process_time(), time.perf_counter()
    train.train(model, ds, progress=False, **settings)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return cpu, wall, train.evaluate(model, ds)


def pct(x):
    return f"{100 * x:.1f}%"


def one_to_one():
    ds = data.shapes()
    cpu, wall, s = timed(models.OneToOne(ds.n_in, ds.n_out), ds, steps=300)
    yield ("one-to-one", "OneToOne MLP, 300 steps", cpu, wall, f"accuracy {pct(s['accuracy'])}",
           ">= 95%", 3, s["accuracy"] >= 0.95)


def sentiment():
    ds = data.sentiment()
    for cell in cells.CELLS:
        model = models.ManyToOne(ds.n_in, cell=cell)
        cpu, wall, s = timed(model, ds, steps=300)
        yield ("sentiment", f"ManyToOne {cell}, 300 steps", cpu, wall,
               f"{pct(s['accuracy'])}, twins {pct(s['twins'])}", ">= 97%, twins >= 95%", 6,
               s["accuracy"] >= 0.97 and s["twins"] >= 0.95)
    cpu, wall, s = timed(models.BagOfWords(ds.n_in), ds, steps=300)
    ceiling = baselines.order_blind_ceiling(ds)
    yield ("sentiment", "BagOfWords MLP, 300 steps", cpu, wall,
           f"{pct(s['accuracy'])}, twins {pct(s['twins'])} (ceiling {pct(ceiling)})",
           "<= 80%, twins = 50%", 6, s["accuracy"] <= 0.8 and s["twins"] == 0.5)


def captions():
    ds = data.captions()
    cpu, wall, s = timed(models.OneToMany(ds.n_in, ds.n_out, cell="lstm"), ds, steps=400)
    yield ("captions", "OneToMany lstm, 400 steps", cpu, wall, f"exact {pct(s['exact'])}",
           ">= 90% exact", 6, s["exact"] >= 0.9)


def tagging():
    ds = data.tagging()
    ceiling = baselines.context_free_ceiling(ds)
    cpu, wall, s = timed(models.Tagger(ds.n_in, ds.n_out, cell="lstm"), ds, steps=600)
    yield ("tagging", "Tagger lstm, 600 steps", cpu, wall,
           f"{pct(s['accuracy'])}, ambiguous {pct(s['ambiguous'])} "
           f"(context-free {pct(ceiling)})", ">= 98%, ambiguous >= 95% (cf <= 60%)", 6,
           s["accuracy"] >= 0.98 and s["ambiguous"] >= 0.95 and ceiling <= 0.6)


def dates():
    ds = data.dates()
    cpu, wall, s = timed(models.Seq2Seq(ds.n_in, ds.n_out, cell="lstm"), ds, steps=800)
    yield ("dates", "Seq2Seq lstm, 800 steps", cpu, wall, f"exact {pct(s['exact'])}",
           ">= 90% exact", 10, s["exact"] >= 0.9)


def adding(T, runs, budget):
    ds = data.adding(T=T)
    for cell, steps in runs:
        model = models.ManyToOne(2, 1, cell=cell, embed=None)
        cpu, wall, s = timed(model, ds, steps=steps, lr=0.02)
        ok = s["mse"] > 0.1 if cell == "rnn" else s["mse"] < 0.01
        yield (f"adding T={T}", f"ManyToOne {cell}, {steps} steps lr 0.02", cpu, wall,
               f"mse {s['mse']:.4f} (mean: {s['baseline']:.3f})",
               "> 0.1" if cell == "rnn" else "< 0.01", budget, ok)


def echo():
    ds = data.echo(d=5)
    for k in (2, 5, 10, 20):
        model = models.Tagger(ds.n_in, ds.n_out, cell="lstm")
        cpu, wall, s = timed(model, ds, steps=250, tbptt=k)
        good = s["accuracy"] < 0.75 if k <= 5 else s["accuracy"] > 0.95
        yield ("echo d=5", f"Tagger lstm, tbptt k={k}, 250 steps", cpu, wall,
               f"accuracy {pct(s['accuracy'])} (chance 25%)",
               "< 75%" if k <= 5 else "> 95%", 6, good)


TASKS = {
    "one-to-one": one_to_one,
    "sentiment": sentiment,
    "captions": captions,
    "tagging": tagging,
    "dates": dates,
    "adding50": lambda: adding(50, [("lstm", 1000), ("gru", 600), ("rnn", 1000)], 8),
    "adding100": lambda: adding(100, [("lstm", 1500), ("gru", 800)], None),
    "echo": echo,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[2])
    parser.add_argument("--only", choices=sorted(TASKS), help="run one task")
    args = parser.parse_args()
    torch.set_num_threads(1)
    print("| task | model, settings | cpu s | wall s | score | target | budget | pass |")
    print("|---|---|---|---|---|---|---|---|")
    failures = 0
    for name, task in TASKS.items():
        if args.only and name != args.only:
            continue
        for row in task():
            task_name, model, cpu, wall, score, target, budget, ok = row
            in_time = budget is None or cpu <= budget
            failures += not (ok and in_time)
            verdict = "pass" if ok and in_time else ("FAIL (time)" if ok else "FAIL")
            budget_text = "report" if budget is None else f"<= {budget} s"
            print(f"| {task_name} | {model} | {cpu:.1f} | {wall:.1f} | {score} | {target} "
                  f"| {budget_text} | {verdict} |", flush=True)
    print(f"{failures} row(s) failed")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
