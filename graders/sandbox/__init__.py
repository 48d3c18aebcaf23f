"""The sandbox: a zygote process that forks one hardened child per run (DESIGN.md §4)."""
