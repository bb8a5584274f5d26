"""Consents: the parent gives, changes and revokes them; staff record paper consents."""
