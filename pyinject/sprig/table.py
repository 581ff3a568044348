"""The sprig v3 function table (``TxtFuncMap``) that Istio's injection templates are written against.

Behaviour follows sprig v3.2.3 with its pinned libraries (spf13/cast 1.5,
mergo 0.3.12, Masterminds/semver 3.2, huandu/xstrings 1.3, goutils 1.1,
shopspring/decimal 1.2), which the conformance corpus was produced with, plus
``sha512sum`` from sprig v3.3.0 that Istio 1.30 ships. Each family lives in
its own module; this one only assembles the table.

The table names every function without importing any family: a template is
parsed against the names alone (Go rejects an unknown function at parse
time), and a family's module is imported when one of its functions is first
looked up.  A template set calls a handful of the two hundred functions, so
the clock, crypto, regex, semver and math families stay unloaded unless
called.
"""

from typing import Any, Callable, Mapping

from pyinject.gotemplate.functions import Deferred, LazyTable

#: Each family: its module, the name of its table there, and that table's names
#: in its order (a test checks them against the modules).  Families are listed
#: in the order the table is assembled; no name is in two families.
FAMILIES: tuple[tuple[str, str, tuple[str, ...]], ...] = tuple(
    (module, attribute, tuple(names.split()))
    for module, attribute, names in (
        ("pyinject.sprig.dates", "DATE_FUNCS", """
            ago date date_in_zone date_modify dateInZone dateModify duration durationRound htmlDate
            htmlDateInZone must_date_modify mustDateModify mustToDate now toDate unixEpoch
        """),
        ("pyinject.sprig.strings", "STRING_FUNCS", """
            hello abbrev abbrevboth trunc trim substr repeat trimall trimAll trimSuffix trimPrefix nospace
            initials randAlphaNum randAlpha randAscii randNumeric shuffle wrap wrapWith contains hasPrefix
            hasSuffix quote squote cat indent nindent replace plural toString split splitList splitn toStrings
            join sortAlpha
        """),
        ("pyinject.sprig.case", "CASE_FUNCS", """
            upper lower title untitle swapcase snakecase camelcase kebabcase
        """),
        ("pyinject.sprig.encoding", "ENCODING_FUNCS", """
            b64enc b64dec b32enc b32dec sha1sum sha256sum sha512sum adler32sum
        """),
        ("pyinject.sprig.math", "MATH_FUNCS", """
            atoi int64 int float64 seq toDecimal until untilStep add1 add sub div mod mul randInt add1f addf
            subf divf mulf biggest max min maxf minf ceil floor round
        """),
        ("pyinject.sprig.defaults", "DEFAULT_FUNCS", """
            default empty coalesce all any ternary fail typeOf typeIs typeIsLike kindOf kindIs deepEqual
        """),
        ("pyinject.sprig.json", "JSON_FUNCS", """
            fromJson toJson toPrettyJson toRawJson mustFromJson mustToJson mustToPrettyJson mustToRawJson
        """),
        ("pyinject.sprig.dicts", "DICT_FUNCS", """
            dict get set unset hasKey pluck keys pick omit merge mergeOverwrite mustMerge mustMergeOverwrite
            values deepCopy mustDeepCopy dig
        """),
        ("pyinject.sprig.lists", "LIST_FUNCS", """
            tuple list append push mustAppend mustPush prepend mustPrepend first mustFirst rest mustRest last
            mustLast initial mustInitial reverse mustReverse uniq mustUniq without mustWithout has mustHas slice
            mustSlice concat chunk mustChunk compact mustCompact
        """),
        ("pyinject.sprig.paths", "PATH_FUNCS", """
            base dir clean ext isAbs osBase osClean osDir osExt osIsAbs urlParse urlJoin
        """),
        ("pyinject.sprig.regex", "REGEX_FUNCS", """
            regexMatch mustRegexMatch regexFindAll mustRegexFindAll regexFind mustRegexFind regexReplaceAll
            mustRegexReplaceAll regexReplaceAllLiteral mustRegexReplaceAllLiteral regexSplit mustRegexSplit
            regexQuoteMeta
        """),
        ("pyinject.sprig.semver", "SEMVER_FUNCS", """
            semver semverCompare
        """),
        ("pyinject.sprig.crypto", "CRYPTO_FUNCS", """
            uuidv4 randBytes bcrypt htpasswd genPrivateKey derivePassword buildCustomCert genCA genCAWithKey
            genSelfSignedCert genSelfSignedCertWithKey genSignedCert genSignedCertWithKey encryptAES decryptAES
        """),
        ("pyinject.sprig.host", "HOST_FUNCS", """
            env expandenv getHostByName
        """),
    )
)

#: Every sprig function by its template name. env and expandenv read the
#: process environment through sprig_host.lookup_env, the one place to
#: restrict them.
SPRIG_FUNCS: Mapping[str, Callable[..., Any]] = LazyTable({
    name: family
    for family, names in ((Deferred(module, attribute), names) for module, attribute, names in FAMILIES)
    for name in names
})
