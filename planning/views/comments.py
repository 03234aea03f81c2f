"""Consultation comments: the comments on a plan with their filters, new comments and
replies, the officer's response, and the consultation summary (page and CSV).

Who reads what: everyone who may read a plan reads all of its comments. A consultation
is held in the open among the people invited to it, so a partner sees the other
partners' comments as well as their own organisation's earlier ones; one rule
(``view``) is simpler to keep right than a second visibility rule per comment.

Who writes what: ``comment`` lets a person comment while a consultation is open
(``lifecycle.comment_add`` also lets those who may change the plan add a note after it
closes); those invited include officers of invited council services (issue 15);
``change`` lets an officer respond.

Threads: a reply hangs under the comment it answers, at any depth. Only a thread's
opening comment has an outcome (open, answered, accepted, declined) and a response;
replies are conversation, and ``lifecycle.unanswered_count`` does not count them.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from config.forms import add_service_errors, parse_id
from config.spreadsheets import csv_response
from planning import comment_threads, lifecycle, selectors
from planning.access import can, get_item_for_user, get_plan_for_user
from planning.conflicts import EditConflict, conflict_page
from planning.forms import CommentForm, RespondForm
from planning.models import Comment, Consultation, ConsultationMember, Plan

State = Comment.State
# what the officer is told once they respond, by the outcome they chose
MARKED = {
    State.ANSWERED: gettext_lazy("Response saved: the comment is marked answered."),
    State.ACCEPTED: gettext_lazy("Response saved: the comment is marked accepted."),
    State.DECLINED: gettext_lazy("Response saved: the comment is marked declined."),
}


def _chosen_filters(request: HttpRequest, choices: dict[str, list[tuple[str, str]]]) -> dict[str, str]:
    """The filters from the query string; a value that is not on offer is ignored."""
    return {
        name: value if value in {v for v, _ in options} else ""
        for name, options in choices.items()
        for value in [request.GET.get(name, "")]
    }


# --- who may comment now ---------------------------------------------------------------------


def _accepting(user, plan: Plan, open_consultation: Consultation | None) -> bool:
    """Show the comment form: to those who may comment while a consultation is open, and
    at any time to officers who may change the plan (``comment_add`` lets them add notes)."""
    return can(user, "comment", plan) and (open_consultation is not None or can(user, "change", plan))


def _parent(plan: Plan, raw: str | None, *, item_id: int | None) -> Comment | None:
    """The comment being replied to: one in this plan, on the same item (or on none)."""
    if not raw:
        return None
    if (pk := parse_id(raw)) is None:
        raise Http404(_("No such comment"))
    parent = Comment.objects.select_related("author", "organisation").filter(pk=pk, plan=plan).first()
    if parent is None or parent.item_id != item_id:
        raise Http404(_("No such comment"))
    return parent


def _add(request: HttpRequest, form: CommentForm, *, plan: Plan, accepting: bool, **where) -> Comment | None:
    """Add the comment through the service; its refusal is shown next to the field, or at
    the top of the page when the form is not shown (the consultation has closed)."""
    try:
        data = getattr(form, "cleaned_data", {})
        return lifecycle.comment_add(
            plan=plan,
            user=request.user,
            body=data.get("body", ""),
            name_public=bool(data.get("name_public")),
            **where,
        )
    except ValidationError as error:
        problems = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
        for name, messages_ in problems.items():
            form.add_error(name if accepting and name in form.fields else None, messages_)
    return None


def _comments_url(plan: Plan, comment: Comment | None = None) -> str:
    url = reverse("planning:plan-comments", args=[plan.slug])
    return f"{url}#comment-{comment.pk}" if comment else url


# --- views -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def plan_comments(request: HttpRequest, slug: str) -> HttpResponse:
    """Every comment on the plan, grouped by item and threaded, with filters; and the form
    to comment on the plan as a whole (or, with ``?parent=``, to reply to such a comment)."""
    plan = get_plan_for_user(request.user, slug, "comment" if request.method == "POST" else "view")
    consultation = lifecycle.open_consultation(plan)
    accepting = _accepting(request.user, plan, consultation)
    parent = _parent(plan, request.POST.get("parent") or request.GET.get("parent"), item_id=None)
    form = CommentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and (form.is_valid() or not accepting):
        comment = _add(request, form, plan=plan, accepting=accepting, parent=parent)
        if comment is not None:
            messages.success(request, _("Your reply has been added.") if parent else _("Your comment has been added."))
            return redirect(_comments_url(plan, comment))
    threads = comment_threads.threads(plan)
    changeable = can(request.user, "change", plan)
    parts = [] if changeable else [group.item for group in selectors.drafting_parts_of(request.user, plan)]
    comment_threads.mark_deciders(threads, can_change=changeable, parts=parts)
    groups = comment_threads.groups(plan, threads)
    choices = comment_threads.filter_choices(groups)
    chosen = _chosen_filters(request, choices)
    shown = comment_threads.filtered(groups, chosen)
    return render(
        request,
        "planning/comments.html",
        {
            "plan": plan,
            "groups": shown,
            "shown": sum(len(group.threads) for group in shown),
            "total": sum(len(group.threads) for group in groups),
            "unanswered": lifecycle.unanswered_count(plan),
            "suggestion_count": sum(g.suggestion_count for g in groups),
            "choices": choices,
            "chosen": chosen,
            "filtered": any(chosen.values()),
            "form": form,
            "parent": parent,
            "accepting": accepting,
            "can_change": changeable,
            "notice": comment_threads.notice(plan, consultation),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_comment(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Comment on one item, or with ``?parent=`` reply to a comment on it."""
    item = get_item_for_user(request.user, slug, pk, "comment")
    plan = item.plan
    parent = _parent(plan, request.POST.get("parent") or request.GET.get("parent"), item_id=item.pk)
    consultation = lifecycle.open_consultation(plan)
    accepting = _accepting(request.user, plan, consultation)
    form = CommentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and (form.is_valid() or not accepting):
        comment = _add(request, form, plan=plan, accepting=accepting, item=item, parent=parent)
        if comment is not None:
            messages.success(request, _("Your reply has been added.") if parent else _("Your comment has been added."))
            return redirect(_comments_url(plan, comment))
    reference = selectors.plan_references([plan.pk]).get(item.pk, "")
    return render(
        request,
        "planning/comment_form.html",
        {
            "plan": plan,
            "item": item,
            "reference": reference,
            "label": plan.label_for(item.kind),
            "parent": parent,
            "form": form,
            "accepting": accepting,
            "notice": comment_threads.notice(plan, consultation),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def comment_respond(request: HttpRequest, slug: str, comment_id: int) -> HttpResponse:
    """The officer's response to a comment and what became of it."""
    plan = get_plan_for_user(request.user, slug, "change")
    comment = (
        Comment.objects.select_related("author", "organisation", "item")
        .filter(pk=comment_id, plan=plan, parent__isnull=True)
        .first()
    )
    if comment is None:
        raise Http404(_("No such comment"))
    if comment.is_suggestion:  # its outcome is the change itself: accepted or declined there
        return redirect("planning:suggestion-accept", slug=plan.slug, suggestion_id=comment.pk)
    if comment.item is not None:
        comment.item.plan = plan
    form = RespondForm(
        request.POST or None,
        initial={
            "response": comment.response,
            "state": comment.state if comment.state != State.OPEN else State.ANSWERED,
            "version": comment.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            lifecycle.comment_respond(
                comment_id=comment.pk,
                user=request.user,
                response=form.cleaned_data["response"],
                state=form.cleaned_data["state"],
                expected_version=form.cleaned_data["version"],
            )
        except EditConflict as conflict:
            cancel_url = reverse("planning:comment-respond", args=[plan.slug, comment.pk])
            return conflict_page(
                request, stored=conflict.stored, form=form, fields=["response", "state"], cancel_url=cancel_url
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, MARKED[form.cleaned_data["state"]])
            return redirect(_comments_url(plan, comment))
    return render(
        request,
        "planning/comment_respond.html",
        {"plan": plan, "comment": comment, "form": form},
    )


# --- the consultation summary ----------------------------------------------------------------


@login_required
@require_safe
def consultation_summary(request: HttpRequest, slug: str) -> HttpResponse:
    """Who was invited, who responded, and every comment with its response and outcome,
    as a printable page or (``?format=csv``) a spreadsheet."""
    plan = get_plan_for_user(request.user, slug)
    groups = comment_threads.groups(plan, comment_threads.threads(plan))
    if request.GET.get("format") == "csv":
        return _summary_csv(plan, groups)
    consultations = list(plan.consultations.select_related("created_by").prefetch_related("invites__organisation"))
    members_by_consultation: dict[int, list] = {}
    invited_members = ConsultationMember.objects.filter(consultation__plan=plan).select_related("member")
    for row in invited_members.order_by("member__last_name", "member__first_name"):
        members_by_consultation.setdefault(row.consultation_id, []).append(row.member)
    invited = [invite.organisation for consultation in consultations for invite in consultation.invites.all()]
    responded = comment_threads.responded(groups, invited, plan)
    for consultation in consultations:
        consultation.invited_organisations = sorted(
            (invite.organisation for invite in consultation.invites.all()), key=lambda org: org.name.lower()
        )
        for org in consultation.invited_organisations:
            org.comment_count, org.suggestions = comment_threads.answered_for(org, responded)
        consultation.invited_members = members_by_consultation.get(consultation.pk, [])
        for member in consultation.invited_members:
            member.comment_count = responded["people"].get(member.pk, (member, 0))[1]
    threads = [thread for group in groups for thread in group.threads]
    outcomes = dict.fromkeys(State, 0)
    suggested = comment_threads.Suggestions()
    for thread in threads:
        if thread.comment.is_suggestion:
            suggested.add(thread.comment.state)
        else:
            outcomes[State(thread.comment.state)] += 1
    return render(
        request,
        "planning/consultation_summary.html",
        {
            "plan": plan,
            "consultations": consultations,
            "organisations": sorted(
                (
                    (org, count, responded["suggestions"].get(org.pk, comment_threads.Suggestions()))
                    for org, count in responded["organisations"].values()
                ),
                key=lambda row: str(row[0]).lower(),
            ),
            "people": sorted(responded["people"].values(), key=lambda pair: str(pair[0]).lower()),
            "groups": groups,
            "total": len(threads) - suggested.total,
            "outcomes": [(state.label, count) for state, count in outcomes.items()],
            "suggested": suggested,
            "today": timezone.localdate(),
        },
    )


CSV_HEADINGS = [
    "Reference",
    "Level",
    "Item",
    "Comment number",
    "In reply to",
    "Author",
    "Organisation",
    "Date",
    "Comment",
    "Outcome",
    "Response",
    "Responded by",
    "Date of response",
    "Kind",
    "Suggested: kind of new item",
    "Suggested: title",
    "Suggested: description",
]
SUGGESTION_HEADINGS = ["Organisation", "Suggestions", "Open", "Accepted", "Declined"]


def _summary_csv(plan: Plan, groups: list[comment_threads.Group]) -> HttpResponse:
    rows = [[f"{plan.title}: consultation comments"], CSV_HEADINGS]
    for group in groups:
        for thread in group.threads:
            for entry in thread.walk():
                c = entry.comment
                rows.append(
                    [
                        group.reference,
                        group.label,
                        group.title,
                        c.pk,
                        c.parent_id or "",
                        c.author_name,
                        c.organisation or "",
                        c.created_at,
                        c.body,
                        c.get_state_display() if c.parent_id is None else "",
                        c.response,
                        c.responded_by or "",
                        c.responded_at,
                        c.get_kind_display() if c.parent_id is None else "Reply",
                        c.get_proposed_kind_display(),
                        c.proposed_title,
                        c.proposed_description,
                    ]
                )
    # the suggestions each organisation made and what became of them, under the comments
    rows += [[], ["Suggested changes by organisation"], SUGGESTION_HEADINGS]
    organisations = {}
    for group in groups:
        for thread in group.threads:
            c = thread.comment
            if c.is_suggestion:
                key = str(c.organisation or "No organisation")
                organisations.setdefault(key, comment_threads.Suggestions()).add(c.state)
    total = comment_threads.Suggestions()
    for name, counts in sorted(organisations.items(), key=lambda pair: pair[0].lower()):
        rows.append([name, counts.total, counts.open, counts.accepted, counts.declined])
        total = total + counts
    rows.append(["All organisations", total.total, total.open, total.accepted, total.declined])
    return csv_response(f"{plan.slug}-consultation.csv", rows)
