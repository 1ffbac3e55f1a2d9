"""Clone to course: how long a new learner waits from `git clone` to the first notebook.

    python benchmarks/clone_to_course.py [--cold]

Clones this checkout (its committed HEAD) into a temporary folder and runs the real `make lab`
there, on a free port of 127.0.0.1 without opening a browser; the clock runs from the clone
until the URL `make lab` prints (with its token) for the first notebook answers 200. The server
is then stopped by its process id. Then `make` adds the test tools there, as `make test` does
first, and the script prints the size of the virtual environment for each.

By default pip's and uv's caches are the user's own (warm after one earlier install, as a
returning learner has them); ``--cold`` gives both empty temporary caches, as on a first
install. uv links files from its cache into .venv, so the sizes count files the cache holds
too. Takes one to four minutes; the machine's load changes the times, so the load is printed
beside them.
"""

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_WARM, LIMIT_COLD = 30, 180  # seconds, issue 17
URL = re.compile(r"http://127\.0\.0\.1:\d+/lab/tree/\S+\?token=\S+")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def du_mb(path):
    out = subprocess.run(["du", "-sk", str(path)], capture_output=True, text=True, check=True)
    return int(out.stdout.split()[0]) / 1024


def answers(url):
    try:
        return urllib.request.urlopen(url, timeout=5).status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def stop(process):
    """Stop `make lab` and the server it started (same process group), by process id."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def make_lab(clone, env, port, start, timeout):
    """Run `make lab` in ``clone``; return the seconds from ``start`` until the URL it printed
    answers 200, and that URL."""
    log = clone / "make-lab.log"
    found = []

    def read(stream):
        with open(log, "w") as f:
            for line in stream:
                f.write(line)
                f.flush()
                if not found and (m := URL.search(line)):
                    found.append(m.group(0))

    process = subprocess.Popen(
        ["make", "lab", f"LAB_ARGS=--no-browser --port {port}"], cwd=clone, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    reader = threading.Thread(target=read, args=(process.stdout,), daemon=True)
    reader.start()
    try:
        while time.perf_counter() - start < timeout:
            if process.poll() is not None:
                reader.join(5)
                raise SystemExit(f"make lab exited with {process.returncode}:\n{log.read_text()}")
            if found and answers(found[0]):
                return time.perf_counter() - start, found[0]
            time.sleep(0.2)
        raise SystemExit(f"the course did not answer in {timeout} s:\n{log.read_text()}")
    finally:
        t = time.perf_counter()
        stop(process)
        reader.join(5)
        print(f"(make lab stopped in {time.perf_counter() - t:.1f} s)", file=sys.stderr)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold", action="store_true", help="an empty pip cache")
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args(argv)

    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="rnnbook-clone-") as tmp:
        tmp = Path(tmp)
        clone = tmp / "rnnbook"
        env = {k: v for k, v in os.environ.items()
               if k not in ("PYTHONPATH", "VIRTUAL_ENV", "MAKEFLAGS", "MAKELEVEL")}
        env["JUPYTER_RUNTIME_DIR"] = str(tmp / "jupyter-runtime")  # leave no files behind
        if args.cold:
            env["PIP_CACHE_DIR"] = str(tmp / "pip-cache")
            env["UV_CACHE_DIR"] = str(tmp / "uv-cache")
        start = time.perf_counter()
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        cloned = time.perf_counter() - start
        course, url = make_lab(clone, env, free_port(), start, args.timeout)
        if answers(url):
            raise SystemExit(f"the server still answers after it was stopped: {url}")
        lab_mb = du_mb(clone / ".venv")
        t = time.perf_counter()
        subprocess.run(["make", ".venv/.installed-test"], cwd=clone, env=env, check=True,
                       stdout=subprocess.DEVNULL)
        test_extra = time.perf_counter() - t
        test_mb = du_mb(clone / ".venv")

    caches = "cold (empty pip and uv caches)" if args.cold else "warm (the user's)"
    goal = LIMIT_COLD if args.cold else GOAL_WARM
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"clone to course, commit {head}, caches {caches}, {os.cpu_count()} cores, "
          f"load average {load}")
    print(f"  git clone                          {cloned:6.1f} s")
    print(f"  clone -> first notebook answers    {course:6.1f} s   (goal <= {goal} s)")
    print(f"  then the test tools (make test)    {test_extra:6.1f} s more")
    print(f"  .venv for make lab                 {lab_mb:6.0f} MB")
    print(f"  .venv for make test                {test_mb:6.0f} MB")
    return 0 if course <= goal else 1


if __name__ == "__main__":
    sys.exit(main())
