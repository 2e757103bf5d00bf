"""`{% family_referrals pupil as referrals %}`: what a parent reads in the portal about their child's
referrals to outside agencies (register.referral_queries.referrals_for_parent), two queries."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from register.referral_queries import referrals_for_parent
from register.referrals import live_consent

register = template.Library()

# Where the referral is, in words a family reads.
FAMILY_STATUS = {
    "consent_needed": "The school has asked you if it may make this referral.",
    "ready": "You said yes. The school will send the referral soon.",
    "referred": "The school has sent the referral. It is waiting to hear back.",
    "waiting_list": "They said yes. Your child is on their waiting list.",
    "accepted": "They said yes. They will be in touch about a date.",
    "appointment": "A date has been booked.",
    "report": "They have sent the school a report.",
    "declined": "They said no to this referral. The school will talk to you about what comes next.",
    "withdrawn": "You said no. The school does not share anything more with them.",
    "closed": "This referral is finished.",
}
FAMILY_PURPOSES = {
    "sharing information": "the school may share what it knows about your child",
    "assessment": "they may assess your child",
    "observation in school": "they may watch your child in class",
}


@register.simple_tag
def family_referrals(pupil: Any) -> list[dict[str, Any]]:
    rows = []
    for referral in referrals_for_parent(pupil):
        consents = list(referral.consents.all())
        today = timezone.localdate()
        coming = [a.on for a in referral.appointments.all() if a.on >= today]
        rows.append(
            {
                "referral": referral,
                "words": FAMILY_STATUS.get(referral.status, ""),
                "consents": [{"consent": c, "purposes": [FAMILY_PURPOSES[p] for p in c.purposes]} for c in consents],
                "can_say_no": live_consent(consents) is not None and not referral.closed_on,
                "next_date": min(coming) if coming and not referral.closed_on else None,
            }
        )
    return rows
