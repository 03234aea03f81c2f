"""The Welsh (and any other) message catalogues, compiled without GNU gettext.

Each app keeps ``<app>/locale/<lang>/LC_MESSAGES/django.po``; the project's templates and
config keep ``locale/`` (settings.LOCALE_PATHS). The ``.po`` files are the source, in git;
the ``.mo`` files Django reads are built from them by ``make`` (``python -m
config.catalogues``) and by the test suite's start, with polib, so neither a fresh machine
nor a server needs gettext's ``msgfmt``. Updating the catalogues from the code
(``make messages``) does need gettext's ``xgettext``, as Django's makemessages always has.

A catalogue is written only when its ``.po`` is newer than its ``.mo``, to a temporary
file renamed into place, so several test processes starting together never read half a file.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import polib

BASE_DIR = Path(__file__).resolve().parent.parent
SKIP = {".venv", "node_modules", ".git", "staticfiles", "media"}


def catalogues(base: Path = BASE_DIR) -> list[Path]:
    """Every ``django.po`` of the project, apps and project alike."""
    found = []
    for root, dirs, files in os.walk(base):
        dirs[:] = [name for name in dirs if name not in SKIP and not name.startswith(".")]
        if Path(root).parent.name == "LC_MESSAGES" or Path(root).name != "LC_MESSAGES":
            continue
        found.extend(Path(root) / name for name in files if name == "django.po")
    return sorted(found)


def compile_catalogue(po_path: Path) -> bool:
    """Build ``po_path``'s ``.mo`` if it is missing or older; True if it was built."""
    mo_path = po_path.with_suffix(".mo")
    if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
        return False
    catalogue = polib.pofile(str(po_path))
    handle, temporary = tempfile.mkstemp(dir=po_path.parent, suffix=".mo.tmp")
    os.close(handle)
    try:
        catalogue.save_as_mofile(temporary)
        os.replace(temporary, mo_path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return True


def stale(base: Path = BASE_DIR) -> list[Path]:
    """Catalogues whose ``.mo`` is missing or older than the ``.po``: Django would show
    their language's pages in English without a word of warning."""
    return [
        path
        for path in catalogues(base)
        if not path.with_suffix(".mo").exists() or path.with_suffix(".mo").stat().st_mtime < path.stat().st_mtime
    ]


def check_compiled(app_configs=None, base: Path = BASE_DIR, **kwargs) -> list:
    """``manage.py check --deploy``: a server must not start with catalogues not built."""
    from django.core.checks import Error

    return [
        Error(
            f"{path.relative_to(base)} is not compiled (or changed since): Welsh pages would show English.",
            hint="Run `python -m config.catalogues` (make catalogues) after installing, as collectstatic.",
            id="golden_thread.E001",
        )
        for path in stale(base)
    ]


def compile_all(base: Path = BASE_DIR) -> list[Path]:
    return [path for path in catalogues(base) if compile_catalogue(path)]


if __name__ == "__main__":
    built = compile_all()
    print(f"Message catalogues: {len(built)} compiled, {len(catalogues()) - len(built)} up to date.", file=sys.stderr)
