"""The user's own account: security (two-step sign-in), and a parent's data rights for their children."""
