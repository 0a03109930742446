import assert from "node:assert/strict";
import { startMetaGraphStandin, type MetaGraphStandin, type GroupRequest } from "../../../tools/meta-graph-standin";

const TOKEN = "standin-token";
const PHONE = "106540352242922";
const SHEENA = { wa_id: "16505551234", user_id: "US.13491208655302741918" };
const TIAGO = { wa_id: "5511976543210", user_id: "BR.5820193746251038472", username: "tiago.mingo" };

async function call(
  url: string,
  init: { method?: string; body?: unknown; token?: string | null } = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const token = init.token === undefined ? TOKEN : init.token;
  const response = await fetch(url, {
    method: init.method ?? "GET",
    headers: { "content-type": "application/json", ...(token !== null ? { authorization: `Bearer ${token}` } : {}) },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const errorCode = (json: Record<string, unknown>) => (json.error as { code?: number } | undefined)?.code;

/** The Groups API of the Meta Graph API stand-in (docs/protocols.md A17.2, A17.7). */
describe("Meta Graph API stand-in: groups", () => {
  let standin: MetaGraphStandin;
  let requests: GroupRequest[];
  before(async () => {
    standin = await startMetaGraphStandin({ accessToken: TOKEN });
    standin.onGroupRequest((r) => requests.push(r));
  });
  after(async () => {
    await standin.close();
  });
  beforeEach(() => {
    standin.reset();
    requests = [];
  });

  const createGroup = (body: Record<string, unknown>) =>
    call(`${standin.url}/${PHONE}/groups`, { method: "POST", body: { messaging_product: "whatsapp", ...body } });
  const send = (body: Record<string, unknown>) =>
    call(`${standin.url}/${PHONE}/messages`, { method: "POST", body: { messaging_product: "whatsapp", type: "text", text: { body: "Hello group" }, ...body } });

  it("creates a group asynchronously: a request id now, the group (trimmed subject) for the webhook via onGroupRequest", async () => {
    const { status, json } = await createGroup({ subject: "  Flat 4B viewing  ", description: "Friday", join_approval_mode: "approval_required" });
    assert.equal(status, 200);
    assert.deepEqual(Object.keys(json).sort(), ["messaging_product", "request_id"]);
    assert.match(String(json.request_id), /^\d{16}$/);
    const [request] = requests;
    assert.equal(request?.kind, "create");
    if (request?.kind !== "create" || !request.group) assert.fail("a create request with its group");
    assert.equal(request.requestId, json.request_id);
    assert.equal(request.group.subject, "Flat 4B viewing");
    assert.equal(request.group.joinApprovalMode, "approval_required");
    assert.match(request.group.inviteLink, /^https:\/\/chat\.whatsapp\.com\/[A-Za-z0-9]{22}$/);
    assert.match(Buffer.from(request.group.id.replace(/ZD$/, "="), "base64").toString(), new RegExp(`^capi_group:${PHONE}:\\d+$`));
    assert.deepEqual(
      standin.listGroups(PHONE).map((g) => g.id),
      [request.group.id],
    );
  });

  it("refuses a missing, blank or over-long subject (128 characters at most) and an unknown join mode with code 100", async () => {
    for (const body of [{}, { subject: "   " }, { subject: "x".repeat(129) }, { subject: "ok", join_approval_mode: "sometimes" }]) {
      const { status, json } = await createGroup(body);
      assert.equal(status, 400, JSON.stringify(body));
      assert.equal(errorCode(json), 100);
    }
    assert.equal((await createGroup({ subject: "é".repeat(128) })).status, 200, "128 characters are fine, whatever their bytes");
    assert.equal(requests.length, 1);
  });

  it("reports a scripted creation failure through the request, not the answer", async () => {
    standin.failNextGroupCreate({ code: 131211, title: "Group create limit reached", details: "Reached the limit." });
    const { status, json } = await createGroup({ subject: "One too many" });
    assert.equal(status, 200);
    const [request] = requests;
    if (request?.kind !== "create") assert.fail("a create request");
    assert.equal(request.requestId, json.request_id);
    assert.equal(request.group, undefined);
    assert.equal(request.error?.code, 131211);
  });

  it("answers group info with only the fields asked for, participants with phone and BSUID", async () => {
    const group = standin.addGroup({ phoneNumberId: PHONE, subject: "Viewing", participants: [SHEENA, TIAGO] });
    const bare = await call(`${standin.url}/${encodeURIComponent(group.id)}`);
    assert.deepEqual(bare.json, { messaging_product: "whatsapp", id: group.id });
    const full = await call(`${standin.url}/${group.id}?fields=subject,participants,total_participant_count,suspended,join_approval_mode,creation_timestamp`);
    assert.equal(full.status, 200);
    assert.equal(full.json.subject, "Viewing");
    assert.deepEqual(full.json.participants, [SHEENA, TIAGO]);
    assert.equal(full.json.total_participant_count, 2);
    assert.equal(full.json.suspended, false);
    assert.equal(full.json.join_approval_mode, "auto_approve");
    assert.equal(typeof full.json.creation_timestamp, "number");
    assert.equal("description" in full.json, false);
  });

  it("sends once to a group: Meta's answer names the group, and the log tells group sends from individual ones", async () => {
    const group = standin.addGroup({ phoneNumberId: PHONE, subject: "Viewing", participants: [SHEENA, TIAGO] });
    const { status, json } = await send({ recipient_type: "group", to: group.id });
    assert.equal(status, 200);
    const messages = json.messages as Array<{ id: string; group_id?: string }>;
    assert.match(messages[0]?.id ?? "", /^wamid\./);
    assert.equal(messages[0]?.group_id, group.id);
    assert.deepEqual(json.contacts, [{ input: group.id, wa_id: group.id }]);
    await send({ to: "+16505551234" });
    const toGroup = standin.sent.filter((s) => s.recipientType === "group" && s.to === group.id);
    assert.equal(toGroup.length, 1);
    assert.equal(toGroup[0]?.wamid, messages[0]?.id);
    const individual = standin.sent.filter((s) => s.recipientType === "individual");
    assert.deepEqual(
      individual.map((s) => s.to),
      ["+16505551234"],
    );
  });

  it("refuses group sends Meta refuses: unknown (131041), only the business in it (131020), suspended (403, 131207), group id as an individual (100)", async () => {
    const empty = standin.addGroup({ phoneNumberId: PHONE, subject: "Nobody yet" });
    const busy = standin.addGroup({ phoneNumberId: PHONE, subject: "Busy", participants: [SHEENA] });
    const cases: Array<[Record<string, unknown>, number, number]> = [
      [{ recipient_type: "group", to: "Y2FwaV9ncm91cDpub3BlZA" }, 400, 131041],
      [{ recipient_type: "group", to: "+16505551234" }, 400, 131041],
      [{ recipient_type: "group", to: empty.id }, 400, 131020],
      [{ to: busy.id }, 400, 100],
      [{ recipient_type: "individual", to: busy.id }, 400, 100],
    ];
    for (const [body, httpStatus, code] of cases) {
      const { status, json } = await send(body);
      assert.equal(status, httpStatus, JSON.stringify(body));
      assert.equal(errorCode(json), code, JSON.stringify(body));
    }
    standin.getGroup(busy.id)!.suspended = true;
    const suspended = await send({ recipient_type: "group", to: busy.id });
    assert.equal(suspended.status, 403);
    assert.equal(errorCode(suspended.json), 131207);
    assert.ok(
      standin.sent.every((s) => s.status >= 400 && s.wamid === undefined),
      "nothing was accepted",
    );
    assert.equal(standin.sent.length, cases.length + 1, "refused sends are recorded too");
  });

  it("gets and resets the invite link; a reset makes a new link", async () => {
    const group = standin.addGroup({ phoneNumberId: PHONE, subject: "Links" });
    const got = await call(`${standin.url}/${group.id}/invite_link`);
    assert.deepEqual(got.json, { messaging_product: "whatsapp", invite_link: group.inviteLink });
    const reset = await call(`${standin.url}/${group.id}/invite_link`, { method: "POST", body: { messaging_product: "whatsapp" } });
    assert.notEqual(reset.json.invite_link, got.json.invite_link);
    assert.equal(standin.getGroup(group.id)?.inviteLink, reset.json.invite_link);
    assert.deepEqual(
      requests.map((r) => r.kind),
      ["reset_invite_link"],
    );
  });

  it("removes participants by phone or BSUID, reporting the ones not in the group", async () => {
    const group = standin.addGroup({ phoneNumberId: PHONE, subject: "Removals", participants: [SHEENA, TIAGO] });
    const { status, json } = await call(`${standin.url}/${group.id}/participants`, {
      method: "DELETE",
      body: { messaging_product: "whatsapp", participants: [{ user: "+1 650 555 1234" }, { user_id: "GB.404" }] },
    });
    assert.equal(status, 200);
    const [request] = requests;
    if (request?.kind !== "remove_participants") assert.fail("a removal request");
    assert.equal(request.requestId, json.request_id);
    assert.deepEqual(request.removed, [{ input: "+1 650 555 1234", participant: SHEENA }]);
    assert.deepEqual(request.failed, ["GB.404"]);
    const info = await call(`${standin.url}/${group.id}?fields=participants`);
    assert.deepEqual(info.json.participants, [TIAGO]);
    const both = await call(`${standin.url}/${group.id}/participants`, {
      method: "DELETE",
      body: { messaging_product: "whatsapp", participants: [{ user: "1", user_id: "US.1" }] },
    });
    assert.equal(errorCode(both.json), 100);
  });

  it("updates subject and description, refusing an empty subject", async () => {
    const group = standin.addGroup({ phoneNumberId: PHONE, subject: "Old" });
    const { status } = await call(`${standin.url}/${group.id}`, {
      method: "POST",
      body: { messaging_product: "whatsapp", subject: "New subject", description: "About the flat" },
    });
    assert.equal(status, 200);
    assert.equal(standin.getGroup(group.id)?.subject, "New subject");
    const [request] = requests;
    if (request?.kind !== "update") assert.fail("an update request");
    assert.equal(request.subject, "New subject");
    assert.equal(request.description, "About the flat");
    assert.equal(errorCode((await call(`${standin.url}/${group.id}`, { method: "POST", body: { messaging_product: "whatsapp", subject: " " } })).json), 100);
  });

  it("deletes a group: it leaves the list, and afterwards answers 131041 to info and sends", async () => {
    const group = standin.addGroup({ phoneNumberId: PHONE, subject: "Short-lived", participants: [SHEENA] });
    assert.deepEqual((await call(`${standin.url}/${group.id}`, { method: "DELETE" })).json, { success: true });
    assert.deepEqual(
      requests.map((r) => r.kind),
      ["delete"],
    );
    assert.equal(errorCode((await call(`${standin.url}/${group.id}?fields=subject`)).json), 131041);
    assert.equal(errorCode((await send({ recipient_type: "group", to: group.id })).json), 131041);
    assert.equal(
      standin.listGroups(PHONE).some((g) => g.id === group.id),
      false,
    );
  });

  it("lists active groups in Meta's shape (data.groups) with cursor paging", async () => {
    const other = "301122334455667";
    const ids = [1, 2, 3].map((n) => standin.addGroup({ phoneNumberId: other, subject: `Group ${n}` }).id);
    const first = await call(`${standin.url}/${other}/groups?limit=2`);
    const data = first.json.data as { groups: Array<{ id: string; subject: string; created_at: string }> };
    assert.deepEqual(
      data.groups.map((g) => g.id),
      ids.slice(0, 2),
    );
    assert.match(data.groups[0]?.created_at ?? "", /^\d+$/);
    const next = (first.json.paging as { next?: string }).next;
    if (!next) assert.fail("a next page");
    const second = await call(next);
    assert.deepEqual(
      (second.json.data as { groups: Array<{ id: string }> }).groups.map((g) => g.id),
      ids.slice(2),
    );
  });

  it("asks for the token on every group endpoint", async () => {
    const group = standin.addGroup({ phoneNumberId: PHONE, subject: "Private" });
    for (const [path, method] of [
      [`${PHONE}/groups`, "POST"],
      [`${PHONE}/groups`, "GET"],
      [group.id, "GET"],
      [`${group.id}/invite_link`, "GET"],
    ] as const) {
      const { status, json } = await call(`${standin.url}/${path}`, {
        method,
        token: null,
        ...(method === "POST" ? { body: { messaging_product: "whatsapp", subject: "x" } } : {}),
      });
      assert.equal(status, 401, path);
      assert.equal(errorCode(json), 190);
    }
    assert.equal(requests.length, 0);
  });
});
