"""Building the core models and the mart snapshot for one date."""
