"""The data hub: external datasets, record linkage with Splink, clerical review, research extracts."""
