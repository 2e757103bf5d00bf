"""reports's pages, a module per concept; their URL patterns are in reports/urls.py."""
