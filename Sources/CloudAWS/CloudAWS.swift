/// AWS access written once for every AWS-backed feature: SigV4 signing, the credential chain,
/// endpoints, retries, error classification and the operation table (`docs/clouds/aws.md`).
public enum CloudAWS {}
