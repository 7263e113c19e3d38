"""The register: young people, organisations, staff, roles, enrolments, characteristics and reference data."""
