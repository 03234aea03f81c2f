"""Moderating the public's responses (decision 0020): officers' pages, so beside the plan's
other signed-in pages under /plans/ rather than under /public/, which is for everyone. They
live in the public app because planning sits below it (tests/test_import_directions.py)."""

from django.urls import path

from public import consultation_views

app_name = "moderation"

urlpatterns = [
    path(
        "plans/<slug:slug>/consultation/public-responses/", consultation_views.moderation_queue, name="public-responses"
    ),
    path(
        "plans/<slug:slug>/consultation/public-responses/<int:pk>/",
        consultation_views.moderate,
        name="public-response-moderate",
    ),
]
