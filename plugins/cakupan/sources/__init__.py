"""Reading the three landing sources: specs, header matching, readers, cleaning, normalising."""
