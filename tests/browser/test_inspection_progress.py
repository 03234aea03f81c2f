"""An officer records progress against an inspection recommendation and produces the
progress-against-recommendations report as a PDF, in a real browser (issue 18, decision 0030).

Bob leads recommendation 1 of alice's Estyn inspection, which the monitored plan's action
addresses. He reaches it from the header's "Inspections", records Q1's judgement with
narrative, evidence and a link, and sees it on the recommendation's page; from the action's
page he follows the link back to the recommendation. He opens Q1's report, asks for the PDF,
waits on the document's page while the background worker produces it, and downloads it.
Every page is checked with axe.
"""

import re
from io import BytesIO
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect
from pypdf import PdfReader

from monitoring.models import Document, RecommendationProgress
from tests.browser.conftest import follow, sign_in, submit
from tests.monitoring import conftest as monitoring_fixtures
from tests.monitoring import test_inspections

pytestmark = pytest.mark.browser

monitored = monitoring_fixtures.monitored
periods = monitoring_fixtures.periods
estyn = test_inspections.estyn

DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def test_an_officer_records_progress_and_produces_the_report_pdf(
    live_server, page, settings, tmp_path, bob, estyn, monitored, periods
):
    settings.TASKS = DATABASE  # queued until a worker runs
    settings.MEDIA_ROOT = tmp_path / "media"
    sign_in(page, bob)
    follow(page, page.get_by_role("link", name="Inspections", exact=True))
    follow(page, page.get_by_role("link", name=estyn.title))
    follow(page, page.get_by_role("link", name="Recommendation 1"))
    follow(page, page.get_by_role("link", name="Record progress for Q1 2013/14"))

    page.get_by_label("Partly met").check()
    page.get_by_label("Progress this quarter").fill("Every secondary school has a plan agreed with the authority.")
    page.get_by_label(re.compile(r"^Evidence\b")).fill("Report to the Education Cabinet Committee, July 2013")
    page.get_by_label("Links to the evidence").fill("https://democracy.example.org/education/2013-07")
    submit(page, page.get_by_role("button", name="Save the judgement"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Recommendation 1")
    expect(page.locator("main")).to_contain_text("Every secondary school has a plan agreed")
    assert RecommendationProgress.objects.get().recorded_by == bob

    # the action's page names the recommendation it addresses, and leads back to it
    follow(page, page.get_by_role("link", name="Train every maths teacher"))
    follow(page, page.get_by_role("link", name="Recommendation 1"))

    follow(page, page.get_by_role("link", name="Education services for children and young people"))
    follow(page, page.get_by_role("link", name="Progress against the recommendations, Q1 2013/14"))
    expect(page.locator("#recommendation-1")).to_contain_text("Partly met")
    expect(page.locator("#recommendation-1")).to_contain_text("Train every maths teacher")
    follow(page, page.get_by_role("link", name="Produce the report as a PDF"))
    expect(page.locator("main")).to_contain_text("Waiting to start")

    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", "--verbosity", "0")
    expect(page.get_by_role("status")).to_contain_text("The PDF is ready", timeout=15_000)
    follow(page, page.get_by_role("link", name="Check now"))
    expect(page.get_by_role("heading", level=2, name="The PDF is ready")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"^Download the PDF")).click()
    content = Path(download.value.path()).read_bytes()
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(BytesIO(content)).pages).split())
    assert "Every secondary school has a plan agreed" in text and "Partly met" in text
    assert Document.objects.get().kind == "inspection"
    follow(page, page.get_by_role("link", name="Back to the report"))
