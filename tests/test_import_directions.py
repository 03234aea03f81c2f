"""Each app imports only from the apps below it (design.md §5 and §6), in the order
config < audit < partners < planning < monitoring < demo: ``config`` imports none of the
apps, ``audit`` only ``config``, ``partners`` ``config`` and ``audit``, and so on up to
``demo``, which may import them all and which no domain app imports. Every module of every
app is parsed (imports inside functions too) and each import that breaks the order is named
with its file and line. tests/, benchmarks/ and scripts/ stand outside the order: they may
import any app, and no app imports them.

Names that are not imports are not checked: ``config/settings.py`` lists the apps in
``INSTALLED_APPS`` and ``config/urls.py`` includes their URL modules by name, which is how
a Django project puts its apps together."""

import ast
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["config", "audit", "partners", "planning", "monitoring", "public", "api", "demo"]
DOMAIN_APPS = {"partners", "planning", "monitoring"}
OUTSIDE = {"tests", "benchmarks", "scripts"}
ENTRY_POINTS = {"manage.py"}
ORDER = " < ".join(LAYERS)


def imported_names(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, dotted name) of every absolute import, and of ``import_module("...")`` with a
    literal name. A relative import stays inside its own top-level package (Python refuses
    one that reaches beyond it), so it cannot cross from one app into another."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.lineno, node.module
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", None)) in {"import_module", "__import__"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.lineno, node.args[0].value


def problems(path: str, source: str) -> list[str]:
    """Every import in the module at ``path`` (relative to the project, e.g.
    ``planning/services.py``) that runs against the order, as ``path:line: what``."""
    app = path.split("/")[0]
    found = []
    for line, name in imported_names(ast.parse(source, path)):
        top = name.split(".")[0]
        if top == "demo" and app in DOMAIN_APPS:
            found.append(f"{path}:{line}: {app} imports {name}: no domain app imports from demo/")
        elif top in LAYERS and LAYERS.index(top) > LAYERS.index(app):
            found.append(f"{path}:{line}: {app} imports {name}, an app above it ({ORDER})")
        elif top in OUTSIDE:
            found.append(f"{path}:{line}: {app} imports {name}: {top}/ is not part of any app")
    return found


def app_modules() -> list[Path]:
    return sorted(path for app in LAYERS for path in (ROOT / app).rglob("*.py") if "__pycache__" not in path.parts)


def has_python(directory: Path) -> bool:
    for _, subdirectories, files in os.walk(directory):
        subdirectories[:] = [name for name in subdirectories if name not in {"node_modules", "__pycache__"}]
        if any(name.endswith(".py") for name in files):
            return True
    return False


def test_no_app_imports_from_an_app_above_it_and_no_domain_app_from_demo():
    modules = app_modules()
    assert {path.relative_to(ROOT).parts[0] for path in modules} == set(LAYERS)  # every app was read
    found = [
        problem
        for path in modules
        for problem in problems(path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8"))
    ]
    assert found == [], "\n".join(found)


def test_every_python_module_belongs_to_an_app_in_the_order_or_to_the_tools_outside_it():
    """A new app (``public/``, ``evaluation/``) gets its place in ``LAYERS`` before it is checked."""
    strays = [
        entry.name
        for entry in ROOT.iterdir()
        if not entry.name.startswith(".")
        and entry.name not in {*LAYERS, *OUTSIDE, *ENTRY_POINTS}
        and ((entry.is_file() and entry.suffix == ".py") or (entry.is_dir() and has_python(entry)))
    ]
    assert strays == []


# The checker itself, on small modules written here: it must see what the project has none of.
@pytest.mark.parametrize(
    ("path", "source", "expected"),
    [
        (
            "partners/fake.py",
            "from django.db import models\n\nfrom planning.models import Plan\n",
            f"partners/fake.py:3: partners imports planning.models, an app above it ({ORDER})",
        ),
        (
            "planning/management/commands/fake.py",
            "import monitoring.services\n",
            f"planning/management/commands/fake.py:1: planning imports monitoring.services, an app above it ({ORDER})",
        ),
        (
            "config/fake.py",
            "from config.history import change_context\nfrom audit import verify\n",
            f"config/fake.py:2: config imports audit, an app above it ({ORDER})",
        ),
        (
            "monitoring/fake.py",
            "def later():\n    from demo.generator import generate\n    return generate\n",
            "monitoring/fake.py:2: monitoring imports demo.generator: no domain app imports from demo/",
        ),
        (
            "partners/fake.py",
            "from importlib import import_module\n\nstory = import_module('demo.planning_story')\n",
            "partners/fake.py:3: partners imports demo.planning_story: no domain app imports from demo/",
        ),
        (
            "planning/fake.py",
            "from tests.factories import make_plan\n",
            "planning/fake.py:1: planning imports tests.factories: tests/ is not part of any app",
        ),
    ],
)
def test_the_checker_names_the_file_and_line_of_an_import_against_the_order(path, source, expected):
    assert problems(path, source) == [expected]


def test_the_checker_lets_an_app_import_itself_and_the_apps_below_it():
    source = (
        "from config.history import change_context\nfrom audit.models import HistoryCheckpoint\n"
        "from partners.models import User\nfrom planning import services\nimport monitoring.trajectory\n"
        "from demo import generator\nfrom . import content\n"
    )
    assert problems("demo/fake.py", source) == []
    assert problems("monitoring/fake.py", source.replace("from demo import generator\n", "")) == []
