"""Mutation testing of an exercise's cases, and hints named after mutants.

A mutant is the exercise's reference with one plausible mistake made in its syntax tree
(`names`, `operators`, `generate`): an axis, a sign, a scale factor, a slice bound... `run`
computes the mutants' outputs on an instance's cases in the sandbox, batched; `kill` says which
mutants the cases kill (for `python -m graders validate --mutants`); `hints` names a student's
mistake when their output equals a mutant's where that mutant is wrong, and `cache` keeps what a
grader process computed (docs/architecture.md#mutants).
"""
