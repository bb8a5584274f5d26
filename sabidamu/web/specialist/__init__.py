"""Referrals to specialists, the specialist's list of referred children and their conclusions."""
