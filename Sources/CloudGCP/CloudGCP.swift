/// GCP access written once for every GCP-backed feature: OAuth tokens (service-account JWT,
/// workload-identity federation, the metadata server), endpoint overrides, retries and error
/// classification (`docs/clouds/gcp.md`).
public enum CloudGCP {}
