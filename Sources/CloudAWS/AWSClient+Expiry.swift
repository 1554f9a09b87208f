import Foundation

extension AWSError {
    /// The answer AWS gives when the temporary credentials of a call expired or were revoked early
    /// (a session token cut short, a role session ended): fetching them again fixes it.
    public var isExpiredCredentials: Bool {
        code.hasPrefix("ExpiredToken") || code == "TokenRefreshRequired"
    }
}

extension AWSClient {
    /// Runs `call` with credentials for `role` (the chain's when nil). When AWS answers that they
    /// expired although the cache still held them (clock skew, a token revoked early), every cached
    /// credential is dropped and `call` runs once more with freshly fetched ones; a second expiry
    /// answer is thrown as it is.
    func withCredentials<T>(role: String?, sessionName: String,
                            _ call: (AWSCredentials) async throws -> T) async throws -> T {
        let credentials = try await credentials(role: role, sessionName: sessionName)
        do {
            return try await call(credentials)
        } catch let error as AWSError where error.isExpiredCredentials {
            await credentialProvider.invalidate()
            executor.logger.info("AWS credentials expired early: fetched again", metadata: ["aws.error": "\(error.code)"])
            let fresh = try await self.credentials(role: role, sessionName: sessionName)
            return try await call(fresh)
        }
    }
}
