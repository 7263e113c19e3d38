"""A cheap Argon2 for tests: the same algorithm as production (so hashes still start "argon2"), at the lowest cost.

Production's cost (about a tenth of a second a hash, on purpose) spent on every test user was minutes of CI."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class QuickArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 8
    parallelism = 1
