"""People, as administrators manage them: who may use every partners page (one table),
the people list and its filters, inviting a person (nobody types anyone else's password),
editing, and deactivation, which signs the person out everywhere at once."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import get_resolver, reverse

from partners import services
from partners.models import Invitation, Notification, Organisation, OrganisationDomain, Partnership, User
from partners.sessions import sessions_end
from tests.factories import PASSWORD, OrganisationFactory, UserFactory, make_partnership

# --- who may use each partners URL --------------------------------------------------------

LOGIN = "login"  # redirected to the sign-in page
PERSONAS = ["anonymous", "bob", "pat", "mel", "ada"]  # officer, partner, member, admin

# url name -> persona -> (GET status, POST status). POSTs carry valid data, so a refusal
# is the only reason nothing changes. Lists answer GET only; the sign-in check comes first.
OUTCOMES = {
    # choosing Welsh or English (decision 0029): anyone; asked without a language, refused (400)
    "partners:switch-language": dict.fromkeys(PERSONAS, (400, 302)),
    "partners:organisation-list": {
        "anonymous": (LOGIN, LOGIN),
        "bob": (403, 405),
        "pat": (403, 405),
        "mel": (403, 405),
        "ada": (200, 405),
    },
    "partners:organisation-create": {
        "anonymous": (LOGIN, LOGIN),
        "bob": (403, 403),
        "pat": (403, 403),
        "mel": (403, 403),
        "ada": (200, 302),
    },
    "partners:organisation-edit": {
        "anonymous": (LOGIN, LOGIN),
        "bob": (403, 403),
        "pat": (403, 403),
        "mel": (403, 403),
        "ada": (200, 302),
    },
    "partners:organisation-domains": {
        "anonymous": (LOGIN, LOGIN),
        "bob": (403, 403),
        "pat": (403, 403),
        "mel": (403, 403),
        "ada": (200, 302),
    },
    "partners:organisation-domain-remove": {
        "anonymous": (LOGIN, LOGIN),
        "bob": (405, 403),
        "pat": (405, 403),
        "mel": (405, 403),
        "ada": (405, 302),
    },
    "partners:person-list": {
        "anonymous": (LOGIN, LOGIN),
        "bob": (403, 405),
        "pat": (403, 405),
        "mel": (403, 405),
        "ada": (200, 405),
    },
    "partners:person-create": {
        "anonymous": (LOGIN, LOGIN),
        "bob": (403, 403),
        "pat": (403, 403),
        "mel": (403, 403),
        "ada": (200, 302),
    },
    "partners:person-edit": {
        "anonymous": (LOGIN, LOGIN),
        "bob": (403, 403),
        "pat": (403, 403),
        "mel": (403, 403),
        "ada": (200, 302),
    },
    "partners:notification-list": {
        "anonymous": (LOGIN, LOGIN),
        "bob": (200, 405),
        "pat": (200, 405),
        "mel": (200, 405),
        "ada": (200, 405),
    },
    "partners:notification-read-all": {
        "anonymous": (LOGIN, LOGIN),
        "bob": (405, 302),
        "pat": (405, 302),
        "mel": (405, 302),
        "ada": (405, 302),
    },
    "partners:partnership-list": {
        "anonymous": (LOGIN, LOGIN),
        "bob": (403, 405),
        "pat": (403, 405),
        "mel": (403, 405),
        "ada": (200, 405),
    },
    "partners:partnership-create": {
        "anonymous": (LOGIN, LOGIN),
        "bob": (403, 403),
        "pat": (403, 403),
        "mel": (403, 403),
        "ada": (200, 302),
    },
    "partners:partnership-edit": {
        "anonymous": (LOGIN, LOGIN),
        "bob": (403, 403),
        "pat": (403, 403),
        "mel": (403, 403),
        "ada": (200, 302),
    },
}


@pytest.fixture
def people(bob, pat, mel, ada):
    return {"bob": bob, "pat": pat, "mel": mel, "ada": ada}


def _requests(name, *, college, carol, service, me):
    """url args, POST data, and a check that the POST changed what it should."""
    mapped = OrganisationDomain.objects.create(domain="college.ac.uk", organisation=college, role="partner")

    def all_read():
        return not Notification.objects.filter(read_at__isnull=True, recipient=me).exists() if me else False

    board = make_partnership("Board", {service: [], college: []}) if name == "partners:partnership-edit" else None
    return {
        # anyone's choice is the language cookie; a signed-in person's is kept on their record too
        "partners:switch-language": (
            [],
            {"language": "cy"},
            lambda: me is None or User.objects.filter(pk=me.pk, language="cy").exists(),
        ),
        "partners:partnership-list": ([], {}, lambda: False),
        "partners:partnership-create": (
            [],
            {"name": "Local Service Board", "slug": "lsb", "organisations": [service.pk, college.pk], "leads": ""},
            lambda: Partnership.objects.filter(slug="lsb").exists(),
        ),
        "partners:partnership-edit": (
            [board.pk] if board else [],
            {"name": "Renamed Board", "slug": "board", "organisations": [service.pk, college.pk], "leads": ""},
            lambda: Partnership.objects.filter(name="Renamed Board").exists(),
        ),
        "partners:organisation-list": ([], {}, lambda: False),
        "partners:organisation-create": (
            [],
            {"name": "Northmoor Youth Trust", "slug": "youth-trust", "kind": "voluntary", "is_active": "on"},
            lambda: Organisation.objects.filter(slug="youth-trust").exists(),
        ),
        "partners:organisation-edit": (
            [college.pk],
            {"name": "Northmoor Sixth Form College", "slug": "college", "kind": "college", "is_active": "on"},
            lambda: Organisation.objects.filter(name="Northmoor Sixth Form College").exists(),
        ),
        "partners:organisation-domains": (
            [college.pk],
            {"domain": "northmoor-college.ac.uk", "role": "partner"},
            lambda: OrganisationDomain.objects.filter(domain="northmoor-college.ac.uk").exists(),
        ),
        "partners:organisation-domain-remove": (
            [college.pk, mapped.pk],
            {},
            lambda: not OrganisationDomain.objects.filter(pk=mapped.pk).exists(),
        ),
        "partners:person-list": ([], {}, lambda: False),
        "partners:person-create": (
            [],
            {
                "first_name": "Nia",
                "last_name": "Newcomer",
                "email": "nia@example.org",
                "role": "officer",
                "organisation": service.pk,
            },
            lambda: Invitation.objects.filter(email="nia@example.org").exists(),
        ),
        "partners:person-edit": (
            [carol.pk],
            {
                "username": "carol",
                "first_name": "Carol",
                "last_name": "Elsewhere",
                "email": "carol@example.org",
                "role": "officer",
                "organisation": carol.organisation_id,
                "job_title": "Head of Fair Access",
                "is_active": "on",
            },
            lambda: User.objects.filter(pk=carol.pk, job_title="Head of Fair Access").exists(),
        ),
        "partners:notification-list": ([], {}, lambda: False),
        "partners:notification-read-all": ([], {}, all_read),
    }[name]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", list(OUTCOMES))
def test_who_may_use_each_partners_url(client, people, college, carol, service, ada, name, persona):
    me = people.get(persona)
    if me:
        client.force_login(me)
    Notification.objects.create(recipient=me or ada, subject="Unread", body="")
    args, data, changed = _requests(name, college=college, carol=carol, service=service, me=me)
    url = reverse(name, args=args)
    wanted_get, wanted_post = OUTCOMES[name][persona]

    response = client.get(url)
    if wanted_get == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == wanted_get, f"{persona} GET {name}"

    response = client.post(url, data)
    if wanted_post == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == wanted_post, f"{persona} POST {name}"
    assert changed() is (wanted_post == 302), f"{persona} POST {name} changed things: {changed()}"


def test_every_partners_url_has_a_row_in_the_table():
    names = set()
    for pattern in get_resolver().url_patterns:
        if getattr(pattern, "namespace", None) == "partners":
            names |= {f"partners:{p.name}" for p in pattern.url_patterns}
    assert names, "the partners URLs are not wired into config/urls.py"
    assert names == set(OUTCOMES), f"no row for {names - set(OUTCOMES)}; stale rows {set(OUTCOMES) - names}"
    assert all(set(row) == set(PERSONAS) for row in OUTCOMES.values())


def test_an_inactive_admin_is_refused(client, ada):
    ada.is_active = False
    ada.save()
    client.force_login(ada)
    response = client.get(reverse("partners:person-list"))
    assert response.status_code == 302  # ModelBackend no longer recognises them


def test_an_unknown_person_or_organisation_is_404(client, ada):
    client.force_login(ada)
    assert client.get(reverse("partners:person-edit", args=[999999])).status_code == 404
    assert client.get(reverse("partners:organisation-edit", args=[999999])).status_code == 404


# --- the list ---------------------------------------------------------------------------


def test_the_list_shows_everyone_and_filters_by_role_organisation_and_activity(client, ada, bob, carol, pat, mel):
    carol.is_active = False
    carol.save()
    client.force_login(ada)
    url = reverse("partners:person-list")

    page = client.get(url).content.decode()
    for person in (ada, bob, carol, pat, mel):
        assert reverse("partners:person-edit", args=[person.pk]) in page

    def names(**query):
        response = client.get(url, query)
        assert response.status_code == 200
        return {person.username for person in response.context["page"]}

    assert names(role="partner") == {"pat"}
    assert names(organisation=bob.organisation_id) == {"bob"}
    assert names(active="no") == {"carol"}
    assert names(active="yes", role="officer") == {"bob"}
    assert names(role="no-such-role") == {"ada", "bob", "carol", "pat", "mel"}  # a bad filter filters nothing


def test_the_list_costs_the_same_queries_for_many_people(client, ada, django_assert_max_num_queries):
    client.force_login(ada)
    for _ in range(30):
        UserFactory(organisation=OrganisationFactory())
    # session, user, count, people with organisations, organisations for the filter, invitations waiting
    with django_assert_max_num_queries(6):
        response = client.get(reverse("partners:person-list"))
    assert response.status_code == 200
    assert len(response.context["page"]) == 31


# --- adding a person ---------------------------------------------------------------------

NEW_PERSON = {
    "first_name": "Nia",
    "last_name": "Newcomer",
    "email": "nia@example.org",
    "role": "officer",
    "job_title": "Attendance officer",
}


def test_adding_a_person_invites_them_and_asks_no_one_for_a_password(
    client, ada, service, django_capture_on_commit_callbacks, mailoutbox
):
    client.force_login(ada)
    page = client.get(reverse("partners:person-create")).content.decode()
    assert "Invite a person" in page
    assert 'type="password"' not in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("partners:person-create"), {**NEW_PERSON, "organisation": service.pk}, follow=True
        )

    assert response.redirect_chain[-1][0] == reverse("partners:person-list")
    assert "Invitation sent to nia@example.org. The link works once, for 72 hours." in response.content.decode()
    assert not User.objects.filter(email="nia@example.org").exists()  # not until she accepts
    invitation = Invitation.objects.get()
    assert (invitation.role, invitation.organisation, invitation.job_title, invitation.invited_by) == (
        "officer",
        service,
        "Attendance officer",
        ada,
    )
    assert [message.to for message in mailoutbox] == [["nia@example.org"]]
    row = invitation.history.get()
    assert (row.history_type, row.history_user, row.history_change_reason) == ("+", ada, "Invitation sent")


def test_invitations_not_yet_accepted_are_listed_under_the_people(client, ada, service, college):
    services.invitation_send(by=ada, email="nia@example.org", organisation=service, role="officer", first_name="Nia")
    used = services.invitation_send(by=ada, email="pam@college.example", organisation=college, role="partner")
    services.invitation_accept(token=_token_of(used), password="a-long-and-unusual-passphrase")
    client.force_login(ada)
    page = client.get(reverse("partners:person-list")).content.decode()
    waiting = page.split("Invitations not yet accepted", 1)[1]
    assert "nia@example.org" in waiting and "School Improvement" in waiting and "Works until" in waiting
    assert "pam@college.example" not in waiting


def _token_of(invitation: Invitation) -> str:
    """A fresh link for ``invitation`` (tests only: the real one is in the email)."""
    from partners.models import token_hash

    token = f"test-token-{invitation.pk}"
    Invitation.objects.filter(pk=invitation.pk).update(token_hash=token_hash(token))
    return token


def test_a_posted_password_is_ignored(client, ada, service):
    """The form has no password fields; one sent anyway sets nothing anywhere."""
    client.force_login(ada)
    client.post(
        reverse("partners:person-create"),
        {**NEW_PERSON, "organisation": service.pk, "password1": PASSWORD, "password2": PASSWORD},
    )
    assert Invitation.objects.filter(email="nia@example.org").exists()
    assert not User.objects.filter(email="nia@example.org").exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"email": "BOB@example.org"}, "email", "Someone with this email address already has an account."),
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"email": "n" * 140 + "@example.org"}, "email", "This address would be their username"),
        ({"last_name": ""}, "last_name", "This field is required."),
        ({"role": "partner"}, "organisation", "A partner belongs to a partner body"),
        ({"organisation": "college"}, "organisation", "A council officer belongs to the council"),
    ],
)
def test_bad_details_are_shown_next_to_the_field_and_nothing_is_added(
    client, ada, bob, service, college, change, field, message
):
    client.force_login(ada)
    data = {**NEW_PERSON, "organisation": service.pk, **change}
    if data["organisation"] == "college":
        data["organisation"] = college.pk
    before = User.objects.count()

    response = client.post(reverse("partners:person-create"), data)

    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(error.startswith(message) for error in errors), errors
    page = response.content.decode()
    assert "There is a problem" in page
    assert f'id="id_{field}-error"' in page
    assert User.objects.count() == before
    assert not Invitation.objects.exists()


# --- editing and deactivating --------------------------------------------------------------


def _edit_data(person: User, **change) -> dict:
    data = {
        "username": person.username,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "role": person.role,
        "organisation": person.organisation_id or "",
        "job_title": person.job_title,
        "is_active": "on",
    }
    data.update(change)
    return {key: value for key, value in data.items() if value is not None}


def test_an_admin_edits_a_person_and_the_history_says_who(client, ada, bob, other_service):
    client.force_login(ada)
    response = client.post(
        reverse("partners:person-edit", args=[bob.pk]),
        _edit_data(bob, organisation=other_service.pk, job_title="Access officer"),
    )
    assert response.status_code == 302
    bob.refresh_from_db()
    assert (bob.organisation, bob.job_title) == (other_service, "Access officer")
    latest = bob.history.first()
    assert (latest.history_type, latest.history_user, latest.history_change_reason) == ("~", ada, "Person updated")
    assert _can_sign_in("bob", PASSWORD)  # editing never touches the password


def test_deactivating_a_person_ends_their_sessions_and_signs_them_out(client, ada, bob, carol):
    bob_browser, carol_browser = Client(), Client()
    bob_browser.force_login(bob)
    carol_browser.force_login(carol)
    assert bob_browser.get(reverse("planning:plan-list")).status_code == 200
    assert _sessions_of(bob) == 1

    client.force_login(ada)
    response = client.post(reverse("partners:person-edit", args=[bob.pk]), _edit_data(bob, is_active=None), follow=True)

    assert "Bob Officer deactivated and signed out everywhere." in response.content.decode()
    bob.refresh_from_db()
    assert not bob.is_active
    assert _sessions_of(bob) == 0  # the session rows are gone
    response = bob_browser.get(reverse("planning:plan-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert carol_browser.get(reverse("planning:plan-list")).status_code == 200  # nobody else is touched
    assert _sessions_of(ada) == 1
    latest = bob.history.first()
    assert (latest.is_active, latest.history_user, latest.history_change_reason) == (False, ada, "Person deactivated")


def test_an_inactive_person_is_refused_even_while_their_session_row_lives(bob):
    """The second line of defence: Django's ModelBackend rejects inactive users, so even
    a deactivation that skipped the service (a raw update) signs them out."""
    browser = Client()
    browser.force_login(bob)
    User.objects.filter(pk=bob.pk).update(is_active=False)  # no service, so no session clean-up
    assert _sessions_of(bob) == 1

    response = browser.get(reverse("planning:plan-list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not _can_sign_in("bob", PASSWORD)


def test_reactivating_a_person_lets_them_sign_in_again(client, ada, bob):
    client.force_login(ada)
    client.post(reverse("partners:person-edit", args=[bob.pk]), _edit_data(bob, is_active=None))
    assert not _can_sign_in("bob", PASSWORD)
    client.post(reverse("partners:person-edit", args=[bob.pk]), _edit_data(bob))
    assert _can_sign_in("bob", PASSWORD)


def test_an_admin_cannot_deactivate_themselves_or_drop_their_own_role(client, ada):
    client.force_login(ada)
    url = reverse("partners:person-edit", args=[ada.pk])

    response = client.post(url, _edit_data(ada, is_active=None))
    assert response.status_code == 200
    assert response.context["form"].errors["is_active"] == [
        "You cannot deactivate your own account: ask another administrator."
    ]

    response = client.post(url, _edit_data(ada, role="officer"))
    assert response.context["form"].errors["role"] == [
        "You cannot remove your own administrator role: ask another administrator."
    ]
    ada.refresh_from_db()
    assert (ada.is_active, ada.role) == (True, User.Role.ADMIN)
    assert _sessions_of(ada) == 1


def test_the_edit_form_has_no_password_and_a_posted_one_changes_nothing(client, ada, bob):
    client.force_login(ada)
    url = reverse("partners:person-edit", args=[bob.pk])
    assert 'type="password"' not in client.get(url).content.decode()
    new = "a-quite-different-passphrase"
    response = client.post(url, _edit_data(bob, password1=new, password2=new))
    assert response.status_code == 302
    assert _can_sign_in("bob", PASSWORD)
    assert not _can_sign_in("bob", new)


def test_sessions_end_removes_only_that_persons_sessions(bob, carol):
    first, second, other = Client(), Client(), Client()
    first.force_login(bob)
    second.force_login(bob)
    other.force_login(carol)

    assert sessions_end(user=bob) == 2

    assert _sessions_of(bob) == 0
    assert _sessions_of(carol) == 1


def test_the_service_refuses_what_the_form_would(ada, college):
    person = User(username="zed", first_name="Zed", last_name="Z", email="z@example.org", role="officer")
    person.organisation = college
    with pytest.raises(ValidationError) as raised:
        services.person_save(person=person, user=ada)
    assert "organisation" in raised.value.message_dict
    assert not User.objects.filter(username="zed").exists()


def _can_sign_in(username: str, password: str) -> bool:
    """Through the real sign-in form, so django-axes sees a request."""
    response = Client().post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302


def _sessions_of(user: User) -> int:
    return sum(1 for s in Session.objects.all() if s.get_decoded().get(SESSION_KEY) == str(user.pk))


def test_signing_in_records_the_time_without_a_history_row(client, bob):
    before = bob.history.count()
    response = client.post(reverse("login"), {"username": bob.username, "password": PASSWORD})
    assert response.status_code == 302
    bob.refresh_from_db()
    assert bob.last_login is not None
    assert bob.history.count() == before


def test_django_admin_neither_adds_people_nor_sets_their_passwords(client, ada, bob):
    ada.is_superuser = True
    ada.save()
    client.force_login(ada)
    assert client.get("/django-admin/partners/user/add/").status_code == 403
    response = client.get(f"/django-admin/partners/user/{bob.pk}/password/", follow=True)
    assert 'type="password"' not in response.content.decode()  # the admin's catch-all: to the change page
    response = client.get(f"/django-admin/partners/user/{bob.pk}/change/")
    assert response.status_code == 200 and 'type="password"' not in response.content.decode()


def test_the_invite_form_costs_the_same_queries_for_many_organisations(client, ada, django_assert_max_num_queries):
    client.force_login(ada)
    for _ in range(30):
        OrganisationFactory()
    # session, user, the organisations to choose from
    with django_assert_max_num_queries(3):
        response = client.get(reverse("partners:person-create"))
    assert response.status_code == 200
    assert response.content.decode().count("<option") >= 31
