"""Hostile roster uploads against the real server, as production runs it (gunicorn), under a memory ceiling.

The server process gets RLIMIT_AS of 1 GiB (address space, so threads' reserved stacks and arenas count
too). Each hostile workbook must be refused with a message that says what is wrong, and the same
worker must go on serving: before the limits, a 5 KB file with one far-away cell aborted the
process and a 555 KB file with a 5-million-cell header row took 4.5 GB.
"""
from __future__ import annotations

import http.cookiejar
import os
import re
import resource
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.roster.builders import (
    hostile_far_cell,
    hostile_shared_strings,
    hostile_wide_header,
    hostile_zip_bomb,
    rid,
    xlsx,
)

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
MEMORY_LIMIT = 1 << 30


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not (BIN / "gunicorn").exists():
        pytest.skip("gunicorn is not installed in this environment")
    tmp = tmp_path_factory.mktemp("server")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp / 'server.db'}", "SECRET_KEY": "hostile-test",
           "QUARANTINE_INSTANCE_PATH": str(tmp / "instance"), "FLASK_APP": "wsgi.py", "MALLOC_ARENA_MAX": "2"}
    env.pop("TEST_DATABASE_URL", None)
    flask = [str(BIN / "flask")]
    subprocess.run(flask + ["db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    created = subprocess.run(flask + ["users", "create", "night-hq", "--role", "hq"], cwd=ROOT, env=env, check=True,
                             capture_output=True, text=True).stdout
    password = created.rsplit(": ", 1)[1].strip()
    with sqlite3.connect(tmp / "server.db") as conn:
        conn.execute("INSERT INTO transfer_batches (code, origin, status, notes, created_at) "
                     "VALUES ('TK-X', 'Taikang', 'announced', '', '2026-01-01 00:00:00')")
    port = _free_port()
    log = open(tmp / "gunicorn.log", "w")
    process = subprocess.Popen([str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "2",
                                "--timeout", "120", "wsgi:app"], cwd=ROOT, env=env, stdout=log, stderr=log,
                               preexec_fn=_limit_memory)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/login", timeout=2)
            break
        except OSError:
            if process.poll() is not None:
                pytest.fail("the server did not start: " + (tmp / "gunicorn.log").read_text()[-2000:])
            time.sleep(0.3)
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    opener.addheaders = [("Accept-Language", "en")]
    login_page = opener.open(base + "/login").read().decode()
    _post(opener, base + "/login", {"csrf_token": _csrf(login_page), "username": "night-hq", "password": password})
    yield base, opener, process, tmp
    process.terminate()
    process.wait(30)
    log.close()


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def _post(opener, url: str, fields: dict[str, str], file: tuple[str, bytes] | None = None):
    if file is None:
        return opener.open(url, urllib.parse.urlencode(fields).encode(), timeout=120)
    boundary = uuid.uuid4().hex
    parts = [b'--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (boundary.encode(), k.encode(), v.encode())
             for k, v in fields.items()]
    parts.append(b'--%s\r\nContent-Disposition: form-data; name="file"; filename="%s"\r\n'
                 b"Content-Type: application/octet-stream\r\n\r\n" % (boundary.encode(), file[0].encode()) + file[1] + b"\r\n")
    body = b"".join(parts) + b"--%s--\r\n" % boundary.encode()
    request = urllib.request.Request(url, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    return opener.open(request, timeout=120)


def _worker_pids(process) -> set[str]:
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    return set(children.read_text().split()) if children.exists() else set()


HOSTILE = [
    ("far-cell", hostile_far_cell, "has cells down to row 1048576"),
    ("5-million-cell-header", hostile_wide_header, "is larger than 64 MB once unpacked"),
    ("huge-shared-strings", hostile_shared_strings, "holds more text than a roster can"),
    ("zip-bomb", hostile_zip_bomb, "is larger than 64 MB once unpacked"),
]


@pytest.mark.parametrize(("make", "fragment"), [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE])
def test_hostile_upload_is_refused_and_the_server_stays_up(server, make, fragment):
    base, opener, process, _tmp = server
    workers = _worker_pids(process)
    assert workers, "the gunicorn worker is not visible under /proc"
    limits = Path(f"/proc/{next(iter(workers))}/limits").read_text()
    assert re.search(r"Max address space\s+%d\s+%d" % (MEMORY_LIMIT, MEMORY_LIMIT), limits)
    form = opener.open(base + "/transfers/1/roster").read().decode()
    data = make()
    start = time.monotonic()
    page = _post(opener, base + "/transfers/1/roster", {"csrf_token": _csrf(form)}, ("roster.xlsx", data)).read().decode()
    assert time.monotonic() - start < 30
    assert fragment in page and "Nothing can be imported from this file." in page
    assert process.poll() is None and _worker_pids(process) == workers  # same worker, not a respawned one
    assert opener.open(base + "/transfers/1/roster").status == 200


def test_a_real_roster_still_goes_through_under_the_ceiling(server, tmp_path):
    base, opener, process, _tmp = server
    rows = [["姓名", "身份证号", "联系电话"]] + [["测试%d" % i, rid("19800101", "%03d" % i), "1380000%04d" % i]
                                            for i in range(1, 400)]
    form = opener.open(base + "/transfers/1/roster").read().decode()
    data = xlsx(tmp_path / "ok.xlsx", rows).read_bytes()
    page = _post(opener, base + "/transfers/1/roster", {"csrf_token": _csrf(form)}, ("ok.xlsx", data)).read().decode()
    assert "The file is clean" in page and 'id="rows-ok">399<' in page
