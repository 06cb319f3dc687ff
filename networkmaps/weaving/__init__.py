"""The weaving queue for staff: suggestions, decisions, outcomes, and the convening mixer."""
