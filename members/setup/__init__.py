"""Setting up a program without the admin: creating it, and (later) its staff pages."""
