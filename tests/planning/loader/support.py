"""Helpers shared by the loader tests: where the files are, a snapshot of every table,
and a way to run ``load_plans`` that keeps what it printed."""

import io
import json
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

HERE = Path(__file__).parent
VALID = HERE / "valid_plan.json"
BROKEN = HERE / "broken"


def valid_objects() -> list[dict]:
    return json.loads(VALID.read_text(encoding="utf-8"))


def write_json(path: Path, objects) -> Path:
    path.write_text(json.dumps(objects, indent=2), encoding="utf-8")
    return path


def table_counts() -> dict[str, int]:
    """Rows in every table, the historical tables included (they are models too)."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def history_counts() -> dict[str, int]:
    return {label: n for label, n in table_counts().items() if ".Historical" in label}


@dataclass
class Run:
    stdout: str
    stderr: str
    error: CommandError | None


def load_plans(path, *args) -> Run:
    """``manage.py load_plans PATH ARGS``; a CommandError is caught and returned."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("load_plans", str(path), *args, stdout=out, stderr=err)
    except CommandError as error:
        return Run(out.getvalue(), err.getvalue(), error)
    return Run(out.getvalue(), err.getvalue(), None)
