"""An anonymous reader follows a published plan's results in a real browser (issue 16): the
plan's public page, its results (the locked quarters), a locked quarter's scorecard as
reported to members, and its PDF: first the page saying it is being prepared (no worker
has produced it yet), then, once produced, the file from the same link. Axe on every page.
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from monitoring import services as monitoring_services
from monitoring.models import Document
from monitoring.tasks import render_document
from planning import lifecycle
from tests.browser.conftest import follow, visit
from tests.monitoring import conftest as monitoring_fixtures

pytestmark = pytest.mark.browser

monitored = monitoring_fixtures.monitored
periods = monitoring_fixtures.periods
reported = monitoring_fixtures.reported

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # queued, run by the test


def test_an_anonymous_reader_reads_a_locked_quarter_and_gets_its_pdf(
    live_server, page, settings, tmp_path, ada, alice, reported, periods
):
    settings.TASKS = DUMMY
    settings.MEDIA_ROOT = tmp_path / "media"
    q1, q2 = periods[0], periods[1]
    monitoring_services.period_lock(period_id=q1.pk, user=ada)
    lifecycle.plan_publish(plan=reported, user=alice)

    visit(page, f"/public/plans/{reported.slug}/")
    follow(page, page.get_by_role("link", name=re.compile(r"^Results")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Results")
    expect(page.get_by_role("link", name=f"{q2.label} scorecard")).to_have_count(0)  # not locked: not public

    follow(page, page.get_by_role("link", name=f"{q1.label} scorecard"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{q1.label} scorecard")
    expect(page.get_by_text("As reported to members")).to_be_visible()
    assert page.context.cookies() == []  # nothing set for an anonymous reader

    follow(page, page.get_by_role("link", name=re.compile(r"^Download as PDF")))
    expect(page.get_by_text("The PDF is being prepared")).to_be_visible()
    document = Document.objects.get()
    assert render_document.call(document.pk) == "ready"  # the worker's turn

    with page.expect_download() as download:
        page.get_by_role("link", name="Check now").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    assert Document.objects.count() == 1 and page.context.cookies() == []
