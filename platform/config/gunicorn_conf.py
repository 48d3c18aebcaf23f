"""gunicorn's size for every way the site is started: the Dockerfile, `make run` and
benchmarks/load.py all pass this file with `-c` (their own flags, such as the address, stay on
their command lines).

3 processes of 4 threads on 2 cores: with the web first in line for the CPU (WORKER_NICE), a
third process lets it use both cores while another waits for the GIL, SQLite's write lock or
Redis; a rush of 2,000 POSTs was accepted in ~10 s instead of 11-12 s with 2
(docs/benchmarks.md, "Where the time goes"). WEB_WORKERS and WEB_THREADS change it for a bigger
machine.
"""

import os

workers = int(os.environ.get("WEB_WORKERS", "3"))
threads = int(os.environ.get("WEB_THREADS", "4"))
