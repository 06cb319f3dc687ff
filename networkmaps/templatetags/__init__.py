"""Template filters for metric values."""
