"""ehcp's pages, a module per concept; their URL patterns are in ehcp/urls.py."""
