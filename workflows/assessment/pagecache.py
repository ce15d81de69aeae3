"""Tags of the published results page and what publishing bumps (`pagecache`).

The page shows the campaign's results and the advisers' names and firms: it carries
``assessment:<county>:<year>``, the tag every adviser change bumps (``advisers``) and renamed
divisions. Publishing bumps the campaign's tag and each assessed adviser's page (which shows the
last published grade).
"""

from __future__ import annotations

from django.http import HttpRequest

import pagecache
from advisers.pagecache import ADVISERS, adviser_tag
from places.pagecache import RENAMED


def campaign_tag(county: str, year) -> str:
    return f"assessment:{county}:{year}"


def public_tags(request: HttpRequest, code: str = "", year: str = "", **kwargs) -> list[str]:
    return [campaign_tag(code, year), ADVISERS, RENAMED]


def published_tags(campaign) -> list[str]:
    advisers = set(campaign.assessments.values_list("adviser_id", flat=True))
    return [campaign_tag(campaign.county_id, campaign.year), *(adviser_tag(a) for a in advisers if a)]


def connect() -> None:
    pagecache.register("assessment_public", public_tags)
