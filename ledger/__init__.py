"""The work ledger (工作台账) and the compliance figures counted from it."""
