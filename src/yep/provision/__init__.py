"""Provision: directory of services mapped against the tiers, employability programmes."""
