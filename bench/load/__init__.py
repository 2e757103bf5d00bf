"""`make load`: the production configuration under simulated people (bench/load/run.sh).

Modules: `accounts` (people to sign in as, with authenticators), `locustfile` (what they do), `totp` (the codes
their authenticator app shows), `sampler` (CPU and database connections while they work), `summary` (one row
per step, the Markdown table, the JSON and the SVG chart). Only `accounts` needs Django.
"""
