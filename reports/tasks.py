from __future__ import annotations

from celery import shared_task
from django_scopes import scope, scopes_disabled

from trusts.replica import reads_from_replica

from .board import build_board_report
from .models import BoardReport


@shared_task(acks_late=True, time_limit=300, soft_time_limit=240)
def render_board_report(*, report_id: int) -> str:
    with scopes_disabled():
        report = BoardReport.objects.select_related("trust", "requested_by").filter(pk=report_id).first()
    if report is None:
        return "missing"
    # The row was loaded from the primary (the replica may not have it yet); the figures may come from the
    # replica, seconds behind at most, while progress and the finished PDF are written to the primary.
    with scope(trust=report.trust_id), reads_from_replica():
        try:
            build_board_report(report)
        except Exception as exc:
            BoardReport.objects.filter(pk=report.pk).update(
                status=BoardReport.Status.FAILED, error=f"The report could not be made: {exc}"[:300]
            )
            raise
    return "done"
