"""The Teams edge: activity handler, routing, state, turn errors."""
