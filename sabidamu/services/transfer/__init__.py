"""Handing the individual development card to the primary school, one module per use case:

- keys: an organization's transfer keys (made with the organization, rotated on demand);
- keys_page: the head's page of the organization's transfer keys (public halves, downloads, rotation);
- card_json: card.json of a package, assembled from the card, screenings and consented parts;
- export: the kindergarten head's export of .sdcard packages (consent-checked, one per child);
- importing: the school's import of one .sdcard file (every check, the child, the sealed card);
- inbox: packages waiting for the school's decision (same-installation inbox, held for an unknown sender's key);
- batch: a school's upload of several files or the kindergarten's ZIP, one transaction per package;
- school_view: what the school sees of the cards it received (readiness, one card, placing a pupil).
"""
