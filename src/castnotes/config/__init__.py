"""Settings: castnotes.toml and people.toml -> Settings, Podcasting 2.0 values, Apple categories."""
