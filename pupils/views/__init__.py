"""pupils's pages, a module per concept; their URL patterns are in pupils/urls.py."""
