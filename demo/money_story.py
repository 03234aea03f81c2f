"""Budgets and spend for the demo council (decision 0023), told after the year of
monitoring (``demo.monitoring_story``) through the same services people use.

- **Budget profiles.** The finance team profiles the actions of every approved plan: an
  action with a single cost has it spread evenly over its plan's years, as the type and
  funding source it names; three in four of the others get a revenue budget in each year
  from one of the council's funding streams, and one in five a capital sum in the first
  year. Each line is written by the plan's owner with the reason "Budget profile agreed
  with Finance" (the plans are approved, so every change gives one).
- **Spend to date.** Budget monitoring starts in Q3, after Q1 and Q2 were reported and
  locked (their scorecards were stored before any action had a profile, and say so by
  showing none). Owners send back the action returns awaiting their review in Q3 and Q4,
  asking for the spend to date, and the leads resubmit them with it, so they are waiting
  for review again; leads add spend to their drafts and to returns sent back to them.
  Spend is the profile to date times a fixed pattern of factors, so some actions are on
  profile and some are over or under by more than the threshold and flagged.
- **Thresholds.** The Bold Steps owner sets that plan's variance threshold to 15%; every
  other plan uses the council's default (``BUDGET_VARIANCE_THRESHOLD``).

Accepted returns are never changed (nobody may change one), so the Q3 scorecard shows spend
for the returns received but not yet accepted. Everything is fixed by the demo content: no
randomness.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from monitoring import services as monitoring
from monitoring.models import ProgressReturn, ReportingPeriod
from planning import budgets, services
from planning.models import Plan, PlanItem

YEAR = 2013
REASON = "Budget profile agreed with Finance"
ASKED = "Please add the spend to date from the finance ledger, then resubmit."
SOURCES = ["Council budget", "Dedicated Schools Grant", "Pupil premium", "European Social Fund"]
# spend to date as a share of the profile to date, by action in turn: on profile, a little
# under, well over, well under, ... (past 10% either way is flagged)
FACTORS = [Decimal(f) for f in ("1.00", "0.96", "1.25", "1.03", "0.98", "0.70", "1.05", "0.94")]
THRESHOLD_PLAN = "bold-steps-for-education-2013-16"
THRESHOLD = Decimal(15)
State = ProgressReturn.State


@dataclass
class Told:
    lines: int
    actions: int
    spend: int
    flagged: int

    def summary(self) -> str:
        return (
            f"{self.lines} budget lines profile {self.actions} actions; {self.spend} returns give spend to date, "
            f"{self.flagged} of them past their plan's variance threshold."
        )


def tell() -> Told:
    plans = list(Plan.objects.filter(status=Plan.Status.APPROVED).select_related("owner").order_by("slug"))
    lines = actions = 0
    for plan in plans:
        for item in plan.items.filter(kind=PlanItem.Kind.ACTION).order_by("tree_id", "lft"):
            made = _profile(plan, item)
            lines += made
            actions += 1 if made else 0
    bold = next((plan for plan in plans if plan.slug == THRESHOLD_PLAN), None)
    if bold is not None:
        services.plan_update(
            plan_id=bold.pk,
            user=bold.owner,
            fields={"variance_threshold": THRESHOLD},
            expected_version=bold.version,
            reason="Cabinet asked to see overspends past 15% only",
        )
        bold.refresh_from_db()
    limits = {plan.pk: budgets.threshold(plan) for plan in plans}
    profiles = budgets.profiles_for(plans)
    spend = flagged = 0
    for period in ReportingPeriod.objects.filter(
        cadence="quarterly", start_year=YEAR, quarter__gte=3, locked_at__isnull=True
    ):
        for ret in (
            ProgressReturn.objects.filter(period=period, item__kind=PlanItem.Kind.ACTION, item__plan__in=plans)
            .exclude(state=State.ACCEPTED)
            .select_related("item__plan__owner", "author", "period")
            .order_by("item__plan__slug", "item__tree_id", "item__lft")
        ):
            profile = profiles.get(ret.item_id)
            if not profile or ret.author is None:
                continue
            amount = _spend(ret, profile, period, spend)
            _give_spend(ret, amount)
            spend += 1
            flagged += budgets.variance(profile, YEAR, period.quarter, amount, limits[ret.item.plan_id]).flagged
    return Told(lines=lines, actions=actions, spend=spend, flagged=flagged)


def _profile(plan: Plan, item: PlanItem) -> int:
    """Write the action's budget lines; how many."""
    years = list(range(plan.start_year, plan.end_year + 1))
    wanted: list[tuple[int, str, str, Decimal]] = []
    if item.cost_amount:
        share = (item.cost_amount / len(years)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        first = item.cost_amount - share * (len(years) - 1)
        source = item.funding_source or SOURCES[0]
        wanted += [
            (year, item.cost_type or "revenue", source, first if n == 0 else share) for n, year in enumerate(years)
        ]
    elif item.pk % 4:
        source = SOURCES[item.pk % len(SOURCES)]
        wanted += [(year, "revenue", source, Decimal((4 + item.pk % 9) * 2500)) for year in years]
        if item.pk % 5 == 0:
            wanted.append((years[0], "capital", "Capital programme", Decimal((1 + item.pk % 4) * 20000)))
    for year, cost_type, source, amount in wanted:
        services.budget_line_add(
            item_id=item.pk,
            user=plan.owner,
            year=year,
            cost_type=cost_type,
            funding_source=source,
            amount=amount,
            reason=REASON,
        )
    return len(wanted)


def _spend(ret: ProgressReturn, profile: list, period: ReportingPeriod, n: int) -> Decimal:
    to_date = budgets.variance(profile, YEAR, period.quarter, None, Decimal(0)).to_date
    return (to_date * FACTORS[n % len(FACTORS)]).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def _give_spend(ret: ProgressReturn, amount: Decimal) -> None:
    """A draft or a return sent back gains the spend; one awaiting review is sent back
    asking for it and resubmitted with it (so it awaits review again)."""
    fields = {"spend_to_date": amount}
    if ret.state == State.SUBMITTED:
        ret = monitoring.return_send_back(
            return_id=ret.pk, user=ret.item.plan.owner, expected_version=ret.version, reason=ASKED
        )
        monitoring.return_save(
            item=ret.item, period=ret.period, user=ret.author, fields=fields, expected_version=ret.version, submit=True
        )
        return
    monitoring.return_save(
        item=ret.item, period=ret.period, user=ret.author, fields=fields, expected_version=ret.version
    )
