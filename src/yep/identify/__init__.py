"""Early identification: indicator imports, risk models, runs, practitioner review, back-testing."""
