from typing import Any

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The home pages live in trusts (the bottom app); what they show is read here, at the top.
        from django_scopes import scope

        from pupils.grants import shared_with
        from trusts.context_processors import NAV_FOR_GRANTEES
        from trusts.models import Role
        from trusts.permissions import CASEWORK_ACCESS_CHECKS
        from trusts.views import HOME_CONTEXT, NO_ROLE_HOMES

        from .home import casework_home, governor_home, parent_home, teacher_home, trustee_home

        def has_grants(user: Any) -> bool:
            if not getattr(user, "is_authenticated", False) or user.trust_id is None:
                return False
            with scope(trust=user.trust_id):
                return shared_with(user).exists()

        NO_ROLE_HOMES[lambda request: has_grants(request.user)] = "pupils:shared_with_me"
        NAV_FOR_GRANTEES.append(("Shared with me", "pupils:shared_with_me", has_grants))
        CASEWORK_ACCESS_CHECKS.append(has_grants)

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
