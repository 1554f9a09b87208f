import KubeCore

/// The least-privilege IAM policy the controller needs, derived from `AWSOperation.all` (what it
/// calls), as the RBAC rules are derived from the Kubernetes calls.
public enum AWSIAMPolicy {
    /// The IAM actions of `operations`, sorted and unique, without the trust-side
    /// `sts:AssumeRoleWithWebIdentity`: that call is unsigned and allowed by the trust policy of the
    /// role being assumed (its OIDC provider and service-account condition), never by the
    /// controller's own identity policy.
    public static func actions(of operations: [AWSOperation] = AWSOperation.all) -> [String] {
        Array(Set(operations.flatMap { [$0.iamAction] + $0.additionalIAMActions }).subtracting(AWSOperation.trustSide)).sorted()
    }

    /// The identity policy document: one statement per service, `Resource: "*"` (narrow it to your
    /// buckets, job queues and namespace roles where you can: `docs/clouds/aws.md`).
    public static func document(actions: [String] = AWSIAMPolicy.actions()) -> JSONValue {
        let sorted = Array(Set(actions).subtracting(AWSOperation.trustSide)).sorted()
        var byPrefix: [String: [String]] = [:]
        for action in sorted {
            let prefix = action.split(separator: ":").first.map(String.init) ?? action
            byPrefix[prefix, default: []].append(action)
        }
        let statements: [JSONValue] = byPrefix.keys.sorted().map { prefix in
            let sid = "Sextant" + prefix.prefix(1).uppercased() + prefix.dropFirst()
            var statement: [String: JSONValue] = [
                "Sid": .string(sid),
                "Effect": "Allow",
                "Action": .array(byPrefix[prefix, default: []].map { .string($0) }),
                "Resource": "*",
            ]
            if prefix == "iam" {
                // iam:PassRole only to SageMaker (the training job's execution role).
                statement["Condition"] = ["StringEquals": ["iam:PassedToService": "sagemaker.amazonaws.com"]]
            }
            return .object(statement)
        }
        return .object(["Version": "2012-10-17", "Statement": .array(statements)])
    }

    /// The policy as pretty JSON text.
    public static func documentText(actions: [String] = AWSIAMPolicy.actions()) -> String {
        String(decoding: document(actions: actions).data(pretty: true), as: UTF8.self)
    }
}
