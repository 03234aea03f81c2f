"""Reads for "you said, we did" and the public consultation page (decision 0020): what was
said in a plan's consultations, the council's responses and the changes they caused.

Names: a commenter's name is shown only where they agreed (``Comment.name_public``: the
checkbox on every comment form, and on the public response form). Otherwise the public
pages say who in general: "A member of the public", "An elected member", "A council
service", or the kind of partner organisation ("A college", "A health body"); the
organisation's own name is not shown, since in a small organisation it can name the
person. The council's responses are the council's: the officer who wrote one is not named.
"""

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import Organisation, User
from planning import comment_threads, selectors
from planning.models import Comment, Consultation, Plan, PlanItem
from planning.wording import sentence, with_article

GENERIC_KINDS = {Organisation.Kind.OTHER}


def public_author(comment: Comment) -> str:
    """Who said it, as the public pages may say it."""
    if comment.author_id is None:
        if comment.name_public:
            return ", ".join(part for part in (comment.public_name, comment.public_organisation) if part)
        return _("A member of the public")
    org = comment.organisation
    if comment.name_public:
        return (
            _("%(person)s, %(organisation)s") % {"person": comment.author, "organisation": org}
            if org
            else str(comment.author)
        )
    if comment.author.role == User.Role.MEMBER:
        return _("An elected member")
    if org is None or org.kind in GENERIC_KINDS:
        return _("A partner organisation")
    if org.is_council:
        return _("A council service")
    return sentence(with_article(org.get_kind_display().lower()))


def public_item_url(plan: Plan, item_id: int) -> str:
    """The item's public page; the plan's public page until that page exists (pubpages,
    issue 16, builds ``public:item-detail``)."""
    try:
        return reverse("public:item-detail", args=[plan.slug, item_id])
    except NoReverseMatch:
        return reverse("public:plan-detail", args=[plan.slug])


@dataclass
class Said:
    """One comment as the public pages show it, with its replies."""

    comment: Comment
    who: str
    replies: list["Said"] = field(default_factory=list)
    change_url: str = ""
    change_title: str = ""


@dataclass
class Heading:
    reference: str
    label: str
    title: str
    url: str = ""
    threads: list[Said] = field(default_factory=list)

    @property
    def heading(self) -> str:
        return " ".join(part for part in (self.label, self.reference) if part)


@dataclass
class Round:
    """One consultation with what was said in it, under the items it was said about."""

    consultation: Consultation
    groups: list[Heading]

    @property
    def count(self) -> int:
        return sum(len(group.threads) for group in self.groups)


def _said(entry: comment_threads.Entry, changes: dict[int, tuple[int, str]], plan: Plan, linkable: set) -> Said:
    said = Said(entry.comment, public_author(entry.comment))
    change = changes.get(entry.comment.change_history_id)
    if change is not None:
        item_id, said.change_title = change
        if item_id in linkable:
            said.change_url = public_item_url(plan, item_id)
    said.replies = [_said(reply, changes, plan, linkable) for reply in entry.replies]
    return said


def closed_consultations(plan: Plan) -> list[Consultation]:
    today = timezone.localdate()
    return [
        consultation
        for consultation in plan.consultations.order_by("-opens_on", "-pk")
        if consultation.closes_on < today or plan.status != Plan.Status.CONSULTATION
    ]


def rounds(plan: Plan, consultations: list[Consultation]) -> list[Round]:
    """Each consultation's threads (their opening comments made in it), under their items
    in the plan's reading order, with the change each caused."""
    threads = comment_threads.threads(plan)
    history_ids = [
        entry.comment.change_history_id
        for thread in threads
        for entry in thread.walk()
        if entry.comment.change_history_id
    ]
    changes = {
        row["history_id"]: (row["id"], row["title"])
        for row in PlanItem.history.filter(history_id__in=history_ids).values("history_id", "id", "title")
    }
    items = list(
        PlanItem.objects.filter(plan=plan).in_tree_order().only("id", "parent_id", "kind", "title", "title_cy")
    )
    linkable = {item.pk for item in items}
    refs = selectors.references(items)
    found = []
    for consultation in consultations:
        headings: dict[str, Heading] = {"plan": Heading("", "", _("The plan as a whole"))}
        for item in items:
            headings[str(item.pk)] = Heading(
                refs[item.pk], plan.label_for(item.kind), item.title, public_item_url(plan, item.pk)
            )
        for thread in threads:
            comment = thread.comment
            if comment.consultation_id != consultation.pk:
                continue
            if comment.item_id is None and comment.item_title:
                key = f"gone-{comment.item_title}"
                headings.setdefault(key, Heading("", _("Item since removed"), comment.item_title))
            else:
                key = str(comment.item_id) if comment.item_id else "plan"
            headings[key].threads.append(_said(thread, changes, plan, linkable))
        found.append(Round(consultation, [heading for heading in headings.values() if heading.threads]))
    return found


def approved_public_responses(consultation: Consultation) -> list[Comment]:
    """The responses from the public approved so far in ``consultation`` (comments with no
    author), with the council's response where there is one."""
    return list(
        Comment.objects.filter(consultation=consultation, author__isnull=True, parent__isnull=True).order_by(
            "created_at", "pk"
        )
    )
