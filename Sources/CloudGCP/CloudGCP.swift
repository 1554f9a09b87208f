/// GCP access written once for every GCP-backed feature: OAuth tokens (service-account JWT,
/// workload-identity federation, the metadata server; `GCPTokenProvider`), endpoint overrides
/// (`GCPEndpoints`), the authorised JSON transport with retries and error classification
/// (`GCPClient`, `GCPError`), Cloud Storage objects (`GCPClient.gcsGet`) and the IAM permissions
/// of every call (`GCPOperation`, `docs/clouds/gcp.md`).
public enum CloudGCP {}
