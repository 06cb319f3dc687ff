"""The REST API of computed results: metric runs, member metrics and weaving suggestions."""
