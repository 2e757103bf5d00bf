from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from pupils.record import RECORD_PARTS

        from .record import record_part

        RECORD_PARTS.add(record_part)

        from ehcp.deadlines import SUBJECT_LINKS

        from . import data_protection_record
        from .subject_access import SUBJECT_TYPE

        RECORD_PARTS.add(data_protection_record.record_part)  # subject access, legal holds, mistaken documents
        SUBJECT_LINKS[SUBJECT_TYPE] = data_protection_record.subject_access_link

        from django.urls import reverse

        from pupils.meeting_replies import PARENT_LINKS

        # A parent's notifications (meeting dates, their own statutory dates) link to their child's page.
        PARENT_LINKS.add(lambda pupil: reverse("reports:portal_child", kwargs={"pk": pupil.pk}))
