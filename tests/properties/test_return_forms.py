"""Property tests of the progress return forms (``ReturnForm``, ``QuickReturnForm``,
``ReviewForm``) through their views, as the leads (bob leads the action, pat's college
the percentage target) and the plan owner (alice): hostile input never gives a server
error, a refusal changes nothing, and a saved return keeps its rules (a RAG from the
list, an actual value that fits the target's unit, an http(s) evidence link, a new
date only with its reason, a submitted return rated and explained, a returned one
with the reviewer's reason, an accepted new date not before the item starts)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from monitoring import services
from monitoring.forms import ReturnForm
from monitoring.models import ProgressReturn, ReportingPeriod
from planning.models import PlanItem
from tests.properties.invariants import submit
from tests.properties.support import (
    as_query,
    bad_choices,
    choices,
    dates,
    decimals,
    examples,
    nasty,
    nul_refused,
    optional,
    posts,
    rolled_back,
    sent,
    text,
)

Rag = ProgressReturn.Rag
State = ProgressReturn.State


def _version(item, period) -> int:
    ret = ProgressReturn.objects.filter(item=item, period=period).first()
    return ret.version if ret else 0


def evidence_files() -> st.SearchStrategy:
    """Files whose content matches their extension (long and odd names too), and others."""
    long = st.sampled_from(["é" * 200, "𝟙" * 100, "日本" * 60, "x" * 300])  # over 255 bytes
    stems = st.one_of(long, st.sampled_from(["evidence", "../../etc/passwd", " ", "a\x00b", "report.final"]))
    kinds = st.sampled_from([(".pdf", b"%PDF-1.4 minimal"), (".txt", b"Plain notes\n"), (".png", b"\x89PNG\r\n\x1a\n")])
    matching = st.builds(lambda stem, kind: SimpleUploadedFile(stem + kind[0], kind[1]), stems, kinds)
    names = st.sampled_from(["page.html", "evidence.pdf", "notes.txt", ".pdf", "x.exe"])
    contents = st.sampled_from([b"%PDF-1.4", b"\x00\x01\x02", b"", b"<script>1</script>", b"PK\x03\x04junk"])
    return st.one_of(matching, st.builds(SimpleUploadedFile, names, contents))


def return_fields(item, version: int) -> tuple[dict, dict]:
    valid = {
        "rag": choices(Rag.values, blank=True),
        "narrative": optional(text(500)),
        "soft_outcomes": optional(text(200)),
        "evidence_url": optional(st.sampled_from(["https://example.org/report", "http://example.org/a?b=c"])),
        "next_steps": optional(text(200)),
        "revised_due_date": optional(dates(2013, 2016)),
        "revision_reason": optional(text(200)),
        "version": st.just(str(version)),
        "action": st.sampled_from(["submit", "draft"]),
    }
    bad = {
        "rag": bad_choices(Rag.values),
        "evidence_url": st.sampled_from(
            ["javascript:alert(1)", "ftp://example.org", "example", "https://" + "a" * 600]
        ),
        "version": st.sampled_from([str(version + 1), "-1", "99999999999999999999"]),
        "narrative": st.just("x" * 10_001),
    }
    if item.is_target:
        valid["actual_value"] = optional(decimals("0", "100"))
        bad["actual_value"] = st.sampled_from(["-1", "100.01", "1e3", "0.001", "NaN", "Infinity", "75%"])
    return valid, bad


def _agree(data: dict) -> dict:
    """A new date and its reason together; a rating and a narrative for a submission."""
    if data["revised_due_date"] and not data["revision_reason"]:
        data["revision_reason"] = "It slipped"
    if data["action"] == "submit":
        data |= {"rag": data["rag"] or "green", "narrative": data["narrative"] or "Done"}
        if "actual_value" in data and not data["actual_value"]:
            data["actual_value"] = "50"
    return data


@pytest.mark.django_db
@examples()
@given(data=st.data())
def test_filling_a_return_never_fails_and_saves_only_valid_returns(
    client, quarters, periods, alice, bob, pat, media, data
):
    with rolled_back(client, data.draw(st.sampled_from([alice, bob, pat]), label="who")):
        item = data.draw(st.sampled_from([quarters.action, quarters.target, quarters.priority]), label="item")
        period = ReportingPeriod.objects.get(pk=data.draw(st.sampled_from(periods), label="period").pk)
        valid, bad = return_fields(item, _version(item, period))
        payload = data.draw(posts(valid, bad=bad, agree=_agree), label="payload")
        if data.draw(st.integers(0, 2), label="with a file") == 0:
            payload["evidence_file"] = data.draw(evidence_files(), label="file")
        stored = ProgressReturn.objects.filter(item=item, period=period).first()
        url = reverse("monitoring:return-edit", args=[quarters.slug, item.pk, period.slug])
        response, saved = submit(client, url, payload, *[stored] if stored else [], refused=(200, 403, 404, 409))
        if saved is not None and (period.is_locked or (stored and not stored.is_editable)):
            assert not saved, "a locked quarter or a submitted return changed"
        elif saved is not None:
            state = ProgressReturn.objects.get(item=item, period=period).state
            if sent(payload, "action") == "submit":
                assert state == State.SUBMITTED
            else:
                assert state == (stored.state if stored else State.DRAFT)


@pytest.mark.django_db
@examples(0.6)
@given(data=st.data())
def test_evidence_files_never_fail_and_are_stored_whatever_their_name(client, quarters, periods, bob, media, data):
    with rolled_back(client, bob):
        draft = ProgressReturn.objects.get(item=quarters.action, period=periods[2])
        upload = data.draw(evidence_files(), label="file")
        payload = {"rag": "green", "narrative": "Begun", "version": str(draft.version), "evidence_file": upload}
        url = reverse("monitoring:return-edit", args=[quarters.slug, quarters.action.pk, periods[2].slug])
        response, saved = submit(client, url, payload, draft)
        if saved is not None:
            stored = ProgressReturn.objects.get(pk=draft.pk)
            assert 0 < len(stored.evidence_name) <= 200 and not {"/", "\x00"} & set(stored.evidence_name)
            assert stored.evidence_file.storage.exists(stored.evidence_file.name)
            assert all(len(part.encode()) <= 255 for part in stored.evidence_file.name.split("/"))


@pytest.mark.django_db
@examples()
@given(data=st.data())
def test_filling_several_never_fails_and_saves_all_or_nothing(client, quarters, periods, bob, pat, data):
    lead = data.draw(st.sampled_from([bob, pat]), label="who")
    with rolled_back(client, lead):
        period = ReportingPeriod.objects.get(pk=data.draw(st.sampled_from(periods), label="period").pk)
        payload = {"action": data.draw(st.one_of(st.sampled_from(["submit", "draft"]), nasty()), label="action")}
        for item in (quarters.action, quarters.target):  # one row is the lead's, the other is not offered
            valid = {
                "rag": choices(Rag.values, blank=True),
                "narrative": optional(text(300)),
                "version": st.just(str(_version(item, period))),
            }
            if item.is_target:
                valid["actual_value"] = optional(decimals("0", "100"))
            bad = {"version": st.sampled_from(["7", "-1"]), "actual_value": st.sampled_from(["-1", "101", "NaN"])}
            rows = data.draw(posts(valid, bad=bad, agree=_agree_row), label=f"row {item.pk}")
            payload |= {f"item-{item.pk}-{name}": value for name, value in rows.items()}
        url = reverse("monitoring:fill-several", args=[period.slug])
        response, saved = submit(client, url, payload, refused=(200, 404))
        if period.is_locked:
            assert response.status_code == 404 or nul_refused(response, payload)
        if saved:
            assert {ret.item_id for ret in saved if isinstance(ret, ProgressReturn)} <= {
                quarters.action.pk if lead == bob else quarters.target.pk
            }


def _agree_row(data: dict) -> dict:
    """A row worth saving: rated and explained (and measured, for a target)."""
    return (
        data
        | {"rag": data["rag"] or "amber", "narrative": data["narrative"] or "Going"}
        | ({"actual_value": data["actual_value"] or "40"} if "actual_value" in data else {})
    )


@pytest.mark.django_db
@examples()
@given(data=st.data())
def test_reviewing_never_fails_and_accepts_only_sound_returns(client, quarters, periods, data):
    with rolled_back(client, quarters.owner):
        item = data.draw(st.sampled_from([quarters.action, quarters.target]), label="item")
        period = ReportingPeriod.objects.get(pk=data.draw(st.sampled_from(periods), label="period").pk)
        stored = ProgressReturn.objects.filter(item=item, period=period).first()
        valid = {
            "decision": st.sampled_from(["accept", "return"]),
            "reason": optional(text(500)),
            "version": st.just(str(stored.version if stored else 1)),
        }
        bad = {"decision": bad_choices(["accept", "return"]), "version": st.sampled_from(["0", "9", "-1"])}
        payload = data.draw(posts(valid, bad=bad), label="payload")
        url = reverse("monitoring:return-review", args=[quarters.slug, item.pk, period.slug])
        snapshot = [stored, PlanItem.objects.get(pk=item.pk)] if stored else []
        response, saved = submit(client, url, payload, *snapshot, refused=(400, 404))
        if saved is not None:
            reviewed = ProgressReturn.objects.get(pk=stored.pk)
            assert stored.state == State.SUBMITTED and reviewed.state in {State.ACCEPTED, State.RETURNED}
            assert reviewed.reviewed_by == quarters.owner
            if reviewed.state == State.ACCEPTED and reviewed.revised_due_date:
                moved = PlanItem.objects.get(pk=item.pk)
                assert moved.due_date == reviewed.revised_due_date
                assert not moved.start_date or moved.start_date <= moved.due_date


@pytest.mark.django_db
@examples(2)
@given(data=st.data())
def test_the_return_form_never_raises_and_its_cleaned_data_fits_the_unit(quarters, data):
    item = data.draw(st.sampled_from([quarters.action, quarters.target]), label="item")
    unit = data.draw(st.sampled_from(PlanItem.Unit.values), label="unit")
    if item.is_target:
        item.unit = unit
    valid, bad = return_fields(item, 0)
    if item.is_target:
        valid["actual_value"] = optional(decimals("-1000", "1000"))
    form = ReturnForm(as_query(data.draw(posts(valid, bad=bad), label="payload")), item=item)
    if form.is_valid():
        cleaned = form.fields_for_service()
        assert cleaned["rag"] in ["", *Rag.values]
        assert services.check_actual_value(item, cleaned.get("actual_value")) is None
        assert len(cleaned["narrative"]) <= 10_000 and "\x00" not in cleaned["narrative"]
        assert not cleaned["evidence_url"] or cleaned["evidence_url"].startswith(("http://", "https://"))
