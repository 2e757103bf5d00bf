from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The home pages live in trusts (the bottom app); what they show is read here, at the top.
        from trusts.models import Role
        from trusts.views import HOME_CONTEXT

        from .home import casework_home, governor_home, parent_home, teacher_home, trustee_home

        HOME_CONTEXT.update(
            {
                Role.SENCO: casework_home,
                Role.HEADTEACHER: casework_home,
                Role.INCLUSION_LEAD: casework_home,
                Role.TEACHER: teacher_home,
                Role.TEACHING_ASSISTANT: teacher_home,
                Role.GOVERNOR: governor_home,
                Role.TRUSTEE: trustee_home,
                Role.PARENT: parent_home,
            }
        )
