/**
 * ARM template expressions ("[function(args)]"), parsed and evaluated offline, so the tests can follow
 * names, ids and references through the template. Only the functions the template uses are known: an
 * unknown one is an error, not a guess. What only Azure knows at deployment (reference(...) results)
 * stays symbolic; uniqueString() and guid() return deterministic stand-ins, not Azure's hashes.
 * Syntax: https://learn.microsoft.com/azure/azure-resource-manager/templates/template-expressions
 */
import { createHash } from "node:crypto";

/** A deployment-time value (a property of reference(...)), kept as the path that leads to it. */
export class Runtime {
  constructor(readonly path: string) {}
  toString(): string {
    return `<${this.path}>`;
  }
}

export type Value = string | number | boolean | null | Runtime | Value[] | { [key: string]: Value };

type Node =
  | { readonly kind: "literal"; readonly value: string | number }
  | { readonly kind: "call"; readonly name: string; readonly args: readonly Node[] }
  | { readonly kind: "member"; readonly target: Node; readonly property: string }
  | { readonly kind: "index"; readonly target: Node; readonly index: Node };

export const SUBSCRIPTION_ID = "00000000-1111-2222-3333-444444444444";
export const TENANT_ID = "99999999-8888-7777-6666-555555555555";
export const RESOURCE_GROUP = { id: `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/bridge-rg`, name: "bridge-rg", location: "westeurope" };

/** What an evaluation looks up, and what it reports (parameters, variables and resource ids it used). */
export interface Scope {
  parameter(name: string): Value;
  variable(name: string): Value;
  /** Called with every id resourceId(), extensionResourceId() and reference() produce or take. */
  resourceUsed(id: string, how: "resourceId" | "reference"): void;
}

/** "[...]" is an expression; "[[...]" is a literal string starting with "[". */
export const isExpression = (text: string): boolean => text.startsWith("[") && !text.startsWith("[[") && text.endsWith("]");

export function parse(source: string): Node {
  const tokens = source.match(/'(?:[^']|'')*'|-?\d+|[A-Za-z_][A-Za-z0-9_]*|[().,[\]]|\S/g) ?? [];
  let at = 0;
  const next = () => tokens[at++];
  const expect = (token: string) => {
    if (tokens[at] !== token) throw new Error(`expected "${token}" at token ${at} of ${source}`);
    at += 1;
  };
  const expression = (): Node => {
    let node = primary();
    for (;;) {
      if (tokens[at] === ".") {
        at += 1;
        node = { kind: "member", target: node, property: identifier() };
      } else if (tokens[at] === "[") {
        at += 1;
        const index = expression();
        expect("]");
        node = { kind: "index", target: node, index };
      } else return node;
    }
  };
  const identifier = (): string => {
    const token = next();
    if (!token || !/^[A-Za-z_]/.test(token)) throw new Error(`expected a name in ${source}`);
    return token;
  };
  const primary = (): Node => {
    const token = tokens[at];
    if (token?.startsWith("'")) {
      at += 1;
      return { kind: "literal", value: token.slice(1, -1).replace(/''/g, "'") };
    }
    if (token && /^-?\d+$/.test(token)) {
      at += 1;
      return { kind: "literal", value: Number(token) };
    }
    const name = identifier();
    expect("(");
    const args: Node[] = [];
    while (tokens[at] !== ")") {
      args.push(expression());
      if (tokens[at] === ",") at += 1;
      else if (tokens[at] !== ")") throw new Error(`expected "," or ")" after an argument of ${name}() in ${source}`);
    }
    at += 1;
    return { kind: "call", name, args };
  };
  const node = expression();
  if (at !== tokens.length) throw new Error(`unexpected "${tokens[at]}" in ${source}`);
  return node;
}

const stringOf = (value: Value, what: string): string => {
  if (typeof value === "string") return value;
  if (value instanceof Runtime) return value.toString();
  if (typeof value === "number") return String(value);
  throw new Error(`${what} must be a string, got ${JSON.stringify(value)}`);
};

const hashOf = (args: readonly Value[]) =>
  createHash("sha256")
    .update(args.map((a) => stringOf(a, "argument")).join("|"))
    .digest("hex");

/** "/providers/Ns/t1/n1/t2/n2" from a full type "Ns/t1/t2" and its names; the counts must match. */
export function providerPath(type: string, names: readonly string[]): string {
  const [namespace, ...types] = type.split("/");
  const segments = names.flatMap((n) => n.split("/"));
  if (!namespace || types.length === 0 || types.length !== segments.length) {
    throw new Error(`resource type ${type} needs ${types.length} name segment(s), got ${segments.length} (${segments.join("/")})`);
  }
  return `/providers/${namespace}/${types.map((t, i) => `${t}/${segments[i]}`).join("/")}`;
}

type Fn = (args: Value[], scope: Scope) => Value;

const FUNCTIONS: Record<string, Fn> = {
  parameters: ([name], scope) => scope.parameter(stringOf(name!, "parameters()")),
  variables: ([name], scope) => scope.variable(stringOf(name!, "variables()")),
  format: ([pattern, ...args]) =>
    stringOf(pattern!, "format()").replace(/\{(\d+)\}/g, (_, i: string) => {
      if (args[Number(i)] === undefined) throw new Error(`format() has no argument {${i}}`);
      return stringOf(args[Number(i)]!, "format() argument");
    }),
  toLower: ([text]) => stringOf(text!, "toLower()").toLowerCase(),
  take: ([text, count]) => stringOf(text!, "take()").slice(0, Number(count)),
  greater: ([a, b]) => Number(a) > Number(b),
  empty: ([value]) => value === "" || value === null || value === undefined || (Array.isArray(value) && value.length === 0),
  if: ([condition, yes, no]) => (condition === true ? yes! : no!),
  uniqueString: (args) =>
    hashOf(args)
      .replace(/[^a-z]/g, "")
      .padEnd(13, "q")
      .slice(0, 13),
  guid: (args) =>
    hashOf(args)
      .slice(0, 32)
      .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, "$1-$2-$3-$4-$5"),
  resourceGroup: () => ({ ...RESOURCE_GROUP }),
  subscription: () => ({ id: `/subscriptions/${SUBSCRIPTION_ID}`, subscriptionId: SUBSCRIPTION_ID, tenantId: TENANT_ID }),
  resourceId: ([type, ...names], scope) => {
    const id =
      RESOURCE_GROUP.id +
      providerPath(
        stringOf(type!, "resourceId() type"),
        names.map((n) => stringOf(n, "resourceId() name")),
      );
    scope.resourceUsed(id, "resourceId");
    return id;
  },
  subscriptionResourceId: ([type, ...names]) =>
    `/subscriptions/${SUBSCRIPTION_ID}` +
    providerPath(
      stringOf(type!, "subscriptionResourceId() type"),
      names.map((n) => stringOf(n, "name")),
    ),
  extensionResourceId: ([parent, type, ...names], scope) => {
    const id =
      stringOf(parent!, "extensionResourceId() scope") +
      providerPath(
        stringOf(type!, "type"),
        names.map((n) => stringOf(n, "name")),
      );
    scope.resourceUsed(id, "resourceId");
    return id;
  },
  reference: ([id], scope) => {
    const target = stringOf(id!, "reference() id");
    scope.resourceUsed(target, "reference");
    return new Runtime(`reference(${target})`);
  },
};

function evaluateNode(node: Node, scope: Scope): Value {
  switch (node.kind) {
    case "literal":
      return node.value;
    case "call": {
      const fn = FUNCTIONS[node.name];
      if (!fn) throw new Error(`function ${node.name}() is not known to these tests`);
      return fn(
        node.args.map((a) => evaluateNode(a, scope)),
        scope,
      );
    }
    case "member": {
      const target = evaluateNode(node.target, scope);
      if (target instanceof Runtime) return new Runtime(`${target.path}.${node.property}`);
      if (target && typeof target === "object" && !Array.isArray(target) && node.property in target) return target[node.property]!;
      throw new Error(`no property ${node.property} in ${JSON.stringify(target)}`);
    }
    case "index": {
      const target = evaluateNode(node.target, scope);
      const index = evaluateNode(node.index, scope);
      if (Array.isArray(target) && typeof index === "number" && index < target.length) return target[index]!;
      if (target && typeof target === "object" && !(target instanceof Runtime) && typeof index === "string" && index in target)
        return (target as Record<string, Value>)[index]!;
      throw new Error(`cannot index ${JSON.stringify(target)} with ${JSON.stringify(index)}`);
    }
  }
}

/** Evaluates a template value: expressions in strings and in object keys, recursively. */
export function evaluate(value: unknown, scope: Scope): Value {
  if (typeof value === "string") {
    if (isExpression(value)) return evaluateNode(parse(value.slice(1, -1)), scope);
    return value.startsWith("[[") ? value.slice(1) : value;
  }
  if (Array.isArray(value)) return value.map((v) => evaluate(v, scope));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [stringOf(evaluate(k, scope), "a property name"), evaluate(v, scope)]));
  }
  if (value === undefined) throw new Error("undefined in a template");
  return value as Value;
}
