"""The disk side of a build: staging and the atomic swap, page fingerprints, build state, the GUID ledger."""
