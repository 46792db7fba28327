"""The file to give spark-submit (it runs .py files, not console scripts); the arguments are licheck's own.

    spark-submit --master spark://HOST:7077 "$(python -m licheck.engines.submit --path)" \
        index build MANIFEST --engine spark --index OUT.sqlite --work hdfs://…/licheck-work

Under spark-submit the build takes spark-submit's master and configuration (``--master`` is not needed).
"""

from __future__ import annotations

import sys


def run() -> None:
    if sys.argv[1:] == ["--path"]:  # for the shell: where this file is, to hand to spark-submit
        print(__file__)
        return
    from licheck.cli import main

    main()


if __name__ == "__main__":
    run()
