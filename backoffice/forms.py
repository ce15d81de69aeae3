"""Forms of the back office: login with lockout, the second factor and its enrolment code, and
scoped model forms."""

from __future__ import annotations

from django import forms
from django.db.models import ForeignKey, Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm

from . import security
from .enrolment import CODE_LENGTH, normalise_code
from .scope import scope_for, scoped


class LoginForm(WagtailLoginForm):
    """Wagtail's login form that refuses locked accounts and addresses with a clear message.

    "Remember me" is removed: a back-office session ends with the browser and after 30 idle
    minutes whatever the user ticks.
    """

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields.pop("remember", None)
        # Wagtail's field has no label, so Django shows the untranslated field name.
        self.fields["password"].label = _("密码")
        self.fields["password"].widget.attrs["placeholder"] = _("请输入密码")

    def clean(self):
        username = self.cleaned_data.get("username")
        if username and security.is_locked(username, self.request):
            raise forms.ValidationError(security.lockout_message(), code="locked")
        return super().clean()


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("动态验证码"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9]*",
                "autofocus": True,
            }
        ),
        help_text=_(
            "打开手机上的身份验证器应用（如 Google Authenticator、Microsoft Authenticator、腾讯身份验证器），输入显示的 6 位数字。"
        ),
    )

    def clean_token(self) -> str:
        token = "".join(self.cleaned_data["token"].split())
        if not token.isdigit():
            raise forms.ValidationError(_("验证码只含数字。"))
        return token


class EnrolmentCodeForm(forms.Form):
    """The one-time code a superuser handed over, asked for before an authenticator is bound."""

    code = forms.CharField(
        label=_("绑定码"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "autofocus": True}
        ),
        help_text=_("由系统管理员签发的 16 位绑定码（如 ABCD-EFGH-JKMN-PQRS），大小写和短横线均可。"),
    )

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        if len(code) != CODE_LENGTH:
            raise forms.ValidationError(_("绑定码应为 %(length)d 位字母和数字。") % {"length": CODE_LENGTH})
        return code


class ScopedModelForm(WagtailAdminModelForm):
    """A Wagtail admin form whose choices of places and people stop at the user's scope.

    Every foreign key to a scoped model (villages, advisers, firms, counties) offers only records
    in scope, and the same restriction validates the submitted value, so a forged POST cannot
    attach a record to a village of another county. The model's own `clean()` then applies the
    policy's rules (5-village cap and the others) exactly as for every other entry point.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        if user is None:
            return
        for name, field in self.fields.items():
            if not isinstance(field, forms.ModelChoiceField):
                continue
            try:
                model_field = self._meta.model._meta.get_field(name)
            except Exception:  # noqa: BLE001, S112 -- form-only fields have no model field
                continue
            if not isinstance(model_field, ForeignKey) and not model_field.many_to_many:
                continue
            try:
                allowed = scoped(field.queryset, user)
            except LookupError:
                continue  # not a place-bound model (specialties, images)
            # Keep the current value selectable: a county bureau may edit an adviser who serves
            # its villages although the adviser's firm is registered in another county.
            current = (
                getattr(self.instance, model_field.attname, None) if not model_field.many_to_many else None
            )
            if current is not None:
                allowed = field.queryset.filter(Q(pk__in=allowed.values("pk")) | Q(pk=current))
            field.queryset = allowed
        self.scope = scope_for(user)
