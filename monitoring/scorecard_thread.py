"""The thread view of a scorecard (issue 17, decision 0026): each top-level priority of a
corporate (or strategic) plan with what contributes to it across every plan, for the
scorecard's quarter: its contributors' ratings counted, combined by the council's rule
(``monitoring.rollup_rules``), and their costs, each item once.

Built with the roll-up's own pieces (``monitoring.thread_rollup``: the closure, the rows,
the routes, the returns), for every priority at once: the links, the rows, the plans and
the returns are each read once for them all (five queries, whatever the thread's size).

``build`` is plain data, stored with the scorecard when a quarter locks: each priority's
contributors counted **per plan**, so that ``view`` can add up, for one reader, only the
plans they may read, and say how many contributors it left out (decision 0021: nothing of
a plan the reader may not read is shown, not even a rating).
"""

from collections import Counter
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext_lazy

from monitoring import scorecards, thread_rollup
from monitoring.access import REPORTED_KINDS
from monitoring.models import ReportingPeriod
from monitoring.rollup_rules import RULES, council_rule
from planning import budgets
from planning.formatting import pounds
from planning.models import Plan, PlanItem
from planning.thread import Ranges, closure, council_links, items_within, needs_sifting

NO_RATING = gettext_lazy("No rating")
KINDS = (Plan.Kind.CORPORATE, Plan.Kind.STRATEGIC)  # the plans whose priorities others deliver


def applies(plan: Plan) -> bool:
    return plan.kind in KINDS


def build(plan: Plan, period: ReportingPeriod) -> dict | None:
    """Each top-level priority of ``plan`` with its contributors in ``period``, per plan."""
    if not applies(plan):
        return None
    priorities = list(
        PlanItem.objects.filter(plan=plan, kind=PlanItem.Kind.PRIORITY, parent__parent__isnull=True)
        .exclude(parent__isnull=True)
        .order_by("lft")
        .values_list("pk", "title", "tree_id", "lft", "rght")
    )
    rule = council_rule()
    card = {"rule": rule.name, "wording": rule.wording, "priorities": []}
    if not priorities:
        return card
    links = council_links(plan.pk)
    reached: list[tuple[int, Ranges, Counter]] = []
    union = Ranges()
    for pk, _title, tree, lft, rght, *_ in priorities:
        ranges, followed = closure([(tree, lft, rght)], plan.pk, links=links)
        reached.append((pk, ranges, Counter(link[0] for link in followed)))
        for span in ranges.all():
            union.add(*span)
    sift = needs_sifting(union)
    positioned = [
        # each item's cost by the one rule: its budget profile, else its single cost (decision 0023)
        (tree, lft, scorecards.Item(*values)._replace(cost_amount=budgets.cost_of(values[9], profiled) or None))
        for tree, lft, profiled, *values in items_within(union, plan.pk)
        .annotate(profiled=budgets.profile_total())
        .order_by("plan__tree_id", "plan__lft", "tree_id", "lft")
        .values_list("tree_id", "lft", "profiled", *scorecards.ITEM_COLUMNS)
        if not sift or union.covers(tree, lft)
    ]
    everyone = [row for _, _, row in positioned]
    plans = {p.pk: p for p in Plan.objects.filter(pk__in={row.plan_id for row in everyone}).only("title", "cadence")}
    titles = {pk: found.title for pk, found in plans.items()}
    # contributors of another cadence are read in their newest period ended by this one's end (0028)
    returns, _ = thread_rollup._returns(everyone, period, plans)
    refs = {values[0]: str(n) for n, values in enumerate(priorities, 1)}  # the vision's children, in order
    for (pk, title, *_), (_, ranges, followed) in zip(priorities, reached, strict=True):
        rows = [row for tree, lft, row in positioned if ranges.covers(tree, lft)]
        routes = thread_rollup._routes(rows, {pk}, followed)
        per_plan: dict[int, dict] = {}
        for row in rows:
            if row.pk == pk:
                continue
            entry = per_plan.get(row.plan_id)
            if entry is None:
                entry = per_plan[row.plan_id] = {
                    "id": row.plan_id, "title": titles[row.plan_id], "contributors": 0,
                    "counts": Counter(), "amount": Decimal(0), "multi_route": 0,
                }  # fmt: skip
            entry["contributors"] += 1
            if row.kind in REPORTED_KINDS:
                ret = returns.get(row.pk)
                entry["counts"][ret.rag if ret and ret.rag else "none"] += 1
            if row.cost_amount:
                entry["amount"] += row.cost_amount
            if routes.get(row.pk, 1) > 1:
                entry["multi_route"] += 1
        card["priorities"].append(
            {
                "id": pk,
                "reference": refs.get(pk, ""),
                "title": title,
                "url": reverse("monitoring:item-contributions", args=[plan.slug, pk]),
                "plans": [
                    {
                        **entry,
                        "counts": [entry["counts"][rag] for rag in scorecards.RAG_ORDER] + [entry["counts"]["none"]],
                        "amount": str(entry["amount"]),
                    }
                    for entry in per_plan.values()
                ],
            }
        )
    return card


def plan_ids(thread: dict | None) -> set[int]:
    """Every plan a stored thread view counts contributors in."""
    if not thread:
        return set()
    return {entry["id"] for priority in thread["priorities"] for entry in priority["plans"]}


def view(thread: dict | None, readable: set[int], period_slug: str) -> dict | None:
    """The thread view as a reader who may read the plans ``readable`` sees it: each
    priority's counts, combined rating and cost over those plans only."""
    if not thread:
        return None
    rule = RULES.get(thread["rule"], council_rule())
    rows = []
    for priority in thread["priorities"]:
        counter: Counter = Counter()
        amount, contributors, hidden, plans, multi = Decimal(0), 0, 0, 0, 0
        for entry in priority["plans"]:
            if entry["id"] not in readable:
                hidden += entry["contributors"]
                continue
            plans += 1
            contributors += entry["contributors"]
            multi += entry["multi_route"]
            amount += Decimal(entry["amount"])
            for rag, count in zip([*scorecards.RAG_ORDER, "none"], entry["counts"], strict=True):
                counter[rag] += count
        combined = rule.combine(counter)
        rated = sum(counter[rag] for rag in scorecards.RAG_ORDER)
        rows.append(
            {
                "reference": priority["reference"],
                "title": priority["title"],
                "url": priority["url"] + (f"?period={period_slug}" if rated else ""),
                "counts": [counter[rag] for rag in scorecards.RAG_ORDER] + [counter["none"]],
                "combined": combined,
                "combined_label": str(scorecards.RAG_LABELS.get(combined, NO_RATING)),
                "contributors": contributors,
                "plans": plans,
                "cost": pounds(amount),
                "multi_route": multi,
                "hidden": hidden,
            }
        )
    return {
        # the rule's words in the reader's language (the stored card keeps the rule's name)
        "wording": RULES[thread["rule"]].wording if thread["rule"] in RULES else thread["wording"],
        "priorities": rows,
        "labels": [str(scorecards.RAG_LABELS[rag]) for rag in scorecards.RAG_ORDER] + [str(scorecards.NO_RETURN)],
        "hidden": sum(row["hidden"] for row in rows),
    }


def for_reader(card: dict, readable_plans) -> dict | None:
    """``view`` of ``card``'s thread for a reader whose readable plans are the queryset
    ``readable_plans`` (one query, none when the card has no thread view)."""
    thread = card.get("thread")  # scorecards stored before schema 2 have none
    ids = plan_ids(thread)
    if not ids:
        return view(thread, set(), card["period"]["slug"])
    readable = set(readable_plans.filter(pk__in=ids).values_list("pk", flat=True))
    return view(thread, readable, card["period"]["slug"])
