"""HTML written in Python has one home (config/html.py), and the checks below keep it so:
the application marks text safe in one reviewed place, every template given to the builder
is constant markup, only the Markdown renderer hands over sanitised markup, and no
template turns escaping off. Each check reads the source, so a second ``mark_safe`` or an
f-string passed as a template fails here before any page shows it; the scanner is tested
on examples of its own."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APP_DIRS = ("config", "audit", "partners", "planning", "monitoring", "benchmarks", "scripts")
BUILDER = "config/html.py"
MARKDOWN = "config/markdown.py"
# what makes text into markup without escaping it, or a second builder beside config.html
TRUSTING = {"mark_safe", "SafeString", "SafeText", "SafeHtml", "_trust", "format_html", "format_html_join"}
TEMPLATED = {"html": 0, "Pattern": 0}  # the builder's calls and the position of their template
TEMPLATE_SWITCHES = re.compile(r"\|\s*safe(seq)?\b|{%\s*autoescape\s+off\s*%}")


def _python_files() -> list[Path]:
    found = []
    for name in APP_DIRS:
        found += [path for path in (ROOT / name).rglob("*.py") if "migrations" not in path.parts]
    return sorted(found)


def _called_name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _constants(tree: ast.Module) -> set[str]:
    """Module-level names bound once to a string literal (a template kept in a constant)."""
    bound: dict[str, int] = {}
    literal = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    bound[target.id] = bound.get(target.id, 0) + 1
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            literal |= {target.id for target in node.targets if isinstance(target, ast.Name)}
    return {name for name in literal if bound.get(name) == 1}


def _is_constant_markup(node: ast.expr, constants: set[str]) -> bool:
    """A literal, a module constant bound to one, a translated sentence made into template
    markup by ``config.html.sentence`` (which escapes it), or those joined by ``+``."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _is_constant_markup(node.left, constants) and _is_constant_markup(node.right, constants)
    if isinstance(node, ast.Call) and _called_name(node) == "sentence":
        return True
    return isinstance(node, ast.Name) and node.id in constants


def problems(source: str, where: str) -> list[str]:
    """What breaks the rules in one module's ``source`` (``where`` is its path from the root)."""
    tree = ast.parse(source)
    constants = _constants(tree)
    found = []
    builder_names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "config.html":
            builder_names |= {alias.asname or alias.name for alias in node.names}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name == "mark_safe" and where != BUILDER:
                    found.append(f"{where}:{node.lineno} imports mark_safe: build markup with config.html")
        if not isinstance(node, ast.Call):
            continue
        name = _called_name(node)
        if name in TRUSTING and where != BUILDER:
            found.append(f"{where}:{node.lineno} calls {name}: only config/html.py makes text into markup")
        if name == "sanitised" and where not in (BUILDER, MARKDOWN):
            found.append(f"{where}:{node.lineno} calls sanitised: only the Markdown renderer hands over markup")
        if name in TEMPLATED and (where == BUILDER or name in builder_names):
            template = node.args[TEMPLATED[name]] if len(node.args) > TEMPLATED[name] else None
            if template is None or not _is_constant_markup(template, constants):
                found.append(f"{where}:{node.lineno} gives {name}() a template that is not constant markup")
        separator = node.args[1] if name == "join" and "join" in builder_names and len(node.args) > 1 else None
        if separator is not None and not _is_constant_markup(separator, constants):
            found.append(f"{where}:{node.lineno} gives join() a separator that is not constant markup")
    return found


def test_the_scanner_finds_what_breaks_the_rules():
    hostile = (
        "from django.utils.safestring import mark_safe\n"
        "from django.utils.html import format_html\n"
        "from config.html import html, join, Pattern, SafeHtml\n"
        "TEMPLATE = '<p>{}</p>'\n"
        "def f(title, sep):\n"
        "    a = mark_safe(title)\n"
        "    b = html(f'<p>{title}</p>')\n"
        "    c = html('<p>' + title + '</p>')\n"
        "    d = join([a], sep)\n"
        "    e = Pattern(title)\n"
        "    g = SafeHtml(title)\n"
        "    h = format_html('<p>{}</p>', title)\n"
        "    i = sanitised(title)\n"
        "    return html(TEMPLATE, a)\n"
    )
    found = problems(hostile, "planning/example.py")
    assert len(found) == 9, found
    for expected in ("imports mark_safe", "calls mark_safe", "html() a template", "join() a separator",
                     "Pattern() a template", "calls SafeHtml", "calls format_html", "calls sanitised"):  # fmt: skip
        assert any(expected in problem for problem in found), expected
    assert (
        problems("from config.html import html\nT = '<p>{}</p>'\nx = html(T, 1)\ny = html('<b>{}</b>', 2)\n", "a.py")
        == []
    )
    translated = (
        "from config.html import html, sentence\nx = html('<p>' + sentence(_('By %(who)s'), 'who') + '</p>', who=1)\n"
    )
    assert problems(translated, "a.py") == []  # sentence() escapes the translation
    reassigned = "from config.html import html\nT = '<p>{}</p>'\nT = input()\nx = html(T, 1)\n"
    assert problems(reassigned, "a.py") != []


def test_the_application_marks_text_safe_in_one_place_and_builds_markup_only_from_constant_templates():
    found = [problem for path in _python_files() for problem in problems(path.read_text(), str(path.relative_to(ROOT)))]
    assert found == []


def test_the_one_place_is_reviewed():
    """config/html.py holds the application's one mark_safe, and docs/security.md names it."""
    builder = (ROOT / BUILDER).read_text()
    assert builder.count("mark_safe(") == 1
    assert "config/html.py" in (ROOT / "docs" / "security.md").read_text()


@pytest.mark.parametrize(
    "path",
    sorted(p for p in ROOT.glob("**/templates/**/*.html") if ".venv" not in p.parts and "node_modules" not in p.parts),
)
def test_no_template_turns_escaping_off(path):
    assert not TEMPLATE_SWITCHES.search(path.read_text()), path
