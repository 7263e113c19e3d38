"""Who may see and do what: the access policy, API tokens and the audit log of personal data."""
