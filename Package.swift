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
    .executable(name: "tgpt-fake-provider", targets: ["tgpt-fake-provider"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
  ],
  targets: [
    .systemLibrary(
      name: "CCurl",
      pkgConfig: "libcurl",
      providers: [.apt(["libcurl4-openssl-dev"]), .brew(["curl"])]
    ),
    .target(name: "TGPTEvents", swiftSettings: strict),
    .target(
      name: "TGPTProviders",
      dependencies: [
        "TGPTEvents", "CCurl",
        .product(name: "Logging", package: "swift-log"),
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
    // TGPTCommandSupport so tgpt-render links neither libcurl nor the TOML parser.
    .target(
      name: "TGPTProviderOptions",
      dependencies: [
        "TGPTEvents", "TGPTProviders", "TGPTCommandSupport",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "TOMLKit", package: "TOMLKit"),
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
    .executableTarget(
      name: "tgpt-fake-provider",
      dependencies: ["TGPTEvents"],
      swiftSettings: strict
    ),
    .testTarget(name: "TGPTEventsTests", dependencies: ["TGPTEvents"], swiftSettings: strict),
    .testTarget(
      name: "TGPTProvidersTests",
      dependencies: ["TGPTProviders", "TGPTEvents"],
      resources: [.copy("Fixtures")],
      swiftSettings: strict
    ),
    .testTarget(
      name: "EndToEndTests",
      dependencies: ["TGPTEvents"],
      swiftSettings: strict
    ),
  ]
)
