"""Management commands of the synthetic population generator."""
