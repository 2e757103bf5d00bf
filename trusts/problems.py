"""What a service found wrong, each problem tied to the form field it is about when there is one.

A service collects every problem, then raises them together (nothing is written):

    problems = Problems()
    if session_date > today:
        problems.add("The session date cannot be in the future.", field="session_date")
    problems.raise_if_any()

The ValidationError carries a dict (field name → messages; problems about no one field under
NON_FIELD_ERRORS), so `trusts.forms.add_service_errors` shows each message beside its field and as a link
in the error summary (the GOV.UK pattern, WCAG 3.3.1); `exc.messages` still lists them all. Field names are
the form's: a name the form does not have falls back to the summary.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


class Problems:
    def __init__(self) -> None:
        self._by_field: dict[str, list[str]] = {}

    def add(self, message: str, *, field: str | None = None) -> None:
        self._by_field.setdefault(field or NON_FIELD_ERRORS, []).append(message)

    def __bool__(self) -> bool:
        return bool(self._by_field)

    @property
    def messages(self) -> list[str]:
        return [m for messages in self._by_field.values() for m in messages]

    def error(self) -> ValidationError:
        return ValidationError({field: list(messages) for field, messages in self._by_field.items()})

    def raise_if_any(self) -> None:
        if self._by_field:
            raise self.error()
