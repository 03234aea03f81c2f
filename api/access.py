"""Who sees what through the API: the one rule every API view asks (issue 16).

Anonymous callers see exactly what the public pages show: the published plans
(``Plan.objects.public()``), their items, links and editions, and accepted returns and
scorecards of locked quarters only (as reported to members). A caller with an API token
sees what its person may see in the app (``planning.access.plans_for`` and the monitoring
rules) and what is public, never more. A signed-in browser session is not accepted: the
API is anonymous or token, so an officer's browser reads it as the public does.

Out-of-scope objects are 404, as in the app.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from monitoring.access import REPORTED_KINDS, get_period
from monitoring.models import ProgressReturn, ReportingPeriod
from partners.models import User
from planning.access import plans_for
from planning.models import Plan


@dataclass(frozen=True)
class Caller:
    """Who is asking: no one (``user`` None) or a token's person."""

    user: User | None

    @property
    def is_anonymous(self) -> bool:
        return self.user is None

    @property
    def scope(self) -> str:
        """What the caller's answers depend on, for ETags: the public, or one person."""
        return "public" if self.user is None else f"person-{self.user.pk}"


def caller_of(user: object) -> Caller:
    """The API's caller for DRF's ``request.user``: a token's active person, or no one."""
    if isinstance(user, User) and user.is_authenticated and user.is_active:
        return Caller(user)
    return Caller(None)


def visible_plans(caller: Caller) -> QuerySet[Plan]:
    """Every plan the caller may read through the API."""
    plans = Plan.objects.select_related("organisation", "owner", "partnership", "parent")
    public = Q(published_at__isnull=False, status__in=Plan.PUBLISHED_STATUSES)
    if caller.user is None:
        return plans.filter(public)
    return plans.filter(public | Q(pk__in=plans_for(caller.user).values("pk")))


def get_plan(caller: Caller, slug: str) -> Plan:
    try:
        return visible_plans(caller).get(slug=slug)
    except Plan.DoesNotExist:
        raise Http404(_("No such plan")) from None


def hidden_plan_ids(caller: Caller, plan_ids: set[int]) -> frozenset[int]:
    """Which of ``plan_ids`` the caller may not read (one query): a link into one of them
    shows that it exists, without its other end."""
    if not plan_ids:
        return frozenset()
    readable = set(visible_plans(caller).filter(pk__in=plan_ids).values_list("pk", flat=True))
    return frozenset(plan_ids - readable)


def visible_periods(caller: Caller) -> QuerySet[ReportingPeriod]:
    """Quarters: the public sees locked ones (reported to members); people see them all."""
    periods = ReportingPeriod.objects.all()
    return periods.filter(locked_at__isnull=False) if caller.user is None else periods


def get_visible_period(caller: Caller, slug: str) -> ReportingPeriod:
    period = get_period(slug)
    if caller.user is None and not period.is_locked:
        raise Http404(_("No such quarter"))
    return period


def _public_results() -> Q:
    """Returns anyone may read: of a published plan, in a locked quarter."""
    return Q(
        item__plan__published_at__isnull=False,
        item__plan__status__in=Plan.PUBLISHED_STATUSES,
        period__locked_at__isnull=False,
    )


def visible_returns(caller: Caller) -> QuerySet[ProgressReturn]:
    """Accepted returns the caller may read: public ones; and, with a token, those of the
    actions and targets its person may read in the app (their plan's readers, and the
    item's leads: ``monitoring.access``). Accepted returns are read in full by anyone who
    may read the item; drafts, submitted and returned ones never leave the app."""
    returns = ProgressReturn.objects.filter(state=ProgressReturn.State.ACCEPTED, item__kind__in=REPORTED_KINDS)
    seen = _public_results()
    user = caller.user
    if user is not None:
        seen |= Q(item__plan__in=plans_for(user).values("pk")) | Q(item__lead_officer=user)
        if user.organisation_id is not None and user.role != User.Role.MEMBER:
            seen |= Q(item__lead_organisation_id=user.organisation_id)
    return returns.filter(seen)


def scorecard_plans(caller: Caller) -> QuerySet[Plan]:
    """Plans with scorecards the caller may read in some quarter: public plans (locked
    quarters) and, with a token, the approved plans its person may read (any quarter)."""
    public = Q(published_at__isnull=False, status__in=Plan.PUBLISHED_STATUSES)
    if caller.user is None:
        return visible_plans(caller).filter(public)
    readable = Q(pk__in=plans_for(caller.user).values("pk"), status=Plan.Status.APPROVED)
    return visible_plans(caller).filter(public | readable)


def may_read_scorecard(caller: Caller, plan: Plan, period: ReportingPeriod) -> bool:
    """The scorecard of ``plan`` for ``period``: the public's when the plan is published and
    the quarter locked; a person's when they may read the approved plan's monitoring."""
    if not period.covers_plan(plan):
        return False
    if plan.is_public and period.is_locked:
        return True
    return caller.user is not None and plan.status == Plan.Status.APPROVED and _reads_in_app(caller.user, plan)


def _reads_in_app(user: User, plan: Plan) -> bool:
    return plans_for(user).filter(pk=plan.pk).exists()


def get_scorecard_plan(caller: Caller, slug: str, period: ReportingPeriod) -> Plan:
    plan = get_plan(caller, slug)
    if not may_read_scorecard(caller, plan, period):
        raise Http404(_("No scorecard for this plan in this quarter"))
    return plan
