"""Template function tables: Go builtins, sprig, Istio (calling convention to follow)."""
