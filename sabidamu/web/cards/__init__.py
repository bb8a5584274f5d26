"""The individual development card: the card page, its PDF (one child or a whole group), the group report."""
