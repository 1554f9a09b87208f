/// Azure access written once for every Azure-backed feature: Entra ID tokens (`AzureTokenProvider`:
/// workload identity, client secret), endpoint overrides (`AzureEndpoints`), the authorised transport
/// with retries and the 401 renewal (`AzureClient`: `arm`, `blobGet`, `send`), one error
/// (`AzureError`) and the RBAC actions of every call (`AzureOperation`, `AzureRoleDefinition`).
/// See `docs/clouds/azure.md`.
public enum CloudAzure {}
