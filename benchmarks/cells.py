"""Time forward + backward of rnnbook.cells against torch autograd on the CPU.

For each cell (rnn, lstm, gru) and dtype (float64, float32) at T=50, B=32, D=H=64:
numpy ``unroll`` + ``unroll_backward`` against ``nn.RNN``/``nn.LSTM``/``nn.GRU`` forward +
``backward()`` on the same weights and inputs. Runs alternate (numpy, torch, numpy, ...) so
that a change in machine load hits both alike; the median of each is reported. Goal: a
numpy/torch ratio of at most 1.0 in every row (issue 17). Both use one thread (torch does in
the notebooks, see ``rnnbook.setup_notebook``) unless OPENBLAS_NUM_THREADS says otherwise.

    .venv/bin/python benchmarks/cells.py [--repeats N]

Takes about 9 s. Timings depend on the machine and its load; they are not tested.

The float32 LSTM row misses the goal (about 2x): torch runs that one as a fused kernel
(oneDNN's), while numpy makes some 20 small calls per step forward and 25 back. On the machine
this was written on, the matrix products alone (contiguous operands) took 2.2-2.3 ms of torch's
3.1 ms, and every elementwise call costs 0.5-3 us at these sizes (more on the strided views of
one gate block: one tanh over all four blocks made the row slower, 7.4 against 6.7 ms). The
last line times that row against torch with oneDNN turned off (torch's own step-by-step LSTM),
for comparison only: there numpy takes about 0.65 of torch's time.
"""

import argparse
import os
import time
import warnings

# One thread for numpy's BLAS and for torch, so that both get the same share of the machine
# (and a busy second core does not stall a two-thread BLAS). It must be set before numpy loads
# its BLAS; run with OPENBLAS_NUM_THREADS=2 to compare on two threads.
THREADS = int(os.environ.setdefault("OPENBLAS_NUM_THREADS", "1"))

# rnnbook first: it pins torch's and MKL's CPU code path (AVX2), read when torch loads, as the
# notebooks have it.
from rnnbook import cells  # noqa: E402, I001

import numpy as np  # noqa: E402
import torch  # noqa: E402

T, B, D, H = 50, 32, 64, 64
TORCH_MODULES = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}
DTYPES = {"float64": torch.float64, "float32": torch.float32}


def make_case(cell, dtype_name, seed=0):
    """A torch module and matching numpy arrays: (module, params, x, state0, dhs)."""
    torch.manual_seed(seed)
    module = TORCH_MODULES[cell](D, H).to(DTYPES[dtype_name])
    params = cells.params_from_torch(module, dtype=dtype_name)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((T, B, D)).astype(dtype_name)
    state0 = cells.zero_state(cell, B, H, dtype=dtype_name)
    dhs = rng.standard_normal((T, B, H)).astype(dtype_name)
    return module, params, x, state0, dhs


def numpy_run(cell, params, x, state0, dhs):
    _, _, caches = cells.unroll(cell, x, state0, params)
    return cells.unroll_backward(cell, dhs, caches)


def torch_run(module, x, dhs):
    module.zero_grad(set_to_none=True)
    x = x.detach().requires_grad_(True)
    hs, _ = module(x)  # zero initial state, as the numpy run
    hs.backward(dhs)
    return x.grad


def seconds(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def time_row(cell, dtype_name, repeats):
    """Median seconds (numpy, torch) of one forward + backward, runs alternating."""
    module, params, x, state0, dhs = make_case(cell, dtype_name)
    x_torch, dhs_torch = torch.from_numpy(x), torch.from_numpy(dhs)

    def run_numpy():
        return numpy_run(cell, params, x, state0, dhs)

    def run_torch():
        return torch_run(module, x_torch, dhs_torch)

    check_agreement(run_numpy()[0], run_torch().numpy(), dtype_name)
    for _ in range(3):  # warm-up: first calls allocate and load kernels
        run_numpy()
        run_torch()
    numpy_times, torch_times = [], []
    for _ in range(repeats):
        numpy_times.append(seconds(run_numpy))
        torch_times.append(seconds(run_torch))
    return float(np.median(numpy_times)), float(np.median(torch_times))


def check_agreement(dx_numpy, dx_torch, dtype_name):
    """Refuse to time two computations that do not compute the same thing."""
    tolerance = 1e-9 if dtype_name == "float64" else 1e-4
    error = np.max(np.abs(dx_numpy - dx_torch))
    if not error < tolerance:
        raise AssertionError(f"numpy and torch disagree on dx by {error:.2e}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=40)
    args = parser.parse_args()
    torch.set_num_threads(THREADS)
    print(f"forward + backward, T={T} B={B} D={D} H={H}, {THREADS} thread(s), "
          f"median of {args.repeats} alternating runs, torch CPU capability "
          f"{torch.backends.cpu.get_cpu_capability()}, load average {os.getloadavg()[0]:.1f}")
    print(f"{'cell':<6}{'dtype':<9}{'numpy ms':>10}{'torch ms':>10}{'ratio':>8}  goal <= 1.0")
    for dtype_name in DTYPES:
        for cell in cells.CELLS:
            t_numpy, t_torch = time_row(cell, dtype_name, args.repeats)
            ratio = t_numpy / t_torch
            verdict = "ok" if ratio <= 1.0 else "SLOWER"
            print(f"{cell:<6}{dtype_name:<9}{1e3 * t_numpy:>10.2f}{1e3 * t_torch:>10.2f}"
                  f"{ratio:>8.2f}  {verdict}")
    # For comparison, not the goal: torch's own step-by-step LSTM, without oneDNN's fused kernel.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # a note about Intel GPUs, on setting it
        with torch.backends.mkldnn.flags(enabled=False):
            t_numpy, t_torch = time_row("lstm", "float32", args.repeats)
    print(f"lstm float32 against torch without oneDNN (step by step): numpy {1e3 * t_numpy:.2f} "
          f"ms, torch {1e3 * t_torch:.2f} ms, ratio {t_numpy / t_torch:.2f}")


if __name__ == "__main__":
    main()
