"""The API's test helpers: tokens for people, and every response checked against the schema
the app serves (openapi-core)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openapi_core import OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse

from api import services
from planning import lifecycle


def token_for(user, days: int = 30, name: str = "Test") -> str:
    _, secret = services.token_create(person=user, name=name, expires_on=timezone.localdate() + timedelta(days=days))
    return secret


def bearer(secret: str | None) -> dict:
    return {"Authorization": f"Bearer {secret}"} if secret else {}


@pytest.fixture
def openapi(client, db) -> OpenAPI:
    response = client.get(reverse("api:schema") + "?format=json")
    assert response.status_code == 200
    return OpenAPI.from_dict(response.json())


@pytest.fixture
def call(client, openapi):
    """GET an API address (with a token's secret, if given) and check the answer against the
    served schema when it is a 200."""

    def get(url: str, secret: str | None = None, **headers):
        response = client.get(url, headers=bearer(secret) | headers)
        if response.status_code == 200:
            openapi.validate_response(DjangoOpenAPIRequest(response.wsgi_request), DjangoOpenAPIResponse(response))
        return response

    return get


@pytest.fixture
def published(plan, alice):
    lifecycle.plan_approve(plan=plan, user=alice, approved_by="Cabinet", approved_on=timezone.localdate())
    lifecycle.plan_publish(plan=plan, user=alice)
    plan.refresh_from_db()
    return plan
