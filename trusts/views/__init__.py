"""trusts's pages, a module per concept; their URL patterns are in trusts/urls.py."""
