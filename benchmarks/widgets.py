"""Time one update of every widget on the kernel side: control ``.value`` set -> output ready.

Setting a control's value runs its observer synchronously (compute, move the artists, render
the PNG, set the Image/HTML value), so the time of the assignment is the kernel's share of
one update; the browser's share (sending and painting) is not included. Each row sets one
control to many values spread over its range, in a seeded random order, and prints the
median, 95th percentile and maximum (e.g. the architecture chooser's first view of each
diagram, which draws it; later views reuse its PNG). Goal: median <= 50 ms and p95 <= 100 ms
on a 2-core laptop CPU; each Play button's interval (widgets.PLAY_INTERVAL_MS) must exceed
its row's p95.

    .venv/bin/python benchmarks/widgets.py [--updates N]

Takes about 40 s. Timings depend on the machine and its load; they are not tested.
"""

import argparse
import time

import numpy as np

from rnnbook import baselines, charlm, data, gradients, models, plots, widgets

SENTENCES = ("the film was not good , it was bad", "the film was not bad , it was good",
             "25 November 2026", "3 March 1999", "a very good film", "not very bad")


def seconds(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def seconds_per_update(control, values):
    """Seconds of each ``control.value = value``; values equal to the current one are skipped
    (they notify nothing, so there is no update to time)."""
    times = []
    for value in values:
        if value != control.value:
            times.append(seconds(lambda value=value: setattr(control, "value", value)))
    return times


def _steps(rng, n, low, high):
    return [int(i) for i in rng.integers(low, high + 1, size=n)]


def gradient_settings_values(rng, n):
    """(control name, value) pairs: each update changes one curve-defining control."""
    pairs = []
    for name in rng.choice(["cell", "rho", "T", "nonlinearity", "input_scale"], size=n):
        if name == "cell":
            value = str(rng.choice(["rnn", "lstm", "gru"]))
        elif name == "rho":
            value = round(float(rng.choice(np.arange(0.5, 1.501, 0.05))), 2)
        elif name == "T":
            value = int(rng.integers(5, 101))
        elif name == "nonlinearity":
            value = str(rng.choice(["tanh", "relu"]))
        else:
            value = float(10 ** round(rng.uniform(-3, 1), 1))
        pairs.append((str(name), value))
    return pairs


def rows(n, rng):
    """Yield (widget, control, Play interval or None, seconds per update)."""
    unroll = widgets.unroll_explorer()
    yield ("unroll_explorer", "t", widgets.PLAY_INTERVAL_MS["unroll"],
           seconds_per_update(unroll.controls["t"], _steps(rng, n, 1, 6)))

    gradient = widgets.gradient_decay_explorer(gradients.gradient_curves)
    yield ("gradient_decay_explorer", "steps_back", widgets.PLAY_INTERVAL_MS["gradient"],
           seconds_per_update(gradient.controls["steps_back"], _steps(rng, n, 1, 50)))
    times = []
    for name, value in gradient_settings_values(rng, n):
        times += seconds_per_update(gradient.controls[name], [value])
    yield "gradient_decay_explorer", "cell/rho/T/act/scale", None, times

    gates = widgets.gate_inspector()
    yield ("gate_inspector", "t", widgets.PLAY_INTERVAL_MS["gates"],
           seconds_per_update(gates.controls["t"], _steps(rng, n, 1, 20)))

    chooser = widgets.architecture_chooser()
    names = list(plots.ARCHITECTURES)
    yield ("architecture_chooser", "architecture", None,
           seconds_per_update(chooser.controls["architecture"],
                              [names[i] for i in rng.integers(0, 5, size=n)]))

    # The boxes' own overhead: the trained models' predict time is the models' to measure.
    box = widgets.live_model_box(str.upper, examples=list(SENTENCES))
    yield ("live_model_box (predict=str.upper)", "text", None,
           seconds_per_update(box.controls["text"],
                              [SENTENCES[i] for i in rng.integers(0, 6, size=n)]))

    pictures = np.random.default_rng(0).random((10, 12, 12, 3))
    images = widgets.image_model_box(pictures, lambda p: f"mean {p.mean():.2f}")
    yield ("image_model_box (predict=mean)", "index", None,
           seconds_per_update(images.controls["index"], _steps(rng, n, 0, 9)))

    sines = data.sines()
    test = data.whole_series(sines.test)
    predictors = baselines.window_predictors(data.whole_series(sines.train), test,
                                             noise=sines.info["noise"])
    window = widgets.sequence_window_explorer(test[:, 0], predictors)
    yield ("sequence_window_explorer", "start", widgets.PLAY_INTERVAL_MS["window"],
           seconds_per_update(window.controls["start"], _steps(rng, n, 0, 54)))
    times = []
    for name, value in zip(rng.choice(["width", "shuffle", "seed"], size=n),
                           rng.integers(0, 10, size=n), strict=True):
        value = {"width": int(value) + 1, "shuffle": bool(value % 2), "seed": int(value)}[name]
        times += seconds_per_update(window.controls[str(name)], [value])
    yield "sequence_window_explorer", "width/shuffle/seed", None, times

    # Notebook 07's explorer on an untrained model (the drawing costs the same), 06's unit
    # explorer on random activations over a text as long as the notebook's.
    copying = data.copying(max_len=16, n_train=50, n_per_length=2)
    model = models.AttentionSeq2Seq(copying.n_in, copying.n_out, hidden_size=32, embed=16,
                                    seed=0)
    inputs = ["impbtnr", "asapgfichhph", "rgokdjepjdidlipk", "hello", "abcdefghijklmnop"]
    attention = widgets.attention_explorer(model, copying, inputs)
    yield ("attention_explorer", "example", None,
           seconds_per_update(attention.controls["example"],
                              [inputs[i] for i in rng.integers(0, 5, size=n)]))
    t = attention.controls["t"]
    yield ("attention_explorer", "t", widgets.PLAY_INTERVAL_MS["attention"],
           seconds_per_update(t, _steps(rng, n, 1, t.max)))

    # Generate samples 300 characters, as in notebook 06; an untrained model of the notebook's
    # size takes the time a trained one does. Timed from a new seed (same settings, same text).
    corpus = charlm.load_corpus()
    model = charlm.CharModel(corpus.vocab.size, hidden_size=256, embed_size=32, seed=0)
    sampler = widgets.sampler_box(model, corpus.vocab, prompt="class ", length=300)
    times = []
    for seed in rng.integers(0, 21, size=n):
        if seed != sampler.controls["seed"].value:
            sampler.controls["seed"].value = int(seed)
            times.append(seconds(sampler.generate_button.click))
    yield ("sampler (300 characters)", "Generate", None, times)

    text = "".join(rng.choice(list("def f(x):\n    return [x, 'y']  # z\n"), size=20_000))
    activations = rng.normal(size=(len(text), 64))
    units = widgets.unit_explorer(text, activations, rng.uniform(-1, 1, size=(5, 64)))
    features = list(units.controls["feature"].options)
    yield ("unit_explorer", "feature", None,
           seconds_per_update(units.controls["feature"],
                              [features[i][1] for i in rng.integers(0, 5, size=n)]))
    yield ("unit_explorer", "unit", None,
           seconds_per_update(units.controls["unit"], _steps(rng, n, 0, 63)))
    yield ("unit_explorer", "start", None,
           seconds_per_update(units.controls["start"],
                              [50 * i for i in rng.integers(0, 390, size=n)]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=100, help="updates per row")
    args = parser.parse_args()
    plots.use_style()
    rng = np.random.default_rng(0)
    print(f"{'widget':36} {'control':22} {'updates':>7} {'median ms':>9} {'p95 ms':>7} "
          f"{'max ms':>7} {'Play ms':>7}")
    ok = True
    for widget, control, interval, times in rows(args.updates, rng):
        ms = 1000 * np.asarray(times)
        median, p95 = np.median(ms), np.percentile(ms, 95)
        play = "" if interval is None else f"{interval:7d}"
        print(f"{widget:36} {control:22} {len(ms):7d} {median:9.1f} {p95:7.1f} "
              f"{ms.max():7.1f} {play:>7}")
        ok &= median <= 50 and p95 <= 100 and (interval is None or interval > p95)
    print("goal (median <= 50 ms, p95 <= 100 ms, Play interval > p95):",
          "met" if ok else "NOT met")


if __name__ == "__main__":
    main()
