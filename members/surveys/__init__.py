"""Relationship surveys: set-up, personal links, the roster, drafts, submitting and closing."""
