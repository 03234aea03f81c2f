"""The return workbook: many returns filled in a spreadsheet, then checked, previewed
and saved all together or not at all.

Download: one row per action or target due in a quarter, and per milestone due by its
end and not yet done (``monitoring.milestones``), from the reader's
organisation, or from one plan they may change, pre-filled with what is saved now and
the version of each return it was read at. Rows whose return can no longer change
(submitted, accepted, or in a locked quarter) are shown greyed and locked.

Upload: ``parse_workbook`` reads the completed file (already passed by
``config.uploads.check_workbook``, which bounds the work of reading it: shared
strings, rows, cells, styles) and turns it into changes and problems, each
problem named by sheet, row and column. A row is a change only if it differs from
what is saved now; a row left blank is skipped. A row whose return changed since the
download (its version differs) is a problem, never an overwrite. Every change is then
checked in memory by ``services.return_check``, the check ``return_save`` itself makes,
on what was read for every row at once (items, saved returns, past versions: a fixed
number of queries whatever the rows), so the preview names the problems the save would
meet too, without writing anything.

Apply: ``upload_apply`` writes every change through ``services.return_save`` in one
transaction; one failure rolls back the lot and is recorded on the upload.
"""

import copy
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from config import uploads
from config.forms import parse_id
from config.spreadsheets import SPREADSHEET_TRIGGERS, set_xlsx_cell
from monitoring import milestones, services
from monitoring.access import RETURN_KINDS, can_fill, is_lead
from monitoring.models import ProgressReturn, ReportingPeriod, WorkbookUpload
from partners.models import Organisation, User
from planning.access import can
from planning.conflicts import EditConflict
from planning.models import Plan, PlanItem
from planning.selectors import plan_references

# the sheets' names and the columns' headings are kept in English (how problems and the
# code name them) and written in the reader's language; reading accepts either language's
SHEET = gettext_noop("Returns")
README = gettext_noop("Read me")
MAX_ROWS = uploads.WORKBOOK_MAX_RETURN_ROWS
MAX_COLUMNS = 60
Rag = ProgressReturn.Rag
Milestone = ProgressReturn.Milestone
DATE_FIELDS = ("revised_due_date", "completed_on")
TEXT_FIELDS = ("narrative", "soft_outcomes", "next_steps", "revision_reason")
SUBMIT = "submit"


@dataclass(frozen=True)
class Column:
    heading: str
    width: int
    field: str = ""  # the return field it writes ("" for a column only shown)


ITEM_ID = Column(gettext_noop("Item ID"), 9)
VERSION = Column(gettext_noop("Version"), 9)
COLUMNS = [
    ITEM_ID,
    Column(gettext_noop("Plan"), 30),
    Column(gettext_noop("Reference"), 11),
    Column(gettext_noop("Item"), 45),
    Column(gettext_noop("Kind"), 10),
    Column(gettext_noop("Unit"), 15),
    Column(gettext_noop("Target value"), 12),
    Column(gettext_noop("Lead"), 24),
    Column(gettext_noop("Current state"), 20),
    VERSION,
    Column(gettext_noop("RAG"), 13, "rag"),
    Column(gettext_noop("Milestone status"), 14, "milestone_state"),
    Column(gettext_noop("Done on"), 13, "completed_on"),
    Column(gettext_noop("Actual value"), 13, "actual_value"),
    Column(gettext_noop("Spend to date (£)"), 15, "spend_to_date"),
    Column(gettext_noop("Narrative"), 50, "narrative"),
    Column(gettext_noop("Soft outcomes"), 40, "soft_outcomes"),
    Column(gettext_noop("Next steps"), 40, "next_steps"),
    Column(gettext_noop("Evidence link"), 30, "evidence_url"),
    Column(gettext_noop("Revised due date"), 16, "revised_due_date"),
    Column(gettext_noop("Reason for new date"), 30, "revision_reason"),
    Column(gettext_noop("Submit?"), 10, SUBMIT),
]
WRITABLE = [column for column in COLUMNS if column.field]
NULLABLE = {"actual_value", "spend_to_date", *DATE_FIELDS}  # empty is None, not ""
REQUIRED = [ITEM_ID, VERSION, *WRITABLE]
HEADING = {column.field: column.heading for column in WRITABLE}
POSITION = {column.heading: index for index, column in enumerate(COLUMNS, start=1)}
YES, NO = gettext_noop("Yes"), gettext_noop("No")
QUARTER_CODE, PLAN_CODE = gettext_noop("Quarter code"), gettext_noop("Plan code")


def in_every_language(text: str) -> set[str]:
    """``text`` (an English message) as each of the site's languages writes it, folded:
    a workbook downloaded in Welsh is read back as one downloaded in English is."""
    found = {text.casefold()}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            found.add(_(text).casefold())
    return found


def _by_label(choices) -> dict[str, str]:
    """A choice's value by its label in any of the site's languages."""
    found = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            found.update({str(choice.label).casefold(): choice.value for choice in choices})
    return found


def _listed(choices) -> str:
    return ", ".join(str(choice.label) for choice in choices)


def _position() -> dict[str, int]:
    """A column's place by its heading as the reader's language writes it (problems name it so)."""
    return {_(column.heading): index for index, column in enumerate(COLUMNS, start=1)}


_GREY = PatternFill("solid", fgColor="DDDDDD")
_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")


# --- scope -----------------------------------------------------------------------------------


@dataclass
class Scope:
    """What a workbook covers: one quarter, and either everything one organisation
    leads or one plan."""

    period: ReportingPeriod
    organisation: Organisation | None = None
    plan: Plan | None = None

    @property
    def label(self) -> str:
        if self.plan is not None:
            return _("the actions and targets of %(plan)s, and its milestones due") % {"plan": self.plan.title}
        return _("everything %(organisation)s and its people lead") % {"organisation": self.organisation}

    @property
    def filename(self) -> str:
        key = self.plan.slug if self.plan is not None else self.organisation.slug
        return f"returns-{self.period.slug}-{key}.xlsx"


def scope_items(user: User, scope: Scope) -> list[PlanItem]:
    """The actions and targets of approved plans running in the quarter, and their
    milestones due by its end and not yet done, led by the organisation (as lead
    organisation, or through its people as lead officers) or in the plan, that ``user``
    may report on; in plan and reading order."""
    items = milestones.reported_items(scope.period)
    if scope.plan is not None:
        items = items.filter(plan=scope.plan)
    elif scope.organisation is None:
        return []
    else:
        items = items.filter(Q(lead_organisation=scope.organisation) | Q(lead_officer__organisation=scope.organisation))
    items = (
        items.select_related("plan__organisation", "plan__owner", "lead_officer", "lead_organisation")
        .prefetch_related("plan__shares")
        .order_by("plan__title", "plan_id", "tree_id", "lft")
    )
    return [item for item in items if can_fill(user, item)]


def _lead(item: PlanItem) -> str:
    return ", ".join(str(lead) for lead in (item.lead_officer, item.lead_organisation) if lead is not None)


def _writable(period: ReportingPeriod, ret: ProgressReturn | None) -> bool:
    return not period.is_locked and (ret is None or ret.is_editable)


# --- download --------------------------------------------------------------------------------


def build_workbook(user: User, scope: Scope) -> Workbook:
    """The pre-filled return workbook for ``scope``, as ``user`` may fill it."""
    items = scope_items(user, scope)
    refs = plan_references(item.plan_id for item in items)  # every item of each plan counts
    saved = {r.item_id: r for r in ProgressReturn.objects.filter(period=scope.period, item__in=items)}
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _(SHEET)
    for c, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=c, value=_(column.heading))
        cell.font = _BOLD
        sheet.column_dimensions[get_column_letter(c)].width = column.width
    for r, item in enumerate(items, start=2):
        ret = saved.get(item.pk)
        writable = _writable(scope.period, ret)
        values = [
            item.pk,
            item.plan.title,
            refs.get(item.pk, ""),
            item.title,
            item.plan.label_for(item.kind),
            item.get_unit_display() if item.unit else "",
            item.target_value,
            _lead(item),
            ret.get_state_display() if ret else str(Rag.NOT_STARTED.label),
            ret.version if ret else 0,
            ret.get_rag_display() if ret and ret.rag else "",
            ret.get_milestone_state_display() if ret and ret.milestone_state else "",
            ret.completed_on if ret else None,
            ret.actual_value if ret else None,
            ret.spend_to_date if ret else None,
            ret.narrative if ret else "",
            ret.soft_outcomes if ret else "",
            ret.next_steps if ret else "",
            ret.evidence_url if ret else "",
            ret.revised_due_date if ret else None,
            ret.revision_reason if ret else "",
            _(NO) if writable else "",
        ]
        for c, (column, value) in enumerate(zip(COLUMNS, values, strict=True), start=1):
            cell = sheet.cell(row=r, column=c)
            set_xlsx_cell(cell, value)
            cell.alignment = _WRAP if column.width >= 30 else _TOP
            if column.field in DATE_FIELDS:
                cell.number_format = "dd/mm/yyyy"
            open_here = writable and column.field and _open_for(column.field, item)
            if open_here:
                cell.protection = Protection(locked=False)
            else:
                cell.fill = _GREY
    last = max(len(items) + 1, 2)
    rags = f'"{",".join(str(label) for _value, label in Rag.choices)}"'
    _validation(sheet, "rag", rags, last, _("Choose a RAG rating"), _("Choose a RAG rating from the list."))
    statuses = f'"{",".join(str(label) for _value, label in Milestone.choices)}"'
    _validation(
        sheet,
        "milestone_state",
        statuses,
        last,
        _("Choose a milestone status"),
        _("Choose a milestone status from the list."),
    )
    _validation(
        sheet,
        SUBMIT,
        f'"{_(YES)},{_(NO)}"',
        last,
        _("Choose Yes to submit the return for review, No to keep a draft"),
        _("Choose Yes to submit the return for review, No to keep a draft from the list."),
    )
    dates = DataValidation(type="date", operator="greaterThan", formula1="36526", allow_blank=True)
    dates.error, dates.errorTitle = _("Enter a date, for example 31/01/2014."), _("Not a date")
    for field in DATE_FIELDS:
        dates.add(_range(field, last))
    sheet.add_data_validation(dates)
    sheet.freeze_panes = "E2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{last}"
    # the grey columns are locked so that an item number cannot be changed by accident;
    # there is no password, as the protection guards against slips, not people
    sheet.protection.sheet = True
    sheet.protection.formatColumns = sheet.protection.formatRows = False
    sheet.protection.autoFilter = sheet.protection.sort = False
    _readme(workbook.create_sheet(_(README)), user, scope, len(items))
    return workbook


def _open_for(field: str, item: PlanItem) -> bool:
    """Is ``field``'s cell one the lead fills for ``item``? A milestone has a status and a
    day it was done, not a RAG (derived), a value or spend; a target has an actual value, an
    action a spend to date; only milestones have a status."""
    if item.kind == milestones.MILESTONE:
        return field not in {"rag", "actual_value", "spend_to_date"}
    if field in {"milestone_state", "completed_on"}:
        return False
    if field == "actual_value":
        return item.is_target
    if field == "spend_to_date":
        return item.kind == PlanItem.Kind.ACTION
    return True


def _range(field: str, last: int) -> str:
    letter = get_column_letter(POSITION[HEADING[field]])
    return f"{letter}2:{letter}{last}"


def _validation(sheet, field: str, formula: str, last: int, prompt: str, error: str) -> None:
    rule = DataValidation(type="list", formula1=formula, allow_blank=True)
    rule.error, rule.errorTitle, rule.prompt = error, _("Not in the list"), prompt
    rule.add(_range(field, last))
    sheet.add_data_validation(rule)


def _readme(sheet, user: User, scope: Scope, count: int) -> None:
    period = scope.period
    facts = [
        (_("Quarter"), period.label),
        (_(QUARTER_CODE), period.slug),
        (_("Returns due"), period.due_on),
        (_("Covers"), scope.label),
        (_(PLAN_CODE), scope.plan.slug if scope.plan else ""),
        (_("Rows"), count),
        (_("Downloaded by"), str(user)),
        (_("Downloaded at"), timezone.now()),
    ]
    notes = [
        _(
            "Fill in the white cells on the Returns sheet: RAG, actual value (targets only), spend to date in "
            "pounds (actions only: this financial year's spend to the end of the quarter), narrative, soft "
            "outcomes, next steps, evidence link, and a revised due date with its reason if the date has slipped."
        ),
        _(
            "For a milestone, choose its status instead of a RAG (its rating follows from it): Done, with the day "
            "it was done; On track; or Late, with the revised due date and the reason for it."
        ),
        _("Set Submit? to Yes to send a return for review; leave it at No to save a draft you can change later."),
        _("Grey cells cannot change: they identify the row, or the return has been submitted or accepted."),
        _("Type numbers and text, not formulas: formulas are refused. Type 75 for 75%."),
        _("Leave a row blank to skip it. Do not add, remove or rename columns, or change the Item ID or Version."),
        _(
            "Upload the completed workbook on the same site. You will see every change, and every problem by row "
            "and column, before anything is saved; then everything is saved together, or nothing is."
        ),
        _(
            "If someone else changes a return after you download this workbook, that row is refused: download a "
            "fresh workbook and copy your changes across."
        ),
    ]
    set_xlsx_cell(sheet.cell(row=1, column=1), _("Golden Thread return workbook"))
    sheet["A1"].font = Font(bold=True, size=14)
    for r, (label, value) in enumerate(facts, start=3):
        set_xlsx_cell(sheet.cell(row=r, column=1), label)
        sheet.cell(row=r, column=1).font = _BOLD
        set_xlsx_cell(sheet.cell(row=r, column=2), value)
    start = len(facts) + 4
    set_xlsx_cell(sheet.cell(row=start, column=1), _("How to fill it in"))
    sheet.cell(row=start, column=1).font = _BOLD
    for r, note in enumerate(notes, start=start + 1):
        set_xlsx_cell(sheet.cell(row=r, column=1), note)
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 60


# --- upload: reading -------------------------------------------------------------------------


@dataclass
class Parsed:
    """What an upload would do: ``changes`` to save and ``problems`` that stop it, both
    JSON-safe, ready for a ``WorkbookUpload``. ``plan_slug`` is the plan the workbook was
    downloaded for, if it was for one."""

    changes: list[dict]
    problems: list[dict]
    plan_slug: str = ""


class _Problems(list):
    def add(self, sheet: str, row: int | None, column: str, message: str) -> None:
        """A problem, its sheet and column named as the reader's workbook names them."""
        self.append({"sheet": _(sheet), "row": row, "column": _(column) if column else "", "message": message})


class _Bad(Exception):
    """A cell that cannot be read; the message says why."""


def parse_workbook(uploaded_file, *, user: User, period: ReportingPeriod) -> Parsed:
    """Read a completed return workbook for ``period`` as ``user``.

    The file is opened once in read-only mode *without* ``data_only``: a formula cell
    then arrives as a formula (``data_type == "f"``) and is refused, rather than as a
    cached value that may be stale or absent; every other cell arrives as typed.
    openpyxl parses the XML with defusedxml (installed), so entity tricks are refused too.
    Raises ValidationError naming the file if it cannot be read at all."""
    name = os.path.basename(uploaded_file.name or "") or _("The file")
    unreadable = uploads.unreadable(name)
    uploaded_file.seek(0)
    try:
        workbook = load_workbook(uploaded_file, read_only=True, data_only=False, keep_links=False)
    except Exception as error:  # any failure to parse an untrusted file is the file's fault
        raise unreadable from error
    try:
        rows, problems, plan_slug = _read(workbook, period)
    except Exception as error:
        raise unreadable from error
    finally:
        workbook.close()
    changes = _changes(rows, problems, user=user, period=period)
    position = _position()
    problems.sort(key=lambda p: (p["sheet"] != _(README), p["row"] or 0, position.get(p["column"], 0)))
    return Parsed(changes=changes, problems=list(problems), plan_slug=plan_slug)


def _read(workbook, period: ReportingPeriod) -> tuple[list[tuple[int, dict]], _Problems, str]:
    """The Returns sheet's rows (row number → {heading: cell}), with the problems found
    in the sheets' shape, and the plan code from the Read me sheet."""
    problems = _Problems()
    plan_slug = ""
    readme, returns = _sheet(workbook, README), _sheet(workbook, SHEET)
    if readme is not None:
        facts = {}
        for cells in workbook[readme].iter_rows(min_row=1, max_row=40, max_col=2, values_only=True):
            if cells and isinstance(cells[0], str):
                facts[cells[0].strip().casefold()] = cells[1] if len(cells) > 1 else None
        facts = {label: _unescape(value) if isinstance(value, str) else value for label, value in facts.items()}
        code = _fact(facts, QUARTER_CODE)
        if isinstance(code, str) and code.strip() and code.strip() != period.slug:
            problems.add(
                README,
                None,
                "",
                _(
                    "This workbook is for the quarter %(code)s, not %(period)s (%(slug)s). "
                    "Choose %(code)s when you upload it, or download a workbook for %(period)s."
                )
                % {"code": code.strip(), "period": period.label, "slug": period.slug},
            )
        plan_slug = str(_fact(facts, PLAN_CODE) or "").strip()
    if returns is None:
        problems.add(SHEET, None, "", _("The sheet is missing. Upload the workbook downloaded from this site."))
        return [], problems, plan_slug
    lines = workbook[returns].iter_rows(max_row=MAX_ROWS + 2, max_col=MAX_COLUMNS)
    header = next(lines, ())
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        if isinstance(cell.value, str) and cell.value.strip():
            columns.setdefault(cell.value.strip().casefold(), index)
    by_heading = {name: column.heading for column in COLUMNS for name in in_every_language(column.heading)}
    present = {by_heading[name] for name in columns if name in by_heading}
    missing = [column for column in REQUIRED if column.heading not in present]
    for column in missing:
        problems.add(
            SHEET,
            1,
            column.heading,
            _(
                "The column “%(column)s” is missing. Download a fresh workbook, or put the column back "
                "with its heading in row 1."
            )
            % {"column": _(column.heading)},
        )
    if missing:
        return [], problems, plan_slug
    headings = {index: heading for heading, index in columns.items()}
    rows = []
    for number, cells in enumerate(lines, start=2):
        if number > MAX_ROWS + 1:
            if any(cell.value is not None for cell in cells):
                problems.add(
                    SHEET,
                    number,
                    "",
                    _("A workbook may have at most %(rows)s rows of returns.") % {"rows": f"{MAX_ROWS:,}"},
                )
            break
        row, found = {}, len(problems)
        for index, cell in enumerate(cells):
            if cell.value is None:
                continue
            heading = by_heading.get(headings.get(index, ""), get_column_letter(index + 1))
            # a formula is a formula cell; text that starts with "=" in a string cell is text
            # (our downloads write it so; Excel stores '=… typed by hand so) and is never evaluated
            if cell.data_type == "f":
                problems.add(SHEET, number, heading, _("Formulas are not accepted: type the value itself."))
            elif cell.data_type == "e":
                problems.add(
                    SHEET,
                    number,
                    heading,
                    _("The cell shows an error (%(error)s): type the value.") % {"error": cell.value},
                )
            else:
                row[heading] = (cell.value, _number_format(cell))
        if row and len(problems) == found:  # a row with an unreadable cell is reported, not half-read
            rows.append((number, row))
    return rows, problems, plan_slug


def _sheet(workbook, name: str) -> str | None:
    """The workbook's sheet called ``name`` in any of the site's languages."""
    names = in_every_language(name)
    return next((sheet for sheet in workbook.sheetnames if sheet.strip().casefold() in names), None)


def _fact(facts: dict, label: str):
    """The Read me sheet's value for ``label``, written in any of the site's languages."""
    return next((facts[name] for name in in_every_language(label) if name in facts), None)


def _number_format(cell) -> str:
    try:
        return cell.number_format or ""
    except (AttributeError, IndexError, KeyError):
        return ""


def _changes(rows: list[tuple[int, dict]], problems: _Problems, *, user: User, period: ReportingPeriod) -> list[dict]:
    """Each non-blank row checked against the item, the uploader and what is saved now."""
    wanted = [(number, row) for number, row in rows if not _blank(row)]
    ids = {}
    for number, row in wanted:
        try:
            ids[number] = _whole_number(row.get(ITEM_ID.heading, (None, ""))[0], ITEM_ID.heading)
        except _Bad as bad:
            problems.add(SHEET, number, ITEM_ID.heading, str(bad))
    items = _items(pk for pk in ids.values() if pk is not None)
    returns = ProgressReturn.objects.filter(period=period, item_id__in=list(items)).select_related("author")
    done = milestones.done_in(PlanItem.objects.filter(pk__in=list(items), kind=milestones.MILESTONE).values("pk"))
    saved = {r.item_id: r for r in returns}  # with their authors, whom a conflict names
    versions = _versions_then(wanted, ids, saved)
    seen: dict[int, int] = {}
    changes = []
    for number, row in wanted:
        if number not in ids:
            continue
        item_id = ids[number]
        item = items.get(item_id)
        message = _refusal(user, item, item_id, period)
        if message:
            problems.add(SHEET, number, ITEM_ID.heading, message)
            continue
        if item_id in done and done[item_id] < milestones.key(period):
            problems.add(
                SHEET,
                number,
                HEADING["milestone_state"],
                _("“%(item)s” was reported done before: done is final.") % {"item": item.title},
            )
            continue
        if item_id in seen:
            problems.add(
                SHEET,
                number,
                ITEM_ID.heading,
                _("Item %(item)s is also in row %(row)s: keep one row per item.")
                % {"item": item_id, "row": seen[item_id]},
            )
            continue
        seen[item_id] = number
        ret = saved.get(item_id)
        change = _row_change(number, row, item, ret, problems, period, versions)
        if change is None:
            continue
        changes.append(change)
        try:
            # what return_save would refuse, checked on a copy: the saved return stays as read
            services.return_check(
                item=item,
                period=period,
                stored=copy.copy(ret),
                fields=_fields(change),
                expected_version=change["expected_version"],
                submit=change["submit"],
            )
        except (EditConflict, ValidationError) as refusal:
            _service_refusal(problems, change["row"], item, refusal)
    return changes


def _versions_then(wanted: list[tuple[int, dict]], ids: dict[int, int], saved: dict[int, ProgressReturn]) -> dict:
    """(return id, version) → the return as it stood at that version, for every row whose
    version differs from its saved return's, read in two queries whatever the rows: which
    history row is the latest of each version (ids only), then those rows."""
    wanted_pairs = set()
    for number, row in wanted:
        ret = saved.get(ids.get(number))
        try:
            version = _whole_number(row.get(VERSION.heading, (None, ""))[0], VERSION.heading)
        except _Bad:
            continue  # the row reports it
        if ret is not None and version != ret.version:
            wanted_pairs.add((ret.pk, version))
    if not wanted_pairs:
        return {}
    latest: dict[tuple[int, int], int] = {}
    found = (
        ProgressReturn.history.filter(
            id__in={pk for pk, _ in wanted_pairs}, version__in={version for _, version in wanted_pairs}
        )
        .order_by("-history_date", "-history_id")
        .values_list("id", "version", "history_id")
    )
    for pk, version, history_id in found:
        if (pk, version) in wanted_pairs:
            latest.setdefault((pk, version), history_id)
    return {(then.id, then.version): then for then in ProgressReturn.history.filter(history_id__in=latest.values())}


def _items(ids: Iterable[int]) -> dict[int, PlanItem]:
    """The items ``ids`` with what deciding who may report on them needs: their leads and
    their plans (with owners, organisations and shares). Three queries however many there
    are (``in_bulk`` would split them into batches of 999 on SQLite), and one plan object
    for all the items of a plan: a plan copied into each of 1,900 rows, and its shares
    fetched for each copy, took a fifth of a full-size upload."""
    plans = Plan.objects.select_related("organisation", "owner").prefetch_related("shares")
    items = (
        PlanItem.objects.select_related("lead_officer", "lead_organisation")
        .prefetch_related(Prefetch("plan", queryset=plans))
        .filter(pk__in=set(ids))
    )
    return {item.pk: item for item in items}


def _blank(row: dict) -> bool:
    """Nothing entered in any writable cell (a Submit? of No counts as nothing)."""
    for column in WRITABLE:
        value = row.get(column.heading, (None, ""))[0]
        if column.field == SUBMIT and isinstance(value, str) and value.strip().casefold() in in_every_language(NO):
            continue
        if value is not None and not (isinstance(value, str) and not value.strip()):
            return False
    return True


def _refusal(user: User, item: PlanItem | None, item_id: int, period: ReportingPeriod) -> str:
    """Why the row's item cannot take a return from ``user`` for ``period``, or ""."""
    visible = item is not None and item.kind in RETURN_KINDS and (is_lead(user, item) or can(user, "view", item.plan))
    if not visible:
        return _("There is no action, target or milestone with the ID %(id)s that you can report on.") % {"id": item_id}
    if item.plan.status != Plan.Status.APPROVED:
        return _("“%(item)s” is in a plan that is not approved: returns are made on approved plans only.") % {
            "item": item.title
        }
    if not period.covers_plan(item.plan):
        return _("“%(item)s” is in %(plan)s, which does not run in %(period)s.") % {
            "item": item.title,
            "plan": item.plan.title,
            "period": period.label,
        }
    if not can_fill(user, item):
        return _("You cannot report on “%(item)s”: only its lead and the plan's officers can.") % {"item": item.title}
    return ""


def _row_change(
    number: int,
    row: dict,
    item: PlanItem,
    ret: ProgressReturn | None,
    problems: _Problems,
    period: ReportingPeriod,
    versions: dict,
) -> dict | None:
    """The change one row asks for, or None when it asks for none or has problems."""
    found = len(problems)
    values: dict = {}
    for column in WRITABLE:
        value, number_format = row.get(column.heading, (None, ""))
        try:
            values[column.field] = _cell(column.field, value, number_format, item)
        except _Bad as bad:
            problems.add(SHEET, number, column.heading, str(bad))
    try:
        version = _whole_number(row.get(VERSION.heading, (None, ""))[0], VERSION.heading)
    except _Bad as bad:
        problems.add(SHEET, number, VERSION.heading, str(bad))
        version = None
    if len(problems) > found:
        return None
    submit = values.pop(SUBMIT)
    before = _stored(ret)
    if item.kind == milestones.MILESTONE:  # its RAG follows from its status: the cell is only shown
        values["rag"] = before["rag"]
    fields = {name: value for name, value in values.items() if value != before[name]}
    if not fields and not (submit and (ret is None or ret.is_editable)):
        return None
    stored_version = ret.version if ret else 0
    if version != stored_version:
        if _untouched(ret, version, values, submit, versions):
            return None
        _conflict(problems, number, item, ret)
        return None
    if period.is_locked:
        problems.add(
            SHEET, number, "", _("%(period)s is locked: it has been reported to members.") % {"period": period.label}
        )
        return None
    if ret is not None and not ret.is_editable:
        problems.add(
            SHEET,
            number,
            "",
            _(LOCKED_RETURN.get(ret.state, LOCKED_RETURN[ProgressReturn.State.ACCEPTED])) % {"item": item.title},
        )
        return None
    return {
        "row": number,
        "item_id": item.pk,
        "period_id": period.pk,
        "expected_version": stored_version,
        "fields": {name: _json(value) for name, value in fields.items()},
        "submit": submit,
        "item": item.title,
        "plan": item.plan.title,
        "shown": [
            {"column": _(HEADING[name]), "before": _display(name, before[name]), "after": _display(name, value)}
            for name, value in fields.items()
        ],
    }


def _untouched(ret: ProgressReturn | None, version: int, values: dict, submit: bool, versions: dict) -> bool:
    """Does the row hold exactly what the return held at the version it was downloaded
    at (``versions``, from ``_versions_then``)? Then the row was left alone, and someone
    else's later change is no conflict."""
    if ret is None or submit:
        return False
    then = versions.get((ret.pk, version))
    return then is not None and _stored(then) == values


# a return that can no longer change, by its state
LOCKED_RETURN = {
    ProgressReturn.State.SUBMITTED: gettext_noop(
        "The return for “%(item)s” is submitted: it can no longer be changed. Put the row back as it was."
    ),
    ProgressReturn.State.ACCEPTED: gettext_noop(
        "The return for “%(item)s” is accepted: it can no longer be changed. Put the row back as it was."
    ),
}


def _stored(ret: ProgressReturn | None) -> dict:
    if ret is None:
        return {name: None if name in NULLABLE else "" for name in HEADING if name != SUBMIT}
    stored = {name: getattr(ret, name) for name in HEADING if name != SUBMIT}
    for name in TEXT_FIELDS:
        stored[name] = _lines(stored[name])
    return stored


def _lines(text: str) -> str:
    """Line ends as a spreadsheet keeps them (XML turns CR LF into LF), without the
    blanks around the text that forms strip too."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _cell(field: str, value, number_format: str, item: PlanItem):
    """A cell's value as the return field holds it, or _Bad saying what is wrong."""
    if isinstance(value, str):
        value = _unescape(value)
        if not value.strip():
            value = None
    if field == "rag":
        if value is None:
            return ""
        rag = _by_label(Rag).get(str(value).strip().casefold())
        if rag is None:
            raise _Bad(
                _("“%(value)s” is not a RAG rating. Choose one of %(choices)s.")
                % {"value": value, "choices": _listed(Rag)}
            )
        return rag
    if field == "actual_value":
        number = _decimal(value, number_format)
        message = services.check_actual_value(item, number)
        if message:
            raise _Bad(message)
        return number
    if field == "milestone_state":
        if value is None:
            return ""
        state = _by_label(Milestone).get(str(value).strip().casefold())
        if state is None:
            raise _Bad(
                _("“%(value)s” is not a milestone status. Choose one of %(choices)s.")
                % {"value": value, "choices": _listed(Milestone)}
            )
        return state
    if field == "spend_to_date":
        # pounds: "£1,200" as typed is 1200, and a percentage format means nothing here
        number = _decimal(value.strip().removeprefix("£") if isinstance(value, str) else value, "")
        message = services.check_spend(item, number)
        if message:
            raise _Bad(message)
        return number
    if field in DATE_FIELDS:
        return _date(value)
    if field == SUBMIT:
        answer = "" if value is None else str(value).strip().casefold()
        if answer and answer not in in_every_language(YES) | in_every_language(NO):
            raise _Bad(_("“%(value)s” is not Yes or No.") % {"value": value})
        return answer in in_every_language(YES)
    text = _text(value)  # its length and characters are checked with the return (services.return_problems)
    if field == "evidence_url" and text:
        if len(text) > 500:
            raise _Bad(_("The link is longer than 500 characters."))
        try:
            URLValidator(schemes=["http", "https"])(text)
        except ValidationError:
            raise _Bad(_("“%(text)s” is not a web address: it should start https://") % {"text": text[:100]}) from None
    return text


def _unescape(text: str) -> str:
    """Take off the quote that downloads made before issue 12 put before text that starts
    like a formula (they now write such text as typed, in a string cell)."""
    return text[1:] if text.startswith("'") and text[1:].startswith(SPREADSHEET_TRIGGERS) else text


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _(YES) if value else _(NO)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _lines(str(value))


def _whole_number(value, heading: str) -> int:
    if isinstance(value, str):
        value = value.strip()
        if (number := parse_id(value)) is not None:
            return number
    elif isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value < 10**18 and value % 1 == 0:
        return int(value)
    if value is None or value == "":
        raise _Bad(_("The %(column)s is missing. Copy the row from a fresh workbook.") % {"column": _(heading)})
    raise _Bad(
        _("“%(value)s” is not a valid %(column)s: copy it from the downloaded workbook.")
        % {"value": value, "column": _(heading)}
    )


def _decimal(value, number_format: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool | date | datetime):
        raise _Bad(_("“%(value)s” is not a number.") % {"value": value})
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
        if "%" in number_format:
            # a cell formatted as a percentage shows 75% but holds 0.75: take what the reader sees
            number *= 100
    else:
        text = str(value).strip().replace(",", "")
        try:
            number = Decimal(text.removesuffix("%").strip())
        except InvalidOperation:
            raise _Bad(_("“%(value)s” is not a number.") % {"value": value}) from None
    if not number.is_finite():
        raise _Bad(_("“%(value)s” is not a number.") % {"value": value})
    if number.normalize().as_tuple().exponent < -2:
        raise _Bad(_("%(value)s has more than 2 decimal places.") % {"value": value})
    if abs(number) >= Decimal(10) ** 12:
        raise _Bad(_("%(value)s is too large.") % {"value": value})
    return number.quantize(Decimal("0.01"))


def _date(value) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d %B %Y", "%d %b %Y"):
            try:
                return datetime.strptime(text, pattern).date()
            except ValueError:
                continue
    raise _Bad(_("“%(value)s” is not a date. Enter a date, for example 31/01/2014.") % {"value": value})


def _json(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _display(field: str, value) -> str:
    if value is None or value == "":
        return ""
    if field == "rag":
        return str(Rag(value).label)
    if field == "milestone_state":
        return str(Milestone(value).label)
    if isinstance(value, date):
        return formats.date_format(value, "j F Y")
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


# --- upload: writing -------------------------------------------------------------------------


class ApplyFailed(Exception):
    """Some change could not be saved, so none was: ``problems`` says which and why."""

    def __init__(self, problems: list[dict]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def _fields(change: dict) -> dict:
    fields = dict(change["fields"])
    for name in ("actual_value", "spend_to_date"):
        if fields.get(name) is not None:
            fields[name] = Decimal(fields[name])
    for name in DATE_FIELDS:
        if fields.get(name):
            fields[name] = date.fromisoformat(fields[name])
    return fields


def _write_all(changes: list[dict], *, user: User, period: ReportingPeriod) -> tuple[int, list[dict]]:
    """Save each change through ``services.return_save`` (each in its own savepoint),
    collecting every refusal. The caller holds the transaction and decides whether to
    keep what was saved."""
    problems = _Problems()
    items = _items(change["item_id"] for change in changes)
    saved = 0
    for change in changes:
        item = items.get(change["item_id"])
        refusal = _refusal(user, item, change["item_id"], period)
        if refusal:
            problems.add(SHEET, change["row"], ITEM_ID.heading, refusal)
            continue
        try:
            services.return_save(
                item=item,
                period=period,
                user=user,
                fields=_fields(change),
                expected_version=change["expected_version"],
                submit=change["submit"],
            )
        except (EditConflict, ValidationError) as refusal:
            _service_refusal(problems, change["row"], item, refusal)
        else:
            saved += 1
    return saved, list(problems)


def _conflict(problems: _Problems, number: int, item: PlanItem, stored: ProgressReturn | None) -> None:
    if getattr(stored, "author", None):
        message = _(
            "The return for “%(item)s” has changed by %(author)s since this workbook was downloaded. "
            "Download a fresh workbook and make your changes there."
        ) % {"item": item.title, "author": stored.author}
    else:
        message = _(
            "The return for “%(item)s” has changed since this workbook was downloaded. "
            "Download a fresh workbook and make your changes there."
        ) % {"item": item.title}
    problems.add(SHEET, number, VERSION.heading, message)


def _service_refusal(problems: _Problems, number: int, item: PlanItem, refusal: Exception) -> None:
    """What the return service refused (on saving, or on checking for the preview), named
    by row and column."""
    if isinstance(refusal, EditConflict):
        _conflict(problems, number, item, refusal.stored)
        return
    named = refusal.message_dict if hasattr(refusal, "error_dict") else {"": refusal.messages}
    for name, messages in named.items():
        column = HEADING.get(name, "")
        for message in messages:
            problems.add(SHEET, number, column, message)


def upload_apply(*, upload_id: int, user: User) -> int:
    """Save every change of ``user``'s upload in one transaction, or none of them.

    Refuses (ValidationError) an upload already applied, with problems, or with nothing
    to save. If a change fails now (someone saved a return since the preview), nothing
    is saved, the problems are recorded on the upload and ``ApplyFailed`` is raised.
    Returns how many returns were saved."""
    try:
        with transaction.atomic():
            # the upload row alone is locked: two presses of "Save all" save once
            upload = WorkbookUpload.objects.select_for_update().get(pk=upload_id)
            if upload.uploaded_by_id != user.pk:
                raise WorkbookUpload.DoesNotExist
            if upload.applied_at is not None:
                raise ValidationError(_("This workbook has already been saved."))
            if upload.problems:
                raise ValidationError(_("This workbook has problems: put them right and upload it again."))
            if not upload.changes:
                raise ValidationError(_("This workbook changes nothing, so there is nothing to save."))
            period = ReportingPeriod.objects.get(pk=upload.period_id)
            saved, problems = _write_all(upload.changes, user=user, period=period)
            if problems:
                raise ApplyFailed(problems)
            upload.applied_at = timezone.now()
            upload.save(update_fields=["applied_at"])
            return saved
    except ApplyFailed as failed:
        WorkbookUpload.objects.filter(pk=upload_id).update(problems=failed.problems)
        raise


def upload_create(uploaded_file, *, user: User, period: ReportingPeriod) -> WorkbookUpload:
    """Parse a checked workbook and keep the result for its preview."""
    parsed = parse_workbook(uploaded_file, user=user, period=period)
    plan = None
    if parsed.plan_slug:
        plan = Plan.objects.filter(slug=parsed.plan_slug).first()
        if plan is not None and not can(user, "change", plan):
            plan = None
    return WorkbookUpload.objects.create(
        uploaded_by=user,
        period=period,
        organisation=None if plan else user.organisation,
        plan=plan,
        filename=(os.path.basename(uploaded_file.name or "") or "workbook.xlsx")[-200:],
        changes=parsed.changes,
        problems=parsed.problems,
    )
