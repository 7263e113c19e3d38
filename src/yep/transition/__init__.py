"""Transition: local area prospectus, common applications, intended destinations, the guarantees."""
