import Foundation

extension AWSClient {
    /// Lists the keys under `prefix` in `bucket` that sort after `startAfter` (ListObjectsV2 with
    /// `start-after`, every page followed), in S3's (UTF-8 byte) order. At most `limit` keys; `pageSize`
    /// sets `max-keys` (S3's default, 1000, when nil).
    public func s3List(bucket: String, prefix: String, startAfter: String? = nil, region: String, role: String? = nil,
                       sessionName: String = "sextant", limit: Int = 100_000, pageSize: Int? = nil) async throws -> [String] {
        guard !bucket.isEmpty else {
            throw AWSError(code: "InvalidArgument", message: "an S3 listing needs a bucket", kind: .invalidRequest)
        }
        let credentials = try await credentials(role: role, sessionName: sessionName)
        var keys: [String] = []
        var token: String?
        repeat {
            var parameters = [("list-type", "2"), ("prefix", prefix)]
            if let startAfter, token == nil { parameters.append(("start-after", startAfter)) }
            if let token { parameters.append(("continuation-token", token)) }
            if let pageSize { parameters.append(("max-keys", String(pageSize))) }
            let query = parameters.sorted { $0.0 < $1.0 }
                .map { "\(SigV4Signer.uriEncode($0.0, encodeSlash: true))=\(SigV4Signer.uriEncode($0.1, encodeSlash: true))" }
                .joined(separator: "&")
            let response = try await executor.send(.listObjectsV2, region: region, credentials: credentials,
                                                   path: "/" + SigV4Signer.uriEncode(bucket, encodeSlash: true), query: query)
            let xml = String(decoding: response.body, as: UTF8.self)
            keys += AWSXML.values("Key", in: xml)
            let truncated = AWSXML.value("IsTruncated", in: xml) == "true"
            token = truncated ? AWSXML.value("NextContinuationToken", in: xml) : nil
        } while token != nil && keys.count < limit
        return Array(keys.prefix(limit))
    }
}
