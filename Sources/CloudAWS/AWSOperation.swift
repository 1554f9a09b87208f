/// How an AWS service frames requests and answers.
public enum AWSProtocol: Sendable, Hashable {
    /// `POST /` with `X-Amz-Target: <targetPrefix>.<Operation>` and an `application/x-amz-json-1.1` body (SageMaker).
    case json11(targetPrefix: String)
    /// A JSON body at an operation path (`POST /v1/submitjob`, Batch).
    case restJSON
    /// Form-encoded `Action=<Operation>&Version=<version>` with an XML answer (STS, CloudWatch).
    case query(version: String)
    /// REST with XML answers and raw bodies (S3).
    case restXML
}

/// One AWS call the product makes. `AWSOperation.all` lists every one of them; the IAM policy the
/// controller needs is derived from that list (`AWSIAMPolicy`), like the RBAC rules from the Kubernetes calls.
public struct AWSOperation: Sendable, Hashable, CustomStringConvertible {
    /// The service (signing name, endpoint id).
    public var service: AWSService
    /// Operation name (`CreateTrainingJob`).
    public var name: String
    /// IAM action (`sagemaker:CreateTrainingJob`).
    public var iamAction: String
    /// Wire protocol.
    public var `protocol`: AWSProtocol
    /// HTTP method.
    public var method: String
    /// Request path (`/`, `/v1/submitjob`, `/{Bucket}/{Key+}`).
    public var path: String
    /// Further IAM actions the call needs (`iam:PassRole` for CreateTrainingJob's `RoleArn`,
    /// `s3:ListBucket` so that a missing object answers 404 rather than 403).
    public var additionalIAMActions: [String]

    /// An operation; `iamAction` defaults to `<service IAM prefix>:<name>`.
    public init(service: AWSService, name: String, iamAction: String? = nil, protocol: AWSProtocol, method: String = "POST", path: String = "/",
                additionalIAMActions: [String] = []) {
        self.additionalIAMActions = additionalIAMActions
        self.service = service
        self.name = name
        self.iamAction = iamAction ?? "\(service.iamPrefix):\(name)"
        self.protocol = `protocol`
        self.method = method
        self.path = path
    }

    /// `SageMaker.CreateTrainingJob`.
    public var description: String { "\(service.serviceID).\(name)" }

    private static func sagemaker(_ name: String, additional: [String] = []) -> AWSOperation {
        AWSOperation(service: .sagemaker, name: name, protocol: .json11(targetPrefix: "SageMaker"), additionalIAMActions: additional)
    }

    private static func batch(_ name: String) -> AWSOperation {
        AWSOperation(service: .batch, name: name, protocol: .restJSON, path: "/v1/" + name.lowercased())
    }

    // SageMaker training and model registry.
    /// `sagemaker:CreateTrainingJob`, with `iam:PassRole` for the job's `RoleArn` (and `sagemaker:AddTags` for its `Tags`).
    public static let createTrainingJob = sagemaker("CreateTrainingJob", additional: ["iam:PassRole", "sagemaker:AddTags"])
    /// `sagemaker:DescribeTrainingJob`.
    public static let describeTrainingJob = sagemaker("DescribeTrainingJob")
    /// `sagemaker:StopTrainingJob`.
    public static let stopTrainingJob = sagemaker("StopTrainingJob")
    /// `sagemaker:ListTrainingJobs` (adoption by the `sextant.uid` tag when no id was recorded).
    public static let listTrainingJobs = sagemaker("ListTrainingJobs")
    /// `sagemaker:CreateModelPackageGroup`.
    public static let createModelPackageGroup = sagemaker("CreateModelPackageGroup")
    /// `sagemaker:DescribeModelPackageGroup`.
    public static let describeModelPackageGroup = sagemaker("DescribeModelPackageGroup")
    /// `sagemaker:CreateModelPackage`.
    public static let createModelPackage = sagemaker("CreateModelPackage")
    /// `sagemaker:UpdateModelPackage`.
    public static let updateModelPackage = sagemaker("UpdateModelPackage")
    /// `sagemaker:ListModelPackages`.
    public static let listModelPackages = sagemaker("ListModelPackages")
    /// `sagemaker:DescribeModelPackage`.
    public static let describeModelPackage = sagemaker("DescribeModelPackage")
    /// `sagemaker:DeleteModelPackage` (a ModelVersion deleted with `ml.sextant.dev/deletion-policy: delete`).
    public static let deleteModelPackage = sagemaker("DeleteModelPackage")
    /// `sagemaker:AddTags` (tags at creation need it too: CreateTrainingJob with `Tags`).
    public static let addTags = sagemaker("AddTags")
    /// `sagemaker:ListTags`.
    public static let listTags = sagemaker("ListTags")

    // AWS Batch.
    /// `batch:SubmitJob` (`POST /v1/submitjob`), with `batch:TagResource` for its `tags`.
    public static let submitJob = AWSOperation(service: .batch, name: "SubmitJob", protocol: .restJSON, path: "/v1/submitjob",
                                               additionalIAMActions: ["batch:TagResource"])
    /// `batch:DescribeJobs` (`POST /v1/describejobs`).
    public static let describeJobs = batch("DescribeJobs")
    /// `batch:ListJobs` (`POST /v1/listjobs`).
    public static let listJobs = batch("ListJobs")
    /// `batch:TerminateJob` (`POST /v1/terminatejob`).
    public static let terminateJob = batch("TerminateJob")

    // S3 objects (outputs JSON, artifacts).
    /// `s3:GetObject`.
    public static let getObject = AWSOperation(service: .s3, name: "GetObject", protocol: .restXML, method: "GET", path: "/{Bucket}/{Key+}",
                                               additionalIAMActions: ["s3:ListBucket"])
    /// `HEAD` of an object: authorized by `s3:GetObject`.
    public static let headObject = AWSOperation(service: .s3, name: "HeadObject", iamAction: "s3:GetObject", protocol: .restXML,
                                                method: "HEAD", path: "/{Bucket}/{Key+}", additionalIAMActions: ["s3:ListBucket"])
    /// `s3:PutObject`.
    public static let putObject = AWSOperation(service: .s3, name: "PutObject", protocol: .restXML, method: "PUT", path: "/{Bucket}/{Key+}")
    /// `ListObjectsV2` (Delta logs of watched datasets): authorized by `s3:ListBucket`.
    public static let listObjectsV2 = AWSOperation(service: .s3, name: "ListObjectsV2", iamAction: "s3:ListBucket", protocol: .restXML,
                                                   method: "GET", path: "/{Bucket}")

    // STS.
    /// `sts:AssumeRole` (per-namespace roles, `ml.sextant.dev/aws-role-arn`).
    public static let assumeRole = AWSOperation(service: .sts, name: "AssumeRole", protocol: .query(version: "2011-06-15"))
    /// `sts:AssumeRoleWithWebIdentity` (IRSA). Unsigned: authorized by the role's trust policy, not by an
    /// identity policy, so `AWSIAMPolicy` leaves it out.
    public static let assumeRoleWithWebIdentity = AWSOperation(service: .sts, name: "AssumeRoleWithWebIdentity",
                                                               protocol: .query(version: "2011-06-15"))

    // CloudWatch.
    /// `cloudwatch:GetMetricData` (training metrics, closed-loop triggers).
    public static let getMetricData = AWSOperation(service: .cloudWatch, name: "GetMetricData", protocol: .query(version: "2010-08-01"))

    /// Every AWS call the product makes.
    public static let all: [AWSOperation] = [
        createTrainingJob, describeTrainingJob, stopTrainingJob, listTrainingJobs,
        createModelPackageGroup, describeModelPackageGroup, createModelPackage, updateModelPackage,
        listModelPackages, describeModelPackage, deleteModelPackage, addTags, listTags,
        submitJob, describeJobs, listJobs, terminateJob,
        getObject, headObject, putObject, listObjectsV2,
        assumeRole, assumeRoleWithWebIdentity,
        getMetricData,
    ]

    /// Operations that are not authorized by the caller's identity policy (trust-side calls).
    public static let trustSide: Set<String> = ["sts:AssumeRoleWithWebIdentity"]
}
