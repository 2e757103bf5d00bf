from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Links ehcp's deadlines to review pages.
        from ehcp.services import PLAN_CEASED_HOOKS, PLAN_ISSUE_DATE_HOOKS

        from .queries import connect
        from .services import close_for_ceased_plan, follow_corrected_issue_date

        connect()
        from django.urls import reverse

        from pupils.meeting_replies import STAFF_LINKS

        # Where the SENCO reads a parent's answer to the review meeting.
        STAFF_LINKS["annual_review"] = lambda m: reverse("reviews:detail", kwargs={"pk": m.subject_id})
        from pupils.timeline import register_source

        from . import timeline

        register_source(timeline.sources, timeline.TEXTS)
        # A plan that ceases has no more annual reviews: cancel the ones under way.
        PLAN_CEASED_HOOKS.add(close_for_ceased_plan)
        # A corrected plan issue date moves the first review's due date with it.
        PLAN_ISSUE_DATE_HOOKS.add(follow_corrected_issue_date)
        from pupils.moves import PUPIL_MOVED_HOOKS

        from .moves import move_reviews

        PUPIL_MOVED_HOOKS.add(move_reviews)  # a pupil who moves school takes this app's casework with them
        from pupils.retention import PUPIL_DESTROYED_HOOKS, SUBJECT_ACCESS_EXPORTERS

        from . import retention

        PUPIL_DESTROYED_HOOKS.add(retention.destroy_pupil_records)  # a destroyed record leaves nothing here
        SUBJECT_ACCESS_EXPORTERS.add(retention.export_pupil_records)  # a subject access export holds all of it
        from pupils.contributions import FIND_SUBJECT, OPEN_SUBJECTS

        from . import contributions

        OPEN_SUBJECTS.add(contributions.open_subjects)  # parents give their views before an annual review
        FIND_SUBJECT.add(contributions.find_subject)
