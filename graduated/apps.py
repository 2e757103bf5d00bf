from django.apps import AppConfig


class GraduatedConfig(AppConfig):
    name = "graduated"
    default_auto_field = "django.db.models.BigAutoField"
