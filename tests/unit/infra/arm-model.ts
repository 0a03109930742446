/**
 * The deployment template as the tests see it: parameters resolved (defaults, then the parameters file,
 * then test values for secure ones), variables evaluated on demand, every resource (nested children
 * included) with its full type, evaluated name and resource id.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { evaluate, providerPath, RESOURCE_GROUP, type Scope, type Value } from "./arm-expressions";

export const ROOT = resolve(__dirname, "../../../..");
export const INFRA = join(ROOT, "infra");

export type Json = Record<string, unknown>;

export interface Template extends Json {
  parameters: Record<string, Json & { type: string; defaultValue?: unknown }>;
  variables: Record<string, unknown>;
  resources: Json[];
  outputs?: Record<string, Json>;
}

export interface ParametersFile extends Json {
  parameters: Record<string, { value?: unknown }>;
}

export const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, "utf8")) as T;
export const loadTemplate = (): Template => readJson<Template>(join(INFRA, "azuredeploy.json"));
export const loadParametersFile = (): ParametersFile => readJson<ParametersFile>(join(INFRA, "azuredeploy.parameters.json"));

export interface ModelResource {
  /** Where it is in the template, for messages: "resources[3]" or "resources[3].resources[0]". */
  readonly at: string;
  readonly raw: Json;
  readonly type: string;
  readonly apiVersion: string;
  readonly name: string;
  readonly id: string;
}

/** Test values for secure parameters (never in the parameters file). */
export const SECURE_TEST_VALUE = "test-secret-value-0123456789";

export class TemplateModel {
  readonly resources: ModelResource[] = [];
  readonly usedParameters = new Set<string>();
  readonly usedVariables = new Set<string>();
  private readonly parameterValues = new Map<string, Value>();
  private readonly variableValues = new Map<string, Value>();
  private readonly evaluating = new Set<string>();
  private trace: Array<{ id: string; how: "resourceId" | "reference" }> = [];

  constructor(
    readonly template: Template,
    supplied: Record<string, unknown> = {},
  ) {
    for (const [name, declared] of Object.entries(template.parameters ?? {})) {
      if (name in supplied) this.parameterValues.set(name, supplied[name] as Value);
      else if ("defaultValue" in declared) this.parameterValues.set(name, this.evaluate(declared.defaultValue));
      else if (declared.type.toLowerCase() === "securestring") this.parameterValues.set(name, SECURE_TEST_VALUE);
    }
    for (const name of Object.keys(supplied)) if (!(name in (template.parameters ?? {}))) throw new Error(`value given for undeclared parameter ${name}`);
    this.usedParameters.clear();
    (template.resources ?? []).forEach((raw, i) => this.addResource(raw, `resources[${i}]`));
  }

  private readonly scope: Scope = {
    parameter: (name) => {
      if (!this.parameterValues.has(name)) throw new Error(`parameters('${name}') names no declared parameter with a value`);
      this.usedParameters.add(name);
      return this.parameterValues.get(name)!;
    },
    variable: (name) => {
      this.usedVariables.add(name);
      if (this.variableValues.has(name)) return this.variableValues.get(name)!;
      if (!(name in (this.template.variables ?? {}))) throw new Error(`variables('${name}') names no declared variable`);
      if (this.evaluating.has(name)) throw new Error(`variable ${name} refers to itself`);
      this.evaluating.add(name);
      const value = evaluate(this.template.variables[name], this.scope);
      this.evaluating.delete(name);
      this.variableValues.set(name, value);
      return value;
    },
    resourceUsed: (id, how) => {
      this.trace.push({ id, how });
    },
  };

  /** Evaluates any template value. */
  evaluate(value: unknown): Value {
    return evaluate(value, this.scope);
  }

  /** Evaluates `value` and returns the resource ids it named (through resourceId(), extensionResourceId(), reference()). */
  idsUsedBy(value: unknown): Array<{ id: string; how: "resourceId" | "reference" }> {
    const saved = this.trace;
    this.trace = [];
    try {
      this.evaluate(value);
      return this.trace;
    } finally {
      this.trace = saved;
    }
  }

  byType(type: string): ModelResource[] {
    return this.resources.filter((r) => r.type.toLowerCase() === type.toLowerCase());
  }

  byId(id: string): ModelResource | undefined {
    return this.resources.find((r) => r.id.toLowerCase() === id.toLowerCase());
  }

  private addResource(raw: Json, at: string, parent?: ModelResource): void {
    const shortType = String(raw.type);
    const type = parent && !shortType.includes("/") ? `${parent.type}/${shortType}` : shortType;
    const ownName = String(this.evaluate(raw.name));
    const name = parent ? `${parent.name}/${ownName}` : ownName;
    let id = RESOURCE_GROUP.id + providerPath(type, [name]);
    if (raw.scope !== undefined) {
      // An extension resource (a role assignment): its id hangs under the resource named by `scope`.
      const scope = String(this.evaluate(raw.scope));
      const scopeId = scope.startsWith("/") ? scope : `${RESOURCE_GROUP.id}/providers/${scope}`;
      id = scopeId + providerPath(type, [name]);
    }
    const resource: ModelResource = { at, raw, type, apiVersion: String(raw.apiVersion), name, id };
    this.resources.push(resource);
    ((raw.resources as Json[] | undefined) ?? []).forEach((child, i) => this.addResource(child, `${at}.resources[${i}]`, resource));
  }
}

/** The model of the template as deployed with its parameters file. */
export function modelWithParametersFile(template: Template = loadTemplate()): TemplateModel {
  const file = loadParametersFile();
  return new TemplateModel(template, Object.fromEntries(Object.entries(file.parameters).map(([k, v]) => [k, v.value])));
}
