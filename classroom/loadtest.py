"""A class at once, on this host: the hub load test of ``make classroom-test``.

    .venv-classroom/bin/python classroom/loadtest.py --students 10

Starts JupyterHub with classroom/jupyterhub_config.py (the real proxy, the real spawner
config) on free ports of 127.0.0.1, in a temporary folder that holds its database, cookie
secret and the students' homes. The login form lets a student in with the shared password and
not with another. One student first works alone (the baseline); then N students at once: each
is created, gets a token, asks for their server at the same moment as the others (201, or 202
and the progress stream), checks that it opens 00_start_here.ipynb in their own copy of the
course, opens their copy of the notebook over the contents API, runs every code cell of it in
a fresh kernel over the kernel's websocket, and moves a slider of the notebook's explorer
widget through its comm (an ``update`` message), waiting for the new picture (an Image update
carrying a PNG that differs from the last one).
Memory is sampled every half second from /proc/<pid>/smaps_rollup (RSS and PSS) for each
student's server and kernel, and for the hub.

Bounded: every wait has a deadline, the whole run a budget. Leaves nothing behind: every
process the run starts is found in the hub's process tree, stopped by its PID, and checked
gone at the end. Exit status 1 on any failure; the figures are printed last.
"""

import argparse
import http.cookiejar
import json
import os
import re
import secrets
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import websocket  # websocket-client

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "jupyterhub_config.py"
BIN = Path(sys.executable).parent
NOTEBOOK = "02_hidden_state_loop.ipynb"
START = "00_start_here.ipynb"
COURSE = sorted(p.name for p in (HERE.parent / "notebooks").glob("*.ipynb"))
WIDGET_CELL = "unroll_explorer("  # the cell whose explorer the test drives
SLIDERS = ("IntSliderModel", "FloatSliderModel")


class Failure(Exception):
    """One student's run went wrong: the message says where."""


# ------------------------------------------------------------------------------ processes


def free_ports(n):
    """n distinct free TCP ports of 127.0.0.1 (bound, read, released)."""
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def children():
    """{ppid: [pid, ...]} of every process now alive."""
    tree = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def descendants(pid):
    """Every live process below ``pid``, depth first."""
    tree, found, todo = children(), [], [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def started_at(pid):
    """When the process ``pid`` started (clock ticks since boot), or None if it is gone.

    A PID with its start time names one process for good: the PID alone may be reused by
    another process (another developer's, on a shared machine) once ours has ended.
    """
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] == "Z" else int(fields[19])


def alive(process):
    """True while the process (pid, start time) still runs."""
    pid, start = process
    return started_at(pid) == start


def memory(pid):
    """(RSS, PSS) in bytes of one process, from smaps_rollup; (0, 0) if it is gone."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0, 0
    fields = {line.split(":")[0]: int(line.split()[1]) * 1024
              for line in text.splitlines()[1:] if line.endswith("kB")}
    return fields.get("Rss", 0), fields.get("Pss", 0)


def student_of(pid):
    """The JUPYTERHUB_USER a server or kernel process runs for, or None."""
    try:
        env = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return None
    for item in env:
        if item.startswith(b"JUPYTERHUB_USER="):
            return item.split(b"=", 1)[1].decode()
    return None


class Sampler(threading.Thread):
    """Samples memory of the hub and of each student's processes; remembers every PID seen."""

    def __init__(self, hub_pid, period=0.5):
        super().__init__(daemon=True)
        self.hub_pid, self.period = hub_pid, period
        self.peak = {}  # student -> (RSS, PSS): the peak of the sum over their processes
        self.hub_peak = (0, 0)
        self.seen = set()  # (pid, start time) of every process seen below the hub
        self.halt = threading.Event()

    def sample(self):
        pids = descendants(self.hub_pid)
        self.remember(pids)
        totals = {}
        for pid in pids:
            who = student_of(pid)
            if who:
                rss, pss = memory(pid)
                old = totals.get(who, (0, 0))
                totals[who] = (old[0] + rss, old[1] + pss)
        for who, (rss, pss) in totals.items():
            old = self.peak.get(who, (0, 0))
            self.peak[who] = (max(old[0], rss), max(old[1], pss))
        rss, pss = memory(self.hub_pid)
        self.hub_peak = (max(self.hub_peak[0], rss), max(self.hub_peak[1], pss))

    def remember(self, pids):
        self.seen.update((pid, start) for pid in pids if (start := started_at(pid)) is not None)

    def run(self):
        while not self.halt.wait(self.period):
            self.sample()


# ------------------------------------------------------------------------------- the hub


class Hub:
    """The hub, started from classroom/jupyterhub_config.py in ``folder``."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.port, api_port, proxy_api = free_ports(3)
        self.url = f"http://127.0.0.1:{self.port}"
        self.admin = secrets.token_hex(24)
        self.password = secrets.token_urlsafe(12)
        env = {**os.environ, "RNNBOOK_HUB_STATE": str(self.folder),
               "RNNBOOK_HUB_PORT": str(self.port), "RNNBOOK_HUB_API_PORT": str(api_port),
               "RNNBOOK_PROXY_API_PORT": str(proxy_api),
               "RNNBOOK_HUB_PASSWORD": self.password,
               "RNNBOOK_HUB_ADMIN_TOKEN": self.admin}
        self.log = open(self.folder / "jupyterhub.log", "wb")
        self.process = subprocess.Popen(
            [str(BIN / "jupyterhub"), "-f", str(CONFIG)], cwd=self.folder, env=env,
            stdout=self.log, stderr=self.log)

    def api(self, method, path, token=None, body=None, timeout=60):
        """(status, parsed JSON or None) of one request to the hub or a user's server."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method, headers={
            "Authorization": f"token {token or self.admin}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as reply:
                text = reply.read()
                return reply.status, json.loads(text) if text.strip() else None
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")[:300]

    def login(self, name, password):
        """Log in through the login form, as a browser does; True if the hub let them in."""
        jar = http.cookiejar.CookieJar()

        class Stay(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None  # a redirect after the form is the answer itself

        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), Stay)
        with opener.open(f"{self.url}/hub/login", timeout=60) as page:
            xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page.read().decode()).group(1)
        form = urllib.parse.urlencode({"username": name, "password": password, "_xsrf": xsrf})
        try:
            with opener.open(f"{self.url}/hub/login", data=form.encode(), timeout=60) as reply:
                return reply.status == 302
        except urllib.error.HTTPError as error:
            return error.code == 302

    def wait_ready(self, deadline):
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise Failure(f"the hub exited with {self.process.returncode}: see its log")
            try:
                if self.api("GET", "/hub/api/", timeout=5)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise Failure("the hub did not answer in time")

    def stop(self, processes, grace=20):
        """Stop the hub by its PID, then every process of ``processes`` still alive, by its PID.

        processes: (pid, start time) pairs, so that a reused PID is never signalled.
        """
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # the hub stops its proxy and services
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        leftovers = []
        for sig in (signal.SIGTERM, signal.SIGKILL):
            leftovers = [p for p in sorted(processes) if alive(p)]
            for pid, _ in leftovers:
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
            end = time.monotonic() + grace / 2
            while any(alive(p) for p in leftovers) and time.monotonic() < end:
                time.sleep(0.2)
        return [pid for pid, start in sorted(processes) if alive((pid, start))], leftovers


# ------------------------------------------------------------------------------ a student


def deserialize(frame):
    """A kernel message from one websocket frame (binary frames carry the buffers)."""
    if isinstance(frame, str):
        return json.loads(frame), []
    nbufs = struct.unpack("!I", frame[:4])[0]
    offsets = [*struct.unpack(f"!{nbufs}I", frame[4:4 + 4 * nbufs]), len(frame)]
    msg = json.loads(frame[offsets[0]:offsets[1]])
    return msg, [frame[offsets[i]:offsets[i + 1]] for i in range(1, nbufs)]


class Kernel:
    """A fresh kernel of a student's server, driven over its websocket channels."""

    def __init__(self, hub, name, token, deadline):
        self.hub, self.name, self.token, self.deadline = hub, name, token, deadline
        status, model = hub.api("POST", f"/user/{name}/api/kernels", token, {"name": "python3"})
        if status != 201:
            raise Failure(f"starting a kernel answered {status}: {model}")
        self.id, self.session = model["id"], uuid.uuid4().hex
        url = hub.url.replace("http", "ws") + f"/user/{name}/api/kernels/{self.id}/channels"
        self.ws = websocket.create_connection(
            f"{url}?session_id={self.session}", header=[f"Authorization: token {token}"],
            timeout=30)
        self.comms = {}  # comm id -> {"model": name, "state": {...}, "png": bytes or None}

    def send(self, msg_type, content, channel="shell"):
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": msg_type, "session": self.session,
                       "username": self.name, "version": "5.3",
                       "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
            "parent_header": {}, "metadata": {}, "content": content, "channel": channel}))
        return msg_id

    def receive(self):
        """The next message; keeps track of the widgets' comms and their pictures."""
        self.ws.settimeout(max(1.0, self.deadline - time.monotonic()))
        if time.monotonic() > self.deadline:
            raise Failure("out of time")
        msg, buffers = deserialize(self.ws.recv())
        kind, content = msg["header"]["msg_type"], msg.get("content", {})
        if kind == "comm_open":
            state = content.get("data", {}).get("state", {})
            self.comms[content["comm_id"]] = {"model": state.get("_model_name"),
                                              "state": state, "png": None}
        if kind in ("comm_open", "comm_msg") and content.get("comm_id") in self.comms:
            comm, data = self.comms[content["comm_id"]], content.get("data", {})
            comm["state"].update(data.get("state", {}))
            paths = data.get("buffer_paths", [])
            if ["value"] in paths and comm["model"] == "ImageModel":
                comm["png"] = buffers[paths.index(["value"])]
        return msg

    def execute(self, code):
        """Run one cell; return the comm ids it opened. Raises Failure if the cell errs."""
        before = set(self.comms)
        msg_id = self.send("execute_request", {
            "code": code, "silent": False, "store_history": True, "user_expressions": {},
            "allow_stdin": False, "stop_on_error": True})
        reply = idle = None
        while reply is None or idle is None:
            msg = self.receive()
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if msg["header"]["msg_type"] == "execute_reply":
                reply = msg["content"]
            elif msg["header"]["msg_type"] == "status" and \
                    msg["content"]["execution_state"] == "idle":
                idle = True
        if reply["status"] != "ok":
            raise Failure(f"a cell raised {reply.get('ename')}: {reply.get('evalue')}\n{code}")
        return [c for c in self.comms if c not in before]

    def move_slider(self, opened):
        """Move the first slider among the comms ``opened``; wait for a new picture."""
        sliders = [c for c in opened if self.comms[c]["model"] in SLIDERS]
        images = [c for c in opened if self.comms[c]["model"] == "ImageModel"]
        if not sliders or not images:
            raise Failure(f"the widget cell opened no slider and image: "
                          f"{sorted(self.comms[c]['model'] for c in opened)}")
        slider, state = sliders[0], self.comms[sliders[0]]["state"]
        old = {c: self.comms[c]["png"] for c in images}
        value = state["min"] if state["value"] != state["min"] else state["max"]
        self.send("comm_msg", {"comm_id": slider, "data": {
            "method": "update", "state": {"value": value}, "buffer_paths": []}})
        while True:  # until a picture changes (receive() raises when out of time)
            self.receive()
            if any(self.comms[c]["png"] not in (None, old[c]) for c in images):
                png = next(self.comms[c]["png"] for c in images if self.comms[c]["png"] != old[c])
                if not png.startswith(b"\x89PNG"):
                    raise Failure("the explorer's new picture is not a PNG")
                return

    def close(self):
        self.ws.close()
        self.hub.api("DELETE", f"/user/{self.name}/api/kernels/{self.id}", self.token)


def spawn(hub, name, token, deadline):
    """Ask for the student's server; return when the hub says it is ready."""
    status, body = hub.api("POST", f"/hub/api/users/{name}/server", token)
    if status == 201:
        return
    if status != 202:
        raise Failure(f"spawn answered {status}: {body}")
    request = urllib.request.Request(f"{hub.url}/hub/api/users/{name}/server/progress",
                                     headers={"Authorization": f"token {token}"})
    timeout = max(1.0, deadline - time.monotonic())
    with urllib.request.urlopen(request, timeout=timeout) as stream:
        for line in stream:
            if line.startswith(b"data:"):
                event = json.loads(line[5:])
                if event.get("ready"):
                    return
                if event.get("failed"):
                    raise Failure(f"spawn failed: {event.get('message')}")
            if time.monotonic() > deadline:
                break
    raise Failure("the server was not ready in time")


def check_first_page(hub, name, token):
    """The server opens 00_start_here.ipynb, in the student's own copy of the whole course."""

    class Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(f"{hub.url}/user/{name}/",
                                     headers={"Authorization": f"token {token}"})
    try:
        urllib.request.build_opener(Stay).open(request, timeout=60)
        location = None
    except urllib.error.HTTPError as error:
        location = error.headers.get("Location")
    if urllib.parse.urlsplit(location or "").path != f"/user/{name}/lab/tree/{START}":
        raise Failure(f"the student's server opens {location}, not {START}")
    status, listing = hub.api("GET", f"/user/{name}/api/contents", token)
    names = sorted(item["name"] for item in listing["content"]
                   if item["name"].endswith(".ipynb")) if status == 200 else listing
    if names != COURSE:
        raise Failure(f"the student's folder holds {names}, not the course's {COURSE}")


def student(hub, name, start, deadline):
    """One student's session; returns its timings in seconds."""
    status, body = hub.api("POST", f"/hub/api/users/{name}")
    if status != 201:
        raise Failure(f"creating the user answered {status}: {body}")
    status, body = hub.api("POST", f"/hub/api/users/{name}/tokens", body={
        "note": "loadtest", "expires_in": 3600})
    if status != 201:
        raise Failure(f"a token answered {status}: {body}")
    token = body["token"]
    start.wait()
    t0 = time.monotonic()
    spawn(hub, name, token, deadline)
    ready = time.monotonic() - t0
    check_first_page(hub, name, token)
    status, model = hub.api("GET", f"/user/{name}/api/contents/{NOTEBOOK}", token)
    if status != 200:
        raise Failure(f"the student's copy of {NOTEBOOK} answered {status}: {model}")
    code = [c["source"] for c in model["content"]["cells"] if c["cell_type"] == "code"]
    kernel = Kernel(hub, name, token, deadline)
    try:
        t_run = time.monotonic()
        first, widget_cell = None, None
        for source in code:
            opened = kernel.execute(source)
            first = first or time.monotonic() - t0
            if WIDGET_CELL in source:
                widget_cell = opened
        run_all = time.monotonic() - t_run
        if widget_cell is None:
            raise Failure(f"no cell of {NOTEBOOK} calls {WIDGET_CELL}")
        kernel.move_slider(widget_cell)
        widget = time.monotonic() - t_run - run_all
    finally:
        kernel.close()
    status, body = hub.api("DELETE", f"/hub/api/users/{name}/server", token)
    if status not in (202, 204):
        raise Failure(f"stopping the server answered {status}: {body}")
    return {"ready": ready, "first": first, "run_all": run_all, "widget": widget,
            "cells": len(code)}


def room(hub, names, budget):
    """Run the students of ``names`` at once; return ({name: timings}, {name: error})."""
    start, results, errors = threading.Barrier(len(names)), {}, {}
    deadline = time.monotonic() + budget

    def one(name):
        try:
            results[name] = student(hub, name, start, deadline)
        except Exception as error:  # noqa: BLE001 - every failure is counted and reported
            errors[name] = f"{type(error).__name__}: {error}"
            start.abort()

    threads = [threading.Thread(target=one, args=(n,), daemon=True) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()) + 30)
    for n in names:
        if n not in results and n not in errors:
            errors[n] = "did not finish within the budget"
    return results, errors


# ------------------------------------------------------------------------------- the run


def percentile(values, q):
    """The q-th percentile (0-100), by linear interpolation between the sorted values."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def run(students, budget):
    """The whole test; returns (the figures' lines, failures)."""
    with tempfile.TemporaryDirectory(prefix="rnnbook-hub-") as folder:
        hub = Hub(folder)
        sampler = Sampler(hub.process.pid)
        failures, lines, alone, results = [], [], {}, {}
        try:
            hub.wait_ready(time.monotonic() + 60)
            sampler.start()
            if hub.login("visitor", "not the password"):
                failures.append("login: the hub let a wrong password in")
            if not hub.login("visitor", hub.password):
                failures.append("login: the shared password did not let a student in")
            alone, errors = room(hub, ["solo"], budget / 3)
            failures += [f"solo: {e}" for e in errors.values()]
            names = [f"student{k:03d}" for k in range(students)]
            results, errors = room(hub, names, budget) if not failures else ({}, {})
            failures += [f"{n}: {e}" for n, e in sorted(errors.items())]
            time.sleep(1.0)
        except Failure as error:
            failures.append(f"hub: {error}")
        finally:
            sampler.halt.set()
            if sampler.is_alive():
                sampler.join()
            sampler.remember(descendants(hub.process.pid))
            started = {pid for pid, _ in sampler.seen} | {hub.process.pid}
            survivors, killed = hub.stop(sampler.seen)
        if failures:
            log = (Path(folder) / "jupyterhub.log").read_text(errors="replace")
            print("--- the hub's log (last 40 lines)\n" + "\n".join(log.splitlines()[-40:]))
    if survivors:
        failures.append(f"processes still alive after the run: {survivors}")
    if results:
        mb = 1024 * 1024
        per = [sampler.peak.get(n, (0, 0)) for n in results]
        pss, rss = [p[1] / mb for p in per], [p[0] / mb for p in per]
        col = {key: [r[key] for r in results.values()] for key in next(iter(results.values()))}
        solo = alone["solo"]
        lines += [
            f"hub load test: {students} students at once, {NOTEBOOK} ({solo['cells']} code cells) "
            f"in a fresh kernel each, one widget moved through its comm",
            f"  failures: {len(failures)}",
            f"  spawn -> ready         p50 {percentile(col['ready'], 50):5.1f} s   "
            f"p95 {percentile(col['ready'], 95):5.1f} s   (alone {solo['ready']:.1f} s)",
            f"  first cell done        p50 {percentile(col['first'], 50):5.1f} s   "
            f"p95 {percentile(col['first'], 95):5.1f} s   (from the spawn request)",
            f"  Run-All per student    p50 {percentile(col['run_all'], 50):5.1f} s   "
            f"p95 {percentile(col['run_all'], 95):5.1f} s   (alone {solo['run_all']:.1f} s)",
            f"  slider -> new picture  p50 {percentile(col['widget'], 50):5.2f} s   "
            f"p95 {percentile(col['widget'], 95):5.2f} s   (alone {solo['widget']:.2f} s)",
            f"  peak memory / student  PSS p50 {percentile(pss, 50):4.0f} MB"
            f"  max {max(pss):4.0f} MB;  RSS p50 {percentile(rss, 50):4.0f} MB"
            f"  max {max(rss):4.0f} MB"
            f"  (server + kernel; alone PSS {sampler.peak.get('solo', (0, 0))[1] / mb:.0f} MB)",
            "  login form             the shared password lets a student in, a wrong one not",
            f"  hub                    PSS {sampler.hub_peak[1] / mb:4.0f} MB   RSS "
            f"{sampler.hub_peak[0] / mb:4.0f} MB",
            f"  processes started {len(started)}, alive after the run {len(survivors)}"
            f" (stopped by PID after the hub: {len(killed)})",
        ]
    return lines, failures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=10)
    parser.add_argument("--budget", type=float, default=600, help="seconds for the whole room")
    args = parser.parse_args(argv)
    if not 1 <= args.students <= 300:
        raise SystemExit(f"--students: expected 1 .. 300, got {args.students}")
    lines, failures = run(args.students, args.budget)
    for failure in failures:
        print("FAILED", failure)
    print("\n".join(lines))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
