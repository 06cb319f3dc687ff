"""`{% consent_choices member %}`: a member's visibility and introduction choices, with a
preview of what others will see, on whichever page asks them (invitation, survey, own page).
"""

from django import template

from members.privacy.forms import CONSENT_PREFIX, MemberSettingsForm

register = template.Library()


@register.inclusion_tag("members/_consent_choices.html", takes_context=True)
def consent_choices(
    context, member, action: str = "", prefix: str = CONSENT_PREFIX, collapse: bool = False
):
    """With `action`, the choices are a form of their own posting there; without, they are
    fields inside the page's form (named with `prefix`). With `collapse`, a choice already
    made folds into one line the member can open to change it."""
    form = MemberSettingsForm(
        prefix=prefix or None,
        initial={
            "visibility": member.visibility,
            "accepts_introductions": member.accepts_introductions,
        },
    )
    organisation = member.organisation.name if member.organisation_id else ""
    return {
        "form": form,
        "member": member,
        "organisation": organisation,
        "action": action,
        "chosen": member.consent_recorded_at is not None,
        "folded": collapse and member.consent_recorded_at is not None,
        "csrf_token": context.get("csrf_token"),
    }
