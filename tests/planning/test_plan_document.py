"""The plan document on paper (issue 12 item 20): top-level items follow on from each other
instead of each starting a page, no page ends with a heading whose content is on the next,
and its links open the app at the address it is served on (``SITE_URL``), whichever host
name the PDF was asked for on."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from monitoring.models import Document
from planning import plan_document
from planning.selectors import plan_outline
from tests.factories import add_item, make_plan, vision_of

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(BytesIO(content)).pages]


def _page_of(pages: list[str], text: str) -> int:
    """The page ``text`` is on, after the cover and the contents (which name it too)."""
    return next(number for number, page in enumerate(pages[2:], start=3) if text in page)


def _titles(outline) -> list[str]:
    found = []
    for entry in outline:
        found += _titles(entry) if isinstance(entry, list) else [entry.title]
    return found


def test_short_top_level_items_follow_on_instead_of_each_starting_a_page(plan):
    for n in range(1, 4):
        priority = add_item(plan, vision_of(plan), "priority", title=f"Short priority {n}")
        add_item(plan, priority, "action", title=f"The one action of priority {n}")
    pages = _pages(plan_document.render_plan(plan))
    first, second, third = (_page_of(pages, f"Short priority {n}") for n in range(1, 4))
    assert first == second == third == 3  # after the cover and the contents, one page for all three


def test_no_page_ends_with_a_heading_its_content_is_not_on(plan, bob):
    words = "The service will work with schools and partners to make this happen. "
    for n in range(1, 9):
        priority = add_item(plan, vision_of(plan), "priority", title=f"Priority number {n}", description=words * n)
        for m in range(1, 4):
            action = add_item(
                plan,
                priority,
                "action",
                title=f"Action {n}.{m} of the plan",
                description=words * (m + n % 3),
                lead_officer=bob,
                cost_amount=Decimal(1000 * m),
                cost_type="revenue",
                funding_source="Dedicated Schools Grant",
            )
            add_item(plan, action, "target", title=f"Target under action {n}.{m}")
    reader = PdfReader(BytesIO(plan_document.render_plan(plan)))
    headings = [" ".join(title.split()) for title in _titles(reader.outline)]
    for number, page in enumerate(reader.pages[2:], start=3):
        lines = [line.strip() for line in page.extract_text().splitlines() if line.strip()]
        last = lines[-3]  # before the running title and footer
        assert not any(heading.endswith(last) for heading in headings), f"page {number} ends with {last!r}"


@pytest.fixture
def linked(plan, alice, director):
    """``plan`` delivering a directorate plan, so its document links to another plan."""
    parent = make_plan(owner=director, title="Directorate plan", slug="directorate-plan")
    plan.parent = parent
    plan.save()
    add_item(plan, vision_of(plan), "priority", title="Raise attainment")
    return plan


def test_the_pdf_links_to_the_site_address_whatever_host_name_asked_for_it(
    client, settings, tmp_path, linked, alice, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://plans.example.org"
    settings.ALLOWED_HOSTS = ["plans.example.org", "golden-thread.intranet.example.org"]
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(
            reverse("monitoring:plan-pdf", args=[linked.slug]), HTTP_HOST="golden-thread.intranet.example.org"
        )
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.status == Document.Status.READY, document.error
    reader = PdfReader(BytesIO(document.file.read()))
    addresses = [
        str(annotation.get_object()["/A"]["/URI"])
        for page in reader.pages
        for annotation in page.get("/Annots") or []
        if "/URI" in annotation.get_object().get("/A", {})
    ]
    assert "https://plans.example.org/plans/directorate-plan/" in addresses
    assert all(address.startswith("https://plans.example.org/") for address in addresses), addresses
    # styled as ever: the print stylesheet's fonts and page furniture came through
    assert "Page 1 of" in reader.pages[0].extract_text()


def test_the_costs_keep_the_pence_an_amount_has_and_name_the_plans_own_level(plan):
    """Money as the pages write it (issue 12, item 18): £12,500.50, not £12,500 or £12,501."""
    plan.label_priority = "Themed outcome"
    plan.save()
    priority = add_item(plan, vision_of(plan), "priority", title="Raise attainment")
    add_item(plan, priority, "action", title="Train governors", cost_amount=Decimal("12500.50"), cost_type="revenue")
    costs = plan_document.plan_costs(plan_outline(plan), plan)
    assert costs["total"] == "£12,500.50" and costs["rows"][0]["total"] == "£12,500.50"
    assert plan_document.plan_costs([], plan)["rows"] == []
    another = add_item(plan, vision_of(plan), "priority", title="Another")
    add_item(plan, another, "action", title="Whole pounds", cost_amount=Decimal(3000), cost_type="capital")
    assert plan_document.plan_costs(plan_outline(plan), plan)["total"] == "£15,500.50"
