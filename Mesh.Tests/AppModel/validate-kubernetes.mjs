// Validates every object of every Kubernetes manifest given against the Kubernetes OpenAPI schemas, as compiled
// into the kubernetes-models package. Prints one JSON object: the objects that validated, those that did not (with
// why), and every document parsed, for the tests to read. Exits 1 when any object is invalid.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const result = { valid: [], invalid: [], documents: [] };
for (const file of process.argv.slice(2)) {
  for (const document of parseAllDocuments(readFileSync(file, "utf8"))) {
    if (document.errors.length > 0) {
      result.invalid.push({ file, object: null, errors: document.errors.map(e => e.message) });
      continue;
    }
    const object = document.toJS();
    result.documents.push(object);
    const label = `${object?.kind}/${object?.metadata?.name}`;
    try {
      const [group, version] = String(object.apiVersion).includes("/") ? object.apiVersion.split("/") : ["", object.apiVersion];
      const module = await import(`kubernetes-models/${group ? group + "/" : ""}${version}/${object.kind}`);
      new module[object.kind](object).validate();
      result.valid.push(label);
    } catch (error) {
      result.invalid.push({ file, object: label, errors: [error.message] });
    }
  }
}
console.log(JSON.stringify(result));
process.exit(result.invalid.length > 0 ? 1 : 0);
