"""Math exercises: typed answers, decided in the "sympy" sandbox.

Trusted side (the worker, the web process, the command line):

- graders.math.templates: placeholders and typed answers (pure, shared with the sandbox side);
- graders.math.params: instances as data, `parametrised`, statements once the numbers are known;
- graders.math.grade: `MathGrader`, which sends the sandbox jobs and caches instances;
- graders.math.cli: `python -m graders compare`.

Sandbox side (preloaded by the "sympy" zygote, run in its children):

- graders.math.parse: our own parser of typed answers onto SymPy objects;
- graders.math.check: deciding an answer (the `check` job);
- graders.math.zero: whether a constant is zero, exactly or at rising precision;
- graders.math.budget: a time budget for one SymPy call;
- graders.math.draw: drawing an instance with the reference (the `instance` job).

Nothing on the trusted side imports the sandbox side (SymPy stays out of the web process).
"""
