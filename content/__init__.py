"""What Wagtail publishes: the home page and the site-wide settings of each jurisdiction."""
