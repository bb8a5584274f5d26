"""District and region analytics, pure parts: small-number protection (suppression.py) and the codes of regions and
districts (areas.py). No Flask, no database (import contract "pure packages")."""
