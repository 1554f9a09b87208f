import Foundation
import Testing
import TestSupport
@testable import CloudAWS

/// The shape of a GetMetricData answer (query protocol, API 2010-08-01), as in the API reference
/// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html.
private let answer = """
    <?xml version="1.0" encoding="UTF-8"?>
    <GetMetricDataResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/">
      <GetMetricDataResult>
        <MetricDataResults>
          <member>
            <Timestamps>
              <member>2026-12-07T10:00:00Z</member>
              <member>2026-12-07T10:01:00.000Z</member>
            </Timestamps>
            <Values>
              <member>0.91</member>
              <member>7.5E-1</member>
            </Values>
            <Id>m1</Id>
            <Label>drift &amp; more</Label>
            <StatusCode>PartialData</StatusCode>
            <Messages>
              <member><Code>ArithmeticError</Code><Value>one point dropped</Value></member>
            </Messages>
          </member>
        </MetricDataResults>
        <NextToken>page-2</NextToken>
        <Messages/>
      </GetMetricDataResult>
      <ResponseMetadata><RequestId>5b3e1c2a-0000-4000-8000-000000000000</RequestId></ResponseMetadata>
    </GetMetricDataResponse>
    """

@Suite("CloudWatch GetMetricData: request parameters and answer parsing")
struct CloudWatchMetricDataTests {
    @Test("nested member lists are read level by level: timestamps paired with values, label decoded, next token")
    func parsesNestedMembers() throws {
        let (results, token) = try CloudWatchMetricData.parse(answer)
        #expect(token == "page-2")
        let r = try #require(results.first)
        #expect(results.count == 1)
        #expect(r.id == "m1" && r.label == "drift & more" && r.statusCode == "PartialData")
        #expect(r.values == [0.91, 0.75])
        #expect(r.timestamps.map(\.timeIntervalSince1970) == [1_796_637_600, 1_796_637_660])
        #expect(r.messages == ["ArithmeticError: one point dropped"])
    }

    @Test("malformed answers are InvalidResponse errors, not empty results")
    func malformed() {
        let broken = [
            "<GetMetricDataResponse><GetMetricDataResult>",
            answer.replacingOccurrences(of: "<member>0.91</member>", with: ""),
            answer.replacingOccurrences(of: "0.91", with: "high"),
            answer.replacingOccurrences(of: "2026-12-07T10:00:00Z", with: "yesterday"),
            "<ErrorResponse><Error><Code>Throttling</Code></Error></ErrorResponse>",
            "<!DOCTYPE x [<!ENTITY a 'b'>]><GetMetricDataResponse/>",
        ]
        for xml in broken {
            #expect(throws: AWSError.self, "\(xml.prefix(60))") { try CloudWatchMetricData.parse(xml) }
        }
    }

    @Test("the element tree handles self-closing tags, prefixes, comments and CDATA")
    func elementTree() throws {
        let root = try AWSXMLElement.parse(#"<?xml version="1.0"?><!-- c --><a:root x="1"><b/><c>t<![CDATA[<raw>]]></c><c>2</c></a:root>"#)
        #expect(root.name == "root" && root.children.map(\.name) == ["b", "c", "c"])
        #expect(root.all("c").map(\.text) == ["t<raw>", "2"])
        #expect(root.at("b")?.text == "")
    }

    @Test("parameters: one MetricStat query, dimensions sorted and numbered, time range and ascending order")
    func parameters() {
        let stat = CloudWatchMetricStat(namespace: "Sextant/Monitoring", metricName: "drift", dimensions: ["Model": "churn", "Env": "prod"],
                                        periodSeconds: 60, stat: "Maximum")
        let p = CloudWatchMetricData.parameters(id: "m1", stat: stat, start: Date(timeIntervalSince1970: 1_796_637_600),
                                                end: Date(timeIntervalSince1970: 1_796_637_900), nextToken: "t")
        #expect(p["MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Name"] == "Env")
        #expect(p["MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.2.Value"] == "churn")
        #expect(p["MetricDataQueries.member.1.MetricStat.Stat"] == "Maximum")
        #expect(p["StartTime"] == "2026-12-07T10:00:00Z" && p["EndTime"] == "2026-12-07T10:05:00Z")
        #expect(p["ScanBy"] == "TimestampAscending" && p["NextToken"] == "t")
    }
}

@Suite("CloudWatch GetMetricData against moto", .serialized)
struct CloudWatchMetricDataMotoTests {
    static let putMetricData = AWSOperation(service: .cloudWatch, name: "PutMetricData", protocol: .query(version: "2010-08-01"))

    @Test("data points put with PutMetricData come back from GetMetricData in time order, per dimension")
    func putThenGet() async throws {
        let moto = try await MotoPeer.start()
        defer { moto.stop() }
        let client = AWSClient(environment: moto.environment, transport: AsyncHTTPClientTransport(), logger: Fixtures.logger)
        let base = floor(Date().timeIntervalSince1970 / 60) * 60 - 600
        let points: [(Double, Double)] = [(0, 0.9), (60, 0.8), (120, 0.6), (180, 0.55)]
        for (offset, value) in points {
            for (model, v) in [("churn", value), ("fraud", value + 10)] {
                _ = try await client.query(Self.putMetricData, region: MotoPeer.region, parameters: [
                    "Namespace": "Sextant/Monitoring",
                    "MetricData.member.1.MetricName": "drift",
                    "MetricData.member.1.Value": String(v),
                    "MetricData.member.1.Timestamp": CloudWatchMetricData.iso(Date(timeIntervalSince1970: base + offset)),
                    "MetricData.member.1.Dimensions.member.1.Name": "Model",
                    "MetricData.member.1.Dimensions.member.1.Value": model,
                ])
            }
        }
        let stat = CloudWatchMetricStat(namespace: "Sextant/Monitoring", metricName: "drift", dimensions: ["Model": "churn"])
        let result = try await client.getMetricData(stat, start: Date(timeIntervalSince1970: base - 60),
                                                    end: Date(timeIntervalSince1970: base + 300), region: MotoPeer.region)
        #expect(result.values == points.map(\.1), "\(result)")
        #expect(result.timestamps.map(\.timeIntervalSince1970) == points.map { base + $0.0 })
        let none = try await client.getMetricData(CloudWatchMetricStat(namespace: "Sextant/Monitoring", metricName: "absent"),
                                                  start: Date(timeIntervalSince1970: base), end: Date(timeIntervalSince1970: base + 300),
                                                  region: MotoPeer.region)
        #expect(none.values.isEmpty)
    }
}
