"""Public consultation (issue 16, decision 0020): anyone may read a draft the owner has
opened to the public and respond to it, or to one of its items, with their name and an
email address they confirm by a link. A confirmed response waits for an officer who may
change the plan to approve or reject it; approved, it becomes one of the plan's comments
(``planning.Comment`` with no author) and is answered as a partner's comment is.

Bounds against abuse, each checked before anything is stored:
- a rate limit per client address (``config.client_ip``) and per email address, counted
  in the cache (a cache that does not answer lets the response through: it is still
  confirmed and moderated before anyone sees it);
- the length of a response (``RESPONSE_LIMIT``);
- a honeypot field: a form that fills it is answered as if accepted and stored nowhere;
- an address that has never confirmed is sent one link, never another: a second response
  from it is kept, sends nothing, and is confirmed by the first link.
"""

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config import bilingual
from config.history import change_context, current_change
from config.text import one_line
from partners.models import User, token_hash
from planning.lifecycle import open_consultation
from planning.models import Comment, Consultation, Plan, PlanItem
from planning.notices import notify_in_their_language
from planning.services import plan_write
from public.models import RESPONSE_LIMIT, PublicAddress, PublicResponse

log = logging.getLogger(__name__)

State = PublicResponse.State

# how many responses one client address, and one email address, may send in a window
PER_CLIENT_LIMIT = 10
PER_CLIENT_WINDOW = 60 * 60  # seconds
PER_EMAIL_LIMIT = 5
PER_EMAIL_WINDOW = 24 * 60 * 60
LINK_LIFETIME = timedelta(hours=72)
REJECTION_LIMIT = 500

TOO_MANY_FROM_HERE = gettext_lazy(
    "Too many responses have been sent from your connection. Please try again in an hour."
)
TOO_MANY_FROM_EMAIL = gettext_lazy(
    "Too many responses have been sent from this email address today. Please try again tomorrow."
)


class RateLimited(Exception):
    """Refused by a rate limit; the message says which and when to try again."""


class LinkUnusable(Exception):
    """A confirmation link that is "unknown", "used" or "expired" (``state``)."""

    def __init__(self, state: str):
        super().__init__(state)
        self.state = state


@dataclass
class Sent:
    """What became of a response: ``emailed`` (a link is on its way), or not (the address
    had one already and has not used it: "check your email")."""

    emailed: bool


# --- reading -------------------------------------------------------------------------------


def public_consultations():
    """The consultations open to the public today, soonest closing first."""
    today = timezone.localdate()
    return (
        Consultation.objects.filter(
            is_public=True, plan__status=Plan.Status.CONSULTATION, opens_on__lte=today, closes_on__gte=today
        )
        .select_related("plan__organisation")
        .order_by("closes_on", "plan__title")
    )


def get_public_consultation(slug: str) -> tuple[Plan, Consultation]:
    """The draft and its consultation open to the public now, or 404: a draft that is not
    in a public consultation today is not there at all."""
    plan = Plan.objects.select_related("organisation").filter(slug=slug, status=Plan.Status.CONSULTATION).first()
    consultation = open_consultation(plan) if plan is not None else None
    if consultation is None or not consultation.is_public:
        raise Http404(_("No such public consultation"))
    return plan, consultation


def public_item(plan: Plan, raw: str | None) -> PlanItem | None:
    """The item a response is on (``?item=``): one of the plan's, or 404."""
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404(_("No such item"))
    item = PlanItem.objects.filter(plan=plan, pk=int(raw)).first()
    if item is None:
        raise Http404(_("No such item"))
    return item


# --- responding ----------------------------------------------------------------------------


def _count(key: str, window: int) -> int:
    """One more in ``key``'s window; how many so far. 0 when the cache does not answer."""
    try:
        cache.add(key, 0, window)
        return cache.incr(key)
    except Exception:  # noqa: BLE001  a cache that is down lets responses through to confirmation
        log.warning("The cache could not count public responses; carrying on without the limit", exc_info=True)
        return 0


def _email_key(email: str) -> str:
    return "public-response:email:" + hashlib.sha256(email.encode()).hexdigest()


def check_client_limit(client: str | None) -> None:
    if _count(f"public-response:client:{client or 'unknown'}", PER_CLIENT_WINDOW) > PER_CLIENT_LIMIT:
        raise RateLimited(TOO_MANY_FROM_HERE)


def normalise_email(email: str) -> str:
    email = User.objects.normalize_email(email.strip()).lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            {"email": _("Enter an email address in the right format, like name@example.com.")}
        ) from None
    return email


def respond(
    *,
    plan: Plan,
    item: PlanItem | None,
    name: str,
    email: str,
    organisation: str,
    body: str,
    name_public: bool,
    client: str | None,
) -> Sent:
    """Keep a response from a member of the public, waiting for its address to be
    confirmed, and email the address a link unless it has one it has not used. Raises
    ``RateLimited`` or ``ValidationError`` (naming the field); the caller has checked the
    honeypot and that the consultation is open to the public."""
    email = normalise_email(email)
    if len(body) > RESPONSE_LIMIT:
        raise ValidationError(
            {"body": _("Your response must be %(count)s characters or fewer.") % {"count": f"{RESPONSE_LIMIT:,}"}}
        )
    check_client_limit(client)
    if _count(_email_key(email), PER_EMAIL_WINDOW) > PER_EMAIL_LIMIT:
        raise RateLimited(TOO_MANY_FROM_EMAIL)
    with plan_write(plan.pk, user=None, reason="Response from the public") as locked:
        consultation = open_consultation(locked)
        if consultation is None or not consultation.is_public:
            raise ValidationError(_("This consultation has closed."))
        address = PublicAddress.objects.select_for_update().filter(email=email).first()
        if address is None:
            address = PublicAddress(email=email)
        waiting_for_first_link = address.sent_at is not None and address.confirmed_at is None
        response = PublicResponse(
            consultation=consultation,
            plan=locked,
            item=item,
            item_title=item.title if item else "",
            name=name.strip(),
            organisation=organisation.strip(),
            body=body.strip(),
            name_public=name_public,
            created_at=current_change().when,
        )
        token = None
        if not waiting_for_first_link:
            token = _new_link(address)
        address.full_clean()
        address.save()
        response.address = address
        response.full_clean()
        response.save()
        if token is not None:
            _send_link(address, token, locked)
    return Sent(emailed=token is not None)


def _new_link(address: PublicAddress) -> str:
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    address.token_hash, address.sent_at, address.expires_at = token_hash(token), now, now + LINK_LIFETIME
    return token


def _send_link(address: PublicAddress, token: str, plan: Plan) -> None:
    """By email once the response is stored; not through the outbox, whose rows keep the
    message (the link's secret is never stored)."""
    url = settings.SITE_URL.rstrip("/") + reverse("public:consultation-confirm", args=[token])
    context = {"url": url, "plan": plan, "hours": int(LINK_LIFETIME.total_seconds() // 3600)}
    subject = one_line(_("Confirm your response to %(plan)s") % {"plan": plan.title})
    body = render_to_string("public/consultation/confirm_email.txt", context)
    _send_on_commit(subject, body, address.email)


def _send_on_commit(subject: str, body: str, recipient: str) -> None:
    def send() -> None:
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
        except Exception as error:  # noqa: BLE001  the response stands; the moderator can see it waiting
            log.warning("public consultation email not sent: %s: %s", error.__class__.__name__, error)

    transaction.on_commit(send)


def link_state(address: PublicAddress | None) -> str:
    if address is None:
        return "unknown"
    if address.confirmed_at is not None and address.confirmed_at >= address.sent_at:
        return "used"
    return "expired" if address.expires_at <= timezone.now() else "open"


def address_for_token(token: str) -> PublicAddress | None:
    return PublicAddress.objects.filter(token_hash=token_hash(token)).first()


@transaction.atomic
def confirm(token: str) -> list[PublicResponse]:
    """Confirm the address the link was sent to: every response from it waiting for
    confirmation goes to moderation, and the plans' owners are told. Raises
    ``LinkUnusable`` for an unknown, used or expired link."""
    address = PublicAddress.objects.select_for_update().filter(token_hash=token_hash(token)).first()
    state = link_state(address)
    if state != "open":
        raise LinkUnusable(state)
    with change_context(reason="Email address confirmed", user=None) as change:
        address.confirmed_at = change.when
        address.save()
        responses = list(address.responses.filter(state=State.UNCONFIRMED).select_related("plan__owner"))
        for response in responses:
            response.state, response.confirmed_at = State.WAITING, change.when
            response.version += 1
            response.save()
        for plan in {response.plan_id: response.plan for response in responses}.values():
            notify_in_their_language(
                recipients=[plan.owner],
                write=lambda plan=plan: (
                    _("A response from the public to %(plan)s is waiting") % {"plan": bilingual.text(plan)},
                    _(
                        "A member of the public has responded to the consultation. Approve or reject the response "
                        "before it is shown."
                    ),
                ),
                url=reverse("moderation:public-responses", args=[plan.slug]),
            )
    return responses


# --- moderation ----------------------------------------------------------------------------


def waiting(plan: Plan):
    """The responses an officer moderates: confirmed and waiting, oldest first."""
    return plan.public_responses.filter(state=State.WAITING).order_by("created_at", "pk")


def moderate(*, response_id: int, user: User, approve: bool, reason: str = "", expected_version: int) -> PublicResponse:
    """Approve a waiting response (it becomes one of the plan's comments, shown on the
    public pages and answered as partners' comments are) or reject it with a reason
    (kept in the app; never shown). The caller has checked that ``user`` may change the plan."""
    reason = reason.strip()
    if not approve and not reason:
        raise ValidationError({"reason": _("Give a reason for rejecting the response.")})
    if len(reason) > REJECTION_LIMIT:
        raise ValidationError(
            {"reason": _("The reason must be %(count)s characters or fewer.") % {"count": REJECTION_LIMIT}}
        )
    plan_id = PublicResponse.objects.values_list("plan_id", flat=True).get(pk=response_id)
    why = "Public response approved" if approve else "Public response rejected"
    with plan_write(plan_id, user=user, reason=why) as locked:
        response = PublicResponse.objects.select_related("item").get(pk=response_id)
        if response.version != expected_version or response.state != State.WAITING:
            raise ValidationError(
                _("This response has been %(state)s already.") % {"state": response.get_state_display().lower()}
            )
        response.moderated_by, response.moderated_at = user, current_change().when
        response.version += 1
        if approve:
            response.state = State.APPROVED
            comment = Comment(
                plan=locked,
                consultation=response.consultation,
                item=response.item,
                item_title=response.item.title if response.item else response.item_title,
                author=None,
                public_name=response.name,
                public_organisation=response.organisation,
                name_public=response.name_public,
                body=response.body,
                created_at=response.created_at,
            )
            comment.full_clean()
            comment.save()
            response.comment = comment
        else:
            response.state, response.rejection_reason = State.REJECTED, reason
        response.full_clean()
        response.save()
    return response


def tell_respondent(comment: Comment) -> None:
    """Email a member of the public the officer's response to what they said (called by
    ``planning.lifecycle.comment_respond``, inside its transaction)."""
    response = PublicResponse.objects.select_related("address", "plan").filter(comment=comment).first()
    if response is None:
        return
    context = {"comment": comment, "plan": response.plan, "url": settings.SITE_URL.rstrip("/")}
    if response.plan.is_public:
        context["url"] += reverse("public:you-said-we-did", args=[response.plan.slug])
    body = render_to_string("public/consultation/answered_email.txt", context)
    subject = one_line(_("The council's response to you on %(plan)s") % {"plan": response.plan.title})
    _send_on_commit(subject, body, response.address.email)
