"""Platform operators' admin. The tenant scope is lifted for superusers on /admin/ only (see middleware)."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import (
    AuditEntry,
    HalfTerm,
    Invitation,
    Membership,
    Notification,
    School,
    SchoolCalendar,
    SingleSignOn,
    Trust,
    User,
)


@admin.register(Trust)
class TrustAdmin(admin.ModelAdmin):
    list_display = ["name", "companies_house_number"]


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["name", "trust", "urn", "la_code", "establishment_number", "phase", "year_range_display"]
    list_filter = ["trust", "phase"]

    @admin.display(description="Year groups")
    def year_range_display(self, obj: School) -> str:
        """The range phase transfers (R9) are opened by: the trust's own, else from the ages or the phase."""
        return obj.year_range_display()


class HalfTermInline(admin.TabularInline):
    model = HalfTerm
    extra = 0


@admin.register(SchoolCalendar)
class SchoolCalendarAdmin(admin.ModelAdmin):
    list_display = ["school", "academic_year"]
    inlines = [HalfTermInline]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fk_name = "user"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "trust", "is_active"]
    list_filter = ["trust", "is_active"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password", "full_name", "trust")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser")}),
    )
    add_fieldsets = ((None, {"fields": ("email", "full_name", "trust", "password1", "password2")}),)
    filter_horizontal = ()
    inlines = [MembershipInline]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "trust", "actor_name", "action", "object_repr"]
    list_filter = ["trust", "action"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "recipient",
        "kind",
        "email_status",
        "email_attempts",
        "email_last_error",
        "emailed_at",
    ]
    list_filter = ["email_status", "trust"]


class SingleSignOnAdminForm(forms.ModelForm):
    """The platform operator sets up a trust's single sign-on; the secret is encrypted and never shown."""

    issuer = forms.URLField(max_length=300, assume_scheme="https")
    client_secret = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Leave empty to keep the stored secret.",
    )

    class Meta:
        model = SingleSignOn
        fields = [
            "trust",
            "provider_id",
            "kind",
            "issuer",
            "client_id",
            "client_secret",
            "client_secret_env",
            "allowed_domains",
            "idp_mfa_counts",
            "enabled",
        ]

    def save(self, commit: bool = True) -> SingleSignOn:
        from .sso import encrypt_secret

        config = super().save(commit=False)
        if self.cleaned_data.get("client_secret"):
            config.client_secret_encrypted = encrypt_secret(self.cleaned_data["client_secret"])
        if commit:
            config.save()
        return config


@admin.register(SingleSignOn)
class SingleSignOnAdmin(admin.ModelAdmin):
    form = SingleSignOnAdminForm
    list_display = ["trust", "provider_id", "kind", "allowed_domains", "idp_mfa_counts", "enabled"]
    list_filter = ["kind", "enabled"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "trust", "kind", "email", "accepted_at", "revoked_at", "expires_at"]
    list_filter = ["trust", "kind"]
    exclude = ["token_hash"]
    readonly_fields = ["accepted_at", "accepted_by"]
