"""The people of a program and what they report: programs, members, ties, surveys, imports."""
