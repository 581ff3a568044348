"""What the functions of Istio's injection table do besides returning a value, by name.

The Go engine folds pipelines of pure functions over run-constant data
(:mod:`pyinject.gotemplate.fold`) and must know which functions change a map
handed to them; abstract renders (:mod:`pyinject.render.go_holes`) refuse the
latter on stand-in values.  Each name here was checked against the function
the table binds to it (Istio's where it overrides sprig's).
"""

#: Functions of the injection table that may change a map handed to them.
MUTATING_NAMES = frozenset({"set", "unset", "merge", "mergeOverwrite", "mustMerge", "mustMergeOverwrite"})

#: Functions of the injection table (Istio's where names clash) whose result depends only on
#: their arguments, which they never change: pipelines of these over run-constant data are
#: evaluated once per run (pyinject.gotemplate.fold).  Go's builtins the engine knows itself.
PURE_NAMES = frozenset({
    # Istio's
    "valueOrDefault", "toYaml", "indent", "directory", "contains", "toLower", "omitNil", "isset",
    "excludeInboundPort", "toJSON", "structToJSON", "protoToJSON", "formatDuration",
    # sprig's strings and defaults
    "default", "empty", "coalesce", "ternary", "quote", "squote", "trunc", "trim", "trimAll",
    "trimSuffix", "trimPrefix", "upper", "lower", "title", "replace", "hasPrefix", "hasSuffix",
    "toString", "nindent", "cat", "join", "splitList", "b64enc", "b64dec",
    "toJson", "toPrettyJson", "toRawJson",
    # sprig's numbers, lists and maps (reading only)
    "int", "int64", "float64", "atoi", "add", "add1", "sub", "mul", "max", "min",
    "first", "last", "has", "hasKey", "get", "dig", "kindIs", "kindOf", "typeOf", "typeIs",
    "semverCompare", "regexMatch",
})
