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
        from pupils.contributions import PORTAL_LINK

        from .views.parent_views import views_link

        PORTAL_LINK.add(views_link)  # a parent asked for their views is taken to the portal's form
        from register.family_concerns import FAMILY_CONCERN_LINK

        from .views.family_concerns import concern_answer_link

        FAMILY_CONCERN_LINK.add(concern_answer_link)  # a parent follows the answer to their child's portal page

        from django.urls import reverse

        from pupils.meeting_replies import PARENT_LINKS

        # A parent's notifications (meeting dates, their own statutory dates) link to their child's page.
        PARENT_LINKS.add(lambda pupil: reverse("reports:portal_child", kwargs={"pk": pupil.pk}))
        from ehcp.services import PROVISION_CARRIED_HOOKS

        from .delivery import carry_links

        PROVISION_CARRIED_HOOKS.add(carry_links)  # an amended plan keeps which provision delivers each line
