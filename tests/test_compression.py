"""Pages over 1 KB go out gzip-compressed when asked for (config/compression.py, issue 14);
downloads that are already compressed, streamed files and small answers are left alone."""

import gzip

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from monitoring import services as monitoring
from monitoring.models import Document
from tests.factories import build_plan, make_return
from tests.monitoring.conftest import make_monitored

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


@pytest.fixture
def big_plan(plan):
    build_plan(plan, priorities=3, actions=3, targets=1, milestones=1)
    return plan


def test_a_big_page_comes_back_gzip_encoded_when_asked(client, alice, big_plan):
    client.force_login(alice)
    plain = client.get(big_plan.get_absolute_url())
    packed = client.get(big_plan.get_absolute_url(), **GZIP)
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert len(packed.content) < len(plain.content) / 3
    assert int(packed["Content-Length"]) == len(packed.content)
    # the same page, apart from the CSRF token masked afresh for each response
    assert gzip.decompress(packed.content).decode().count("<li") == plain.content.decode().count("<li")


def test_it_is_not_encoded_when_not_asked(client, alice, big_plan):
    client.force_login(alice)
    response = client.get(big_plan.get_absolute_url())
    assert "Content-Encoding" not in response
    assert "Accept-Encoding" in response["Vary"]  # a shared cache must not serve the gzip copy
    assert b"<html" in response.content


def test_the_padding_changes_the_length_of_the_same_page(client, alice, big_plan):
    """Heal the Breach: random bytes in each gzip header, so equal pages differ in length."""
    client.force_login(alice)
    url = big_plan.get_absolute_url() + "?show=priorities"
    lengths = {len(client.get(url, **GZIP).content) for _ in range(8)}
    assert len(lengths) > 1


def test_a_small_answer_is_not_compressed(client, db):
    response = client.get(reverse("health"), **GZIP)
    assert response.content == b"ok" and "Content-Encoding" not in response


@pytest.fixture
def q1(db):
    return monitoring.financial_year_create(start_year=2013, user=None)[0]


def test_spreadsheet_exports_are_not_compressed_again(client, alice, plan, bob, college, q1):
    make_monitored(plan, bob, college)
    client.force_login(alice)
    for kind in ("xlsx", "csv"):
        response = client.get(reverse("monitoring:plan-export", args=[plan.slug, kind]), **GZIP)
        assert response.status_code == 200
        assert "Content-Encoding" not in response, kind


def test_evidence_and_stored_pdfs_are_not_compressed_again(client, alice, plan, bob, college, q1, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    reported = make_monitored(plan, bob, college)
    make_return(reported.action, q1, bob, submit=True)
    ret = reported.action.returns.get(period=q1)
    ret.evidence_file.save("minutes.txt", ContentFile(b"Minutes of the meeting. " * 200))
    client.force_login(alice)
    evidence = client.get(reverse("monitoring:return-evidence", args=[plan.slug, reported.action.pk, q1.slug]), **GZIP)
    assert evidence.status_code == 200 and "Content-Encoding" not in evidence
    document = Document.objects.create(
        kind=Document.Kind.PLAN, plan=plan, key="plan:test", requested_by=alice, status=Document.Status.READY
    )
    document.file.save("plan.pdf", ContentFile(b"%PDF-1.7 " + b"x" * 5000))
    pdf = client.get(reverse("monitoring:document-download", args=[document.pk]), **GZIP)
    assert pdf.status_code == 200 and "Content-Encoding" not in pdf
