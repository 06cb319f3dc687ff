"""The members REST API: programs, cohorts, organisations, members, types, rounds, ties."""
