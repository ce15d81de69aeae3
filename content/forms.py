"""The form an adviser or staff member fills in after a lecture (举办情况)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.images.fields import WagtailImageField

MAX_PHOTOS = 12


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(WagtailImageField):
    """Several image files, each checked like Wagtail's own image upload (type, size, pixels)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_PHOTOS:
            raise ValidationError(_("一次最多上传 %(n)d 张照片。") % {"n": MAX_PHOTOS})
        single = super().clean
        return [single(f, initial) for f in files]


class LectureRecordForm(forms.Form):
    held = forms.TypedChoiceField(
        label=_("讲座是否如期举办"),
        choices=[("1", _("已举办")), ("0", _("没有举办（取消）"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        initial="1",
    )
    attendance = forms.IntegerField(label=_("到场人数"), min_value=0, max_value=100000, required=False)
    summary = forms.CharField(
        label=_("讲座情况"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("讲了什么、群众问了什么。请勿填写群众的姓名、电话等个人信息。"),
    )
    reason = forms.CharField(label=_("未举办的原因"), max_length=200, required=False)
    photos = MultipleImageField(
        label=_("现场照片"), required=False, help_text=_("可一次选择多张，最多 12 张。")
    )
    caption = forms.CharField(label=_("照片说明"), max_length=120, required=False)

    def clean(self):
        data = super().clean()
        if data.get("held"):
            if data.get("attendance") is None:
                self.add_error("attendance", _("请填写到场人数。"))
        else:
            if not (data.get("reason") or "").strip():
                self.add_error("reason", _("请说明没有举办的原因。"))
            if data.get("photos"):
                self.add_error("photos", _("没有举办的讲座不能上传现场照片。"))
        return data
