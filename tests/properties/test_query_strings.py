"""Property tests of the query strings the form pages read (``?comment=``, ``?target=``,
``?parent=``, ``?item=``, ``?period=``) and of the other ids read from addresses: any
value gives a page or a 404, never a server error, and reading a form page changes
nothing."""

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from tests.properties.support import assert_unchanged, examples, fingerprint, nasty, nul_refused, rolled_back

ODD_IDS = st.one_of(st.sampled_from(["1", "²", "١٢", "9" * 5_000, "99999999999999999999", "-1", ""]), nasty())


@pytest.mark.django_db
@examples()
@given(data=st.data())
def test_the_ids_form_pages_read_from_the_query_string_never_fail(client, outline, data):
    plan, action = outline.plan, outline.action
    pages = {
        reverse("planning:item-edit", args=[plan.slug, action.pk]): "comment",
        reverse("planning:link-add", args=[plan.slug, action.pk]): "target",
        reverse("planning:plan-comments", args=[plan.slug]): "parent",
        reverse("planning:item-comment", args=[plan.slug, action.pk]): "parent",
        reverse("monitoring:risk-create", args=[plan.slug]): "item",
        reverse("monitoring:workbook-upload"): "period",
        reverse("monitoring:risk-register", args=[plan.slug]): "likelihood",
    }
    with rolled_back(client, outline.people.alice):
        url = data.draw(st.sampled_from(sorted(pages)), label="page")
        query = {pages[url]: data.draw(ODD_IDS, label="value"), "q": data.draw(nasty(), label="q")}
        before = fingerprint()
        response = client.get(url, query)
        assert response.status_code in (200, 404) or nul_refused(response, query)
        assert_unchanged(before)


@pytest.mark.django_db
@examples(0.6)
@given(data=st.data())
def test_the_ids_read_from_addresses_never_fail(client, outline, periods, data):
    """As ada, who may open every one of these pages."""
    plan = outline.plan
    with rolled_back(client, outline.people.ada):
        odd = data.draw(ODD_IDS.filter(lambda v: "/" not in v and v), label="value")
        url = data.draw(
            st.sampled_from(
                [
                    reverse("monitoring:period-edit", args=[f"{odd}-q1"]),
                    reverse("monitoring:period-edit", args=[f"2013-q{odd}"]),
                    reverse("monitoring:fill-several", args=[f"{odd}-q2"]),
                    reverse("monitoring:plan-pdf", args=[plan.slug]) + "?edition=" + odd,
                ]
            ),
            label="url",
        )
        response = client.get(url)
        assert response.status_code in (200, 302, 404) or nul_refused(
            response, url, odd
        )  # the address holds it percent-encoded
