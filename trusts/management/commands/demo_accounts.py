from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from trusts.demo import ACCOUNTS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "Print the demo sign-ins."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("\nSEND Casework is starting on http://127.0.0.1:8000")
        self.stdout.write(f"Demo sign-ins (password for all: {DEMO_PASSWORD}):")
        for email, _name, trust, role, school in ACCOUNTS:
            where = school.capitalize() if school else "whole trust"
            self.stdout.write(f"  {email:28} {role.label:22} {where:12} {trust}")
        self.stdout.write("")
