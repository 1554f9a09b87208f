import Foundation
import KubeCore
import Testing
@testable import CloudAWS

@Suite struct AWSOperationTests {
    @Test func tableHoldsEveryCallOnceWithItsWireShape() {
        let names = AWSOperation.all.map(\.description)
        #expect(Set(names).count == names.count)
        for expected in ["SageMaker.CreateTrainingJob", "SageMaker.DescribeTrainingJob", "SageMaker.StopTrainingJob",
                         "SageMaker.CreateModelPackage", "Batch.SubmitJob", "Batch.DescribeJobs", "Batch.ListJobs", "Batch.TerminateJob",
                         "S3.GetObject", "S3.HeadObject", "S3.PutObject", "STS.AssumeRole", "STS.AssumeRoleWithWebIdentity",
                         "CloudWatch.GetMetricData"] {
            #expect(names.contains(expected), "\(expected)")
        }
        #expect(AWSOperation.submitJob.path == "/v1/submitjob" && AWSOperation.submitJob.method == "POST")
        #expect(AWSOperation.terminateJob.path == "/v1/terminatejob")
        #expect(AWSOperation.createTrainingJob.protocol == .json11(targetPrefix: "SageMaker"))
        #expect(AWSOperation.getMetricData.iamAction == "cloudwatch:GetMetricData")
        #expect(AWSOperation.getMetricData.service.signingName == "monitoring")
        #expect(AWSOperation.headObject.iamAction == "s3:GetObject")
    }

    @Test func policyHasSortedActionsOfTheTableWithoutTheTrustSideWebIdentityCall() throws {
        let actions = AWSIAMPolicy.actions()
        #expect(actions == actions.sorted())
        #expect(!actions.contains("sts:AssumeRoleWithWebIdentity"))
        #expect(Set(actions) == Set(AWSOperation.all.flatMap { [$0.iamAction] + $0.additionalIAMActions }).subtracting(["sts:AssumeRoleWithWebIdentity"]))
        #expect(actions.contains("iam:PassRole") && actions.contains("s3:ListBucket"))
        let document = AWSIAMPolicy.document()
        #expect(document["Version"]?.stringValue == "2012-10-17")
        let statements = try #require(document["Statement"]?.arrayValue)
        let listed = statements.flatMap { $0["Action"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        #expect(listed == actions)
        #expect(statements.allSatisfy { $0["Effect"]?.stringValue == "Allow" })
        #expect(try JSONValue.parse(AWSIAMPolicy.documentText()) == document)
    }

    @Test func theIAMPolicyInDocsCloudsAWSIsTheGeneratedOne() throws {
        var root = URL(fileURLWithPath: #filePath)
        while root.path != "/", !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) {
            root = root.deletingLastPathComponent()
        }
        let text = try String(contentsOf: root.appendingPathComponent("docs/clouds/aws.md"), encoding: .utf8)
        let blocks = text.components(separatedBy: "```json\n").dropFirst().compactMap { $0.components(separatedBy: "```").first }
        let policy = try #require(blocks.first { $0.contains("\"Version\": \"2012-10-17\"") && $0.contains("SextantSts") })
        #expect(try JSONValue.parse(policy) == AWSIAMPolicy.document(), "regenerate with: sextant cloud-permissions aws")
    }
}
