from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    name = "content"
    verbose_name = _("网站内容")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models import Q

        from . import pagecache, uploads

        pagecache.connect()
        # Moderation mails reach only the reviewers whose scope covers the page's site.
        from .moderation import connect_notifications, connect_task_scoping

        connect_notifications()
        connect_task_scoping()
        # A village page (directory) lists the village's next lectures, which live here.
        from directory import queries as directory_queries

        from .models.lectures import next_in_village

        directory_queries.provide_village_lectures(next_in_village)
        # Uploaded images lose their EXIF (GPS) before the original is written.
        uploads.connect()

        from backoffice import roles, scope

        from .models import Lecture

        def lecture_rule(queryset, user_scope):
            """Lectures in the places of the scope; an adviser also sees every lecture they give."""
            if user_scope.is_adviser:
                return queryset.filter(user_scope.q("place") | Q(speaker_id=user_scope.adviser_id))
            return queryset.filter(user_scope.q("place"))

        scope.register(Lecture, field="place", rule=lecture_rule)

        lectures = (
            "content.add_lecture",
            "content.change_lecture",
            "content.delete_lecture",
            "content.view_lecture",
        )
        categories = (
            "content.add_articlecategory",
            "content.change_articlecategory",
            "content.delete_articlecategory",
            "content.view_articlecategory",
        )
        # Bureaus and township offices arrange lectures in their places (崇政办发〔2017〕101号 三(一));
        # the village committee confirms what happened in its village; content staff publish the
        # schedule and manage the article categories.
        for role in (roles.CITY_BUREAU, roles.COUNTY_BUREAU, roles.TOWNSHIP_OFFICE):
            roles.grant(role, *lectures)
        roles.grant(roles.VILLAGE_COMMITTEE, "content.change_lecture", "content.view_lecture")
        roles.grant(roles.ADVISER, "content.view_lecture")
        for role in (roles.CONTENT_EDITOR, roles.CONTENT_REVIEWER):
            roles.grant(
                role, "content.add_lecture", "content.change_lecture", "content.view_lecture", *categories
            )
