/**
 * Checks that the template holds together: every expression evaluates (so every parameters()/variables()
 * names a declared one and every function is known), every resourceId()/reference()/dependsOn names a
 * resource of the template, each resource depends (directly or not) on what it names, nothing declared
 * is unused, and the parameters file fits the declared parameters. Each returns a list of problems.
 */
import { Runtime, type Value } from "./arm-expressions";
import { TemplateModel, type Json, type ParametersFile, type Template } from "./arm-model";

const withoutChildren = (raw: Json): Json => Object.fromEntries(Object.entries(raw).filter(([k]) => k !== "resources" && k !== "dependsOn"));

/** Builds the model; a failure to evaluate a name is reported, not thrown. */
export function buildModel(template: Template, supplied?: Record<string, unknown>): { model?: TemplateModel; problems: string[] } {
  try {
    return { model: new TemplateModel(template, supplied), problems: [] };
  } catch (err) {
    return { problems: [`the template does not evaluate: ${(err as Error).message}`] };
  }
}

export function referenceProblems(model: TemplateModel): string[] {
  const problems: string[] = [];
  const known = (id: string) => model.byId(id) !== undefined;
  const ids = new Set<string>();
  for (const r of model.resources) {
    if (ids.has(r.id.toLowerCase())) problems.push(`${r.at}: two resources have the id ${r.id}`);
    ids.add(r.id.toLowerCase());
  }

  const dependsOn = new Map<string, string[]>();
  for (const r of model.resources) {
    const listed: string[] = [];
    for (const entry of (r.raw.dependsOn as unknown[] | undefined) ?? []) {
      try {
        const id = String(model.evaluate(entry));
        if (!known(id)) problems.push(`${r.at}: dependsOn names ${id}, not a resource of the template`);
        else listed.push(model.byId(id)!.id);
      } catch (err) {
        problems.push(`${r.at}: dependsOn ${String(entry)}: ${(err as Error).message}`);
      }
    }
    dependsOn.set(r.id, listed);
  }
  const closure = (id: string, seen = new Set<string>()): Set<string> => {
    for (const dep of dependsOn.get(id) ?? [])
      if (!seen.has(dep)) {
        seen.add(dep);
        closure(dep, seen);
      }
    return seen;
  };

  for (const r of model.resources) {
    let used: Array<{ id: string; how: string }>;
    try {
      used = model.idsUsedBy(withoutChildren(r.raw));
    } catch (err) {
      problems.push(`${r.at} (${r.type}): ${(err as Error).message}`);
      continue;
    }
    const before = closure(r.id);
    // The closest enclosing resource: a child's parent, an extension resource's scope.
    const parent = model.resources.filter((p) => r.id.toLowerCase().startsWith(`${p.id.toLowerCase()}/`)).sort((a, b) => b.id.length - a.id.length)[0];
    const needed = new Set(used.map((u) => u.id));
    if (parent) needed.add(parent.id);
    for (const u of used) if (!known(u.id)) problems.push(`${r.at} (${r.type}): ${u.how}() names ${u.id}, not a resource of the template`);
    for (const id of needed) {
      const target = model.byId(id);
      if (target && target !== r && !before.has(target.id)) {
        problems.push(`${r.at} (${r.type}) uses ${target.type} ${target.name} but does not depend on it`);
      }
    }
  }

  for (const [name, output] of Object.entries(model.template.outputs ?? {})) {
    try {
      for (const u of model.idsUsedBy(output.value)) if (!known(u.id)) problems.push(`output ${name}: names ${u.id}, not a resource of the template`);
    } catch (err) {
      problems.push(`output ${name}: ${(err as Error).message}`);
    }
  }
  for (const name of Object.keys(model.template.parameters ?? {})) if (!model.usedParameters.has(name)) problems.push(`parameter ${name} is never used`);
  for (const name of Object.keys(model.template.variables ?? {})) if (!model.usedVariables.has(name)) problems.push(`variable ${name} is never used`);
  return problems;
}

const typeOf = (value: unknown): string => (Array.isArray(value) ? "array" : value === null ? "null" : Number.isInteger(value) ? "int" : typeof value);

/** The parameters file against the template's declarations. */
export function parametersFileProblems(template: Template, file: ParametersFile): string[] {
  const problems: string[] = [];
  const declared = template.parameters ?? {};
  for (const [name, entry] of Object.entries(file.parameters)) {
    const d = declared[name];
    if (!d) {
      problems.push(`parameters file: ${name} is not a parameter of the template`);
      continue;
    }
    const type = d.type.toLowerCase();
    if (type.startsWith("secure")) {
      problems.push(`parameters file: ${name} is secure and must not be kept in a file`);
      continue;
    }
    const value = entry.value;
    const expected = type === "string" ? "string" : type === "int" ? "int" : type === "bool" ? "boolean" : type;
    if (typeOf(value) !== expected) problems.push(`parameters file: ${name} is ${typeOf(value)}, declared ${d.type}`);
    const allowed = d.allowedValues as unknown[] | undefined;
    if (allowed && !allowed.includes(value)) problems.push(`parameters file: ${name}=${JSON.stringify(value)} is not one of ${JSON.stringify(allowed)}`);
    const length = typeof value === "string" ? value.length : undefined;
    if (length !== undefined && typeof d.minLength === "number" && length < d.minLength)
      problems.push(`parameters file: ${name} is shorter than ${d.minLength}`);
    if (length !== undefined && typeof d.maxLength === "number" && length > d.maxLength)
      problems.push(`parameters file: ${name} is longer than ${d.maxLength}`);
    if (typeof value === "number" && typeof d.minValue === "number" && value < d.minValue) problems.push(`parameters file: ${name} is below ${d.minValue}`);
    if (typeof value === "number" && typeof d.maxValue === "number" && value > d.maxValue) problems.push(`parameters file: ${name} is above ${d.maxValue}`);
  }
  for (const [name, d] of Object.entries(declared)) {
    if (!("defaultValue" in d) && !d.type.toLowerCase().startsWith("secure") && !(name in file.parameters)) {
      problems.push(`parameters file: ${name} has no default and no value`);
    }
  }
  return problems;
}

/** True when `value` is the deployment-time property `property` of reference(`id`). */
export const isReferenceTo = (value: Value | undefined, id: string, property: string): boolean =>
  value instanceof Runtime && value.path.toLowerCase() === `reference(${id})`.toLowerCase() + `.${property}`.toLowerCase();
