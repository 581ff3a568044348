"""Go text/template engine (work in progress: value model and fmt first)."""
