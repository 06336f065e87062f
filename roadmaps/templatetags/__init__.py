"""Template tags of the roadmaps app (the admin's: `admin_extras`)."""
