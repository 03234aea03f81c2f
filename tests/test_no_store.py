"""Nothing shown to a signed-in person is kept by a browser's or a proxy's cache
(config/no_store.py; issue 12, item 11): pages, exports, evidence and PDFs carry
``Cache-Control: no-store``, so the back button on a shared office PC or a caching proxy
cannot show them to the next person. Static files stay cacheable, answers to anonymous
requests are left alone (the public pages of issue 16 must be cacheable), and a view that
sets its own Cache-Control keeps it."""

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from monitoring import services as monitoring
from monitoring.models import Document
from tests.factories import make_return
from tests.monitoring.conftest import make_monitored


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.fixture
def q1(db):
    return monitoring.financial_year_create(start_year=2013, user=None)[0]


@pytest.fixture
def reported(plan, bob, college, q1):
    """An approved plan with a submitted return for its action in Q1."""
    monitored = make_monitored(plan, bob, college)
    make_return(monitored.action, q1, bob, submit=True)
    return monitored


@pytest.fixture
def evidence(reported, q1, bob, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ret = reported.action.returns.get(period=q1)
    ret.evidence_file.save("minutes.txt", ContentFile(b"Minutes of the meeting"))
    return ret


def test_signed_in_pages_are_not_stored(client, alice, reported, q1):
    client.force_login(alice)
    for url in (
        reverse("planning:plan-list"),
        reported.get_absolute_url(),
        reverse("planning:item-detail", args=[reported.slug, reported.action.pk]),
        reverse("monitoring:scorecard", args=[reported.slug, q1.slug]),
        reverse("monitoring:return-detail", args=[reported.slug, reported.action.pk, q1.slug]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert _no_store(response), url
        assert "private" in response["Cache-Control"], url


def test_error_pages_and_redirects_to_signed_in_people_are_not_stored(client, alice, reported):
    client.force_login(alice)
    assert _no_store(client.get("/plans/no-such-plan/"))
    assert _no_store(client.get(reverse("planning:plan-permalink", args=[reported.pk])))


def test_exports_are_not_stored(client, alice, reported, q1):
    client.force_login(alice)
    for url in (
        reverse("monitoring:plan-export", args=[reported.slug, "csv"]),
        reverse("monitoring:plan-export", args=[reported.slug, "xlsx"]),
        reverse("monitoring:returns-export", args=[reported.slug, q1.slug, "csv"]),
        reverse("planning:plan-compare", args=[reported.slug]) + "?format=csv",
        reverse("planning:consultation-summary", args=[reported.slug]) + "?format=csv",
        reverse("monitoring:workbook-download") + f"?period={q1.slug}&plan={reported.slug}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert _no_store(response), url


def test_evidence_downloads_are_not_stored(client, alice, reported, q1, evidence):
    client.force_login(alice)
    response = client.get(reverse("monitoring:return-evidence", args=[reported.slug, reported.action.pk, q1.slug]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"Minutes of the meeting"
    assert _no_store(response)


def test_pdf_downloads_are_not_stored(client, alice, reported, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    document = Document.objects.create(
        kind=Document.Kind.PLAN, plan=reported, key="plan:test", requested_by=alice, status=Document.Status.READY
    )
    document.file.save("plan.pdf", ContentFile(b"%PDF-1.7 a plan"))
    client.force_login(alice)
    response = client.get(reverse("monitoring:document-download", args=[document.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert _no_store(response)


def test_a_view_that_sets_its_own_cache_control_keeps_it(client, alice, reported, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    document = Document.objects.create(kind=Document.Kind.PLAN, plan=reported, key="plan:test", requested_by=alice)
    client.force_login(alice)
    response = client.get(reverse("monitoring:document-status", args=[document.pk]), {"format": "json"})
    assert response["Cache-Control"] == "no-store"


def test_answers_to_anonymous_requests_are_left_to_their_views(client, db):
    """The sign-in redirect says nothing about anyone; issue 16's public pages must cache."""
    response = client.get(reverse("planning:plan-list"))
    assert response.status_code == 302
    assert "Cache-Control" not in response


def test_static_files_stay_cacheable_for_signed_in_people(alice, settings):
    settings.WHITENOISE_USE_FINDERS = True  # serve from the source folders: no collectstatic in tests
    settings.WHITENOISE_AUTOREFRESH = True
    client = Client()  # a new client builds its middleware with these settings
    client.force_login(alice)
    response = client.get(settings.STATIC_URL + "app/app.css")
    assert response.status_code == 200
    assert not _no_store(response)
    assert "max-age" in response["Cache-Control"]


def test_the_headers_say_what_djangos_never_cache_says(client, alice):
    """Written as constants (config/no_store.py) for speed; the same directives, and an
    Expires in the past."""
    from django.http import HttpResponse
    from django.utils.cache import add_never_cache_headers
    from django.utils.http import parse_http_date

    client.force_login(alice)
    response = client.get(reverse("planning:plan-list"))
    django_says = HttpResponse()
    add_never_cache_headers(django_says)
    assert response["Cache-Control"] == django_says["Cache-Control"]
    assert parse_http_date(response["Expires"]) < parse_http_date(django_says["Expires"])
