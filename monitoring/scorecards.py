"""The quarterly scorecard of a plan: what elected members read.

``build`` reads a plan (optionally with every plan beneath it in the thread) and its
returns for the quarters of the year so far in a fixed number of queries, and works
everything else out in Python. Its result is plain data — strings, numbers, lists and
dicts, every value already formatted for the page — for two reasons:

* the page and the PDF only print it (per-cell template filters are where long pages
  lose their time);
* a locked quarter's scorecard is stored as that data when the quarter is locked
  (``ScorecardSnapshot``), and shown from the store ever after, so it reads exactly as
  it did when it was reported, whatever happens to the plan later.
"""

from collections import Counter, defaultdict
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.db.models import Case, Q, TextField, Value, When
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from config.html import ID, IdUrl
from monitoring import milestones, scorecard_risks, trajectory
from monitoring.access import REPORTED_KINDS
from monitoring.models import (
    CADENCE_OF_LETTER,
    PERIODS_IN_YEAR,
    ProgressReturn,
    ReportingPeriod,
    ScorecardSnapshot,
    period_dates,
)
from planning import budgets
from planning.formatting import expected_measure, measure, month_year, pounds, short_date
from planning.models import Plan, PlanItem
from planning.selectors import references
from planning.wording import in_sentence, plural, with_article

State = ProgressReturn.State
RAG_ORDER = ["red", "amber", "green", "complete", "not_started"]
RAG_LABELS = dict(ProgressReturn.Rag.choices)
# how good a rating is, for "improved" / "worsened" between quarters
RAG_RANK = {"red": 0, "amber": 1, "green": 2, "complete": 3}
RECEIVED = ProgressReturn.RECEIVED
STATE_LABELS = dict(State.choices)
# bump when the shape of the data changes; stored snapshots carry it. 2 (issue 17): "milestones"
# (decision 0024), "spend" (decision 0023), "thread" (a corporate or strategic plan's thread view,
# None elsewhere) and "risks" (decision 0026); a card stored before has none of them, and shows none.
# Issue 18 (Welsh and English) added keys without bumping it, as nothing that reads a card needs
# them: the words are put in at render, in the reader's language (``relabel``), from codes the
# data keeps: "state_code" of outstanding rows, "unit_code" and "direction_code" of targets,
# "threshold_by", "generated_at", each trend quarter's "slug" and "short", "outside" on the rows
# of items under no priority, and the Welsh of titles ("title_cy", "plan_cy"; decision 0033). A
# card stored before them has the English words and the codes most of them follow from (rag,
# status, derived); what none follows from reads as stored
SCHEMA = 2
NO_RETURN = gettext_lazy("No return")
NOT_GIVEN = "Not given"  # how schema 2 stored spend not given
NOT_STATED = "Not stated"  # a cost with no funding source: its column, named at render
THRESHOLD_BY = {"plan": gettext_lazy("the plan"), "council": gettext_lazy("the council’s default")}
# a period's name on the trend chart: the first word of its name in English
TERM_ON_CHART = {
    1: pgettext_lazy("the autumn term on a chart", "Autumn"),
    2: pgettext_lazy("the spring term on a chart", "Spring"),
    3: pgettext_lazy("the summer term on a chart", "Summer"),
}
LABELLED_KINDS = ("priority", "action", "target", "milestone")  # the levels a scorecard names


class Item(NamedTuple):
    """An item as the scorecard reads it: the fields it uses, read as one tuple per row
    (model instances of a 2,000-item plan cost more than the rest of the scorecard)."""

    pk: int
    plan_id: int
    parent_id: int | None
    kind: str
    title: str
    officer_first: str | None
    officer_last: str | None
    officer_username: str | None
    organisation_name: str | None
    cost_amount: Decimal | None
    cost_type: str
    funding_source: str
    unit: str
    baseline_value: Decimal | None
    baseline_date: object
    target_value: Decimal | None
    target_date: object
    direction: str
    amber_tolerance: Decimal | None
    due_date: object
    title_cy: str = ""  # shown to Welsh readers where written (decision 0033)

    @property
    def is_target(self) -> bool:
        return self.kind == PlanItem.Kind.TARGET


# the columns Item's fields are read from, in its order
ITEM_COLUMNS = (
    "pk", "plan_id", "parent_id", "kind", "title", "lead_officer__first_name", "lead_officer__last_name",
    "lead_officer__username", "lead_organisation__name", "cost_amount", "cost_type", "funding_source", "unit",
    "baseline_value", "baseline_date", "target_value", "target_date", "direction", "amber_tolerance", "due_date",
    "title_cy",
)  # fmt: skip
DIRECTIONS = dict(PlanItem.Direction.choices)
UNITS = dict(PlanItem.Unit.choices)


class Ret(NamedTuple):
    """A return as the scorecard reads it."""

    state: str
    rag: str
    actual_value: Decimal | None
    narrative: str
    # a milestone's (issue 17): what the roll-up along the thread reads leaves them out
    milestone_state: str = ""
    completed_on: object = None
    revised_due_date: object = None
    revision_reason: str = ""
    spend_to_date: Decimal | None = None  # this quarter's, for actions (decision 0023)
    narrative_cy: str = ""  # the narrative in Welsh, where written (decision 0033)


def periods_so_far(period: ReportingPeriod) -> list[ReportingPeriod]:
    """The periods of ``period``'s year and cadence up to and including it."""
    return list(
        ReportingPeriod.objects.filter(
            cadence=period.cadence, start_year=period.start_year, quarter__lte=period.quarter
        )
    )


def plans_in_scope(plan: Plan, include_children: bool) -> list[Plan]:
    """The plan, and with ``include_children`` every approved plan beneath it that reports
    in the same periods (a termly plan beneath a quarterly one has its own scorecard of
    terms, and reaches the corporate priorities through the thread view: decision 0028)."""
    if not include_children:
        return [plan]
    below = plan.get_descendants().approved().filter(cadence=plan.cadence).select_related("organisation")
    return [plan, *below]


def build(plan: Plan, period: ReportingPeriod, *, include_children: bool = False) -> dict:
    """The scorecard of ``plan`` for ``period`` as plain data (six queries)."""
    plans = plans_in_scope(plan, include_children)
    plan_by_id = {p.pk: p for p in plans}
    periods = periods_so_far(period)
    items = [
        Item(*values)
        for values in PlanItem.objects.filter(plan__in=plans)
        .order_by("plan__tree_id", "plan__lft", "tree_id", "lft")
        .values_list(*ITEM_COLUMNS)
    ]
    refs = references(items)
    # plain tuples, not model instances: a year of a large plan is thousands of returns; the
    # value and narrative only for this quarter (earlier ones are counted, never shown)
    this_quarter = Q(period=period)
    found: dict[tuple[int, int], Ret] = {
        (item_id, period_id): Ret(*values)
        for item_id, period_id, *values in ProgressReturn.objects.filter(
            item__plan__in=plans, period__in=periods
        ).values_list(
            "item_id",
            "period_id",
            "state",
            "rag",
            Case(When(this_quarter, then="actual_value"), output_field=ProgressReturn._meta.get_field("actual_value")),
            Case(When(this_quarter, then="narrative"), default=Value(""), output_field=TextField()),
            "milestone_state",
            "completed_on",
            "revised_due_date",
            Case(When(this_quarter, then="revision_reason"), default=Value(""), output_field=TextField()),
            Case(
                When(this_quarter, then="spend_to_date"), output_field=ProgressReturn._meta.get_field("spend_to_date")
            ),
            Case(When(this_quarter, then="narrative_cy"), default=Value(""), output_field=TextField()),
        )
    }
    done = milestones.done_in(PlanItem.objects.filter(plan__in=plans, kind=milestones.MILESTONE).values("pk"))
    profiles = budgets.profiles_for(plans)
    # each plan's return address reversed once, not once per row (thousands of rows)
    detail_urls = {p.pk: IdUrl("monitoring:return-detail", p.slug, ID, period.slug) for p in plans}
    previous = periods[-2] if len(periods) > 1 else None
    by_id = {item.pk: item for item in items}
    priority_of = _top_priorities(items, by_id)
    labels = {kind: plan.label_for(kind) for kind in LABELLED_KINDS}
    outside = _outside(labels)

    rows, targets, exceptions, outstanding, milestone_rows, spending = [], [], [], [], [], []
    missing = 0  # actions and targets with no return received (outstanding holds milestones too)
    limits = {p.pk: budgets.threshold(p) for p in plans}
    overall: Counter = Counter()
    per_priority: dict[int, Counter] = defaultdict(Counter)
    movement: Counter = Counter()
    # read once, not once per row: a model's pk is a property, and many rows share a lead,
    # a unit and a value
    now_id, before_id, due = period.pk, previous.pk if previous else None, short_date(period.due_on)
    leads = Leads()
    measures = Measures()
    for item in items:
        if item.kind == milestones.MILESTONE:
            ret = found.get((item.pk, now_id))
            expected = milestones.expects(
                item.kind, item.due_date, period, done=done.get(item.pk), has_return=ret is not None
            )
            if expected:
                owner = plan_by_id[item.plan_id]
                lead = leads[item.officer_first, item.officer_last, item.officer_username, item.organisation_name]
                row = milestone_row(item, ret, owner, refs[item.pk], detail_urls[owner.pk](item.pk), lead)
                milestone_rows.append(row)
                if not row["status"]:
                    outstanding.append({**row, **_state(ret), "due": due})
            continue
        if item.kind not in REPORTED_KINDS:
            continue
        owner = plan_by_id[item.plan_id]
        ret = found.get((item.pk, now_id))
        rag = ret.rag if ret and ret.state in RECEIVED else ""
        before = found.get((item.pk, before_id)) if before_id else None
        before_rag = before.rag if before and before.state in RECEIVED else ""
        change = _change(before_rag, rag)
        url = detail_urls[owner.pk](item.pk)
        row = {
            "id": item.pk,
            "plan": owner.title,
            "reference": refs[item.pk],
            "label": owner.label_for(item.kind),
            "title": item.title,
            "url": url,
            "lead": leads[item.officer_first, item.officer_last, item.officer_username, item.organisation_name],
            "rag": rag,
            "rag_label": str(RAG_LABELS.get(rag, NO_RETURN)),
            "previous_rag": before_rag,
            "change": change,
            "narrative": ret.narrative if ret and ret.state in RECEIVED else "",
            # the Welsh, where written: shown to Welsh readers (``relabel``, decision 0033)
            "title_cy": item.title_cy,
            "plan_cy": owner.title_cy,
            "narrative_cy": ret.narrative_cy if ret and ret.state in RECEIVED else "",
        }
        rows.append(row)
        key = rag or "none"
        overall[key] += 1
        per_priority[priority_of.get(item.pk, 0)][key] += 1
        if change:
            movement[change] += 1
        if not ret or ret.state not in RECEIVED:
            missing += 1
            outstanding.append({**row, **_state(ret), "due": due})
        if rag == "red" or (rag == "amber" and before_rag not in {"amber", "red"}):
            exceptions.append({**row, "why": _why(rag)})
        if item.is_target:
            targets.append(target_row(item, row, period, ret, measures))
        elif item.pk in profiles or (ret and ret.state in RECEIVED and ret.spend_to_date is not None):
            spending.append(spend_row(item, row, period, ret, profiles, limits[item.plan_id]))

    return {
        "schema": SCHEMA,
        "plan": {
            "id": plan.pk,
            "title": plan.title,
            "title_cy": plan.title_cy,
            "slug": plan.slug,
            "organisation": str(plan.organisation),
        },
        "period": {"label": period.label, "slug": period.slug, "due": formats.date_format(period.due_on, "j F Y")},
        "include_children": include_children,
        "labels": labels,  # the plan's own names for its levels, stored with the rest
        "plans": [
            {"title": p.title, "title_cy": p.title_cy, "slug": p.slug, "organisation": str(p.organisation)}
            for p in plans
        ],
        **_generated(timezone.now()),
        "reported": len(rows),
        "received": len(rows) - missing,
        "rag_counts": rag_counts(overall),
        "priorities": _priority_counts(per_priority, by_id, refs, plan_by_id, outside),
        "movement": {name: movement[name] for name in ("improved", "worsened", "same", "new")},
        "exceptions": exceptions,
        "changes": [row for row in rows if row["change"] in {"improved", "worsened"}],
        "outstanding": outstanding,
        "targets": targets,
        "trend": _trend(rows, periods, found),
        "costs": _costs(items, profiles, priority_of, by_id, refs, plan_by_id, outside),
        "spend": _spend(spending, plan, plans),
        "rows": rows,
        "milestones": milestone_summary(milestone_rows),
        "thread": _thread(plan, period),
        "risks": scorecard_risks.build(plan, period),
    }


MILESTONE_STATES = dict(ProgressReturn.Milestone.choices)


def milestone_row(item: Item, ret: Ret | None, owner: Plan, reference: str, url: str, lead: str) -> dict:
    """A milestone due in the quarter: done (with its day), on track, or late (with its new
    date and reason) as its received return says; no status while none is received."""
    received = ret is not None and ret.state in RECEIVED
    status = ret.milestone_state if received else ""
    return {
        "id": item.pk,
        "plan": owner.title,
        "reference": reference,
        "label": owner.label_for(item.kind),
        "title": item.title,
        "url": url,
        "lead": lead,
        "due_date": short_date(item.due_date) if item.due_date else "",
        "status": status,
        "status_label": str(MILESTONE_STATES.get(status, NO_RETURN)),
        "rag": ret.rag if received else "",
        "done_on": short_date(ret.completed_on) if received and ret.completed_on else "",
        "revised": short_date(ret.revised_due_date) if received and ret.revised_due_date else "",
        "reason": ret.revision_reason if received else "",
        "narrative": ret.narrative if received else "",
        "title_cy": item.title_cy,
        "plan_cy": owner.title_cy,
        "narrative_cy": ret.narrative_cy if received else "",
    }


def milestone_summary(rows: list[dict]) -> dict:
    """The milestones due in the quarter, counted by status ("" for no return)."""
    counts = Counter(row["status"] for row in rows)
    return {
        "counts": [
            {"status": status, "label": str(label), "count": counts[status]}
            for status, label in [*MILESTONE_STATES.items(), ("", NO_RETURN)]
        ],
        "rows": rows,
    }


def _thread(plan: Plan, period: ReportingPeriod) -> dict | None:
    """The thread view (``monitoring.scorecard_thread``, which builds on this module, so
    it is imported when first asked for)."""
    from monitoring import scorecard_thread

    return scorecard_thread.build(plan, period)


def _item_url(plan: Plan, item: "Item") -> str:
    return reverse("planning:item-detail", args=[plan.slug, item.pk])


def _change(before: str, now: str) -> str:
    """improved, worsened, same, new (first rated this quarter), or "" (no rating now)."""
    if not now:
        return ""
    if not before:
        return "new"
    if before == now or before not in RAG_RANK or now not in RAG_RANK:
        return "same" if before == now else ("improved" if now == "complete" else "same")
    return "improved" if RAG_RANK[now] > RAG_RANK[before] else "worsened"


def _top_priorities(items: list[PlanItem], by_id: dict[int, PlanItem]) -> dict[int, int]:
    """Each item → the top-level priority it sits under (0 if none)."""
    top: dict[int, int] = {}
    for item in items:  # reading order: a parent comes before its children
        parent = by_id.get(item.parent_id) if item.parent_id else None
        if item.kind == PlanItem.Kind.PRIORITY and (parent is None or parent.kind == PlanItem.Kind.VISION):
            top[item.pk] = item.pk
        elif parent is not None:
            top[item.pk] = top.get(parent.pk, 0)
    return top


def rag_counts(counter: Counter) -> list[dict]:
    total = sum(counter.values()) or 1
    rows = [
        {"rag": rag, "label": str(RAG_LABELS[rag]), "count": counter[rag], "percent": round(100 * counter[rag] / total)}
        for rag in RAG_ORDER
    ]
    rows.append(
        {"rag": "", "label": str(NO_RETURN), "count": counter["none"], "percent": round(100 * counter["none"] / total)}
    )
    return rows


def _priority_counts(per_priority, by_id, refs, plan_by_id, outside: str) -> list[dict]:
    result = []
    for priority_id, counter in per_priority.items():
        priority = by_id.get(priority_id)
        result.append(
            {
                "reference": refs.get(priority_id, ""),
                "title": priority.title if priority else outside,
                "outside": priority is None,
                "plan": plan_by_id[priority.plan_id].title if priority else "",
                "title_cy": priority.title_cy if priority else "",
                "plan_cy": plan_by_id[priority.plan_id].title_cy if priority else "",
                "url": _item_url(plan_by_id[priority.plan_id], priority) if priority else "",
                "counts": [counter[rag] for rag in RAG_ORDER] + [counter["none"]],
                "total": sum(counter.values()),
            }
        )
    return result


class Leads(dict):
    """Each lead's words ("Ann Lee, Human Resources") made once per scorecard."""

    def __missing__(self, key: tuple) -> str:
        first, last, username, organisation = key
        officer = " ".join(part for part in (first, last) if part) or username
        text = self[key] = ", ".join(part for part in (officer, organisation) if part)
        return text


class Measures(dict):
    """``measure`` and ``month_year`` remembered for one scorecard: a plan's targets share
    a few values and dates (85%, March 2016), and formatting a number costs more than a lookup."""

    def __missing__(self, key: tuple) -> str:
        kind, value, unit = key
        text = self[key] = (
            month_year(value)
            if kind == "month"
            else expected_measure(value, unit)
            if kind == "expected"
            else measure(value, unit)
        )
        return text


def target_row(item, row, period, ret, measures: Measures) -> dict:
    """The target in ``period``: baseline, the trajectory's value at the quarter's end,
    the actual value and the status derived from them (the quarter-by-quarter series is
    on the target's own progress page). ``ret`` is its return for ``period``, if any."""
    actual = ret.actual_value if ret and ret.state in RECEIVED else None
    expected = trajectory.expected_at(item, period.ends_on)
    derived = trajectory.derived_status(item, actual, period.ends_on, expected) or ""
    unit = item.unit
    return {
        **row,
        "unit": str(UNITS.get(unit, "")),
        "unit_code": unit,
        "baseline": measures["measure", item.baseline_value, unit],
        "target": measures["measure", item.target_value, unit],
        "target_date": measures["month", item.target_date, ""] if item.target_date else "",
        "direction": str(DIRECTIONS.get(item.direction, "")),
        "direction_code": item.direction,
        "expected": measures["expected", expected, unit],
        "actual": measures["measure", actual, unit],
        "derived": derived,
        "derived_label": _derived(derived),
        "differs": trajectory.disagrees(row["rag"], derived),
    }


def _trend(rows: list[dict], periods: list[ReportingPeriod], found) -> list[dict]:
    """RAG counts for each quarter so far, for the chart and the table beside it."""
    reported = {row["id"] for row in rows}
    counters: dict[int, Counter] = {period.pk: Counter() for period in periods}
    for (item_id, period_id), ret in found.items():  # each return once, not each row in each quarter
        if item_id in reported and ret.state in RECEIVED and ret.rag and period_id in counters:
            counters[period_id][ret.rag] += 1
    trend = []
    for period in periods:
        counter = counters[period.pk]
        counter["none"] = len(rows) - sum(counter.values())
        trend.append(
            {
                "period": period.label,
                "slug": period.slug,
                "short": _on_chart(period),
                "counts": [counter[rag] for rag in RAG_ORDER] + [counter["none"]],
            }
        )
    return trend


def spend_row(item, row, period, ret, profiles: budgets.Profiles, limit: Decimal) -> dict:
    """An action's budget for the year, its profile and spend to date, and the variance
    between them (``budgets.variance``), every amount worded for the page."""
    spend = ret.spend_to_date if ret and ret.state in RECEIVED else None
    found = budgets.variance(
        profiles.get(item.pk, []),
        period.start_year,
        period.quarter,
        spend,
        limit,
        periods=PERIODS_IN_YEAR[Plan.Cadence(period.cadence)],
    )
    return {
        **row,
        "budget": pounds(found.budget),
        "to_date": pounds(found.to_date),
        "spend": pounds(found.spend) if found.spend is not None else NOT_GIVEN,  # worded by relabel
        "variance": _signed(found.amount) if found.amount is not None else "",
        "percent": f"{found.percent:+}%" if found.percent is not None else "",
        "flagged": found.flagged,
    }


def _signed(amount: Decimal) -> str:
    return f"+{pounds(amount)}" if amount > 0 else f"−{pounds(-amount)}" if amount < 0 else pounds(amount)


def _spend(rows: list[dict], plan: Plan, plans: list[Plan]) -> dict:
    """The actions with a budget this year or spend given, and the threshold flagged past."""
    limit = budgets.threshold(plan)
    return {
        "rows": rows,
        "flagged": sum(1 for row in rows if row["flagged"]),
        "threshold": f"{limit.normalize():f}%",
        "threshold_by": "plan" if plan.variance_threshold is not None else "council",
        "threshold_set_by": str(THRESHOLD_BY["plan" if plan.variance_threshold is not None else "council"]),
        "mixed": len({budgets.threshold(p) for p in plans}) > 1,  # plans beneath set their own
    }


def _costs(items, profiles, priority_of, by_id, refs, plan_by_id, outside: str) -> dict:
    """Costs of actions and milestones by top-level priority and funding source (an item's
    cost is its budget profile where it has one: ``budgets.cost_lines``)."""
    table: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for item in items:
        for line in budgets.cost_lines(item, profiles):
            if line.amount:
                table[(priority_of.get(item.pk, 0), line.funding_source or NOT_STATED)] += line.amount
    sources = sorted({source for _priority, source in table})
    rows = []
    for priority_id in dict.fromkeys(pid for pid, _source in table):
        priority = by_id.get(priority_id)
        amounts = [table.get((priority_id, source), Decimal(0)) for source in sources]
        rows.append(
            {
                "reference": refs.get(priority_id, ""),
                "title": priority.title if priority else outside,
                "outside": priority is None,
                "plan": plan_by_id[priority.plan_id].title if priority else "",
                "title_cy": priority.title_cy if priority else "",
                "plan_cy": plan_by_id[priority.plan_id].title_cy if priority else "",
                "amounts": [pounds(a) if a else "" for a in amounts],
                "total": pounds(sum(amounts, Decimal(0))),
            }
        )
    totals = [sum((v for (pid, s), v in table.items() if s == source), Decimal(0)) for source in sources]
    return {
        "sources": sources,  # NOT_STATED named at render (relabel)
        "rows": rows,
        "totals": [pounds(t) for t in totals],
        "total": pounds(sum(table.values(), Decimal(0))),
    }


def stamp(data: dict, when: datetime) -> dict:
    """The data as stored at ``when`` (the moment the quarter was locked)."""
    return {**data, **_generated(when), "frozen": True}


def scorecard_data(plan: Plan, period: ReportingPeriod, *, include_children: bool = False) -> dict:
    """What the scorecard shows: as stored when the quarter was locked, or as it is now."""
    card = stored_scorecard(plan, period, include_children=include_children)
    return card if card is not None else _worded(build(plan, period, include_children=include_children), plan, period)


def stored_scorecard(plan: Plan, period: ReportingPeriod, *, include_children: bool = False) -> dict | None:
    """The scorecard as reported to members when ``period`` was locked, or ``None`` (the
    quarter is not locked, or the plan was not approved when it was)."""
    if not period.is_locked:
        return None
    card = (
        ScorecardSnapshot.objects.filter(plan=plan, period=period, include_children=include_children)
        .values_list("data", flat=True)
        .first()
    )
    return None if card is None else _worded(card, plan, period)


def _worded(card: dict, plan: Plan, period: ReportingPeriod | None = None) -> dict:
    # scorecards stored before they kept the plan's level names read with today's
    card.setdefault("labels", {kind: plan.label_for(kind) for kind in LABELLED_KINDS})
    # and those stored before milestones were reported (schema 1) had none to show
    card.setdefault("milestones", {"counts": [], "rows": []})
    # stored before budgets and spend were monitored (schema 1): the page says so
    card.setdefault("spend", None)
    card["words"] = words(card["labels"])
    return relabel(card, period)


def words(labels: dict) -> dict:
    """The plan's level names as the scorecard's headings and sentences use them:
    "Ratings by themed outcome", "Steps and KPIs"."""
    reported = _("%(actions)s and %(targets)s") % {
        "actions": plural(labels["action"]),
        "targets": in_sentence(plural(labels["target"])),
    }
    costed = _("%(actions)s and %(milestones)s") % {
        "actions": plural(labels["action"]),
        "milestones": in_sentence(plural(labels["milestone"])),
    }
    return {
        "priority": labels["priority"],
        "by_priority": in_sentence(labels["priority"]),
        "all_priorities": _("All %(priorities)s") % {"priorities": in_sentence(plural(labels["priority"]))},
        "Reported": reported,
        "reported": in_sentence(reported),
        "costed": in_sentence(costed),
    }


def chart(trend: list[dict], *, width: int = 480, height: int = 200) -> dict:
    """Geometry for the trend chart: one stacked bar per quarter, a segment per rating,
    and a legend entry for each rating the bars show, named as the table's columns are
    (computed here so the template only draws). Items with no return are a segment of
    their own, which the template hatches: a bar is as tall as the items reported on."""
    left, bottom, top, legend_width = 40, 30, 10, 120
    plot_h = height - bottom - top
    most = max((sum(q["counts"]) for q in trend), default=0) or 1
    slot = (width - left - 10 - legend_width) / max(len(trend), 1)
    bars = []
    for i, quarter in enumerate(trend):
        x = left + i * slot + slot * 0.2
        y = top + plot_h
        segments = []
        for rag, count in zip([*RAG_ORDER, ""], quarter["counts"], strict=True):
            if not count:
                continue
            h = plot_h * count / most
            y -= h
            segments.append({"rag": rag or "none", "y": round(y, 1), "height": round(h, 1), "count": count})
        bars.append(
            {
                "x": round(x, 1),
                "width": round(slot * 0.6, 1),
                "label": quarter.get("short") or quarter["period"].split(" ")[0],
                "segments": segments,
            }
        )
    shown = {segment["rag"] for bar in bars for segment in bar["segments"]}
    labels = {**RAG_LABELS, "none": NO_RETURN}
    legend = [
        {"rag": rag, "label": str(labels[rag]), "x": width - legend_width, "y": top + 20 * n}
        for n, rag in enumerate(rag for rag in [*RAG_ORDER, "none"] if rag in shown)
    ]
    return {
        "width": width,
        "height": height,
        "bars": bars,
        "legend": legend,
        "axis_y": top + plot_h,
        "axis_end": width - legend_width - 10,
        "max": most,
        "left": left,
    }


# --- the words, in the reader's language ------------------------------------------------------


def _outside(labels: dict) -> str:
    """The row of items under no priority: "Not under a priority"."""
    return _("Not under %(a_priority)s") % {"a_priority": with_article(in_sentence(labels["priority"]))}


def _state(ret: Ret | None) -> dict:
    """An outstanding return's state: its code, and its words."""
    code = ret.state if ret else ""
    return {"state_code": code, "state": _state_label(code)}


def _state_label(code: str) -> str:
    return str(STATE_LABELS[code]) if code in STATE_LABELS else str(ProgressReturn.Rag.NOT_STARTED.label)


def _why(rag: str) -> str:
    return _("Red") if rag == "red" else _("Newly amber")


def _derived(derived: str) -> str:
    """A target's status as its trajectory says it ("green" → "Green")."""
    return str(RAG_LABELS[derived]) if derived in RAG_LABELS else derived.capitalize()


def _generated(when: datetime) -> dict:
    moment = timezone.localtime(when)
    return {"generated_at": moment.isoformat(), "generated": formats.date_format(moment, "j F Y H:i")}


def _on_chart(period: ReportingPeriod) -> str:
    """A period's name under its bar: "Q2", "Autumn", "May"."""
    if period.cadence == Plan.Cadence.TERMLY:
        return str(TERM_ON_CHART[period.quarter])
    return period.short_label


def period_of(slug: str) -> ReportingPeriod | None:
    """The period a slug names, made without a query (to name it): "2013-q2"."""
    year, _dash, rest = slug.partition("-")
    cadence = CADENCE_OF_LETTER.get(rest[:1])
    if not (year.isdigit() and rest[1:].isdigit()) or cadence is None:
        return None
    number = int(rest[1:])
    try:
        starts, ends = period_dates(cadence, int(year), number)
    except (KeyError, ValueError):
        return None
    return ReportingPeriod(cadence=cadence, start_year=int(year), quarter=number, starts_on=starts, ends_on=ends)


def _english(choices) -> dict[str, str]:
    """A choice's code by its English label: what schema 2 stored."""
    with translation.override(settings.LANGUAGE_CODE):
        return {str(label): value for value, label in choices}


def relabel(card: dict, period: ReportingPeriod | None = None) -> dict:
    """Put the card's words in the language in use, from the codes it keeps (decision 0029):
    a card stored in one language, or before issue 18 (in English), reads in the reader's."""
    if period is not None and "period" in card:
        card["period"] = {**card["period"], "label": period.label, "due": formats.date_format(period.due_on, "j F Y")}
    if card.get("generated_at"):
        moment = parse_datetime(card["generated_at"])
        if moment is not None:
            card["generated"] = formats.date_format(timezone.localtime(moment), "j F Y H:i")
    states = _english(State.choices) | {"Not started": ""}
    units, directions = _english(PlanItem.Unit.choices), _english(PlanItem.Direction.choices)
    milestones_section = card.get("milestones") or {}
    spend = card.get("spend") or {}
    welsh = translation.get_language() == "cy"
    for row in [
        *card.get("rows", []),
        *card.get("exceptions", []),
        *card.get("changes", []),
        *card.get("outstanding", []),
        *card.get("targets", []),
        *milestones_section.get("rows", []),
        *spend.get("rows", []),
    ]:
        if "rag_label" in row:
            row["rag_label"] = str(RAG_LABELS.get(row.get("rag", ""), NO_RETURN))
        if "status_label" in row:
            row["status_label"] = str(MILESTONE_STATES.get(row.get("status", ""), NO_RETURN))
        if "why" in row:
            row["why"] = _why(row.get("rag", ""))
        if "state" in row:
            row["state"] = _state_label(row.get("state_code", states.get(row["state"], row["state"])))
        if "derived_label" in row:
            row["derived_label"] = _derived(row.get("derived", ""))
        if "unit" in row:
            code = row.get("unit_code", units.get(row["unit"]))
            row["unit"] = str(UNITS[code]) if code in UNITS else row["unit"]
        if "direction" in row:
            code = row.get("direction_code", directions.get(row["direction"]))
            row["direction"] = str(DIRECTIONS[code]) if code in DIRECTIONS else row["direction"]
        if welsh:  # the item's and the return's own words in Welsh, where written (decision 0033)
            row["title"] = row.get("title_cy") or row.get("title", "")
            if "plan" in row:
                row["plan"] = row.get("plan_cy") or row["plan"]
            if "narrative" in row:
                row["narrative"] = row.get("narrative_cy") or row["narrative"]
        if row.get("spend") == NOT_GIVEN and "budget" in row:
            row["spend"] = _("Not given")
    if welsh:  # the plans' and priorities' titles (keys added in issue 18: absent, the English stays)
        for named in [card.get("plan") or {}, *card.get("plans", [])]:
            named["title"] = named.get("title_cy") or named.get("title", "")
        for row in [*card.get("priorities", []), *(card.get("costs") or {}).get("rows", [])]:
            row["title"] = row.get("title_cy") or row.get("title", "")
            row["plan"] = row.get("plan_cy") or row.get("plan", "")
    for count in card.get("rag_counts", []):
        count["label"] = str(RAG_LABELS.get(count["rag"], NO_RETURN))
    for count in milestones_section.get("counts", []):
        count["label"] = str(MILESTONE_STATES.get(count["status"], NO_RETURN))
    if spend.get("threshold_by") in THRESHOLD_BY:
        spend["threshold_set_by"] = str(THRESHOLD_BY[spend["threshold_by"]])
    if "labels" in card:
        outside = _outside(card["labels"])
        for row in [*card.get("priorities", []), *(card.get("costs") or {}).get("rows", [])]:
            if row.get("outside"):
                row["title"] = outside
    costs = card.get("costs") or {}
    if "sources" in costs:
        costs["sources"] = [_("Not stated") if source == NOT_STATED else source for source in costs["sources"]]
    for quarter in card.get("trend", []):
        named = period_of(quarter["slug"]) if quarter.get("slug") else None
        if named is not None:
            quarter["period"], quarter["short"] = named.label, _on_chart(named)
    return card
