from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from trusts.health import healthz
from trusts.views.invitations import activate_totp

# The admin signs in through allauth (password, then the second factor), never with its own password form.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    # No sign-in, no data: for load balancers and docker-compose healthchecks (trusts.health).
    path("healthz", healthz, name="healthz"),
    # Setting up an authenticator also counts as this session's second factor (trusts.mfa).
    path("accounts/2fa/totp/activate/", activate_totp, name="mfa_activate_totp"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("pupils/", include("pupils.urls")),
    path("register/", include("register.urls")),
    path("support/", include("graduated.urls")),
    path("ehc/", include("ehcp.urls")),
    path("reviews/", include("reviews.urls")),
    path("", include("reports.urls")),
    path("", include("trusts.urls")),
]
