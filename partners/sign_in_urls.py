"""Signing in and out, joining, and passwords, under ``accounts/`` (config/urls.py includes
this module by name, so the project's URLs import no app). No namespace: ``LOGIN_URL =
"login"``, ``{% url 'logout' %}`` and the password views' names (``password_reset`` and the
rest) are Django's own, which its views redirect to."""

from django.contrib.auth import views as auth_views
from django.urls import path

from partners import joining
from partners.views import SignInView

urlpatterns = [
    path("login/", SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("invitation/<str:token>/", joining.invitation_accept, name="invitation-accept"),
    path("invitation/<str:token>/new-link/", joining.invitation_resend, name="invitation-resend"),
    path("sign-on/", joining.sign_on_start, name="sign-on-start"),
    path("sign-on/callback/", joining.sign_on_callback, name="sign-on-callback"),
    path("password-reset/", joining.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", joining.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("password-change/", joining.PasswordChangeView.as_view(), name="password_change"),
    path("password-change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]
