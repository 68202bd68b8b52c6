"""One ComponentDialog per flow."""
