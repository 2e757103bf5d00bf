from django.apps import AppConfig


class PupilsConfig(AppConfig):
    name = "pupils"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from trusts.invitations import ACCEPT_HOOKS, EMAIL_TEXT
        from trusts.models import Invitation
        from trusts.people import PERSON_DEACTIVATED_HOOKS
        from trusts.permissions import CASEWORK_ACCESS_CHECKS

        from .grants import accept_access_invitation, access_invitation_text, end_grants_of_leaver, has_casework_grants
        from .parents import link_parent_on_acceptance, parent_invitation_text

        ACCEPT_HOOKS[Invitation.Kind.PARENT] = link_parent_on_acceptance
        ACCEPT_HOOKS[Invitation.Kind.ACCESS] = accept_access_invitation
        EMAIL_TEXT[Invitation.Kind.PARENT] = parent_invitation_text
        EMAIL_TEXT[Invitation.Kind.ACCESS] = access_invitation_text
        PERSON_DEACTIVATED_HOOKS.add(end_grants_of_leaver)
        # trusts' rule: anyone who can open a pupil's casework uses MFA, grantees included.
        CASEWORK_ACCESS_CHECKS.add(has_casework_grants)
        from .moves import MOVE_KIND, describe_move, move_events, move_record_part
        from .record import RECORD_PARTS
        from .timeline import register_source

        RECORD_PARTS.add(move_record_part)  # the pupil's casework roles get the move action
        register_source(move_events, {MOVE_KIND: describe_move})  # and everyone sees the moves on the timeline
        from .voice import record_part as all_about_me_part

        RECORD_PARTS.add(all_about_me_part)  # the pupil's "All about me", for the staff who complete it with them
        from trusts.permissions import DATA_PROTECTION_LEAD

        from . import retention

        DATA_PROTECTION_LEAD.add(retention.named_lead_id)  # a trust may name its data protection lead
        retention.SUBJECT_ACCESS_EXPORTERS.add(retention.pupils_own_rows)
        from .health_timeline import register as register_health_timeline

        register_health_timeline()  # health care plan versions on the record's timeline, for those who may see them
