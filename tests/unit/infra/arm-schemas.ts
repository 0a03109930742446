/**
 * Microsoft's published ARM schemas (infra/schemas, draft-04 with `id`) loaded into Ajv's draft-04 class:
 * the template's shape, the parameters file, and each resource against its provider's
 * `resourceDefinitions` entry for the resource's type at its apiVersion.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv-draft-04";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { INFRA, readJson, type Json } from "./arm-model";

const SCHEMAS = join(INFRA, "schemas");
const TEMPLATE_SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";
const PARAMETERS_SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#";

function jsonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return jsonFiles(path);
    return name.endsWith(".json") ? [path] : [];
  });
}

const describeErrors = (errors: ErrorObject[] | null | undefined): string[] =>
  (errors ?? []).map(
    (e) => `${e.instancePath || "/"} ${e.message ?? ""}${e.params && "allowedValues" in e.params ? ` ${JSON.stringify(e.params.allowedValues)}` : ""}`,
  );

export interface SchemaSet {
  /** Problems of the template's top-level shape (resources: only their common base; see `resource`). */
  template(template: unknown): string[];
  parameters(file: unknown): string[];
  /** Problems of one top-level resource against its provider schema; nested children are part of it. */
  resource(resource: Json): string[];
  /** The provider file (relative to infra/schemas) that defines `type` at `apiVersion`. */
  providerFile(type: string, apiVersion: string): string | undefined;
  /** The schema files read, relative to infra/schemas. */
  readonly files: readonly string[];
}

export function loadSchemas(): SchemaSet {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const files = jsonFiles(SCHEMAS);
  /** apiVersion → [schema id, resourceDefinitions] of each provider file in that folder. */
  const providers = new Map<string, Array<{ id: string; file: string; definitions: Record<string, Json> }>>();
  for (const path of files) {
    const schema = readJson<Json & { id: string; resourceDefinitions?: Record<string, Json> }>(path);
    if (schema.id === TEMPLATE_SCHEMA) {
      // The template schema's `resource` lists every resource type of Azure through files not copied
      // here; the resources are validated one by one against their own provider files instead.
      const definitions = schema.definitions as Record<string, unknown>;
      ajv.addSchema({ ...schema, definitions: { ...definitions, resource: { $ref: "#/definitions/resourceBase" } } });
      continue;
    }
    ajv.addSchema(schema);
    if (schema.resourceDefinitions) {
      const file = relative(SCHEMAS, path).split("\\").join("/");
      const version = file.split("/")[0]!;
      providers.set(version, [...(providers.get(version) ?? []), { id: schema.id, file, definitions: schema.resourceDefinitions }]);
    }
  }
  const providerOf = (type: string, version: string) => {
    for (const provider of providers.get(version) ?? []) {
      for (const [key, definition] of Object.entries(provider.definitions)) {
        const types = ((definition.properties as Json | undefined)?.type as { enum?: string[] } | undefined)?.enum ?? [];
        if (types.some((t) => t.toLowerCase() === type.toLowerCase())) return { ...provider, key };
      }
    }
    return undefined;
  };
  const compiled = new Map<string, ValidateFunction>();
  const validator = (ref: string): ValidateFunction => {
    let fn = compiled.get(ref);
    if (!fn) {
      fn = ajv.compile({ $ref: ref });
      compiled.set(ref, fn);
    }
    return fn;
  };
  const check = (ref: string, value: unknown): string[] => {
    const fn = validator(ref);
    return fn(value) ? [] : describeErrors(fn.errors);
  };

  return {
    files: files.map((f) => relative(SCHEMAS, f).split("\\").join("/")),
    template: (template) => check(TEMPLATE_SCHEMA, template),
    parameters: (file) => check(PARAMETERS_SCHEMA, file),
    providerFile: (type, version) => providerOf(type, version)?.file,
    resource: (resource) => {
      const found = providerOf(String(resource.type), String(resource.apiVersion));
      if (!found) return [`no schema for ${String(resource.type)} at apiVersion ${String(resource.apiVersion)} in infra/schemas`];
      const ref = `${found.id}/resourceDefinitions/${found.key}`;
      const properties = resource.properties as Json | undefined;
      if (found.key === "botServices_channels" && typeof properties?.channelName === "string") {
        // Defect of the generated schema: `Channel` is the allOf of a closed base (additionalProperties
        // false: channelName, etag, location) and the variant of each channel, so no channel with its own
        // `properties` (the Teams channel's isEnabled) can pass. Check the base without them, and the
        // properties against the variant their channelName selects.
        return [
          ...check(ref, { ...resource, properties: { channelName: properties.channelName } }),
          ...check(`${found.id}/definitions/${properties.channelName}`, properties).map((p) => `/properties${p}`),
        ];
      }
      return check(ref, resource);
    },
  };
}
