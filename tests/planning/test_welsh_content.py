"""Plan content in Welsh and English (config/bilingual.py, docs/decisions/0033): what a
reader is shown, the forms that write the Welsh, its history, search, and a revision."""

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from config import bilingual
from planning import lifecycle, services
from planning.models import Plan, PlanItem
from planning.search import search_items
from tests.factories import add_item, vision_of

pytestmark = pytest.mark.django_db


def _item(plan, **fields):
    return add_item(plan, vision_of(plan), "priority", **fields)


def test_a_welsh_reader_gets_the_welsh_and_an_english_reader_the_english(plan):
    item = _item(plan, title="Every child reads", title_cy="Pob plentyn yn darllen")
    with translation.override("cy"):
        assert bilingual.shown(item, "title") == ("Pob plentyn yn darllen", "cy", False)
    with translation.override("en-gb"):
        assert bilingual.shown(item, "title") == ("Every child reads", "en-GB", False)


def test_without_a_welsh_version_the_english_is_shown_marked_in_its_language(plan):
    item = _item(plan, title="Fix <roads> & paths")
    with translation.override("cy"):
        shown = bilingual.shown(item, "title")
        html = bilingual.shown_html(item, "title")
        quiet = bilingual.shown_html(item, "title", note=False)
    assert shown == ("Fix <roads> & paths", "en-GB", True)
    assert html.startswith('<span lang="en-GB">Fix &lt;roads&gt; &amp; paths</span> <span class="app-fallback-note">')
    assert "(" in html.split("app-fallback-note")[1]  # the note, in the reader's language
    assert quiet == '<span lang="en-GB">Fix &lt;roads&gt; &amp; paths</span>'


def test_text_only_in_welsh_is_shown_to_an_english_reader_marked_welsh(plan):
    item = _item(plan, title="Roads", description_cy="Disgrifiad yn Gymraeg")
    with translation.override("en-gb"):
        assert bilingual.shown(item, "description") == ("Disgrifiad yn Gymraeg", "cy", True)
        assert "(in Welsh)" in bilingual.shown_html(item, "description")


def test_the_plan_form_offers_the_welsh_marked_as_welsh_and_keeps_it_with_history(client, alice, plan):
    client.force_login(alice)
    page = client.get(reverse("planning:plan-edit", args=[plan.slug])).content.decode()
    assert 'name="title_cy"' in page and 'lang="cy"' in page
    services.plan_update(
        plan_id=plan.pk,
        user=alice,
        fields={"title_cy": "Cynllun Gwasanaeth", "summary_cy": "Crynodeb"},
        expected_version=plan.version,
        reason="Welsh",
    )
    plan.refresh_from_db()
    assert (plan.title_cy, plan.summary_cy) == ("Cynllun Gwasanaeth", "Crynodeb")
    assert plan.history.first().title_cy == "Cynllun Gwasanaeth"


def test_an_officer_writes_an_items_welsh_on_its_form(client, alice, plan):
    item = _item(plan, title="Roads")
    client.force_login(alice)
    response = client.post(
        reverse("planning:item-edit", args=[plan.slug, item.pk]),
        {
            "title": "Roads",
            "title_cy": "Ffyrdd",
            "description_cy": "Trwsio tyllau",
            "status": "not_started",
            "version": 1,
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.title_cy, item.description_cy) == ("Ffyrdd", "Trwsio tyllau")
    assert item.history.first().title_cy == "Ffyrdd"


@override_settings(WELSH_CONTENT=False)
def test_a_council_that_does_not_write_welsh_is_not_offered_it_and_keeps_what_was_written(client, alice, plan):
    item = _item(plan, title="Roads", title_cy="Ffyrdd")
    client.force_login(alice)
    page = client.get(reverse("planning:item-edit", args=[plan.slug, item.pk])).content.decode()
    assert 'name="title_cy"' not in page
    client.post(
        reverse("planning:item-edit", args=[plan.slug, item.pk]),
        {"title": "Roads and paths", "status": "not_started", "version": 1},
    )
    item.refresh_from_db()
    assert (item.title, item.title_cy) == ("Roads and paths", "Ffyrdd")


def test_an_overlong_welsh_title_is_refused_beside_its_field_and_nothing_changes(client, alice, plan):
    item = _item(plan, title="Roads")
    client.force_login(alice)
    response = client.post(
        reverse("planning:item-edit", args=[plan.slug, item.pk]),
        {"title": "Roads", "title_cy": "F" * 301, "status": "not_started", "version": 1},
    )
    assert response.status_code == 200
    assert 'id="title_cy-error"' in response.content.decode() or "title_cy" in response.context["form"].errors
    item.refresh_from_db()
    assert item.title_cy == ""


def test_search_finds_the_welsh_version(alice, plan):
    _item(plan, title="Every child reads", title_cy="Pob plentyn yn darllen")
    _item(plan, title="Roads", description_cy="Trwsio tyllau yn y ffyrdd")
    assert [result.item.title for result in search_items(alice, "plentyn")] == ["Every child reads"]
    assert [result.item.title for result in search_items(alice, "tyllau")] == ["Roads"]


def test_a_revision_carries_the_welsh_forward(alice, plan):
    services.plan_update(
        plan_id=plan.pk, user=alice, fields={"title_cy": "Cynllun"}, expected_version=plan.version, reason="Welsh"
    )
    _item(plan, title="Roads", title_cy="Ffyrdd")
    plan.refresh_from_db()
    revised = lifecycle.plan_revise(plan=plan, user=alice, title="Next", slug="next", start_year=2014, end_year=2015)
    assert revised.title_cy == "Cynllun"
    assert PlanItem.objects.get(plan=revised, title="Roads").title_cy == "Ffyrdd"
    assert Plan.objects.get(pk=plan.pk).title_cy == "Cynllun"


def _welsh_plan(alice, plan):
    services.plan_update(
        plan_id=plan.pk,
        user=alice,
        fields={"title_cy": "Cynllun Ffyrdd", "summary_cy": "Crynodeb y cynllun"},
        expected_version=plan.version,
        reason="Welsh",
    )
    plan.refresh_from_db()
    _item(
        plan,
        title="Fix the roads",
        title_cy="Trwsio’r ffyrdd",
        description="Holes.",
        description_cy="Tyllau yn gyntaf.",
    )
    _item(plan, title="Light the paths", description="Potholes first.")
    return plan


def test_the_plan_pdf_prints_the_readers_language_with_the_english_marked_where_there_is_no_welsh(alice, plan):
    from planning.plan_document import plan_document_html

    plan = _welsh_plan(alice, plan)
    with translation.override("cy"):
        welsh = plan_document_html(plan)
    with translation.override("en-gb"):
        english = plan_document_html(plan)
    assert "Cynllun Ffyrdd" in welsh and "Trwsio’r ffyrdd" in welsh and "Crynodeb y cynllun" in welsh
    assert '<span lang="en-GB">Light the paths</span>' in welsh  # no Welsh: the English, in its language
    assert '<div lang="en-GB">' in welsh and "Potholes first." in welsh
    assert "Trwsio’r ffyrdd" not in english and "Fix the roads" in english


@override_settings(PDF_LANGUAGES="both")
def test_a_council_may_print_english_and_welsh_side_by_side(alice, plan):
    from planning.plan_document import plan_document_html

    plan = _welsh_plan(alice, plan)
    with translation.override("en-gb"):
        both = plan_document_html(plan)
    assert "Fix the roads" in both and '<span class="pdf-welsh" lang="cy">Trwsio’r ffyrdd</span>' in both
    flat = both.replace("\n", "")
    assert '<div class="pdf-two-languages pdf-item__description"><div class="app-markdown" lang="en-GB">' in flat
    assert '<div class="app-markdown" lang="cy"><p class="govuk-body">Tyllau yn gyntaf.</p>' in flat
    # a text with only one language is printed once, marked (the summary has no English)
    assert (
        '<div lang="cy"><p class="govuk-body">Crynodeb y cynllun</p></div><p class="govuk-body-s app-fallback-note">(in Welsh)</p>'
        in flat
    )


def test_the_plan_page_shows_the_welsh_and_says_once_when_a_plan_has_none(client, alice, plan):
    client.force_login(alice)
    page = client.get(plan.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="cy").content.decode()
    assert "Nid oes fersiwn Gymraeg o’r cynllun hwn eto" in page
    plan = _welsh_plan(alice, plan)
    page = client.get(plan.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="cy").content.decode()
    assert "Nid oes fersiwn Gymraeg" not in page
    assert "Cynllun Ffyrdd" in page and "Trwsio’r ffyrdd" in page
    assert '<span lang="en-GB">Light the paths</span> <span class="app-fallback-note">(yn Saesneg)</span>' in page
    english = client.get(plan.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Fix the roads" in english and "Trwsio’r ffyrdd" not in english


def _linked_across(alice, carol, plan):
    """An action of ``plan`` that contributes to a Welsh-titled priority of another plan with
    a Welsh title, and one that contributes to a priority with no Welsh."""
    from tests.factories import make_plan

    other = make_plan(owner=carol, title="Corporate Plan", slug="corporate-cy")
    services.plan_update(
        plan_id=other.pk, user=carol, fields={"title_cy": "Cynllun Corfforaethol"}, expected_version=other.version,
        reason="Welsh",
    )  # fmt: skip
    welsh = add_item(other, vision_of(other), "priority", user=carol, title="Safe roads", title_cy="Ffyrdd diogel")
    english = add_item(other, vision_of(other), "priority", user=carol, title="Clean air")
    action = _item(plan, title="Fix the roads", title_cy="Trwsio’r ffyrdd")
    services.link_add(source_id=action.pk, target_id=welsh.pk, relation="contributes_to", user=alice)
    services.link_add(source_id=action.pk, target_id=english.pk, relation="contributes_to", user=alice)
    return action, welsh


def test_the_ends_of_links_name_the_other_item_and_plan_in_the_readers_language(client, alice, carol, plan):
    action, welsh = _linked_across(alice, carol, plan)
    client.force_login(alice)
    for url in (action.get_absolute_url(), plan.get_absolute_url()):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="cy").content.decode()
        assert "Ffyrdd diogel</a>" in page and "(Cynllun Corfforaethol)" in page, url
        # no Welsh for this one: the English in its language, marked
        assert '<span lang="en-GB">Clean air</span> <span class="app-fallback-note">(yn Saesneg)</span>' in page, url
        english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "Safe roads</a>" in english and "(Corporate Plan)" in english and "Ffyrdd diogel" not in english, url
    # and back: the priority's page names the action and its plan in Welsh where written
    page = client.get(welsh.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="cy").content.decode()
    assert "Trwsio’r ffyrdd</a>" in page


def test_the_outline_cached_in_english_is_not_shown_to_a_welsh_reader(client, alice, carol, plan):
    """The outline's runs are cached (planning/outline_cache.py): the language is in their key."""
    _linked_across(alice, carol, plan)
    client.force_login(alice)
    assert "Safe roads</a>" in client.get(plan.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    welsh = client.get(plan.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="cy").content.decode()
    assert "Ffyrdd diogel</a>" in welsh and "Safe roads</a>" not in welsh


def test_the_plan_pdf_names_the_ends_of_links_in_the_readers_language_or_both(alice, carol, plan):
    from planning.plan_document import plan_document_html

    _linked_across(alice, carol, plan)
    with translation.override("cy"):
        welsh = plan_document_html(plan)
    assert "Ffyrdd diogel</a> (Cynllun Corfforaethol)" in welsh
    with override_settings(PDF_LANGUAGES="both"), translation.override("en-gb"):
        both = plan_document_html(plan)
    assert 'Safe roads / <span lang="cy">Ffyrdd diogel</span></a> (Corporate Plan / <span lang="cy">Cynllun' in both


def test_the_public_item_page_names_the_ends_of_links_in_the_readers_language(client, alice, carol, plan):
    from django.utils import timezone

    action, welsh = _linked_across(alice, carol, plan)
    for published, owner in ((plan, alice), (welsh.plan, carol)):
        lifecycle.plan_approve(plan=published, user=owner, approved_by="Cabinet", approved_on=timezone.localdate())
        lifecycle.plan_publish(plan=published, user=owner)
    url = reverse("public:item-detail", args=[plan.slug, action.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="cy").content.decode()
    assert "Ffyrdd diogel</a>" in page and "(Cynllun Corfforaethol)" in page
    back = client.get(reverse("public:item-detail", args=[welsh.plan.slug, welsh.pk]), HTTP_ACCEPT_LANGUAGE="cy")
    assert "Trwsio’r ffyrdd</a>" in back.content.decode()


def test_the_plan_as_it_stood_reads_in_the_readers_language(client, alice, plan):
    """The history keeps the Welsh beside the English: the plan as it stood shows a Welsh
    reader the Welsh of the time, and the English where there was none, marked."""
    from django.utils import timezone

    plan = _welsh_plan(alice, plan)
    client.force_login(alice)
    url = reverse("planning:plan-as-of", args=[plan.slug]) + f"?at={timezone.localdate().isoformat()}"
    welsh = client.get(url, HTTP_ACCEPT_LANGUAGE="cy").content.decode()
    assert "Trwsio’r ffyrdd" in welsh and "Cynllun Ffyrdd" in welsh
    assert '<span lang="en-GB">Light the paths</span>' in welsh
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Fix the roads" in english and "Trwsio’r ffyrdd" not in english


def test_the_spreadsheet_carries_the_welsh_and_the_import_reads_it_back(client, ada, plan):
    import io

    from openpyxl import load_workbook

    from planning import importing
    from tests.planning.test_browser_import import edit_sheet, exported, upload

    item = _item(plan, title="Fix the roads", title_cy="Trwsio’r ffyrdd")
    client.force_login(ada)
    content = exported(client, plan)
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    headings = [cell.value for cell in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[headings.index("Title")] == item.title)
    assert (row[headings.index("Title in Welsh")], row[headings.index("Description in Welsh")]) == (
        "Trwsio’r ffyrdd", None)  # fmt: skip
    number = 2 + [r[headings.index("Title")] for r in sheet.iter_rows(min_row=2, values_only=True)].index(item.title)
    edited = edit_sheet(content, {(number, "Description in Welsh"): "Tyllau yn gyntaf"})
    imported = upload("sip.xlsx", edited, ada)
    assert imported.preview["problems"] == []
    importing.apply(import_id=imported.pk, user=ada)
    item.refresh_from_db()
    assert (item.title_cy, item.description_cy) == ("Trwsio’r ffyrdd", "Tyllau yn gyntaf")
    assert item.history.latest().history_change_reason == "Imported from sip.xlsx"


@override_settings(WELSH_CONTENT=False)
def test_a_council_that_does_not_write_welsh_exports_no_welsh_columns_and_its_import_keeps_the_welsh(client, ada, plan):
    """Also a spreadsheet downloaded before the Welsh columns existed: imported, it leaves the
    Welsh as it was (it once blanked it)."""
    import io

    from openpyxl import load_workbook

    from tests.planning.test_browser_import import exported, upload

    item = _item(plan, title="Fix the roads", title_cy="Trwsio’r ffyrdd")
    client.force_login(ada)
    content = exported(client, plan)
    assert "Title in Welsh" not in [cell.value for cell in load_workbook(io.BytesIO(content)).worksheets[0][1]]
    imported = upload("sip.xlsx", content, ada)
    assert imported.preview["problems"] == [] and imported.preview["plans"][0]["empty"] is True
    item.refresh_from_db()
    assert item.title_cy == "Trwsio’r ffyrdd"
