"""Signing in and out, under ``accounts/`` (config/urls.py includes this module by name, so
the project's URLs import no app). No namespace: ``LOGIN_URL = "login"`` and
``{% url 'logout' %}`` name them as Django's own views are named."""

from django.contrib.auth import views as auth_views
from django.urls import path

from partners.views import SignInView

urlpatterns = [
    path("login/", SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
