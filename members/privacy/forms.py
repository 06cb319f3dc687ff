"""Forms for personal data: a member's own choices, staff invitations, accepting one."""

from django import forms

from members.models import Member, ProgramRole


class MemberSettingsForm(forms.Form):
    visibility = forms.ChoiceField(
        choices=Member.Visibility.choices, widget=forms.RadioSelect,
        label="Who may see you by name",
    )  # fmt: skip
    accepts_introductions = forms.BooleanField(
        required=False, label="Suggest introductions to me, and me to others"
    )


class InvitationForm(forms.Form):
    email = forms.EmailField()
    role = forms.ChoiceField(choices=ProgramRole.Role.choices)
    member = forms.ModelChoiceField(
        queryset=Member.objects.none(), required=False,
        help_text="For a member invitation: the member record the account will belong to.",
    )  # fmt: skip

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = program.members.filter(user__isnull=True)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") == ProgramRole.Role.MEMBER and not cleaned.get("member"):
            raise forms.ValidationError("Choose the member record this account belongs to.")
        return cleaned


class AcceptInvitationForm(forms.Form):
    """For someone without an account yet: the invited email is fixed by the link."""

    username = forms.SlugField(max_length=150)
    password = forms.CharField(widget=forms.PasswordInput, min_length=10)
