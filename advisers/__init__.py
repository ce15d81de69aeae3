"""Advisers, their firms and contracts, liaison officers and service rooms, with the policy's rules."""
