"""The parent portal's forms: a parent's answer to a meeting, with clear messages in plain words."""

from __future__ import annotations

from typing import Any

from django import forms

from pupils.meeting_replies import REASON_MAX, SUITS_MAX, Answer


class MeetingReplyForm(forms.Form):
    answer = forms.ChoiceField(
        label="Can you come to this meeting?",
        choices=[(Answer.COMING, "Yes, I will come"), (Answer.MOVE, "No, I want to ask the school to move it")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose if you will come or if you want to ask to move the meeting."},
    )
    reason = forms.CharField(
        label="Why does this date not suit you?",
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Only if you want to move the meeting.",
        error_messages={"max_length": f"Your reason must be {REASON_MAX} characters or fewer."},
    )
    suits = forms.CharField(
        label="Which days and times suit you?",
        required=False,
        max_length=SUITS_MAX,
        help_text="For example: any morning after 9:30, or Tuesdays and Thursdays after 3pm.",
        error_messages={"max_length": f"The days and times that suit you must be {SUITS_MAX} characters or fewer."},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("answer") == Answer.MOVE and not (data.get("reason") or "").strip():
            self.add_error("reason", "Tell the school why the date does not suit you.")
        return data
