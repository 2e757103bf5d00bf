"""register's pages, a module per concept; their URL patterns are in register/urls.py."""
