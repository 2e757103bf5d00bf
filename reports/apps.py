from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from pupils.record import RECORD_PARTS

        from .record import record_part

        RECORD_PARTS.add(record_part)
