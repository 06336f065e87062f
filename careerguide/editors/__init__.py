"""Tools for editors in the admin: the "Needs attention" panel."""
