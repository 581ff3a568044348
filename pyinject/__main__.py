"""python -m pyinject."""

from pyinject.cli.fast import main

if __name__ == "__main__":  # pragma: no cover
    main()
