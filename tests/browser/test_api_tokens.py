"""A person makes an API token in the browser, sees it once, uses it, and revokes it; the
API's page for the public. Every page checked by axe-core."""

from datetime import timedelta

import pytest
from django.utils import timezone

from api.models import ApiToken
from partners.models import token_hash
from tests.browser.conftest import follow, sign_in, submit, visit

pytestmark = pytest.mark.browser


def test_make_see_once_and_revoke_a_token(page, alice):
    sign_in(page, alice)
    follow(page, page.get_by_role("link", name="Your API tokens"))
    page.get_by_label("Name").fill("Dashboard")
    page.get_by_label("Expires on").fill((timezone.localdate() + timedelta(days=500)).isoformat())
    submit(page, page.get_by_role("button", name="Make token"), status=400)
    assert page.locator("#id_expires_on-error").is_visible()  # beside its field
    page.get_by_label("Expires on").fill((timezone.localdate() + timedelta(days=30)).isoformat())
    submit(page, page.get_by_role("button", name="Make token"))
    secret = page.get_by_label("Your new token").input_value()
    assert ApiToken.objects.get(person=alice).token_hash == token_hash(secret)
    visit(page, "/account/api-tokens/")
    assert secret not in page.content()  # shown once
    submit(page, page.get_by_role("button", name="Revoke Dashboard"))
    assert page.get_by_text("is revoked").is_visible()
    assert ApiToken.objects.get(person=alice).revoked_at is not None


def test_the_api_page_passes_axe(page, db):
    visit(page, "/api/")
    assert page.get_by_role("link", name="OpenAPI 3 schema").is_visible()
