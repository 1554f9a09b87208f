/// Azure access written once for every Azure-backed feature: Entra ID tokens (workload identity,
/// client secret), authority and Resource Manager endpoint overrides, retries and error
/// classification (`docs/clouds/azure.md`).
public enum CloudAzure {}
