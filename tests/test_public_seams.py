"""No module under rnnlab/ reaches into another object's underscored names.

An underscored name is private to the module that defines it. So, in any
module of the package, ``obj._name`` (or ``getattr(obj, "_name")``) is allowed
only when

* ``obj`` is ``self``, ``cls`` or ``super()``; or
* ``_name`` is defined in that same module (a module-level name, a class
  member, or a ``self._name = ...`` attribute of a class of that module): a
  module's functions may work on the objects of its own classes; or
* it is part of a protocol that other libraries define with underscores:
  IPython's display hooks (``_repr_*_``, ``_ipython_*_``), the namedtuple API
  (``_fields``, ``_replace``, ``_asdict``, ``_make``) and ``sys._getframe``,
  CPython's documented way for ``exercise.check()`` to find the function the
  learner defined in their notebook.

``from module import _name`` is allowed between modules of one package
(``rnnlab.exercises._base`` using ``rnnlab.exercises._feedback``'s helpers),
never across packages.
"""
import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "rnnlab"
PROTOCOL = {"_fields", "_replace", "_asdict", "_make"}
ALLOWED = {("sys", "_getframe")}


def _private(name):
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _protocol(name):
    return (name in PROTOCOL or (name.startswith("_repr_") and name.endswith("_"))
            or name.startswith("_ipython_"))


def _defined_here(tree):
    """Underscored names this module defines: ``{class name or None: names}``.

    ``None`` holds module-level names; a class holds its members and the
    ``self._name = ...`` attributes its methods set.
    """
    found = {None: set()}
    for node in tree.body:
        for sub in ast.walk(node):
            names = (found.setdefault(node.name, set()) if isinstance(node, ast.ClassDef)
                     and sub is not node else found[None])
            if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(sub.name)
            elif isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                names.add(sub.id)
            elif (isinstance(sub, ast.Attribute) and isinstance(sub.ctx, ast.Store)
                  and isinstance(sub.value, ast.Name) and sub.value.id in ("self", "cls")):
                names.add(sub.attr)
            elif isinstance(sub, ast.alias) and sub.asname:
                names.add(sub.asname)
    return {k: {n for n in v if _private(n)} for k, v in found.items()}


def _held_by_self(value):
    """``self.rnn``, ``self.model.rnn``...: an object this one holds, not itself."""
    while isinstance(value, ast.Attribute):
        value = value.value
    return isinstance(value, ast.Name) and value.id == "self"


def _licensed(name, value, here, enclosing):
    """A name of this module may be used on objects of this module's classes.

    An object that ``self`` holds (``self.rnn``) is a collaborator: a name
    that only ``self``'s own class defines does not license it.
    """
    owners = [k for k, names in here.items() if name in names]
    if _held_by_self(value):
        owners = [k for k in owners if k != enclosing]
    return bool(owners)


def _own(value):
    """``self``, ``cls`` or ``super()``."""
    if isinstance(value, ast.Name):
        return value.id in ("self", "cls")
    return (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
            and value.func.id == "super")


def _package(path):
    return path.parent.relative_to(PACKAGE.parent).parts


def _import_package(path, node):
    """The package (as path parts) that ``from ... import`` reads from."""
    base = _package(path)
    if node.level:
        base = base[: len(base) - (node.level - 1)]
    target = base + tuple(node.module.split(".")) if node.module else base
    return target


def reach_ins(path, source=None):
    """``(line, text)`` for every reach-in of one module (``source``: its text, if not read)."""
    source = path.read_text(encoding="utf-8") if source is None else source
    tree = ast.parse(source, filename=str(path))
    here = _defined_here(tree)
    found = []
    for top in tree.body:
        enclosing = top.name if isinstance(top, ast.ClassDef) else None
        for node in ast.walk(top):
            found += _check_node(node, path, here, enclosing)
    return sorted(found)


def _check_node(node, path, here, enclosing):
    if isinstance(node, ast.Attribute) and _private(node.attr):
        value = node.value
        if (_own(value) or _protocol(node.attr) or _licensed(node.attr, value, here, enclosing)
                or (isinstance(value, ast.Name) and (value.id, node.attr) in ALLOWED)):
            return []
        return [(node.lineno, ast.unparse(node))]
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "setattr", "hasattr") and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)):
        name, value = node.args[1].value, node.args[0]
        if (_private(name) and not _own(value) and not _protocol(name)
                and not _licensed(name, value, here, enclosing)):
            return [(node.lineno, ast.unparse(node))]
        return []
    if isinstance(node, ast.ImportFrom):
        target = _import_package(path, node)
        # a module of this package (``from . import x``/``from ._base import y``): allowed
        same = target[:-1] == _package(path) or target == _package(path)
        return [(node.lineno, f"from {'.' * node.level}{node.module or ''} import {alias.name}")
                for alias in node.names if _private(alias.name) and not same]
    return []


def test_the_rule_catches_reach_ins():
    source = (
        "from ..model import _name\n"
        "from ._base import _helper\n"
        "class A:\n"
        "    def __init__(self):\n"
        "        self._mine = 1\n"
        "    def _forward(self):\n"
        "        pass\n"
        "    def f(self, model, other):\n"
        "        self._mine += model._prepare(1)\n"
        "        getattr(model, '_state')\n"
        "        other._mine\n"
        "        self.part._drawn = True\n"
        "        super()._init()\n"
        "        sys._getframe(1)\n"
        "        self.widget._repr_mimebundle_()\n"
        "        return self.rnn._forward\n"
        "class Part:\n"
        "    _drawn = False\n")
    # read as if it were a module of rnnlab/widgets, so its imports resolve as they would there
    found = [text for _, text in reach_ins(PACKAGE / "widgets" / "probe.py", source)]
    assert found == ["from ..model import _name", "model._prepare",
                     "getattr(model, '_state')", "self.rnn._forward"], found
    # _mine is this module's own name; Part is this module's class, so A may set its _drawn
    assert "other._mine" not in found and "self.part._drawn" not in found


def test_no_module_reaches_into_another_objects_private_names():
    offenders = [f"{path.relative_to(PACKAGE.parent)}:{line}: {text}"
                 for path in sorted(PACKAGE.rglob("*.py")) for line, text in reach_ins(path)]
    assert not offenders, ("these use underscored names of another module's objects; give "
                           "them a public, documented method instead:\n" + "\n".join(offenders))
