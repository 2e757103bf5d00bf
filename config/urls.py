from django.contrib import admin
from django.urls import include, path

urlpatterns = [
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
