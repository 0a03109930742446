// Lint rules: ESLint's and typescript-eslint's recommended sets; formatting is Prettier's alone
// (eslint-config-prettier turns off the rules it would fight). `npm run lint` runs both checks.
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import tseslint from "typescript-eslint";

/** What the simulator page's plain scripts use from the browser. */
const BROWSER = ["window", "document", "fetch", "setTimeout", "clearTimeout", "EventSource", "FileReader", "URL", "console"];
/** What app.js defines for groups.js (both are loaded as plain scripts by the page). */
const SIMULATOR_SHARED = ["$", "api", "state", "render", "showProblem", "bubbleBody", "el", "summary", "time", "TICKS"];
const readonly = (names) => Object.fromEntries(names.map((n) => [n, "readonly"]));

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", ".data/**", "infra/schemas/**", "tests/fixtures/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // `_name` marks a value left out on purpose (a destructured field dropped, an argument unused).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true }],
      // `cond ? a() : b()` as a statement is how a few loops pick one of two calls.
      "@typescript-eslint/no-unused-expressions": ["error", { allowTernary: true }],
      // A variable a closure reads before its one assignment cannot be const.
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
    },
  },
  {
    files: ["tools/whatsapp-simulator/public/**/*.js"],
    languageOptions: { sourceType: "script", globals: readonly(BROWSER) },
  },
  {
    files: ["tools/whatsapp-simulator/public/groups.js"],
    languageOptions: { globals: readonly(SIMULATOR_SHARED) },
  },
  prettier,
);
