/**
 * Reads `.env.example` as the documentation of the environment: sections (`# --- Title ---`), and blocks
 * of variables with the comment written above them. A variable is either set (`NAME=value`) or shown
 * commented out (`# NAME=`: documented, not set by the example, e.g. set by the platform).
 */

export interface ExampleVariable {
  readonly name: string;
  /** The value in the example, or undefined when the line is commented out. */
  readonly example: string | undefined;
}

/** Consecutive variables and the comment lines right above them. */
export interface VariableBlock {
  readonly comment: readonly string[];
  readonly variables: readonly ExampleVariable[];
}

export interface ExampleSection {
  readonly title: string;
  readonly blocks: readonly VariableBlock[];
}

const SECTION = /^#\s*---\s*(.+?)\s*-*$/;
const SET = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;
/** `# NAME=` or `# NAME=value` with no space in the value: a prose line such as "# X=y and z" is a comment. */
const COMMENTED_OUT = /^#\s?([A-Za-z_][A-Za-z0-9_]*)=(\S*)$/;

/**
 * The sections of `.env.example`. Lines before the first section (the file's own introduction) are left
 * out. A comment must sit right above its variables; throws on a line that is none of these, naming it.
 */
export function parseEnvExample(text: string): ExampleSection[] {
  const sections: { title: string; blocks: VariableBlock[] }[] = [];
  let comment: string[] = [];
  let variables: ExampleVariable[] = [];
  const closeBlock = (line: number) => {
    if (variables.length > 0) {
      const section = sections.at(-1);
      if (!section) throw new Error(`.env.example line ${line}: a variable before the first "# --- Section ---" line`);
      section.blocks.push({ comment, variables });
    } else if (comment.length > 0 && sections.length > 0) {
      throw new Error(`.env.example line ${line}: a comment that describes no variable (put it right above one)`);
    }
    comment = [];
    variables = [];
  };

  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    const number = index + 1;
    const section = SECTION.exec(line);
    if (section) {
      closeBlock(number);
      sections.push({ title: section[1]!, blocks: [] });
      return;
    }
    if (line === "") return closeBlock(number);
    const set = SET.exec(line);
    const commentedOut = set ? undefined : COMMENTED_OUT.exec(line);
    if (set || commentedOut) {
      const [, name] = (set ?? commentedOut)!;
      variables.push({ name: name!, example: set ? set[2]! : undefined });
      return;
    }
    if (!line.startsWith("#")) throw new Error(`.env.example line ${number}: neither a comment nor NAME=value`);
    // A comment after variables (no blank line between) starts the next block.
    if (variables.length > 0) closeBlock(number);
    comment.push(line.replace(/^#\s?/, ""));
  });
  closeBlock(text.split(/\r?\n/).length);
  return sections;
}

/** Every variable of the example, in order. */
export function exampleVariableNames(sections: readonly ExampleSection[]): string[] {
  return sections.flatMap((s) => s.blocks.flatMap((b) => b.variables.map((v) => v.name)));
}
