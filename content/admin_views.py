"""Back-office views for lectures that the snippet editor does not cover.

"我的讲座" lets an adviser see the lectures they give and record each one afterwards (held or not,
attendance, summary, photos) without the rights to edit anyone else's; staff with the change
permission may record any lecture. The work ledger counts the held lectures
(崇政办发〔2017〕101号 三(一): at least one lecture per village per year).
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.images import get_image_model
from wagtail.models import Collection

from .forms import LectureRecordForm
from .models import Lecture, LecturePhoto

logger = logging.getLogger(__name__)


class MyLecturesView(WagtailAdminTemplateMixin, TemplateView):
    page_title = _("我的讲座")
    header_icon = "date"
    template_name = "content/admin/my_lectures.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        lectures = Lecture.objects.filter(speaker__user=self.request.user).select_related("place__parent")
        context["upcoming"] = list(lectures.upcoming())
        context["past"] = list(lectures.past()[:50])
        context["now"] = timezone.now()
        return context


class RecordLectureView(WagtailAdminTemplateMixin, FormView):
    page_title = _("记录讲座举办情况")
    header_icon = "date"
    template_name = "wagtailadmin/generic/form.html"
    form_class = LectureRecordForm

    def dispatch(self, request, *args, **kwargs):
        self.lecture = get_object_or_404(
            Lecture.objects.select_related("place__parent", "speaker"), pk=kwargs["pk"]
        )
        if not self.lecture.can_be_recorded_by(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self) -> str:
        return str(self.lecture)

    def get_initial(self):
        lecture = self.lecture
        return {
            "held": "0" if lecture.is_cancelled else "1",
            "attendance": lecture.attendance,
            "summary": lecture.summary,
            "reason": lecture.cancellation_reason,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            action_url=self.request.path,
            submit_button_label=_("保存"),
            submit_button_active_label=_("正在保存…"),
            form_is_multipart=True,
        )
        return context

    def form_valid(self, form):
        lecture = self.lecture
        if lecture.starts_at > timezone.now():
            form.add_error("held", _("讲座还没有开始，开始后才能记录举办情况。"))
            return self.form_invalid(form)
        data = form.cleaned_data
        with transaction.atomic():
            lecture.record(
                held=data["held"],
                attendance=data.get("attendance"),
                summary=data.get("summary", ""),
                reason=data.get("reason", ""),
                user=self.request.user,
            )
            self.save_photos(data.get("photos") or [], data.get("caption", ""))
        logger.info("Lecture %s recorded as %s by user %s", lecture.pk, lecture.status, self.request.user.pk)
        messages.success(self.request, _("已保存讲座举办情况。"))
        if self.request.user.has_perm("content.change_lecture"):
            return redirect(reverse("lecture_admin:edit", args=[lecture.pk]))
        return redirect("content_my_lectures")

    def save_photos(self, files, caption: str) -> None:
        Image = get_image_model()
        collection = Collection.get_first_root_node()
        start = self.lecture.photos.count()
        local = timezone.localtime(self.lecture.starts_at)
        for offset, upload in enumerate(files):
            image = Image(
                title=f"{local:%Y-%m-%d} {self.lecture.topic}（{offset + start + 1}）"[:255],
                file=upload,
                collection=collection,
                uploaded_by_user=self.request.user,
            )
            image.save()
            LecturePhoto.objects.create(
                lecture=self.lecture, image=image, caption=caption, sort_order=start + offset
            )
