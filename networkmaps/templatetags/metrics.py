"""Template filters that print metric values and their changes the way staff read them."""

from django import template

register = template.Library()


@register.filter
def metric(value, kind="number"):
    """A metric value as staff read it: counts whole, shares as %, others to 3 places."""
    if value is None:
        return "—"
    if kind == "count":
        return f"{round(value):,}"
    if kind == "share":
        return f"{value * 100:.1f}%"
    if kind == "index":
        return (
            f"{value:+.2f}" if isinstance(value, float) and not value.is_integer() else f"{value:g}"
        )
    return f"{value:.3f}"


@register.filter
def metric_change(change, kind="number"):
    if change is None:
        return ""
    if abs(change) < 1e-12:
        return "no change"
    sign = "+" if change > 0 else "−"
    if kind == "count":
        return f"{sign}{abs(round(change)):,}"
    if kind == "share":
        return f"{sign}{abs(change) * 100:.1f} pts"
    return f"{sign}{abs(change):.3f}"


@register.filter
def attr(obj, name):
    return getattr(obj, name, None)
