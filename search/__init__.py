"""Public search: finding villages, advisers, articles and lectures."""
