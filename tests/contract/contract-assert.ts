import assert from "node:assert/strict";
import { PermanentError } from "../../src/core/errors";

/** Asserts that `promise` rejects with a PermanentError of the given code. */
export async function rejectsPermanent(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof PermanentError, `expected a PermanentError, got ${String(err)}`);
    assert.equal(err.code, code);
    return true;
  });
}
