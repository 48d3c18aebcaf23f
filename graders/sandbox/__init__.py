"""The sandbox: a zygote that forks a hardened child per run (docs/architecture.md#the-sandbox)."""
