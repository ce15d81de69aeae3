"""The public adviser directory: places, their advisers, notice boards, the JSON API, health."""
