"""Tracking: activity timeline, five tiers (Wales) and NCCIS groups (England), notifications, unknowns."""
