"""screener."""
