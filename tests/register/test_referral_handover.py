"""A concern's "refer to an outside agency" outcome opens a draft referral and takes the SENCO to it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope

from register.models import CauseForConcern
from tests.permission_cases.concerns import make_concern

pytestmark = pytest.mark.django_db
SENCO = "senco.acorn@oak.test"


def test_refer_outcome_opens_a_draft_referral_and_goes_to_it(demo) -> None:
    concern = make_concern(demo, demo.acorn)
    url = reverse("register:concern_triage", kwargs={"pk": concern.pk})
    response = demo.client_for(SENCO).post(
        url, {"outcome": "refer", "notes": "Speech sounds well behind", "outside_agency": "Speech and language therapy"}
    )
    with scope(trust=demo.oak.pk):
        concern = CauseForConcern.objects.get(pk=concern.pk)
        referrals = list(concern.referrals.all())
    assert concern.outcome == "refer"
    assert len(referrals) == 1, "closing a concern with 'refer' should open a referral"
    referral = referrals[0]
    assert referral.agency == "salt"
    assert referral.reason == "Speech sounds well behind"
    assert referral.status == "consent_needed"
    assert response.status_code == 302
    assert response["Location"] == reverse("register:referral_detail", kwargs={"pk": referral.pk})
