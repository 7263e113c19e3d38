"""Brokerage: referrals, panels, lead worker allocation, support packages, contacts, reviews, handover."""
