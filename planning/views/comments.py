"""Consultation comments: the comments on a plan with their filters, new comments and
replies, the officer's response, and the consultation summary (page and CSV).

Who reads what: everyone who may read a plan reads all of its comments. A consultation
is held in the open among the people invited to it, so a partner sees the other
partners' comments as well as their own organisation's earlier ones; one rule
(``view``) is simpler to keep right than a second visibility rule per comment.

Who writes what: ``comment`` lets a person comment while a consultation is open
(``lifecycle.comment_add`` also lets council staff add a note after it closes);
``change`` lets an officer respond.

Threads: a reply hangs under the comment it answers, at any depth. Only a thread's
opening comment has an outcome (open, answered, accepted, declined) and a response;
replies are conversation, and ``lifecycle.unanswered_count`` does not count them.
"""

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from config.forms import GovukForm, add_service_errors, parse_id
from config.spreadsheets import spreadsheet_safe
from config.text import TEXT_LIMIT
from planning import lifecycle, selectors
from planning.access import can, get_item_for_user, get_plan_for_user
from planning.conflicts import EditConflict, conflict_page
from planning.models import Comment, Consultation, ConsultationMember, Plan, PlanItem

State = Comment.State

STATE_TAGS = {
    State.OPEN: "govuk-tag--yellow",
    State.ANSWERED: "govuk-tag--blue",
    State.ACCEPTED: "govuk-tag--green",
    State.DECLINED: "govuk-tag--red",
}


class CommentForm(GovukForm):
    body = forms.CharField(
        label="Your comment",
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Markdown: use blank lines between paragraphs.",
    )


class RespondForm(GovukForm):
    response = forms.CharField(
        label="Response",
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What you did with the comment, and why. The person who commented is told, "
        "and it appears in the consultation summary.",
    )
    state = forms.ChoiceField(
        label="Outcome",
        choices=[(state.value, state.label) for state in State if state != State.OPEN],
        widget=forms.RadioSelect,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


# --- reading comments ----------------------------------------------------------------------


@dataclass
class Entry:
    """A comment as the pages show it, with its replies beneath it."""

    comment: Comment
    replies: list["Entry"] = field(default_factory=list)
    tag: str = ""
    change_url: str = ""
    reply_url: str = ""
    respond_url: str = ""

    def walk(self) -> Iterator["Entry"]:
        """This comment and every reply under it, in reading order."""
        yield self
        for reply in self.replies:
            yield from reply.walk()

    def organisation_ids(self) -> set[int | None]:
        return {entry.comment.organisation_id for entry in self.walk()}


@dataclass
class Group:
    """The threads on one item (or on the plan as a whole), under one heading."""

    key: str  # "plan", the item's id, or "gone-<n>" for an item since deleted
    reference: str
    label: str
    title: str
    url: str = ""
    threads: list[Entry] = field(default_factory=list)

    @property
    def heading(self) -> str:
        return " ".join(part for part in (self.label, self.reference) if part)


def _threads(plan: Plan) -> list[Entry]:
    """Every thread on the plan, oldest first, replies nested (two or three queries)."""
    comments = list(
        Comment.objects.filter(plan=plan)
        .select_related("author__organisation", "organisation", "responded_by")
        .order_by("created_at", "pk")
    )
    entries = {comment.pk: Entry(comment, tag=STATE_TAGS.get(comment.state, "")) for comment in comments}
    history_ids = [c.change_history_id for c in comments if c.change_history_id]
    changed_items = (
        dict(PlanItem.history.filter(history_id__in=history_ids).values_list("history_id", "id")) if history_ids else {}
    )
    comments_url = reverse("planning:plan-comments", args=[plan.slug])
    roots = []
    for comment in comments:
        entry = entries[comment.pk]
        if comment.change_history_id in changed_items:
            entry.change_url = reverse(
                "planning:item-history", args=[plan.slug, changed_items[comment.change_history_id]]
            )
        if comment.item_id:
            entry.reply_url = reverse("planning:item-comment", args=[plan.slug, comment.item_id])
            entry.reply_url += f"?parent={comment.pk}"
        else:
            entry.reply_url = f"{comments_url}?parent={comment.pk}#comment-form"
        if comment.parent_id in entries:
            entries[comment.parent_id].replies.append(entry)
        else:
            entry.respond_url = reverse("planning:comment-respond", args=[plan.slug, comment.pk])
            roots.append(entry)
    return roots


def _groups(plan: Plan, threads: list[Entry]) -> list[Group]:
    """Threads under their item, in the plan's reading order; the plan as a whole first,
    then items since deleted (by the title they had)."""
    items = list(PlanItem.objects.filter(plan=plan).in_tree_order().only("id", "parent_id", "kind", "title"))
    refs = selectors.references(items)
    groups: dict[str, Group] = {"plan": Group("plan", "", "", "The plan as a whole")}
    for item in items:
        groups[str(item.pk)] = Group(
            str(item.pk),
            refs[item.pk],
            plan.label_for(item.kind),
            item.title,
            reverse("planning:item-detail", args=[plan.slug, item.pk]),
        )
    gone: dict[str, str] = {}
    for thread in threads:
        comment = thread.comment
        if comment.item_id is None and comment.item_title:
            key = gone.setdefault(comment.item_title, f"gone-{len(gone) + 1}")
            groups.setdefault(key, Group(key, "", "Deleted item", comment.item_title))
        else:
            key = str(comment.item_id) if comment.item_id else "plan"
        groups[key].threads.append(thread)
    return [group for group in groups.values() if group.threads]


def _filtered(groups: list[Group], chosen: dict[str, str]) -> list[Group]:
    """The groups with only the threads that match the filters. A thread matches an
    organisation if anyone from it commented or replied in the thread."""
    kept = []
    for group in groups:
        if chosen["item"] and chosen["item"] != group.key:
            continue
        threads = [
            thread
            for thread in group.threads
            if (not chosen["state"] or thread.comment.state == chosen["state"])
            and (not chosen["organisation"] or _organisation_key(chosen["organisation"]) in thread.organisation_ids())
        ]
        if threads:
            kept.append(Group(group.key, group.reference, group.label, group.title, group.url, threads))
    return kept


def _organisation_key(value: str) -> int | None:
    return None if value == "none" else int(value)


def _filter_choices(groups: list[Group]) -> dict[str, list[tuple[str, str]]]:
    organisations: dict[str, str] = {}
    for group in groups:
        for thread in group.threads:
            for entry in thread.walk():
                org = entry.comment.organisation
                organisations[str(org.pk) if org else "none"] = str(org) if org else "No organisation"
    return {
        "item": [(group.key, f"{group.heading} {group.title}".strip()) for group in groups],
        "organisation": sorted(organisations.items(), key=lambda pair: pair[1].lower()),
        "state": [(state.value, state.label) for state in State],
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
    at any time to officers who may change the plan (``comment_add`` lets staff add notes)."""
    return can(user, "comment", plan) and (open_consultation is not None or can(user, "change", plan))


def _notice(plan: Plan, open_consultation: Consultation | None) -> str:
    """One sentence on where the consultation stands, for the comment pages."""
    if open_consultation is not None:
        return f"The consultation is open until {open_consultation.closes_on:%-d %B %Y}."
    latest = plan.consultations.first()
    if latest is None:
        return "This plan is not out for consultation, so comments cannot be added."
    if latest.opens_on > timezone.localdate():
        return f"The consultation opens on {latest.opens_on:%-d %B %Y}. Comments can be added from then."
    return f"The consultation closed on {latest.closes_on:%-d %B %Y}. Comments can no longer be added."


def _parent(plan: Plan, raw: str | None, *, item_id: int | None) -> Comment | None:
    """The comment being replied to: one in this plan, on the same item (or on none)."""
    if not raw:
        return None
    if (pk := parse_id(raw)) is None:
        raise Http404("No such comment")
    parent = Comment.objects.select_related("author", "organisation").filter(pk=pk, plan=plan).first()
    if parent is None or parent.item_id != item_id:
        raise Http404("No such comment")
    return parent


def _add(request: HttpRequest, form: CommentForm, *, plan: Plan, accepting: bool, **where) -> Comment | None:
    """Add the comment through the service; its refusal is shown next to the field, or at
    the top of the page when the form is not shown (the consultation has closed)."""
    try:
        return lifecycle.comment_add(
            plan=plan, user=request.user, body=getattr(form, "cleaned_data", {}).get("body", ""), **where
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
            messages.success(request, "Your reply has been added." if parent else "Your comment has been added.")
            return redirect(_comments_url(plan, comment))
    groups = _groups(plan, _threads(plan))
    choices = _filter_choices(groups)
    chosen = _chosen_filters(request, choices)
    shown = _filtered(groups, chosen)
    return render(
        request,
        "planning/comments.html",
        {
            "plan": plan,
            "groups": shown,
            "shown": sum(len(group.threads) for group in shown),
            "total": sum(len(group.threads) for group in groups),
            "unanswered": lifecycle.unanswered_count(plan),
            "choices": choices,
            "chosen": chosen,
            "filtered": any(chosen.values()),
            "form": form,
            "parent": parent,
            "accepting": accepting,
            "can_change": can(request.user, "change", plan),
            "notice": _notice(plan, consultation),
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
            messages.success(request, "Your reply has been added." if parent else "Your comment has been added.")
            return redirect(_comments_url(plan, comment))
    items = PlanItem.objects.filter(plan=plan).in_tree_order().only("id", "parent_id")
    reference = selectors.references(list(items)).get(item.pk, "")
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
            "notice": _notice(plan, consultation),
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
        raise Http404("No such comment")
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
            outcome = State(form.cleaned_data["state"]).label.lower()
            messages.success(request, f"Response saved: the comment is marked {outcome}.")
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
    groups = _groups(plan, _threads(plan))
    if request.GET.get("format") == "csv":
        return _summary_csv(plan, groups)
    consultations = list(plan.consultations.select_related("created_by").prefetch_related("invites__organisation"))
    members_by_consultation: dict[int, list] = {}
    invited_members = ConsultationMember.objects.filter(consultation__plan=plan).select_related("member")
    for row in invited_members.order_by("member__last_name", "member__first_name"):
        members_by_consultation.setdefault(row.consultation_id, []).append(row.member)
    responded = _responded(groups)
    for consultation in consultations:
        consultation.invited_organisations = sorted(
            (invite.organisation for invite in consultation.invites.all()), key=lambda org: org.name.lower()
        )
        for org in consultation.invited_organisations:
            org.comment_count = responded["organisations"].get(org.pk, (org, 0))[1]
        consultation.invited_members = members_by_consultation.get(consultation.pk, [])
        for member in consultation.invited_members:
            member.comment_count = responded["people"].get(member.pk, (member, 0))[1]
    threads = [thread for group in groups for thread in group.threads]
    outcomes = dict.fromkeys(State, 0)
    for thread in threads:
        outcomes[State(thread.comment.state)] += 1
    return render(
        request,
        "planning/consultation_summary.html",
        {
            "plan": plan,
            "consultations": consultations,
            "organisations": sorted(responded["organisations"].values(), key=lambda pair: str(pair[0]).lower()),
            "people": sorted(responded["people"].values(), key=lambda pair: str(pair[0]).lower()),
            "groups": groups,
            "total": len(threads),
            "outcomes": [(state.label, count) for state, count in outcomes.items()],
            "today": timezone.localdate(),
        },
    )


def _responded(groups: list[Group]) -> dict[str, dict]:
    """Organisations and people with at least one comment or reply, with how many.
    Council staff are left out: only the plan's own officers may comment besides those
    invited (``planning.rules``), and their replies answer the consultation."""
    organisations: dict[int, tuple] = {}
    people: dict[int, tuple] = {}
    for group in groups:
        for thread in group.threads:
            for entry in thread.walk():
                comment = entry.comment
                if comment.author.is_council_staff:
                    continue
                if comment.organisation is not None:
                    org, n = organisations.get(comment.organisation_id, (comment.organisation, 0))
                    organisations[comment.organisation_id] = (org, n + 1)
                person, n = people.get(comment.author_id, (comment.author, 0))
                people[comment.author_id] = (person, n + 1)
    return {"organisations": organisations, "people": people}


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
]


def _summary_csv(plan: Plan, groups: list[Group]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{plan.slug}-consultation.csv"'
    writer = csv.writer(response)
    writer.writerow([spreadsheet_safe(f"{plan.title}: consultation comments")])
    writer.writerow(CSV_HEADINGS)
    for group in groups:
        for thread in group.threads:
            for entry in thread.walk():
                c = entry.comment
                is_root = c.parent_id is None
                cells = [
                    group.reference,
                    group.label,
                    group.title,
                    c.pk,
                    c.parent_id or "",
                    c.author,
                    c.organisation or "",
                    timezone.localtime(c.created_at).strftime("%Y-%m-%d %H:%M"),
                    c.body,
                    c.get_state_display() if is_root else "",
                    c.response,
                    c.responded_by or "",
                    timezone.localtime(c.responded_at).strftime("%Y-%m-%d %H:%M") if c.responded_at else "",
                ]
                writer.writerow([spreadsheet_safe(cell) for cell in cells])
    return response
