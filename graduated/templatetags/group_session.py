"""One pupil's line of the group session form, built in Python: `{% load group_session %}{% group_line line %}`.

A provision's group can hold a hundred pupils; four fields a line through the template engine cost more than
the rest of the page. The markup is the GOV.UK form group that includes/field.html writes (label, hint, error
beside the field and referenced from aria-describedby), so the page reads and behaves the same.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.forms import BoundField
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _error(field: BoundField) -> SafeString:
    if not field.errors:
        return mark_safe("")
    return format_html(
        '<p id="{}_error" class="govuk-error-message">{}</p>',
        field.auto_id,
        format_html_join("", '<span class="govuk-visually-hidden">Error:</span> {}', ((e,) for e in field.errors)),
    )


def _group_class(field: BoundField) -> str:
    return "govuk-form-group govuk-form-group--error" if field.errors else "govuk-form-group"


def _value(field: BoundField) -> str:
    value = field.value()
    return "" if value is None else str(value)


def _present(field: BoundField) -> SafeString:
    return format_html(
        '<div class="govuk-form-group"><div class="govuk-checkboxes" data-module="govuk-checkboxes">'
        '<div class="govuk-checkboxes__item">'
        '<input class="govuk-checkboxes__input" type="checkbox" name="{}" id="{}"{}>'
        '<label class="govuk-label govuk-checkboxes__label" for="{}">Present</label></div></div></div>',
        field.html_name,
        field.auto_id,
        mark_safe(" checked") if field.value() else "",
        field.auto_id,
    )


def _score(field: BoundField) -> SafeString:
    return format_html(
        '<div class="{}"><label class="govuk-label" for="{}">{} (optional)</label>{}'
        '<input class="govuk-input govuk-input--width-5{}" type="text" inputmode="decimal"'
        ' name="{}" id="{}" value="{}"{}>'
        "</div>",
        _group_class(field),
        field.auto_id,
        field.label,
        _error(field),
        " govuk-input--error" if field.errors else "",
        field.html_name,
        field.auto_id,
        _value(field),
        format_html(' aria-describedby="{}_error"', field.auto_id) if field.errors else "",
    )


def _outcome(field: BoundField) -> SafeString:
    chosen = _value(field)
    options = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (key, mark_safe(" selected") if str(key) == chosen else "", label)
            for key, label in getattr(field.field, "choices", ())
        ),
    )
    return format_html(
        '<div class="{}"><label class="govuk-label" for="{}">{} (optional)</label>{}'
        '<div class="app-select"><select name="{}" id="{}"{}>{}</select></div></div>',
        _group_class(field),
        field.auto_id,
        field.label,
        _error(field),
        field.html_name,
        field.auto_id,
        format_html(' aria-describedby="{}_error" aria-invalid="true"', field.auto_id) if field.errors else "",
        options,
    )


def _note(field: BoundField) -> SafeString:
    described = f"{field.auto_id}_helptext" + (f" {field.auto_id}_error" if field.errors else "")
    return format_html(
        '<div class="{}"><label class="govuk-label" for="{}">Note (optional)</label>'
        '<div id="{}_helptext" class="govuk-hint">{}</div>{}'
        '<input class="govuk-input{}" type="text" name="{}" id="{}" value="{}" aria-describedby="{}">'
        "</div>",
        _group_class(field),
        field.auto_id,
        field.auto_id,
        field.help_text,
        _error(field),
        " govuk-input--error" if field.errors else "",
        field.html_name,
        field.auto_id,
        _value(field),
        described,
    )


@register.simple_tag
def group_line(line: dict[str, Any]) -> SafeString:
    """A fieldset for one pupil (`line` from GroupSessionForm.bound_lines()): present, score, outcome, note."""
    return format_html(
        '<fieldset class="govuk-fieldset app-group-line">'
        '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{}</legend>{}{}{}{}</fieldset>',
        line["pupil"].display_name,
        _present(line["present"]),
        _score(line["score"]),
        _outcome(line["outcome"]) if line["outcome"] is not None else "",
        _note(line["note"]),
    )
