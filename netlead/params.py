"""Query parameters and form values read the one safe way, so no input gets a 500.

`str.isdigit()` is true for "²" and "١٢", which `int()` then refuses or reads as another
number; a 30-digit id overflows the database's integer; a NUL cannot be stored in
PostgreSQL text. Pages read ids and numbers through `whole_number` / `query_int` and model
choices through `IdChoiceField` / `IdMultipleChoiceField`; `NulRefusal` (middleware) answers
400 to any request whose parameters hold a NUL, before a view sees them; `BadParameter`
raised anywhere in a view becomes a 400 that names the parameter.
"""

from __future__ import annotations

import re

from django import forms
from django.http import HttpResponseBadRequest
from django.utils.http import url_has_allowed_host_and_scheme

# Ids are BigAutoField: 18 ASCII digits always fit in a signed 64-bit integer.
_WHOLE = re.compile(r"[0-9]{1,18}")
NUL = "\x00"


class BadParameter(ValueError):
    """A query parameter that is not what the page reads; becomes HTTP 400 naming it."""

    def __init__(self, name: str, expected: str = "a whole number"):
        super().__init__(f"The parameter “{name}” must be {expected}.")
        self.name = name


def whole_number(value) -> int | None:
    """`value` as a non-negative whole number written in ASCII digits (as ids and page
    numbers are), or None for anything else: "²", "1.5", "-1", "", a 30-digit number."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 <= value < 10**18 else None
    if isinstance(value, str) and _WHOLE.fullmatch(value):
        return int(value)
    return None


def query_int(query, name: str, *, default: int | None = None) -> int | None:
    """The whole number in `query[name]` (a QueryDict), `default` when it is absent or empty;
    raises BadParameter (HTTP 400) when it is there but not a whole number."""
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    number = whole_number(raw)
    if number is None:
        raise BadParameter(name)
    return number


def safe_next(request, value: str | None) -> str | None:
    """`value` if it is a path on this site (never another host, scheme or `a:b`), else None."""
    if not value or NUL in value or not value.startswith("/") or value.startswith("//"):
        return None
    allowed = url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return value if allowed else None


class _IdsOnly:
    """Refuses a choice that is not an ASCII whole number before the database sees it."""

    def _id_or_error(self, value):
        # A row itself (an initial value), or a field keyed on another column: not an id.
        if value in self.empty_values or hasattr(value, "pk") or self.to_field_name:
            return value
        if whole_number(value if isinstance(value, int) else str(value)) is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice",
                params={"value": str(value)[:40]},
            )  # fmt: skip
        return value


class IdChoiceField(_IdsOnly, forms.ModelChoiceField):
    """A ModelChoiceField whose submitted value must be a row id (ASCII digits, in range)."""

    def to_python(self, value):
        return super().to_python(self._id_or_error(value))


class IdMultipleChoiceField(_IdsOnly, forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField whose submitted values must be row ids."""

    def _check_values(self, value):
        if isinstance(value, (list, tuple)):
            for each in value:
                try:
                    self._id_or_error(each)
                except forms.ValidationError:
                    raise forms.ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                        params={"pk": str(each)[:40]},
                    ) from None  # fmt: skip
        return super()._check_values(value)


def _has_nul(query) -> str | None:
    for key, values in query.lists():
        if NUL in key or any(NUL in v for v in values if isinstance(v, str)):
            return key.replace(NUL, "")
    return None


class NulRefusal:
    """Answer 400 to a request whose query string or form fields hold a NUL character:
    nothing a person types holds one, and PostgreSQL cannot store it. Also turns a
    BadParameter raised by a view into a 400 that names the parameter."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        bad = _has_nul(request.GET)
        if bad is None and request.method == "POST" and _is_form(request):
            bad = _has_nul(request.POST)
        if bad is not None or NUL in request.path:
            name = f"“{bad}”" if bad else "the address"
            return HttpResponseBadRequest(
                f"A NUL character in {name} was refused.", content_type="text/plain"
            )
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, BadParameter):
            return HttpResponseBadRequest(str(exception), content_type="text/plain")
        return None


def _is_form(request) -> bool:
    # Uploads are left to their forms (a CharField refuses NUL): reading a multipart body
    # here would parse a large upload before the view's own size check.
    return (request.content_type or "") == "application/x-www-form-urlencoded"
