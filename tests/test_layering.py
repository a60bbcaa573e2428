"""The core stays light: ``import rnnlab`` pulls in neither ipywidgets nor
matplotlib (they belong to ``rnnlab.widgets``, imported only explicitly) and
takes well under half a second."""
import ast
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "rnnlab"
FRONTEND_MODULES = ("ipywidgets", "matplotlib")
IMPORT_BUDGET_S = 0.5

PROBE = r"""
import json, sys, time
t0 = time.process_time()  # CPU time: what the import costs, not how busy the machine is
import rnnlab
dt = time.process_time() - t0
heavy = sorted(m for m in sys.modules if m.split(".")[0] in {names!r})
print(json.dumps({{"seconds": dt, "heavy": heavy, "file": rnnlab.__file__}}))
""".format(names=set(FRONTEND_MODULES))


def _probe():
    """Import rnnlab in a fresh interpreter; return what it reports."""
    proc = subprocess.run([sys.executable, "-c", PROBE], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, "`import rnnlab` failed in a fresh interpreter:\n" + proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_import_rnnlab_does_not_load_frontend_modules():
    report = _probe()
    assert report["file"], "rnnlab imported as a namespace package: rnnlab/__init__.py is missing"
    assert Path(report["file"]).resolve().is_relative_to(PACKAGE), report["file"]
    assert report["heavy"] == [], (
        "import rnnlab loaded {} -- the core must not import ipywidgets/matplotlib; "
        "keep them in rnnlab.widgets".format(report["heavy"]))


def test_import_rnnlab_is_fast():
    times = [_probe()["seconds"] for _ in range(3)]
    best = min(times)
    assert best < IMPORT_BUDGET_S, "import rnnlab took {:.3f} s at best (runs: {}); budget {} s".format(
        best, ", ".join("{:.3f}".format(t) for t in times), IMPORT_BUDGET_S)


def _core_files():
    widgets = PACKAGE / "widgets"
    return sorted(p for p in PACKAGE.rglob("*.py") if widgets not in p.parents)


def _frontend_imports(path):
    """(line, statement) for every import of ipywidgets/matplotlib in a file."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            if name.split(".")[0] in FRONTEND_MODULES:
                found.append((node.lineno, ast.get_source_segment(source, node)))
    return found


def test_core_modules_do_not_import_frontend_modules():
    files = _core_files()
    assert PACKAGE / "__init__.py" in files, "rnnlab/__init__.py is missing"
    offenders = [
        "{}:{}: {}".format(p.relative_to(REPO), line, stmt)
        for p in files
        for line, stmt in _frontend_imports(p)
    ]
    assert not offenders, "only rnnlab/widgets/ may import ipywidgets or matplotlib:\n" + "\n".join(offenders)


def _imported_modules(path):
    """Modules of the package that ``path`` imports, at module level or inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = path.parent.relative_to(REPO).parts
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - (node.level - 1)]
            target = base + tuple(node.module.split(".")) if node.module else base
            names = [target] if node.module else [target + (a.name,) for a in node.names]
            for name in names:
                module = REPO.joinpath(*name)
                if module.with_suffix(".py").exists():
                    found.add(module.with_suffix(".py"))
                elif (module / "__init__.py").exists():
                    found.add(module / "__init__.py")
    return found


def test_core_imports_run_one_way():
    """No import cycle among the core's modules, not even one hidden inside a function."""
    graph = {p: _imported_modules(p) - {p} for p in _core_files()}
    done, cycles = set(), []

    def visit(node, path):
        if node in path:
            cycles.append(path[path.index(node):] + [node])
            return
        if node in done:
            return
        for nxt in graph.get(node, ()):
            visit(nxt, path + [node])
        done.add(node)

    for start in graph:
        if start.name != "__init__.py":  # the package's __init__ imports everything, on purpose
            visit(start, [])
    shown = {" -> ".join(str(p.relative_to(PACKAGE)) for p in c) for c in cycles
             if not any(p.name == "__init__.py" for p in c)}
    assert not shown, "modules that import each other:\n" + "\n".join(sorted(shown))
