from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "register"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from pupils.record import RECORD_PARTS

        from .record import register_part

        RECORD_PARTS.add(register_part)
        from pupils.moves import PUPIL_MOVED_HOOKS

        from .moves import move_register

        PUPIL_MOVED_HOOKS.add(move_register)  # a pupil who moves school takes this app's casework with them
        from pupils.retention import PUPIL_DESTROYED_HOOKS, SUBJECT_ACCESS_EXPORTERS

        from . import retention

        PUPIL_DESTROYED_HOOKS.add(retention.destroy_pupil_records)  # a destroyed record leaves nothing here
        SUBJECT_ACCESS_EXPORTERS.add(retention.export_pupil_records)  # a subject access export holds all of it
        from pupils.timeline import register_source

        from . import referral_record
        from .referral_queries import timeline_source

        RECORD_PARTS.add(referral_record.referrals_part)  # referrals to outside agencies, with consent
        register_source(timeline_source, referral_record.TIMELINE_TEXTS)
        PUPIL_MOVED_HOOKS.add(referral_record.move_referrals)
