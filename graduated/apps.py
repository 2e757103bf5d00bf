from django.apps import AppConfig


class GraduatedConfig(AppConfig):
    name = "graduated"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from pupils.timeline import register_source

        from . import timeline

        register_source(timeline.sources, timeline.TEXTS)

        from pupils.record import RECORD_PARTS

        from .record import record_part

        RECORD_PARTS.add(record_part)
        from .record import arrangements_record_part

        RECORD_PARTS.add(arrangements_record_part)  # a pupil's access arrangements on their record
        from django.urls import reverse

        from pupils.meeting_replies import STAFF_LINKS

        # Where the SENCO reads a parent's answer to the support-plan review meeting.
        STAFF_LINKS["support_review"] = lambda m: reverse("graduated:cycle", kwargs={"pk": m.subject_id})
        from pupils.moves import PUPIL_MOVED_HOOKS

        from .moves import move_support

        PUPIL_MOVED_HOOKS.add(move_support)  # a pupil who moves school takes this app's casework with them
        from .services.arrangement_review import move_arrangements

        PUPIL_MOVED_HOOKS.add(move_arrangements)  # ...and their access arrangements, to review there
        from pupils.retention import PUPIL_DESTROYED_HOOKS, SUBJECT_ACCESS_EXPORTERS

        from . import retention

        PUPIL_DESTROYED_HOOKS.add(retention.destroy_pupil_records)  # a destroyed record leaves nothing here
        SUBJECT_ACCESS_EXPORTERS.add(retention.export_pupil_records)  # a subject access export holds all of it
        from pupils.contributions import FIND_SUBJECT, OPEN_SUBJECTS

        from . import contributions

        OPEN_SUBJECTS.add(contributions.open_subjects)  # parents give their views before a support plan review
        FIND_SUBJECT.add(contributions.find_subject)
