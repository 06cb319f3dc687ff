"""Commands of this app (manage.py <name>)."""
