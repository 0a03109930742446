import { casebookCounts, casebookTable } from "./support/casebook";
import { contentCases } from "./content-cases";
import { findingsCases } from "./findings-cases";
import { hygieneCases } from "./hygiene-cases";
import { orderingCases } from "./ordering-cases";
import { teamsCases } from "./teams-cases";
import { webhookCases } from "./webhook-cases";

/**
 * `npm run test:security`: the adversarial cases of docs/security.md ("Adversarial cases") and the
 * findings of its "Fail-closed defaults", each through the real HTTP path (botbuilder's own auth against
 * a local OpenID issuer, the Meta and Bot Connector stand-ins, Azurite), each asserting the outcome and
 * that nothing was stored, posted or sent. Ends with the table: case, expected, observed.
 */
describe("security suite", function () {
  webhookCases();
  teamsCases();
  contentCases();
  orderingCases();
  findingsCases();
  hygieneCases();

  after(() => {
    const { rows, passed } = casebookCounts();
    console.log(`\nSecurity cases: ${passed} of ${rows} as expected\n\n${casebookTable()}\n`);
  });
});
