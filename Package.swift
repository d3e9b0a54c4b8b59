// swift-tools-version: 6.2
import PackageDescription

// The compiler checks what is visible where: an import is internal unless it says otherwise,
// a member is visible only where its module is imported, and existentials are spelled `any`.
// CI builds with TGPT_WERROR=1 so a warning fails the build; local iteration stays lenient.
let strict: [SwiftSetting] =
  [
    .enableUpcomingFeature("InternalImportsByDefault"), .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("ExistentialAny"),
  ] + (Context.environment["TGPT_WERROR"] == "1" ? [.treatAllWarnings(as: .error)] : [])

let package = Package(
  name: "tgpt",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "tgpt-stream", targets: ["tgpt-stream"]),
    .executable(name: "tgpt-render", targets: ["tgpt-render"]),
    .executable(name: "tgpt-session", targets: ["tgpt-session"]),
    .executable(name: "tgpt-ws-bridge", targets: ["tgpt-ws-bridge"]),
    .executable(name: "tgpt-fake-provider", targets: ["tgpt-fake-provider"]),
    .executable(name: "tgpt-bench", targets: ["tgpt-bench"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    // The WebSocket stack (tgpt-ws-bridge only). `traits: []` leaves out swift-configuration.
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
    .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
    .package(url: "https://github.com/hummingbird-project/swift-websocket", from: "1.6.2"),
    .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    // SHA-256 of the tokens in `tgpt-ws-bridge serve --tokens` (already built for the WebSocket stack).
    .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
    // The PostgreSQL session store (TGPTPostgresStore only).
    .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
  ],
  targets: [
    // libcurl, loaded with dlopen on the first transfer (see Sources/CCurl/include/ccurl.h).
    // Building needs curl's headers: Debian's libcurl4-openssl-dev.
    .target(name: "CCurl", linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),
    // System calls Swift's Glibc module does not import (pipe2).
    .target(name: "CSyscalls"),
    .target(name: "TGPTEvents", dependencies: ["CSyscalls"], swiftSettings: strict),
    // libedit's line editor for tgpt-session chat. Building needs Debian's libedit-dev.
    .systemLibrary(name: "CEditLine", providers: [.apt(["libedit-dev"])]),
    .target(
      name: "TGPTProviders",
      dependencies: [
        "TGPTEvents", "CCurl",
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strict
    ),
    .target(name: "TGPTRender", dependencies: ["TGPTEvents"], swiftSettings: strict),
    // Tools the model may call: executables described by JSON files, and MCP servers over stdio.
    .target(name: "TGPTTools", dependencies: ["TGPTEvents", "TGPTProviders", "CSyscalls"], swiftSettings: strict),
    .target(
      name: "TGPTSession",
      dependencies: [
        "TGPTEvents", .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "GRDBSQLite", package: "GRDB.swift"),
        // Attachments are stored by their SHA-256; postgres-nio links swift-crypto anyway.
        .product(name: "Crypto", package: "swift-crypto"),
      ],
      swiftSettings: strict
    ),
    // Sessions in PostgreSQL (postgres-nio's connection pool), for several servers on one database.
    .target(
      name: "TGPTPostgresStore",
      dependencies: [
        "TGPTEvents", "TGPTSession",
        .product(name: "PostgresNIO", package: "postgres-nio"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strict
    ),
    .target(
      name: "TGPTOrchestrator",
      dependencies: [
        "TGPTEvents", "TGPTProviders", "TGPTTools", "TGPTSession", .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strict
    ),
    .target(
      name: "TGPTCommandSupport",
      dependencies: [
        "TGPTEvents",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strict
    ),
    // Provider flags and the config file, shared by tgpt-stream and tgpt-session. Kept out of
    // TGPTCommandSupport so tgpt-render links none of the provider code.
    .target(
      name: "TGPTProviderOptions",
      dependencies: [
        "TGPTEvents", "TGPTProviders", "TGPTCommandSupport",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strict
    ),
    .executableTarget(
      name: "tgpt-stream",
      dependencies: [
        "TGPTEvents", "TGPTProviders", "TGPTTools", "TGPTCommandSupport", "TGPTProviderOptions",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strict
    ),
    // tgpt-render links only the renderer, the protocol and command support: no libcurl, no
    // Foundation, so it starts in a few milliseconds.
    .executableTarget(
      name: "tgpt-render",
      dependencies: [
        "TGPTEvents", "TGPTRender", "TGPTCommandSupport",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      swiftSettings: strict
    ),
    .executableTarget(
      name: "tgpt-session",
      dependencies: [
        "TGPTEvents", "TGPTProviders", "TGPTTools", "TGPTSession", "TGPTPostgresStore", "TGPTOrchestrator",
        "TGPTCommandSupport", "TGPTProviderOptions",
        "TGPTChat", "TGPTRender", "CEditLine",
        // chat --api-url: the chat through a tgpt-ws-bridge server.
        "TGPTBridgeClient",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strict
    ),
    // The interactive chat's pieces that need no terminal: commands, multi-line input, OSC 52.
    .target(name: "TGPTChat", dependencies: ["TGPTEvents"], swiftSettings: strict),
    // The relay between WebSocket/HTTP connections and one NDJSON child: routing by request id,
    // per-connection queues, child restarts, metrics. No networking code, so it is tested alone.
    .target(
      name: "TGPTBridge",
      dependencies: ["TGPTEvents", .product(name: "Logging", package: "swift-log")],
      swiftSettings: strict
    ),
    // permessage-deflate that reports what it cannot inflate (client and server).
    .target(
      name: "TGPTWebSocketDeflate",
      dependencies: [
        .product(name: "WSCore", package: "swift-websocket"),
        .product(name: "WSCompression", package: "swift-websocket"),
        .product(name: "NIOWebSocket", package: "swift-nio"),
      ],
      swiftSettings: strict
    ),
    // The server side of tgpt-ws-bridge: Hummingbird routes over a TGPTBridge relay.
    .target(
      name: "TGPTBridgeServer",
      dependencies: [
        "TGPTEvents", "TGPTBridge", "TGPTWebSocketDeflate",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HummingbirdCore", package: "hummingbird"),
        .product(name: "HummingbirdTLS", package: "hummingbird"),
        .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOWebSocket", package: "swift-nio"),
        .product(name: "HTTPTypes", package: "swift-http-types"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "Logging", package: "swift-log"),
      ],
      // The web client at `/`: plain files, compiled into the binary as byte arrays
      // (`PackageResources.index_html`, …), so the server needs no file beside it.
      resources: [
        .embedInCode("Web/index.html"), .embedInCode("Web/app.css"), .embedInCode("Web/icon.svg"),
        .embedInCode("Web/app.js"), .embedInCode("Web/answer.js"), .embedInCode("Web/connection.js"),
        .embedInCode("Web/markdown.js"), .embedInCode("Web/page.js"), .embedInCode("Web/attach.js"),
        .embedInCode("Web/tray.js"),
      ],
      swiftSettings: strict
    ),
    // The client side: connect, check and bench over swift-websocket's WSClient.
    .target(
      name: "TGPTBridgeClient",
      dependencies: [
        "TGPTEvents", "TGPTBridge", "TGPTWebSocketDeflate",
        .product(name: "WSClient", package: "swift-websocket"),
        .product(name: "WSCompression", package: "swift-websocket"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOWebSocket", package: "swift-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "HTTPTypes", package: "swift-http-types"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strict
    ),
    .executableTarget(
      name: "tgpt-ws-bridge",
      dependencies: [
        "TGPTEvents", "TGPTBridge", "TGPTBridgeServer", "TGPTBridgeClient", "TGPTCommandSupport",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strict
    ),
    .executableTarget(
      name: "tgpt-fake-provider",
      dependencies: ["TGPTEvents"],
      swiftSettings: strict
    ),
    // In-process benchmarks, run by Benchmarks/run.sh.
    .executableTarget(
      name: "tgpt-bench",
      dependencies: [
        "TGPTEvents", "TGPTProviders", "TGPTRender", "TGPTSession", "TGPTPostgresStore", "TGPTOrchestrator",
      ],
      path: "Benchmarks/tgpt-bench",
      swiftSettings: strict
    ),
    // Fuzz targets (Fuzz/README.md): libFuzzer targets under `make fuzz`; in any other build,
    // programs that replay their committed corpus, which the tests run.
    .target(name: "FuzzSupport", dependencies: ["TGPTEvents"], path: "Fuzz/FuzzSupport", swiftSettings: strict),
    .executableTarget(
      name: "fuzz-sse", dependencies: ["FuzzSupport", "TGPTProviders"], path: "Fuzz/fuzz-sse", swiftSettings: strict),
    .executableTarget(
      name: "fuzz-chunks", dependencies: ["FuzzSupport", "TGPTProviders"], path: "Fuzz/fuzz-chunks",
      swiftSettings: strict),
    .executableTarget(
      name: "fuzz-ndjson", dependencies: ["FuzzSupport", "TGPTEvents", "TGPTRender"], path: "Fuzz/fuzz-ndjson",
      swiftSettings: strict),
    .executableTarget(
      name: "fuzz-toml", dependencies: ["FuzzSupport", "TGPTEvents", "TGPTProviderOptions"], path: "Fuzz/fuzz-toml",
      swiftSettings: strict),
    .executableTarget(
      name: "fuzz-markdown", dependencies: ["FuzzSupport", "TGPTEvents", "TGPTRender"], path: "Fuzz/fuzz-markdown",
      swiftSettings: strict),
    .executableTarget(
      name: "fuzz-intake", dependencies: ["FuzzSupport", "TGPTEvents", "TGPTBridgeServer"], path: "Fuzz/fuzz-intake",
      swiftSettings: strict),
    .testTarget(name: "TGPTEventsTests", dependencies: ["TGPTEvents"], swiftSettings: strict),
    .testTarget(
      name: "TGPTProvidersTests",
      dependencies: ["TGPTProviders", "TGPTEvents"],
      exclude: ["Fixtures"],
      swiftSettings: strict
    ),
    .testTarget(
      name: "TGPTRenderTests",
      dependencies: ["TGPTRender", "TGPTEvents"],
      exclude: ["Fixtures", "Golden"],
      swiftSettings: strict
    ),
    .testTarget(
      name: "TGPTCommandSupportTests", dependencies: ["TGPTCommandSupport"], swiftSettings: strict),
    .testTarget(
      name: "TGPTProviderOptionsTests",
      dependencies: ["TGPTProviderOptions", "TGPTProviders", "TGPTEvents"],
      swiftSettings: strict
    ),
    // A PostgreSQL server the tests start themselves (Scripts/test-postgres.sh), shared by the
    // tests of one process.
    .target(
      name: "TGPTTestPostgres", dependencies: ["TGPTEvents"], path: "Tests/Support/TGPTTestPostgres",
      swiftSettings: strict),
    .testTarget(
      name: "TGPTSessionTests",
      dependencies: [
        "TGPTSession", "TGPTPostgresStore", "TGPTEvents", "TGPTTestPostgres",
        .product(name: "PostgresNIO", package: "postgres-nio"),
      ],
      swiftSettings: strict
    ),
    .testTarget(
      name: "TGPTOrchestratorTests",
      dependencies: [
        "TGPTOrchestrator", "TGPTSession", "TGPTProviders", "TGPTEvents", .product(name: "GRDB", package: "GRDB.swift"),
      ],
      swiftSettings: strict
    ),
    .testTarget(name: "TGPTChatTests", dependencies: ["TGPTChat"], swiftSettings: strict),
    .testTarget(
      name: "TGPTToolsTests", dependencies: ["TGPTTools", "TGPTProviders", "TGPTEvents"], swiftSettings: strict),
    .testTarget(name: "TGPTBridgeTests", dependencies: ["TGPTBridge", "TGPTEvents"], swiftSettings: strict),
    // The server's frame writer on an embedded channel (no sockets, no timing).
    .testTarget(
      name: "TGPTBridgeServerTests",
      dependencies: [
        "TGPTBridgeServer", "TGPTBridge",
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOEmbedded", package: "swift-nio"),
        .product(name: "NIOWebSocket", package: "swift-nio"),
      ],
      swiftSettings: strict),
    .testTarget(
      name: "TGPTBridgeClientTests", dependencies: ["TGPTBridgeClient", "TGPTBridge", "TGPTEvents"],
      swiftSettings: strict),
    .testTarget(
      name: "EndToEndTests",
      dependencies: [
        "TGPTEvents", "TGPTTestPostgres",
        // A seed-style WebSocket client and misbehaving servers (one compressing), written in the tests.
        .product(name: "WSClient", package: "swift-websocket"),
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
        .product(name: "HummingbirdWSCompression", package: "hummingbird-websocket"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOWebSocket", package: "swift-nio"),
        .product(name: "HTTPTypes", package: "swift-http-types"),
      ],
      swiftSettings: strict
    ),
  ]
)
