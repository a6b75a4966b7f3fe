"""The shape of the code: no import cycles, and a service module imports no views.

Blueprints live in their area's routes.py and are registered by the factory, so importing a
service (from a job worker, the command line or a test) never drags pages in.
"""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "quarantine"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _is_view(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    return last == "routes" or last.endswith("_views") or name == "quarantine.main"


def _top_level_imports(path: Path) -> set[str]:
    """quarantine modules imported at module level (not inside functions or TYPE_CHECKING blocks)."""
    tree = ast.parse(path.read_text(), str(path))
    found: set[str] = set()

    def visit(nodes):
        for node in nodes:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            if isinstance(node, (ast.If, ast.Try)):
                visit(node.body)
                visit(getattr(node, "orelse", []))
                continue
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name.startswith("quarantine"))
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("quarantine"):
                for alias in node.names:
                    sub = f"{node.module}.{alias.name}"
                    found.add(sub if sub in MODULES else node.module)

    visit(tree.body)
    return {name for name in found if name in MODULES}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def strong(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in graph:
        if v not in index:
            strong(v)
    return out


def test_no_import_cycles_between_app_modules():
    graph = {name: _top_level_imports(path) - {name} for name, path in MODULES.items()}
    # A package imports its own submodules only through the package's __init__, which is empty
    # for every area; models/__init__ re-exports the model modules, which is not a cycle of code.
    graph = {v: {w for w in ws if not (v == "quarantine.models" and w.startswith("quarantine.models."))}
             for v, ws in graph.items()}
    assert _cycles(graph) == []


def test_area_packages_import_nothing_in_their_init():
    for name, path in MODULES.items():
        if path.name == "__init__.py" and name not in ("quarantine", "quarantine.models"):
            assert _top_level_imports(path) == set(), f"{path} imports at import time"


SERVICE_MODULES = sorted(name for name in MODULES
                         if not _is_view(name) and name not in ("quarantine", "quarantine.cli")
                         and not name.endswith("__main__"))

# One interpreter loads the package (whose __init__ holds the factory and no views), then forks
# a fresh child per module: each import starts from that state, as a worker or script would.
PROBE = """
import importlib, json, os, sys
import quarantine
names = sys.argv[1:]
results = {}
for name in names:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            importlib.import_module(name)
            views = sorted(m for m in sys.modules if m.startswith('quarantine') and
                           (m.rsplit('.', 1)[-1] == 'routes' or m.endswith('_views') or m == 'quarantine.main'))
            message = json.dumps({'views': views})
        except Exception as exc:
            message = json.dumps({'error': repr(exc)})
        os.write(write, message.encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as handle:
        results[name] = json.loads(handle.read() or '{"error": "child died"}')
    os.waitpid(pid, 0)
print(json.dumps(results))
"""


def test_every_service_module_imports_on_its_own_without_views():
    done = subprocess.run([sys.executable, "-c", PROBE, *SERVICE_MODULES], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(results) == set(SERVICE_MODULES)
    assert {name: r["error"] for name, r in results.items() if "error" in r} == {}
    assert {name: r["views"] for name, r in results.items() if r.get("views")} == {}


@pytest.mark.parametrize("name", ["quarantine.transfers.commit", "quarantine.people.services"])
def test_known_services_are_probed(name):
    assert name in SERVICE_MODULES
