#!/usr/bin/env python3
"""validate_export.py SCHEMAS FORMAT FILE - check an `osafe export` output
against the official schemas in SCHEMAS (shared/vectors/schemas):

  osv   every JSON line against osv/schema.json (ossf/osv-schema)
  stix  the bundle's shape, then every object against the OASIS STIX 2.1
        schema of its type (sdos/, sros/, common/ for marking-definition and
        extension-definition), $refs resolved from the local files only

Exit 0 when everything validates, 1 with one line per problem (the record's
id and the schema path, never record text: some test data is harmful), 2 on
a usage error, 77 when SCHEMAS is absent (the caller reports SKIP).
"""
import json
import os
import sys

try:
    import jsonschema
except ImportError as exc:  # a missing validator must fail, not pass
    print("validate_export: python3-jsonschema is missing (scripts/bootstrap"
          " installs it): %s" % exc, file=sys.stderr)
    sys.exit(1)
try:  # jsonschema >= 4.18 resolves $refs through referencing
    from referencing import Registry, Resource
except ImportError:  # Debian 12's 4.10: a RefResolver with a local store
    Registry = None


def load_dir(root):
    """Every schema under root, by its $id (the STIX files refer to each
    other by upstream URLs that must never be fetched)."""
    store, by_path = {}, {}
    for dirpath, _, files in os.walk(root):
        for name in files:
            if not name.endswith(".json"):
                continue
            path = os.path.join(dirpath, name)
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
            by_path[os.path.relpath(path, root)] = doc
            if "$id" in doc:
                store[doc["$id"]] = doc
    return store, by_path


def make_validator(doc, store):
    cls = jsonschema.validators.validator_for(doc)
    if Registry is not None:
        reg = Registry().with_resources(
            (k, Resource.from_contents(v)) for k, v in store.items())
        return cls(doc, registry=reg, format_checker=cls.FORMAT_CHECKER)
    resolver = jsonschema.RefResolver.from_schema(doc, store=store)
    return cls(doc, resolver=resolver, format_checker=cls.FORMAT_CHECKER)


def problems(validator, obj, what):
    out = []
    for err in sorted(validator.iter_errors(obj), key=lambda e: list(e.path)):
        where = "/".join(str(p) for p in err.absolute_path) or "(top)"
        rule = "/".join(str(p) for p in err.absolute_schema_path)
        out.append("%s: at %s: fails %s (%s)" % (what, where, rule,
                                                 err.validator))
    return out


def check_osv(schemas, path):
    with open(os.path.join(schemas, "osv", "schema.json"),
              encoding="utf-8") as f:
        schema = json.load(f)
    v = make_validator(schema, {})
    out, n = [], 0
    with open(path, encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            if not line.strip():
                continue
            n += 1
            try:
                rec = json.loads(line)
            except ValueError as exc:
                out.append("line %d: not JSON: %s" % (line_no, exc))
                continue
            out += problems(v, rec, "osv %s" % rec.get("id", line_no))
    return out, n


STIX_DIRS = ("sdos", "sros", "common", "observables")


def check_stix(schemas, path):
    root = os.path.join(schemas, "stix2.1")
    store, by_path = load_dir(root)
    with open(path, encoding="utf-8") as f:
        bundle = json.load(f)
    out, validators = [], {}
    if bundle.get("type") != "bundle" or not str(
            bundle.get("id", "")).startswith("bundle--"):
        out.append("stix: not a bundle with a bundle-- id")
    objs = bundle.get("objects")
    if not isinstance(objs, list) or not objs:
        return out + ["stix: bundle.objects missing or empty"], 0
    for obj in objs:
        t = obj.get("type", "?")
        doc = None
        for d in STIX_DIRS:
            doc = by_path.get(os.path.join(d, t + ".json"))
            if doc:
                break
        if doc is None:
            out.append("stix %s: no schema for type %s" % (obj.get("id"), t))
            continue
        if t not in validators:
            validators[t] = make_validator(doc, store)
        out += problems(validators[t], obj, "stix %s" % obj.get("id"))
    return out, len(objs)


def main(argv):
    if len(argv) != 4 or argv[2] not in ("osv", "stix"):
        print("usage: validate_export.py SCHEMAS osv|stix FILE",
              file=sys.stderr)
        return 2
    schemas, fmt, path = argv[1:]
    if not os.path.isdir(schemas):
        print("validate_export: %s is absent: skipped" % schemas,
              file=sys.stderr)
        return 77
    out, n = (check_osv if fmt == "osv" else check_stix)(schemas, path)
    for line in out:
        print(line, file=sys.stderr)
    if not out:
        print("validate_export: %d %s objects valid" % (n, fmt))
    return 1 if out else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
