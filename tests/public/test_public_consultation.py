"""Public consultation (issue 16, decision 0020): anyone responds to a draft opened to the
public, confirms their address by a link, an officer who may change the plan moderates,
and the approved response is shown and answered as a partner's comment is."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from planning import lifecycle
from planning.models import Comment, Consultation, PlanItem
from public import consultation as service
from public.models import PublicAddress, PublicResponse
from tests.factories import add_item, vision_of

TODAY = timezone.localdate
State = PublicResponse.State


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def open_to_public(plan, alice, *, is_public=True, organisations=(), closes_in=14):
    return lifecycle.plan_consultation_open(
        plan=plan,
        user=alice,
        opens_on=TODAY(),
        closes_on=TODAY() + timedelta(days=closes_in),
        note="Tell us what you think about the priorities.",
        organisations=list(organisations),
        members=[],
        is_public=is_public,
    )


@pytest.fixture
def priority(plan, alice):
    return add_item(plan, vision_of(plan), PlanItem.Kind.PRIORITY, user=alice, title="Raise attainment")


@pytest.fixture
def consulting(plan, alice, priority):
    open_to_public(plan, alice)
    plan.refresh_from_db()
    return plan


def respond_url(plan, item=None):
    url = reverse("public:consultation-respond", args=[plan.slug])
    return f"{url}?item={item.pk}" if item else url


def answer(**overrides):
    data = {
        "name": "Rita Resident",
        "email": "Rita@Example.org",
        "organisation": "",
        "body": "Please say more about libraries.",
        "name_public": "",
    }
    data.update(overrides)
    return data


def link_in(message) -> str:
    return re.search(r"https?://\S+/public/consultations/confirm/\S+/", message.body).group(0)


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def send(client, plan, django_capture_on_commit_callbacks, item=None, **overrides):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(respond_url(plan, item), answer(**overrides))


# --- the whole flow --------------------------------------------------------------------------


def test_the_whole_flow_from_response_to_answer(
    client, consulting, priority, alice, bob, mailoutbox, django_capture_on_commit_callbacks
):
    plan = consulting
    # anyone reads the draft, which is not published
    page = client.get(reverse("public:consultation-detail", args=[plan.slug]))
    assert page.status_code == 200 and "Raise attainment" in page.content.decode()
    assert not page.cookies and "public" in page["Cache-Control"]
    assert plan.title in client.get(reverse("public:consultation-list")).content.decode()

    form = client.get(respond_url(plan, priority))
    assert form.status_code == 200 and "no-cache" in form["Cache-Control"] or "no-store" in form["Cache-Control"]
    assert 'name="website"' in form.content.decode()

    response = send(client, plan, django_capture_on_commit_callbacks, item=priority, name_public="on")
    assert response.status_code == 200 and "Check your email" in response.content.decode()
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["rita@example.org"]
    stored = PublicResponse.objects.get()
    assert stored.state == State.UNCONFIRMED and stored.item == priority and not Comment.objects.exists()
    token = link_in(mailoutbox[0]).rstrip("/").rsplit("/", 1)[1]
    assert token not in PublicAddress.objects.get().token_hash  # only the hash is kept

    # confirming: a page with a button (a link scanner confirms nothing), then the queue
    link = path_of(link_in(mailoutbox[0]))
    assert client.get(link).status_code == 200
    stored.refresh_from_db()
    assert stored.state == State.UNCONFIRMED
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(link)
    assert confirmed.status_code == 200 and "Response confirmed" in confirmed.content.decode()
    stored.refresh_from_db()
    assert stored.state == State.WAITING
    assert any(m.to == [alice.email] and "waiting" in m.subject for m in mailoutbox)

    # not visible until approved
    detail = reverse("public:consultation-detail", args=[plan.slug])
    assert "Please say more about libraries." not in client.get(detail).content.decode()

    client.force_login(bob)
    queue = client.get(reverse("moderation:public-responses", args=[plan.slug]))
    assert queue.status_code == 200 and "Please say more about libraries." in queue.content.decode()
    moderated = client.post(
        reverse("moderation:public-response-moderate", args=[plan.slug, stored.pk]),
        {f"r{stored.pk}-decision": "approve", f"r{stored.pk}-reason": "", f"r{stored.pk}-version": stored.version},
    )
    assert moderated.status_code == 302
    stored.refresh_from_db()
    comment = stored.comment
    assert stored.state == State.APPROVED and stored.moderated_by == bob
    assert comment.author is None and comment.public_name == "Rita Resident" and comment.item == priority
    assert comment.consultation.is_public and comment.name_public
    assert stored.history.first().history_user == bob  # moderation is in history

    client.logout()
    shown = client.get(detail).content.decode()
    assert "Please say more about libraries." in shown and "Rita Resident" in shown

    # the officer responds as to any comment; the member of the public is told by email
    client.force_login(bob)
    with django_capture_on_commit_callbacks(execute=True):
        answered = client.post(
            reverse("planning:comment-respond", args=[plan.slug, comment.pk]),
            {"response": "We have added a library action.", "state": "accepted", "version": comment.version},
        )
    assert answered.status_code == 302
    assert mailoutbox[-1].to == ["rita@example.org"] and "library action" in mailoutbox[-1].body
    in_app = client.get(reverse("planning:plan-comments", args=[plan.slug])).content.decode()
    assert "Rita Resident (member of the public)" in in_app


def test_opening_to_the_public_is_in_history_and_needs_no_invitees(plan, alice):
    consultation = open_to_public(plan, alice)
    assert consultation.is_public
    row = Consultation.history.get(id=consultation.pk)
    assert row.is_public and row.history_change_reason == "Consultation opened to the public"
    assert row.history_user == alice


def test_the_consultation_form_has_the_public_checkbox(client, plan, alice):
    client.force_login(alice)
    url = reverse("planning:consultation-open", args=[plan.slug])
    assert 'name="is_public"' in client.get(url).content.decode()
    response = client.post(
        url,
        {"opens_on": TODAY().isoformat(), "closes_on": (TODAY() + timedelta(days=7)).isoformat(), "is_public": "on"},
    )
    assert response.status_code == 302
    assert Consultation.objects.get(plan=plan).is_public


# --- refusals ------------------------------------------------------------------------------


def test_a_filled_honeypot_looks_accepted_but_stores_and_sends_nothing(
    client, consulting, mailoutbox, django_capture_on_commit_callbacks
):
    response = send(client, consulting, django_capture_on_commit_callbacks, website="http://spam.example")
    assert response.status_code == 200 and "Check your email" in response.content.decode()
    assert not PublicResponse.objects.exists() and not PublicAddress.objects.exists() and mailoutbox == []


def test_a_second_response_from_an_unconfirmed_address_sends_nothing(
    client, consulting, mailoutbox, django_capture_on_commit_callbacks
):
    send(client, consulting, django_capture_on_commit_callbacks)
    second = send(client, consulting, django_capture_on_commit_callbacks, body="And parks.")
    assert "already emailed this address" in second.content.decode()
    assert len(mailoutbox) == 1 and PublicResponse.objects.count() == 2
    # the one link confirms both
    with django_capture_on_commit_callbacks(execute=True):
        client.post(path_of(link_in(mailoutbox[0])))
    assert set(PublicResponse.objects.values_list("state", flat=True)) == {State.WAITING}


def test_an_address_once_confirmed_gets_a_new_link_for_a_new_response(
    client, consulting, mailoutbox, django_capture_on_commit_callbacks
):
    send(client, consulting, django_capture_on_commit_callbacks)
    first = path_of(link_in(mailoutbox[0]))
    client.post(first)
    send(client, consulting, django_capture_on_commit_callbacks, body="Second thoughts.")
    assert len(mailoutbox) == 2
    assert client.get(first).status_code == 404  # the old link was replaced
    client.post(path_of(link_in(mailoutbox[1])))
    assert PublicResponse.objects.filter(state=State.WAITING).count() == 2


def test_the_rate_limit_per_client_address(
    client, consulting, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(service, "PER_CLIENT_LIMIT", 2)
    for n in range(2):
        assert (
            send(client, consulting, django_capture_on_commit_callbacks, email=f"p{n}@example.org").status_code == 200
        )
    refused = send(client, consulting, django_capture_on_commit_callbacks, email="p9@example.org")
    assert refused.status_code == 429 and "from your connection" in refused.content.decode()
    assert PublicResponse.objects.count() == 2
    # another client address is not held back
    other = client.post(respond_url(consulting), answer(email="p8@example.org"), REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200 and PublicResponse.objects.count() == 3


def test_the_rate_limit_per_email(client, consulting, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(service, "PER_EMAIL_LIMIT", 2)
    for n in range(2):
        send(client, consulting, django_capture_on_commit_callbacks, body=f"Point {n}")
    refused = client.post(respond_url(consulting), answer(body="Point 3"), REMOTE_ADDR="10.0.0.7")
    assert refused.status_code == 429 and "from this email address" in refused.content.decode()
    assert PublicResponse.objects.count() == 2


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("body", "x" * 5001, "5000 characters"),
        ("body", "", "Enter"),
        ("email", "not-an-address", "email address"),
        ("name", "", "Enter"),
    ],
)
def test_bad_input_is_refused_next_to_the_field(client, consulting, mailoutbox, field, value, message):
    response = client.post(respond_url(consulting), answer(**{field: value}))
    page = response.content.decode()
    assert response.status_code == 400 and f'id="id_{field}-error"' in page
    assert message.lower() in page.lower().replace(",", "")
    assert not PublicResponse.objects.exists() and mailoutbox == []


def test_unknown_used_and_expired_links(client, consulting, mailoutbox, django_capture_on_commit_callbacks):
    assert client.get(reverse("public:consultation-confirm", args=["nonsense"])).status_code == 404
    assert client.post(reverse("public:consultation-confirm", args=["nonsense"])).status_code == 404
    send(client, consulting, django_capture_on_commit_callbacks)
    link = path_of(link_in(mailoutbox[0]))
    assert client.post(link).status_code == 200
    used = client.post(link)
    assert used.status_code == 410 and "has been used" in used.content.decode()

    send(client, consulting, django_capture_on_commit_callbacks, email="late@example.org")
    late = path_of(link_in(mailoutbox[-1]))
    address = PublicAddress.objects.get(email="late@example.org")
    address.expires_at = timezone.now() - timedelta(minutes=1)
    address.save()
    expired = client.post(late)
    assert expired.status_code == 410 and "expired" in expired.content.decode()
    assert PublicResponse.objects.get(address=address).state == State.UNCONFIRMED


def test_a_consultation_that_is_private_closed_or_over_is_not_there(client, plan, alice, college, priority):
    pages = lambda: [  # noqa: E731
        reverse("public:consultation-detail", args=[plan.slug]),
        respond_url(plan),
        respond_url(plan, priority),
    ]
    for url in pages():  # a draft
        assert client.get(url).status_code == 404
    consultation = open_to_public(plan, alice, is_public=False, organisations=[college])
    for url in pages():  # private
        assert client.get(url).status_code == 404
    assert plan.title not in client.get(reverse("public:consultation-list")).content.decode()
    consultation.is_public = True
    consultation.closes_on = TODAY() - timedelta(days=1)
    consultation.opens_on = TODAY() - timedelta(days=10)
    consultation.save()
    for url in pages():  # closed
        assert client.get(url).status_code == 404
    assert client.post(respond_url(plan), answer()).status_code == 404
    assert not PublicResponse.objects.exists()
    assert plan.title not in client.get(reverse("public:consultation-list")).content.decode()


def test_an_item_of_another_plan_is_refused(client, consulting, alice):
    from tests.factories import make_plan

    other = make_plan(owner=alice, slug="other")
    item = add_item(other, vision_of(other), PlanItem.Kind.PRIORITY, user=alice, title="Elsewhere")
    assert client.get(respond_url(consulting, item)).status_code == 404
    assert client.get(respond_url(consulting) + "?item=abc").status_code == 404


def test_a_rejected_response_is_never_shown(client, consulting, bob, mailoutbox, django_capture_on_commit_callbacks):
    send(client, consulting, django_capture_on_commit_callbacks, body="Rude words")
    client.post(path_of(link_in(mailoutbox[0])))
    stored = PublicResponse.objects.get()
    client.force_login(bob)
    url = reverse("moderation:public-response-moderate", args=[consulting.slug, stored.pk])
    data = {f"r{stored.pk}-decision": "reject", f"r{stored.pk}-reason": "", f"r{stored.pk}-version": stored.version}
    refused = client.post(url, data)
    assert refused.status_code == 400 and "Give a reason" in refused.content.decode()
    data[f"r{stored.pk}-reason"] = "Abusive"
    assert client.post(url, data).status_code == 302
    stored.refresh_from_db()
    assert stored.state == State.REJECTED and stored.rejection_reason == "Abusive" and stored.comment is None
    assert not Comment.objects.exists()
    client.logout()
    assert (
        "Rude words" not in client.get(reverse("public:consultation-detail", args=[consulting.slug])).content.decode()
    )
    # a second decision on the same response is refused
    client.force_login(bob)
    again = client.post(url, {**data, f"r{stored.pk}-decision": "approve"}, follow=True)
    assert "already" in again.content.decode()
    stored.refresh_from_db()
    assert stored.state == State.REJECTED


def test_unconfirmed_responses_are_not_in_the_queue(client, consulting, bob, django_capture_on_commit_callbacks):
    send(client, consulting, django_capture_on_commit_callbacks, body="Not yet confirmed")
    client.force_login(bob)
    page = client.get(reverse("moderation:public-responses", args=[consulting.slug])).content.decode()
    assert "Not yet confirmed" not in page and "No responses are waiting" in page


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("alice", True),
        ("bob", True),
        ("ada", True),
        ("director", True),
        ("carol", False),
        ("pat", False),
        ("mel", False),
    ],
)
def test_moderation_only_by_those_who_may_change_the_plan(
    request, client, consulting, persona, allowed, mailoutbox, django_capture_on_commit_callbacks
):
    send(client, consulting, django_capture_on_commit_callbacks)
    client.post(path_of(link_in(mailoutbox[0])))
    stored = PublicResponse.objects.get()
    client.force_login(request.getfixturevalue(persona))
    queue = client.get(reverse("moderation:public-responses", args=[consulting.slug]))
    moderate = client.post(
        reverse("moderation:public-response-moderate", args=[consulting.slug, stored.pk]),
        {f"r{stored.pk}-decision": "approve", f"r{stored.pk}-reason": "", f"r{stored.pk}-version": stored.version},
    )
    stored.refresh_from_db()
    if allowed:
        assert queue.status_code == 200 and moderate.status_code == 302 and stored.state == State.APPROVED
    else:
        assert queue.status_code in (403, 404) and moderate.status_code in (403, 404)
        assert stored.state == State.WAITING


def test_anonymous_moderation_goes_to_sign_in(client, consulting):
    response = client.get(reverse("moderation:public-responses", args=[consulting.slug]))
    assert response.status_code == 302 and "/accounts/" in response["Location"]


def test_the_public_response_form_sets_cookies_only_when_shown(client, consulting):
    assert not client.get(reverse("public:consultation-detail", args=[consulting.slug])).cookies
    assert not client.get(reverse("public:consultation-list")).cookies
    shown = client.get(respond_url(consulting))
    assert "csrftoken" in shown.cookies and "public" not in shown["Cache-Control"]
