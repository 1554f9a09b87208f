import AsyncHTTPClient

extension HTTPClient {
    /// The client every cloud and service call uses (AWS, GCP, Azure, MLflow, Prometheus, dataset
    /// reads): AsyncHTTPClient's shared configuration, except that a refused or failed connection
    /// fails the request at once. `HTTPClient.shared` keeps re-trying the connect until the
    /// request's deadline, so an endpoint that is down cost a whole timeout (tens of seconds) per
    /// try before our own retry policy, with its backoff and attempt limit, could even see it.
    /// Created once, never shut down (like `HTTPClient.shared`).
    public static let cloud: HTTPClient = {
        var configuration = HTTPClient.Configuration.singletonConfiguration
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()
}
