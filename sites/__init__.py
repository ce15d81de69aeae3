"""Each Wagtail Site's jurisdiction: its settings (area, bureau, footer), theme and template loader.

The layer between the programme (advisers) and the public apps (search, directory, content): they
read the site serving a request through `JurisdictionSettings.for_request` and never each other.
"""
