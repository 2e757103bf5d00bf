from django.http import HttpRequest

from .models import User


class AuthedRequest(HttpRequest):
    """A request behind @login_required: the user is a real User (for type checking)."""

    user: User  # type: ignore[assignment]
