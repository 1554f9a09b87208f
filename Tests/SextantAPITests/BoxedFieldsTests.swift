import Foundation
import KubeCore
import SextantAPI
import Testing

@Suite("Boxed API fields")
struct BoxedFieldsTests {
    static let json = """
        {"steps":[{"name":"train","sagemaker":{"region":"us-east-1","roleArn":"arn:aws:iam::1:role/r","image":"img",
          "instanceType":"ml.m5.large","outputS3Uri":"s3://b/o"},"retry":{"limit":1}},
          {"name":"eval","dependsOn":["train"],"airflow":{"url":"http://af","dagId":"d"}}],
         "register":{"model":"m","artifact":"s3://b/o/model"},"tracking":{"mlflow":{"trackingURI":"http://mlflow","experiment":"e"}}}
        """

    @Test("boxed step kinds, register and tracking decode, encode and compare as the plain fields did")
    func boxedFieldsRoundTrip() throws {
        let spec = try JSONDecoder().decode(MLPipelineSpec.self, from: Data(Self.json.utf8))
        #expect(spec.steps[0].sagemaker?.instanceType == "ml.m5.large")
        #expect(spec.steps[0].kinds == ["sagemaker"] && spec.steps[1].kinds == ["airflow"])
        #expect(spec.register?.model == "m" && spec.tracking != nil)
        // The JSON has the public keys and the same content.
        let encoded = try JSONValue.parse(JSONEncoder().encode(spec))
        #expect(encoded == (try JSONValue.parse(Data(Self.json.utf8))))
        // Copies compare by value; a change to one copy leaves the other as it was.
        var copy = spec
        #expect(copy == spec)
        copy.steps[0].sagemaker?.instanceType = "ml.p3.2xlarge"
        copy.register?.model = "other"
        #expect(copy != spec)
        #expect(spec.steps[0].sagemaker?.instanceType == "ml.m5.large" && spec.register?.model == "m")
        #expect(copy.steps[0].sagemaker?.instanceType == "ml.p3.2xlarge" && copy.register?.model == "other")
        copy.steps[0].sagemaker = nil
        #expect(copy.steps[0].kinds.isEmpty)
    }
}
