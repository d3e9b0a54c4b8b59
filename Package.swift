// swift-tools-version: 6.2
import PackageDescription

// CI builds with TGPT_WERROR=1 so a warning fails the build; local iteration stays lenient.
let strict: [SwiftSetting] =
  Context.environment["TGPT_WERROR"] == "1" ? [.treatAllWarnings(as: .error)] : []

let package = Package(
  name: "tgpt",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "tgpt-stream", targets: ["tgpt-stream"]),
    .executable(name: "tgpt-render", targets: ["tgpt-render"]),
    .executable(name: "tgpt-session", targets: ["tgpt-session"]),
    .executable(name: "tgpt-fake-provider", targets: ["tgpt-fake-provider"]),
    .executable(name: "tgpt-bench", targets: ["tgpt-bench"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
  ],
  targets: [
    // libcurl, loaded with dlopen on the first transfer (see Sources/CCurl/include/ccurl.h).
    // Building needs curl's headers: Debian's libcurl4-openssl-dev.
    .target(name: "CCurl", linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),
    .target(name: "TGPTEvents", swiftSettings: strict),
    .target(
      name: "TGPTProviders",
      dependencies: [
        "TGPTEvents", "CCurl",
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strict
    ),
    .target(name: "TGPTRender", dependencies: ["TGPTEvents"], swiftSettings: strict),
    .target(
      name: "TGPTSession",
      dependencies: [
        "TGPTEvents", .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "GRDBSQLite", package: "GRDB.swift"),
      ],
      swiftSettings: strict
    ),
    .target(
      name: "TGPTOrchestrator",
      dependencies: [
        "TGPTEvents", "TGPTProviders", "TGPTSession", .product(name: "Logging", package: "swift-log"),
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
      ],
      swiftSettings: strict
    ),
    .executableTarget(
      name: "tgpt-stream",
      dependencies: [
        "TGPTEvents", "TGPTProviders", "TGPTCommandSupport", "TGPTProviderOptions",
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
        "TGPTEvents", "TGPTProviders", "TGPTSession", "TGPTOrchestrator", "TGPTCommandSupport", "TGPTProviderOptions",
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
      dependencies: ["TGPTEvents", "TGPTProviders", "TGPTRender", "TGPTSession", "TGPTOrchestrator"],
      path: "Benchmarks/tgpt-bench",
      swiftSettings: strict
    ),
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
    .testTarget(name: "TGPTSessionTests", dependencies: ["TGPTSession", "TGPTEvents"], swiftSettings: strict),
    .testTarget(
      name: "TGPTOrchestratorTests",
      dependencies: ["TGPTOrchestrator", "TGPTSession", "TGPTProviders", "TGPTEvents"],
      swiftSettings: strict
    ),
    .testTarget(
      name: "EndToEndTests",
      dependencies: ["TGPTEvents"],
      swiftSettings: strict
    ),
  ]
)
