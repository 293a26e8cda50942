// Validates responses against spec/openapi.json with ajv (JSON Schema): each sample is one
// response the API suite received, as a JSON line {method, pattern, status, body, empty}:
// pattern is the route's (vpnd routes), body the parsed JSON (null when not JSON), empty true
// when no body came. The operation's response for the status (or its 4XX/5XX range) must
// exist, and a JSON body must validate against its schema.
//
//   node validate.js OPENAPI.json SAMPLES.jsonl
// Prints one JSON line per problem on stdout; exit status 1 when there is one, 2 on bad input.
"use strict";

const fs = require("fs");
const Ajv = require("ajv");

// the API suite's date-time (tests/api/sdk_models.py DATE_TIME_RE)
const DATE_TIME = /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:?\d\d)?$/;

function main() {
  const [docPath, samplesPath] = process.argv.slice(2);
  if (!docPath || !samplesPath) {
    console.error("usage: node validate.js OPENAPI.json SAMPLES.jsonl");
    process.exit(2);
  }
  const doc = JSON.parse(fs.readFileSync(docPath, "utf8"));
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat("date-time", DATE_TIME);
  ajv.addFormat("uuid", () => true); // the seed's own example masks its ids
  ajv.addFormat("int32", { type: "number", validate: () => true });
  ajv.addFormat("int64", { type: "number", validate: () => true });
  ajv.addSchema({ $id: "openapi.json", components: doc.components });

  const compiled = new Map();
  const validator = (ref) => {
    if (!compiled.has(ref)) compiled.set(ref, ajv.getSchema("openapi.json" + ref));
    return compiled.get(ref);
  };
  const resolve = (obj) => {
    while (obj && obj.$ref) {
      const parts = obj.$ref.replace(/^#\//, "").split("/");
      obj = parts.reduce((o, k) => o && o[k], doc);
    }
    return obj;
  };

  let problems = 0;
  const report = (s, why, errors) => {
    problems++;
    console.log(JSON.stringify({ method: s.method, pattern: s.pattern, status: s.status, why,
                                 errors }));
  };
  const lines = fs.readFileSync(samplesPath, "utf8").split("\n").filter((l) => l);
  for (const line of lines) {
    const s = JSON.parse(line);
    const op = (doc.paths[s.pattern] || {})[s.method.toLowerCase()];
    if (!op) {
      report(s, "no such operation in the document");
      continue;
    }
    const range = String(s.status)[0] + "XX";
    const resp = resolve(op.responses[String(s.status)] || op.responses[range] ||
                         op.responses.default);
    if (!resp) {
      report(s, "status not documented for the operation");
      continue;
    }
    const media = resp.content && resp.content["application/json"];
    if (!media) {
      // a body of another type (text/plain metrics, application/x-ndjson state) is not JSON
      if (!s.empty && !resp.content)
        report(s, "the document has no body for this answer, one was sent");
      continue;
    }
    if (s.empty) {
      report(s, "the document has a JSON body for this answer, none was sent");
      continue;
    }
    const ref = media.schema && media.schema.$ref;
    const validate = ref ? validator(ref) : ajv.compile(media.schema || {});
    if (!validate(s.body))
      report(s, "the body does not validate", validate.errors.slice(0, 5));
  }
  console.error("openapi validate: %d responses, %d problems", lines.length, problems);
  process.exit(problems ? 1 : 0);
}

main();
