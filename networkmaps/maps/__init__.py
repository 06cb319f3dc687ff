"""The interactive map, posters and a member's own network page."""
