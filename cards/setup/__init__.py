"""The admin set-up's cards: one per step, each a pure function of its view."""
