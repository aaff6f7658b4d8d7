// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "crmgate",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "crmgate", targets: ["crmgate"]),
        .executable(name: "crmgate-bench", targets: ["crmgate-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-async-algorithms.git", from: "1.1.4"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
    ],
    targets: [
        // Pure codecs: no I/O, no dependencies.
        .target(name: "IMAPCore"),
        .target(name: "MIMECore", dependencies: ["IMAPCore"]),
        // vCard (and later iCalendar and WebDAV XML): pure, hashed with swift-crypto.
        .target(name: "DAVCore", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        // The CardDAV client (issue 13) over AsyncHTTPClient.
        .target(
            name: "DAV",
            dependencies: [
                "DAVCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // The sync engine (issue 13): its decisions (pure) and its durable state, shared by the
        // DAV bridge and the CRM folders.
        .target(name: "Sync", dependencies: [
            "CRM", "DatabaseSupport",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // The contacts (and calendar) bridge: CRM records ↔ DAV items on the sync engine.
        .target(
            name: "DAVBridge",
            dependencies: [
                "CRM", "DAV", "DAVCore", "Sync", "GatewayConfig",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(name: "GatewayConfig", dependencies: [.product(name: "TOMLKit", package: "TOMLKit")]),
        .target(name: "CRM"),
        // SQLite plumbing shared by the mail store and the embedded CRM (group commit).
        .target(name: "DatabaseSupport", dependencies: [.product(name: "GRDB", package: "GRDB.swift")]),
        .target(
            name: "EmbeddedCRM",
            dependencies: ["CRM", "DatabaseSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .target(
            name: "Web",
            dependencies: [
                "CRM", "EmbeddedCRM", "MailStore", "GatewayConfig",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .target(
            name: "CRMFolders",
            dependencies: [
                "CRM", "MIMECore", "IMAPCore", "IMAPClient", "Upstream", "MailStore", "GatewayConfig", "Sync",
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The BottleCRM connector (issue 17): a remote CRM over its REST API.
        .target(
            name: "BottleCRM",
            dependencies: [
                "CRM",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The connector contract: reusable checks that every CRM connector's tests run.
        .target(name: "CRMContract", dependencies: ["CRM"]),
        .target(
            name: "MailStore",
            dependencies: [
                "IMAPCore", "MIMECore", "DatabaseSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        // glibc's heap statistics and trim, which Swift's Glibc module leaves out.
        .target(name: "CSystemMemory"),
        .target(
            name: "IMAPServer",
            dependencies: [
                "IMAPCore", "IMAPClient", "Upstream", "MIMECore", "MailStore", "GatewayConfig", "CSystemMemory",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The client side of IMAPCore over NIO: proxy mode's upstream connection, tests, benchmarks.
        .target(
            name: "IMAPClient",
            dependencies: [
                "IMAPCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Proxy plumbing shared by the IMAP sessions and background work: reaching the
        // upstream, logins for background work, mailbox-name translation.
        .target(
            name: "Upstream",
            dependencies: [
                "IMAPClient", "IMAPCore", "GatewayConfig",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .executableTarget(
            name: "crmgate",
            dependencies: [
                "IMAPServer", "IMAPClient", "Upstream", "MailStore", "GatewayConfig", "CRM", "EmbeddedCRM", "BottleCRM", "CRMFolders", "Web", "DAVBridge", "Sync",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // The load tool: many IMAP clients against any server, latencies per command (issue 16).
        .executableTarget(
            name: "crmgate-bench",
            dependencies: [
                "IMAPClient", "IMAPCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(name: "IMAPCoreTests", dependencies: ["IMAPCore"]),
        .testTarget(name: "IMAPClientTests", dependencies: [
            "IMAPClient", "IMAPCore",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "UpstreamTests", dependencies: ["Upstream", "IMAPCore", "IMAPClient", "GatewayConfig"]),
        .testTarget(name: "MIMECoreTests", dependencies: ["MIMECore", "IMAPCore"]),
        .testTarget(name: "DAVCoreTests", dependencies: ["DAVCore", "DAVServerFixtures"]),
        .testTarget(name: "SyncTests", dependencies: ["Sync", "CRM", "EmbeddedCRM"]),
        // Real Radicale and Xandikos servers and an iCalendar corpus for the DAV tests (test support only).
        .target(name: "DAVServerFixtures", path: "Tests/Support/DAVServerFixtures"),
        .testTarget(name: "DAVBridgeTests", dependencies: [
            "DAVBridge", "DAV", "DAVCore", "DAVServerFixtures", "Sync", "CRM", "EmbeddedCRM", "GatewayConfig",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "DAVTests", dependencies: [
            "DAV", "DAVCore", "DAVServerFixtures",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        .testTarget(name: "GatewayConfigTests", dependencies: ["GatewayConfig"]),
        .testTarget(name: "DatabaseSupportTests", dependencies: ["DatabaseSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "MailStoreTests", dependencies: ["MailStore", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "CRMTests", dependencies: ["CRM"]),
        .testTarget(name: "CRMFoldersTests", dependencies: ["CRMFolders", "CRM", "MIMECore", "IMAPCore", "MailStore", "EmbeddedCRM", "GatewayConfig", "Sync"]),
        .testTarget(name: "BottleCRMTests", dependencies: [
            "BottleCRM", "CRMContract", "CRM",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        .testTarget(name: "EmbeddedCRMTests", dependencies: ["EmbeddedCRM", "CRMContract", "CRM", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "WebTests", dependencies: [
            "Web", "EmbeddedCRM", "CRM", "MailStore", "GatewayConfig",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "IMAPServerTests", dependencies: [
            "IMAPServer", "IMAPCore", "MailStore", "CSystemMemory",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
