"""The fictional demo program: generated as plain data, then written to the database."""
