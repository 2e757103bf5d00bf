from django.apps import AppConfig


class GraduatedConfig(AppConfig):
    name = "graduated"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from register.timeline import register_source

        from . import timeline

        register_source(timeline.sources, timeline.TEXTS)
