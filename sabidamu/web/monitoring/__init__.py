"""Kindergarten monitoring, the writing side: the group grid, measures and final levels, stage windows,
home observations. Thin routes over sabidamu.services.monitoring."""
