"""Commands of the licence-issuance service: serve, accounts, audit (registered on the main app)."""
