"""PDFs: the plan document and the quarterly scorecard pack read right (contents with page
numbers, every priority, costs, "Page N of M", the edition or quarter on every page), are
tagged with bookmarks and internal links, are produced once for an edition or a locked
quarter and afresh after a change, fail with a clear message, and are read by whoever may
read the plan, nobody else.

Tasks run at once here (the ImmediateBackend, set by the ``tasks_now`` fixture); one test
queues through the database backend and runs ``db_worker --batch`` as ``make run`` would.
"""

import re
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
import weasyprint
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from config import pdf
from monitoring import documents, scorecard_pack
from monitoring import services as monitoring
from monitoring.models import Document
from partners.models import User
from planning import plan_document
from planning import services as planning
from planning.models import Plan, PlanShare
from tests.factories import UserFactory, add_item, make_plan, make_return, vision_of

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def tasks_now(settings, tmp_path):
    settings.TASKS = IMMEDIATE
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def renders(monkeypatch):
    """Counts the PDFs actually rendered."""
    count = {"n": 0}
    real = pdf.html_to_pdf

    def counting(html):
        count["n"] += 1
        return real(html)

    monkeypatch.setattr(pdf, "html_to_pdf", counting)
    return count


@pytest.fixture
def costed(monitored, college):
    """The monitored plan with a second priority and costed actions (£15,000 in all)."""
    add_item(
        monitored,
        monitored.priority,
        "action",
        title="Tutoring for pupils at risk of becoming NEET",
        cost_amount=Decimal("12000"),
        cost_type="revenue",
        funding_source="Pupil premium",
    )
    second = add_item(monitored, vision_of(monitored), "priority", title="Close the gap for SEN pupils")
    add_item(
        monitored,
        second,
        "action",
        title="Laptops for the resource base",
        cost_amount=Decimal("3000"),
        cost_type="capital",
        funding_source="Capital grant",
        lead_organisation=college,
    )
    monitored.second = second
    return monitored


def _pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(BytesIO(content)).pages]


def _outline_titles(outline, depth=0) -> list[tuple[int, str]]:
    titles = []
    for entry in outline:
        if isinstance(entry, list):
            titles += _outline_titles(entry, depth + 1)
        else:
            titles.append((depth, entry.title))
    return titles


def _ask(client, django_capture_on_commit_callbacks, url):
    """GET ``url`` and run what was queued when the request's transaction committed."""
    with django_capture_on_commit_callbacks(execute=True):
        return client.get(url)


# --- what the PDFs say --------------------------------------------------------------------


def test_the_plan_document_has_contents_with_page_numbers_every_priority_and_the_costs(costed):
    pages = _pages(plan_document.render_plan(costed))
    text = "\n".join(pages)
    contents = pages[1]
    assert "Contents" in contents
    for title in ("Raise attainment", "Close the gap for SEN pupils"):
        match = re.search(rf"^\d+ {re.escape(title)}[ .]+(\d+)\s*$", contents, re.MULTILINE)
        assert match, f"no contents entry with a page number for {title!r}"
        page = int(match.group(1))
        assert re.search(rf"Priority \d+ {re.escape(title)}", pages[page - 1]), f"{title!r} is not on page {page}"
    for entry in ("Vision", "Costs summary", "Linked plans", "Glossary"):
        assert re.search(rf"^{entry}[ .]+\d+\s*$", contents, re.MULTILINE), entry
    assert "Costs summary" in text and "£15,000" in text
    assert "Pupil premium" in text and "Capital grant" in text
    # leads, dates and the measure of the target
    assert "Bob Officer" in text and "31 Dec 2013" in text and "Higher is better" in text
    # the glossary: the plan's level names, its units and the acronyms in its text
    glossary = text[text.rindex("Glossary") :]
    for term in ("Priority", "Action", "Target", "Percentage (%)", "Revenue cost", "NEET", "SEN", "RAG rating"):
        assert term in glossary, term
    assert "Not in education, employment or training" in glossary


def test_every_page_says_page_n_of_m_and_what_it_shows(costed):
    pages = _pages(plan_document.render_plan(costed))
    total = len(pages)
    assert total >= 4
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {total}" in page
        assert "The plan as it stands" in page and f"Produced {timezone.localdate():%-d %B %Y}" in page


def test_the_pdf_is_tagged_with_bookmarks_that_follow_the_headings_and_working_links(costed):
    reader = PdfReader(BytesIO(plan_document.render_plan(costed)))
    catalog = reader.trailer["/Root"]
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in catalog and catalog["/Lang"] == "en-GB"
    titles = _outline_titles(reader.outline)
    assert titles[0] == (0, costed.title)
    assert (1, "Priority 1 Raise attainment") in titles
    assert (2, "Action 1.1 Train every maths teacher") in titles
    assert (3, "Target 1.1.1 Pupils reaching level 4 in maths") in titles
    assert (1, "Costs summary") in titles and (1, "Glossary") in titles
    internal = [
        annotation.get_object()
        for page in reader.pages
        for annotation in page.get("/Annots") or []
        if annotation.get_object().get("/Subtype") == "/Link"
        and ("/Dest" in annotation.get_object() or annotation.get_object().get("/A", {}).get("/S") == "/GoTo")
    ]
    assert len(internal) >= 6  # the contents, at least
    destinations = reader.named_destinations
    assert all(str(link["/Dest"]) in destinations for link in internal if "/Dest" in link)


def test_an_editions_document_shows_the_plan_as_it_stood(costed, alice):
    edition = planning.edition_create(plan=costed, name="Approved by Cabinet", user=alice)
    planning.item_update(
        item_id=costed.action.pk,
        user=alice,
        change=planning.ItemChange({"title": "Renamed after the edition"}),
        expected_version=1,
        reason="Renamed",
    )
    text = "\n".join(_pages(plan_document.render_plan(costed, edition)))
    assert "Train every maths teacher" in text and "Renamed after the edition" not in text
    assert "Edition: Approved by Cabinet" in text


def test_the_scorecard_pack_reads_as_a_committee_report(reported, periods, ada):
    q2 = monitoring.period_lock(period_id=periods[1].pk, user=ada)
    pages = _pages(scorecard_pack.render_scorecard(reported, q2, False))
    text = "\n".join(pages)
    for heading in (
        "1. Purpose of the report",
        "2. Summary",
        "3. RAG summary",
        "4. Exceptions",
        "5. Financial implications",
        "6. Members’ questions",  # decision 0022
        "7. Recommendations",
        "Members are asked to",
        "Appendix A: the Q2 2013/14 scorecard",
    ):
        assert heading in text, heading
    # the scorecard page's own sections, and the exception named in the report
    for section in ("Ratings by priority", "Trend across the year", "Exceptions: red and newly amber", "Targets"):
        assert section in text, section
    assert "Train every maths teacher: red" in text
    total = len(pages)
    for number, page in enumerate(pages, start=1):
        assert "Q2 2013/14" in page and f"Page {number} of {total}" in page
    assert "as reported" in pages[-1]


def test_rendering_fetches_the_static_files_and_nothing_else(settings):
    fetcher = pdf.LocalFetcher()
    css = fetcher.fetch(f"{settings.SITE_URL.rstrip('/')}{settings.STATIC_URL}app/print.css")
    assert css.content_type == "text/css" and b"@page" in css.read()
    for url in (
        "http://example.org/tracker.png",
        f"{settings.SITE_URL.rstrip('/')}{settings.STATIC_URL}../config/settings.py",
        f"{settings.SITE_URL.rstrip('/')}/media/evidence/secret.pdf",
        "file:///etc/passwd",
    ):
        with pytest.raises(ValueError, match="Not fetched"):
            fetcher.fetch(url)
    # a page that points elsewhere still renders, without what it pointed to
    content = pdf.html_to_pdf('<html lang="en-GB"><title>T</title><img src="http://example.org/x.png" alt="x"><p>Hi')
    assert "Hi" in _pages(content)[0]


# --- produced once, reused, renewed -------------------------------------------------------


def test_an_editions_pdf_is_rendered_once_then_served_from_storage(
    client, costed, alice, mel, renders, django_capture_on_commit_callbacks
):
    edition = planning.edition_create(plan=costed, name="Approved by Cabinet", user=alice)
    url = reverse("monitoring:plan-pdf", args=[costed.slug]) + f"?edition={edition.pk}"
    client.force_login(mel)
    first = _ask(client, django_capture_on_commit_callbacks, url)
    document = Document.objects.get()
    assert first.url == reverse("monitoring:document-status", args=[document.pk])
    assert document.status == Document.Status.READY and document.pages >= 4 and document.file
    assert document.key == f"plan:{costed.pk}:edition:{edition.pk}"
    planning.item_update(
        item_id=costed.action.pk,
        user=alice,
        change=planning.ItemChange({"title": "Renamed"}),
        expected_version=1,
        reason="Renamed",
    )
    client.force_login(alice)
    second = _ask(client, django_capture_on_commit_callbacks, url)
    assert second.url == reverse("monitoring:document-download", args=[document.pk])
    assert Document.objects.count() == 1 and renders["n"] == 1
    download = client.get(second.url)
    assert download["Content-Type"] == "application/pdf"
    assert (
        download["Content-Disposition"].startswith("attachment")
        and "approved-by-cabinet" in download["Content-Disposition"]
    )
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_locked_quarters_pack_is_rendered_once(
    client, reported, periods, ada, alice, mel, renders, django_capture_on_commit_callbacks
):
    q2 = periods[1]
    monitoring.period_lock(period_id=q2.pk, user=ada)
    url = reverse("monitoring:scorecard-pdf", args=[reported.slug, q2.slug])
    client.force_login(mel)
    _ask(client, django_capture_on_commit_callbacks, url)
    planning.item_update(
        item_id=reported.action.pk,
        user=alice,
        change=planning.ItemChange({"title": "Renamed after the quarter was reported"}),
        expected_version=1,
        reason="Renamed",
    )
    again = _ask(client, django_capture_on_commit_callbacks, url)
    document = Document.objects.get()
    assert again.url == reverse("monitoring:document-download", args=[document.pk])
    # locked, and the members' questions as they stood (decision 0022): none changed since
    assert ":locked:questions@" in document.key and renders["n"] == 1
    # the rolled-up pack is another document
    _ask(client, django_capture_on_commit_callbacks, url + "?children=1")
    assert Document.objects.count() == 2


def test_a_live_plan_gets_a_new_pdf_after_a_change_and_not_before(
    client, costed, alice, renders, django_capture_on_commit_callbacks
):
    url = reverse("monitoring:plan-pdf", args=[costed.slug])
    client.force_login(alice)
    _ask(client, django_capture_on_commit_callbacks, url)
    _ask(client, django_capture_on_commit_callbacks, url)
    assert Document.objects.count() == 1 and renders["n"] == 1
    planning.item_update(
        item_id=costed.action.pk,
        user=alice,
        change=planning.ItemChange({"title": "Train every science teacher"}),
        expected_version=1,
        reason="Widened",
    )
    _ask(client, django_capture_on_commit_callbacks, url)
    assert Document.objects.count() == 2 and renders["n"] == 2
    newest = Document.objects.latest("pk")
    assert "Train every science teacher" in "\n".join(_pages(newest.file.read()))


def test_a_live_quarter_gets_a_new_pack_after_a_return_changes(
    client, monitored, periods, bob, alice, renders, django_capture_on_commit_callbacks
):
    q1 = periods[0]
    url = reverse("monitoring:scorecard-pdf", args=[monitored.slug, q1.slug])
    client.force_login(alice)
    _ask(client, django_capture_on_commit_callbacks, url)
    make_return(monitored.action, q1, bob, {"rag": "red", "narrative": "Stuck"}, submit=True)
    _ask(client, django_capture_on_commit_callbacks, url)
    assert Document.objects.count() == 2 and renders["n"] == 2
    assert "live@" in Document.objects.latest("pk").key


def test_a_failed_render_is_reported_clearly_keeps_no_file_and_is_tried_again(
    client, costed, alice, monkeypatch, tasks_now, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise RuntimeError("cairo exploded at 0xdeadbeef")

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", broken)
    url = reverse("monitoring:plan-pdf", args=[costed.slug])
    client.force_login(alice)
    response = _ask(client, django_capture_on_commit_callbacks, url)
    document = Document.objects.get()
    assert document.status == Document.Status.FAILED and not document.file and document.finished_at
    assert document.error.startswith("The PDF could not be produced")
    assert "cairo" not in document.error and "Traceback" not in document.error
    assert not list(tasks_now.rglob("*.pdf"))
    page = client.get(response.url).content.decode()
    assert "The PDF could not be produced" in page and "Try again" in page
    assert "cairo" not in page and 'http-equiv="refresh"' not in page
    monkeypatch.undo()
    client.force_login(alice)
    retried = _ask(client, django_capture_on_commit_callbacks, url)
    document.refresh_from_db()
    assert Document.objects.count() == 1 and document.status == Document.Status.READY and document.error == ""
    assert retried.url == reverse("monitoring:document-status", args=[document.pk])


def test_the_status_page_shows_progress_without_reloading_itself(client, approved, alice, mel):
    document = Document.objects.create(
        kind=Document.Kind.PLAN, plan=approved, key="plan:test", status=Document.Status.QUEUED, requested_by=alice
    )
    client.force_login(mel)
    response = client.get(reverse("monitoring:document-status", args=[document.pk]))
    page = response.content.decode()
    assert response.status_code == 200 and "Waiting to start" in page
    # no timed refresh (WCAG 2.2.1): a script asks for the state and says when it is ready
    assert 'http-equiv="refresh"' not in page and "Refresh" not in response
    assert "document-status.js" in page and 'role="status"' in page
    state = client.get(reverse("monitoring:document-status", args=[document.pk]) + "?format=json").json()
    assert state == {"status": "queued", "label": "Waiting to start"}
    assert "Download the PDF" not in page
    Document.objects.filter(pk=document.pk).update(status=Document.Status.RUNNING)
    assert "Being produced" in client.get(reverse("monitoring:document-status", args=[document.pk])).content.decode()
    # the download waits for the PDF
    download = client.get(reverse("monitoring:document-download", args=[document.pk]))
    assert download.url == reverse("monitoring:document-status", args=[document.pk])


def test_a_document_lost_by_its_worker_is_queued_again(costed, alice, renders, django_capture_on_commit_callbacks):
    key = documents.plan_key(costed, None)
    lost = Document.objects.create(
        kind=Document.Kind.PLAN, plan=costed, key=key, status=Document.Status.RUNNING, requested_by=alice
    )
    Document.objects.filter(pk=lost.pk).update(requested_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        documents.request_plan_pdf(alice, costed)
    lost.refresh_from_db()
    assert lost.status == Document.Status.READY and renders["n"] == 1


@pytest.mark.django_db(transaction=True)
def test_the_database_backend_queues_a_task_that_db_worker_runs(settings, alice, college):
    settings.TASKS = DATABASE
    plan = make_plan(owner=alice, title="Queued plan", slug="queued")
    add_item(plan, vision_of(plan), "priority", title="Raise attainment")
    document = documents.request_plan_pdf(alice, plan)  # autocommit: queued at once
    document.refresh_from_db()
    assert document.status == Document.Status.QUEUED
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "monitoring.tasks.render_document" and queued.args_kwargs["args"] == [document.pk]
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", "--verbosity", "0")
    document.refresh_from_db()
    assert document.status == Document.Status.READY and document.pages >= 3
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


# --- who may read them ------------------------------------------------------------------


@pytest.fixture
def approved(costed):
    costed.status = Plan.Status.APPROVED
    costed.save()
    return costed


def test_a_member_reads_an_approved_plans_pdf(client, approved, mel, django_capture_on_commit_callbacks):
    client.force_login(mel)
    response = _ask(client, django_capture_on_commit_callbacks, reverse("monitoring:plan-pdf", args=[approved.slug]))
    document = Document.objects.get()
    assert response.url == reverse("monitoring:document-status", args=[document.pk])
    page = client.get(response.url).content.decode()
    assert "Download the PDF" in page and f"{document.pages} pages" in page
    assert client.get(reverse("monitoring:document-download", args=[document.pk])).status_code == 200


def test_a_member_cannot_reach_a_draft_or_change_anything(client, alice, mel, django_capture_on_commit_callbacks):
    draft = make_plan(owner=alice, title="Draft plan", slug="draft")
    client.force_login(mel)
    assert client.get(reverse("monitoring:plan-pdf", args=[draft.slug])).status_code == 404
    assert client.get(reverse("monitoring:scorecard-pdf", args=[draft.slug, "2013-q1"])).status_code == 404
    assert Document.objects.count() == 0
    document = Document.objects.create(kind=Document.Kind.PLAN, plan=draft, key="plan:draft", requested_by=alice)
    assert client.get(reverse("monitoring:document-status", args=[document.pk])).status_code == 404
    assert client.get(reverse("monitoring:document-download", args=[document.pk])).status_code == 404
    for name, args in (
        ("monitoring:plan-pdf", [draft.slug]),
        ("monitoring:document-status", [document.pk]),
        ("monitoring:document-download", [document.pk]),
    ):
        assert client.post(reverse(name, args=args)).status_code == 405


def test_anonymous_readers_are_sent_to_sign_in(client, approved):
    response = client.get(reverse("monitoring:plan-pdf", args=[approved.slug]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert Document.objects.count() == 0


def test_a_partner_reads_only_plans_shared_with_them(
    client, approved, pat, college, django_capture_on_commit_callbacks
):
    url = reverse("monitoring:plan-pdf", args=[approved.slug])
    client.force_login(pat)
    assert client.get(url).status_code == 404
    PlanShare.objects.create(plan=approved, organisation=college)
    assert _ask(client, django_capture_on_commit_callbacks, url).status_code == 302


def test_anyone_who_may_read_the_plan_may_see_a_document_someone_else_asked_for(
    client, approved, alice, pat, college, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    _ask(client, django_capture_on_commit_callbacks, reverse("monitoring:plan-pdf", args=[approved.slug]))
    document = Document.objects.get()
    status = reverse("monitoring:document-status", args=[document.pk])
    carol = UserFactory(username="carol-other", role=User.Role.OFFICER)
    client.force_login(carol)
    assert client.get(status).status_code == 200  # council officers read every plan
    client.force_login(pat)
    assert client.get(status).status_code == 404  # not shared with the college
    assert client.get(reverse("monitoring:document-download", args=[document.pk])).status_code == 404
    assert client.get(reverse("monitoring:document-status", args=[999999])).status_code == 404


def test_scorecard_pdfs_follow_the_scorecard(client, approved, periods, mel, alice):
    client.force_login(mel)
    outside = reverse("monitoring:scorecard-pdf", args=[approved.slug, "2030-q1"])
    assert client.get(outside).status_code == 404  # no such quarter
    approved.end_year = 2013
    approved.save()
    assert client.get(reverse("monitoring:scorecard-pdf", args=[approved.slug, periods[0].slug])).status_code == 302
    monitoring.financial_year_create(start_year=2014, user=None)
    later = reverse("monitoring:scorecard-pdf", args=[approved.slug, "2014-q1"])
    assert client.get(later).status_code == 404  # the plan does not run then


def test_the_pages_link_to_their_pdfs(client, approved, periods, alice, mel):
    edition = planning.edition_create(plan=approved, name="Approved", user=alice)
    client.force_login(mel)
    plan_page = client.get(approved.get_absolute_url()).content.decode()
    assert reverse("monitoring:plan-pdf", args=[approved.slug]) in plan_page
    editions = client.get(reverse("planning:plan-editions", args=[approved.slug])).content.decode()
    assert reverse("monitoring:plan-pdf", args=[approved.slug]) + f"?edition={edition.pk}" in editions
    scorecard = client.get(reverse("monitoring:scorecard", args=[approved.slug, periods[0].slug])).content.decode()
    assert reverse("monitoring:scorecard-pdf", args=[approved.slug, periods[0].slug]) in scorecard


def test_the_pdfs_read_in_a_fixed_number_of_queries_whatever_the_plan_size(reported, periods, bob):
    """The HTML each PDF is made from reads the same number of queries at any size."""

    def counts() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as plan_queries:
            plan_document.plan_document_html(reported)
        with CaptureQueriesContext(connection) as pack_queries:
            scorecard_pack.scorecard_pack_html(reported, periods[1], False)
        return len(plan_queries), len(pack_queries)

    small = counts()
    for n in range(8):
        action = add_item(reported, reported.priority, "action", title=f"Extra {n}", lead_officer=bob)
        add_item(reported, action, "target", title=f"Extra target {n}")
        make_return(action, periods[1], bob, {"rag": "amber", "narrative": "Behind"}, submit=True)
    assert counts() == small
    assert max(small) <= 15
