"""Forms for personal data: a member's own choices, staff invitations, accepting one."""

from django import forms

from members.models import AuditEvent, Member, ProgramRole
from netlead.params import IdChoiceField

# What each choice means, in the member's words: the consent screen shows it under the
# choice, and it must stay true to the rule in members/access.py.
VISIBILITY_MEANS = {
    Member.Visibility.STAFF: (
        "Program staff see your name, title and organisation. Facilitators and other members"
        " see you only as an anonymous dot or code on maps, posters, mixing tables and their"
        " own pages. Your name appears in the survey's list so other members can name you;"
        " your title and organisation do not, and you are found only by typing your name."
    ),
    Member.Visibility.MEMBERS: (
        "Facilitators and other members see your name, title and organisation on maps,"
        " posters, mixing tables and their own pages. In a relationship survey you are"
        " listed with your title and organisation, and can be found by them."
    ),
}


# The consent fields' prefix where they sit inside another page's form (the invitation
# acceptance, the survey's first screen: templates/members/_consent_choices.html).
CONSENT_PREFIX = "consent"


class MemberSettingsForm(forms.Form):
    visibility = forms.ChoiceField(
        choices=Member.Visibility.choices, widget=forms.RadioSelect,
        label="What others in the program may see of you",
    )  # fmt: skip
    accepts_introductions = forms.BooleanField(
        required=False, label="Suggest introductions to me, and me to others"
    )

    def visibility_explained(self):
        """Each visibility radio with what choosing it means (see VISIBILITY_MEANS)."""
        return [(radio, VISIBILITY_MEANS[radio.data["value"]]) for radio in self["visibility"]]


class MemberChoice(IdChoiceField):
    """A member picker in which people with the same name can be told apart."""

    def label_from_instance(self, member):
        organisation = member.organisation.name if member.organisation_id else "no organisation"
        return f"{member.name} — {organisation} — {member.email or 'no email on record'}"


class InvitationForm(forms.Form):
    role = forms.ChoiceField(choices=ProgramRole.Role.choices, initial=ProgramRole.Role.MEMBER)
    member = MemberChoice(
        queryset=Member.objects.none(), required=False,
        help_text="For a member invitation: the member record the account will belong to.",
    )  # fmt: skip
    email = forms.EmailField(
        required=False, help_text="Leave blank to use the member's email on record."
    )
    # The typed address staff confirmed after being told it differs from the one on record.
    confirmed_email = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = program.members.filter(user__isnull=True).select_related(
            "organisation"
        )
        self.email_differs = None  # (typed, on record) when the form asks to confirm

    def clean(self):
        cleaned = super().clean()
        member, typed = cleaned.get("member"), (cleaned.get("email") or "").strip().lower()
        if cleaned.get("role") == ProgramRole.Role.MEMBER and not member:
            raise forms.ValidationError("Choose the member record this account belongs to.")
        on_record = (member.email or "").strip().lower() if member else ""
        if not typed:
            if not on_record:
                self.add_error("email", "Type the email address to send the invitation to.")
            cleaned["email"] = on_record
        elif on_record and typed != on_record and cleaned.get("confirmed_email") != typed:
            # Ask once, saying which address will be used; the hidden field carries the yes.
            self.email_differs = (typed, on_record)
            data = self.data.copy()
            data["confirmed_email"] = typed
            self.data = data
            raise forms.ValidationError(
                f"{member.name}'s email on record is {on_record}, not {typed}. "
                f"Press “Send invitation” again to confirm: it will go to {typed} (the "
                f"address you typed); the member record keeps {on_record}."
            )
        return cleaned


class AcceptInvitationForm(forms.Form):
    """For someone without an account yet: the invited email is fixed by the link."""

    username = forms.SlugField(max_length=150)
    password = forms.CharField(widget=forms.PasswordInput, min_length=10)


class AuditFilterForm(forms.Form):
    """The audit page's filters (GET): what was done, by whom, between which days."""

    action = forms.ChoiceField(
        required=False, choices=[("", "Anything"), *AuditEvent.Action.choices], label="What",
        # The longest action's wording would push a phone screen sideways.
        widget=forms.Select(attrs={"style": "max-width: 16rem"}),
    )  # fmt: skip
    person = forms.CharField(required=False, max_length=150, label="Who (part of the name)")
    since = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )
