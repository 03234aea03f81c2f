"""Is every history table as the application wrote it? (``manage.py verify_history``)

One pass over each table in id order finds, row by row:
- a row with no seal, or one that does not match it: written with SQL rather than by the
  application (which seals every row it writes, ``config.history_seal``), or changed since;
- a row whose seal another row already has: a genuine row copied.
Against the table's latest checkpoint (the last clean check that recorded one) it finds
each row that has gone since. Each problem names its table and row.
"""

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from audit.models import HistoryCheckpoint
from config.history import tracked_models
from config.history_seal import SEAL_FIELD, matches, sealed_fields

BLOCK = 1_000  # ids per block of a checkpoint: each block holds its rows' ids as runs


@dataclass
class Problem:
    table: str
    history_id: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.table}, history row {self.history_id}" if self.history_id else self.table
        return f"{where}: {self.message}"


@dataclass
class _Block:
    """The ids of the rows in one block of ids, as runs (``[first, last]``: ids are mostly
    consecutive, so there are few runs)."""

    runs: list[list[int]] = field(default_factory=list)

    def add(self, history_id: int) -> None:
        if self.runs and self.runs[-1][1] == history_id - 1:
            self.runs[-1][1] = history_id
        else:
            self.runs.append([history_id, history_id])

    def ids(self) -> set[int]:
        return {history_id for first, last in self.runs for history_id in range(first, last + 1)}


@dataclass
class TableCheck:
    table: str
    rows: int = 0
    last_id: int = 0
    problems: list[Problem] = field(default_factory=list)
    blocks: dict[int, _Block] = field(default_factory=dict)


def _checkpoint_seal(table: str, last_id: int, rows: int, blocks: list, checked_at: datetime) -> str:
    message = json.dumps([table, last_id, rows, blocks, checked_at.isoformat()], separators=(",", ":"))
    return hmac.new(settings.HISTORY_SEAL_KEY.encode(), message.encode(), hashlib.sha256).hexdigest()


def _describe(model: type[models.Model], values: dict) -> str:
    """Enough of a row for a person to find it: what it is about, when, by whom, why."""
    parts = [f"{model._meta.verbose_name} of id {values.get('id')}"]
    if values.get("history_date"):
        parts.append(f"dated {timezone.localtime(values['history_date']):%-d %B %Y %H:%M}")
    if values.get("history_user_id"):
        parts.append(f"by person {values['history_user_id']}")
    if values.get("history_change_reason"):
        parts.append(f"reason “{values['history_change_reason']}”")
    return ", ".join(parts)


def check_table(model: type[models.Model], checkpoint: HistoryCheckpoint | None = None) -> TableCheck:
    """Every row of one history table, and the table against its checkpoint if given."""
    table = model._meta.db_table
    check = TableCheck(table)
    columns = [f.attname for f in sealed_fields(model)]
    pk = model._meta.pk.attname
    seen: dict[str, int] = {}
    rows = model._default_manager.order_by(pk).values_list(pk, SEAL_FIELD, *columns)
    for history_id, stored, *row in rows.iterator(chunk_size=2_000):
        values = dict(zip(columns, row, strict=True))
        check.rows += 1
        check.last_id = history_id
        number = history_id // BLOCK
        check.blocks.setdefault(number, _Block()).add(history_id)
        if not stored:
            message = "it has no seal: it was written without the application (for example with SQL)"
        elif not matches(model, values, stored):
            message = "it does not match its seal: it was changed after it was written, or written without the key"
        elif stored in seen:
            message = f"it repeats history row {seen[stored]}: a copy of a genuine row"
        else:
            seen[stored] = history_id
            continue
        check.problems.append(Problem(table, history_id, f"{message} ({_describe(model, values)})."))
    if checkpoint is not None:
        check.problems += _against_checkpoint(checkpoint, check.blocks)
    return check


def _against_checkpoint(checkpoint: HistoryCheckpoint, now: dict[int, _Block]) -> list[Problem]:
    """Each row the checkpoint saw that has gone. Rows added since pass if their seals do:
    on PostgreSQL a row can be committed after a check with an id lower than one the check
    saw (ids are handed out before commit), so new ids are no sign of tampering."""
    table = checkpoint.table
    expected = _checkpoint_seal(table, checkpoint.last_id, checkpoint.rows, checkpoint.blocks, checkpoint.checked_at)
    if not hmac.compare_digest(expected, checkpoint.seal):
        return [Problem(table, None, f"the checkpoint of {checkpoint.checked_at:%-d %B %Y} has been altered.")]
    when = f"{timezone.localtime(checkpoint.checked_at):%-d %B %Y %H:%M}"
    problems = []
    for number, runs in checkpoint.blocks:
        gone = _Block(runs).ids() - now.get(number, _Block()).ids()
        problems += [
            Problem(table, history_id, f"it was there at the check of {when} and has gone.")
            for history_id in sorted(gone)
        ]
    return problems


def history_models() -> Iterator[type[models.Model]]:
    for model in tracked_models():
        yield model.history.model


def latest_checkpoint(table: str) -> HistoryCheckpoint | None:
    return HistoryCheckpoint.objects.filter(table=table).order_by("-checked_at", "-pk").first()


def verify_history(*, record_checkpoint: bool = False) -> list[TableCheck]:
    """Check every history table; with ``record_checkpoint``, and only if nothing is wrong
    anywhere, record each table's checkpoint for the next check to compare with."""
    checks = [check_table(model, latest_checkpoint(model._meta.db_table)) for model in history_models()]
    if record_checkpoint and not any(check.problems for check in checks):
        now = timezone.now()
        with transaction.atomic():
            for check in checks:
                blocks = [[number, block.runs] for number, block in sorted(check.blocks.items())]
                HistoryCheckpoint.objects.create(
                    table=check.table,
                    last_id=check.last_id,
                    rows=check.rows,
                    blocks=blocks,
                    checked_at=now,
                    seal=_checkpoint_seal(check.table, check.last_id, check.rows, blocks, now),
                )
    return checks
