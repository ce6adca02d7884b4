#!/usr/bin/env python3
"""Writes verify-v2-operations.json, the small extract of Twilio's Verify v2 OpenAPI description
that TwilioSpecComparisonTest compares with Lapse. Run once per spec update:

  git -C twilio-oai show COMMIT:spec/json/twilio_verify_v2.json > twilio_verify_v2.json
  python3 extract-verify-v2.py twilio_verify_v2.json COMMIT BLOB > verify-v2-operations.json

Only names are kept (operations, parameters, response fields): no descriptions, no examples.
"""
import json
import sys


def fields(spec, ref):
    name = ref.rsplit("/", 1)[-1]
    return name, list(spec["components"]["schemas"][name]["properties"].keys())


def response(spec, op):
    for code in sorted(op.get("responses", {})):
        if not code.startswith("2"):
            continue
        content = op["responses"][code].get("content", {})
        schema = content.get("application/json", {}).get("schema")
        if schema is None:
            return {"status": int(code)}
        if "$ref" in schema:
            name, names = fields(spec, schema["$ref"])
            return {"status": int(code), "schema": name, "fields": names}
        # A list: the record key, an array of a resource schema, and meta.
        props = schema.get("properties", {})
        for key, p in props.items():
            if p.get("type") == "array" and "$ref" in p.get("items", {}):
                name, names = fields(spec, p["items"]["$ref"])
                return {"status": int(code), "list_key": key, "schema": name, "fields": names,
                        "meta": list(props["meta"]["properties"].keys())}
        return {"status": int(code)}
    return {}


def main():
    spec = json.load(open(sys.argv[1]))
    ops = []
    for path, item in spec["paths"].items():
        for method in ("get", "post", "delete"):
            op = item.get(method)
            if op is None:
                continue
            params = [
                {"name": p["name"], "in": p["in"], "required": bool(p.get("required"))}
                for p in op.get("parameters", [])
            ]
            body = op.get("requestBody", {}).get("content", {})
            form = body.get("application/x-www-form-urlencoded") or body.get("application/json")
            if form:
                schema = form["schema"]
                required = set(schema.get("required", []))
                for name in schema.get("properties", {}):
                    params.append({"name": name, "in": "form", "required": name in required})
            ops.append({
                "operationId": op["operationId"],
                "method": method.upper(),
                "path": path,
                "parameters": params,
                "response": response(spec, op),
            })
    out = {
        "source": {
            "repository": "twilio/twilio-oai",
            "path": "spec/json/twilio_verify_v2.json",
            "commit": sys.argv[2],
            "blob": sys.argv[3],
            "info_version": spec["info"]["version"],
        },
        "operations": ops,
    }
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


main()
