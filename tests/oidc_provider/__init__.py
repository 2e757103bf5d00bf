"""A real, loopback-only OpenID Connect provider for end-to-end single sign-on tests.

It is a standalone Django project (``tests.oidc_provider.settings``) built on django-oauth-toolkit. Tests start it
as a subprocess through :func:`tests.oidc_provider.harness.running_provider`; it never imports the main project.
"""
