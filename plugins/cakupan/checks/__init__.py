"""Row checks of CONTRACT §3: rejection reasons and flags, vectorised over whole files."""
