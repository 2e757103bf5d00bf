from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Links ehcp's deadlines to review pages and adds the navigation entry.
        from .queries import connect

        connect()
