"""Notifications and emails reach each person in their own language (docs/decisions/0029):
``notify`` writes each row inside ``config.language.in_language_of(recipient)``, an
invitation is written in the language the administrator chose for it (and gives that
language to the person who joins), and a password reset link in the account holder's
language, whatever the language of the page that asked for it."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partners import services
from partners.models import Invitation, Notification, User

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-and-unusual-passphrase"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "http://plans.example"


def _speaks(person: User, language: str) -> User:
    User.objects.filter(pk=person.pk).update(language=language)  # (not a tracked change: the test's set-up)
    person.refresh_from_db()
    return person


# --- notify --------------------------------------------------------------------------------


def test_each_recipient_reads_a_notification_in_their_own_language(bob, carol, django_capture_on_commit_callbacks):
    welsh, english = _speaks(bob, "cy"), _speaks(carol, "en-gb")
    with translation.override("en-gb"), django_capture_on_commit_callbacks(execute=False):
        services.notify(
            recipients=[welsh, english],
            subject=lambda: (
                _("Invitation sent to %(email)s. The link works once, for %(hours)s hours.")
                % {"email": "nia@example.org", "hours": 72}
            ),
            body=gettext_lazy("Notifications and password reset links are sent here."),
        )
    rows = {row.recipient_id: row for row in Notification.objects.all()}
    assert (
        rows[welsh.pk].subject
        == "Gwahoddiad wedi’i anfon at nia@example.org. Mae’r ddolen yn gweithio unwaith, am 72 awr."
    )
    assert rows[welsh.pk].body == "Anfonir hysbysiadau a dolenni ailosod cyfrinair yma."
    assert rows[english.pk].subject == "Invitation sent to nia@example.org. The link works once, for 72 hours."
    assert rows[english.pk].body == "Notifications and password reset links are sent here."


def test_the_language_of_the_person_who_acts_does_not_leak_into_a_notification(bob, carol):
    """Someone reading the app in Welsh tells an English reader: English it is."""
    english = _speaks(carol, "")
    with translation.override("cy"):
        services.notify(recipients=[english], subject=lambda: _("Edit %(name)s") % {"name": "X"}, body="Plain text.")
    row = Notification.objects.get()
    assert (row.subject, row.body) == ("Edit X", "Plain text.")
    assert translation.get_language() == "en-gb"  # the override the test set ended; notify left nothing behind


def test_a_welsh_speakers_notification_email_is_in_welsh(bob, django_capture_on_commit_callbacks, mailoutbox):
    welsh = _speaks(bob, "cy")
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=[welsh], subject=lambda: _("Edit %(name)s") % {"name": "Ysgol"}, body=_("Hello,"))
    # plain text is taken as it is: only a function or a lazy string is written per recipient
    assert [(message.to, message.subject) for message in mailoutbox] == [([welsh.email], "Golygu Ysgol")]
    assert mailoutbox[0].body == "Hello,"


# --- invitations ---------------------------------------------------------------------------


def _invite(ada, service, capture, **options) -> Invitation:
    with capture(execute=True):
        return services.invitation_send(
            by=ada, email="nia@example.org", organisation=service, role="officer", first_name="Nia", **options
        )


def test_an_invitation_written_in_welsh_and_its_person_joins_speaking_welsh(
    client, ada, service, django_capture_on_commit_callbacks, mailoutbox
):
    invitation = _invite(ada, service, django_capture_on_commit_callbacks, language="cy")
    message = mailoutbox[0]
    assert message.subject.startswith("Gwahoddiad i Golden Thread yn ")
    assert "Helo Nia," in message.body and "Mae Ada Admin wedi eich gwahodd i Golden Thread" in message.body
    assert "Byddwch yn ymuno fel swyddog y cyngor yn School Improvement." in message.body
    assert "invited" not in message.body
    path = re.search(r"^http://plans\.example(/accounts/invitation/\S+/)$", message.body, re.MULTILINE).group(1)

    page = client.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Welcome to Golden Thread" in page  # the page follows the browser until they have an account
    client.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    invitation.refresh_from_db()
    assert invitation.user.language == "cy"
    page = client.get(reverse("planning:plan-list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="cy"' in page  # signed in by accepting: their language, not the browser's


def test_an_invitation_without_a_language_is_in_english_whatever_the_administrators_language(
    ada, service, django_capture_on_commit_callbacks, mailoutbox
):
    with translation.override("cy"):
        _invite(ada, service, django_capture_on_commit_callbacks)
    message = mailoutbox[0]
    assert message.subject.startswith("You are invited to Golden Thread at ")
    assert "Ada Admin has invited you to Golden Thread" in message.body
    assert "You will join as council officer at School Improvement." in message.body


def test_the_invite_form_offers_the_language_and_the_invitation_keeps_it(
    client, ada, service, django_capture_on_commit_callbacks, mailoutbox
):
    client.force_login(ada)
    page = client.get(reverse("partners:person-create")).content.decode()
    assert 'name="language"' in page and ">Cymraeg<" in page
    data = {"first_name": "Nia", "last_name": "Newcomer", "email": "nia@example.org", "role": "officer"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("partners:person-create"), {**data, "organisation": service.pk, "language": "cy"})
    assert Invitation.objects.get().language == "cy"
    assert mailoutbox[0].subject.startswith("Gwahoddiad")


def test_the_invite_form_refuses_a_language_it_does_not_offer(client, ada, service):
    client.force_login(ada)
    data = {"first_name": "Nia", "last_name": "N", "email": "nia@example.org", "role": "officer"}
    response = client.post(reverse("partners:person-create"), {**data, "organisation": service.pk, "language": "fr"})
    assert response.status_code == 200 and "language" in response.context["form"].errors
    assert not Invitation.objects.exists()


# --- a person's language, set by an administrator ------------------------------------------


def test_an_administrator_sets_a_persons_language_with_history(client, ada, bob):
    client.force_login(ada)
    data = {
        "username": bob.username,
        "first_name": bob.first_name,
        "last_name": bob.last_name,
        "email": bob.email,
        "role": bob.role,
        "organisation": bob.organisation_id,
        "job_title": bob.job_title,
        "is_active": "on",
        "language": "cy",
    }
    response = client.post(reverse("partners:person-edit", args=[bob.pk]), data)
    assert response.status_code == 302
    bob.refresh_from_db()
    assert bob.language == "cy"
    assert bob.history.first().history_user == ada


def test_the_person_form_reads_well_in_welsh(client, ada, bob):
    client.force_login(_speaks(ada, "cy"))
    page = client.get(reverse("partners:person-edit", args=[bob.pk])).content.decode()
    assert "Golygu Bob Officer" in page and "Iaith" in page and "Cadw’r person" in page
    assert "Save person" not in page


def test_a_person_cannot_be_given_a_language_the_app_does_not_offer(client, ada, bob):
    client.force_login(ada)
    data = {"username": bob.username, "first_name": "Bob", "last_name": "Officer", "email": bob.email}
    data |= {"role": bob.role, "organisation": bob.organisation_id, "is_active": "on", "language": "de"}
    response = client.post(reverse("partners:person-edit", args=[bob.pk]), data)
    assert response.status_code == 200 and "language" in response.context["form"].errors
    bob.refresh_from_db()
    assert bob.language == ""


# --- password reset ------------------------------------------------------------------------


def test_a_reset_link_is_in_the_account_holders_language_not_the_pages(client, bob, carol, mailoutbox):
    _speaks(bob, "cy")
    client.post(reverse("password_reset"), {"email": "bob@example.org"}, HTTP_ACCEPT_LANGUAGE="en")
    client.post(reverse("password_reset"), {"email": carol.email}, HTTP_ACCEPT_LANGUAGE="cy")
    welsh, english = mailoutbox
    assert welsh.to == ["bob@example.org"] and welsh.subject == "Ailosod eich cyfrinair Golden Thread"
    assert welsh.body.startswith("Helo,") and "Agorwch y ddolen hon i ddewis cyfrinair newydd:" in welsh.body
    assert english.to == [carol.email] and english.subject == "Reset your Golden Thread password"
    assert english.body.startswith("Hello,") and "Open this link to choose a new password:" in english.body


# --- what scripts say ----------------------------------------------------------------------


def test_the_pages_scripts_read_their_words_from_the_page_in_its_language(client):
    """static/app/document-status.js says nothing of its own: its words are on the body."""
    welsh = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="cy").content.decode()
    english = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-text-pdf-still="Yn dal {state}…"' in welsh
    assert 'data-text-pdf-ready="The PDF is ready. Follow “Check now” to download it."' in english
    script = (settings.BASE_DIR / "static" / "app" / "document-status.js").read_text()
    assert "The PDF" not in script and "Still " not in script


# --- a caller in planning: the consultation's invitation ----------------------------------


def test_a_consultations_invitation_reaches_each_invitee_in_their_language(plan, alice, pat, mel, college):
    from planning import lifecycle

    welsh = _speaks(pat, "cy")
    opens, closes = timezone.localdate() + timedelta(days=1), timezone.localdate() + timedelta(days=40)
    lifecycle.plan_consultation_open(
        plan=plan, user=alice, opens_on=opens, closes_on=closes, note="Tell us.", organisations=[college], members=[mel]
    )
    rows = {row.recipient_id: row for row in Notification.objects.filter(recipient__in=[welsh, mel])}
    with translation.override("cy"):
        welsh_dates = (date_format(opens, "j F Y"), date_format(closes, "j F Y"))
    assert rows[welsh.pk].subject == f"Ymgynghoriad: {plan.title}"
    assert rows[welsh.pk].body == (
        f"Mae Alice Owner yn eich gwahodd i roi sylwadau ar y drafft {plan.title}, ar agor o {welsh_dates[0]} "
        f"tan {welsh_dates[1]}.\n\nTell us."
    )
    assert rows[mel.pk].subject == f"Consultation: {plan.title}"
    assert rows[mel.pk].body.startswith(f"Alice Owner invites your comments on the draft {plan.title}, open from ")
    assert f"{opens:%-d %B %Y}" in rows[mel.pk].body
