import { BlobServiceClient, type StoragePipelineOptions } from "@azure/storage-blob";
import { DefaultAzureCredential, type TokenCredential } from "@azure/identity";
import { PermanentError } from "../../core/errors";

/** How to reach Azure Blob storage. Give exactly one of `connectionString` and `accountName`. */
export interface BlobStorageOptions {
  /** Shared-key connection string with a `BlobEndpoint` (Azurite), or an account-key string. */
  readonly connectionString?: string;
  /** Storage account name, reached at `https://<account>.blob.core.windows.net` with Entra ID. */
  readonly accountName?: string;
  /** Token credential for `accountName`; default `DefaultAzureCredential` (managed identity in Azure). */
  readonly credential?: TokenCredential;
}

const ACCOUNT_PATTERN = /^[a-z0-9]{3,24}$/;
/** Container names: 3–63 lower-case letters, digits and single hyphens, starting with a letter or digit. */
const CONTAINER_PATTERN = /^(?=.{3,63}$)[a-z0-9](?:-?[a-z0-9])*$/;

/**
 * A Blob service client. `retry` bounds the SDK's own retries (each caller also sets a deadline per
 * operation). Throws `PermanentError("storage.bad_config")` on bad options; does no I/O.
 */
export function blobServiceClient(options: BlobStorageOptions, retry: { maxTries: number; tryTimeoutMs: number }): BlobServiceClient {
  const pipeline: StoragePipelineOptions = {
    retryOptions: { maxTries: retry.maxTries, tryTimeoutInMs: retry.tryTimeoutMs, retryDelayInMs: 200, maxRetryDelayInMs: 2_000 },
  };
  if (options.connectionString && options.accountName) {
    throw new PermanentError("storage.bad_config", "give either a storage connection string or an account name, not both");
  }
  if (options.connectionString) {
    if (!/BlobEndpoint=|AccountKey=/i.test(options.connectionString)) {
      throw new PermanentError("storage.bad_config", "the storage connection string names no blob endpoint (BlobEndpoint=…) and no account key");
    }
    return BlobServiceClient.fromConnectionString(options.connectionString, pipeline);
  }
  if (options.accountName) {
    if (!ACCOUNT_PATTERN.test(options.accountName)) {
      throw new PermanentError("storage.bad_config", `storage account name "${options.accountName}" must be 3–24 lower-case letters or digits`);
    }
    return new BlobServiceClient(`https://${options.accountName}.blob.core.windows.net`, options.credential ?? new DefaultAzureCredential(), pipeline);
  }
  throw new PermanentError("storage.bad_config", "blob storage needs a connection string or an account name");
}

/** Throws `PermanentError("storage.bad_config")` unless `name` is a valid container name. */
export function assertContainerName(name: string): string {
  if (!CONTAINER_PATTERN.test(name)) {
    throw new PermanentError("storage.bad_config", `blob container name "${name}" must be 3–63 lower-case letters, digits and single hyphens`);
  }
  return name;
}
