"""Reads of a plan's comments: its threads (replies nested under the comment they answer),
grouped under the items they are on in reading order, filtered, with who responded and
where the consultation stands. The comment pages and the consultation summary show them
(``planning.views.comments``)."""

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from planning import selectors
from planning.formatting import long_date
from planning.models import Comment, Consultation, Plan, PlanItem

State = Comment.State

STATE_TAGS = {
    State.OPEN: "govuk-tag--yellow",
    State.ANSWERED: "govuk-tag--blue",
    State.ACCEPTED: "govuk-tag--green",
    State.DECLINED: "govuk-tag--red",
}


@dataclass
class Entry:
    """A comment as the pages show it, with its replies beneath it."""

    comment: Comment
    replies: list["Entry"] = field(default_factory=list)
    tag: str = ""
    change_url: str = ""
    reply_url: str = ""
    respond_url: str = ""
    accept_url: str = ""
    may_decide: bool = False  # the reader may accept or decline this suggestion
    decline_url: str = ""

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
    def suggestion_count(self) -> int:
        return sum(1 for thread in self.threads if thread.comment.is_suggestion)

    @property
    def heading(self) -> str:
        return " ".join(part for part in (self.label, self.reference) if part)


def threads(plan: Plan) -> list[Entry]:
    """Every thread on the plan, oldest first, replies nested (two or three queries)."""
    comments = list(
        Comment.objects.filter(plan=plan)
        .select_related("author__organisation", "organisation", "responded_by", "item")
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
            if comment.is_suggestion:
                entry.accept_url = reverse("planning:suggestion-accept", args=[plan.slug, comment.pk])
                entry.decline_url = reverse("planning:suggestion-decline", args=[plan.slug, comment.pk])
            roots.append(entry)
    return roots


def mark_deciders(threads: list[Entry], *, can_change: bool, parts: list) -> None:
    """Which suggestions the reader may accept or decline: all of them if they may change
    the plan; those on (or adding under) an item in a part they draft otherwise (issue 15).
    ``parts``: the drafting groups' top items, read once."""
    for entry in threads:
        item = entry.comment.item
        entry.may_decide = entry.comment.is_suggestion and (
            can_change or (item is not None and any(top.is_ancestor_of(item, include_self=True) for top in parts))
        )


def groups(plan: Plan, threads: list[Entry]) -> list[Group]:
    """Threads under their item, in the plan's reading order; the plan as a whole first,
    then items since deleted (by the title they had)."""
    items = list(
        PlanItem.objects.filter(plan=plan).in_tree_order().only("id", "parent_id", "kind", "title", "title_cy")
    )
    refs = selectors.references(items)
    groups: dict[str, Group] = {"plan": Group("plan", "", "", _("The plan as a whole"))}
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
            groups.setdefault(key, Group(key, "", _("Deleted item"), comment.item_title))
        else:
            key = str(comment.item_id) if comment.item_id else "plan"
        groups[key].threads.append(thread)
    return [group for group in groups.values() if group.threads]


def filtered(groups: list[Group], chosen: dict[str, str]) -> list[Group]:
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
            and (not chosen["organisation"] or organisation_key(chosen["organisation"]) in thread.organisation_ids())
        ]
        if threads:
            kept.append(Group(group.key, group.reference, group.label, group.title, group.url, threads))
    return kept


def organisation_key(value: str) -> int | None:
    return None if value == "none" else int(value)


def filter_choices(groups: list[Group]) -> dict[str, list[tuple[str, str]]]:
    organisations: dict[str, str] = {}
    for group in groups:
        for thread in group.threads:
            for entry in thread.walk():
                org = entry.comment.organisation
                organisations[str(org.pk) if org else "none"] = str(org) if org else _("No organisation")
    return {
        "item": [(group.key, f"{group.heading} {group.title}".strip()) for group in groups],
        "organisation": sorted(organisations.items(), key=lambda pair: pair[1].lower()),
        "state": [(state.value, state.label) for state in State],
    }


def notice(plan: Plan, open_consultation: Consultation | None) -> str:
    """One sentence on where the consultation stands, for the comment pages."""
    if open_consultation is not None:
        return _("The consultation is open until %(date)s.") % {"date": long_date(open_consultation.closes_on)}
    latest = plan.consultations.first()
    if latest is None:
        return _("This plan is not out for consultation, so comments cannot be added.")
    if latest.opens_on > timezone.localdate():
        return _("The consultation opens on %(date)s. Comments can be added from then.") % {
            "date": long_date(latest.opens_on)
        }
    return _("The consultation closed on %(date)s. Comments can no longer be added.") % {
        "date": long_date(latest.closes_on)
    }


@dataclass
class Suggestions:
    """How many suggestions someone made, and what became of them."""

    open: int = 0
    accepted: int = 0
    declined: int = 0

    @property
    def total(self) -> int:
        return self.open + self.accepted + self.declined

    def __add__(self, other: "Suggestions") -> "Suggestions":
        return Suggestions(self.open + other.open, self.accepted + other.accepted, self.declined + other.declined)

    def add(self, state: str) -> None:
        name = state if state in {State.ACCEPTED, State.DECLINED} else "open"
        setattr(self, name, getattr(self, name) + 1)


def responded(groups: list[Group], invited: list | None = None, plan: Plan | None = None) -> dict[str, dict]:
    """Organisations and people with at least one comment, reply or suggestion: how many
    comments and replies each organisation made, and its suggestions by outcome; how many
    of all three each person made. Council staff are left out unless their unit is within
    one of the ``invited`` organisations (officers of other services can be invited, issue
    15) and they are not ``plan``'s own officers (its owner, or of its organisation or one
    above it): those answer the consultation rather than respond to it."""
    organisations: dict[int, tuple] = {}
    people: dict[int, tuple] = {}
    suggestions: dict[int | None, Suggestions] = {}
    units = [org for org in invited or [] if org.is_council]
    for group in groups:
        for thread in group.threads:
            for entry in thread.walk():
                comment = entry.comment
                org = comment.organisation
                if comment.author is None:  # the public's responses are counted on their own page
                    continue
                if comment.author.is_council_staff and not (
                    org is not None and within(org, units) and not _owns(comment, plan)
                ):
                    continue
                suggested = comment.is_suggestion and comment.parent_id is None
                if org is not None:  # suggestions are counted on their own, below
                    org, n = organisations.get(comment.organisation_id, (org, 0))
                    organisations[comment.organisation_id] = (org, n + (0 if suggested else 1))
                person, n = people.get(comment.author_id, (comment.author, 0))
                people[comment.author_id] = (person, n + 1)
                if suggested:
                    suggestions.setdefault(comment.organisation_id, Suggestions()).add(comment.state)
    return {"organisations": organisations, "people": people, "suggestions": suggestions}


def answered_for(invited, responded: dict[str, dict]) -> tuple[int, Suggestions]:
    """An invited organisation's comments and replies, and its suggestions, from
    ``responded``; an invited council unit answers for the units beneath it (issue 15)."""
    pks = [
        pk
        for pk, (org, _) in responded["organisations"].items()
        if pk == invited.pk or (invited.is_council and within(org, [invited]))
    ]
    comments = sum(responded["organisations"][pk][1] for pk in pks)
    return comments, sum((responded["suggestions"].get(pk, Suggestions()) for pk in pks), Suggestions())


def _owns(comment: Comment, plan: Plan | None) -> bool:
    """Is the comment's author one of the plan's own officers (``rules.can_change_plan``)?"""
    if plan is None:
        return False
    return comment.author_id == plan.owner_id or within(plan.organisation, [comment.organisation])


def within(org, units: list) -> bool:
    return any(org.tree_id == unit.tree_id and unit.lft <= org.lft and org.rght <= unit.rght for unit in units)
