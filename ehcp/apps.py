from django.apps import AppConfig


class EhcpConfig(AppConfig):
    name = "ehcp"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from pupils.timeline import register_source
        from register.services import EHC_PLAN_CHECKS

        from . import timeline

        register_source(timeline.sources, timeline.TEXTS)

        from . import consultations
        from .deadlines import SUBJECT_LINKS
        from .models import SubjectType

        # A consultation before admission: on the child's timeline once linked; its A5 acted on from its page.
        register_source(consultations.timeline_sources, consultations.TIMELINE_TEXTS)
        SUBJECT_LINKS[SubjectType.CONSULTATION] = consultations.consultation_link

        from pupils.record import RECORD_PARTS

        from .record import record_part

        RECORD_PARTS.add(record_part)

        from pupils.importing import PUPIL_LEFT_HOOKS

        from .queries import has_issued_plan
        from .services import open_records_transfer

        # pupils' hook: an SEN pupil who leaves opens C1 (records to the new school in 15 school days).
        PUPIL_LEFT_HOOKS.add(open_records_transfer)

        # register's rule: a pupil is recorded as E only once an EHC plan has been issued.
        EHC_PLAN_CHECKS.add(has_issued_plan)

        from register.ctf import CTF_SENT_HOOKS

        from .services.records_sent import meet_records_transfer

        # register's CTF: sending a leaver's common transfer file meets C1.
        CTF_SENT_HOOKS.add(meet_records_transfer)
        from pupils.moves import PUPIL_MOVED_HOOKS

        from .moves import move_ehc_casework

        PUPIL_MOVED_HOOKS.add(move_ehc_casework)  # a pupil who moves school takes this app's casework with them
        from pupils.retention import PUPIL_DESTROYED_HOOKS, SUBJECT_ACCESS_EXPORTERS

        from . import retention

        PUPIL_DESTROYED_HOOKS.add(retention.destroy_pupil_records)  # a destroyed record leaves nothing here
        SUBJECT_ACCESS_EXPORTERS.add(retention.export_pupil_records)  # a subject access export holds all of it
