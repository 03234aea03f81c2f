"""Asking for a PDF: find the document that shows the same thing, or queue a new one.

A document's ``key`` says exactly what it shows. An edition's plan document and a locked
quarter's scorecard pack never change, so their keys name only the edition or the quarter
and the PDF is produced once and served from storage ever after. A live plan or a live
quarter is keyed by the moment of its latest change (``live@…``): asking again before
anything changes reuses the PDF; after a change the key is new and so is the PDF.

Rendering happens in the background (``monitoring.tasks.render_document``), queued when
the transaction that created the document commits. A document still not produced
``PDF_RENDER_TIMEOUT`` after it was asked for (its worker was killed, or none is running)
has timed out: its page offers to try again, and asking again queues it afresh.
"""

from datetime import UTC, datetime
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone, translation

from monitoring import inspection_report, scorecard_thread, scorecards
from monitoring.models import (
    Document,
    Inspection,
    MemberQuestion,
    ProgressReturn,
    ReportingPeriod,
    ScorecardSnapshot,
    render_cutoff,
)
from monitoring.tasks import is_lost, render_document
from partners.models import User
from planning.access import (
    hiding_key,
    plans_for,
    plans_hidden_from,
    plans_hidden_from_public,
    reads_every_plan,
    unreadable_plan_ids,
)
from planning.models import Edition, ItemSupporter, Link, Plan, PlanItem
from planning.thread import thread_plan_ids

QUESTIONS = ":questions@"  # in a scorecard pack's key: the members' pack, with their questions
LANGUAGE_CODES = frozenset(code for code, _name in settings.LANGUAGES)


def reader_language() -> str:
    """The language in use (the reader's, on a request), as a document records it."""
    language = translation.get_language() or ""
    return language if language in LANGUAGE_CODES else settings.LANGUAGE_CODE


def language_key(language: str) -> str:
    """A key's start: the language its PDF is written in ("cy/plan:…"); nothing for the
    site's own language, so the keys of the PDFs made before issue 18 still name them."""
    return "" if language == settings.LANGUAGE_CODE else f"{language}/"


def request_inspection_pdf(user: User, inspection: Inspection, period: ReportingPeriod) -> Document:
    """The progress-against-recommendations report of ``inspection`` for ``period`` (decision
    0030), leaving out the linked actions of plans ``user`` may not read (named last in its
    key, as for plan documents)."""
    hidden = unreadable_plan_ids(user, inspection_report.ever_linked_plan_ids(inspection))
    key = inspection_report.report_key(inspection, period) + hiding_key(hidden)
    return _request(user, key, kind=Document.Kind.INSPECTION, inspection=inspection, period=period)


def request_plan_pdf(user: User, plan: Plan, edition: Edition | None = None) -> Document:
    """The plan document of ``plan`` (as at ``edition``, or as it is now), as ``user`` may
    see the thread: links into plans they may not read are shown without their other end."""
    key = plan_key(plan, edition) + hiding_key(plans_hidden_from(user, plan))
    return _request(user, key, kind=Document.Kind.PLAN, plan=plan, edition=edition)


def request_public_plan_pdf(plan: Plan, edition: Edition) -> Document:
    """A published plan's edition for anyone who has not signed in: every plan that is not
    published is hidden (its links and place in the thread shown without its title). The
    key says exactly that, so a member who may read no more of the thread shares the PDF."""
    key = plan_key(plan, edition) + hiding_key(plans_hidden_from_public(plan))
    return _request(None, key, kind=Document.Kind.PLAN, plan=plan, edition=edition)


def request_scorecard_pdf(user: User | None, plan: Plan, period: ReportingPeriod, include_children: bool) -> Document:
    """The scorecard pack of ``plan`` for ``period``: for a signed-in reader with the
    members' questions, which are live even in a locked quarter, so its key names their
    latest change (``QUESTIONS``); for the public (``user`` None) without them. Its thread
    view (decision 0026) counts nothing of the plans ``user`` (anyone, for ``None``) may not
    read, which its key names last (``planning.access.hidden_plans`` reads to the key's end)."""
    key = scorecard_key(plan, period, include_children)
    if user is not None:
        key += questions_key(plan, include_children)
    return _request(
        user,
        key + hiding_key(_thread_hidden_from(user, plan)),
        kind=Document.Kind.SCORECARD,
        plan=plan,
        period=period,
        include_children=include_children,
    )


def _thread_hidden_from(user: User | None, plan: Plan) -> frozenset[int]:
    """The plans of a scorecard's thread view that ``user`` may not read (none without one)."""
    if not scorecard_thread.applies(plan) or (user is not None and reads_every_plan(user)):
        return frozenset()
    readable = plans_for(user) if user is not None else Plan.objects.public()
    return frozenset(
        Plan.objects.filter(pk__in=thread_plan_ids(plan))
        .exclude(pk__in=readable.values("pk"))
        .values_list("pk", flat=True)
    )


def plan_key(plan: Plan, edition: Edition | None) -> str:
    if edition is not None:
        return f"plan:{plan.pk}:edition:{edition.pk}"
    return f"plan:{plan.pk}:live@{_latest(plan_changes(plan)).isoformat()}"


def scorecard_key(plan: Plan, period: ReportingPeriod, include_children: bool) -> str:
    base = f"scorecard:{plan.pk}:{period.slug}:{'with-children' if include_children else 'plan-only'}"
    frozen = ScorecardSnapshot.objects.filter(plan=plan, period=period, include_children=include_children)
    if period.is_locked and frozen.exists():
        return f"{base}:locked"
    plans = [p.pk for p in scorecards.plans_in_scope(plan, include_children)]
    if scorecard_thread.applies(plan):  # its thread view reads the contributing plans' returns too
        plans = sorted(set(plans) | thread_plan_ids(plan))
    items = PlanItem.history.filter(plan_id__in=plans).values("id")
    moments = [
        ProgressReturn.history.filter(item_id__in=items).aggregate(at=Max("history_date"))["at"],
        PlanItem.history.filter(plan_id__in=plans).aggregate(at=Max("history_date"))["at"],
        Plan.history.filter(Q(id__in=plans) | Q(parent_id__in=plans)).aggregate(at=Max("history_date"))["at"],
    ]
    return f"{base}:v{period.version}:live@{_latest(moments).isoformat()}"


def questions_key(plan: Plan, include_children: bool) -> str:
    """``:questions@<moment>``: the latest change to a question on the scorecard's plans."""
    plans = [p.pk for p in scorecards.plans_in_scope(plan, include_children)]
    items = PlanItem.objects.filter(plan_id__in=plans).values("id")
    latest = MemberQuestion.history.filter(item_id__in=items).aggregate(at=Max("history_date"))["at"]
    return f"{QUESTIONS}{_latest([latest]).isoformat()}"


def with_questions(document: Document) -> bool:
    """Was the pack asked for with the members' questions (``request_scorecard_pdf``)?"""
    return QUESTIONS in document.key


def plan_changes(plan: Plan) -> list[datetime | None]:
    """The latest change to each thing a plan document prints: the plan, the plans it
    delivers, its items, their supporters and their links."""
    items = PlanItem.history.filter(plan_id=plan.pk).values("id")
    latest = Max("history_date")
    return [
        Plan.history.filter(Q(id=plan.pk) | Q(parent_id=plan.pk)).aggregate(at=latest)["at"],
        PlanItem.history.filter(plan_id=plan.pk).aggregate(at=latest)["at"],
        ItemSupporter.history.filter(item_id__in=items).aggregate(at=latest)["at"],
        Link.history.filter(Q(source_id__in=items) | Q(target_id__in=items)).aggregate(at=latest)["at"],
    ]


def _latest(moments: list[datetime | None]) -> datetime:
    known = [moment for moment in moments if moment is not None]
    return max(known) if known else datetime(2000, 1, 1, tzinfo=UTC)


def _request(user: User | None, key: str, **fields) -> Document:
    """The document for ``key`` in the reader's language: reused when it is ready (or being
    produced), queued again when it failed, timed out, or its file has gone from storage."""
    language = reader_language()
    with transaction.atomic():
        document, created = Document.objects.get_or_create(
            key=language_key(language) + key,
            defaults={**fields, "language": language, "requested_by": user, "status": Document.Status.QUEUED},
        )
        if created:
            _enqueue(document)
        elif _needs_render(document):
            requeued = Document.objects.filter(pk=document.pk, status=document.status).update(
                status=Document.Status.QUEUED,
                error="",
                file="",
                pages=None,
                started_at=None,
                finished_at=None,
                requested_by=user,
                requested_at=timezone.now(),
            )
            if requeued:
                document.refresh_from_db()
                _enqueue(document)
    return document


def _needs_render(document: Document) -> bool:
    status = document.status
    if status == Document.Status.FAILED:
        return True
    if status == Document.Status.READY:
        return not document.file or not document.file.storage.exists(document.file.name)
    return is_lost(document)


def _enqueue(document: Document) -> None:
    # robust: if queueing fails the request still succeeds; the document stays queued and
    # is queued again once it has timed out
    transaction.on_commit(partial(render_document.enqueue, document.pk), robust=True)


def queued_ahead(document: Document) -> int:
    """How many documents wait to be produced, or are being produced, before this one (not
    counting those whose production stalled: no worker is producing them)."""
    if document.status != Document.Status.QUEUED:
        return 0
    cutoff = render_cutoff()
    return Document.objects.filter(
        Q(status=Document.Status.QUEUED) | Q(status=Document.Status.RUNNING, started_at__gte=cutoff),
        requested_at__lt=document.requested_at,
    ).count()
