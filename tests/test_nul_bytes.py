"""A NUL byte anywhere a person can put one is refused with the friendly 400 page
(config/nul_bytes.py; issue 12, item 9).

PostgreSQL cannot hold NUL in text, so a NUL that reached a query was a 500 (the search's
``q``, the link picker's ``q``, the workbook's ``?plan=``), and Python's file functions
raise on one in a path. One middleware refuses it in the path, the query string, the
posted fields and the cookies before any view or database sees it."""

from http.cookies import SimpleCookie

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from monitoring import services as monitoring
from partners.models import User
from planning.models import Plan
from tests.factories import PASSWORD, add_item, vision_of

FRIENDLY = "Sorry, there is a problem with your request"


def _refused(response) -> bool:
    return response.status_code == 400 and FRIENDLY in response.content.decode()


@pytest.fixture
def signed_in(client, alice):
    client.force_login(alice)
    return client


def test_a_nul_in_the_search_is_refused(signed_in):
    assert _refused(signed_in.get(reverse("planning:search"), {"q": "maths\x00"}))


def test_a_nul_in_the_link_pickers_search_is_refused(signed_in, plan):
    action = add_item(plan, add_item(plan, vision_of(plan), "priority"), "action")
    url = reverse("planning:link-add", args=[plan.slug, action.pk])
    assert _refused(signed_in.get(url, {"q": "\x00"}))


def test_a_nul_in_the_workbooks_plan_is_refused(signed_in, plan):
    monitoring.financial_year_create(start_year=2013, user=None)
    response = signed_in.get(reverse("monitoring:workbook-download"), {"period": "2013-q1", "plan": "\x00"})
    assert _refused(response)


def test_the_same_addresses_without_a_nul_still_answer(signed_in, plan):
    assert signed_in.get(reverse("planning:search"), {"q": "maths"}).status_code == 200
    monitoring.financial_year_create(start_year=2013, user=None)
    response = signed_in.get(reverse("monitoring:workbook-download"), {"period": "2013-q1"})
    assert response.status_code == 200


def test_a_nul_in_any_query_parameter_or_its_name_is_refused(signed_in, plan):
    assert _refused(signed_in.get(plan.get_absolute_url(), {"show": "all\x00"}))
    assert _refused(signed_in.get(plan.get_absolute_url(), {"sh\x00ow": "all"}))
    assert _refused(signed_in.get(plan.get_absolute_url() + "?show=%00"))


def test_a_nul_in_the_path_is_refused(signed_in):
    assert _refused(signed_in.get("/plans/sip%00/"))
    assert _refused(signed_in.get("/static/app/app%00.css"))


def test_a_nul_in_a_posted_field_is_refused_and_changes_nothing(signed_in, plan):
    url = reverse("planning:plan-editions", args=[plan.slug])
    assert _refused(signed_in.post(url, {"name": "Draft\x00 for Cabinet"}))
    assert not plan.editions.exists()
    assert signed_in.post(url, {"name": "Draft for Cabinet"}).status_code == 302


def test_a_nul_in_the_sign_in_form_is_refused_before_anything_is_recorded(client, alice):
    from axes.models import AccessAttempt

    response = client.post(reverse("login"), {"username": "alice\x00", "password": PASSWORD})
    assert _refused(response)
    assert not AccessAttempt.objects.exists()
    assert "_auth_user_id" not in client.session


def test_a_nul_in_a_cookie_is_refused(client, db):
    client.cookies = SimpleCookie({"sessionid": "abcdefgh\x00ijklmnop"})
    assert _refused(client.get(reverse("planning:plan-list")))


def test_an_uploaded_files_contents_may_hold_nul_bytes():
    """Evidence and workbooks are binary: only the fields around them are checked."""
    from config.nul_bytes import RefuseNulBytesMiddleware

    upload = SimpleUploadedFile("evidence.pdf", b"%PDF-1.7\x00\x00\x01", content_type="application/pdf")
    request = RequestFactory().post("/anywhere/", {"file": upload, "note": "Minutes"})
    passed = []
    RefuseNulBytesMiddleware(lambda r: passed.append(r) or "the view's response")(request)
    assert passed == [request]


@pytest.mark.django_db
def test_the_refusal_is_not_a_server_error_for_anyone(client):
    admin = User.objects.create(username="ada", role=User.Role.ADMIN)
    client.force_login(admin)
    response = client.get(reverse("planning:plan-list"), {"q": "\x00"})
    assert _refused(response)
    assert not Plan.objects.exists()
