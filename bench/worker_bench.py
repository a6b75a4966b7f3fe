"""Pages while a plan is solved: the web server and a planning worker as separate processes, as deployed.

A city (400 sites, ~45,000 rooms, 10,000 people waiting) is written into a fresh SQLite database;
gunicorn (2 workers) serves it and `flask jobs worker` takes plans from the embedded queue. The
bench signs in as headquarters over HTTP and times a few pages when idle and while a
10,000-person plan is being solved, in two layouts of the 2 cores: sharing both, and one core
each (`taskset`, as web and worker machines would be apart). It also prints how long the plan
took, to size the workers a province needs.

    python -m bench.worker_bench [--time-limit 20] [--requests 30]
"""
from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("/", "/sites/", "/people/?q=1", "/transfers/plan")
SETUP = """
from flask_migrate import upgrade
from bench.generate import generate
from bench.live_planning_bench import load_scenario_into_db
from quarantine import create_app
from quarantine.extensions import db
from quarantine.models import Site, StaffMember
from datetime import date, timedelta
app = create_app()
with app.app_context():
    upgrade()
    print(load_scenario_into_db(generate("city", 1)))
    since = date.today() - timedelta(days=3)
    for site in db.session.query(Site).filter(Site.status == "ready"):
        for k in range(40):
            db.session.add(StaffMember(site_id=site.id, name=f"m{k}", work_group="health_observation",
                                       medical_role="doctor" if k % 2 else "nurse", on_duty_from=since))
    db.session.commit()
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "JOBS_IMMEDIATE")}
    env.update(FLASK_APP="wsgi.py", DATABASE_URL=f"sqlite:///{tmp / 'app.db'}", JOBS_DB=str(tmp / "jobs.db"),
               SECRET_KEY="bench", PYTHONPATH=str(ROOT), QUARANTINE_INSTANCE_PATH=str(tmp / "instance"))
    return env


def _cpu(cores: str | None) -> list[str]:
    return ["taskset", "-c", cores] if cores and shutil.which("taskset") else []


class Browser:
    """A signed-in headquarters user over real HTTP (cookies, CSRF token from the form)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[float, int]:
        started = time.perf_counter()
        with self.opener.open(self.base + path, timeout=60) as response:
            body = response.read()
        return time.perf_counter() - started, len(body)

    def sign_in(self, username: str, password: str) -> None:
        with self.opener.open(self.base + "/login", timeout=30) as response:
            page = response.read().decode()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"username": username, "password": password, "csrf_token": token}).encode()
        with self.opener.open(self.base + "/login", data=data, timeout=30) as response:
            assert "/login" not in response.geturl(), "sign-in failed"


def _times(browser: Browser, requests: int) -> dict[str, float]:
    out = {}
    for path in PAGES:
        samples = [browser.get(path)[0] for _ in range(requests)]
        out[path] = statistics.median(samples)
    return out


def _flask(env, *args) -> str:
    return subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, check=True, timeout=300).stdout


def measure(layout: str, web_cores: str | None, worker_cores: str | None, time_limit: float,
            requests: int) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="bench-worker-"))
    env = _env(tmp)
    subprocess.run([sys.executable, "-c", SETUP], cwd=ROOT, env={**env, "FLASK_APP": ""}, check=True, timeout=900,
                   capture_output=True)
    out = _flask(env, "users", "create", "bench-hq", "--role", "hq")
    password = out.strip().rsplit(" ", 1)[-1]
    port = _free_port()
    web = subprocess.Popen(_cpu(web_cores) + [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
                                              "--workers", "2", "--threads", "4", "wsgi:app"],
                           cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           start_new_session=True)
    worker = subprocess.Popen(_cpu(worker_cores) + [sys.executable, "-m", "flask", "jobs", "worker"],
                              cwd=ROOT, env={**env, "PLANNER_THREADS": "1" if worker_cores else "2"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        browser = Browser(base)
        browser.sign_in("bench-hq", password)
        _times(browser, 3)  # warm up
        idle = _times(browser, requests)
        codes = [f"B{i}" for i in range(1, 9)]
        run_id = _flask(env, "plan", "start", *sum((["--batch", c] for c in codes), []),
                        "--time-limit", str(time_limit)).strip().splitlines()[-1]
        while not _flask(env, "plan", "status", run_id).startswith("running"):
            time.sleep(0.3)
        started = time.perf_counter()
        during = _times(browser, requests)
        while not (status := _flask(env, "plan", "status", run_id)).startswith(("done", "failed")):
            time.sleep(0.5)
        plan_seconds = time.perf_counter() - started
    finally:
        for process in (web, worker):
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        shutil.rmtree(tmp, ignore_errors=True)
    return {"layout": layout, "idle": idle, "during": during, "plan_status": status.strip(), "plan_seconds": plan_seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    results = [measure("web and worker share 2 cores", None, None, args.time_limit, args.requests),
               measure("web on core 0, worker on core 1", "0", "1", args.time_limit, args.requests)]
    print(f"\nPages while a 10,000-person plan is solved (city preset, SQLite, gunicorn 2 workers, "
          f"{os.cpu_count()} cores), median of {args.requests} requests, seconds\n")
    print("| layout | page | idle | during the solve | ratio |")
    print("|---|---|---|---|---|")
    for r in results:
        for path in PAGES:
            idle, during = r["idle"][path], r["during"][path]
            print(f"| {r['layout']} | `{path}` | {idle:.3f} | {during:.3f} | {during / idle:.2f} |")
    for r in results:
        print(f"\n{r['layout']}: plan {r['plan_status']}, solved in {r['plan_seconds']:.1f} s after the worker took it")


if __name__ == "__main__":
    main()
