"""The young person's own pages."""
