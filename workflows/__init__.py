"""Back-office decisions as django-viewflow processes (renewal, fee filing, annual assessment)."""
