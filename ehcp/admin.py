"""Platform operators' admin: read-only views of deadlines and trust settings, for support.

Casework is changed only through the services (audited, with the rules checked), never here. Plans and
assessments hold special-category data and are not shown to operators at all.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Deadline, DeadlineSetting


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Deadline)
class DeadlineAdmin(ReadOnlyAdmin):
    list_display = ["id", "trust", "school", "rule_id", "subject_type", "subject_id", "due", "status"]
    list_filter = ["trust", "rule_id", "status", "responsible"]
    fields = [
        "trust",
        "school",
        "rule_id",
        "subject_type",
        "subject_id",
        "trigger_date",
        "meeting_date",
        "statutory_due",
        "internal_due",
        "due",
        "responsible",
        "status",
        "met_on",
        "exception_kind",
        "waived_reason",
        "reminder_offset_sent",
    ]


@admin.register(DeadlineSetting)
class DeadlineSettingAdmin(ReadOnlyAdmin):
    list_display = ["trust", "rule_id", "target_amount", "target_unit", "reminder_days"]
    list_filter = ["trust"]
