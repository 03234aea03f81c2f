"""Welsh and English (docs/decisions/0029): every marked string is in the catalogues, every
Welsh entry is translated with the same placeholders, and no visible text in a template or
message in the code escapes translation.

The two lint checks read the source as a translator's tool would: a template's text outside
``{% translate %}``/``{% blocktranslate %}`` (and outside elements marked ``translate="no"``,
``<code>``, ``<pre>``, ``<script>`` and ``<style>``), and the literal text the code hands to
people (messages, validation errors, labels, help text, choices, notifications).
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.template.base import Lexer, TokenType

from config.catalogues import BASE_DIR, catalogues

APPS = ("config", "partners", "planning", "monitoring", "public", "api", "audit")
LETTER = re.compile(r"[^\W\d_]")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|\{(\w*)\}")
SENTINEL = "\x00"


def _templates() -> list[Path]:
    roots = [BASE_DIR / "templates", *(BASE_DIR / app / "templates" for app in APPS)]
    return sorted(
        path for root in roots if root.exists() for path in root.rglob("*") if path.suffix in {".html", ".txt", ".svg"}
    )


def _python_files() -> list[Path]:
    files = []
    for app in APPS:
        for path in (BASE_DIR / app).rglob("*.py"):
            parts = set(path.relative_to(BASE_DIR).parts)
            if parts & {"migrations", "management"}:
                continue
            files.append(path)
    return sorted(files)


def _name(path: Path) -> str:
    return str(path.relative_to(BASE_DIR))


# --- the catalogues --------------------------------------------------------------------------


def _welsh_catalogues() -> list[Path]:
    return [path for path in catalogues() if path.parts[-3] == "cy"]


def test_every_app_and_the_project_have_a_welsh_catalogue():
    held = {_name(path) for path in _welsh_catalogues()}
    assert "locale/cy/LC_MESSAGES/django.po" in held


@pytest.mark.parametrize("path", _welsh_catalogues(), ids=_name)
def test_every_welsh_entry_is_translated_with_the_same_placeholders(path):
    catalogue = polib.pofile(str(path))
    assert not catalogue.metadata_is_fuzzy, f"{_name(path)}: the header is marked fuzzy"
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries() if not entry.obsolete]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert not untranslated, f"{_name(path)}: {len(untranslated)} not translated, e.g. {untranslated[:5]}"
    assert not fuzzy, f"{_name(path)}: {len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"
    wrong = [entry.msgid for entry in catalogue.translated_entries() if not _same_placeholders(entry)]
    assert not wrong, f"{_name(path)}: placeholders differ from the English in {wrong[:5]}"


def _same_placeholders(entry: polib.POEntry) -> bool:
    """A translation names exactly the English's placeholders; a plural form may leave out
    the number (Welsh says "one" and "two" in words) but never names another."""
    wanted = set(PLACEHOLDER.findall(entry.msgid)) | set(PLACEHOLDER.findall(entry.msgid_plural or ""))
    if not entry.msgid_plural:
        return set(PLACEHOLDER.findall(entry.msgstr)) == wanted
    return all(set(PLACEHOLDER.findall(form)) <= wanted for form in entry.msgstr_plural.values())


def _source_copy(target: Path) -> None:
    """What makemessages reads: the apps, templates, config and catalogues."""
    keep = {*APPS, "demo", "templates", "locale"}  # demo: an installed app, its text not gathered
    for name in keep:
        shutil.copytree(BASE_DIR / name, target / name, ignore=shutil.ignore_patterns("*.mo", "__pycache__"))
    shutil.copy2(BASE_DIR / "manage.py", target / "manage.py")


def _entries(path: Path) -> set[tuple[str, str]]:
    return {(entry.msgctxt or "", entry.msgid) for entry in polib.pofile(str(path)) if not entry.obsolete}


def test_the_catalogues_hold_every_marked_string_and_no_other(tmp_path):
    """makemessages run on a copy of the source finds exactly the entries in git: a string
    marked in the code but not gathered (or gathered but no longer used) fails, naming it."""
    if not shutil.which("xgettext"):
        pytest.fail("GNU gettext's xgettext is needed to gather the strings (apt-get install gettext)")
    _source_copy(tmp_path)
    make_args = re.search(r"^MESSAGE_ARGS := (.*?)(?<!\\)$", (BASE_DIR / "Makefile").read_text(), re.M | re.S)
    assert make_args, "the Makefile's MESSAGE_ARGS"
    args = make_args.group(1).replace("\\\n", " ").split()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    subprocess.run(  # noqa: S603  our own manage.py, a fixed command line, no shell
        [sys.executable, "manage.py", "makemessages", *args], cwd=tmp_path, env=env, check=True, capture_output=True
    )
    problems = []
    for gathered in _welsh_catalogues_in(tmp_path):
        committed = BASE_DIR / gathered.relative_to(tmp_path)
        held = _entries(committed) if committed.exists() else set()
        found = _entries(gathered)
        if missing := sorted(found - held):
            problems.append(f"{_name(committed)} lacks {len(missing)}: {[m[1] for m in missing[:5]]}")
        if stale := sorted(held - found):
            problems.append(f"{_name(committed)} holds {len(stale)} no longer used: {[m[1] for m in stale[:5]]}")
    assert not problems, "run `make messages` and translate the new entries: " + "; ".join(problems)


def _welsh_catalogues_in(base: Path) -> list[Path]:
    return sorted(path for path in base.rglob("django.po") if path.parts[-3] == "cy")


# --- templates -------------------------------------------------------------------------------

SKIPPED_ELEMENTS = {"script", "style", "code", "pre"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
VISIBLE_ATTRIBUTES = {"alt", "title", "aria-label", "placeholder", "aria-description"}


def _without_translated_text(source: str) -> str:
    """The template with every tag and variable a sentinel and the text inside
    blocktranslate and comment blocks dropped: what is left is the template's own text."""
    parts = []
    inside = None
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents else ""
            if name in {"blocktranslate", "blocktrans", "comment"}:
                inside = name
            elif name in {"endblocktranslate", "endblocktrans", "endcomment"}:
                inside = None
            parts.append(SENTINEL)
        elif token.token_type == TokenType.VAR:
            parts.append(SENTINEL)
        elif token.token_type == TokenType.TEXT and inside is None:
            parts.append(token.contents)
    return "".join(parts)


class _VisibleText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag in VOID:
            if not self.skipping:
                self._attributes(tag, values)
            return
        if self.skipping or tag in SKIPPED_ELEMENTS or values.get("translate") == "no":
            self.skipping.append(tag)
            return
        self._attributes(tag, values)

    def handle_startendtag(self, tag, attrs):
        if not self.skipping:
            self._attributes(tag, dict(attrs))

    def handle_endtag(self, tag):
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def _attributes(self, tag, values):
        for name, value in values.items():
            visible = name in VISIBLE_ATTRIBUTES or (
                name == "value" and tag == "input" and (values.get("type") or "") in {"submit", "button", "reset"}
            )
            if visible and value and LETTER.search(value.replace(SENTINEL, "")):
                self.found.append(f"{name}={value.replace(SENTINEL, '…')!r}")

    def handle_data(self, data):
        text = " ".join(data.replace(SENTINEL, " ").split())
        if not self.skipping and LETTER.search(text):
            self.found.append(text)


def untranslated_template_text(path: Path) -> list[str]:
    text = _without_translated_text(path.read_text())
    if path.suffix == ".txt":
        return [line for line in (" ".join(piece.split()) for piece in text.split(SENTINEL)) if LETTER.search(line)]
    parser = _VisibleText()
    parser.feed(text)
    parser.close()
    return parser.found


def test_the_template_check_finds_unmarked_text_and_passes_marked_text(tmp_path):
    template = tmp_path / "page.html"
    template.write_text(
        '{% load i18n %}<h1>{% translate "Plans" %}</h1><p aria-label="Stray label">Stray {{ x }} text</p>'
        "{% blocktranslate trimmed %}Kept {{ n }} words{% endblocktranslate %}<code>GET /api/</code>"
        '<span lang="cy" translate="no">Cymraeg</span>{# a note #}{% comment %}notes{% endcomment %}'
    )
    assert untranslated_template_text(template) == ["aria-label='Stray label'", "Stray text"]


# --- text in the code ------------------------------------------------------------------------

MESSAGE_FUNCTIONS = {"success", "info", "warning", "error", "debug", "add_message"}
TEXT_KEYWORDS = {
    "label",
    "help_text",
    "verbose_name",
    "verbose_name_plural",
    "empty_label",
    "subject",
    "body",
    "message",
}
RESPONSES = {
    "HttpResponseBadRequest",
    "HttpResponseForbidden",
    "HttpResponseNotFound",
    "ValidationError",
    "PermissionDenied",
    "Http404",
}
CHOICES_BASES = {"TextChoices", "IntegerChoices", "Choices"}


def _literal(node) -> bool:
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(part, ast.Constant) and LETTER.search(str(part.value)) for part in node.values)
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and bool(LETTER.search(node.value))


def _called(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def untranslated_code_text(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            called = _called(node)
            owner = node.func.value if isinstance(node.func, ast.Attribute) else None
            texts = []
            if called in MESSAGE_FUNCTIONS and isinstance(owner, ast.Name) and owner.id == "messages":
                texts = node.args[1:2]
            elif called in RESPONSES:
                texts = node.args[:1]
            elif called == "add_error":
                texts = node.args[1:2]
            texts += [keyword.value for keyword in node.keywords if keyword.arg in TEXT_KEYWORDS]
            found += [f"line {node.lineno}: {ast.unparse(text)[:70]}" for text in texts if _literal(text)]
        elif (
            isinstance(node, ast.ClassDef)
            and {getattr(base, "attr", getattr(base, "id", "")) for base in node.bases} & CHOICES_BASES
        ):
            for statement in node.body:
                if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Tuple):
                    label = statement.value.elts[-1]
                    if _literal(label):
                        found.append(f"line {statement.lineno}: choice {ast.unparse(label)[:70]}")
    return found


@pytest.mark.parametrize("path", _templates() + _python_files(), ids=_name)
def test_text_people_see_is_marked_for_translation(path):
    """Each template and module on its own (``-k planning/templates`` checks a part)."""
    found = untranslated_code_text(path) if path.suffix == ".py" else untranslated_template_text(path)
    assert not found, f"{_name(path)}: text not marked for translation: {found[:8]}"


def test_the_code_check_finds_unmarked_text_and_passes_marked_text(tmp_path):
    module = tmp_path / "views.py"
    module.write_text(
        "from django.utils.translation import gettext as _\n"
        "def view(request, form):\n"
        "    messages.success(request, 'Saved.')\n"
        "    messages.success(request, _('Saved.'))\n"
        "    form.add_error('title', f'Too long by {n}')\n"
        "    raise ValidationError(_('Bad'))\n"
        "class Kind(models.TextChoices):\n"
        "    RED = 'red', 'Red'\n"
        "    AMBER = 'amber', _('Amber')\n"
    )
    assert sorted(line.split(":")[0] for line in untranslated_code_text(module)) == ["line 3", "line 5", "line 8"]
