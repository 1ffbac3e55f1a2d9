"""rnnbook's JupyterHub for one host: ``jupyterhub -f classroom/jupyterhub_config.py``.

Run it from .venv-classroom (``make classroom-env``), which holds JupyterHub, the proxy and
the idle culler beside rnnbook. docs/classroom.md says how a real class runs it; the load test
(classroom/loadtest.py, ``make classroom-test``) starts exactly this file, with settings given
through the RNNBOOK_HUB_* variables below.

As it stands it is the test's hub: one shared password (``SharedPasswordAuthenticator``) and
``SimpleLocalProcessSpawner`` (every student is a process of the hub's own user, no isolation,
no memory limit enforced). A real class changes two lines, as the comments below say:
- authenticator: an LTI 1.3 one (``ltiauthenticator``) from the learning platform, or an OAuth
  one (``oauthenticator``: GitHub, Google, Azure AD, a university's generic OAuth2/OIDC);
- spawner: ``systemdspawner`` (one systemd unit per student, memory and CPU limits enforced,
  dynamic users; what The Littlest JupyterHub uses) or ``dockerspawner`` (one container each).

Every student's server opens 00_start_here.ipynb in ~/rnnbook-course, their own copy of the
course, made on first login and never overwritten: at each start the hub only copies the
notebooks the student does not have yet (as ``make lab`` does for workspace/), so a course
updated on the host (git pull) brings new notebooks; a changed one reaches a student who deletes
or renames their copy (the next start copies it again).
"""

import os
import shutil
import sys
from pathlib import Path

from rnnbook import lab

c = get_config()  # noqa: F821 - JupyterHub's config loader provides get_config

BIN = Path(sys.executable).parent  # .venv-classroom/bin: hub, singleuser, culler
STATE = Path(os.environ.get("RNNBOOK_HUB_STATE", Path.cwd())).resolve()  # db, secret, homes
STATE.mkdir(parents=True, exist_ok=True)
COURSE = lab.NOTEBOOKS  # the course's notebooks, the originals every student copies

# Measured (docs/classroom.md): one student's server + kernel running notebook 02 and its
# widget peaks at about 0.5 GB RSS (0.36-0.48 GB PSS); a kernel running 03's or 05's training
# alone at 0.46 GB RSS. Only the systemd, Docker and Kubernetes spawners enforce these.
MEM_GUARANTEE, MEM_LIMIT, CPU_LIMIT = "512M", "1G", 1.0
IDLE_TIMEOUT = int(os.environ.get("RNNBOOK_HUB_IDLE_TIMEOUT", 3600))  # seconds before culling

# -- network: everything on 127.0.0.1; a real class puts nginx or Caddy (TLS) in front
c.JupyterHub.ip = os.environ.get("RNNBOOK_HUB_IP", "127.0.0.1")
c.JupyterHub.port = int(os.environ.get("RNNBOOK_HUB_PORT", 8000))
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ.get("RNNBOOK_HUB_API_PORT", 8081))
c.ConfigurableHTTPProxy.api_url = \
    f"http://127.0.0.1:{int(os.environ.get('RNNBOOK_PROXY_API_PORT', 8001))}"
# The proxy: npm's configurable-http-proxy (JupyterHub's own), installed into
# .venv-classroom/proxy by `make classroom-env` from classroom/package-lock.json.
c.ConfigurableHTTPProxy.command = [
    str(Path(sys.prefix) / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy")]
c.ConfigurableHTTPProxy.pid_file = str(STATE / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")

# -- who may log in. Real class: c.JupyterHub.authenticator_class = "ltiauthenticator.lti13..."
# or "github" / "generic-oauth" (oauthenticator), with an allowed group instead of allow_all.
c.JupyterHub.authenticator_class = "shared-password"
password = os.environ.get("RNNBOOK_HUB_PASSWORD", "")
if len(password) < 8:
    raise SystemExit("RNNBOOK_HUB_PASSWORD: expected a shared password of 8 characters or more")
c.SharedPasswordAuthenticator.user_password = password
c.Authenticator.allow_all = True  # JupyterHub >= 5 lets nobody in otherwise
services, roles = [], []
if os.environ.get("RNNBOOK_HUB_ADMIN_TOKEN"):  # the load test's own service (admin of users)
    services.append({"name": "loadtest", "api_token": os.environ["RNNBOOK_HUB_ADMIN_TOKEN"]})
    roles.append({"name": "loadtest", "services": ["loadtest"],
                  "scopes": ["admin:users", "admin:servers", "tokens"]})

# -- each student's server. Real host: c.JupyterHub.spawner_class = "systemd" (or "docker").
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = str(STATE / "home" / "{username}")
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]  # an absolute path: no PATH lookups
if hasattr(os, "geteuid") and os.geteuid() == 0:
    c.Spawner.args = ["--allow-root"]  # the simple spawner runs students as the hub's user
# Not ~/rnnbook: a kernel started there would import that folder instead of the package.
c.Spawner.notebook_dir = "~/rnnbook-course"
c.Spawner.default_url = f"/lab/tree/{lab.START}"
c.Spawner.start_timeout = c.Spawner.http_timeout = 180  # a room spawning at once is slow
# One torch/BLAS thread per kernel: a room of kernels each starting one thread per core would
# fight over the cores (setup_notebook sets torch to one thread as well).
c.Spawner.environment = {name: "1" for name in (
    "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS")}
c.Spawner.mem_guarantee, c.Spawner.mem_limit = MEM_GUARANTEE, MEM_LIMIT
c.Spawner.cpu_limit = CPU_LIMIT


def copy_course(spawner):
    """Give the student their own copy of the course, adding only what they do not have yet."""
    home = Path(getattr(spawner, "home_dir", "") or os.path.expanduser(f"~{spawner.user.name}"))
    folder = home / "rnnbook-course"
    copied = lab.copy_missing(COURSE, folder)
    spawner.log.info("%s: copied %d notebooks", spawner.user.name, len(copied))
    owner = home.stat()
    if os.geteuid() != owner.st_uid:  # a real user's home: the copies are theirs
        for path in [folder, *(folder / name for name in copied)]:
            shutil.chown(path, owner.st_uid, owner.st_gid)


c.Spawner.pre_spawn_hook = copy_course

# -- idle culling: a server with no activity for IDLE_TIMEOUT seconds is stopped (the copy
# stays on disk); the hub runs the culler as a service with just the rights it needs.
c.JupyterHub.services = [*services, {
    "name": "idle-culler",
    "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={IDLE_TIMEOUT}"],
}]
c.JupyterHub.load_roles = [*roles, {
    "name": "idle-culler", "services": ["idle-culler"],
    "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
}]
