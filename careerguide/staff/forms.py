"""The second step's forms: a code from the app, or a recovery code."""

import re

from django import forms

CODE_ATTRS = {
    # Phones offer the code from an SMS or a password manager, and a digit pad.
    "autocomplete": "one-time-code",
    "inputmode": "numeric",
    "pattern": "[0-9 ]*",
    "autofocus": True,
    "spellcheck": "false",
    "aria-describedby": "code-help",
}


class AppCodeForm(forms.Form):
    """Six digits from the authenticator app; spaces are forgiven."""

    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=12,
        widget=forms.TextInput(attrs=CODE_ATTRS),
        error_messages={"required": "Type the 6-digit code your app shows."},
    )

    def clean_code(self):
        code = re.sub(r"\s", "", self.cleaned_data["code"])
        if not re.fullmatch(r"[0-9]{6}", code):
            raise forms.ValidationError("The code is 6 digits, as your app shows it.")
        return code


class RecoveryCodeForm(forms.Form):
    """One of the ten recovery codes given at enrolment (each works once)."""

    recovery_code = forms.CharField(
        label="Recovery code",
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "spellcheck": "false",
                "autocapitalize": "none",
                "aria-describedby": "recovery-help",
            }
        ),
        error_messages={"required": "Type one of your recovery codes."},
    )

    def clean_recovery_code(self):
        # Printed in lower case; people type them in any case, with spaces or dashes.
        return re.sub(r"[\s-]", "", self.cleaned_data["recovery_code"]).lower()
