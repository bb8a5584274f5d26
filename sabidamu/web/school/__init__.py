"""School pages: card import, inbox, held packages, first-grade readiness, imported cards."""
