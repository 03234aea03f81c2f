"""Choosing Welsh or English (config/language.py, docs/decisions/0029)."""

import pytest
from django.conf import settings
from django.urls import reverse

SKIP_LINK_CY = "Neidio i'r prif gynnwys"  # the catalogue's text is the house's own: not escaped
SKIP_LINK_EN = "Skip to main content"


def _page(client, **headers):
    return client.get(reverse("login"), **headers).content.decode()


@pytest.mark.django_db
def test_english_unless_asked(client):
    page = _page(client)
    assert SKIP_LINK_EN in page and '<html lang="en-GB"' in page


@pytest.mark.django_db
def test_the_browsers_language_is_offered(client):
    page = _page(client, HTTP_ACCEPT_LANGUAGE="cy,en;q=0.5")
    assert SKIP_LINK_CY in page and '<html lang="cy"' in page


@pytest.mark.django_db
def test_anyone_switches_by_link_and_the_cookie_remembers(client):
    response = client.get(reverse("partners:switch-language"), {"language": "cy", "next": "/public/"})
    assert response.status_code == 302 and response["Location"] == "/public/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "cy"
    assert SKIP_LINK_CY in _page(client, HTTP_ACCEPT_LANGUAGE="en")
    client.get(reverse("partners:switch-language"), {"language": "en-gb"})
    assert SKIP_LINK_EN in _page(client)


@pytest.mark.django_db
def test_a_signed_in_persons_choice_is_kept_on_their_record_with_history(client, bob):
    client.force_login(bob)
    response = client.post(
        reverse("partners:switch-language"), {"language": "cy", "next": reverse("planning:plan-list")}
    )
    assert response.status_code == 302
    bob.refresh_from_db()
    assert bob.language == "cy"
    assert bob.history.first().history_change_reason == "Language chosen"
    client.cookies.clear()
    client.force_login(bob)
    page = client.get(reverse("planning:plan-list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert SKIP_LINK_CY in page  # their choice, not the browser's


@pytest.mark.django_db
def test_a_link_does_not_change_a_signed_in_persons_record(client, bob):
    client.force_login(bob)
    client.get(reverse("partners:switch-language"), {"language": "cy"})
    bob.refresh_from_db()
    assert bob.language == ""


@pytest.mark.django_db
def test_an_unknown_language_is_refused_and_changes_nothing(client, bob):
    client.force_login(bob)
    response = client.post(reverse("partners:switch-language"), {"language": "fr"})
    assert response.status_code == 400 and settings.LANGUAGE_COOKIE_NAME not in response.cookies
    bob.refresh_from_db()
    assert bob.language == ""


@pytest.mark.django_db
def test_next_elsewhere_is_not_followed(client):
    response = client.get(reverse("partners:switch-language"), {"language": "cy", "next": "https://evil.example/"})
    assert response["Location"] == reverse("planning:plan-list")


@pytest.mark.django_db
def test_the_switch_names_the_other_language_in_itself(client, bob):
    assert 'lang="cy" hreflang="cy" translate="no"' in _page(client)
    client.force_login(bob)
    page = client.get(reverse("planning:plan-list"), HTTP_ACCEPT_LANGUAGE="cy").content.decode()
    assert 'name="language" value="en-gb"' in page and ">English</button>" in page


def test_the_deploy_check_refuses_catalogues_not_compiled(tmp_path):
    """A server started without `python -m config.catalogues` would show Welsh readers English."""
    import os

    from config import catalogues

    po = tmp_path / "app" / "locale" / "cy" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "Plans"\nmsgstr "Cynlluniau"\n'
    )
    assert [error.id for error in catalogues.check_compiled(base=tmp_path)] == ["golden_thread.E001"]
    assert catalogues.compile_all(tmp_path) == [po]
    assert catalogues.check_compiled(base=tmp_path) == []
    os.utime(po, (po.stat().st_mtime + 10, po.stat().st_mtime + 10))  # the .po changed after
    assert len(catalogues.check_compiled(base=tmp_path)) == 1
