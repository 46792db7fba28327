from __future__ import annotations

from licheck.cli import main

if __name__ == "__main__":
    main()
