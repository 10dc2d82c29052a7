"""Reports: pure functions from recorded facts to rows (no printing)."""
