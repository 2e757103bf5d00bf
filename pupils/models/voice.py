"""Pupil voice: the "All about me" one-page profile (pupils.voice)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from trusts.models import School, TimeStamped, Trust

from .core import Pupil


class AllAboutMe(TimeStamped):
    """One version of a pupil's "All about me" one-page profile, completed by the pupil with an adult.

    Each save is a new version: earlier ones are kept (the history) and the newest is the one shown on the
    record, the pupil passport, the annual review and in the parent portal. `recorded_by` is the signed-in
    person who saved it; `helper_name` and `helper_role` the adult who sat with the pupil.
    """

    class Words(models.TextChoices):
        OWN = "own", "The pupil's own words"
        WRITTEN_DOWN = "written_down", "Written down by the adult with the pupil"

    class Where(models.TextChoices):
        SCHOOL = "school", "At school"
        HOME = "home", "At home with a parent or carer"

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT)
    school = models.ForeignKey(School, on_delete=models.PROTECT, help_text="The school when it was written.")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="all_about_me")
    liked_admired = models.TextField("what people like and admire about me", blank=True)
    important_to_me = models.TextField("what is important to me", blank=True)
    what_helps = models.TextField("what helps me", blank=True)
    what_does_not_help = models.TextField("what does not help me", blank=True)
    hopes = models.TextField("my hopes", blank=True)
    get_better_at = models.TextField("what I want to get better at", blank=True)
    communication = models.TextField("how I like to communicate", blank=True)
    completed_on = models.DateField()
    helper_name = models.CharField("who helped", max_length=150)
    helper_role = models.CharField("their role", max_length=100)
    words = models.CharField(max_length=20, choices=Words.choices)
    where = models.CharField(max_length=10, choices=Where.choices, default=Where.SCHOOL)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["trust", "pupil", "created_at"])]
        verbose_name = "All about me profile"

    def __str__(self) -> str:
        return f"All about me, {self.completed_on:%-d %b %Y}"
