// swift-tools-version: 6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
]

let package = Package(
    name: "sextant",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "sextant", targets: ["sextant"]),
        .library(name: "KubeCore", targets: ["KubeCore"]),
        .library(name: "KubeClient", targets: ["KubeClient"]),
        .library(name: "KubeRuntime", targets: ["KubeRuntime"]),
        .library(name: "DevCluster", targets: ["DevCluster"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    ],
    targets: [
        // API value types, selectors, patches, quantities. No I/O.
        .target(
            name: "KubeCore",
            swiftSettings: swiftSettings
        ),
        // HTTP client, kubeconfig, auth, typed Api<R>, watch streams.
        .target(
            name: "KubeClient",
            dependencies: [
                "KubeCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        // Watcher, reflector/store, work queue, controller loop, leader election, events, metrics.
        .target(
            name: "KubeRuntime",
            dependencies: [
                "KubeCore",
                "KubeClient",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        // The three Sextant kinds, their CRD generation, and pure domain logic.
        .target(
            name: "SextantAPI",
            dependencies: [
                "KubeCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        // Imports of other systems' pipelines (Kubeflow Pipelines IR) into MLPipelines. Pure.
        .target(
            name: "SextantInterop",
            dependencies: ["KubeCore", "SextantAPI"],
            swiftSettings: swiftSettings
        ),
        // The one HTTP request/answer/transport (AsyncHTTPClient, or a scripted fake in tests) under
        // every cloud and service client: AWS, GCP, Azure, MLflow, Airflow, OpenLineage.
        .target(
            name: "CloudHTTP",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // AWS access: SigV4, credential chain, endpoints, retries, error mapping, operation table.
        .target(
            name: "CloudAWS",
            dependencies: [
                "KubeCore",
                "CloudHTTP",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // GCP access: OAuth tokens (service-account JWT, workload-identity federation, metadata
        // server), endpoint overrides, retries, error mapping; Vertex AI, GCS, Cloud Monitoring calls.
        .target(
            name: "CloudGCP",
            dependencies: [
                "KubeCore",
                "CloudHTTP",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Azure access: Entra ID tokens (workload identity, client secret), authority and ARM
        // endpoint overrides, retries, error mapping; Azure ML, Blob and Monitor calls.
        .target(
            name: "CloudAzure",
            dependencies: [
                "KubeCore",
                "CloudHTTP",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // MLflow REST 2.0 client: tracking (experiments, runs, params, metrics, tags) and the
        // model registry (registered models, versions, aliases).
        .target(
            name: "MLflowClient",
            dependencies: [
                "KubeCore",
                "CloudHTTP",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // One reconciler per kind; cloud backends behind one protocol.
        .target(
            name: "SextantControllers",
            dependencies: [
                "KubeCore",
                "KubeClient",
                "KubeRuntime",
                "SextantAPI",
                "CloudHTTP",
                "CloudAWS",
                "CloudGCP",
                "CloudAzure",
                "MLflowClient",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        // The local Kubernetes-compatible API server and its emulated controllers.
        .target(
            name: "DevCluster",
            dependencies: [
                "KubeCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "sextant",
            dependencies: [
                "KubeCore",
                "KubeClient",
                "KubeRuntime",
                "SextantAPI",
                "SextantControllers",
                "SextantInterop",
                "CloudAWS",
                "CloudGCP",
                "CloudAzure",
                "MLflowClient",
                "DevCluster",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "SextantBenchmarks",
            dependencies: [
                "KubeCore",
                "KubeClient",
                "KubeRuntime",
                "DevCluster",
                "SextantAPI",
                "SextantControllers",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/SextantBenchmarks",
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "KubeCoreTests", dependencies: ["KubeCore"], swiftSettings: swiftSettings),
        .testTarget(name: "KubeClientTests", dependencies: ["KubeClient", "KubeCore", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "KubeRuntimeTests", dependencies: ["KubeRuntime", "KubeClient", "KubeCore", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "SextantAPITests", dependencies: ["SextantAPI", "KubeCore"], swiftSettings: swiftSettings),
        .testTarget(name: "SextantControllersTests", dependencies: ["SextantControllers", "SextantAPI", "KubeRuntime", "KubeClient", "KubeCore", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "CloudAWSTests", dependencies: ["CloudAWS", "KubeCore", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "CloudGCPTests", dependencies: ["CloudGCP", "KubeCore", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "CloudAzureTests", dependencies: ["CloudAzure", "KubeCore", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "MLflowClientTests", dependencies: ["MLflowClient", "KubeCore", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "SextantInteropTests", dependencies: ["SextantInterop", "SextantAPI", "KubeCore", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "DevClusterTests", dependencies: ["DevCluster", "KubeCore", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "PlatformTests", dependencies: ["TestSupport", "KubeCore", .product(name: "Yams", package: "Yams")], swiftSettings: swiftSettings),
        // Helpers for integration tests: start `sextant dev`, run kubectl and the Python client.
        .target(
            name: "TestSupport",
            dependencies: ["KubeCore"],
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings
        ),
    ]
)
