import Foundation
import Logging

/// Sends one request with retries of throttling, 5xx and network failures (honouring `Retry-After`)
/// and turns error answers into `AzureError`s. Shared by `AzureTokenProvider` and `AzureClient`.
struct AzureRequestExecutor: Sendable {
    let transport: any AzureHTTPTransport
    let retry: AzureRetryPolicy
    let logger: Logger
    let now: @Sendable () -> Date
    let sleep: @Sendable (Duration) async throws -> Void

    /// Sends `request`; returns any answer `accept` takes (default: below 300). Retryable errors are
    /// tried again up to `retry.maxAttempts` times; `secrets` are scrubbed from every message.
    func send(_ request: AzureHTTPRequest, secrets: [String], label: String,
              accept: @Sendable (Int) -> Bool = { $0 < 300 }) async throws -> AzureHTTPResponse {
        var attempt = 0
        while true {
            let error: AzureError
            var answer: AzureHTTPResponse?
            do {
                let response = try await transport.send(request, timeout: retry.requestTimeout)
                if accept(response.status) { return response }
                answer = response
                error = AzureError.parse(response, secrets: secrets)
            } catch let cancel as CancellationError {
                throw cancel
            } catch let failure {
                let text = AzureRedaction.scrub(String(describing: failure), secrets: secrets)
                error = .network(AzureError.clip("\(label): \(text)"))
            }
            attempt += 1
            guard error.isRetryable, attempt < retry.maxAttempts else { throw error }
            let delay = retry.delay(attempt: attempt - 1, response: answer, now: now())
            logger.debug("Azure call retried", metadata: [
                "azure.call": "\(label)", "azure.error": "\(error.code)", "azure.status": "\(error.httpStatus.map(String.init) ?? "-")",
                "attempt": "\(attempt)", "delay.ms": "\(delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000)",
            ])
            try await sleep(delay)
        }
    }
}
