from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "register"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from pupils.record import RECORD_PARTS

        from .record import register_part

        RECORD_PARTS.add(register_part)
