"""China's administrative divisions, province to village, keyed by official division codes."""
