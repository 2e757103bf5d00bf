from django.apps import AppConfig


class GraduatedConfig(AppConfig):
    name = "graduated"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from register.timeline import register_source
        from trusts.context_processors import NAV

        from . import timeline

        register_source(timeline.sources, timeline.TEXTS)

        for item in (
            ("SEN support", "graduated:overview", "plan.change"),
            ("Provision map", "graduated:provision_map", "provision.view"),
            ("Log a session", "graduated:sessions", "delivery.log_own"),
        ):
            if item not in NAV:
                NAV.append(item)
