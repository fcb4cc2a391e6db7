"""Reader forms: sign-up (allauth's, plus a display name), profile and account deletion."""

from __future__ import annotations

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.account.forms import SignupForm
from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

from .avatars import avatar_limit, human_size, read_avatar_upload
from .models import User
from .signup import clean_display_name, display_name_field

AVATAR_ACCEPT = "image/jpeg,image/png,image/webp,image/gif"


class ReaderSignupForm(SignupForm):
    """allauth's sign-up form, display name first (the field and its saving come from
    accounts.signup.DisplayNameSignup, shared with the app sign-up)."""

    field_order = ["display_name", "email", "password1", "password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(self.field_order)
        # allauth uses placeholders instead of labels; our templates show real labels.
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)


class ProfileForm(forms.ModelForm):
    """Edit the public profile and the email-notification choices."""

    avatar_upload = forms.FileField(
        label="New picture",
        required=False,
        widget=forms.FileInput(attrs={"accept": AVATAR_ACCEPT}),
    )
    remove_avatar = forms.BooleanField(label="Remove my picture", required=False)

    class Meta:
        model = User
        fields = ["display_name", "bio", "notify_on_reply", "notify_on_moderation"]
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 4, "maxlength": 300}),
        }
        labels = {
            "bio": "About you",
            "notify_on_reply": "Email me when someone replies to my comment",
            "notify_on_moderation": "Email me when a moderator decides on my comment",
        }
        help_texts = {"bio": "Plain text, up to 300 characters. Shown on your public profile."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["display_name"] = display_name_field()
        self.fields["avatar_upload"].help_text = (
            f"JPEG, PNG, WebP or GIF, up to {human_size(avatar_limit())}. "
            "It is cut to a square; photo details such as location are removed."
        )
        if not self.instance.avatar:
            del self.fields["remove_avatar"]
        self.avatar_bytes: bytes | None = None

    def clean_display_name(self) -> str:
        return clean_display_name(self.cleaned_data.get("display_name", ""))

    def clean_avatar_upload(self):
        upload = self.cleaned_data.get("avatar_upload")
        if upload:
            self.avatar_bytes = read_avatar_upload(upload)
        return upload


class DeleteAccountForm(forms.Form):
    """Re-enter the password to delete the account."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user: User, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError("That is not your password.", code="wrong_password")
        return password


class ResendConfirmationForm(forms.Form):
    email = forms.EmailField(label="Your email address", max_length=254)


class StaffLoginForm(AdminAuthenticationForm):
    """The admin's login form with the readers' limits: it authenticates through
    allauth's adapter, so failed attempts count in the same per-account and per-address
    buckets (ACCOUNT_RATE_LIMITS["login_failed"], client address from serving/client.py)
    as the reader login page, and neither page gives an attacker extra tries."""

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            self.user_cache = get_account_adapter(self.request).authenticate(
                self.request, username=username, password=password
            )
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data
