"""Province-scale benchmark: the pipeline against the bare load and an analyst's pandas code."""
