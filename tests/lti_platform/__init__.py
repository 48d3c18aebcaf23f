"""A test LTI 1.3 platform (server.py): an LMS as a tool sees it, over real HTTP."""
