/**
 * `npm run docs:config`: writes docs/configuration.md from .env.example (each variable's meaning is the
 * comment above it there) and variable-facts.ts (its default, and whether production needs it). The
 * doc is never edited by hand: tests/unit/docs fail when the committed file differs from this output.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { exampleVariableNames, parseEnvExample, type VariableBlock } from "./env-example";
import { VARIABLE_FACTS, type DefaultFact } from "./variable-facts";

export const CONFIG_DOC_PATH = "docs/configuration.md";

const INTRODUCTION = `# Configuration

<!-- Generated from .env.example by \`npm run docs:config\`: edit the comments in .env.example (meaning) or
tools/config-doc/variable-facts.ts (default, production), then run it. A test fails when this file
differs from what the command writes. -->

Every variable the bridge reads is in [\`.env.example\`](../.env.example), with the comment this page
repeats. \`src/config.ts\` checks them all at start-up; a missing or malformed one stops the process with
one line naming it, for example
\`Invalid configuration: WHATSAPP_APP_SECRET is required (the Meta app secret that signs webhooks)\`.

- An empty value counts as unset. A \`.env\` file in the working directory is read underneath the real
  environment: a variable set in the environment wins. In production (\`NODE_ENV\` in the real
  environment) \`.env\` is not read.
- \`cp .env.example .env\` gives a working local setup: bot authentication off, an embedded Azurite for
  storage, dummy Meta secrets.
- \`NODE_ENV=production\` (or \`prod\`, in any case) turns on the production rules: bot authentication and
  real storage are required, and the bridge listens on every interface. The **production** column says
  what a production deployment must set. What the bridge refuses rather than run open, in any mode, is in
  [security.md](security.md).
- In Azure, [the deployment template](../infra/README.md) sets the production variables as app settings,
  the three Meta secrets as Key Vault references. It also sets, for Azure's SDK and App Service rather
  than for the bridge: \`AZURE_CLIENT_ID\` (the user-assigned identity \`DefaultAzureCredential\` uses),
  \`AZURE_TOKEN_CREDENTIALS\`, \`APPLICATIONINSIGHTS_CONNECTION_STRING\`, \`WEBSITES_PORT\` and
  \`SCM_DO_BUILD_DURING_DEPLOYMENT\`.
- Logs are JSON lines (pino). Secrets, tokens and phone numbers are never written: fields are redacted by
  name and phone-like digit runs are masked to their last four digits.
`;

/** Markdown-escapes prose for a table cell; code spans are kept, known variable names become code. */
function cell(text: string, names: ReadonlySet<string>): string {
  return text
    .split(/(`[^`]*`)/)
    .map((part, i) => {
      if (i % 2 === 1) return part.replace(/\|/g, "\\|");
      return part
        .replace(/[\\*|<>]/g, (c) => ({ "\\": "\\\\", "*": "\\*", "|": "\\|", "<": "&lt;", ">": "&gt;" })[c]!)
        .replace(/\b[A-Za-z_][A-Za-z0-9_]*\b/g, (word) => (names.has(word) ? `\`${word}\`` : word));
    })
    .join("");
}

function defaultText(fact: DefaultFact): string {
  if (fact === "none") return "none";
  return "value" in fact ? `\`${fact.value.replace(/\|/g, "\\|")}\`` : fact.text;
}

/** One table row for a block; per-variable values are named when the block's variables differ. */
function row(block: VariableBlock, names: ReadonlySet<string>): string {
  const facts = block.variables.map((v) => ({ name: v.name, facts: VARIABLE_FACTS[v.name]! }));
  const column = (pick: (f: (typeof facts)[number]) => string) => {
    const values = facts.map(pick);
    if (values.every((v) => v === values[0])) return values[0]!;
    return facts.map((f, i) => `\`${f.name}\`: ${values[i]}`).join("; ");
  };
  const variables = block.variables.map((v) => `\`${v.name}\``).join(", ");
  const meaning = cell(block.comment.join(" "), names);
  return `| ${variables} | ${column((f) => defaultText(f.facts.default))} | ${column((f) => f.facts.production)} | ${meaning} |`;
}

/** The whole of docs/configuration.md for this `.env.example`; throws if a variable has no facts or facts name a variable it lacks. */
export function renderConfigurationDoc(envExample: string): string {
  const sections = parseEnvExample(envExample);
  const names = exampleVariableNames(sections);
  const missing = names.filter((n) => !(n in VARIABLE_FACTS));
  const stale = Object.keys(VARIABLE_FACTS).filter((n) => !names.includes(n));
  if (missing.length > 0) throw new Error(`no default/production entry in tools/config-doc/variable-facts.ts for ${missing.join(", ")}`);
  if (stale.length > 0) throw new Error(`tools/config-doc/variable-facts.ts describes variables .env.example does not have: ${stale.join(", ")}`);
  const duplicates = names.filter((n, i) => names.indexOf(n) !== i);
  if (duplicates.length > 0) throw new Error(`.env.example names ${duplicates.join(", ")} more than once`);

  const known = new Set(names);
  const parts = [INTRODUCTION];
  for (const section of sections) {
    if (section.blocks.length === 0) continue;
    parts.push(`## ${section.title}\n`);
    parts.push("| variable | default | production | meaning |\n|---|---|---|---|");
    parts.push(`${section.blocks.map((b) => row(b, known)).join("\n")}\n`);
  }
  return parts.join("\n");
}

if (require.main === module) {
  const root = resolve(__dirname, "../../..");
  try {
    const doc = renderConfigurationDoc(readFileSync(join(root, ".env.example"), "utf8"));
    writeFileSync(join(root, CONFIG_DOC_PATH), doc);
    console.log(`${CONFIG_DOC_PATH} written from .env.example`);
  } catch (err) {
    console.error(`Cannot write ${CONFIG_DOC_PATH}: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
