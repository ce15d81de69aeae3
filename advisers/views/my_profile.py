"""An adviser's own public details: contact numbers, consent to publish the mobile, bio, specialties.

Consent to publish a personal number is the adviser's own to give and to withdraw (PIPL art. 25
asks for the person's separate consent), so the adviser, not only the bureau, must be able to
change it, and a withdrawal takes the number off the public pages at once. Identity and
practice details (name, licence, firm, photo, reputation summary) stay with the county bureau.
Changes go through the same model validation and into the same audit log as the bureau's edits.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from wagtail.log_actions import log

from backoffice.viewsets import describe_changes, forbid_as_403

from ..models import Adviser, Specialty


class MyProfileForm(forms.ModelForm):
    specialties = forms.ModelMultipleChoiceField(
        label=gettext_lazy("业务专长"),
        queryset=Specialty.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Adviser
        fields = ["office_phone", "mobile", "mobile_consent", "bio", "specialties"]
        widgets = {
            "office_phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
            "mobile": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
            "bio": forms.Textarea(attrs={"rows": 5}),
        }

    def clean(self) -> dict:
        data = super().clean()
        if data.get("mobile_consent") and not data.get("mobile"):
            self.add_error("mobile", _("勾选了同意公开个人手机，请填写手机号码；不想公开时请取消勾选。"))
        return data


def adviser_of(user) -> Adviser | None:
    """The adviser record linked to this account, if any (only active accounts reach the admin)."""
    if not user.is_authenticated:
        return None
    return Adviser.objects.select_related("firm").filter(user=user).first()


@never_cache
@login_required(login_url="wagtailadmin_login")
@forbid_as_403
def my_profile(request: HttpRequest) -> HttpResponse:
    adviser = adviser_of(request.user)
    if adviser is None:
        raise PermissionDenied
    form = MyProfileForm(request.POST or None, instance=adviser)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            changes = describe_changes(form)
            adviser = form.save()
            if changes:
                log(
                    instance=adviser,
                    action="wagtail.edit",
                    user=request.user,
                    content_changed=True,
                    data={"changes": changes},
                )
        if changes:
            messages.success(request, _("已保存，公开页面已更新。"))
        else:
            messages.info(request, _("没有需要保存的修改。"))
        return redirect("backoffice_my_profile")
    return render(
        request,
        "advisers/my_profile.html",
        {
            "page_title": _("我的公开信息"),
            "adviser": adviser,
            "form": form,
            "public_url": reverse("directory:adviser", args=[adviser.pk]),
        },
    )
